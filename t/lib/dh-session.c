/* SPDX-License-Identifier: MIT */
/*
 * Preloaded by t/0205-kwallet-sessions.sh into the helper, to bring on
 * every time the two ways kwalletd5 5.103 gets about one Diffie-Hellman
 * session in a hundred wrong (lib/store/secretservice.c, top comment).
 *
 * libsecret (0.20.5, secret-session.c) asks for its session with
 * g_dbus_proxy_call(service, "OpenSession", ("dh-ietf1024-sha256-aes128-
 * cbc-pkcs7", <public key>)), and reads the answer with
 * g_dbus_proxy_call_finish().  Counting such calls in the process:
 *
 *   the first DH_SHIM_SHORT send the key without its first byte: the
 *   127 bytes libsecret sends for a key that begins with a zero, which
 *   kwalletd5 refuses ("Client public key size is invalid");
 *
 *   the DH_SHIM_GARBLE after those get the keyring's public key with its
 *   last bit flipped, so the two sides derive other AES keys, as when
 *   kwalletd5 mishandles a shared secret with a leading zero.  It then
 *   cannot decrypt the secret of a CreateItem and answers "Can't find
 *   session" after making the item (or, one time in about 256, the
 *   garbage has valid padding and lands as the secret).
 *
 * Each change is noted in the file DH_SHIM_LOG names, the test's proof
 * that the shim acted.  Every other call goes through untouched.  The
 * modes mimic KWallet: gnome-keyring takes a 127-byte key and computes
 * with it, so both modes garble its session.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <gio/gio.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DH_ALGORITHM "dh-ietf1024-sha256-aes128-cbc-pkcs7"
#define GARBLE_MARK "dh-shim-garble"

typedef void (*call_fn)(GDBusProxy *, const gchar *, GVariant *,
			GDBusCallFlags, gint, GCancellable *,
			GAsyncReadyCallback, gpointer);
typedef GVariant *(*finish_fn)(GDBusProxy *, GAsyncResult *, GError **);

/* The DH OpenSession calls so far, across every proxy of the process. */
static unsigned long dh_calls;

/*
 * The helper dlopens its modules, and GIO with them, RTLD_LOCAL: out of
 * RTLD_NEXT's sight, so the real functions are looked up in GIO itself.
 */
static void *real_gio(const char *name)
{
	void *gio = dlopen("libgio-2.0.so.0", RTLD_NOW);
	void *f = gio ? dlsym(gio, name) : NULL;

	if (!f) {
		fprintf(stderr, "dh-session: no %s in GIO\n", name);
		abort();
	}
	return f;
}

static unsigned long env_count(const char *name)
{
	const char *v = getenv(name);

	return v ? strtoul(v, NULL, 10) : 0;
}

/* A line to the file DH_SHIM_LOG names, if any. */
static void note(const char *what)
{
	const char *path = getenv("DH_SHIM_LOG");
	FILE *f = path ? fopen(path, "a") : NULL;

	if (f) {
		fprintf(f, "%s\n", what);
		fclose(f);
	}
}

/* The caller's callback, called with the result marked to be garbled. */
struct trampoline {
	GAsyncReadyCallback callback;
	gpointer user_data;
};

static void garble_on_finish(GObject *source, GAsyncResult *res, gpointer data)
{
	struct trampoline t = *(struct trampoline *)data;

	g_free(data);
	g_object_set_data(G_OBJECT(res), GARBLE_MARK, GINT_TO_POINTER(1));
	t.callback(source, res, t.user_data);
}

/* ("dh-...", <key>) with the key's first byte dropped; NULL if no key. */
static GVariant *short_key(GVariant *parameters)
{
	const char *algorithm;
	const guchar *key;
	GVariant *input, *out = NULL;
	gsize len;

	g_variant_get(parameters, "(&sv)", &algorithm, &input);
	if (g_variant_is_of_type(input, G_VARIANT_TYPE_BYTESTRING)) {
		key = g_variant_get_fixed_array(input, &len, 1);
		if (len > 1)
			out = g_variant_new("(sv)", algorithm,
				g_variant_new_fixed_array(G_VARIANT_TYPE_BYTE,
							  key + 1, len - 1, 1));
	}
	g_variant_unref(input);
	return out;
}

static int is_dh_open(const gchar *method, GVariant *parameters)
{
	const char *algorithm;

	if (!parameters || strcmp(method, "OpenSession") ||
	    !g_variant_is_of_type(parameters, G_VARIANT_TYPE("(sv)")))
		return 0;
	g_variant_get_child(parameters, 0, "&s", &algorithm);
	return !strcmp(algorithm, DH_ALGORITHM);
}

void g_dbus_proxy_call(GDBusProxy *proxy, const gchar *method,
		       GVariant *parameters, GDBusCallFlags flags,
		       gint timeout_msec, GCancellable *cancellable,
		       GAsyncReadyCallback callback, gpointer user_data)
{
	static call_fn real;
	GVariant *sent = NULL;

	if (!real)
		*(void **)&real = real_gio("g_dbus_proxy_call");
	if (parameters)
		g_variant_ref_sink(parameters);
	if (is_dh_open(method, parameters)) {
		unsigned long n = ++dh_calls;

		if (n <= env_count("DH_SHIM_SHORT")) {
			sent = short_key(parameters);
			if (sent)
				note("short key");
		} else if (n <= env_count("DH_SHIM_SHORT") +
				env_count("DH_SHIM_GARBLE") && callback) {
			struct trampoline *t = g_new(struct trampoline, 1);

			t->callback = callback;
			t->user_data = user_data;
			callback = garble_on_finish;
			user_data = t;
		}
	}
	real(proxy, method, sent ? sent : parameters, flags, timeout_msec,
	     cancellable, callback, user_data);
	if (parameters)
		g_variant_unref(parameters);
}

/* (<key>, path) with the key's last bit flipped. */
static GVariant *garbled(GVariant *reply)
{
	GVariant *output, *out = reply;
	const char *path;
	const guchar *got;
	guchar *key;
	gsize len;

	g_variant_get(reply, "(v&o)", &output, &path);
	if (g_variant_is_of_type(output, G_VARIANT_TYPE_BYTESTRING)) {
		got = g_variant_get_fixed_array(output, &len, 1);
		key = g_memdup2(got, len);
		if (len) {
			key[len - 1] ^= 1;
			note("garbled session");
			out = g_variant_ref_sink(g_variant_new("(vo)",
				g_variant_new_fixed_array(G_VARIANT_TYPE_BYTE,
							  key, len, 1), path));
			g_variant_unref(reply);
		}
		g_free(key);
	}
	g_variant_unref(output);
	return out;
}

GVariant *g_dbus_proxy_call_finish(GDBusProxy *proxy, GAsyncResult *res,
				   GError **error)
{
	static finish_fn real;
	GVariant *reply;

	if (!real)
		*(void **)&real = real_gio("g_dbus_proxy_call_finish");
	reply = real(proxy, res, error);
	if (reply && g_object_get_data(G_OBJECT(res), GARBLE_MARK) &&
	    g_variant_is_of_type(reply, G_VARIANT_TYPE("(vo)")))
		reply = garbled(reply);
	return reply;
}
