/* SPDX-License-Identifier: MIT */
#include "pick.h"
#include "bitbucket.h"
#include "date.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

int token_is_bitbucket(const struct token *t)
{
	return t->kind == BB_KIND_API_TOKEN || t->kind == BB_KIND_ACCESS_TOKEN;
}

const char *token_git_username(const struct token *t)
{
	if (t->kind == BB_KIND_ACCESS_TOKEN)
		return BB_USER_ACCESS_TOKEN;
	if (t->kind == BB_KIND_API_TOKEN)
		return t->username.len ? t->username.buf : BB_USER_API_TOKEN;
	return buf_isset(&t->username) ? t->username.buf : NULL;
}

static void add_note(struct pick_result *out, enum pick_note_kind kind,
		     const struct token *t)
{
	if (out->nr_notes < PICK_MAX_NOTES) {
		out->notes[out->nr_notes].kind = kind;
		out->notes[out->nr_notes].token = t;
		out->nr_notes++;
	}
}

struct candidate {
	const struct token *t;
	int tier;		/* 0 = the account asked for, 1 = fallback */
	int specificity;	/* 2 repository, 1 workspace, 0 account-wide */
};

static int candidate_cmp(const void *a, const void *b)
{
	const struct candidate *x = a, *y = b;

	if (x->tier != y->tier)
		return x->tier - y->tier;
	if (x->specificity != y->specificity)
		return y->specificity - x->specificity;
	/* What the user added outranks what merely came through git. */
	if (x->t->origin != y->t->origin)
		return x->t->origin == TOKEN_ADDED ? -1 : 1;
	if (x->t->created != y->t->created)
		return x->t->created < y->t->created ? 1 : -1;
	return 0;
}

/* -1: the account does not fit; else the tier. */
static int account_tier(const struct token *t, const char *user)
{
	int tied = t->username.len > 0;

	if (user && !strcmp(user, BB_USER_API_TOKEN)) {
		if (t->kind != BB_KIND_API_TOKEN)
			return -1;
		return tied;
	}
	if (user && !strcmp(user, BB_USER_ACCESS_TOKEN))
		return t->kind == BB_KIND_ACCESS_TOKEN ? 0 : -1;
	if (user) {
		if (!tied)
			return 1;
		return strcmp(t->username.buf, user) ? -1 : 0;
	}
	return tied;
}

/* -1: the binding does not cover this path; else its specificity. */
static int binding_fit(const struct token *t, const char *ws, const char *repo)
{
	int has_ws = t->workspace.len > 0, has_repo = t->repository.len > 0;

	if (!has_ws)
		return 0;
	/* Without a path git does not say which repository: only account-wide. */
	if (!ws || strcasecmp(t->workspace.buf, ws))
		return -1;
	if (!has_repo)
		return 1;
	return strcasecmp(t->repository.buf, repo) ? -1 : 2;
}

static void pick_bitbucket(const struct token_list *tokens,
			   const struct pick_request *req, const char *user,
			   struct pick_result *out)
{
	struct buf ws = BUF_INIT, repo = BUF_INIT;
	struct candidate *c;
	size_t i, nr = 0;

	if (!tokens->nr)
		return;
	if (req->path)
		bb_parse_path(req->path, &ws, &repo);
	c = xcalloc(tokens->nr, sizeof(*c));
	for (i = 0; i < tokens->nr; i++) {
		const struct token *t = tokens->v[i];
		int tier, spec;

		/* The store searched by attributes; the payload has the last word. */
		if (!token_is_bitbucket(t) || !buf_eq(&t->host, req->host))
			continue;
		tier = account_tier(t, user);
		spec = binding_fit(t, buf_isset(&ws) ? ws.buf : NULL, repo.buf);
		if (tier < 0 || spec < 0)
			continue;
		c[nr].t = t;
		c[nr].tier = tier;
		c[nr].specificity = spec;
		nr++;
	}
	qsort(c, nr, sizeof(*c), candidate_cmp);
	for (i = 0; i < nr && !out->token; i++) {
		const struct token *t = c[i].t;

		if (t->rejected) {
			add_note(out, PICK_NOTE_REJECTED, t);
			continue;
		}
		if (t->expires && t->expires <= req->now) {
			add_note(out, PICK_NOTE_EXPIRED, t);
			continue;
		}
		out->token = t;
		out->username = token_git_username(t);
		if (t->expires &&
		    date_days_until(t->expires, req->now) <= req->warn_days)
			add_note(out, PICK_NOTE_EXPIRING, t);
	}
	free(c);
	buf_release(&ws);
	buf_release(&repo);
}

static int field_fits(const char *want, const struct buf *have)
{
	return !want || (buf_isset(have) && !strcmp(want, have->buf));
}

static void pick_opaque(const struct token_list *tokens,
			const struct pick_request *req, struct pick_result *out)
{
	const struct token *best = NULL;
	size_t i;

	for (i = 0; i < tokens->nr; i++) {
		const struct token *t = tokens->v[i];

		if (t->kind != BB_KIND_OPAQUE)
			continue;
		if (!field_fits(req->protocol, &t->protocol) ||
		    !field_fits(req->host, &t->host) ||
		    !field_fits(req->path, &t->path) ||
		    !field_fits(req->username, &t->username))
			continue;
		/* git would discard it anyway; do not even offer it. */
		if (t->expires && t->expires <= req->now)
			continue;
		if (!best || t->created > best->created)
			best = t;
	}
	if (best) {
		out->token = best;
		out->username = token_git_username(best);
	}
}

void pick_token(const struct token_list *tokens, const struct pick_request *req,
		struct pick_result *out)
{
	const char *user = req->username;

	memset(out, 0, sizeof(*out));
	if (bb_is_email(user)) {
		add_note(out, PICK_NOTE_EMAIL, NULL);
		user = NULL;
	}
	pick_bitbucket(tokens, req, user, out);
	if (!out->token) {
		/* An email never found a Bitbucket token: no correction to tell. */
		pick_opaque(tokens, req, out);
		if (out->nr_notes && out->notes[0].kind == PICK_NOTE_EMAIL) {
			memmove(out->notes, out->notes + 1,
				(out->nr_notes - 1) * sizeof(*out->notes));
			out->nr_notes--;
		}
	}
}

static int same_opaque(const struct token *t, const struct credential *req)
{
	return t->kind == BB_KIND_OPAQUE &&
	       buf_eq(&t->protocol, req->protocol.buf) &&
	       buf_eq(&t->path, req->path.buf) &&
	       buf_eq(&t->username, req->username.buf);
}

struct token *pick_stored(const struct token_list *tokens,
			  const struct credential *req, enum bb_kind kind,
			  long long expiry, int *unchanged)
{
	const struct buf *pw = &req->password;
	size_t i;

	*unchanged = 0;
	for (i = 0; i < tokens->nr; i++) {
		struct token *t = tokens->v[i];
		int same_secret = secret_eq(t->password.buf, t->password.len,
					    pw->buf, pw->len);

		if (kind != BB_KIND_OPAQUE) {
			if (!same_secret || !token_is_bitbucket(t))
				continue;
			*unchanged = !t->rejected;
			return t;
		}
		if (!same_opaque(t, req))
			continue;
		*unchanged = same_secret && t->expires == expiry &&
			     buf_eq(&t->oauth_refresh_token,
				    req->oauth_refresh_token.buf);
		return t;
	}
	return NULL;
}
