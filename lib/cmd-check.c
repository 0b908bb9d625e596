/* SPDX-License-Identifier: MIT */
/*
 * check: ask Bitbucket whether each stored token still works, one line
 * each, so that a dead token is found before a push fails.  A probe that
 * could not reach Bitbucket changes nothing stored; one that Bitbucket
 * answered sets or clears the rejected mark.
 */
#include "cmd.h"
#include "date.h"
#include "msg.h"
#include "pick.h"
#include "report.h"
#include "verify.h"

#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const char check_usage[] =
	"usage: git credential-bbtoken check [--host=HOST] [--json] [LABEL...]\n"
	"   or: git credential-bbtoken check [--host=HOST] [--json] --probe=W/R LABEL\n";

/* One token's verdict. */
struct verdict {
	const char *status;	/* ok, expiring, expired, rejected, ... */
	int fine;		/* counts as good for the exit code */
	struct buf message;	/* one sentence: what it means and what to do */
	struct verify_report v;
	int probed;
	struct buf ws, repo;	/* where it is probed, when it is */
};

static void verdict_init(struct verdict *d)
{
	memset(d, 0, sizeof(*d));
	buf_init(&d->message, 0);
	buf_init(&d->ws, 0);
	buf_init(&d->repo, 0);
	verify_report_init(&d->v);
}

static void verdict_release(struct verdict *d)
{
	buf_release(&d->message);
	buf_release(&d->ws);
	buf_release(&d->repo);
	verify_report_release(&d->v);
}

/*
 * One API client per host, made once: each costs a few runs of git
 * config, and ten tokens on one host need the same answers ten times.
 */
struct clients {
	struct api_client *v;
	size_t nr;
};

static const struct api_client *client_for(const struct clients *cs,
					   const char *host)
{
	size_t i;

	for (i = 0; i < cs->nr; i++)
		if (!strcmp(cs->v[i].host.buf, host))
			return &cs->v[i];
	return NULL;
}

static void clients_release(struct clients *cs)
{
	size_t i;

	for (i = 0; i < cs->nr; i++)
		api_client_release(&cs->v[i]);
	free(cs->v);
	cs->v = NULL;
	cs->nr = 0;
}

static void judge_answer(struct verdict *d, const struct token *t,
			 long long now, int warn_days)
{
	const struct api_result *f = &d->v.fetch, *p = &d->v.push;
	long long days = t->expires ? date_days_until(t->expires, now) : 0;

	buf_set_empty(&d->message);
	if (f->answer == API_UNKNOWN) {
		d->status = "unreachable";
		buf_addf(&d->message, "%s", buf_str(&f->message));
	} else if (f->answer == API_NO &&
		   (f->failure == API_ERR_UNAUTHORIZED ||
		    f->failure == API_ERR_APP_PASSWORD)) {
		d->status = "rejected";
		buf_addf(&d->message, "%s; replace it with `git credential-bbtoken "
			 "rotate %s`", buf_str(&f->message), t->label.buf);
	} else if (f->answer == API_NO && f->failure == API_ERR_SCOPE) {
		d->status = "scope missing";
		buf_addf(&d->message, "%s", buf_str(&f->message));
	} else if (f->answer == API_NO) {
		d->status = "no access";
		buf_addf(&d->message, "%s", buf_str(&f->message));
	} else if (t->can_push == ABILITY_YES && p->answer == API_NO) {
		/* It pushed when added: losing that is worth knowing now. */
		d->status = "scope missing";
		buf_addf(&d->message, "it can fetch but no longer push: %s",
			 buf_str(&p->message));
	} else if (t->expires && days <= warn_days) {
		d->status = "expiring";
		buf_addf(&d->message, "expires in %lld day%s; replace it with "
			 "`git credential-bbtoken rotate %s`", days,
			 days == 1 ? "" : "s", t->label.buf);
	} else {
		d->status = "ok";
		d->fine = 1;
	}
}

/*
 * check --probe=W/R LABEL: a token added unchecked (or by git) has no
 * repository to be probed on; once it fetches from the one given, keep it.
 */
static void record_probe(struct store *s, struct token *t, const char *probe,
			 const struct verdict *d)
{
	int err;

	if (d->v.fetch.answer != API_YES)
		return;
	buf_set(&t->probe, probe);
	t->can_fetch = ABILITY_YES;
	t->can_push = verify_ability(&d->v.push);
	if ((err = store_put(s, t)))
		report_store_error(s, err);
}

/*
 * What can be told without asking Bitbucket: expired, or nothing to
 * probe it on.  Returns 1 when it is to be probed (on d->ws, d->repo).
 */
static int judge_offline(struct verdict *d, const struct token *t,
			 const char *probe, long long now)
{
	struct buf day = BUF_INIT;

	if (t->expires && t->expires <= now) {
		date_format_day(t->expires, &day);
		d->status = "expired";
		buf_addf(&d->message, "expired on %s; create a new token at %s and "
			 "run `git credential-bbtoken rotate %s`", day.buf,
			 BB_TOKEN_PAGE, t->label.buf);
		buf_release(&day);
		return 0;
	}
	if (probe ? bb_parse_path(probe, &d->ws, &d->repo) :
		    verify_probe_repo(t, &d->ws, &d->repo)) {
		d->status = "nothing to probe";
		buf_addf(&d->message, "no repository is known to test it on; name "
			 "one it can read: `git credential-bbtoken check "
			 "--probe=WORKSPACE/REPO %s`", t->label.buf);
		return 0;
	}
	return 1;
}

/*
 * What Bitbucket said, into the verdict and the store.  The mark follows
 * it: set when it refused the token, cleared only when it let it fetch.
 * Unreachable, or a 403/404 on one repository, says nothing about the
 * token itself.
 */
static void judge_online(struct verdict *d, struct bb_options *o,
			 struct store *s, struct token *t, const char *probe,
			 long long now)
{
	int rejected, accepted, err;

	judge_answer(d, t, now, options_warn_days(o));
	if (probe)
		record_probe(s, t, probe, d);
	rejected = !strcmp(d->status, "rejected");
	accepted = d->v.fetch.answer == API_YES;
	if ((rejected && !t->rejected) || (accepted && t->rejected)) {
		if ((err = store_mark(s, t, rejected)))
			report_store_error(s, err);
		else
			t->rejected = rejected;
	}
}

/*
 * Judge every token of ts into ds (verdict_init'ed), asking Bitbucket
 * about all of them at once: their probes go out together, and a slow
 * or failing one holds up no other.
 */
static void judge_all(struct verdict *ds, struct token **ts, size_t nr,
		      struct bb_options *o, struct store *s, const char *probe,
		      long long now)
{
	struct verify_job *jobs = xcalloc(nr ? nr : 1, sizeof(*jobs));
	struct clients cs = { NULL, 0 };
	const struct api_client *c;
	size_t k, n = 0;

	cs.v = xcalloc(nr ? nr : 1, sizeof(*cs.v));
	for (k = 0; k < nr; k++) {
		if (!judge_offline(&ds[k], ts[k], probe, now))
			continue;
		c = client_for(&cs, ts[k]->host.buf);
		if (!c) {
			verify_client(o, ts[k]->host.buf, &cs.v[cs.nr]);
			c = &cs.v[cs.nr++];
		}
		ds[k].probed = 1;
		/* The identity is add's business; check asks what git will need. */
		jobs[n].client = c;
		jobs[n].token = ts[k];
		jobs[n].ws = ds[k].ws.buf;
		jobs[n].repo = ds[k].repo.buf;
		jobs[n].identity = 0;
		jobs[n].report = &ds[k].v;
		n++;
	}
	verify_tokens(jobs, n);
	for (k = 0; k < nr; k++) {
		if (ds[k].probed)
			judge_online(&ds[k], o, s, ts[k], probe, now);
		if (ts[k]->rejected && ds[k].fine) {
			ds[k].fine = 0;
			ds[k].status = "rejected";
		}
	}
	clients_release(&cs);
	free(jobs);
}

int check_token(struct bb_options *o, struct store *s, struct token *t,
		long long now, struct buf *status, struct buf *message)
{
	struct verdict d;
	int fine;

	verdict_init(&d);
	judge_all(&d, &t, 1, o, s, NULL, now);
	buf_set(status, d.status);
	buf_set(message, buf_str(&d.message));
	fine = d.fine;
	verdict_release(&d);
	return fine;
}

static const char *ability(const struct verdict *d, const struct api_result *r)
{
	if (!d->probed || (r == &d->v.push && d->v.fetch.answer != API_YES))
		return NULL;
	return r->answer == API_YES ? "yes" : r->answer == API_NO ? "no" : NULL;
}

static void print_line(const struct token *t, const struct verdict *d)
{
	if (d->message.len)
		printf("%-16s %-16s %s\n", t->label.buf, d->status, d->message.buf);
	else
		printf("%-16s %s\n", t->label.buf, d->status);
}

static json_object *json_str(const struct buf *b)
{
	return b->len ? json_object_new_string(b->buf) : NULL;
}

static json_object *json_token(const struct token *t, const struct verdict *d)
{
	json_object *o = json_object_new_object();
	const char *fetch = ability(d, &d->v.fetch), *push = ability(d, &d->v.push);
	const struct buf *missing = NULL;
	struct buf day = BUF_INIT;

	/* The scopes behind the status, not those it was never given. */
	if (d->probed && d->v.fetch.answer != API_YES)
		missing = &d->v.fetch.missing_scopes;
	else if (!strcmp(d->status, "scope missing"))
		missing = &d->v.push.missing_scopes;
	json_object_object_add(o, "label", json_str(&t->label));
	json_object_object_add(o, "host", json_str(&t->host));
	json_object_object_add(o, "kind", json_object_new_string(bb_kind_name(t->kind)));
	json_object_object_add(o, "username",
			       json_object_new_string(token_git_username(t)));
	json_object_object_add(o, "workspace", json_str(&t->workspace));
	json_object_object_add(o, "repository", json_str(&t->repository));
	if (t->expires)
		date_format_iso(t->expires, &day);
	json_object_object_add(o, "expires", json_str(&day));
	json_object_object_add(o, "status", json_object_new_string(d->status));
	json_object_object_add(o, "fetch", fetch ? json_object_new_string(fetch) : NULL);
	json_object_object_add(o, "push", push ? json_object_new_string(push) : NULL);
	json_object_object_add(o, "missing_scopes",
			       missing ? json_str(missing) : NULL);
	json_object_object_add(o, "message", json_str(&d->message));
	buf_release(&day);
	return o;
}

/* The tokens named (labels or fingerprints), or every Bitbucket token. */
static int select_tokens(struct token_list *all, int argc, const char **argv,
			 const char *host, struct token ***out, size_t *nr)
{
	size_t k;
	int j;

	*out = xcalloc(all->nr ? all->nr : 1, sizeof(**out));
	*nr = 0;
	if (!argc) {
		for (k = 0; k < all->nr; k++)
			/* opaque credentials have nothing to probe */
			if (token_is_bitbucket(all->v[k]))
				(*out)[(*nr)++] = all->v[k];
		return 0;
	}
	for (j = 0; j < argc; j++) {
		struct token *t;

		if (cmd_find_token(all, argv[j], host, &t) < 0)
			return -1;
		if (!token_is_bitbucket(t)) {
			msg_error("'%s' is a stored password, not a Bitbucket token: "
				  "there is nothing to check", argv[j]);
			return -1;
		}
		for (k = 0; k < *nr && (*out)[k] != t; k++)
			;
		if (k == *nr && *nr < all->nr)
			(*out)[(*nr)++] = t;
	}
	return 0;
}

int cmd_check(int argc, const char **argv, struct bb_options *o)
{
	const char *host_arg = NULL, *probe = NULL;
	int as_json = 0;
	const struct cmd_opt opts[] = {
		{ "host", &host_arg, NULL },
		{ "probe", &probe, NULL },
		{ "json", NULL, &as_json },
		{ NULL, NULL, NULL }
	};
	struct token_list all = TOKEN_LIST_INIT;
	struct buf host = BUF_INIT;
	struct store *s = NULL;
	json_object *array = NULL;
	long long now = time(NULL);
	struct token **chosen = NULL;
	struct verdict *verdicts;
	size_t k, nr = 0;
	int i, ret, bad = 0;

	i = cmd_parse(argc, argv, opts, check_usage);
	if (i < 0)
		return i == CMD_HELP ? EXIT_OK : EXIT_USAGE;
	if (host_arg && cmd_host(host_arg, &host) < 0)
		return EXIT_USAGE;
	if (probe && argc - i != 1) {
		msg_error("--probe names the repository of one token: give exactly "
			  "one LABEL");
		return EXIT_USAGE;
	}
	if ((ret = cmd_open_tokens(o, host.buf, &s, &all)))
		goto out;
	if (select_tokens(&all, argc - i, argv + i, host.buf, &chosen, &nr) < 0) {
		ret = EXIT_FAIL;
		goto out;
	}
	if (probe && verify_probe_fits(chosen[0], probe) < 0) {
		msg_error("--probe=%s is not WORKSPACE/REPO within the binding of "
			  "'%s'; probe a repository it is meant for", probe,
			  chosen[0]->label.buf);
		ret = EXIT_FAIL;
		goto out;
	}
	if (as_json)
		array = json_object_new_array();
	verdicts = xcalloc(nr ? nr : 1, sizeof(*verdicts));
	for (k = 0; k < nr; k++)
		verdict_init(&verdicts[k]);
	judge_all(verdicts, chosen, nr, o, s, probe, now);
	/* In the order asked, whatever order the answers came in. */
	for (k = 0; k < nr; k++) {
		bad += !verdicts[k].fine;
		if (array)
			json_object_array_add(array,
					      json_token(chosen[k], &verdicts[k]));
		else
			print_line(chosen[k], &verdicts[k]);
		verdict_release(&verdicts[k]);
	}
	free(verdicts);
	if (array)
		printf("%s\n", json_object_to_json_string_ext(array,
			JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE));
	else if (!nr)
		printf("No tokens stored. Add one with: git credential-bbtoken add\n");
	ret = bad ? EXIT_FAIL : EXIT_OK;
out:
	free(chosen);
	if (array)
		json_object_put(array);
	token_list_release(&all);
	store_close(s);
	buf_release(&host);
	return ret;
}
