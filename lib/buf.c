/* SPDX-License-Identifier: MIT */
#include "buf.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void buf_init(struct buf *b, size_t max)
{
	/*
	 * A set buffer may hold a secret (term_read_secret once dropped the
	 * old token of rotate here unwiped): release it first.
	 */
	if (b->buf)
		buf_release(b);
	b->buf = NULL;
	b->len = b->alloc = 0;
	b->max = max;
}

static size_t buf_cap(const struct buf *b)
{
	return b->max ? b->max : BUF_MAX_DEFAULT;
}

/*
 * Grow so that extra more bytes and a NUL fit.  realloc() would leave
 * the old copy of a secret behind in freed memory, so grow by hand:
 * allocate, copy, wipe the old block, free it.
 */
static int buf_grow(struct buf *b, size_t extra)
{
	size_t want, alloc;
	char *p;

	if (extra > buf_cap(b) || b->len > buf_cap(b) - extra)
		return -1;
	want = b->len + extra + 1;
	if (b->buf && want <= b->alloc)
		return 0;
	alloc = b->alloc ? b->alloc : 32;
	while (alloc < want)
		alloc = alloc < ((size_t)-1) / 2 ? alloc * 2 : want;
	p = malloc(alloc);
	if (!p)
		return -1;
	if (b->buf) {
		memcpy(p, b->buf, b->len + 1);
		wipe(b->buf, b->alloc);
		free(b->buf);
	} else {
		p[0] = '\0';
	}
	b->buf = p;
	b->alloc = alloc;
	return 0;
}

int buf_add(struct buf *b, const void *data, size_t len)
{
	if (buf_grow(b, len) < 0)
		return -1;
	if (len)
		memcpy(b->buf + b->len, data, len);
	b->len += len;
	b->buf[b->len] = '\0';
	return 0;
}

int buf_try_add(struct buf *b, const void *data, size_t len)
{
	return buf_add(b, data, len);
}

int buf_try_adds(struct buf *b, const char *s)
{
	return buf_add(b, s, strlen(s));
}

int buf_try_setn(struct buf *b, const char *s, size_t len)
{
	return buf_setn(b, s, len);
}

int buf_try_vaddf(struct buf *b, const char *fmt, va_list ap)
{
	return buf_vaddf(b, fmt, ap);
}

int buf_try_addf(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	int ret;

	va_start(ap, fmt);
	ret = buf_vaddf(b, fmt, ap);
	va_end(ap);
	return ret;
}

int buf_adds(struct buf *b, const char *s)
{
	return buf_add(b, s, strlen(s));
}

int buf_addch(struct buf *b, int c)
{
	char ch = (char)c;

	return buf_add(b, &ch, 1);
}

int buf_vaddf(struct buf *b, const char *fmt, va_list ap)
{
	va_list again;
	char small[256], *big;
	int n, ret;

	va_copy(again, ap);
	n = vsnprintf(small, sizeof(small), fmt, ap);
	if (n < 0 || (size_t)n < sizeof(small)) {
		ret = n < 0 ? -1 : buf_add(b, small, n);
		goto out;
	}
	big = malloc((size_t)n + 1);
	ret = -1;
	if (big) {
		vsnprintf(big, (size_t)n + 1, fmt, again);
		ret = buf_add(b, big, n);
		wipe(big, (size_t)n + 1);
		free(big);
	}
out:
	va_end(again);
	wipe(small, sizeof(small));
	return ret;
}

int buf_addf(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	int ret;

	va_start(ap, fmt);
	ret = buf_vaddf(b, fmt, ap);
	va_end(ap);
	return ret;
}

int buf_setn(struct buf *b, const char *s, size_t len)
{
	buf_reset(b);
	return buf_add(b, s, len);
}

int buf_set(struct buf *b, const char *s)
{
	if (!s) {
		buf_release(b);
		return 0;
	}
	return buf_setn(b, s, strlen(s));
}

int buf_set_empty(struct buf *b)
{
	return buf_setn(b, "", 0);
}

void buf_reset(struct buf *b)
{
	if (!b->buf)
		return;
	wipe(b->buf, b->alloc);
	b->len = 0;
}

void buf_release(struct buf *b)
{
	if (b->buf) {
		wipe(b->buf, b->alloc);
		free(b->buf);
	}
	b->buf = NULL;
	b->len = b->alloc = 0;
}

const char *buf_str(const struct buf *b)
{
	return b->buf ? b->buf : "";
}

int buf_eq(const struct buf *b, const char *s)
{
	if (!b->buf || !s)
		return !b->buf && !s;
	return strcmp(b->buf, s) == 0;
}

int secret_eq(const char *a, size_t alen, const char *b, size_t blen)
{
	unsigned char diff = 0;
	size_t i;

	if (alen != blen)
		return 0;
	for (i = 0; i < alen; i++)
		diff |= (unsigned char)a[i] ^ (unsigned char)b[i];
	return diff == 0;
}

void wipe(void *p, size_t len)
{
	if (p && len)
		explicit_bzero(p, len);
}

void free_secret(char *s)
{
	if (!s)
		return;
	wipe(s, strlen(s));
	free(s);
}

void *xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	if (!p) {
		fputs("fatal: out of memory\n", stderr);
		exit(128);
	}
	return p;
}

void *xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);

	if (!p) {
		fputs("fatal: out of memory\n", stderr);
		exit(128);
	}
	return p;
}

char *xstrdup(const char *s)
{
	size_t n = strlen(s) + 1;
	char *p = xmalloc(n);

	memcpy(p, s, n);
	return p;
}
