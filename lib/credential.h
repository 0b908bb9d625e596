/* SPDX-License-Identifier: MIT */
#ifndef BBTOKEN_CREDENTIAL_H
#define BBTOKEN_CREDENTIAL_H

#include <stdio.h>
#include "buf.h"

/*
 * git's credential protocol, as in git-credential(1): "key=value" lines,
 * ended by a blank line or EOF.  This module knows nothing of Bitbucket.
 *
 * Every field is a struct buf, unset when git did not send it.  Unknown
 * keys (wwwauth[], capability[], state[], authtype, ...) are skipped:
 * newer git versions send keys older helpers do not know, and git-credential(1)
 * says helpers must ignore them.
 */
struct credential {
	struct buf protocol;
	struct buf host;      /* may carry ":port" */
	struct buf path;
	struct buf username;
	struct buf password;
	struct buf password_expiry_utc;
	struct buf oauth_refresh_token;
	int ephemeral;        /* ephemeral=1: never store it */
};

void credential_init(struct credential *c);
/* Wipe and free every field; the struct may be used again. */
void credential_release(struct credential *c);

/*
 * git's own limit on a protocol line, and so ours.  A longer line is an
 * attack or a bug, never a credential; we refuse the whole request.
 */
#define CREDENTIAL_LINE_MAX 65535

enum credential_err {
	CREDENTIAL_OK = 0,
	CREDENTIAL_ERR_NO_EQUALS = -1,   /* a line without '=' */
	CREDENTIAL_ERR_BAD_VALUE = -2,   /* NUL, CR or LF in a value */
	CREDENTIAL_ERR_TOO_LONG = -3,    /* a line over CREDENTIAL_LINE_MAX,
					    or a value over its field's cap */
	CREDENTIAL_ERR_BAD_URL = -4,     /* url= that does not parse */
	CREDENTIAL_ERR_IO = -6
};

/* A phrase for a credential_err, to end "bbtoken: error: ..." with. */
const char *credential_strerror(int err);

/*
 * Apply one protocol line (without its LF; a trailing CR is part of the
 * value and so refused).  Pure: no I/O.  Returns CREDENTIAL_OK or an err.
 */
int credential_parse_line(struct credential *c, const char *line, size_t len);

/*
 * Parse a whole request held in memory: lines up to a blank line or the
 * end of data.  Pure, the fuzz target of this module.  The data may hold
 * NUL bytes, which are refused as values.
 */
int credential_parse(struct credential *c, const char *data, size_t len);

/* Read a request from a stream (git's stdin) and parse it. */
int credential_read(struct credential *c, FILE *in);

/*
 * Fill protocol, host, path, username and password from a URL, clearing
 * them first, as git does for url=.  Parts are percent-decoded; a part
 * that decodes to a control character is refused (CVE-2020-5260).
 */
int credential_from_url(struct credential *c, const char *url, size_t len);

/*
 * git's matching rule: every field set in want (protocol, host, path,
 * username) must be set in have and equal; a field want leaves unset
 * matches anything.
 */
int credential_match(const struct credential *want,
		     const struct credential *have);

/*
 * Write "key=value\n" for a set field; nothing for an unset one.  A value
 * with CR, LF or NUL is never written (returns -1): it could inject keys
 * into git's reading of our answer.
 */
int credential_write_item(FILE *out, const char *key, const struct buf *value);

/*
 * password_expiry_utc as a number (0 when absent or empty); -1 when it is
 * not a number, which git never sends.
 */
int credential_expiry(const struct credential *c, long long *out);

/* Is this value safe on the wire (no NUL, CR, LF)? */
int credential_value_ok(const char *v, size_t len);

#endif
