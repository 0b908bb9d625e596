/* SPDX-License-Identifier: MIT */
/*
 * The store that git's `get` runs: a read-only Secret Service client
 * spoken over raw GDBus, with no libsecret.
 *
 * Git runs the helper for every authenticated HTTPS request, so this
 * path is measured in tenths of a millisecond (shared/design/get-path.md).
 * What makes it fast is what it leaves out: no Diffie-Hellman session
 * (the "plain" algorithm), no proxy objects loading properties, no
 * attributes read, and OpenSession sent together with SearchItems so the
 * two share one round trip.  Everything a `get` needs is in the secret
 * (token.h).  That is three keyring calls where libsecret makes six.
 *
 * The "plain" session means the secret crosses the session bus in the
 * clear.  A process that can watch this user's session bus can also read
 * the unlocked keyring, so this gives nothing away that was not given.
 *
 * Locked items are reported, not unlocked: unlocking may need a prompt,
 * and prompts belong to the libsecret store, to which the caller falls
 * back on STORE_ERR_LOCKED.
 *
 * Only calls from the published Secret Service API are made, so that
 * gnome-keyring, KWallet and KeePassXC all answer them.
 */
#include "../store.h"
#include "dbus-error.h"
#include "secretservice.h"

#include <gio/gio.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#define SS_BUS_NAME "org.freedesktop.secrets"
#define SS_SERVICE_PATH "/org/freedesktop/secrets"
#define SS_SERVICE_IFACE "org.freedesktop.Secret.Service"

struct ssget {
	GDBusConnection *bus;	/* private, opened by the first find */
	GMainContext *ctx;	/* where our replies are dispatched */
};

/* One method call in flight; its callback fills this in. */
struct reply {
	GVariant *value;
	GError *error;
	int done;
};

/* What a failed call means to the caller; the detail says the rest. */
static int classify(const GError *e)
{
	if (dbus_error_is_timeout(e))
		return STORE_ERR_TIMEOUT;
	if (dbus_error_is_unavailable(e))
		return STORE_ERR_UNAVAILABLE;
	/* An item locked again between SearchItems and GetSecrets. */
	if (dbus_error_is_remote(e, "org.freedesktop.Secret.Error.IsLocked"))
		return STORE_ERR_LOCKED;
	return STORE_ERR_FAILED;
}

static int fail(struct store *s, GError *e, const char *doing)
{
	int err = classify(e);

	g_dbus_error_strip_remote_error(e);
	if (err == STORE_ERR_TIMEOUT)
		store_set_detail(s, "the keyring did not answer within %d ms while %s",
			   s->timeout_ms, doing);
	else
		store_set_detail(s, "%s: %s", doing, e->message);
	return err;
}

static void on_reply(GObject *source, GAsyncResult *res, gpointer data)
{
	struct reply *r = data;

	r->value = g_dbus_connection_call_finish(G_DBUS_CONNECTION(source),
						 res, &r->error);
	r->done = 1;
}

static void reply_release(struct reply *r)
{
	if (r->value)
		g_variant_unref(r->value);
	g_clear_error(&r->error);
}

/*
 * Send a Secret Service method call without waiting for it.  GDBus
 * enforces the deadline itself: past timeout_ms the reply is an error.
 */
static void call_service(struct store *s, const char *path, const char *method,
			 GVariant *args, const char *reply_type, struct reply *r)
{
	struct ssget *g = s->priv;

	g_dbus_connection_call(g->bus, SS_BUS_NAME, path, SS_SERVICE_IFACE,
			       method, args, G_VARIANT_TYPE(reply_type),
			       G_DBUS_CALL_FLAGS_NONE, s->timeout_ms, NULL,
			       on_reply, r);
}

/* Every call sent has a deadline, so this always returns. */
static void wait_reply(struct ssget *g, struct reply *r)
{
	while (!r->done)
		g_main_context_iteration(g->ctx, TRUE);
}

/*
 * A private connection rather than g_bus_get()'s shared one: the shared
 * one is set to raise SIGTERM in the whole process (git's helper) when
 * the bus goes away, and it is no faster.  The address comes from
 * DBUS_SESSION_BUS_ADDRESS or GIO's usual fallbacks.
 *
 * The connection itself has no deadline of ours: that is a talk with
 * the bus daemon, not the keyring, and it fails at once when nobody
 * listens.  Bounding it would mean GIO's asynchronous set-up, whose
 * worker threads cost this path 0.5 ms or more per process.
 */
static int connect_bus(struct store *s)
{
	struct ssget *g = s->priv;
	GError *e = NULL;
	char *address;

	if (g->bus)
		return STORE_OK;
	address = g_dbus_address_get_for_bus_sync(G_BUS_TYPE_SESSION, NULL, &e);
	if (address) {
		g->bus = g_dbus_connection_new_for_address_sync(address,
			G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT |
			G_DBUS_CONNECTION_FLAGS_MESSAGE_BUS_CONNECTION,
			NULL, NULL, &e);
		g_free(address);
	}
	if (g->bus)
		return STORE_OK;
	store_set_detail(s, "cannot connect to the session bus: %s", e->message);
	g_error_free(e);
	return STORE_ERR_UNAVAILABLE;
}

static GVariant *search_args(const char *host)
{
	GVariantBuilder attrs;

	g_variant_builder_init(&attrs, G_VARIANT_TYPE("a{ss}"));
	g_variant_builder_add(&attrs, "{ss}", "xdg:schema", SS_SCHEMA_NAME);
	if (host)
		g_variant_builder_add(&attrs, "{ss}", SS_ATTR_HOST, host);
	return g_variant_new("(a{ss})", &attrs);
}

static void wipe_value(GVariant *value)
{
	gsize len;
	const void *data = g_variant_get_fixed_array(value, &len, 1);

	if (data)
		wipe((void *)data, len);
}

/* Decode one value of GetSecrets' answer; what is not a credential is skipped. */
static int add_secret(const char *path, GVariant *value, struct token_list *out)
{
	const char *data;
	struct token *t;
	gsize len;

	data = g_variant_get_fixed_array(value, &len, 1);
	t = token_new();
	if (!data || token_decode(t, data, len)) {
		token_free(t);
		return 0;
	}
	if (buf_set(&t->id, path)) {
		token_free(t);
		return -1;
	}
	return token_list_add(out, t);
}

/*
 * The reply was parsed from the wire into a tree of values in which each
 * "ay" is a copy of its own, so wiping each value reaches the secret.
 * Wiping the whole reply through g_variant_get_data() would not: on a
 * tree that serialises yet another copy.  What we cannot reach is the
 * buffer GDBus read the message into, which it frees without wiping.
 */
static int add_secrets(struct store *s, GVariant *reply, struct token_list *out)
{
	GVariant *secrets = g_variant_get_child_value(reply, 0);
	GVariantIter iter;
	GVariant *entry;
	int ret = STORE_OK;

	g_variant_iter_init(&iter, secrets);
	while ((entry = g_variant_iter_next_value(&iter))) {
		GVariant *secret = g_variant_get_child_value(entry, 1);
		GVariant *value = g_variant_get_child_value(secret, 2);
		const char *path;

		g_variant_get_child(entry, 0, "&o", &path);
		if (ret == STORE_OK && add_secret(path, value, out)) {
			store_set_detail(s, "out of memory reading the keyring");
			ret = STORE_ERR_FAILED;
		}
		wipe_value(value);
		g_variant_unref(value);
		g_variant_unref(secret);
		g_variant_unref(entry);
	}
	g_variant_unref(secrets);
	return ret;
}

static int locked_error(struct store *s, size_t nr)
{
	store_set_detail(s, "%zu keyring item%s locked; unlock the keyring, for "
		   "example by logging in to the desktop session, or for "
		   "gnome-keyring with `gnome-keyring-daemon --replace --unlock` "
		   "and its password on standard input",
		   nr, nr == 1 ? " is" : "s are");
	return STORE_ERR_LOCKED;
}

/* GetSecrets for the unlocked paths, decoded into out. */
static int get_secrets(struct store *s, GVariant *unlocked, const char *session,
		       struct token_list *out)
{
	struct ssget *g = s->priv;
	struct reply secrets = { NULL, NULL, 0 };
	int ret;

	call_service(s, SS_SERVICE_PATH, "GetSecrets",
		     g_variant_new("(@aoo)", unlocked, session),
		     "(a{o(oayays)})", &secrets);
	wait_reply(g, &secrets);
	if (secrets.error)
		ret = fail(s, secrets.error, "reading secrets from the keyring");
	else
		ret = add_secrets(s, secrets.value, out);
	reply_release(&secrets);
	return ret;
}

static int search_and_read(struct store *s, const char *host,
			   struct token_list *out)
{
	struct ssget *g = s->priv;
	struct reply session = { NULL, NULL, 0 }, search = { NULL, NULL, 0 };
	GVariant *unlocked = NULL, *locked = NULL;
	const char *session_path = NULL;
	int ret = STORE_OK;

	/* Both in flight before we wait for either: one round trip, not two. */
	call_service(s, SS_SERVICE_PATH, "OpenSession",
		     g_variant_new("(sv)", "plain", g_variant_new_string("")),
		     "(vo)", &session);
	call_service(s, SS_SERVICE_PATH, "SearchItems", search_args(host),
		     "(aoao)", &search);
	wait_reply(g, &session);
	wait_reply(g, &search);

	if (session.value)
		g_variant_get_child(session.value, 1, "&o", &session_path);
	if (search.error)
		ret = fail(s, search.error, "searching the keyring");
	else if (session.error)
		ret = fail(s, session.error, "opening a keyring session");
	if (ret != STORE_OK)
		goto out;

	unlocked = g_variant_get_child_value(search.value, 0);
	locked = g_variant_get_child_value(search.value, 1);
	if (g_variant_n_children(unlocked))
		ret = get_secrets(s, unlocked, session_path, out);
	if (ret == STORE_OK && g_variant_n_children(locked))
		ret = locked_error(s, g_variant_n_children(locked));
out:
	/*
	 * No Session.Close: the API closes a session when its client leaves
	 * the bus, which we do in ssget_close.  Sending Close and flushing it
	 * measured 0.25 ms, the whole margin of this path.
	 */
	if (unlocked)
		g_variant_unref(unlocked);
	if (locked)
		g_variant_unref(locked);
	reply_release(&session);
	reply_release(&search);
	return ret;
}

static int ssget_find(struct store *s, const char *host,
		      struct token_list *out)
{
	struct ssget *g = s->priv;
	size_t first = out->nr;
	int ret;

	/* Not UTF-8: no item can carry it, and D-Bus could not send it. */
	if (host && !g_utf8_validate(host, -1, NULL))
		return STORE_OK;
	ret = connect_bus(s);
	if (ret != STORE_OK)
		return ret;
	g_main_context_push_thread_default(g->ctx);
	ret = search_and_read(s, host, out);
	g_main_context_pop_thread_default(g->ctx);
	token_list_sort_newest(out, first);
	return ret;
}

static int ssget_list(struct store *s, struct token_list *out)
{
	return ssget_find(s, NULL, out);
}

static int read_only(struct store *s)
{
	store_set_detail(s, "the %s store is read-only; writing needs the "
		   "Secret Service store", s->ops->name);
	return STORE_ERR_FAILED;
}

static int ssget_put(struct store *s, struct token *t)
{
	(void)t;
	return read_only(s);
}

static int ssget_mark(struct store *s, const struct token *t, int rejected)
{
	(void)t;
	(void)rejected;
	return read_only(s);
}

static int ssget_remove(struct store *s, const struct token *t)
{
	(void)t;
	return read_only(s);
}

static void ssget_close(struct store *s)
{
	struct ssget *g = s->priv;

	/* Dropping the last reference to a private connection closes it. */
	if (g->bus)
		g_object_unref(g->bus);
	g_main_context_unref(g->ctx);
	free(g);
	store_free(s);
}

static const struct store_ops ssget_ops = {
	.name = "secret-service-get",
	.find = ssget_find,
	.put = ssget_put,
	.mark = ssget_mark,
	.remove = ssget_remove,
	.list = ssget_list,
	.close = ssget_close,
};

/*
 * Nothing is contacted here: the bus is reached by the first find, so
 * that its failure comes back with a detail in the store.
 */
int store_ssget_open(struct store **out, int flags)
{
	struct ssget *g = xcalloc(1, sizeof(*g));

	g->ctx = g_main_context_new();
	*out = store_new(&ssget_ops, g, flags);
	return STORE_OK;
}
