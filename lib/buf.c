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

static void die_oom(void)
{
	fputs("fatal: out of memory\n", stderr);
	exit(128);
}

/*
 * A plain function passed the cap: the program composed more than it
 * meant to, or fed it input that belongs to buf_try_*.  Like git's BUG(),
 * abort, so that a debugger or a core file shows where.
 */
static void bug_cap(const struct buf *b, size_t extra)
{
	fprintf(stderr, "bbtoken: BUG: %zu more bytes would pass a buffer's "
		"cap of %zu; input from outside must go through buf_try_*\n",
		extra, buf_cap(b));
	abort();
}

static int fits(const struct buf *b, size_t extra)
{
	return extra <= buf_cap(b) && b->len <= buf_cap(b) - extra;
}

/*
 * Grow so that extra more bytes and a NUL fit; the caller checked the
 * cap.  realloc() would leave the old copy of a secret behind in freed
 * memory, so grow by hand: allocate, copy, wipe the old block, free it.
 */
static void buf_grow(struct buf *b, size_t extra)
{
	size_t want = b->len + extra + 1, alloc;
	char *p;

	if (b->buf && want <= b->alloc)
		return;
	alloc = b->alloc ? b->alloc : 32;
	while (alloc < want)
		alloc = alloc < ((size_t)-1) / 2 ? alloc * 2 : want;
	p = malloc(alloc);
	if (!p)
		die_oom();
	if (b->buf) {
		memcpy(p, b->buf, b->len + 1);
		wipe(b->buf, b->alloc);
		free(b->buf);
	} else {
		p[0] = '\0';
	}
	b->buf = p;
	b->alloc = alloc;
}

/* Append what fits (checked); an empty append still sets the buffer. */
static void append(struct buf *b, const void *data, size_t len)
{
	buf_grow(b, len);
	if (len)
		memcpy(b->buf + b->len, data, len);
	b->len += len;
	b->buf[b->len] = '\0';
}

int buf_try_add(struct buf *b, const void *data, size_t len)
{
	if (!fits(b, len))
		return -1;
	append(b, data, len);
	return 0;
}

void buf_add(struct buf *b, const void *data, size_t len)
{
	if (!fits(b, len))
		bug_cap(b, len);
	append(b, data, len);
}

int buf_try_adds(struct buf *b, const char *s)
{
	return buf_try_add(b, s, strlen(s));
}

void buf_adds(struct buf *b, const char *s)
{
	buf_add(b, s, strlen(s));
}

void buf_addch(struct buf *b, int c)
{
	char ch = (char)c;

	buf_add(b, &ch, 1);
}

/*
 * Format into b: 0, or (b as it was) -1 when the text would pass the
 * cap, -2 when vsnprintf fails.  The text is formatted on the side first and
 * wiped after: its arguments may be secret.
 */
static int vadd(struct buf *b, const char *fmt, va_list ap)
{
	va_list again;
	char small[256], *big;
	int n, ret = -1;

	va_copy(again, ap);
	n = vsnprintf(small, sizeof(small), fmt, ap);
	if (n < 0) {
		ret = -2;
		goto out;
	}
	if (!fits(b, (size_t)n))
		goto out;
	ret = 0;
	if ((size_t)n < sizeof(small)) {
		append(b, small, n);
		goto out;
	}
	big = xmalloc((size_t)n + 1);
	vsnprintf(big, (size_t)n + 1, fmt, again);
	append(b, big, n);
	wipe(big, (size_t)n + 1);
	free(big);
out:
	va_end(again);
	wipe(small, sizeof(small));
	return ret;
}

int buf_try_vaddf(struct buf *b, const char *fmt, va_list ap)
{
	return vadd(b, fmt, ap) < 0 ? -1 : 0;
}

int buf_try_addf(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	int ret;

	va_start(ap, fmt);
	ret = buf_try_vaddf(b, fmt, ap);
	va_end(ap);
	return ret;
}

void buf_vaddf(struct buf *b, const char *fmt, va_list ap)
{
	va_list copy;
	int n;

	va_copy(copy, ap);
	n = vadd(b, fmt, ap);
	if (n == -1)
		bug_cap(b, (size_t)vsnprintf(NULL, 0, fmt, copy));
	va_end(copy);
	if (n < 0) {
		/* Our formats hold no wide strings that could fail to convert. */
		fputs("bbtoken: BUG: vsnprintf failed on a format of ours\n",
		      stderr);
		abort();
	}
}

void buf_addf(struct buf *b, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	buf_vaddf(b, fmt, ap);
	va_end(ap);
}

int buf_try_setn(struct buf *b, const char *s, size_t len)
{
	/* Checked before the reset, so that -1 leaves the old contents. */
	if (len > buf_cap(b))
		return -1;
	buf_reset(b);
	append(b, s, len);
	return 0;
}

void buf_setn(struct buf *b, const char *s, size_t len)
{
	if (len > buf_cap(b))
		bug_cap(b, len);
	buf_reset(b);
	append(b, s, len);
}

void buf_set(struct buf *b, const char *s)
{
	if (!s) {
		buf_release(b);
		return;
	}
	buf_setn(b, s, strlen(s));
}

void buf_set_empty(struct buf *b)
{
	buf_setn(b, "", 0);
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

	if (!p)
		die_oom();
	return p;
}

void *xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);

	if (!p)
		die_oom();
	return p;
}

char *xstrdup(const char *s)
{
	size_t n = strlen(s) + 1;
	char *p = xmalloc(n);

	memcpy(p, s, n);
	return p;
}
