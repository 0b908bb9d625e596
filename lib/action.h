/* SPDX-License-Identifier: MIT */
#ifndef BBTOKEN_ACTION_H
#define BBTOKEN_ACTION_H

#include "credential.h"
#include "options.h"
#include "store.h"

/*
 * git's side of the helper: `get`, `store` and `erase`.  action_run
 * reads the request from stdin, and leaves at once, silently, when it is
 * not ours (another host, plain http): git's next helper gets its turn,
 * and we have loaded nothing.  Each returns the exit code (msg.h).
 */
int action_run(const char *action, struct bb_options *o);

/* get (action-get.c): answer git on stdout for req, host canonical. */
int action_get(struct credential *req, struct bb_options *o, const char *host);

/*
 * The tokens for host, as lean as the store allows (STORE_LEAN): the
 * read-only sources, then the backend.  With some items locked and no
 * prompt possible, the unlocked ones are returned and *locked is set;
 * *timed_out is set when the store did not answer in time (then it is
 * said even when quiet: nothing else would wait that long).  Returns
 * EXIT_OK, EXIT_FAIL for a read-only source that failed, or
 * EXIT_KEYRING (said why unless quiet).
 */
int action_find_tokens(struct bb_options *o, const char *host,
		       struct token_list *out, int quiet, int *locked,
		       int *timed_out);

/* store and erase (action-store.c, action-erase.c; full module). */
int action_store(struct credential *req, struct bb_options *o);
int action_erase(struct credential *req, struct bb_options *o);

/*
 * For store and erase: open the store o names and find the tokens of
 * host.  Returns EXIT_OK, or EXIT_KEYRING after saying why; *s must be
 * closed by the caller either way.
 */
int action_open_host(struct bb_options *o, const char *host, struct store **s,
		     struct token_list *tokens);

#endif
