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
 *   1. BBTOKEN_TOKEN: a secured CI variable;
 *   2. BBTOKEN_TOKEN_FILE=PATH: a Kubernetes or Docker secret mounted as
 *      a file;
 *   3. $CREDENTIALS_DIRECTORY/bbtoken: systemd's LoadCredential=; set
 *      when that file exists (a unit may have other credentials only);
 *   4. bbtoken.tokenCommand (c->token_command): a command whose standard
 *      output is the token (Vault, pass, op, bw ...).
 *
 * A variable set to the empty string is unset: CI systems expand a
 * secret they withhold, as from a fork's pull request, to "".  Whichever
 * source gives the token, BBTOKEN_USERNAME (a Bitbucket username; an
 * email or a placeholder is ignored, and access tokens have none) and
 * BBTOKEN_EXPIRES (YYYY-MM-DD, or ISO 8601) describe it.
 *
 * Pure libc, so the binary git runs links it.  A file must be a regular
 * file, not a symlink (O_NOFOLLOW: a Kubernetes secret volume's files are
 * links, so mount the key with subPath), owned by us or by root (mounted
 * secrets belong to root while the job runs as someone else), with no
 * group or other write bits (read bits are what mounts give, and are
 * allowed), and at most 64 KiB.  The command runs without a shell unless
 * it starts with '!', as git runs helpers (no quoting otherwise: words
 * are split on blanks), with its stderr passed through, stdin from
 * /dev/null, in its own process group killed at the deadline, and an
 * environment without BBTOKEN_TOKEN or BBTOKEN_PASSPHRASE: the token is
 * never in its argv or environment.
 *
 * One final newline (LF or CRLF) is taken off the value; a value with
 * any other CR, LF or NUL, an empty one, an app password (dead since 28
 * July 2026) and anything that is not a Bitbucket API or access token
 * are refused.  A token failing its checksum is used: Bitbucket judges.
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
 * STORE_OK (nothing appended when no source is set), or STORE_ERR_SOURCE
 * with one sentence in detail when a source is set but cannot give a
 * token: an unreadable or unsafe file, a command that fails or hangs, a
 * value with CR, LF or NUL, an app password, a bad BBTOKEN_EXPIRES.  The
 * sentence names the source and the fix; never the token.
 */
int sources_find(const struct store_config *c, const char *host,
		 struct token_list *out, struct buf *detail);

#endif
