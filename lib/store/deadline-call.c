/* SPDX-License-Identifier: MIT */
/* A libsecret call with a deadline (see deadline-call.h). */
#include "deadline-call.h"

/* How long a cancelled call gets to wind down before we give up. */
#define CANCEL_GRACE_MS 100

void deadline_call_done(GObject *source, GAsyncResult *res, gpointer data)
{
	struct deadline_call *c = data;

	(void)source;
	c->res = g_object_ref(res);
}

static gboolean expire(gpointer data)
{
	*(int *)data = 1;
	return G_SOURCE_REMOVE;
}

void deadline_call_begin(struct deadline_call *c)
{
	c->ctx = g_main_context_new();
	c->cancel = g_cancellable_new();
	c->res = NULL;
	c->expired = 0;
	g_main_context_push_thread_default(c->ctx);
}

/* Run the context until the answer or ms pass; 1 when the time ran out. */
static int run_until(struct deadline_call *c, int ms)
{
	GSource *timer = g_timeout_source_new(ms > 0 ? ms : 1);
	int expired = 0;

	g_source_set_callback(timer, expire, &expired, NULL);
	g_source_attach(timer, c->ctx);
	while (!c->res && !expired)
		g_main_context_iteration(c->ctx, TRUE);
	g_source_destroy(timer);
	g_source_unref(timer);
	return expired;
}

int deadline_call_wait(struct deadline_call *c, int timeout_ms)
{
	if (run_until(c, timeout_ms)) {
		c->expired = 1;
		g_cancellable_cancel(c->cancel);
		run_until(c, CANCEL_GRACE_MS);
	}
	return c->res != NULL;
}

void deadline_call_end(struct deadline_call *c)
{
	g_main_context_pop_thread_default(c->ctx);
	if (c->res)
		g_object_unref(c->res);
	g_object_unref(c->cancel);
	g_main_context_unref(c->ctx);
}
