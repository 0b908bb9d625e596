/* SPDX-License-Identifier: MIT */
/*
 * Other programs' items in the Secret Service (see foreign.h).
 *
 * Every libsecret call has a deadline: it is one of deadline-call.h.
 */
#include "foreign.h"
#include "../store.h"
#include "deadline-call.h"

#include <libsecret/secret.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LIBSECRET_SCHEMA "org.git.Password"
/* What git's helper wrote before 2.45 (Debian 12 ships 2.39). */
#define LIBSECRET_OLD_SCHEMA "org.gnome.keyring.NetworkPassword"
#define GCM_SCHEMA "com.microsoft.GitCredentialManager"

static int fail(const struct deadline_call *c, GError *e, const char *doing,
		struct buf *detail)
{
	int err = STORE_ERR_FAILED;

	buf_set_empty(detail);
	if (c->expired || !e) {
		buf_addf(detail, "the keyring did not answer within %d ms while %s",
			 STORE_TIMEOUT_MS, doing);
		err = STORE_ERR_TIMEOUT;
	} else {
		if (e->domain == G_DBUS_ERROR || e->domain == G_IO_ERROR)
			err = STORE_ERR_UNAVAILABLE;
		g_dbus_error_strip_remote_error(e);
		buf_addf(detail, "%s: %s", doing, e->message);
	}
	g_clear_error(&e);
	return err;
}

static int get_service(SecretService **out, struct buf *detail)
{
	GError *e = NULL;
	struct deadline_call c;

	*out = NULL;
	deadline_call_begin(&c);
	secret_service_get(SECRET_SERVICE_NONE, c.cancel, deadline_call_done, &c);
	if (deadline_call_wait(&c, STORE_TIMEOUT_MS))
		*out = secret_service_get_finish(c.res, &e);
	deadline_call_end(&c);
	if (!*out)
		return fail(&c, e, "connecting to the Secret Service", detail);
	return 0;
}

static int search(SecretService *svc, GHashTable *attrs, GList **items,
		  struct buf *detail)
{
	GError *e = NULL;
	struct deadline_call c;
	int answered;

	*items = NULL;
	deadline_call_begin(&c);
	/* No SECRET_SEARCH_UNLOCK: doctor never raises a prompt. */
	secret_service_search(svc, NULL, attrs, SECRET_SEARCH_ALL |
			      SECRET_SEARCH_LOAD_SECRETS, c.cancel, deadline_call_done, &c);
	answered = deadline_call_wait(&c, STORE_TIMEOUT_MS);
	if (answered)
		*items = secret_service_search_finish(svc, c.res, &e);
	deadline_call_end(&c);
	if (!answered || e)
		return fail(&c, e, "searching the keyring", detail);
	return 0;
}

/* Is the item of the schema?  Items of very old helpers carry none. */
static int schema_is(GHashTable *attrs, const char *name)
{
	const char *s = g_hash_table_lookup(attrs, "xdg:schema");

	return !s || !strcmp(s, name);
}

static void item_release(struct foreign_item *f)
{
	buf_release(&f->path);
	buf_release(&f->username);
	buf_release(&f->password);
}

/*
 * Append the item.  One whose path, user or secret would pass a buf's
 * cap is left out: no credential git keeps comes near it, and doctor
 * has nothing to say of it.
 */
static void add_item(struct foreign_list *out, enum foreign_kind kind,
		     SecretItem *item, const char *user)
{
	const char *path = g_dbus_proxy_get_object_path(G_DBUS_PROXY(item));
	SecretValue *value = secret_item_get_secret(item);
	struct foreign_item f = { .kind = kind, .locked = !value };
	const char *data = NULL;
	gsize len = 0;
	int too_long;

	if (!user)
		user = "";
	if (value)
		data = secret_value_get(value, &len);
	too_long = buf_try_setn(&f.path, path, strlen(path)) ||
		   buf_try_setn(&f.username, user, strlen(user)) ||
		   (value && buf_try_setn(&f.password, data ? data : "",
					  data ? len : 0));
	if (value)
		secret_value_unref(value);
	if (too_long) {
		item_release(&f);
		return;
	}
	if (out->nr == out->alloc) {
		size_t n = out->alloc ? 2 * out->alloc : 4;
		struct foreign_item *v = xcalloc(n, sizeof(*v));

		if (out->nr)
			memcpy(v, out->v, out->nr * sizeof(*v));
		free(out->v);
		out->v = v;
		out->alloc = n;
	}
	out->v[out->nr++] = f;
}

/* host[:port] into the host name and the port ("" when none). */
static void split_host(const char *host, char **name, const char **port)
{
	const char *colon = strrchr(host, ':');

	*name = colon ? g_strndup(host, colon - host) : g_strdup(host);
	*port = colon ? colon + 1 : "";
}

/* The matching items of one search, with their kind: ref'd into *out. */
struct match {
	SecretItem *item;
	enum foreign_kind kind;
	char *user;
};

static void add_match(GArray *out, SecretItem *item, enum foreign_kind kind,
		      const char *user)
{
	struct match m = { g_object_ref(item), kind, g_strdup(user ? user : "") };

	g_array_append_val(out, m);
}

static int match_libsecret(SecretService *svc, const char *host, GArray *out,
			   struct buf *detail)
{
	GHashTable *attrs = g_hash_table_new(g_str_hash, g_str_equal);
	GList *items = NULL, *l;
	const char *port;
	char *name;
	int ret;

	split_host(host, &name, &port);
	g_hash_table_insert(attrs, "server", name);
	g_hash_table_insert(attrs, "protocol", "https");
	ret = search(svc, attrs, &items, detail);
	for (l = items; !ret && l; l = l->next) {
		GHashTable *a = secret_item_get_attributes(l->data);
		const char *p = g_hash_table_lookup(a, "port");

		/* The helper writes port only when git sent one. */
		if ((schema_is(a, LIBSECRET_SCHEMA) ||
		     schema_is(a, LIBSECRET_OLD_SCHEMA)) &&
		    !strcmp(p && strcmp(p, "0") ? p : "", port))
			add_match(out, l->data, FOREIGN_LIBSECRET,
				  g_hash_table_lookup(a, "user"));
		g_hash_table_unref(a);
	}
	g_list_free_full(items, g_object_unref);
	g_hash_table_unref(attrs);
	g_free(name);
	return ret;
}

static int match_gcm(SecretService *svc, const char *host, GArray *out,
		     struct buf *detail)
{
	GHashTable *attrs = g_hash_table_new(g_str_hash, g_str_equal);
	GList *items = NULL, *l;
	char *service = g_strdup_printf("git:https://%s", host);
	int ret;

	g_hash_table_insert(attrs, "service", service);
	ret = search(svc, attrs, &items, detail);
	for (l = items; !ret && l; l = l->next) {
		GHashTable *a = secret_item_get_attributes(l->data);

		if (schema_is(a, GCM_SCHEMA))
			add_match(out, l->data, FOREIGN_GCM,
				  g_hash_table_lookup(a, "account"));
		g_hash_table_unref(a);
	}
	g_list_free_full(items, g_object_unref);
	g_hash_table_unref(attrs);
	g_free(service);
	return ret;
}

static void clear_match(gpointer data)
{
	struct match *m = data;

	g_object_unref(m->item);
	g_free(m->user);
}

/* Both programs' items for host; *svc is the service, to unref. */
static int matches(const char *host, SecretService **svc, GArray **out,
		   struct buf *detail)
{
	int ret;

	*out = g_array_new(FALSE, TRUE, sizeof(struct match));
	g_array_set_clear_func(*out, clear_match);
	if ((ret = get_service(svc, detail)))
		return ret;
	ret = match_libsecret(*svc, host, *out, detail);
	if (!ret)
		ret = match_gcm(*svc, host, *out, detail);
	return ret;
}

int foreign_find(const char *host, struct foreign_list *out, struct buf *detail)
{
	SecretService *svc = NULL;
	GArray *m;
	guint i;
	int ret;

	/* Not UTF-8: no item can carry it, and D-Bus could not send it. */
	if (!g_utf8_validate(host, -1, NULL))
		return 0;
	ret = matches(host, &svc, &m, detail);
	for (i = 0; !ret && i < m->len; i++) {
		struct match *x = &g_array_index(m, struct match, i);

		add_item(out, x->kind, x->item, x->user);
	}
	g_array_unref(m);
	if (svc)
		g_object_unref(svc);
	return ret;
}

/*
 * libsecret's stable API reaches an item by path only through a search;
 * searching again also makes sure that what we delete is still one of
 * those programs' items for the host, whatever the path says.
 */
int foreign_delete(const char *host, const char *path, struct buf *detail)
{
	SecretService *svc = NULL;
	SecretItem *item = NULL;
	GError *e = NULL;
	struct deadline_call c;
	GArray *m;
	guint i;
	int ret, ok = 0;

	ret = matches(host, &svc, &m, detail);
	for (i = 0; !ret && !item && i < m->len; i++) {
		struct match *x = &g_array_index(m, struct match, i);

		if (!strcmp(path, g_dbus_proxy_get_object_path(G_DBUS_PROXY(x->item))))
			item = g_object_ref(x->item);
	}
	g_array_unref(m);
	if (!ret && !item) {
		buf_set_empty(detail);
		buf_addf(detail, "the keyring item is gone");
		ret = STORE_ERR_NOT_FOUND;
	}
	if (ret) {
		if (svc)
			g_object_unref(svc);
		return ret;
	}
	deadline_call_begin(&c);
	secret_item_delete(item, c.cancel, deadline_call_done, &c);
	if (deadline_call_wait(&c, STORE_TIMEOUT_MS))
		ok = secret_item_delete_finish(item, c.res, &e);
	deadline_call_end(&c);
	g_object_unref(item);
	g_object_unref(svc);
	if (!ok)
		return fail(&c, e, "deleting the keyring item", detail);
	return 0;
}

void foreign_list_release(struct foreign_list *l)
{
	size_t i;

	for (i = 0; i < l->nr; i++)
		item_release(&l->v[i]);
	free(l->v);
	l->v = NULL;
	l->nr = l->alloc = 0;
}

const char *foreign_kind_name(enum foreign_kind kind)
{
	return kind == FOREIGN_GCM ? "Git Credential Manager" :
	       "git's libsecret helper";
}
