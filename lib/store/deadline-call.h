/* SPDX-License-Identifier: MIT */
#ifndef BBTOKEN_SSCALL_H
#define BBTOKEN_SSCALL_H

#include <gio/gio.h>

/*
 * A libsecret call with a deadline.
 *
 * libsecret's _sync functions spin a main context of their own until the
 * operation finishes, and some operations never finish: a keyring that
 * does not answer, or a prompt that completes in a way the library does
 * not expect.  So each call is started with libsecret's asynchronous
 * function on a main context of our own, which sscall_wait() runs until
 * the answer comes or the deadline passes.  At the deadline the call is
 * cancelled and given a moment to wind down; one that still has not
 * answered is abandoned.  Its context is never run again, so its
 * callback never fires, and what it holds is leaked rather than letting
 * git hang.
 *
 *	struct sscall c;
 *
 *	sscall_begin(&c);
 *	secret_item_delete(item, c.cancel, sscall_done, &c);
 *	if (sscall_wait(&c, timeout_ms))
 *		ok = secret_item_delete_finish(item, c.res, &e);
 *	sscall_end(&c);
 *
 * c.expired stays readable after sscall_end(), to tell a timeout from a
 * failure.
 */
struct sscall {
	GMainContext *ctx;
	GCancellable *cancel;	/* to give the call */
	GAsyncResult *res;	/* its answer, for the _finish function */
	int expired;		/* the deadline passed and it was cancelled */
};

/*
 * Make the context and push it as the thread default, so that every
 * step libsecret chains behind the first one is dispatched on it too.
 */
void sscall_begin(struct sscall *c);

/* The callback to give the call, with c as its data. */
void sscall_done(GObject *source, GAsyncResult *res, gpointer data);

/*
 * Run the context until the answer or timeout_ms.  1 when the call
 * answered (c->res is set, even if the answer came in the grace after a
 * cancel), 0 when it was abandoned.
 */
int sscall_wait(struct sscall *c, int timeout_ms);

/* Pop and drop the context, the cancellable and the answer. */
void sscall_end(struct sscall *c);

#endif
