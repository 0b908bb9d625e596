/* SPDX-License-Identifier: MIT */
/*
 * rotate: replace a token's secret in place, keeping what the user set up
 * around it (label, username, binding), so that an expiring token is a
 * one-minute job.  The old secret is overwritten only once the new one
 * has passed every check.
 */
#include "cmd.h"
#include "date.h"
#include "fingerprint.h"
#include "msg.h"
#include "pick.h"
#include "report.h"
#include "term.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

static const char rotate_usage[] =
	"usage: git credential-bbtoken rotate [--host=HOST] [--stdin] [--expires=DATE] LABEL\n";

static int check_new_secret(const struct token *old, const struct buf *secret)
{
	enum bb_kind kind = bb_token_kind(secret->buf, secret->len);

	if (kind == BB_KIND_APP_PASSWORD) {
		msg_error("this is an app password, which Bitbucket stopped accepting "
			  "on 28 July 2026; create an API token at %s", BB_TOKEN_PAGE);
		return -1;
	}
	if (kind != old->kind) {
		msg_error("'%s' holds an %s, but this is %s %s; create a token of "
			  "the same kind, or add this one under its own label with "
			  "`git credential-bbtoken add`", buf_str(&old->label),
			  bb_kind_label(old->kind),
			  kind == BB_KIND_OPAQUE ? "not a Bitbucket token:" : "an",
			  kind == BB_KIND_OPAQUE ? "check what you pasted" :
			  bb_kind_label(kind));
		return -1;
	}
	if (bb_token_checksum_ok(secret->buf, secret->len) == 0) {
		msg_error("the new %s fails its checksum: it looks mistyped or "
			  "truncated; copy it again in full", bb_kind_label(kind));
		return -1;
	}
	if (secret_eq(secret->buf, secret->len, old->password.buf,
		      old->password.len)) {
		msg_error("this is the token '%s' holds already; create a new one at %s",
			  buf_str(&old->label), BB_TOKEN_PAGE);
		return -1;
	}
	return 0;
}

int cmd_rotate(int argc, const char **argv, struct bb_options *o)
{
	const char *host_arg = NULL, *expires = NULL;
	int from_stdin = 0;
	const struct cmd_opt opts[] = {
		{ "host", &host_arg, NULL },
		{ "expires", &expires, NULL },
		{ "stdin", NULL, &from_stdin },
		{ NULL, NULL, NULL }
	};
	struct token_list all = TOKEN_LIST_INIT;
	struct buf host = BUF_INIT, secret = BUF_INIT, fp = BUF_INIT, day = BUF_INIT;
	struct token *old, *t = token_new();
	struct store *s = NULL;
	long long expiry = 0;
	int i, ret, err;

	(void)o;
	i = cmd_parse(argc, argv, opts, rotate_usage);
	if (i < 0) {
		token_free(t);
		return i == CMD_HELP ? EXIT_OK : EXIT_USAGE;
	}
	ret = EXIT_USAGE;
	if (argc - i != 1) {
		msg_error("rotate takes the LABEL of the token to replace, as shown "
			  "by `git credential-bbtoken list`");
		goto out;
	}
	if ((host_arg && cmd_host(host_arg, &host) < 0) ||
	    cmd_expiry(expires, time(NULL), &expiry) < 0)
		goto out;
	if ((ret = cmd_open_named(argv[i], host.buf, &s, &all, &old)))
		goto out;
	ret = EXIT_FAIL;
	if (!from_stdin)
		fprintf(stderr, "Create the new token at %s\n"
			"(\"Create API token with scopes\", app Bitbucket), with the "
			"scopes the old one had.\n", BB_TOKEN_PAGE);
	if (term_read_secret("New Bitbucket token (input hidden): ", from_stdin,
			     &secret) < 0 ||
	    check_new_secret(old, &secret) < 0)
		goto out;
	if (token_copy(t, old) < 0)
		goto out;
	buf_setn(&t->password, secret.buf, secret.len);
	t->expires = expiry;
	t->rejected = 0;
	t->created = time(NULL);
	if ((err = store_put(s, t))) {
		report_store_error(s, err);
		ret = EXIT_KEYRING;
		goto out;
	}
	fingerprint(t->password.buf, t->password.len, &fp);
	printf("Replaced the secret of '%s' for %s; new fingerprint %s.\n",
	       t->label.buf, t->host.buf, buf_str(&fp));
	if (expiry) {
		date_format_day(expiry, &day);
		printf("It expires on %s.\n", day.buf);
	} else {
		msg_note("the new token's expiry is unknown; pass --expires=YYYY-MM-DD "
			 "next time, so you are warned before it stops working");
	}
	ret = EXIT_OK;
out:
	token_list_release(&all);
	store_close(s);
	token_free(t);
	buf_release(&host);
	buf_release(&secret);
	buf_release(&fp);
	buf_release(&day);
	return ret;
}
