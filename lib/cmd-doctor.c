/* SPDX-License-Identifier: MIT */
/*
 * doctor: say in one line each what keeps git from sending a working
 * Bitbucket token (lib/doctor.c looks), and with --fix put right what
 * can be put right safely, asking before each change.  It changes what
 * it announced and nothing else: each fix names the one line, item, URL
 * or config key it touches.
 */
#include "cmd.h"
#include "doctor.h"
#include "msg.h"
#include "run.h"
#include "store.h"
#include "store/foreign.h"
#include "term.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

static const char doctor_usage[] =
	"usage: git credential-bbtoken doctor [--host=HOST] [--online] [--fix [--yes]]\n";

static int git_config_global(const char *key, const char *value)
{
	const char *argv[] = { "git", "config", "--global", key, value, NULL };

	return run_git(argv, NULL) ? -1 : 0;
}

static int set_remote_url(const struct doctor_finding *f)
{
	const char *argv[7] = { "git", "remote", "set-url" };
	int n = 3;

	if (f->push)
		argv[n++] = "--push";
	argv[n++] = f->name.buf;
	argv[n++] = f->value.buf;
	argv[n] = NULL;
	return run_git(argv, NULL) ? -1 : 0;
}

int doctor_apply(const struct doctor_finding *f)
{
	struct buf detail = BUF_INIT, key = BUF_INIT;
	int ret = -1;

	/* Errors go to stderr: keep them in order with what stdout said. */
	fflush(stdout);
	switch (f->fix) {
	case DOCTOR_FIX_NONE:
		return 0;
	case DOCTOR_FIX_CRED_LINE:
		ret = doctor_drop_line(f->where.buf, f->secret.buf);
		if (ret == 1) {
			printf("already gone: %s\n", f->action.buf);
			return 0;
		}
		if (ret < 0)
			msg_error("could not rewrite %s: %m; nothing in it was changed",
				  f->where.buf);
		break;
	case DOCTOR_FIX_FOREIGN:
		ret = foreign_delete(f->name.buf, f->where.buf, &detail) ? -1 : 0;
		if (ret < 0)
			msg_error("could not %s: %s; unlock the keyring and run the "
				  "command again", f->action.buf, detail.buf);
		break;
	case DOCTOR_FIX_REMOTE_URL:
		ret = set_remote_url(f);
		if (ret < 0)
			msg_error("`git remote set-url %s` failed; run it by hand",
				  f->name.buf);
		break;
	case DOCTOR_FIX_HELPERS:
		ret = setup_host(f->name.buf) == EXIT_OK ? 0 : -1;
		break;
	case DOCTOR_FIX_USE_HTTP_PATH:
		buf_addf(&key, "credential.https://%s.useHttpPath", f->name.buf);
		ret = git_config_global(key.buf, "true");
		break;
	case DOCTOR_FIX_CONFIG:
		ret = git_config_global(f->name.buf, f->value.buf);
		break;
	}
	if (ret < 0 && (f->fix == DOCTOR_FIX_USE_HTTP_PATH ||
			f->fix == DOCTOR_FIX_CONFIG))
		msg_error("`git config --global` failed; check that your global "
			  "git config file is writable (git config --global --list)");
	if (!ret)
		printf("fixed: %s\n", f->action.buf);
	buf_release(&detail);
	buf_release(&key);
	return ret;
}

static int have_terminal(void)
{
	int fd = open("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC);

	if (fd < 0)
		return 0;
	close(fd);
	return 1;
}

static int ask(const struct doctor_finding *f)
{
	struct buf q = BUF_INIT, answer = BUF_INIT;
	int yes;

	buf_addf(&q, "Fix: %s? [y/N] ", f->action.buf);
	yes = !term_read_line(q.buf, &answer) &&
	      (!strcasecmp(answer.buf, "y") || !strcasecmp(answer.buf, "yes"));
	buf_release(&q);
	buf_release(&answer);
	return yes;
}

/*
 * A fix another one has made already: setup writes the helper list,
 * useHttpPath and transfer.credentialsInUrl of its host at once.
 */
static int done_by_setup(const struct doctor_report *r, const char *applied,
			 size_t upto, const struct doctor_finding *f)
{
	size_t i;

	for (i = 0; i < upto; i++) {
		const struct doctor_finding *g = &r->v[i];

		if (!applied[i] || g->fix != DOCTOR_FIX_HELPERS)
			continue;
		if (f->fix == DOCTOR_FIX_HELPERS || f->fix == DOCTOR_FIX_USE_HTTP_PATH)
			if (buf_eq(&g->name, f->name.buf))
				return 1;
		if (f->fix == DOCTOR_FIX_CONFIG &&
		    buf_eq(&f->name, "transfer.credentialsInUrl"))
			return 1;
	}
	return 0;
}

size_t doctor_fix_all(const struct doctor_report *r, int yes,
		      int (*want)(const struct doctor_finding *))
{
	size_t i, left = 0;
	char *applied = xcalloc(r->nr ? r->nr : 1, 1);

	for (i = 0; i < r->nr; i++) {
		const struct doctor_finding *f = &r->v[i];
		int wrong = f->severity != DOCTOR_NOTE;

		/* migrate answers only for what it set out to fix. */
		if (want && !want(f))
			continue;
		if (f->fix == DOCTOR_FIX_NONE) {
			left += wrong;
			continue;
		}
		if (done_by_setup(r, applied, i, f))
			continue;
		if (!yes && !ask(f)) {
			left += wrong;
			continue;
		}
		if (doctor_apply(f) < 0) {
			left += wrong;
			continue;
		}
		applied[i] = 1;
	}
	free(applied);
	return left;
}

static void print_findings(const struct doctor_report *r)
{
	size_t i;

	for (i = 0; i < r->nr; i++)
		printf("%s: %s\n", doctor_severity_name(r->v[i].severity),
		       r->v[i].text.buf);
	if (!doctor_wrong(r)) {
		printf("Nothing wrong for");
		for (i = 0; i < r->hosts.nr; i++)
			printf("%s %s", i ? "," : "", r->hosts.v[i]);
		printf(".\n");
	}
}

int cmd_doctor(int argc, const char **argv, struct bb_options *o)
{
	const char *host_arg = NULL;
	int online = 0, fix = 0, yes = 0, i, ret;
	const struct cmd_opt opts[] = {
		{ "host", &host_arg, NULL },
		{ "online", NULL, &online },
		{ "fix", NULL, &fix },
		{ "yes", NULL, &yes },
		{ NULL, NULL, NULL }
	};
	struct bb_hosts extra = BB_HOSTS_INIT;
	struct doctor_report r;
	struct buf host = BUF_INIT;

	i = cmd_parse(argc, argv, opts, doctor_usage);
	if (i < 0)
		return i == CMD_HELP ? EXIT_OK : EXIT_USAGE;
	if (i < argc) {
		msg_error("doctor takes no operand ('%s'); name another host with "
			  "--host=HOST", argv[i]);
		return EXIT_USAGE;
	}
	if (yes && !fix) {
		msg_error("--yes answers the questions of --fix; give both, or "
			  "neither");
		return EXIT_USAGE;
	}
	if (fix && !yes && !have_terminal()) {
		msg_error("--fix asks before each change, and there is no terminal "
			  "here to ask on; pass --yes to apply every fix it names");
		return EXIT_USAGE;
	}
	if (host_arg) {
		if (cmd_host(host_arg, &host) < 0)
			return EXIT_USAGE;
		bb_hosts_add(&extra, host.buf);
	}
	doctor_report_init(&r);
	if (doctor_look(o, &extra, online, &r) < 0) {
		msg_error("`git config` could not be run or failed; check that git "
			  "is installed and your config parses (git config --list)");
		ret = EXIT_FAIL;
		goto out;
	}
	print_findings(&r);
	if (fix)
		ret = doctor_fix_all(&r, yes, NULL) ? EXIT_FAIL : EXIT_OK;
	else
		ret = doctor_wrong(&r) ? EXIT_FAIL : EXIT_OK;
out:
	doctor_report_release(&r);
	bb_hosts_release(&extra);
	buf_release(&host);
	return ret;
}
