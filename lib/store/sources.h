/* SPDX-License-Identifier: MIT */
#ifndef BBTOKEN_STORE_SOURCES_H
#define BBTOKEN_STORE_SOURCES_H

#include "../store.h"

/*
 * Read-only token sources, for CI runners and fleets where a secret
 * reaches the machine from outside and nothing should be stored.  In the
 * order they are tried (the first that is set wins, the others are not
 * read):
 *
 *   1. BBTOKEN_TOKEN, with BBTOKEN_USERNAME and BBTOKEN_EXPIRES: a
 *      secured CI variable;
 *   2. BBTOKEN_TOKEN_FILE=PATH: a Kubernetes or Docker secret mounted as
 *      a file;
 *   3. $CREDENTIALS_DIRECTORY/bbtoken: systemd's LoadCredential=;
 *   4. bbtoken.tokenCommand (c->token_command): a command whose standard
 *      output is the token (Vault, pass, op, bw ...).
 *
 * Pure libc, so the binary git runs links it.  Files get the checks of
 * the file store: regular, not a symlink, owned by us, no group or other
 * write bits (read bits are what a mounted secret has, and are allowed).
 * The command runs without a shell unless it starts with '!', as git runs
 * helpers, with its stderr passed through, stdin from /dev/null, a
 * deadline, and an environment without BBTOKEN_TOKEN: the token is never
 * in its argv or environment.
 *
 * A value with CR, LF (other than one final newline) or NUL is refused.
 */

/* How long bbtoken.tokenCommand may take before it is killed. */
#define SOURCES_COMMAND_TIMEOUT_MS 10000

/* Is any source set? (no file is read, no command run) */
int sources_active(const struct store_config *c);

/*
 * Append the token of the first source that is set to out, for host
 * (canonical), or for bitbucket.org when host is NULL (a listing).  Its
 * t->source names the source ("BBTOKEN_TOKEN", "BBTOKEN_TOKEN_FILE",
 * "systemd credential", "bbtoken.tokenCommand"), t->origin is
 * TOKEN_ADDED, t->id is "source:" and the source's name.  Returns
 * STORE_OK (nothing appended when no source is set), or STORE_ERR_FAILED
 * with one sentence in detail when a source is set but cannot give a
 * token: an unreadable or unsafe file, a command that fails or hangs, a
 * value with CR, LF or NUL, a bad BBTOKEN_EXPIRES.  Never the token in
 * detail.
 */
int sources_find(const struct store_config *c, const char *host,
		 struct token_list *out, struct buf *detail);

#endif
