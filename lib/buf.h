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
 * who controls the input can make us allocate.
 *
 * One rule for failure, as git's strbuf, with curl's checked results:
 *
 *  - Out of memory dies, everywhere: "fatal: out of memory" and exit
 *    128, as xmalloc.  No caller checks for it.
 *
 *  - The plain functions (buf_add, buf_adds, buf_addch, buf_addf,
 *    buf_vaddf, buf_set, buf_setn, buf_set_empty) return nothing.  They
 *    are for text the program composes, whose size it controls: a
 *    message, a key, a path made of pieces it bounded.  Passing the cap
 *    there is a bug in the program: "bbtoken: BUG: ..." and abort(), as
 *    git's BUG().
 *
 *  - The buf_try_* functions are for input from outside whose size the
 *    program does not control: git's protocol on stdin, a child's
 *    output, a file, the terminal, a D-Bus value, a decoded payload, or
 *    text quoting any of those.  At the cap they return -1 and leave the
 *    buffer as it was; the caller must look (warn_unused_result) and
 *    tell the user, or refuse the input.
 *
 * So a plain call that appends outside bytes is a way for that input to
 * kill the process.  Where a plain call quotes outside bytes anyway, a
 * comment beside it says what bounds them (a line checked short, a
 * source buffer whose cap is no larger).
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

/* Append text the program composes; past the cap is a BUG and dies. */
void buf_add(struct buf *b, const void *data, size_t len);
void buf_adds(struct buf *b, const char *s);
void buf_addch(struct buf *b, int c);
void buf_addf(struct buf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void buf_vaddf(struct buf *b, const char *fmt, va_list ap)
	__attribute__((format(printf, 2, 0)));

/* Replace the contents with s (NULL unsets); past the cap dies too. */
void buf_set(struct buf *b, const char *s);
void buf_setn(struct buf *b, const char *s, size_t len);
/* Make the buffer set to the empty string. */
void buf_set_empty(struct buf *b);

/*
 * For input from outside: as buf_add, buf_adds, buf_setn and buf_addf,
 * but 0, or -1 with the buffer as it was when the result would pass the
 * cap.  buf_try_setn leaves the old contents in place on -1.
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
