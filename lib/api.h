/* SPDX-License-Identifier: MIT */
#ifndef BBTOKEN_API_H
#define BBTOKEN_API_H

#include "api-explain.h"
#include "api-transport.h"
#include "bitbucket.h"
#include "buf.h"

/*
 * What a token can do, asked of Bitbucket itself over HTTPS.  Lives in
 * bbtoken-tools.so: git's `get` never loads it.  The client is four
 * files, one job each: api-text (server text cleaned, scope lists),
 * api-explain (answers into verdicts and words; pure), api-transport
 * (libcurl, origin rules, retries) and this one, which knows the
 * questions: what to ask, of which URL, with which credentials.
 *
 * Probes have no side effects: the git probes read info/refs (for push,
 * Bitbucket checks the write scope on info/refs?service=git-receive-pack
 * and nothing is written); the REST probes are GETs.
 *
 * API tokens go to REST as Basic EMAIL:TOKEN and to git as Basic
 * USERNAME:TOKEN; access tokens go to REST as Bearer.  Never an API
 * token as Bearer, never an access token as Basic on REST.
 *
 * Nothing here prints: each answer is a struct api_result, with one
 * sentence for people in its message, that the command shows.
 */

/*
 * git probes against https://HOST/W/R.git/info/refs, with the username
 * git would send.  answer: YES (200), NO (401/403/404/410, failure and
 * message say why, missing_scopes names the scope when known), UNKNOWN
 * (network, 429/5xx after retries).  Return 0, or -1 on out of memory.
 */
int api_probe_fetch(const struct api_client *c, const char *username,
		    const struct buf *secret, const char *workspace,
		    const char *repo, struct api_result *r);
int api_probe_push(const struct api_client *c, const char *username,
		   const struct buf *secret, const char *workspace,
		   const char *repo, struct api_result *r);

/*
 * REST: who is this token?  GET {api}/user, Basic EMAIL:TOKEN for an API
 * token (needs read:user:bitbucket).  Fills username and display_name on
 * YES.  Access tokens have no user: answer NO with a message saying so.
 */
int api_whoami(const struct api_client *c, enum bb_kind kind,
	       const char *email, const struct buf *secret,
	       struct api_result *r);

/* REST: can it read this repository / workspace? */
int api_read_repository(const struct api_client *c, enum bb_kind kind,
			const char *email, const struct buf *secret,
			const char *workspace, const char *repo,
			struct api_result *r);
int api_read_workspace(const struct api_client *c, enum bb_kind kind,
		       const char *email, const struct buf *secret,
		       const char *workspace, struct api_result *r);

#endif
