/* SPDX-License-Identifier: MIT */
#ifndef BBTOKEN_DEADLINE_CALL_H
#define BBTOKEN_DEADLINE_CALL_H

#include <gio/gio.h>

/*
 * A libsecret call with a deadline.
 *
 * libsecret's _sync functions spin a main context of their own until the
 * operation finishes, and some operations never finish: a keyring that
 * does not answer, or a prompt that completes in a way the library does
 * not expect.  So each call is started with libsecret's asynchronous
 * function on a main context of our own, which deadline_call_wait() runs until
 * the answer comes or the deadline passes.  At the deadline the call is
 * cancelled and given a moment to wind down; one that still has not
 * answered is abandoned.  Its context is never run again, so its
 * callback never fires, and what it holds is leaked rather than letting
 * git hang.
 *
 *	struct deadline_call c;
 *
 *	deadline_call_begin(&c);
 *	secret_item_delete(item, c.cancel, deadline_call_done, &c);
 *	if (deadline_call_wait(&c, timeout_ms))
 *		ok = secret_item_delete_finish(item, c.res, &e);
 *	deadline_call_end(&c);
 *
 * c.expired stays readable after deadline_call_end(), to tell a timeout from a
 * failure.
 */
struct deadline_call {
	GMainContext *ctx;
	GCancellable *cancel;	/* to give the call */
	GAsyncResult *res;	/* its answer, for the _finish function */
	int expired;		/* the deadline passed and it was cancelled */
};

/*
 * Make the context and push it as the thread default, so that every
 * step libsecret chains behind the first one is dispatched on it too.
 */
void deadline_call_begin(struct deadline_call *c);

/* The callback to give the call, with c as its data. */
void deadline_call_done(GObject *source, GAsyncResult *res, gpointer data);

/*
 * Run the context until the answer or timeout_ms.  1 when the call
 * answered (c->res is set, even if the answer came in the grace after a
 * cancel), 0 when it was abandoned.
 */
int deadline_call_wait(struct deadline_call *c, int timeout_ms);

/* Pop and drop the context, the cancellable and the answer. */
void deadline_call_end(struct deadline_call *c);

#endif
