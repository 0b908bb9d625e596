/* SPDX-License-Identifier: MIT */
/*
 * The store that git's `get` runs: a read-only Secret Service client
 * spoken over raw GDBus, with no libsecret.
 *
 * Git runs the helper for every authenticated HTTPS request, so this
 * path is measured in tenths of a millisecond (docs/internals/get-path.md).
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

#include <errno.h>
#include <fcntl.h>
#include <gio/gio.h>
#include <poll.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#define SS_BUS_NAME "org.freedesktop.secrets"
#define SS_SERVICE_PATH "/org/freedesktop/secrets"
#define SS_SERVICE_IFACE "org.freedesktop.Secret.Service"

struct lookup {
	GDBusConnection *bus;	/* private, opened by the first find */
	GMainContext *ctx;	/* where our replies are dispatched */
	int hello;		/* Hello is ours to send, before anything */
	gint64 deadline;	/* of the find running, monotonic µs */
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

static int ms_left(gint64 deadline);

/*
 * Send a method call without waiting for it.  GDBus enforces the
 * deadline itself: past what is left of the find's, the reply is an
 * error.
 */
static void call_bus(struct store *s, const char *dest, const char *path,
		     const char *iface, const char *method, GVariant *args,
		     const char *reply_type, struct reply *r)
{
	struct lookup *g = s->priv;

	g_dbus_connection_call(g->bus, dest, path, iface, method, args,
			       G_VARIANT_TYPE(reply_type),
			       G_DBUS_CALL_FLAGS_NONE, ms_left(g->deadline),
			       NULL, on_reply, r);
}

static void call_service(struct store *s, const char *path, const char *method,
			 GVariant *args, const char *reply_type, struct reply *r)
{
	call_bus(s, SS_BUS_NAME, path, SS_SERVICE_IFACE, method, args,
		 reply_type, r);
}

/* Every call sent has a deadline, so this always returns. */
static void wait_reply(struct lookup *g, struct reply *r)
{
	while (!r->done)
		g_main_context_iteration(g->ctx, TRUE);
}

/* ---- the bus connection, under the find's deadline ---- */

/* Milliseconds left until deadline (monotonic, µs), at least 1. */
static int ms_left(gint64 deadline)
{
	gint64 left = (deadline - g_get_monotonic_time() + 999) / 1000;

	return left > 0 ? (int)(left < G_MAXINT ? left : G_MAXINT) : 1;
}

static int expired(gint64 deadline)
{
	return g_get_monotonic_time() >= deadline;
}

static int bus_timeout(struct store *s, const char *doing)
{
	dbus_bus_timeout_detail(s, s->timeout_ms, doing);
	return STORE_ERR_TIMEOUT;
}

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c |= 0x20;
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* Undo a D-Bus address value's %XX escapes into out; -1 when malformed. */
static int unescape(const char *v, size_t len, char *out, size_t size)
{
	size_t i, n = 0;

	for (i = 0; i < len; i++) {
		int c = (unsigned char)v[i];

		if (c == '%') {
			int hi, lo;

			if (i + 2 >= len)
				return -1;
			hi = hexval(v[i + 1]);
			lo = hi < 0 ? -1 : hexval(v[i + 2]);
			if (lo < 0)
				return -1;
			c = hi << 4 | lo;
			i += 2;
		}
		if (!c || n + 1 >= size)
			return -1;
		out[n++] = (char)c;
	}
	out[n] = '\0';
	return 0;
}

/*
 * The socket of a session bus address we connect ourselves: exactly one
 * unix:path= or unix:abstract= entry, as dbus-daemon, dbus-broker and
 * systemd hand out.  Anything else (a list of addresses to try in turn,
 * tcp:, nonce-tcp:, unixexec:, autolaunch:, keys we do not know) is
 * left to GIO: 0.  guid gets the server's guid when the address has one.
 */
static int unix_address(const char *address, struct sockaddr_un *sa,
			socklen_t *len, char *guid, size_t guid_size)
{
	const char *p, *end = address + strlen(address);
	char value[sizeof(sa->sun_path) + 1];
	int have = 0;

	/* Empty entries are skipped, as GIO does; a second one is a list. */
	while (*address == ';')
		address++;
	while (end > address && end[-1] == ';')
		end--;
	if (memchr(address, ';', end - address) || end - address < 5 ||
	    strncmp(address, "unix:", 5))
		return 0;
	memset(sa, 0, sizeof(*sa));
	sa->sun_family = AF_UNIX;
	*guid = '\0';
	for (p = address + 5; p < end; ) {
		const char *comma = memchr(p, ',', end - p);
		const char *stop = comma ? comma : end;
		const char *eq = memchr(p, '=', stop - p);
		size_t klen;

		if (!eq)
			return 0;
		klen = eq - p;
		if (unescape(eq + 1, stop - eq - 1, value, sizeof(value)))
			return 0;
		if (klen == 4 && !strncmp(p, "path", 4) && !have) {
			if (strlen(value) >= sizeof(sa->sun_path))
				return 0;
			strcpy(sa->sun_path, value);
			*len = offsetof(struct sockaddr_un, sun_path) +
			       strlen(value) + 1;
			have = 1;
		} else if (klen == 8 && !strncmp(p, "abstract", 8) && !have) {
			if (strlen(value) + 1 > sizeof(sa->sun_path))
				return 0;
			memcpy(sa->sun_path + 1, value, strlen(value));
			*len = offsetof(struct sockaddr_un, sun_path) + 1 +
			       strlen(value);
			have = 1;
		} else if (klen == 4 && !strncmp(p, "guid", 4)) {
			if (strlen(value) >= guid_size)
				return 0;
			strcpy(guid, value);
		} else {
			return 0;
		}
		p = comma ? comma + 1 : end;
	}
	return have;
}

/*
 * SASL EXTERNAL, the whole exchange sent at once as sd-bus does: the
 * credentials byte, AUTH with our uid, and BEGIN behind it, so that the
 * bus's "OK <guid>" is the only answer and costs one round trip where
 * GDBus's own client makes two.  No unix fd passing is negotiated: the
 * Secret Service calls we make pass none.
 *
 * Returns STORE_OK; STORE_ERR_TIMEOUT; STORE_ERR_UNAVAILABLE when the
 * bus hangs up; 1 when the bus wants something else (another
 * mechanism), which GIO's client then gets to try.
 */
static int authenticate(struct store *s, int fd, const char *guid,
			gint64 deadline)
{
	char out[64], in[256], uid[24];
	size_t n = 0, sent = 0, i;
	int len;

	snprintf(uid, sizeof(uid), "%lu", (unsigned long)geteuid());
	out[0] = '\0';
	len = 1 + snprintf(out + 1, sizeof(out) - 1, "AUTH EXTERNAL ");
	for (i = 0; uid[i]; i++)
		len += snprintf(out + len, sizeof(out) - len, "%02x",
				(unsigned char)uid[i]);
	len += snprintf(out + len, sizeof(out) - len, "\r\nBEGIN\r\n");

	while (sent < (size_t)len) {
		struct pollfd pfd = { fd, POLLOUT, 0 };
		ssize_t w = send(fd, out + sent, len - sent, MSG_NOSIGNAL);

		if (w > 0) {
			sent += w;
			continue;
		}
		if (w < 0 && errno != EAGAIN && errno != EINTR)
			goto hung_up;
		if (expired(deadline) || poll(&pfd, 1, ms_left(deadline)) == 0)
			return bus_timeout(s, "authenticating to it");
	}
	for (;;) {
		struct pollfd pfd = { fd, POLLIN, 0 };
		char *nl = memchr(in, '\n', n);
		ssize_t r;

		if (nl) {
			/* The bus says nothing more until we send a message. */
			if (nl != in + n - 1 || nl == in || nl[-1] != '\r' ||
			    n < 3 || strncmp(in, "OK", 2))
				return 1;
			nl[-1] = '\0';
			if (*guid && strcmp(in + 2 + strspn(in + 2, " "), guid))
				return 1;
			return STORE_OK;
		}
		if (n == sizeof(in))
			return 1;
		r = recv(fd, in + n, sizeof(in) - n, 0);
		if (r > 0) {
			n += r;
			continue;
		}
		if (!r || (errno != EAGAIN && errno != EINTR))
			goto hung_up;
		if (expired(deadline) || poll(&pfd, 1, ms_left(deadline)) == 0)
			return bus_timeout(s, "authenticating to it");
	}
hung_up:
	store_set_detail(s, "cannot connect to the session bus: it closed "
			 "the connection while we authenticated");
	return STORE_ERR_UNAVAILABLE;
}

/*
 * Connect to a unix socket ourselves, so that each step has the find's
 * deadline.  A stopped dbus-daemon still has its kernel accept the
 * connection while the listen backlog has room; past that a blocking
 * connect() would wait for it, which SO_SNDTIMEO bounds (on Linux it is
 * what a unix socket's connect waits with).
 *
 * Returns the connected, authenticated, non-blocking fd, or -1 with the
 * error in *err (1: let GIO try).
 */
static int connect_unix(struct store *s, const struct sockaddr_un *sa,
			socklen_t len, const char *guid, gint64 deadline,
			int *err)
{
	int left = ms_left(deadline);
	struct timeval tv = { left / 1000, (left % 1000) * 1000 };
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (fd < 0) {
		store_set_detail(s, "cannot connect to the session bus: %s",
				 g_strerror(errno));
		*err = STORE_ERR_UNAVAILABLE;
		return -1;
	}
	if (setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv)) ||
	    connect(fd, (const struct sockaddr *)sa, len)) {
		if (errno == EAGAIN || errno == EINPROGRESS || errno == EINTR)
			*err = bus_timeout(s, "connecting to it");
		else {
			/* The words GIO's client has for it. */
			store_set_detail(s, "cannot connect to the session bus: "
					 "Could not connect: %s", g_strerror(errno));
			*err = STORE_ERR_UNAVAILABLE;
		}
		close(fd);
		return -1;
	}
	if (fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) ||
	    (*err = authenticate(s, fd, guid, deadline))) {
		if (!*err) {
			store_set_detail(s, "cannot connect to the session bus: %s",
					 g_strerror(errno));
			*err = STORE_ERR_UNAVAILABLE;
		}
		close(fd);
		return -1;
	}
	return fd;
}

/* An authenticated socket made into a GDBus connection: no I/O here. */
static int wrap_socket(struct store *s, int fd)
{
	struct lookup *g = s->priv;
	GSocketConnection *stream;
	GSocket *sock;
	GError *e = NULL;

	sock = g_socket_new_from_fd(fd, &e);
	if (!sock) {
		close(fd);
	} else {
		stream = g_socket_connection_factory_create_connection(sock);
		/*
		 * No flags: the stream is authenticated already, and Hello is
		 * ours to send (search_and_read), in the same round trip as
		 * the keyring calls.  MESSAGE_BUS_CONNECTION would have GDBus
		 * send it first and wait for it, without our deadline.
		 */
		g->bus = g_dbus_connection_new_sync(G_IO_STREAM(stream), NULL,
						    G_DBUS_CONNECTION_FLAGS_NONE,
						    NULL, NULL, &e);
		g_object_unref(stream);
		g_object_unref(sock);
	}
	if (g->bus) {
		g->hello = 1;
		return STORE_OK;
	}
	store_set_detail(s, "cannot connect to the session bus: %s", e->message);
	g_error_free(e);
	return STORE_ERR_UNAVAILABLE;
}

/*
 * GIO's own asynchronous connect, for the addresses we do not connect
 * ourselves.  Its worker threads cost time, but these addresses are rare
 * and the deadline holds.  A connect still running at the deadline is
 * abandoned: the callback frees what it finds.
 */
struct bus_wait {
	GDBusConnection *bus;
	GError *error;
	int done;
	int abandoned;
};

static void on_bus(GObject *source, GAsyncResult *res, gpointer data)
{
	struct bus_wait *w = data;

	(void)source;
	w->bus = g_dbus_connection_new_for_address_finish(res, &w->error);
	w->done = 1;
	if (w->abandoned) {
		if (w->bus)
			g_object_unref(w->bus);
		g_clear_error(&w->error);
		free(w);
	}
}

static gboolean on_deadline(gpointer data)
{
	*(int *)data = 1;
	return G_SOURCE_REMOVE;
}

static int connect_gio(struct store *s, const char *address, gint64 deadline)
{
	struct lookup *g = s->priv;
	struct bus_wait *w = xcalloc(1, sizeof(*w));
	GCancellable *cancel = g_cancellable_new();
	GSource *timer = g_timeout_source_new(ms_left(deadline));
	int late = 0, ret = STORE_OK;

	g_source_set_callback(timer, on_deadline, &late, NULL);
	g_source_attach(timer, g->ctx);
	g_dbus_connection_new_for_address(address,
		G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT |
		G_DBUS_CONNECTION_FLAGS_MESSAGE_BUS_CONNECTION,
		NULL, cancel, on_bus, w);
	while (!w->done && !late)
		g_main_context_iteration(g->ctx, TRUE);
	g_source_destroy(timer);
	g_source_unref(timer);
	if (!w->done) {
		g_cancellable_cancel(cancel);
		w->abandoned = 1;
		ret = bus_timeout(s, "connecting to it");
	} else if (w->bus) {
		g->bus = w->bus;
	} else if (dbus_error_is_timeout(w->error)) {
		ret = bus_timeout(s, "connecting to it");
	} else {
		store_set_detail(s, "cannot connect to the session bus: %s",
				 w->error->message);
		ret = STORE_ERR_UNAVAILABLE;
	}
	if (!w->abandoned) {
		g_clear_error(&w->error);
		free(w);
	}
	g_object_unref(cancel);
	return ret;
}

/*
 * A private connection rather than g_bus_get()'s shared one: the shared
 * one is set to raise SIGTERM in the whole process (git's helper) when
 * the bus goes away, and it is no faster.  The address comes from
 * DBUS_SESSION_BUS_ADDRESS or GIO's usual fallbacks.
 *
 * Every step is bounded by the find's deadline: a session bus whose
 * socket accepts but whose daemon never answers (stopped, wedged) must
 * not hang git.  GIO's synchronous connect has no deadline, and its
 * asynchronous one costs this path 0.5 ms or more in worker threads, so
 * a unix socket, what session buses use, is connected and authenticated
 * here with poll(); other addresses go through GIO's asynchronous one.
 */
static int connect_bus(struct store *s, gint64 deadline)
{
	struct lookup *g = s->priv;
	struct sockaddr_un sa;
	socklen_t len = 0;
	char guid[64];
	GError *e = NULL;
	char *address;
	int fd, ret = 1;

	if (g->bus)
		return STORE_OK;
	address = g_dbus_address_get_for_bus_sync(G_BUS_TYPE_SESSION, NULL, &e);
	if (!address) {
		store_set_detail(s, "cannot connect to the session bus: %s",
				 e->message);
		g_error_free(e);
		return STORE_ERR_UNAVAILABLE;
	}
	if (unix_address(address, &sa, &len, guid, sizeof(guid))) {
		fd = connect_unix(s, &sa, len, guid, deadline, &ret);
		if (fd >= 0)
			ret = wrap_socket(s, fd);
	}
	if (ret == 1)
		ret = connect_gio(s, address, deadline);
	g_free(address);
	return ret;
}

static GVariant *search_args(const char *host, int with_schema)
{
	GVariantBuilder attrs;

	g_variant_builder_init(&attrs, G_VARIANT_TYPE("a{ss}"));
	if (with_schema)
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
	/* A bus message may carry a path past any cap: not one of ours. */
	if (buf_try_setn(&t->id, path, strlen(path)) < 0) {
		token_free(t);
		return 0;
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
	dbus_locked_detail(s, nr);
	return STORE_ERR_LOCKED;
}

/*
 * Some keyrings show no item at all of a locked collection, locked or
 * not (KeePassXC 2.7.4 with its database locked): then only the
 * collection's own Locked property tells an empty keyring from a locked
 * one.  Ask it of the default collection; two more round trips, on the
 * path where nothing was found only.
 */
static int default_locked(struct store *s)
{
	struct lookup *g = s->priv;
	struct reply alias = { NULL, NULL, 0 }, prop = { NULL, NULL, 0 };
	const char *path = NULL;
	int ret = STORE_OK, locked = 0;

	call_service(s, SS_SERVICE_PATH, "ReadAlias",
		     g_variant_new("(s)", "default"), "(o)", &alias);
	wait_reply(g, &alias);
	if (alias.error) {
		ret = fail(s, alias.error, "asking the keyring for its default collection");
		goto out;
	}
	g_variant_get(alias.value, "(&o)", &path);
	if (!strcmp(path, "/"))
		goto out;	/* no default collection: nothing locked in it */
	call_bus(s, SS_BUS_NAME, path, "org.freedesktop.DBus.Properties", "Get",
		 g_variant_new("(ss)", "org.freedesktop.Secret.Collection",
			       "Locked"), "(v)", &prop);
	wait_reply(g, &prop);
	if (prop.error) {
		ret = fail(s, prop.error, "asking the keyring whether it is locked");
		goto out;
	}
	{
		GVariant *v = g_variant_get_child_value(prop.value, 0);
		GVariant *b = g_variant_get_variant(v);

		locked = g_variant_is_of_type(b, G_VARIANT_TYPE_BOOLEAN) &&
			 g_variant_get_boolean(b);
		g_variant_unref(b);
		g_variant_unref(v);
	}
	if (locked) {
		store_set_detail(s, "the keyring is locked, and shows none of its "
				 "items while it is; unlock it, for example by "
				 "logging in to the desktop session or opening "
				 "the password manager");
		ret = STORE_ERR_LOCKED;
	}
out:
	reply_release(&alias);
	reply_release(&prop);
	return ret;
}

/*
 * Nothing found: maybe nothing is there, or maybe a keyring locked since
 * its daemon started.  gnome-keyring 42 then matches no search that
 * names xdg:schema, while a search on the other attributes finds the
 * items, as locked.  Ask once more without the schema, only on this
 * path (a host with no token, rare for a host we serve), and only count
 * what is locked: unlocked items it finds are somebody else's, whose
 * secrets we do not read.
 */
static int locked_behind_schema(struct store *s, const char *host)
{
	struct lookup *g = s->priv;
	struct reply search = { NULL, NULL, 0 };
	size_t nr = 0;
	int ret = STORE_OK;

	call_service(s, SS_SERVICE_PATH, "SearchItems", search_args(host, 0),
		     "(aoao)", &search);
	wait_reply(g, &search);
	if (search.error) {
		ret = fail(s, search.error, "searching the keyring");
	} else {
		GVariant *locked = g_variant_get_child_value(search.value, 1);

		nr = g_variant_n_children(locked);
		g_variant_unref(locked);
	}
	reply_release(&search);
	if (ret == STORE_OK && nr)
		return locked_error(s, nr);
	return ret == STORE_OK ? default_locked(s) : ret;
}

/* GetSecrets for the unlocked paths, decoded into out. */
static int get_secrets(struct store *s, GVariant *unlocked, const char *session,
		       struct token_list *out)
{
	struct lookup *g = s->priv;
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
	struct lookup *g = s->priv;
	struct reply session = { NULL, NULL, 0 }, search = { NULL, NULL, 0 };
	struct reply hello = { NULL, NULL, 0 };
	GVariant *unlocked = NULL, *locked = NULL;
	const char *session_path = NULL;
	int ret = STORE_OK;

	/*
	 * All in flight before we wait for any: one round trip, not three.
	 * The bus handles a connection's messages in order, so Hello, which
	 * must come first, is done before the keyring calls reach it.
	 */
	if (g->hello)
		call_bus(s, "org.freedesktop.DBus", "/org/freedesktop/DBus",
			 "org.freedesktop.DBus", "Hello", NULL, "(s)", &hello);
	call_service(s, SS_SERVICE_PATH, "OpenSession",
		     g_variant_new("(sv)", "plain", g_variant_new_string("")),
		     "(vo)", &session);
	call_service(s, SS_SERVICE_PATH, "SearchItems", search_args(host, 1),
		     "(aoao)", &search);
	if (g->hello)
		wait_reply(g, &hello);
	wait_reply(g, &session);
	wait_reply(g, &search);

	if (session.value)
		g_variant_get_child(session.value, 1, "&o", &session_path);
	if (g->hello && hello.error) {
		/* Nothing the keyring said counts if the bus did not answer. */
		if (dbus_error_is_timeout(hello.error))
			ret = bus_timeout(s, "saying Hello to it");
		else
			ret = fail(s, hello.error, "connecting to the session bus");
	} else if (search.error)
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
	else if (ret == STORE_OK && !g_variant_n_children(unlocked))
		ret = locked_behind_schema(s, host);
out:
	/*
	 * No Session.Close: the API closes a session when its client leaves
	 * the bus, which we do in lookup_close.  Sending Close and flushing it
	 * measured 0.25 ms, the whole margin of this path.
	 */
	if (unlocked)
		g_variant_unref(unlocked);
	if (locked)
		g_variant_unref(locked);
	if (g->hello && hello.error) {
		/* Useless without Hello: the next find connects again. */
		g_object_unref(g->bus);
		g->bus = NULL;
	}
	g->hello = 0;
	reply_release(&hello);
	reply_release(&session);
	reply_release(&search);
	return ret;
}

static int lookup_find(struct store *s, const char *host,
		      struct token_list *out)
{
	struct lookup *g = s->priv;
	size_t first = out->nr;
	int ret;

	/* Not UTF-8: no item can carry it, and D-Bus could not send it. */
	if (host && !g_utf8_validate(host, -1, NULL))
		return STORE_OK;
	/* One deadline for the whole find, connecting included. */
	g->deadline = g_get_monotonic_time() + (gint64)s->timeout_ms * 1000;
	g_main_context_push_thread_default(g->ctx);
	ret = connect_bus(s, g->deadline);
	if (ret == STORE_OK)
		ret = search_and_read(s, host, out);
	g_main_context_pop_thread_default(g->ctx);
	token_list_sort_newest(out, first);
	return ret;
}

static int lookup_list(struct store *s, struct token_list *out)
{
	return lookup_find(s, NULL, out);
}

static int read_only(struct store *s)
{
	store_set_detail(s, "the %s store is read-only; writing needs the "
		   "Secret Service store", s->ops->name);
	return STORE_ERR_FAILED;
}

static int lookup_put(struct store *s, struct token *t)
{
	(void)t;
	return read_only(s);
}

static int lookup_mark(struct store *s, const struct token *t, int rejected)
{
	(void)t;
	(void)rejected;
	return read_only(s);
}

static int lookup_remove(struct store *s, const struct token *t)
{
	(void)t;
	return read_only(s);
}

static void lookup_close(struct store *s)
{
	struct lookup *g = s->priv;

	/* Dropping the last reference to a private connection closes it. */
	if (g->bus)
		g_object_unref(g->bus);
	g_main_context_unref(g->ctx);
	free(g);
	store_free(s);
}

static const struct store_ops lookup_ops = {
	.name = "secret-service-get",
	.find = lookup_find,
	.put = lookup_put,
	.mark = lookup_mark,
	.remove = lookup_remove,
	.list = lookup_list,
	.close = lookup_close,
};

/*
 * Nothing is contacted here: the bus is reached by the first find, so
 * that its failure comes back with a detail in the store.
 */
int store_secretservice_get_open(struct store **out, int flags)
{
	struct lookup *g = xcalloc(1, sizeof(*g));

	g->ctx = g_main_context_new();
	*out = store_new(&lookup_ops, g, flags);
	return STORE_OK;
}
