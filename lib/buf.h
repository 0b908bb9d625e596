/* SPDX-License-Identifier: MIT */
#ifndef BBTOKEN_BUF_H
#define BBTOKEN_BUF_H

#include <stdarg.h>
#include <stddef.h>

/*
 * A growable byte buffer with a size cap, for every string the helper
 * handles.  Any of them may hold a secret, so nobody has to decide which
 * do: buf_reset() and buf_release() wipe the bytes before the memory is
 * reused or freed.
 *
 * A buf is either unset (b->buf == NULL) or set, possibly to the empty
 * string; git's protocol tells "username=" from no username at all, and
 * so do we.  When set, b->buf is always NUL-terminated at b->len.
 *
 * The cap (b->max, 0 meaning BUF_MAX_DEFAULT) bounds what an attacker
 * who controls the input can make us allocate.  Adding beyond it fails
 * and leaves the buffer as it was.
 */
struct buf {
	char *buf;
	size_t len;
	size_t alloc;
	size_t max;
};

#define BUF_MAX_DEFAULT (1024 * 1024)
#define BUF_INIT { NULL, 0, 0, 0 }

/*
 * Give b the cap max, unset.  b must be BUF_INIT, released, or in use: a
 * set buffer is wiped and freed first, never dropped with its contents.
 * Memory that may hold anything (a stack struct) must be zeroed or
 * BUF_INIT first; the *_init functions of structs do that.
 */
void buf_init(struct buf *b, size_t max);

/* Append; each returns 0, or -1 (buffer unchanged) past the cap or on OOM. */
int buf_add(struct buf *b, const void *data, size_t len);
int buf_adds(struct buf *b, const char *s);
int buf_addch(struct buf *b, int c);
int buf_addf(struct buf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
int buf_vaddf(struct buf *b, const char *fmt, va_list ap)
	__attribute__((format(printf, 2, 0)));

/*
 * For input from outside (a peer's body, a command's output, a file):
 * append, or return -1 and leave the buffer as it was when it would pass
 * the cap.  Out of memory dies, as everywhere.  The result must be
 * looked at: ignoring it would silently drop input.
 */
int buf_try_add(struct buf *b, const void *data, size_t len)
	__attribute__((warn_unused_result));
int buf_try_adds(struct buf *b, const char *s)
	__attribute__((warn_unused_result));
int buf_try_setn(struct buf *b, const char *s, size_t len)
	__attribute__((warn_unused_result));
int buf_try_addf(struct buf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3), warn_unused_result));
int buf_try_vaddf(struct buf *b, const char *fmt, va_list ap)
	__attribute__((format(printf, 2, 0), warn_unused_result));

/* Replace the contents with s (NULL unsets). */
int buf_set(struct buf *b, const char *s);
int buf_setn(struct buf *b, const char *s, size_t len);
/* Make the buffer set to the empty string. */
int buf_set_empty(struct buf *b);

/* Wipe and empty, keeping the allocation; an unset buffer stays unset. */
void buf_reset(struct buf *b);
/* Wipe, free and unset; the buffer can be used again. */
void buf_release(struct buf *b);

static inline int buf_isset(const struct buf *b) { return b->buf != NULL; }
/* The contents, or "" when unset; never NULL. */
const char *buf_str(const struct buf *b);

/* Is the buffer set and equal to s (an unset buffer equals only NULL)? */
int buf_eq(const struct buf *b, const char *s);

/*
 * Compare two secrets without leaking through timing where they differ.
 * The length is not hidden.  Returns 1 when equal.
 */
int secret_eq(const char *a, size_t alen, const char *b, size_t blen);

/* explicit_bzero, which the compiler may not drop. */
void wipe(void *p, size_t len);
/* Wipe a NUL-terminated string and free it; NULL is fine. */
void free_secret(char *s);

/* Allocate or die: out of memory is not a state we try to limp on from. */
void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
char *xstrdup(const char *s);

#endif
