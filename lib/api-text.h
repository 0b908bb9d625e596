/* SPDX-License-Identifier: MIT */
#ifndef BBTOKEN_API_TEXT_H
#define BBTOKEN_API_TEXT_H

#include "buf.h"

#include <stddef.h>

/*
 * What the Bitbucket client does to text a server sent before a person
 * sees it, and the scope lists it compares.  Pure: libc and buf only.
 */

/*
 * Append len bytes of server text to out as one printable line, at most
 * max bytes of it: runs of whitespace become one space, and anything a
 * terminal could obey or that hides or reorders text (controls, C1,
 * invalid or overlong UTF-8, surrogates, direction and zero-width marks)
 * becomes '?'.  Valid UTF-8 otherwise stays.  out must be set.
 */
void api_text_add_clean(struct buf *out, const char *text, size_t len,
			size_t max);

/*
 * Scope lists are kept as "a, b, c": each name ACTION:RESOURCE:bitbucket
 * style ([A-Za-z0-9:_.-], at most API_SCOPE_LEN_MAX bytes), once, and at
 * most API_SCOPES_MAX of them, so that a server cannot make the set
 * arithmetic quadratic in a megabyte.  Lists read from outside may be
 * split by commas, spaces or tabs.
 */
#define API_SCOPES_MAX 64
#define API_SCOPE_LEN_MAX 64

/* Does list hold the scope s[0..len)? */
int api_scopes_has(const char *list, const char *s, size_t len);
/* How many scopes list holds. */
size_t api_scopes_count(const char *list);
/* Append one scope to list, unless invalid, already there, or full. */
void api_scopes_add(struct buf *list, const char *s, size_t len);
/* Set list to the valid scopes of text (a header value), once each. */
void api_scopes_from_text(struct buf *list, const char *text);
/* Set out to the scopes of a that are not in b. */
void api_scopes_minus(struct buf *out, const char *a, const char *b);

#endif
