/* SPDX-License-Identifier: MIT */
/*
 * The read-only token sources of sources.h.  Each source yields a value
 * (the token, from the environment, a file or a command); the value is
 * checked the same way whatever gave it, and becomes one token.
 */
#include "sources.h"
#include "../date.h"
#include "../run.h"

#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* A token is a few hundred bytes; a secret file holds it alone. */
#define SOURCES_VALUE_MAX (64 * 1024)

enum source {
	SOURCE_NONE = 0,
	SOURCE_ENV,
	SOURCE_FILE,
	SOURCE_CREDENTIAL,
	SOURCE_COMMAND
};

static const char *source_name(enum source src)
{
	switch (src) {
	case SOURCE_ENV:
		return "BBTOKEN_TOKEN";
	case SOURCE_FILE:
		return "BBTOKEN_TOKEN_FILE";
	case SOURCE_CREDENTIAL:
		return "systemd credential";
	case SOURCE_COMMAND:
		return "bbtoken.tokenCommand";
	case SOURCE_NONE:
		break;
	}
	return "no source";
}

/*
 * A variable set to the empty string counts as unset: CI systems expand
 * a secret they withhold (a pull request from a fork) to "".
 *
 * Linux passes no environment string longer than 128 KiB
 * (MAX_ARG_STRLEN), far under a buf's default cap: the paths and names
 * composed here from one cannot reach it.  The token itself is held to
 * SOURCES_VALUE_MAX like the other sources.
 */
static const char *env_value(const char *name)
{
	const char *v = getenv(name);

	return v && *v ? v : NULL;
}

/* $CREDENTIALS_DIRECTORY/bbtoken into path; -1 without the variable. */
static int credential_path(struct buf *path)
{
	const char *dir = env_value("CREDENTIALS_DIRECTORY");

	if (!dir)
		return -1;
	buf_set_empty(path);
	buf_addf(path, "%s/bbtoken", dir);
	return 0;
}

/*
 * systemd sets CREDENTIALS_DIRECTORY for every credential of the unit:
 * only a "bbtoken" among them is ours.  Anything there, even what we
 * cannot look at, is taken as set, so that its problem is told.
 */
static int credential_present(void)
{
	struct buf path = BUF_INIT;
	struct stat st;
	int present = 0;

	if (!credential_path(&path))
		present = !lstat(path.buf, &st) || errno != ENOENT;
	buf_release(&path);
	return present;
}

static enum source active_source(const struct store_config *c)
{
	if (env_value("BBTOKEN_TOKEN"))
		return SOURCE_ENV;
	if (env_value("BBTOKEN_TOKEN_FILE"))
		return SOURCE_FILE;
	if (credential_present())
		return SOURCE_CREDENTIAL;
	if (c->token_command && *c->token_command)
		return SOURCE_COMMAND;
	return SOURCE_NONE;
}

int sources_active(const struct store_config *c)
{
	return active_source(c) != SOURCE_NONE;
}

static void say(struct buf *detail, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void say(struct buf *detail, const char *fmt, ...)
{
	va_list ap;

	buf_set_empty(detail);
	va_start(ap, fmt);
	buf_vaddf(detail, fmt, ap);
	va_end(ap);
}

/*
 * Take off the one newline that editors, `echo` and secret managers
 * end a value with (LF or CRLF); any other CR, LF or NUL is not part of
 * a token, and git's protocol could not carry it.
 */
static int clean_value(struct buf *v, const char *what, struct buf *detail)
{
	if (v->len && v->buf[v->len - 1] == '\n') {
		v->buf[--v->len] = '\0';
		if (v->len && v->buf[v->len - 1] == '\r')
			v->buf[--v->len] = '\0';
	}
	if (!v->len) {
		say(detail, "%s is empty; it should hold the token", what);
		return -1;
	}
	if (memchr(v->buf, '\r', v->len) || memchr(v->buf, '\n', v->len) ||
	    memchr(v->buf, '\0', v->len)) {
		say(detail, "%s holds a line break or a NUL byte besides the "
		    "token; it should hold the token alone, on one line", what);
		return -1;
	}
	return 0;
}

/*
 * Is the opened file one to trust with a token?  Regular, owned by us
 * or by root (a mounted secret belongs to root, the job may not), and
 * writable by nobody else: read bits are what mounts give and are fine.
 */
static int file_safe(int fd, const char *what, struct buf *detail)
{
	struct stat st;

	if (fstat(fd, &st) < 0) {
		say(detail, "cannot look at %s: %s", what, strerror(errno));
		return 0;
	}
	if (!S_ISREG(st.st_mode)) {
		say(detail, "%s is not a regular file; point it at the file "
		    "that holds the token", what);
		return 0;
	}
	if (st.st_uid != geteuid() && st.st_uid != 0) {
		say(detail, "%s belongs to uid %u, neither you nor root, so "
		    "someone else could change the token; chown it to yourself",
		    what, (unsigned)st.st_uid);
		return 0;
	}
	if (st.st_mode & (S_IWGRP | S_IWOTH)) {
		say(detail, "%s is writable by its group or others; "
		    "`chmod go-w` it", what);
		return 0;
	}
	if (st.st_size > SOURCES_VALUE_MAX) {
		say(detail, "%s is larger than 64 KiB; it should hold the "
		    "token alone", what);
		return 0;
	}
	return 1;
}

static int read_fd(int fd, const char *what, struct buf *out,
		   struct buf *detail)
{
	char chunk[4096];
	ssize_t n;
	int ret = 0;

	buf_set_empty(out);
	while ((n = read(fd, chunk, sizeof(chunk))) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			say(detail, "cannot read %s: %s", what, strerror(errno));
			ret = -1;
			break;
		}
		if (buf_try_add(out, chunk, n) < 0) {
			say(detail, "%s is larger than 64 KiB; it should hold "
			    "the token alone", what);
			ret = -1;
			break;
		}
	}
	wipe(chunk, sizeof(chunk));
	return ret;
}

/*
 * O_NOFOLLOW: a symlink is how a file we checked turns into one we did
 * not.  O_NONBLOCK: a FIFO put in its place must not hang git before
 * fstat refuses it.
 */
static int read_secret_file(const char *path, const char *what,
			    struct buf *out, struct buf *detail)
{
	int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK |
		      O_NOCTTY), ret = -1;

	if (fd < 0) {
		if (errno == ELOOP)
			say(detail, "%s is a symbolic link, which is refused; "
			    "point it at the file itself (for a Kubernetes "
			    "secret volume, mount the key with subPath)", what);
		else
			say(detail, "cannot open %s: %s", what, strerror(errno));
		return -1;
	}
	buf_init(out, SOURCES_VALUE_MAX);
	if (file_safe(fd, what, detail))
		ret = read_fd(fd, what, out, detail);
	close(fd);
	return ret;
}

static void say_timeout(struct buf *detail, int ms)
{
	if (ms % 1000)
		say(detail, "bbtoken.tokenCommand did not finish within %d ms "
		    "and was stopped; it must answer without input (its stdin "
		    "is /dev/null) or a terminal", ms);
	else
		say(detail, "bbtoken.tokenCommand did not finish within %d "
		    "second%s and was stopped; it must answer without input "
		    "(its stdin is /dev/null) or a terminal", ms / 1000,
		    ms == 1000 ? "" : "s");
}

static int run_command(const struct store_config *c, struct buf *out,
		       struct buf *detail)
{
	/* Secrets of ours the command has no business seeing. */
	static const char *const drop[] = {
		"BBTOKEN_TOKEN", "BBTOKEN_PASSPHRASE", NULL
	};
	int ms = c->token_command_timeout_ms > 0 ? c->token_command_timeout_ms
						 : SOURCES_COMMAND_TIMEOUT_MS;
	int code;

	buf_init(out, SOURCES_VALUE_MAX);
	switch (run_capture(c->token_command, drop, ms, out, &code)) {
	case RUN_OK:
		if (out->len)
			return 0;
		say(detail, "bbtoken.tokenCommand printed nothing; it should "
		    "print the token on its standard output");
		break;
	case RUN_NO_COMMAND:
		say(detail, "bbtoken.tokenCommand names no command; set it to "
		    "one that prints the token, with `git config --global`");
		break;
	case RUN_NOT_STARTED:
		say(detail, "bbtoken.tokenCommand could not be started (%s); "
		    "check that its program is installed and on PATH",
		    strerror(code));
		break;
	case RUN_EXITED:
		say(detail, "bbtoken.tokenCommand failed with exit status %d; "
		    "run it by hand to see why", code);
		break;
	case RUN_SIGNALED:
		say(detail, "bbtoken.tokenCommand was killed by signal %d (%s); "
		    "run it by hand to see why", code, strsignal(code));
		break;
	case RUN_TIMED_OUT:
		say_timeout(detail, ms);
		break;
	case RUN_TOO_MUCH:
		say(detail, "bbtoken.tokenCommand printed more than 64 KiB and "
		    "was stopped; it should print the token alone");
		break;
	case RUN_FAILED:
		say(detail, "bbtoken.tokenCommand could not be run: %s",
		    strerror(code));
		break;
	}
	return -1;
}

/* The value the source holds, into out, checked; or -1 and detail. */
static int source_value(enum source src, const struct store_config *c,
			struct buf *out, struct buf *detail)
{
	struct buf what = BUF_INIT;
	int ret;

	switch (src) {
	case SOURCE_ENV: {
		const char *v = getenv("BBTOKEN_TOKEN");

		buf_set(&what, "BBTOKEN_TOKEN");
		buf_init(out, SOURCES_VALUE_MAX);
		ret = buf_try_setn(out, v, strlen(v));
		if (ret)
			say(detail, "BBTOKEN_TOKEN is longer than 64 KiB; it "
			    "should hold the token alone");
		break;
	}
	case SOURCE_FILE:
		buf_addf(&what, "BBTOKEN_TOKEN_FILE=%s",
			 getenv("BBTOKEN_TOKEN_FILE"));
		ret = read_secret_file(getenv("BBTOKEN_TOKEN_FILE"), what.buf,
				       out, detail);
		break;
	case SOURCE_CREDENTIAL: {
		struct buf path = BUF_INIT;

		credential_path(&path);
		buf_addf(&what, "the systemd credential %s", path.buf);
		ret = read_secret_file(path.buf, what.buf, out, detail);
		buf_release(&path);
		break;
	}
	case SOURCE_COMMAND:
		buf_set(&what, "the output of bbtoken.tokenCommand");
		ret = run_command(c, out, detail);
		break;
	default:
		ret = -1;
	}
	if (!ret)
		ret = clean_value(out, what.buf, detail);
	buf_release(&what);
	return ret;
}

/* BBTOKEN_EXPIRES, when set, into *out; -1 when it is not a date. */
static int source_expiry(long long *out, struct buf *detail)
{
	const char *v = env_value("BBTOKEN_EXPIRES");

	*out = 0;
	if (!v || !date_parse(v, out))
		return 0;
	say(detail, "BBTOKEN_EXPIRES=%.40s is not a date; write YYYY-MM-DD "
	    "or an ISO 8601 time such as 2027-03-01T12:00:00Z", v);
	return -1;
}

static int kind_usable(enum bb_kind kind, enum source src, struct buf *detail)
{
	if (kind == BB_KIND_APP_PASSWORD) {
		say(detail, "%s holds an app password, which Bitbucket stopped "
		    "accepting on 28 July 2026; create an API token at %s and "
		    "put it there instead", source_name(src), BB_TOKEN_PAGE);
		return 0;
	}
	if (kind == BB_KIND_OPAQUE) {
		say(detail, "%s does not hold a Bitbucket token (an API token "
		    "starts with ATATT, an access token with ATCTT); create one "
		    "at %s", source_name(src), BB_TOKEN_PAGE);
		return 0;
	}
	return 1;
}

/* The token the source gives, made of value (which it takes). */
static struct token *source_token(enum source src, const char *host,
				  struct buf *value, long long expires)
{
	struct token *t = token_new();
	const char *user = env_value("BBTOKEN_USERNAME");

	t->password = *value;
	*value = (struct buf)BUF_INIT;
	t->kind = bb_token_kind(t->password.buf, t->password.len);
	t->origin = TOKEN_ADDED;
	t->expires = expires;
	buf_set(&t->source, source_name(src));
	buf_set(&t->label, source_name(src));
	buf_set_empty(&t->id);
	buf_addf(&t->id, "source:%s", source_name(src));
	buf_set(&t->protocol, "https");
	buf_set(&t->host, host ? host : BB_DEFAULT_HOST);
	/* Only an API token is tied to an account; access tokens are not. */
	if (t->kind == BB_KIND_API_TOKEN && bb_is_account_user(user))
		buf_set(&t->username, user);
	return t;
}

int sources_find(const struct store_config *c, const char *host,
		 struct token_list *out, struct buf *detail)
{
	enum source src = active_source(c);
	struct buf value = BUF_INIT;
	long long expires;
	enum bb_kind kind;

	if (src == SOURCE_NONE)
		return STORE_OK;
	if (source_expiry(&expires, detail) ||
	    source_value(src, c, &value, detail))
		goto fail;
	kind = bb_token_kind(value.buf, value.len);
	if (!kind_usable(kind, src, detail))
		goto fail;
	/*
	 * A token failing its checksum is used all the same: Bitbucket is
	 * the judge, and `get` has no way to say so without noise on every
	 * fetch.
	 */
	if (token_list_add(out, source_token(src, host, &value, expires)) < 0) {
		say(detail, "out of memory");
		goto fail;
	}
	return STORE_OK;
fail:
	buf_release(&value);
	return STORE_ERR_SOURCE;
}
