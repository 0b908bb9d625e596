/* SPDX-License-Identifier: MIT */
#ifndef BBTOKEN_TOKEN_H
#define BBTOKEN_TOKEN_H

#include "buf.h"
#include "bitbucket.h"

/*
 * One stored credential: a Bitbucket token the user added or git stored,
 * or an opaque credential git stored for a host we serve.
 *
 * Everything about it travels inside the keyring item's secret (see
 * token_encode), so that a `get` learns all it needs from one GetSecrets
 * call and never reads item attributes: that round trip is the
 * difference between beating git's own helper and not.  Backends also
 * copy the public fields into attributes, for searching and for people
 * browsing their keyring.
 */
enum token_origin {
	TOKEN_ADDED = 0,   /* by `git credential-bbtoken add`: only `remove` deletes it */
	TOKEN_FROM_GIT     /* by git's `store`: git's `erase` deletes it */
};

/* What Bitbucket said the token can do, when last asked. */
enum token_ability {
	ABILITY_UNKNOWN = 0,
	ABILITY_YES,
	ABILITY_NO
};

struct token {
	struct buf id;          /* the backend's handle; unset for a new token */
	struct buf label;
	struct buf protocol;    /* "https" */
	struct buf host;        /* canonical host[:port] */
	struct buf path;        /* opaque credentials: the path git sent */
	struct buf username;    /* Bitbucket username it is tied to, or git's (opaque) */
	struct buf workspace;   /* bound to this workspace ... */
	struct buf repository;  /* ... or to this repository slug (workspace set too) */
	enum bb_kind kind;
	enum token_origin origin;
	int rejected;           /* Bitbucket refused it; withheld until checked */
	long long expires;      /* Unix time; 0 when unknown */
	long long created;      /* Unix time it was stored; newest wins ties */
	struct buf probe;       /* "W/R" its abilities were probed on */
	struct buf email;       /* Atlassian account email, for REST */
	enum token_ability can_fetch, can_push;
	struct buf password;
	struct buf oauth_refresh_token;
	struct buf extra;       /* lines from a newer version, kept as they were */
	/*
	 * Set only for a token from a read-only source (lib/store/sources.h):
	 * where it came from, such as "BBTOKEN_TOKEN".  Never stored.
	 */
	struct buf source;
};

void token_init(struct token *t);
void token_release(struct token *t);
struct token *token_new(void);
void token_free(struct token *t);
/* Deep copy; -1 when a field passes the cap of dst's (dst then partial). */
int token_copy(struct token *dst, const struct token *src);

/*
 * The secret of a keyring item: a header line, then "key=value" lines.
 * The header tells our items from anything else, and above all from a
 * half-written item whose secret is empty: such an item is not a
 * credential, while an opaque credential whose password git stored as
 * empty still has its header and its "password=" line.
 */
#define TOKEN_PAYLOAD_HEADER "bbtoken-secret 1"

/*
 * Serialise t (id excluded) into out; -1 (out unset) when a value holds
 * CR/LF/NUL or the whole would pass out's cap.
 */
int token_encode(const struct token *t, struct buf *out);
/*
 * Parse a payload into t (id untouched).  Pure, a fuzz target.  Returns
 * 0, or -1 when it is not a credential: not one of our payloads, cut
 * short, without a password, or a Bitbucket token whose password is
 * empty.
 */
int token_decode(struct token *t, const char *data, size_t len);

struct token_list {
	struct token **v;
	size_t nr, alloc;
};
#define TOKEN_LIST_INIT { NULL, 0, 0 }
/* Append; the list owns t from now on.  -1 on OOM (t is freed). */
int token_list_add(struct token_list *l, struct token *t);
void token_list_release(struct token_list *l);
/* Sort l->v[from..] newest first (created), ties by id. */
void token_list_sort_newest(struct token_list *l, size_t from);

/*
 * Binding as people read it: "acme/widget", "acme", or "" (account-wide,
 * and also when the two would pass out's cap, which no real one does).
 */
void token_binding(const struct token *t, struct buf *out);

#endif
