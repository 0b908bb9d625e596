/* SPDX-License-Identifier: MIT */
#ifndef BBTOKEN_STORE_H
#define BBTOKEN_STORE_H

#include "buf.h"
#include "token.h"

/*
 * One interface over every place tokens can live, in the manner of curl's
 * vtls: a table of functions that each backend fills.  Nothing above this
 * header knows which backend runs.  The Secret Service is the first
 * backend (store-secretservice.c, libsecret, with prompts); the `get`
 * path has a read-only one of its own (store-ssget.c, raw GDBus), loaded
 * without libsecret so that git's hot path stays fast.
 *
 * Backends never print and never exit.  On failure they return a
 * store_err and leave one sentence of detail in store->detail (no
 * secrets in it), which the command weaves into its message.
 */
enum store_err {
	STORE_OK = 0,
	STORE_ERR_UNAVAILABLE = -1, /* no Secret Service on the session bus */
	STORE_ERR_LOCKED = -2,      /* locked, and no prompt can be shown */
	STORE_ERR_DISMISSED = -3,   /* the user dismissed the unlock prompt */
	STORE_ERR_TIMEOUT = -4,     /* the keyring did not answer in time */
	STORE_ERR_FAILED = -5,      /* anything else the keyring said */
	STORE_ERR_NOT_FOUND = -6    /* the item is gone */
};

/* Flags for store_open. */
#define STORE_PROMPT 1	/* a person can answer an unlock prompt */

struct store;

struct store_ops {
	const char *name;
	/*
	 * Append to out every token stored for host (canonical form), or
	 * every token of ours when host is NULL.  Items whose secret does not
	 * decode are skipped, never returned.  When items are locked and
	 * cannot be unlocked, the unlocked ones are still returned along with
	 * STORE_ERR_LOCKED, so the caller decides.
	 */
	int (*find)(struct store *s, const char *host, struct token_list *out);
	/* Create t (t->id unset; set on return) or replace the item t->id. */
	int (*put)(struct store *s, struct token *t);
	/* Set or clear the rejected mark of the stored item t->id. */
	int (*mark)(struct store *s, const struct token *t, int rejected);
	/* Delete the item t->id. */
	int (*remove)(struct store *s, const struct token *t);
	/* Every token of ours on every host: find(s, NULL, out). */
	int (*list)(struct store *s, struct token_list *out);
	void (*close)(struct store *s);
};

struct store {
	const struct store_ops *ops;
	void *priv;
	struct buf detail;	/* one sentence on the last failure */
	int flags;
	int timeout_ms;		/* deadline of each keyring call */
};

/* Each keyring call is bounded; a keyring that hangs must not hang git. */
#define STORE_TIMEOUT_MS 5000
/* An unlock prompt waits as long as a person needs, and no longer. */
#define STORE_PROMPT_TIMEOUT_MS 120000

static inline int store_find(struct store *s, const char *host,
			     struct token_list *out)
{
	return s->ops->find(s, host, out);
}
static inline int store_put(struct store *s, struct token *t)
{
	return s->ops->put(s, t);
}
static inline int store_mark(struct store *s, const struct token *t, int rejected)
{
	return s->ops->mark(s, t, rejected);
}
static inline int store_remove(struct store *s, const struct token *t)
{
	return s->ops->remove(s, t);
}
static inline int store_list(struct store *s, struct token_list *out)
{
	return s->ops->list(s, out);
}
static inline void store_close(struct store *s)
{
	if (s)
		s->ops->close(s);
}

/*
 * For backends: a store with ops and priv, the default deadline, and no
 * contact made; store_free() releases what store_new() made (not priv).
 */
struct store *store_new(const struct store_ops *ops, void *priv, int flags);
void store_free(struct store *s);
/* Replace s->detail with one sentence (no secret in it). */
void store_set_detail(struct store *s, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/*
 * The libsecret backend (tools module).  Like every backend, opening
 * contacts nothing and returns STORE_OK: the first operation reaches the
 * keyring, so that its failure comes back with a detail.
 */
int store_secretservice_open(struct store **out, int flags);

/*
 * The fast read-only backend for `get` (ssget module): find only; the
 * other operations return STORE_ERR_FAILED.
 */
int store_ssget_open(struct store **out, int flags);

/* A phrase for a store_err. */
const char *store_strerror(int err);

#endif
