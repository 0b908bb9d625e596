/* SPDX-License-Identifier: MIT */
#include "token.h"
#include "credential.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

void token_init(struct token *t)
{
	memset(t, 0, sizeof(*t));
}

void token_release(struct token *t)
{
	buf_release(&t->id);
	buf_release(&t->label);
	buf_release(&t->protocol);
	buf_release(&t->host);
	buf_release(&t->path);
	buf_release(&t->username);
	buf_release(&t->workspace);
	buf_release(&t->repository);
	buf_release(&t->probe);
	buf_release(&t->email);
	buf_release(&t->password);
	buf_release(&t->oauth_refresh_token);
	buf_release(&t->extra);
	buf_release(&t->source);
	token_init(t);
}

struct token *token_new(void)
{
	struct token *t = xmalloc(sizeof(*t));

	token_init(t);
	return t;
}

void token_free(struct token *t)
{
	if (!t)
		return;
	token_release(t);
	free(t);
}

/* src may have a larger cap than dst: what it holds came from outside. */
static int copy_buf(struct buf *dst, const struct buf *src)
{
	if (!buf_isset(src)) {
		buf_release(dst);
		return 0;
	}
	return buf_try_setn(dst, src->buf, src->len);
}

int token_copy(struct token *dst, const struct token *src)
{
	token_release(dst);
	dst->kind = src->kind;
	dst->origin = src->origin;
	dst->rejected = src->rejected;
	dst->expires = src->expires;
	dst->created = src->created;
	dst->can_fetch = src->can_fetch;
	dst->can_push = src->can_push;
	if (copy_buf(&dst->id, &src->id) || copy_buf(&dst->label, &src->label) ||
	    copy_buf(&dst->protocol, &src->protocol) ||
	    copy_buf(&dst->host, &src->host) ||
	    copy_buf(&dst->path, &src->path) ||
	    copy_buf(&dst->username, &src->username) ||
	    copy_buf(&dst->workspace, &src->workspace) ||
	    copy_buf(&dst->repository, &src->repository) ||
	    copy_buf(&dst->probe, &src->probe) ||
	    copy_buf(&dst->email, &src->email) ||
	    copy_buf(&dst->password, &src->password) ||
	    copy_buf(&dst->oauth_refresh_token, &src->oauth_refresh_token) ||
	    copy_buf(&dst->extra, &src->extra) ||
	    copy_buf(&dst->source, &src->source))
		return -1;
	return 0;
}

static int put_field(struct buf *out, const char *key, const struct buf *v)
{
	if (!buf_isset(v))
		return 0;
	if (!credential_value_ok(v->buf, v->len))
		return -1;
	return buf_try_addf(out, "%s=%s\n", key, v->buf);
}

static void put_num(struct buf *out, const char *key, long long v)
{
	if (v)
		buf_addf(out, "%s=%lld\n", key, v);
}

static int put_ability(struct buf *out, const char *key, enum token_ability a)
{
	if (a == ABILITY_UNKNOWN)
		return 0;
	return buf_try_addf(out, "%s=%s\n", key, a == ABILITY_YES ? "yes" : "no");
}

/*
 * The fields came from outside (git, a keyring, the file store) and
 * together may pass out's cap: from the first of them on, everything is
 * added with buf_try_*.  What precedes them is ours and small.
 */
int token_encode(const struct token *t, struct buf *out)
{
	buf_set_empty(out);
	buf_adds(out, TOKEN_PAYLOAD_HEADER "\n");
	buf_addf(out, "kind=%s\n", bb_kind_name(t->kind));
	buf_addf(out, "origin=%s\n", t->origin == TOKEN_ADDED ? "added" : "git");
	if (t->rejected)
		buf_adds(out, "rejected=1\n");
	put_num(out, "expires", t->expires);
	put_num(out, "created", t->created);
	if (put_field(out, "label", &t->label) ||
	    put_field(out, "protocol", &t->protocol) ||
	    put_field(out, "host", &t->host) ||
	    put_field(out, "path", &t->path) ||
	    put_field(out, "username", &t->username) ||
	    put_field(out, "workspace", &t->workspace) ||
	    put_field(out, "repository", &t->repository) ||
	    put_field(out, "probe", &t->probe) ||
	    put_field(out, "email", &t->email) ||
	    put_ability(out, "fetch", t->can_fetch) ||
	    put_ability(out, "push", t->can_push) ||
	    put_field(out, "oauth_refresh_token", &t->oauth_refresh_token) ||
	    (t->extra.len &&
	     buf_try_add(out, t->extra.buf, t->extra.len) < 0) ||
	    put_field(out, "password", &t->password)) {
		buf_release(out);
		return -1;
	}
	return 0;
}

static int parse_num(const char *v, size_t len, long long *out)
{
	long long n = 0;
	size_t i;

	if (!len || len > 18)
		return -1;
	for (i = 0; i < len; i++) {
		if (v[i] < '0' || v[i] > '9')
			return -1;
		n = n * 10 + (v[i] - '0');
	}
	*out = n;
	return 0;
}

static int key_is(const char *k, size_t klen, const char *name)
{
	return strlen(name) == klen && !memcmp(k, name, klen);
}

static int decode_line(struct token *t, const char *line, size_t len)
{
	const char *eq = memchr(line, '=', len);
	const char *v;
	size_t klen, vlen;
	static const struct {
		const char *key;
		size_t off;
	} fields[] = {
		{ "label", offsetof(struct token, label) },
		{ "protocol", offsetof(struct token, protocol) },
		{ "host", offsetof(struct token, host) },
		{ "path", offsetof(struct token, path) },
		{ "username", offsetof(struct token, username) },
		{ "workspace", offsetof(struct token, workspace) },
		{ "repository", offsetof(struct token, repository) },
		{ "probe", offsetof(struct token, probe) },
		{ "email", offsetof(struct token, email) },
		{ "oauth_refresh_token", offsetof(struct token, oauth_refresh_token) },
		{ "password", offsetof(struct token, password) },
	};
	size_t i;

	if (!eq || !credential_value_ok(line, len))
		return -1;
	klen = eq - line;
	v = eq + 1;
	vlen = len - klen - 1;
	for (i = 0; i < sizeof(fields) / sizeof(*fields); i++)
		if (key_is(line, klen, fields[i].key))
			return buf_try_setn((struct buf *)((char *)t + fields[i].off),
					    v, vlen);
	if (key_is(line, klen, "kind")) {
		struct buf name = BUF_INIT;

		if (buf_try_setn(&name, v, vlen) < 0)
			return -1;
		t->kind = bb_kind_from_name(name.buf);
		buf_release(&name);
		return 0;
	}
	if (key_is(line, klen, "origin")) {
		t->origin = key_is(v, vlen, "added") ? TOKEN_ADDED : TOKEN_FROM_GIT;
		return 0;
	}
	if (key_is(line, klen, "rejected")) {
		t->rejected = key_is(v, vlen, "1");
		return 0;
	}
	if (key_is(line, klen, "fetch") || key_is(line, klen, "push")) {
		enum token_ability a = key_is(v, vlen, "yes") ? ABILITY_YES :
				       key_is(v, vlen, "no") ? ABILITY_NO :
				       ABILITY_UNKNOWN;

		if (line[0] == 'f')
			t->can_fetch = a;
		else
			t->can_push = a;
		return 0;
	}
	if (key_is(line, klen, "expires"))
		return parse_num(v, vlen, &t->expires);
	if (key_is(line, klen, "created"))
		return parse_num(v, vlen, &t->created);
	/* A newer version's field: keep it so a rewrite does not lose it. */
	if (buf_try_add(&t->extra, line, len) < 0 ||
	    buf_try_add(&t->extra, "\n", 1) < 0)
		return -1;
	return 0;
}

int token_decode(struct token *t, const char *data, size_t len)
{
	size_t hlen = strlen(TOKEN_PAYLOAD_HEADER), pos;

	if (len < hlen + 1 || memcmp(data, TOKEN_PAYLOAD_HEADER "\n", hlen + 1))
		return -1;
	pos = hlen + 1;
	t->origin = TOKEN_FROM_GIT;
	while (pos < len) {
		const char *nl = memchr(data + pos, '\n', len - pos);
		size_t llen;

		/* Every line ends in LF: a missing one means a cut payload. */
		if (!nl)
			goto bad;
		llen = nl - (data + pos);
		if (decode_line(t, data + pos, llen))
			goto bad;
		pos += llen + 1;
	}
	/*
	 * Only git's opaque credentials may have an empty password; a
	 * Bitbucket token without one is what a half-failed write leaves.
	 */
	if (!buf_isset(&t->password) ||
	    (t->kind != BB_KIND_OPAQUE && !t->password.len))
		goto bad;
	return 0;
bad:
	{
		struct buf id = t->id;	/* keep the caller's handle */

		t->id = (struct buf)BUF_INIT;
		token_release(t);
		t->id = id;
	}
	return -1;
}

int token_list_add(struct token_list *l, struct token *t)
{
	if (l->nr == l->alloc) {
		size_t alloc = l->alloc ? l->alloc * 2 : 8;
		struct token **v = realloc(l->v, alloc * sizeof(*v));

		if (!v) {
			token_free(t);
			return -1;
		}
		l->v = v;
		l->alloc = alloc;
	}
	l->v[l->nr++] = t;
	return 0;
}

static int newest_first(const void *a, const void *b)
{
	const struct token *x = *(struct token *const *)a;
	const struct token *y = *(struct token *const *)b;

	if (x->created != y->created)
		return x->created < y->created ? 1 : -1;
	/* Same second: any fixed order, so that runs agree. */
	return strcmp(buf_str(&x->id), buf_str(&y->id));
}

void token_list_sort_newest(struct token_list *l, size_t from)
{
	if (l->nr > from + 1)
		qsort(l->v + from, l->nr - from, sizeof(*l->v), newest_first);
}

void token_list_release(struct token_list *l)
{
	size_t i;

	for (i = 0; i < l->nr; i++)
		token_free(l->v[i]);
	free(l->v);
	l->v = NULL;
	l->nr = l->alloc = 0;
}

void token_binding(const struct token *t, struct buf *out)
{
	buf_set_empty(out);
	if (!buf_isset(&t->workspace) || !t->workspace.len)
		return;
	/* Two fields read from a store may together pass out's cap. */
	if (buf_try_setn(out, t->workspace.buf, t->workspace.len) < 0 ||
	    (buf_isset(&t->repository) && t->repository.len &&
	     buf_try_addf(out, "/%s", t->repository.buf) < 0))
		buf_set_empty(out);
}
