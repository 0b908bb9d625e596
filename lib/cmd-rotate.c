/* SPDX-License-Identifier: MIT */
/*
 * rotate: replace a token's secret in place, keeping what the user set up
 * around it (label, username, binding, the repository it is probed on),
 * so that an expiring token is a one-minute job.  The new token must do
 * at least what the old one did; the old one is overwritten only once the
 * new one has passed every check, so a failure leaves it exactly as it was.
 *
 * rotate --due rotates nothing: it lists what needs rotating, for cron
 * or a systemd timer (contrib/systemd/).
 */
#include "cmd.h"
#include "date.h"
#include "fingerprint.h"
#include "msg.h"
#include "pick.h"
#include "report.h"
#include "term.h"
#include "verify.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

static const char rotate_usage[] =
	"usage: git credential-bbtoken rotate [--host=HOST] [--stdin] [--expires=DATE]\n"
	"                                     [--probe=W/R] [--no-verify] [LABEL]\n"
	"   or: git credential-bbtoken rotate --due [--host=HOST]\n";

struct rotate_args {
	const char *host, *expires, *probe;
	int from_stdin, no_verify, due;
};

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

/* What the old token could do, the new one must do too. */
static int verify_replacement(struct bb_options *o, const struct token *old,
			      struct token *t)
{
	struct buf ws = BUF_INIT, repo = BUF_INIT;
	struct verify_report v;
	struct api_client c;
	int ret = -1;

	if (verify_probe_repo(t, &ws, &repo) < 0) {
		msg_error("no repository is known to test the new token on; pass "
			  "--probe=W/R (a repository it can read) or --no-verify");
		return -1;
	}
	verify_client(o, t->host.buf, &c);
	verify_report_init(&v);
	printf("Checking the new token on %s/%s at %s...\n", ws.buf, repo.buf,
	       t->host.buf);
	verify_token(&c, t, ws.buf, repo.buf, 1, &v);
	cmd_print_verify(&v);
	if (v.fetch.answer == API_UNKNOWN)
		msg_error("could not verify the new token: %s; '%s' is unchanged "
			  "(retry, or rotate with --no-verify)",
			  buf_str(&v.fetch.message), old->label.buf);
	else if (v.fetch.answer == API_NO)
		msg_error("the new token cannot fetch %s/%s (%s); '%s' is unchanged",
			  ws.buf, repo.buf, buf_str(&v.fetch.message), old->label.buf);
	else if (old->can_push == ABILITY_YES && v.push.answer != API_YES)
		msg_error("the new token cannot push, as the old one could (%s); "
			  "'%s' is unchanged: create one with write:repository:bitbucket "
			  "as well", buf_str(&v.push.message), old->label.buf);
	else if (old->email.len && old->username.len && v.have_user &&
		 v.user.answer != API_YES)
		msg_error("the new token fails the identity check the old one passed "
			  "(%s); '%s' is unchanged: give it read:user:bitbucket",
			  buf_str(&v.user.message), old->label.buf);
	else
		ret = 0;
	if (!ret) {
		t->can_fetch = ABILITY_YES;
		t->can_push = verify_ability(&v.push);
	}
	verify_report_release(&v);
	api_client_release(&c);
	buf_release(&ws);
	buf_release(&repo);
	return ret;
}

/* Without a label: the only Bitbucket token there is (on the host). */
static int only_token(const struct token_list *all, struct token **out)
{
	size_t i, n = 0;

	for (i = 0; i < all->nr; i++)
		if (token_is_bitbucket(all->v[i])) {
			*out = all->v[i];
			n++;
		}
	if (n == 1)
		return 0;
	msg_error(n ? "several tokens are stored; name the one to replace: "
		      "`git credential-bbtoken rotate LABEL` (see `git "
		      "credential-bbtoken list`)"
		    : "no token is stored; add one with `git credential-bbtoken add`");
	return -1;
}

static int check_probe(const char *probe)
{
	struct buf ws = BUF_INIT, repo = BUF_INIT;
	int ret = bb_parse_path(probe, &ws, &repo);

	if (ret < 0)
		msg_error("--probe=%s is not WORKSPACE/REPO; for "
			  "https://bitbucket.org/acme/widget write acme/widget", probe);
	buf_release(&ws);
	buf_release(&repo);
	return ret < 0 ? -1 : 0;
}

static int ask_expiry(const struct rotate_args *a, long long now, long long *out)
{
	struct buf answer = BUF_INIT;
	int ret;

	if (a->expires || a->from_stdin)
		return cmd_expiry(a->expires, now, out);
	if (term_read_line("Expiry date of the new token (YYYY-MM-DD, empty if "
			   "unknown): ", &answer) < 0 || !answer.len) {
		buf_release(&answer);
		*out = 0;
		return 0;
	}
	ret = cmd_expiry(answer.buf, now, out);
	buf_release(&answer);
	return ret;
}

static int rotate_one(struct bb_options *o, const struct rotate_args *a,
		      const char *label)
{
	struct token_list all = TOKEN_LIST_INIT;
	struct buf host = BUF_INIT, fp = BUF_INIT, day = BUF_INIT, scopes = BUF_INIT;
	struct token *old = NULL, *t = token_new();
	struct store *s = NULL;
	long long now = time(NULL);
	int ret = EXIT_FAIL, err;

	/* Check what the command line says before anything is asked. */
	if ((a->host && cmd_host(a->host, &host) < 0) ||
	    cmd_expiry(a->expires, now, &t->expires) < 0 ||
	    (a->probe && check_probe(a->probe) < 0))
		goto out;
	if (label) {
		ret = cmd_open_named(o, label, host.buf, &s, &all, &old);
	} else if (!(ret = cmd_open_tokens(o, host.buf, &s, &all)) &&
		   only_token(&all, &old) < 0) {
		ret = EXIT_FAIL;
	}
	if (ret)
		goto out;
	ret = EXIT_FAIL;
	verify_needed_scopes(old, &scopes);
	if (!a->from_stdin && old->kind == BB_KIND_ACCESS_TOKEN)
		fprintf(stderr, "Create the new access token in the settings of %s "
			"(Access tokens), with the scopes: %s\n",
			old->workspace.len ? old->workspace.buf : "the repository",
			scopes.buf);
	else if (!a->from_stdin)
		fprintf(stderr, "Create the new token at %s\n"
			"(\"Create API token with scopes\", app Bitbucket) with the "
			"scopes: %s\n", BB_TOKEN_PAGE, scopes.buf);
	if (token_copy(t, old) < 0 ||
	    term_read_secret("New Bitbucket token (input hidden): ", a->from_stdin,
			     &t->password) < 0 ||
	    check_new_secret(old, &t->password) < 0 ||
	    ask_expiry(a, now, &t->expires) < 0)
		goto out;
	if (a->probe && verify_probe_fits(t, a->probe) < 0) {
		msg_error("--probe=%s is outside the binding of '%s'; probe a "
			  "repository it is meant for", a->probe, t->label.buf);
		goto out;
	}
	if (a->probe)
		buf_set(&t->probe, a->probe);
	if (!a->no_verify && verify_replacement(o, old, t) < 0)
		goto out;
	t->rejected = 0;
	t->created = now;
	if ((err = store_put(s, t))) {
		report_store_error(s, err);
		ret = EXIT_KEYRING;
		goto out;
	}
	fingerprint(t->password.buf, t->password.len, &fp);
	printf("Replaced the secret of '%s' for %s; new fingerprint %s.\n",
	       t->label.buf, t->host.buf, buf_str(&fp));
	if (t->expires) {
		date_format_day(t->expires, &day);
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
	buf_release(&fp);
	buf_release(&day);
	buf_release(&scopes);
	return ret;
}

/* List what is expired or inside the warning window; exit 1 if anything is. */
static int rotate_due(struct bb_options *o, const struct rotate_args *a)
{
	struct token_list all = TOKEN_LIST_INIT;
	struct buf host = BUF_INIT, day = BUF_INIT;
	struct store *s = NULL;
	long long now = time(NULL);
	int ret, due = 0;
	size_t i;

	if (a->host && cmd_host(a->host, &host) < 0)
		return EXIT_USAGE;
	options_load_config(o, 0);
	if ((ret = cmd_open_tokens(o, host.buf, &s, &all)))
		goto out;
	for (i = 0; i < all.nr; i++) {
		const struct token *t = all.v[i];
		long long days;

		if (!token_is_bitbucket(t) || !t->expires)
			continue;
		days = date_days_until(t->expires, now);
		if (days > options_warn_days(o))
			continue;
		date_format_day(t->expires, &day);
		if (t->expires <= now)
			printf("%s: expired on %s; rotate it: git credential-bbtoken "
			       "rotate %s\n", t->label.buf, day.buf, t->label.buf);
		else
			printf("%s: expires on %s (in %lld day%s); rotate it: git "
			       "credential-bbtoken rotate %s\n", t->label.buf, day.buf,
			       days, days == 1 ? "" : "s", t->label.buf);
		due++;
	}
	if (!due)
		printf("No token is due for rotation.\n");
	ret = due ? EXIT_FAIL : EXIT_OK;
out:
	token_list_release(&all);
	store_close(s);
	buf_release(&host);
	buf_release(&day);
	return ret;
}

int cmd_rotate(int argc, const char **argv, struct bb_options *o)
{
	struct rotate_args a = { 0 };
	const struct cmd_opt opts[] = {
		{ "host", &a.host, NULL },
		{ "expires", &a.expires, NULL },
		{ "probe", &a.probe, NULL },
		{ "stdin", NULL, &a.from_stdin },
		{ "no-verify", NULL, &a.no_verify },
		{ "due", NULL, &a.due },
		{ NULL, NULL, NULL }
	};
	int i = cmd_parse(argc, argv, opts, rotate_usage);

	if (i < 0)
		return i == CMD_HELP ? EXIT_OK : EXIT_USAGE;
	if (argc - i > 1 || (a.due && argc - i)) {
		msg_error("rotate takes at most one LABEL, and none with --due; "
			  "`git credential-bbtoken list` shows the labels");
		return EXIT_USAGE;
	}
	if (a.due)
		return rotate_due(o, &a);
	return rotate_one(o, &a, i < argc ? argv[i] : NULL);
}
