/* SPDX-License-Identifier: MIT */
#include "cmd.h"
#include "bitbucket.h"
#include "date.h"
#include "fingerprint.h"
#include "msg.h"
#include "pick.h"
#include "report.h"
#include "run.h"
#include "term.h"
#include "verify.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

static const char add_usage[] =
	"usage: git credential-bbtoken add [--host=HOST] [--label=LABEL]\n"
	"                                  [--workspace=W | --repo=W/R] [--expires=DATE]\n"
	"                                  [--username=USER] [--email=EMAIL]\n"
	"                                  [--probe=W/R] [--stdin] [--no-verify]\n";

struct add_args {
	const char *host, *label, *username, *workspace, *repo, *expires;
	const char *probe, *email;
	int from_stdin, no_verify;
};

/* Labels name tokens on command lines: keep them plain. */
static int label_ok(const char *label)
{
	const char *p;

	if (!*label || *label == '-' || strlen(label) > 64)
		return 0;
	for (p = label; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		      (*p >= '0' && *p <= '9') || strchr("._-/@+", *p)))
			return 0;
	return 1;
}

static int check_binding(struct add_args *a, struct token *t)
{
	const char *slash;

	if (a->workspace && a->repo) {
		msg_error("--workspace and --repo exclude each other: --repo=W/R "
			  "already names the workspace");
		return -1;
	}
	if (a->workspace) {
		if (!bb_slug_ok(a->workspace)) {
			msg_error("--workspace=%s is not a workspace slug; use the part "
				  "after bitbucket.org/ in the workspace URL", a->workspace);
			return -1;
		}
		buf_set(&t->workspace, a->workspace);
	}
	if (a->repo) {
		slash = strchr(a->repo, '/');
		if (slash)
			buf_setn(&t->workspace, a->repo, slash - a->repo);
		if (!slash || !bb_slug_ok(t->workspace.buf) ||
		    !bb_slug_ok(slash + 1)) {
			msg_error("--repo=%s is not WORKSPACE/REPOSITORY; for "
				  "https://bitbucket.org/acme/widget write --repo=acme/widget",
				  a->repo);
			return -1;
		}
		buf_set(&t->repository, slash + 1);
	}
	return 0;
}

static int check_username(struct add_args *a, struct token *t)
{
	if (!a->username || bb_is_placeholder_user(a->username))
		return 0;
	if (bb_is_email(a->username)) {
		msg_error("--username=%s is an email address, which git over HTTPS "
			  "does not accept; give your Bitbucket username (Personal "
			  "settings, Account settings) or leave --username out",
			  a->username);
		return -1;
	}
	if (!credential_value_ok(a->username, strlen(a->username)) ||
	    strchr(a->username, ' ')) {
		msg_error("--username=%s is not a Bitbucket username", a->username);
		return -1;
	}
	buf_set(&t->username, a->username);
	return 0;
}

/* Kind and checksum of what the user typed; -1 refuses it, with the reason. */
static int check_secret(struct token *t, const struct add_args *a)
{
	t->kind = bb_token_kind(t->password.buf, t->password.len);
	switch (t->kind) {
	case BB_KIND_APP_PASSWORD:
		msg_error("this is an app password, and Bitbucket stopped accepting "
			  "app passwords on 28 July 2026; create an API token with "
			  "scopes at %s (app Bitbucket, scopes read:repository:bitbucket "
			  "and write:repository:bitbucket) and add that", BB_TOKEN_PAGE);
		return -1;
	case BB_KIND_OPAQUE:
		if (!a->username) {
			msg_error("this is not a Bitbucket API token (ATATT...) or access "
				  "token (ATCTT...); check what you pasted, or pass "
				  "--username to store it as a plain password for that user");
			return -1;
		}
		msg_warning("not a Bitbucket token: storing it as a plain password "
			    "for %s", a->username);
		return 0;
	case BB_KIND_ACCESS_TOKEN:
		if (t->username.len) {
			msg_error("access tokens always go with the username %s; drop "
				  "--username", BB_USER_ACCESS_TOKEN);
			return -1;
		}
		break;
	case BB_KIND_API_TOKEN:
		break;
	}
	if (bb_token_checksum_ok(t->password.buf, t->password.len) == 0) {
		msg_error("this %s fails its checksum: it looks mistyped or "
			  "truncated; copy it again in full from where you saved it",
			  bb_kind_label(t->kind));
		return -1;
	}
	return 0;
}

/*
 * The repository to probe: --repo, --probe, or asked at the terminal.
 * Without one there is nothing to verify against, and guessing would
 * probe a repository the user never named.
 */
static int choose_probe(const struct add_args *a, struct token *t)
{
	struct buf answer = BUF_INIT, ws = BUF_INIT, repo = BUF_INIT;
	const char *probe = a->probe;
	int ret = -1;

	if (!probe && t->repository.len) {
		/* A repository-bound token is probed on its repository. */
		buf_addf(&t->probe, "%s/%s", t->workspace.buf, t->repository.buf);
		return 0;
	}
	if (!probe && !a->from_stdin &&
	    !term_read_line("Repository to test the token on (WORKSPACE/REPO): ",
			    &answer))
		probe = answer.buf;
	if (!probe) {
		msg_error("add verifies the token on a repository it can read: pass "
			  "--repo=W/R, or --probe=W/R for a workspace or account-wide "
			  "token, or --no-verify to store it unchecked");
	} else if (bb_parse_path(probe, &ws, &repo) < 0) {
		msg_error("'%s' is not WORKSPACE/REPO; for "
			  "https://bitbucket.org/acme/widget write acme/widget", probe);
	} else if (verify_probe_fits(t, probe) < 0) {
		msg_error("--probe=%s is outside the token's binding '%s%s%s'; probe "
			  "a repository it is meant for", probe, t->workspace.buf,
			  t->repository.len ? "/" : "", buf_str(&t->repository));
	} else {
		buf_addf(&t->probe, "%s/%s", ws.buf, repo.buf);
		ret = 0;
	}
	buf_release(&answer);
	buf_release(&ws);
	buf_release(&repo);
	return ret;
}

/* Ask Bitbucket what the token can do; refuse one that cannot even fetch. */
static int verify_new_token(struct bb_options *o, struct token *t)
{
	struct api_client c;
	struct verify_report v;
	struct buf ws = BUF_INIT, repo = BUF_INIT;
	int ret = -1;

	verify_client(o, t->host.buf, &c);
	verify_report_init(&v);
	verify_probe_repo(t, &ws, &repo);
	printf("Checking the token on %s/%s at %s...\n", ws.buf, repo.buf,
	       t->host.buf);
	if (t->email.len && !buf_isset(&c.api_url))
		msg_note("no REST API URL is known for %s, so the identity check is "
			 "skipped and the email not kept; set one with `git config "
			 "--global bbtoken.apiUrl URL`", t->host.buf);
	verify_token(&c, t, ws.buf, repo.buf, 1, &v);
	cmd_print_verify(&v);
	if (v.fetch.answer == API_UNKNOWN) {
		msg_error("could not verify the token: %s; nothing was stored (retry, "
			  "or store it unchecked with --no-verify)",
			  buf_str(&v.fetch.message));
		goto out;
	}
	if (v.fetch.answer == API_NO) {
		msg_error("the token cannot fetch %s/%s, so it was not stored: %s",
			  ws.buf, repo.buf, buf_str(&v.fetch.message));
		goto out;
	}
	t->can_fetch = ABILITY_YES;
	t->can_push = verify_ability(&v.push);
	if (!v.have_user) {
		buf_release(&t->email);
	} else if (v.user.answer == API_YES) {
		/* Tie the token to its account, so a URL's username can pick it. */
		if (!t->username.len)
			buf_set(&t->username, v.user.username.buf);
	} else if (v.have_user) {
		msg_warning("the identity check failed (%s); the email is not kept",
			    buf_str(&v.user.message));
		buf_release(&t->email);
	}
	ret = 0;
out:
	verify_report_release(&v);
	api_client_release(&c);
	buf_release(&ws);
	buf_release(&repo);
	return ret;
}

static void default_label(struct token *t)
{
	struct buf binding = BUF_INIT;

	token_binding(t, &binding);
	if (binding.len)
		buf_set(&t->label, binding.buf);
	else if (t->username.len)
		buf_set(&t->label, t->username.buf);
	else
		buf_set(&t->label, "default");
	buf_release(&binding);
}

static int check_duplicate(const struct token_list *all, const struct token *t)
{
	size_t i;

	for (i = 0; i < all->nr; i++) {
		const struct token *o = all->v[i];

		if (secret_eq(o->password.buf, o->password.len, t->password.buf,
			      t->password.len)) {
			msg_error("this token is stored already, as '%s' for %s; "
				  "`git credential-bbtoken list` shows it",
				  buf_str(&o->label), buf_str(&o->host));
			return -1;
		}
		if (buf_eq(&o->label, t->label.buf)) {
			msg_error("a token labelled '%s' is stored already; replace it "
				  "with `git credential-bbtoken rotate %s`, or choose "
				  "another --label", t->label.buf, t->label.buf);
			return -1;
		}
	}
	return 0;
}

/*
 * Will git ask us for this host?  bitbucket.org always; another host when
 * bbtoken.host or a --host= on some credential helper line declares it.
 */
static int host_declared(const struct bb_options *o, const char *host)
{
	static const char *const argv[] = {
		"git", "config", "-z", "--get-regexp", "^credential\\..*helper$", NULL
	};
	struct buf out = BUF_INIT, opt = BUF_INIT;
	size_t pos;
	int found;

	if (bb_host_allowed(&o->hosts, "https", host))
		return 1;
	run_git(argv, &out);
	buf_addf(&opt, "--host=%s", host);
	found = 0;
	for (pos = 0; !found && out.buf && pos < out.len;
	     pos += strlen(out.buf + pos) + 1)
		found = strcasestr(out.buf + pos, opt.buf) != NULL;
	buf_release(&out);
	buf_release(&opt);
	return found;
}

static void say_stored(const struct token *t, const struct bb_options *o)
{
	struct buf fp = BUF_INIT, binding = BUF_INIT, day = BUF_INIT;

	token_binding(t, &binding);
	printf("Stored %s '%s' for %s (%s)", bb_kind_label(t->kind),
	       t->label.buf, t->host.buf,
	       binding.len ? binding.buf : "account-wide");
	/* Not of a password that may be weak: a hash of it gives it away. */
	if (t->kind != BB_KIND_OPAQUE &&
	    !fingerprint(t->password.buf, t->password.len, &fp))
		printf(", fingerprint %s", fp.buf);
	printf(".\n");
	if (t->kind != BB_KIND_OPAQUE)
		printf("git will send it with the username %s.\n",
		       token_git_username(t));
	if (t->expires) {
		date_format_day(t->expires, &day);
		printf("It expires on %s; you will be warned %d days before.\n",
		       day.buf, options_warn_days(o));
	} else {
		msg_note("its expiry is unknown, so nothing can warn you before it "
			 "stops working; give --expires=YYYY-MM-DD (shown when the "
			 "token is created) to `add` or `rotate`");
	}
	if (!host_declared(o, t->host.buf))
		msg_warning("git will not ask this helper for %s until the host is "
			    "declared: `git config --global --add bbtoken.host %s`",
			    t->host.buf, t->host.buf);
	buf_release(&fp);
	buf_release(&binding);
	buf_release(&day);
}

int cmd_add(int argc, const char **argv, struct bb_options *o)
{
	struct add_args a = { 0 };
	const struct cmd_opt opts[] = {
		{ "host", &a.host, NULL },
		{ "label", &a.label, NULL },
		{ "username", &a.username, NULL },
		{ "workspace", &a.workspace, NULL },
		{ "repo", &a.repo, NULL },
		{ "expires", &a.expires, NULL },
		{ "probe", &a.probe, NULL },
		{ "email", &a.email, NULL },
		{ "stdin", NULL, &a.from_stdin },
		{ "no-verify", NULL, &a.no_verify },
		{ NULL, NULL, NULL }
	};
	struct token_list all = TOKEN_LIST_INIT;
	struct store *s = NULL;
	struct token *t = token_new();
	int i, ret = EXIT_FAIL, err;

	i = cmd_parse(argc, argv, opts, add_usage);
	if (i < 0) {
		token_free(t);
		return i == CMD_HELP ? EXIT_OK : EXIT_USAGE;
	}
	if (i < argc) {
		msg_error("add takes no operand ('%s'); the token is read from the "
			  "terminal or, with --stdin, from standard input", argv[i]);
		token_free(t);
		return EXIT_USAGE;
	}
	options_load_config(o, 0);
	t->origin = TOKEN_ADDED;
	t->created = time(NULL);
	buf_set(&t->protocol, "https");
	if (cmd_host(a.host, &t->host) < 0 || check_binding(&a, t) < 0 ||
	    check_username(&a, t) < 0 ||
	    cmd_expiry(a.expires, t->created, &t->expires) < 0)
		goto out;
	if (a.label && !label_ok(a.label)) {
		msg_error("--label=%s: use letters, digits and . _ - / @ + (at most 64)",
			  a.label);
		goto out;
	}
	if (a.email) {
		if (!bb_is_email(a.email)) {
			msg_error("--email=%s is not an email address; give the email of "
				  "your Atlassian account", a.email);
			goto out;
		}
		buf_set(&t->email, a.email);
	}
	if (a.label)
		buf_set(&t->label, a.label);
	else
		default_label(t);
	if (term_read_secret("Bitbucket token (input hidden): ", a.from_stdin,
			     &t->password) < 0 ||
	    check_secret(t, &a) < 0)
		goto out;
	if (!a.no_verify && t->kind != BB_KIND_OPAQUE && choose_probe(&a, t) < 0)
		goto out;
	if ((ret = cmd_open_store(o, &s)))
		goto out;
	ret = EXIT_FAIL;
	err = store_list(s, &all);
	if (err) {
		report_store_error(s, err);
		ret = EXIT_KEYRING;
		goto out;
	}
	if (check_duplicate(&all, t) < 0)
		goto out;
	if (a.email && t->kind != BB_KIND_API_TOKEN) {
		msg_error("--email goes with API tokens only: an access token belongs "
			  "to a repository or workspace, not to an account");
		goto out;
	}
	if (!a.no_verify && t->kind != BB_KIND_OPAQUE &&
	    verify_new_token(o, t) < 0)
		goto out;
	err = store_put(s, t);
	if (err) {
		report_store_error(s, err);
		ret = EXIT_KEYRING;
		goto out;
	}
	say_stored(t, o);
	cmd_say_store(s, "It is kept");
	if (s->note.len)
		msg_note("%s", s->note.buf);
	ret = EXIT_OK;
out:
	token_list_release(&all);
	store_close(s);
	token_free(t);
	return ret;
}
