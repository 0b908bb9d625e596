/* SPDX-License-Identifier: MIT */
#include "verify.h"
#include "pick.h"
#include "run.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

/*
 * git's value for key, matched against https://host/ as git would, from
 * the global config, else the system one.  Never from the repository's
 * own: a repository someone else made could otherwise send the token,
 * and with --email the account's address, to a server of its choosing
 * (bbtoken.apiUrl), or trust a CA of its own (http.sslCAInfo).
 */
static void git_urlmatch(const char *key, const char *host, struct buf *out)
{
	static const char *const scopes[] = { "--global", "--system" };
	const char *argv[] = { "git", "config", NULL, "--get-urlmatch", key,
			       NULL, NULL };
	struct buf url = BUF_INIT;
	size_t i;

	buf_addf(&url, "https://%s/", host);
	argv[5] = url.buf;
	for (i = 0; i < sizeof(scopes) / sizeof(*scopes); i++) {
		argv[2] = scopes[i];
		if (run_git(argv, out) == 0) {
			out->len = strcspn(out->buf, "\n");
			out->buf[out->len] = '\0';
			if (out->len)
				break;
		}
		buf_release(out);
	}
	buf_release(&url);
}

void verify_client(struct bb_options *o, const char *host, struct api_client *c)
{
	const char *ca = getenv("GIT_SSL_CAINFO");

	options_load_config(o, 0);
	api_client_init(c);
	buf_set(&c->host, host);
	if (buf_isset(&o->api_url))
		buf_set(&c->api_url, o->api_url.buf);
	else
		git_urlmatch("bbtoken.apiUrl", host, &c->api_url);
	if (!buf_isset(&c->api_url) && !strcmp(host, BB_DEFAULT_HOST))
		buf_set(&c->api_url, API_DEFAULT_URL);
	/* A trailing slash would double in {api}/user. */
	while (c->api_url.len && c->api_url.buf[c->api_url.len - 1] == '/')
		c->api_url.buf[--c->api_url.len] = '\0';
	if (ca && *ca)
		buf_set(&c->ca_info, ca);
	else
		git_urlmatch("http.sslCAInfo", host, &c->ca_info);
	if (o->connect_timeout)
		c->connect_timeout_ms = o->connect_timeout * 1000;
	if (o->timeout)
		c->timeout_ms = o->timeout * 1000;
}

int verify_probe_repo(const struct token *t, struct buf *ws, struct buf *repo)
{
	const char *src = t->probe.len ? t->probe.buf : NULL;
	struct buf path = BUF_INIT;
	int ret;

	if (!src && t->repository.len) {
		buf_addf(&path, "%s/%s", t->workspace.buf, t->repository.buf);
		src = path.buf;
	}
	ret = src ? bb_parse_path(src, ws, repo) : -1;
	buf_release(&path);
	return ret;
}

int verify_probe_fits(const struct token *t, const char *probe)
{
	struct buf ws = BUF_INIT, repo = BUF_INIT;
	int ret = bb_parse_path(probe, &ws, &repo);

	if (!ret && t->workspace.len && strcasecmp(ws.buf, t->workspace.buf))
		ret = -1;
	if (!ret && t->repository.len && strcasecmp(repo.buf, t->repository.buf))
		ret = -1;
	buf_release(&ws);
	buf_release(&repo);
	return ret;
}

void verify_report_init(struct verify_report *v)
{
	api_result_init(&v->fetch);
	api_result_init(&v->push);
	api_result_init(&v->user);
	v->have_user = 0;
}

void verify_report_release(struct verify_report *v)
{
	api_result_release(&v->fetch);
	api_result_release(&v->push);
	api_result_release(&v->user);
	v->have_user = 0;
}

/* Up to three questions a token: fetch, push after it, identity. */
#define ASKS_PER_JOB 3

void verify_tokens(const struct verify_job *jobs, size_t nr)
{
	struct api_ask *asks = xcalloc(nr ? nr * ASKS_PER_JOB : 1, sizeof(*asks));
	struct api_ask **all = xcalloc(nr ? nr * ASKS_PER_JOB : 1, sizeof(*all));
	size_t i, n = 0;

	for (i = 0; i < nr; i++) {
		const struct verify_job *j = &jobs[i];
		const struct token *t = j->token;
		struct verify_report *v = j->report;
		const char *user = token_git_username(t);
		struct api_ask *fetch = &asks[i * ASKS_PER_JOB];

		api_ask_fetch(fetch, j->client, user, &t->password, j->ws,
			      j->repo, &v->fetch);
		/* Without fetch, push cannot work either: write does not imply read. */
		api_ask_push(fetch + 1, fetch, j->client, user, &t->password,
			     j->ws, j->repo, &v->push);
		all[n++] = fetch;
		all[n++] = fetch + 1;
		v->have_user = 0;
		if (j->identity && t->kind == BB_KIND_API_TOKEN && t->email.len &&
		    buf_isset(&j->client->api_url)) {
			v->have_user = 1;
			api_ask_whoami(fetch + 2, j->client, t->kind, t->email.buf,
				       &t->password, &v->user);
			all[n++] = fetch + 2;
		}
	}
	api_ask_all(all, n);
	free(all);
	free(asks);
}

void verify_token(const struct api_client *c, const struct token *t,
		  const char *ws, const char *repo, int identity,
		  struct verify_report *v)
{
	struct verify_job job = { c, t, ws, repo, identity, v };

	verify_tokens(&job, 1);
}

enum token_ability verify_ability(const struct api_result *r)
{
	return r->answer == API_YES ? ABILITY_YES :
	       r->answer == API_NO ? ABILITY_NO : ABILITY_UNKNOWN;
}

void verify_needed_scopes(const struct token *t, struct buf *out)
{
	buf_set(out, "read:repository:bitbucket");
	/* Unknown (added unchecked): most people push, so advise it. */
	if (t->can_push != ABILITY_NO)
		buf_adds(out, ", write:repository:bitbucket");
	/* Only an identity that was learned (add --email) must be kept. */
	if (t->email.len && t->username.len)
		buf_adds(out, ", read:user:bitbucket");
}
