/* SPDX-License-Identifier: MIT */
#ifndef BBTOKEN_API_H
#define BBTOKEN_API_H

#include "api-explain.h"
#include "api-transport.h"
#include "bitbucket.h"
#include "buf.h"

/*
 * What a token can do, asked of Bitbucket itself over HTTPS.  Lives in
 * bbtoken-full.so: git's `get` never loads it.  The client is four
 * files, one job each: api-text (server text cleaned, scope lists),
 * api-explain (answers into verdicts and words; pure), api-transport
 * (libcurl, origin rules, retries) and this one, which knows the
 * questions: what to ask, of which URL, with which credentials.
 *
 * Probes have no side effects: the git probes read info/refs (for push,
 * Bitbucket checks the write scope on info/refs?service=git-receive-pack
 * and nothing is written); the REST probes are GETs.
 *
 * API tokens go to git as Basic USERNAME:TOKEN and to REST as Basic
 * EMAIL:TOKEN; access tokens go to git only (x-token-auth), as they
 * have no user to ask REST about.  Never a token as Bearer.
 *
 * Nothing here prints: each answer is a struct api_result, with one
 * sentence for people in its message, that the command shows.
 */

/*
 * One question to Bitbucket: made by an api_ask_* call, which forgets
 * what its result held; asked with others by api_ask_all, which fills
 * that result.  A question the input cannot make (no host, a name that
 * is not a slug, no token, no REST URL) is answered at once, without
 * asking, and its result says why.  The fields are api.c's.
 */
struct api_ask {
	struct api_exchange x;
	const char *needed;     /* the scopes the operation needs */
	const char *git_type;   /* git probes: the content type of a 200 */
	const char *say_401;    /* a sentence that says more than a 401 */
	int want_user;          /* whoami: read the user from a 200 */
	int ready;              /* 0: answered without asking */
	struct api_ask *after;  /* a push: the fetch it waits for */
};

/*
 * git probes against https://HOST/W/R.git/info/refs, with the username
 * git would send.  answer: YES (200), NO (401/403/404/410, failure and
 * message say why, missing_scopes names the scope when known), UNKNOWN
 * (network, 429/5xx after retries, a 200 that is not git's).
 *
 * A push probe given its fetch probe is asked only after that one got
 * its 200, in the same api_ask_all: write does not imply read, so a
 * token that cannot fetch cannot push either.  When fetch got no 2xx,
 * or was refused, the push result stays empty: unknown, no message, no
 * tries.
 */
void api_ask_fetch(struct api_ask *a, const struct api_client *c,
		   const char *username, const struct buf *secret,
		   const char *workspace, const char *repo,
		   struct api_result *r);
void api_ask_push(struct api_ask *a, struct api_ask *fetch,
		  const struct api_client *c, const char *username,
		  const struct buf *secret, const char *workspace,
		  const char *repo, struct api_result *r);

/*
 * REST: who is this token?  GET {api}/user, Basic EMAIL:TOKEN: only an
 * API token has a user (and needs read:user:bitbucket for this).  Fills
 * username and display_name on YES.  Any other kind answers NO without
 * asking: an access token has no user, an app password is known dead.
 */
void api_ask_whoami(struct api_ask *a, const struct api_client *c,
		    enum bb_kind kind, const char *email,
		    const struct buf *secret, struct api_result *r);

/*
 * Ask every question in asks together (api_transport_run: concurrent,
 * bounded, each with its own retries), then read each answer into its
 * result and release the question.  Never prints.
 */
void api_ask_all(struct api_ask *const *asks, size_t nr);

#endif
