/* SPDX-License-Identifier: MIT */
/*
 * The encrypted file store's own commands: init makes a store, unlock
 * caches its key in the kernel keyring for a while, lock drops it.
 * They work on the file store whatever bbtoken.store says: they have no
 * meaning for the Secret Service.
 */
#include "cmd.h"
#include "msg.h"
#include "report.h"
#include "term.h"
#include "store/file.h"
#include "store/filefmt.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char init_usage[] =
	"usage: git credential-bbtoken init --passphrase [--stdin]\n"
	"   or: git credential-bbtoken init --key-file[=PATH]\n";
static const char unlock_usage[] =
	"usage: git credential-bbtoken unlock [--for=DURATION] [--stdin]\n";
static const char lock_usage[] =
	"usage: git credential-bbtoken lock\n";

static int usage_error(const char *usage, const char *fmt, const char *arg)
{
	msg_error(fmt, arg);
	fputs(usage, stderr);
	return EXIT_USAGE;
}

/* Say why a passphrase could not be read; always EXIT_FAIL. */
static int passphrase_failed(int err, int from_stdin, const char *cmd)
{
	if (err == TERM_BAD_BYTE)
		msg_error("the passphrase holds a NUL or carriage-return byte; give "
			  "it again without them");
	else if (err == TERM_TOO_LONG)
		msg_error("the passphrase is too long; use one under 4096 bytes");
	else if (from_stdin)
		msg_error("no passphrase on stdin; pipe one line in, for example "
			  "`pass show bbtoken | git credential-bbtoken %s --stdin`", cmd);
	else
		msg_error("no terminal to ask the passphrase on; pipe it in with "
			  "`git credential-bbtoken %s --stdin`", cmd);
	return EXIT_FAIL;
}

/* A new passphrase: twice on the terminal, or once on stdin. */
static int read_new_passphrase(int from_stdin, struct buf *out)
{
	struct buf again = BUF_INIT;
	int err;

	err = term_read_passphrase("New passphrase for the file store: ",
				   from_stdin, out);
	if (err)
		return passphrase_failed(err, from_stdin, "init --passphrase");
	if (!out->len) {
		msg_error("an empty passphrase protects nothing; choose one, or "
			  "run `git credential-bbtoken init --key-file`");
		return EXIT_FAIL;
	}
	if (from_stdin)
		return EXIT_OK;
	err = term_read_passphrase("The same passphrase again: ", 0, &again);
	if (err) {
		buf_release(out);
		return passphrase_failed(err, 0, "init --passphrase");
	}
	if (!secret_eq(out->buf, out->len, again.buf, again.len)) {
		buf_release(out);
		buf_release(&again);
		msg_error("the two passphrases differ, so no store was made; run "
			  "`git credential-bbtoken init --passphrase` again");
		return EXIT_FAIL;
	}
	buf_release(&again);
	return EXIT_OK;
}

/* The code a store error exits with: usage of ours, or the store's. */
static int store_failed(struct store *s, int err)
{
	report_store_error(s, err);
	return err == STORE_ERR_FAILED || err == STORE_ERR_NOT_FOUND ||
	       err == STORE_ERR_UNAVAILABLE ? EXIT_FAIL : EXIT_KEYRING;
}

/*
 * --key-file takes an optional value, which cmd_parse does not know:
 * copy argv to out without a bare "--key-file" (before any "--"), and
 * say whether there was one.  Returns the new argc.
 */
static int take_bare_key_file(int argc, const char **argv, const char **out,
			      int *bare)
{
	int i, n = 0, options = 1;

	*bare = 0;
	for (i = 0; i < argc; i++) {
		if (options && !strcmp(argv[i], "--"))
			options = 0;
		if (options && i && !strcmp(argv[i], "--key-file")) {
			*bare = 1;
			continue;
		}
		out[n++] = argv[i];
	}
	out[n] = NULL;
	return n;
}

int cmd_init(int argc, const char **argv, struct bb_options *o)
{
	const char *keyfile = NULL, **args = xcalloc(argc + 1, sizeof(*args));
	int passphrase = 0, from_stdin = 0, n, bare, i, ret, err;
	const struct cmd_opt opts[] = {
		{ "passphrase", NULL, &passphrase },
		{ "stdin", NULL, &from_stdin },
		{ "key-file", &keyfile, NULL },
		{ NULL, NULL, NULL }
	};
	struct buf pass = BUF_INIT;
	struct file_info info;
	struct store *s = NULL;

	(void)o;
	n = take_bare_key_file(argc, argv, args, &bare);
	i = cmd_parse(n, args, opts, init_usage);
	if (i < 0) {
		free(args);
		return i == CMD_HELP ? EXIT_OK : EXIT_USAGE;
	}
	if (i < n)
		ret = usage_error(init_usage, "init takes no operand, but was given "
				  "'%s'", args[i]);
	else if (passphrase == (bare || keyfile))
		ret = usage_error(init_usage, "%s", "init needs one of --passphrase "
				  "and --key-file, to choose how the store is locked");
	else if (from_stdin && !passphrase)
		ret = usage_error(init_usage, "%s", "--stdin reads a passphrase, so "
				  "it goes with --passphrase");
	else if (keyfile && !*keyfile)
		ret = usage_error(init_usage, "%s", "--key-file= needs a PATH, or "
				  "drop the = for the default one");
	else
		ret = EXIT_OK;
	free(args);
	if (ret)
		return ret;

	store_file_open(&s, cmd_store_flags());
	err = file_store_info(s, &info);
	file_info_release(&info);
	if (err != STORE_ERR_NOT_FOUND) {
		if (!err)
			msg_error("%s exists already; use it as it is, or remove it "
				  "with `rm %s` (its tokens go with it) and run init "
				  "again", s->where.buf, file_store_path(s));
		ret = err ? store_failed(s, err) : EXIT_FAIL;
		goto out;
	}
	if (passphrase && (ret = read_new_passphrase(from_stdin, &pass)))
		goto out;
	err = file_store_create(s, passphrase ? &pass : NULL, keyfile);
	if (err) {
		ret = store_failed(s, err);
		goto out;
	}
	file_store_info(s, &info);
	if (passphrase)
		printf("Created %s, locked with a passphrase; `git credential-bbtoken "
		       "unlock` keeps it unlocked for a while.\n", s->where.buf);
	else
		printf("Created %s, locked with the key file %s; keep a copy of the "
		       "key file apart from the store.\n", s->where.buf,
		       info.keyfile.buf);
	file_info_release(&info);
out:
	buf_release(&pass);
	store_close(s);
	return ret;
}

/* "30m", "8h", "2d", "90s" or plain seconds; -1 for anything else. */
static int parse_duration(const char *arg, unsigned *out)
{
	unsigned long long n = 0, unit = 1;
	const char *p = arg;

	if (*p < '0' || *p > '9')
		return -1;
	for (; *p >= '0' && *p <= '9'; p++)
		if ((n = n * 10 + (*p - '0')) > 366ULL * 86400)
			return -1;
	if (*p == 's')
		p++;
	else if (*p == 'm' && ++p)
		unit = 60;
	else if (*p == 'h' && ++p)
		unit = 3600;
	else if (*p == 'd' && ++p)
		unit = 86400;
	if (*p || !n || n * unit > 366ULL * 86400)
		return -1;
	*out = (unsigned)(n * unit);
	return 0;
}

static void say_duration(unsigned secs, struct buf *out)
{
	buf_set_empty(out);
	if (secs % 86400 == 0)
		buf_addf(out, "%u day%s", secs / 86400, secs == 86400 ? "" : "s");
	else if (secs % 3600 == 0)
		buf_addf(out, "%u hour%s", secs / 3600, secs == 3600 ? "" : "s");
	else if (secs % 60 == 0)
		buf_addf(out, "%u minute%s", secs / 60, secs == 60 ? "" : "s");
	else
		buf_addf(out, "%u second%s", secs, secs == 1 ? "" : "s");
}

/* The passphrase of unlock: stdin, BBTOKEN_PASSPHRASE, or the terminal. */
static int read_passphrase(struct store *s, int from_stdin, struct buf *out)
{
	const char *env = getenv("BBTOKEN_PASSPHRASE");
	struct buf prompt = BUF_INIT;
	int err;

	if (!from_stdin && env && *env) {
		buf_set(out, env);
		return EXIT_OK;
	}
	buf_addf(&prompt, "Passphrase for %s: ", s->where.buf);
	err = term_read_passphrase(prompt.buf, from_stdin, out);
	buf_release(&prompt);
	if (err)
		return passphrase_failed(err, from_stdin, "unlock");
	if (!out->len) {
		msg_error("no passphrase was given, so %s stays locked", s->where.buf);
		return EXIT_FAIL;
	}
	return EXIT_OK;
}

int cmd_unlock(int argc, const char **argv, struct bb_options *o)
{
	const char *for_arg = NULL;
	int from_stdin = 0, i, ret = EXIT_OK, err;
	const struct cmd_opt opts[] = {
		{ "for", &for_arg, NULL },
		{ "stdin", NULL, &from_stdin },
		{ NULL, NULL, NULL }
	};
	unsigned secs = FILE_UNLOCK_DEFAULT_SECONDS;
	struct buf pass = BUF_INIT, said = BUF_INIT;
	struct file_info info;
	struct store *s = NULL;

	(void)o;
	i = cmd_parse(argc, argv, opts, unlock_usage);
	if (i < 0)
		return i == CMD_HELP ? EXIT_OK : EXIT_USAGE;
	if (i < argc)
		return usage_error(unlock_usage, "unlock takes no operand, but was "
				   "given '%s'", argv[i]);
	if (for_arg && parse_duration(for_arg, &secs))
		return usage_error(unlock_usage, "--for=%s is not a duration; write "
				   "it as 30m, 8h, 2d or a number of seconds", for_arg);

	store_file_open(&s, cmd_store_flags());
	if ((err = file_store_info(s, &info))) {
		ret = store_failed(s, err);
		goto out;
	}
	if (info.mode == FILEFMT_MODE_KEYFILE) {
		msg_note("%s opens with the key file %s and needs no unlocking",
			 s->where.buf, info.keyfile.buf);
		goto out;
	}
	if ((ret = read_passphrase(s, from_stdin, &pass)))
		goto out;
	if ((err = file_store_unlock(s, &pass, secs))) {
		ret = store_failed(s, err);
		goto out;
	}
	say_duration(secs, &said);
	printf("Unlocked %s for %s; `git credential-bbtoken lock` locks it "
	       "again.\n", s->where.buf, said.buf);
out:
	file_info_release(&info);
	buf_release(&pass);
	buf_release(&said);
	store_close(s);
	return ret;
}

int cmd_lock(int argc, const char **argv, struct bb_options *o)
{
	const struct cmd_opt opts[] = { { NULL, NULL, NULL } };
	struct store *s = NULL;
	int i, err, dropped, ret = EXIT_OK;

	(void)o;
	i = cmd_parse(argc, argv, opts, lock_usage);
	if (i < 0)
		return i == CMD_HELP ? EXIT_OK : EXIT_USAGE;
	if (i < argc)
		return usage_error(lock_usage, "lock takes no operand, but was "
				   "given '%s'", argv[i]);
	store_file_open(&s, cmd_store_flags());
	err = file_store_lock(s, &dropped);
	if (err == STORE_ERR_NOT_FOUND)
		msg_note("%s does not exist, so there is nothing to lock",
			 s->where.buf);
	else if (err)
		ret = store_failed(s, err);
	else if (dropped)
		printf("Locked %s.\n", s->where.buf);
	else
		printf("Nothing to lock: %s was not unlocked.\n", s->where.buf);
	store_close(s);
	return ret;
}
