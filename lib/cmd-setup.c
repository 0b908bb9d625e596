/* SPDX-License-Identifier: MIT */
/*
 * setup: make git ask this helper, and only this helper, for Bitbucket,
 * as `gh auth setup-git` does for GitHub.  The URL-scoped helper list
 * starts with an empty value, which makes git forget the helpers
 * configured before it for this URL: a global `store` or `manager`
 * holding a dead app password would otherwise answer first.
 *
 * It also sets transfer.credentialsInUrl to warn (unless it is die
 * already): a token in a remote URL lands in .git/config and in logs, and
 * a submodule URL can carry someone else's (see action-store.c).
 *
 * What was there before is saved under [bbtoken-setup] in the same file,
 * so that --unset puts it back.  Not under [bbtoken]: that section makes
 * every `get` read git's config (options.c), and setup must not slow git.
 */
#include "cmd.h"
#include "msg.h"
#include "run.h"

#include <stdio.h>
#include <string.h>

static const char setup_usage[] = "usage: git credential-bbtoken setup [--unset]\n";

#define URL "https://bitbucket.org"
#define KEY_HELPER "credential." URL ".helper"
#define KEY_PATH "credential." URL ".useHttpPath"
#define KEY_SAVED "bbtoken-setup.saved"
#define KEY_SAVED_HELPER "bbtoken-setup.helper"
#define KEY_SAVED_PATH "bbtoken-setup.useHttpPath"
#define KEY_CIU "transfer.credentialsInUrl"
#define KEY_SAVED_CIU "bbtoken-setup.credentialsInUrl"

/* git config --global with the given arguments; output into out. */
static int config(struct buf *out, const char *a1, const char *a2,
		  const char *a3)
{
	const char *argv[7] = { "git", "config", "--global" };
	int n = 3;

	argv[n++] = a1;
	if (a2)
		argv[n++] = a2;
	if (a3)
		argv[n++] = a3;
	argv[n] = NULL;
	return run_git(argv, out);
}

/* Every value of a key, as a NUL-separated list in out; count returned. */
static int get_all(const char *key, struct buf *out)
{
	const char *argv[] = { "git", "config", "--global", "-z", "--get-all", key, NULL };
	size_t i;
	int n = 0;

	if (run_git(argv, out) != 0) {
		buf_set_empty(out);
		return 0;
	}
	for (i = 0; i < out->len; i++)
		n += out->buf[i] == '\0';
	return n;
}

/* One value of git config --get, without its newline. */
static void get_one(const char *key, struct buf *out)
{
	config(out, "--get", key, NULL);
	if (out->buf) {
		out->len = strcspn(out->buf, "\n");
		out->buf[out->len] = '\0';
	}
}

/* warn or die already: what setup wants, or stricter. */
static int ciu_ok(const struct buf *ciu)
{
	return buf_eq(ciu, "warn") || buf_eq(ciu, "die");
}

static int is_setup(const struct buf *helpers, int n, const struct buf *path,
		    const struct buf *ciu)
{
	static const char want[] = "\0bbtoken";	/* "", then "bbtoken" */

	return n == 2 && helpers->len == sizeof(want) &&
	       !memcmp(helpers->buf, want, sizeof(want)) &&
	       buf_eq(path, "true") && ciu_ok(ciu);
}

static void describe(const char *label, const struct buf *values, int n)
{
	size_t pos;

	printf("%s", label);
	if (!n)
		printf(" (none)");
	for (pos = 0; n && pos < values->len; pos += strlen(values->buf + pos) + 1)
		printf(" '%s'", values->buf + pos);
	printf("\n");
}

static void config_failed(void)
{
	msg_error("`git config --global` failed; check that your global git "
		  "config file is writable and parses (git config --global --list)");
}

/*
 * The helper list of url: git's reset (the empty value), then helper;
 * useHttpPath on; transfer.credentialsInUrl warn unless stricter.  Says
 * what changed.  0, or -1 when git config failed.
 */
static int write_chain(const char *url, const char *helper,
		       const struct buf *helpers, int n, const struct buf *ciu)
{
	struct buf key = BUF_INIT, path = BUF_INIT;
	int ret = -1;

	buf_addf(&key, "credential.%s.helper", url);
	buf_addf(&path, "credential.%s.useHttpPath", url);
	if ((n && config(NULL, "--unset-all", key.buf, NULL)) ||
	    config(NULL, "--add", key.buf, "") ||
	    config(NULL, "--add", key.buf, helper) ||
	    config(NULL, path.buf, "true", NULL) ||
	    (!ciu_ok(ciu) && config(NULL, KEY_CIU, "warn", NULL)))
		goto out;
	printf("%s was:", key.buf);
	describe("", helpers, n);
	printf("%s now: '' '%s' (the empty value keeps other helpers away from "
	       "Bitbucket)\n", key.buf, helper);
	printf("%s now: true (tokens bound to a workspace or repository can be "
	       "chosen)\n", path.buf);
	if (!ciu_ok(ciu))
		printf(KEY_CIU " now: warn (git warns when a remote URL carries "
		       "a password or token)\n");
	ret = 0;
out:
	buf_release(&key);
	buf_release(&path);
	return ret;
}

static int do_setup(void)
{
	struct buf helpers = BUF_INIT, path = BUF_INIT, saved = BUF_INIT;
	struct buf ciu = BUF_INIT;
	size_t pos;
	int n, ret = EXIT_FAIL;

	n = get_all(KEY_HELPER, &helpers);
	get_one(KEY_PATH, &path);
	get_one(KEY_CIU, &ciu);
	if (is_setup(&helpers, n, &path, &ciu)) {
		printf("git is set up already: %s uses only git-credential-bbtoken, "
		       "with useHttpPath.\n", URL);
		ret = EXIT_OK;
		goto out;
	}
	/* Save once: a second setup must not save our own values over the user's. */
	if (config(&saved, "--get", KEY_SAVED, NULL) != 0) {
		for (pos = 0; n && pos < helpers.len;
		     pos += strlen(helpers.buf + pos) + 1)
			if (config(NULL, "--add", KEY_SAVED_HELPER, helpers.buf + pos))
				goto fail;
		if (path.len && config(NULL, KEY_SAVED_PATH, path.buf, NULL))
			goto fail;
		if (ciu.len && config(NULL, KEY_SAVED_CIU, ciu.buf, NULL))
			goto fail;
		if (config(NULL, KEY_SAVED, "true", NULL))
			goto fail;
	}
	if (write_chain(URL, "bbtoken", &helpers, n, &ciu) < 0)
		goto fail;
	printf("Undo with: git credential-bbtoken setup --unset\n");
	ret = EXIT_OK;
	goto out;
fail:
	config_failed();
out:
	buf_release(&helpers);
	buf_release(&path);
	buf_release(&saved);
	buf_release(&ciu);
	return ret;
}

static int do_unset(void)
{
	struct buf saved = BUF_INIT, helpers = BUF_INIT, path = BUF_INIT;
	struct buf ciu = BUF_INIT;
	size_t pos;
	int n, ret = EXIT_FAIL;

	if (config(&saved, "--get", KEY_SAVED, NULL) != 0) {
		printf("Nothing to undo: `git credential-bbtoken setup` has not "
		       "changed your global git config.\n");
		ret = EXIT_OK;
		goto out;
	}
	n = get_all(KEY_SAVED_HELPER, &helpers);
	get_one(KEY_SAVED_PATH, &path);
	get_one(KEY_SAVED_CIU, &ciu);
	config(NULL, "--unset-all", KEY_HELPER, NULL);
	for (pos = 0; n && pos < helpers.len; pos += strlen(helpers.buf + pos) + 1)
		if (config(NULL, "--add", KEY_HELPER, helpers.buf + pos))
			goto fail;
	if (path.len ? config(NULL, KEY_PATH, path.buf, NULL) != 0
		     : config(NULL, "--unset", KEY_PATH, NULL) > 5)
		goto fail;
	if (ciu.len ? config(NULL, KEY_CIU, ciu.buf, NULL) != 0
		    : config(NULL, "--unset", KEY_CIU, NULL) > 5)
		goto fail;
	/* Drop our notes; the section goes with its last key. */
	config(NULL, "--remove-section", "bbtoken-setup", NULL);
	describe("credential." URL ".helper restored to:", &helpers, n);
	printf("credential." URL ".useHttpPath restored to: %s\n",
	       path.len ? path.buf : "(none)");
	printf(KEY_CIU " restored to: %s\n", ciu.len ? ciu.buf : "(none)");
	ret = EXIT_OK;
	goto out;
fail:
	config_failed();
out:
	buf_release(&saved);
	buf_release(&helpers);
	buf_release(&path);
	buf_release(&ciu);
	return ret;
}

/*
 * Another host than bitbucket.org: its helper line must declare it, and
 * --unset, which restores what setup saved for bitbucket.org, leaves it.
 */
int setup_host(const char *host)
{
	struct buf url = BUF_INIT, key = BUF_INIT, helper = BUF_INIT;
	struct buf helpers = BUF_INIT, ciu = BUF_INIT;
	int n, ret = EXIT_OK;

	if (!strcmp(host, "bitbucket.org"))
		return do_setup();
	buf_addf(&url, "https://%s", host);
	buf_addf(&key, "credential.%s.helper", url.buf);
	buf_addf(&helper, "bbtoken --host=%s", host);
	n = get_all(key.buf, &helpers);
	get_one(KEY_CIU, &ciu);
	if (write_chain(url.buf, helper.buf, &helpers, n, &ciu) < 0) {
		config_failed();
		ret = EXIT_FAIL;
	}
	buf_release(&url);
	buf_release(&key);
	buf_release(&helper);
	buf_release(&helpers);
	buf_release(&ciu);
	return ret;
}

int cmd_setup(int argc, const char **argv, struct bb_options *o)
{
	int unset = 0, i;
	const struct cmd_opt opts[] = {
		{ "unset", NULL, &unset },
		{ NULL, NULL, NULL }
	};

	(void)o;
	i = cmd_parse(argc, argv, opts, setup_usage);
	if (i < 0)
		return i == CMD_HELP ? EXIT_OK : EXIT_USAGE;
	if (i < argc) {
		msg_error("setup takes no operand ('%s'); it configures "
			  "https://bitbucket.org, and --unset undoes it", argv[i]);
		return EXIT_USAGE;
	}
	return unset ? do_unset() : do_setup();
}
