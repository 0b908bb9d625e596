/* SPDX-License-Identifier: MIT */
#ifndef BBTOKEN_FINGERPRINT_H
#define BBTOKEN_FINGERPRINT_H

#include "buf.h"

/*
 * A token's fingerprint: the first 8 hex digits of its SHA-256.  Enough
 * to tell tokens apart in `list` and to name one in `remove`, too short
 * to help anyone guess the token.  Returns 0, or -1 (out unset).
 */
int fingerprint(const char *secret, size_t len, struct buf *out);

#define FINGERPRINT_LEN 8

#endif
