/* SPDX-License-Identifier: MIT */
#include "options.h"
#include "msg.h"
#include "run.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

void options_init(struct bb_options *o)
{
	memset(o, 0, sizeof(*o));
	o->warn_days = -1;
}

void options_release(struct bb_options *o)
{
	bb_hosts_release(&o->hosts);
	buf_release(&o->api_url);
	buf_release(&o->token_command);
	options_init(o);
}

static int parse_days(const char *v, int *out)
{
	char *end;
	long n;

	errno = 0;
	n = strtol(v, &end, 10);
	if (errno || end == v || *end || n < 0 || n > 3660)
		return -1;
	*out = (int)n;
	return 0;
}

int options_parse(struct bb_options *o, const char *arg)
{
	if (!strncmp(arg, "--host=", 7)) {
		if (bb_hosts_add(&o->hosts, arg + 7) < 0) {
			msg_error("--host=%s is not a host name; write it as HOST or HOST:PORT, "
				  "for example --host=git.example.com:8443", arg + 7);
			return -1;
		}
		return 1;
	}
	if (!strncmp(arg, "--warn-days=", 12)) {
		if (parse_days(arg + 12, &o->warn_days) < 0) {
			msg_error("--warn-days=%s is not a number of days; use for example --warn-days=14",
				  arg + 12);
			return -1;
		}
		return 1;
	}
	if (!strncmp(arg, "--api-url=", 10)) {
		if (strncmp(arg + 10, "https://", 8)) {
			msg_error("--api-url=%s must start with https://: a token is "
				  "never sent in the clear", arg + 10);
			return -1;
		}
		buf_set(&o->api_url, arg + 10);
		return 1;
	}
	if (!strncmp(arg, "--store=", 8)) {
		if (store_kind_parse(arg + 8, &o->store) < 0) {
			msg_error("--store=%s is not a store; use --store=auto, "
				  "--store=secretservice or --store=file", arg + 8);
			return -1;
		}
		o->store_from_cmdline = 1;
		return 1;
	}
	return 0;
}

void options_store_config(const struct bb_options *o, int flags,
			  struct store_config *out)
{
	memset(out, 0, sizeof(*out));
	out->kind = o->store;
	out->flags = flags;
	out->token_command = buf_isset(&o->token_command) &&
			     o->token_command.len ? o->token_command.buf : NULL;
	out->token_command_timeout_ms = (int)o->token_command_timeout * 1000;
}

int options_warn_days(const struct bb_options *o)
{
	return o->warn_days >= 0 ? o->warn_days : BB_WARN_DAYS_DEFAULT;
}

/* Does a config file start a [bbtoken...] or [include...] section? */
static int file_may_matter(const char *path)
{
	char line[4096];
	FILE *f;
	int found = 0;

	if (!path)
		return 0;
	f = fopen(path, "r");
	if (!f)
		return 0;
	while (!found && fgets(line, sizeof(line), f)) {
		const char *p = line;

		while (*p == ' ' || *p == '\t')
			p++;
		if (*p != '[')
			continue;
		p++;
		while (*p == ' ' || *p == '\t')
			p++;
		/* "[bbtoken]", "[bbtoken \"url\"]"; not "[bbtoken-setup]". */
		found = (!strncasecmp(p, "bbtoken", 7) &&
			 strchr("] \t\".", p[7])) ||
			!strncasecmp(p, "include", 7);
	}
	fclose(f);
	return found;
}

static int env_true(const char *name)
{
	const char *v = getenv(name);

	return v && (!strcasecmp(v, "1") || !strcasecmp(v, "true") ||
		     !strcasecmp(v, "yes") || !strcasecmp(v, "on"));
}

static int home_file_may_matter(const char *rel)
{
	const char *home = getenv("HOME");
	char path[4096];

	if (!home || snprintf(path, sizeof(path), "%s/%s", home, rel) >=
			     (int)sizeof(path))
		return 0;
	return file_may_matter(path);
}

/*
 * The config of the git directory gitdir: its own config, plus the common
 * one of a linked worktree (named by its "commondir" file) and the
 * worktree's config.worktree.
 */
static int gitdir_config_may_matter(const char *gitdir)
{
	char path[4200], common[4096];
	FILE *f;
	size_t n = 0;

	snprintf(path, sizeof(path), "%s/config", gitdir);
	if (file_may_matter(path))
		return 1;
	snprintf(path, sizeof(path), "%s/config.worktree", gitdir);
	if (file_may_matter(path))
		return 1;
	snprintf(path, sizeof(path), "%s/commondir", gitdir);
	f = fopen(path, "r");
	if (!f)
		return 0;
	if (fgets(common, sizeof(common), f))
		n = strcspn(common, "\n");
	fclose(f);
	if (!n)
		return 1;	/* cannot tell: ask git */
	common[n] = '\0';
	if (common[0] == '/')
		snprintf(path, sizeof(path), "%s/config", common);
	else
		snprintf(path, sizeof(path), "%s/%s/config", gitdir, common);
	return file_may_matter(path);
}

/*
 * A ".git" file, as submodules and linked worktrees have: "gitdir: DIR",
 * DIR relative to the file's directory when not absolute.
 */
static int gitfile_config_may_matter(const char *dir, const char *file)
{
	char line[4096], gitdir[8300];
	FILE *f = fopen(file, "r");
	size_t n;

	if (!f)
		return 1;
	n = fgets(line, sizeof(line), f) ? strcspn(line, "\n") : 0;
	fclose(f);
	line[n] = '\0';
	if (strncmp(line, "gitdir: ", 8) || !line[8])
		return 1;	/* not one git writes: ask git */
	if (line[8] == '/')
		snprintf(gitdir, sizeof(gitdir), "%s", line + 8);
	else
		snprintf(gitdir, sizeof(gitdir), "%s/%s", dir, line + 8);
	return gitdir_config_may_matter(gitdir);
}

/* The repository's own config: $GIT_DIR, or a .git above the cwd. */
static int local_config_may_matter(void)
{
	char dir[4096], path[4200];
	const char *gitdir = getenv("GIT_DIR");
	struct stat st;
	char *slash;

	if (gitdir)
		return gitdir_config_may_matter(gitdir);
	if (!getcwd(dir, sizeof(dir)))
		return 1;	/* cannot tell: ask git */
	for (;;) {
		snprintf(path, sizeof(path), "%s/.git", dir);
		if (!stat(path, &st)) {
			if (!S_ISDIR(st.st_mode))
				return gitfile_config_may_matter(dir, path);
			snprintf(path, sizeof(path), "%s/.git", dir);
			return gitdir_config_may_matter(path);
		}
		slash = strrchr(dir, '/');
		if (!slash || slash == dir)
			return 0;
		*slash = '\0';
	}
}

static int config_may_matter(void)
{
	const char *xdg = getenv("XDG_CONFIG_HOME"), *params, *count;
	char path[4096];

	params = getenv("GIT_CONFIG_PARAMETERS");
	if (params && strcasestr(params, "bbtoken."))
		return 1;
	count = getenv("GIT_CONFIG_COUNT");
	if (count && *count && strcmp(count, "0"))
		return 1;
	if (!env_true("GIT_CONFIG_NOSYSTEM") &&
	    file_may_matter(getenv("GIT_CONFIG_SYSTEM") ?
			    getenv("GIT_CONFIG_SYSTEM") : "/etc/gitconfig"))
		return 1;
	if (getenv("GIT_CONFIG_GLOBAL"))
		return file_may_matter(getenv("GIT_CONFIG_GLOBAL")) ||
		       local_config_may_matter();
	if (xdg && *xdg) {
		snprintf(path, sizeof(path), "%s/git/config", xdg);
		if (file_may_matter(path))
			return 1;
	} else if (home_file_may_matter(".config/git/config")) {
		return 1;
	}
	return home_file_may_matter(".gitconfig") || local_config_may_matter();
}

static void config_seconds(const char *key, const char *value, long *out)
{
	int n;

	if (parse_days(value, &n) < 0 || n < 1 || n > 600)
		msg_warning("ignoring %s=%s: give whole seconds, 1 to 600", key, value);
	else
		*out = n;
}

/* Scopes a repository cannot write: git config --show-scope's words. */
static int trusted_scope(const char *scope)
{
	return !strcmp(scope, "system") || !strcmp(scope, "global") ||
	       !strcmp(scope, "command");
}

static void apply_config(struct bb_options *o, const char *scope,
			 const char *key, const char *value,
			 int warn_days_from_cmdline)
{
	if (!strcmp(key, "bbtoken.store") || !strcmp(key, "bbtoken.tokencommand") ||
	    !strcmp(key, "bbtoken.tokencommandtimeout")) {
		if (!trusted_scope(scope)) {
			msg_warning("ignoring %s in the repository's config: it is "
				    "read from global or system config only; set it "
				    "with `git config --global`", key);
			return;
		}
		if (!strcmp(key, "bbtoken.tokencommandtimeout")) {
			config_seconds("bbtoken.tokenCommandTimeout", value,
				       &o->token_command_timeout);
		} else if (key[8] == 't') {
			buf_set(&o->token_command, value);
		} else if (!o->store_from_cmdline &&
			   store_kind_parse(value, &o->store) < 0) {
			msg_warning("ignoring bbtoken.store=%s: use auto, "
				    "secretservice or file", value);
		}
	} else if (!strcmp(key, "bbtoken.host")) {
		if (bb_hosts_add(&o->hosts, value) < 0)
			msg_warning("ignoring bbtoken.host=%s: not a host name", value);
	} else if (!strcmp(key, "bbtoken.warndays") && !warn_days_from_cmdline) {
		if (parse_days(value, &o->warn_days) < 0)
			msg_warning("ignoring bbtoken.warnDays=%s: not a number of days",
				    value);
	} else if (!strcmp(key, "bbtoken.connecttimeout")) {
		config_seconds("bbtoken.connectTimeout", value, &o->connect_timeout);
	} else if (!strcmp(key, "bbtoken.timeout")) {
		config_seconds("bbtoken.timeout", value, &o->timeout);
	}
}

int options_load_config(struct bb_options *o, int lazy)
{
	static const char *const argv[] = {
		"git", "config", "-z", "--show-scope", "--get-regexp",
		"^bbtoken\\.", NULL
	};
	struct buf out = BUF_INIT;
	int cmdline_days = o->warn_days >= 0, status;
	size_t pos;

	if (o->config_loaded)
		return 0;
	o->config_loaded = 1;
	if (lazy && !config_may_matter())
		return 0;
	msg_trace("reading bbtoken.* from git config");
	status = run_git(argv, &out);
	/* git config exits 1 when no key matches: that is not an error. */
	if (status < 0 || status > 1) {
		buf_release(&out);
		msg_error("cannot read bbtoken.* settings: `git config` failed "
			  "or printed over 1 MiB; check that git is on PATH and "
			  "its config files parse");
		return -1;
	}
	/* Records of "SCOPE\0KEY\nVALUE\0". */
	for (pos = 0; out.buf && pos < out.len;) {
		char *scope = out.buf + pos, *rec, *nl;

		pos += strlen(scope) + 1;
		if (pos >= out.len)
			break;
		rec = out.buf + pos;
		pos += strlen(rec) + 1;
		nl = strchr(rec, '\n');
		if (nl) {
			*nl = '\0';
			apply_config(o, scope, rec, nl + 1, cmdline_days);
		}
	}
	buf_release(&out);
	return 0;
}
