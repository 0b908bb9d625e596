/* SPDX-License-Identifier: MIT */
/*
 * Server text made safe for a terminal, and scope lists (api-text.h).
 * Everything appended here is bounded by the caller's max or by the
 * scope caps, never by what the server sent, so the plain buf calls
 * cannot be driven past a cap from outside.
 */
#include "api-text.h"

#include <stdint.h>
#include <string.h>

/*
 * Characters that reorder or hide text around them without showing
 * themselves (the "Trojan Source" family): a server could make a message
 * read as something it does not say.  The Arabic letter mark, zero-width
 * spaces and joiners, the direction marks, embeddings, overrides and
 * isolates, word joiners and invisible operators, and the BOM.
 */
static int is_format_char(uint32_t cp)
{
	return cp == 0x061C || (cp >= 0x200B && cp <= 0x200F) ||
	       (cp >= 0x202A && cp <= 0x202E) || (cp >= 0x2060 && cp <= 0x2069) ||
	       cp == 0xFEFF;
}

/*
 * Length of the valid UTF-8 sequence at s, or 0.  Overlong forms,
 * surrogates, C1 controls (U+0080..U+009F, which some terminals obey) and
 * format characters count as invalid: server text ends up on the user's
 * terminal.
 */
static size_t utf8_len(const unsigned char *s, size_t len)
{
	uint32_t cp;
	size_t n, i;

	if (s[0] < 0xC2 || s[0] > 0xF4)
		return 0;
	n = s[0] < 0xE0 ? 2 : s[0] < 0xF0 ? 3 : 4;
	if (len < n)
		return 0;
	cp = s[0] & (0x7F >> n);
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xC0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3F);
	}
	if ((n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) ||
	    cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF) || cp < 0xA0)
		return 0;
	if (is_format_char(cp))
		return 0;
	return n;
}

void api_text_add_clean(struct buf *out, const char *text, size_t len,
			size_t max)
{
	const unsigned char *s = (const unsigned char *)text;
	size_t i = 0, n, start = out->len;
	int space = 0;

	while (i < len && out->len - start < max) {
		if (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r') {
			space = 1;
			i++;
			continue;
		}
		if (space && out->len > start)
			buf_addch(out, ' ');
		space = 0;
		n = s[i] >= 0x80 ? utf8_len(s + i, len - i) : 0;
		if (n && out->len - start + n > max)
			return;
		if (n) {
			buf_add(out, s + i, n);
			i += n;
			continue;
		}
		buf_addch(out, s[i] >= 0x20 && s[i] < 0x7F ? s[i] : '?');
		i++;
	}
}

/* Scope names are ACTION:RESOURCE:bitbucket; refuse anything else. */
static int scope_ok(const char *s, size_t len)
{
	size_t i;

	if (!len || len > API_SCOPE_LEN_MAX)
		return 0;
	for (i = 0; i < len; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') ||
		      (s[i] >= '0' && s[i] <= '9') ||
		      (s[i] && strchr(":_-.", s[i]))))
			return 0;
	return 1;
}

/* Next scope in a list split by commas or spaces; 0 at the end. */
static int scope_next(const char **p, const char **s, size_t *len)
{
	const char *q = *p;

	while (*q == ',' || *q == ' ' || *q == '\t')
		q++;
	if (!*q)
		return 0;
	*s = q;
	while (*q && *q != ',' && *q != ' ' && *q != '\t')
		q++;
	*len = q - *s;
	*p = q;
	return 1;
}

int api_scopes_has(const char *list, const char *s, size_t len)
{
	const char *p = list, *t;
	size_t n;

	while (scope_next(&p, &t, &n))
		if (n == len && !memcmp(t, s, n))
			return 1;
	return 0;
}

size_t api_scopes_count(const char *list)
{
	const char *p = list, *t;
	size_t n, count = 0;

	while (scope_next(&p, &t, &n))
		count++;
	return count;
}

void api_scopes_add(struct buf *list, const char *s, size_t len)
{
	if (!scope_ok(s, len) || api_scopes_has(buf_str(list), s, len) ||
	    api_scopes_count(buf_str(list)) >= API_SCOPES_MAX)
		return;
	if (list->len)
		buf_adds(list, ", ");
	buf_add(list, s, len);
}

void api_scopes_from_text(struct buf *list, const char *text)
{
	const char *p = text, *s;
	size_t n;

	buf_set_empty(list);
	while (scope_next(&p, &s, &n))
		api_scopes_add(list, s, n);
}

void api_scopes_minus(struct buf *out, const char *a, const char *b)
{
	const char *p = a, *s;
	size_t n;

	buf_set_empty(out);
	while (scope_next(&p, &s, &n))
		if (!api_scopes_has(b, s, n))
			api_scopes_add(out, s, n);
}
