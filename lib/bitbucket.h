/* SPDX-License-Identifier: MIT */
#ifndef BBTOKEN_BITBUCKET_H
#define BBTOKEN_BITBUCKET_H

#include <stddef.h>
#include <stdint.h>
#include "buf.h"

/*
 * What Bitbucket Cloud expects, as pure functions: which hosts we serve,
 * what kind of secret a string is, and which username goes with it.
 * This module knows nothing of stores or of git's protocol.
 */

#define BB_DEFAULT_HOST "bitbucket.org"
/* The usernames git must send with each kind of token over HTTPS. */
#define BB_USER_API_TOKEN "x-bitbucket-api-token-auth"
#define BB_USER_ACCESS_TOKEN "x-token-auth"
#define BB_TOKEN_PAGE "https://id.atlassian.com/manage-profile/security/api-tokens"

enum bb_kind {
	BB_KIND_OPAQUE = 0,     /* not a Bitbucket token we recognise */
	BB_KIND_API_TOKEN,      /* Atlassian API token, ATATT... */
	BB_KIND_ACCESS_TOKEN,   /* repository/project/workspace token, ATCTT... */
	BB_KIND_APP_PASSWORD    /* ATBB..., dead since 28 July 2026 */
};

/* Recognise a secret by its prefix; offline, no network. */
enum bb_kind bb_token_kind(const char *secret, size_t len);
/* Short stable name used in the store ("api", "access", ...) and back. */
const char *bb_kind_name(enum bb_kind kind);
enum bb_kind bb_kind_from_name(const char *name);
/* For people: "API token", "access token", ... */
const char *bb_kind_label(enum bb_kind kind);

/* zlib's CRC-32 (polynomial 0xEDB88320), continuing from crc. */
uint32_t bb_crc32(uint32_t crc, const void *data, size_t len);

/*
 * API and access tokens end in 8 upper-case hex digits, the CRC-32 of
 * everything before them.  Returns 1 when the checksum holds, 0 when it
 * does not (mistyped or truncated), -1 for a kind that has none.
 */
int bb_token_checksum_ok(const char *secret, size_t len);

/* Does this look like an email address (git's username by mistake)? */
int bb_is_email(const char *username);
/* Is it one of the fixed usernames (x-bitbucket-api-token-auth, x-token-auth)? */
int bb_is_placeholder_user(const char *username);
/* A real Bitbucket username: set, not empty, not a placeholder, not an email. */
int bb_is_account_user(const char *username);

/*
 * Hosts are compared in a canonical form: lower case, and ":443" dropped
 * since it is https's default port.  "bitbucket.org." or another port is
 * another host.  Returns 0, or -1 for an empty host, one with bytes no
 * host name has, or one longer than a host name can be (259 bytes with
 * its port); then out is left unset.
 */
int bb_host_canonical(const char *host, struct buf *out);

/* The hosts the helper serves: bitbucket.org and those declared. */
struct bb_hosts {
	char **v;
	size_t nr, alloc;
};
#define BB_HOSTS_INIT { NULL, 0, 0 }
/* Declare host[:port]; -1 when it is not a valid host. */
int bb_hosts_add(struct bb_hosts *hosts, const char *host);
void bb_hosts_release(struct bb_hosts *hosts);
/*
 * Is a request for protocol://host ours?  Only https, only an exact
 * allowed host.  Anything else belongs to the next helper in git's chain.
 */
int bb_host_allowed(const struct bb_hosts *hosts, const char *protocol,
		    const char *host);

/*
 * Split git's path ("acme/widget.git", maybe with more after it) into
 * workspace and repository slug (".git" dropped).  Returns 0 when both
 * parts are there and fit, -1 otherwise (outputs left unset).
 */
int bb_parse_path(const char *path, struct buf *workspace, struct buf *repo);

/*
 * Valid workspace or repository slug (letters, digits, '-', '_', '.',
 * not starting with '.').  Keeps a binding from carrying '/' or spaces.
 */
int bb_slug_ok(const char *slug);

#endif
