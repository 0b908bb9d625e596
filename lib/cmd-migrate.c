/* SPDX-License-Identifier: MIT */
/*
 * migrate: from an app password (or a token kept where it breaks) to an
 * API token in bbtoken, in one go.  It shows what doctor finds, where
 * the token is made and with which scopes, adds the new token through
 * add's own checks (so it is verified on a repository before anything
 * else happens), and only once Bitbucket has taken it removes the dead
 * credentials and cleans the remote URLs doctor named.  A token that
 * does not work leaves everything as it was.
 */
#include "cmd.h"
#include "doctor.h"
#include "msg.h"

#include <stdio.h>
#include <string.h>

static const char migrate_usage[] =
	"usage: git credential-bbtoken migrate [--host=HOST] [--label=LABEL]\n"
	"                                      [--expires=DATE] [--probe=W/R] [--stdin]\n";

/* What migrate puts right once the token works. */
static int migrate_fixes(const struct doctor_finding *f)
{
	return f->dead || f->carried || f->fix == DOCTOR_FIX_HELPERS ||
	       f->fix == DOCTOR_FIX_USE_HTTP_PATH;
}

static void show_token_page(const char *host)
{
	printf("Make an API token at %s\n"
	       "(\"Create API token with scopes\", app Bitbucket) with the scopes\n"
	       "  read:repository:bitbucket   to clone, fetch and pull\n"
	       "  write:repository:bitbucket  as well, to push\n"
	       "and note the expiry date it shows; it is for %s.\n",
	       BB_TOKEN_PAGE, host);
}

int cmd_migrate(int argc, const char **argv, struct bb_options *o)
{
	const char *host_arg = NULL, *label = NULL, *expires = NULL;
	const char *probe = NULL;
	int from_stdin = 0, i, n, ret;
	const struct cmd_opt opts[] = {
		{ "host", &host_arg, NULL },
		{ "label", &label, NULL },
		{ "expires", &expires, NULL },
		{ "probe", &probe, NULL },
		{ "stdin", NULL, &from_stdin },
		{ NULL, NULL, NULL }
	};
	struct buf host = BUF_INIT, a_host = BUF_INIT, a_label = BUF_INIT;
	struct buf a_expires = BUF_INIT, a_probe = BUF_INIT;
	struct bb_hosts extra = BB_HOSTS_INIT;
	struct doctor_report r;
	const char *add_argv[8];
	size_t k;

	i = cmd_parse(argc, argv, opts, migrate_usage);
	if (i < 0)
		return i == CMD_HELP ? EXIT_OK : EXIT_USAGE;
	if (i < argc) {
		msg_error("migrate takes no operand ('%s'); the new token is read "
			  "from the terminal or, with --stdin, from standard input",
			  argv[i]);
		return EXIT_USAGE;
	}
	if (host_arg) {
		if (cmd_host(host_arg, &host) < 0)
			return EXIT_USAGE;
		bb_hosts_add(&extra, host.buf);
	}
	doctor_report_init(&r);
	if (doctor_look(o, &extra, 0, &r) < 0) {
		msg_error("`git config` could not be run or failed; check that git "
			  "is installed and your config parses (git config --list)");
		ret = EXIT_FAIL;
		goto out;
	}
	/* Without --host, the host of this repository's remote, if ours. */
	if (!host_arg)
		buf_set(&host, r.repo_host.len ? r.repo_host.buf : BB_DEFAULT_HOST);
	if (!probe && buf_eq(&r.repo_host, host.buf))
		probe = r.repo.buf;
	for (k = 0; k < r.nr; k++)
		printf("%s: %s\n", doctor_severity_name(r.v[k].severity),
		       r.v[k].text.buf);
	show_token_page(host.buf);

	n = 0;
	add_argv[n++] = "add";
	buf_addf(&a_host, "--host=%s", host.buf);
	add_argv[n++] = a_host.buf;
	if (label) {
		buf_addf(&a_label, "--label=%s", label);
		add_argv[n++] = a_label.buf;
	}
	if (expires) {
		buf_addf(&a_expires, "--expires=%s", expires);
		add_argv[n++] = a_expires.buf;
	}
	if (probe) {
		buf_addf(&a_probe, "--probe=%s", probe);
		add_argv[n++] = a_probe.buf;
	}
	if (from_stdin)
		add_argv[n++] = "--stdin";
	add_argv[n] = NULL;
	/* add's errors go to stderr: keep them after what was said here. */
	fflush(stdout);
	/* add verifies the token; refused, it stores nothing and we stop. */
	if ((ret = cmd_add(n, add_argv, o)) != EXIT_OK) {
		msg_error("the new token was not stored, so the old credentials "
			  "and remote URLs were left as they were; run migrate "
			  "again with a token that works");
		goto out;
	}
	ret = doctor_fix_all(&r, 1, migrate_fixes) ? EXIT_FAIL : EXIT_OK;
	if (ret == EXIT_OK)
		printf("Migrated: git now sends the new token for %s.\n", host.buf);
	else
		printf("The new token is stored; `git credential-bbtoken doctor` "
		       "shows what is still in the way.\n");
out:
	doctor_report_release(&r);
	bb_hosts_release(&extra);
	buf_release(&host);
	buf_release(&a_host);
	buf_release(&a_label);
	buf_release(&a_expires);
	buf_release(&a_probe);
	return ret;
}
