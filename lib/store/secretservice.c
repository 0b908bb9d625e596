/* SPDX-License-Identifier: MIT */
/*
 * The full Secret Service store, through libsecret: every operation,
 * unlock prompts when a person can answer them, and the default
 * collection created when there is none.  Git's `get` reads through
 * secretservice-get.c instead and comes here only when items are locked.
 *
 * Deadlines: every libsecret call here is one of deadline-call.h, so that a
 * keyring that never answers costs git a timeout, not a hang.
 *
 * Every item carries all the attributes of secretservice.h; a field that
 * is unset is written as "".  The secret (token_encode) is the truth,
 * the attributes serve searching and people browsing their keyring.
 *
 * Sessions, and why a write is read back.  libsecret always asks for a
 * Diffie-Hellman session first, and kwalletd5 (5.103) gets about one DH
 * session in a hundred wrong: it rejects a client public key with a
 * leading zero byte ("Client public key size is invalid"), and when the
 * shared secret has a leading zero it derives another AES key than ours,
 * then answers CreateItem or SetSecret with "Can't find session", after
 * it has made the item or dropped its old secret.  libsecret has no
 * way to ask for the "plain" session that secretservice-get.c uses (and whose
 * clear-text crossing of the session bus gives nothing away, for the
 * reason its header gives), so a write here instead goes over a session
 * of its own, is read back through it, and counts only when what comes
 * back is what was written.  When it fails without a verdict from the
 * keyring (not locked, not gone, not a deadline), it is tried once more
 * on a fresh connection and session, after removing any item of ours
 * with these very attributes and an EMPTY secret that the failed try left
 * behind (token_decode refuses an empty payload, so get never served it).
 *
 * Secrets: the payload is built in a buf (wiped on release) and handed
 * to libsecret as a SecretValue, which keeps it in its secure memory.
 * Secrets read back are SecretValues too; we decode and drop them at
 * once.  What GDBus copies on the way in and out is not ours to wipe.
 */
#include "../store.h"
#include "dbus-error.h"
#include "secretservice.h"
#include "deadline-call.h"

#include <libsecret/secret.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct sstore {
	SecretService *service;	/* reached by the first operation */
	GDBusConnection *bus;	/* GIO's shared one, which the service uses */
};

/* Every item carries all of these (see the comment at the top). */
#define OUR_ATTRIBUTES { \
		{ SS_ATTR_HOST, SECRET_SCHEMA_ATTRIBUTE_STRING }, \
		{ SS_ATTR_PROTOCOL, SECRET_SCHEMA_ATTRIBUTE_STRING }, \
		{ SS_ATTR_USERNAME, SECRET_SCHEMA_ATTRIBUTE_STRING }, \
		{ SS_ATTR_KIND, SECRET_SCHEMA_ATTRIBUTE_STRING }, \
		{ SS_ATTR_WORKSPACE, SECRET_SCHEMA_ATTRIBUTE_STRING }, \
		{ SS_ATTR_REPOSITORY, SECRET_SCHEMA_ATTRIBUTE_STRING }, \
		{ SS_ATTR_PATH, SECRET_SCHEMA_ATTRIBUTE_STRING }, \
		{ SS_ATTR_LABEL, SECRET_SCHEMA_ATTRIBUTE_STRING }, \
		{ SS_ATTR_EXPIRES, SECRET_SCHEMA_ATTRIBUTE_STRING }, \
		{ SS_ATTR_STATE, SECRET_SCHEMA_ATTRIBUTE_STRING }, \
		{ SS_ATTR_ORIGIN, SECRET_SCHEMA_ATTRIBUTE_STRING }, \
		{ NULL, 0 }, \
	}

static const SecretSchema schema = {
	.name = SS_SCHEMA_NAME,
	.flags = SECRET_SCHEMA_NONE,
	.attributes = OUR_ATTRIBUTES,
};

/*
 * The same attributes without naming the schema in searches: how items of
 * a keyring locked since its daemon started can be found (locked_behind_schema).
 */
static const SecretSchema schema_any = {
	.name = SS_SCHEMA_NAME,
	.flags = SECRET_SCHEMA_DONT_MATCH_NAME,
	.attributes = OUR_ATTRIBUTES,
};

/* What a failure means depends on what we were doing. */
enum op_kind {
	OP_CONNECT,	/* reaching the service: any failure is "unavailable" */
	OP_ITEM,	/* addressing one item: "no such object" is NOT_FOUND */
	OP_OTHER
};

static int gone_error(const GError *e)
{
	return g_error_matches(e, SECRET_ERROR, SECRET_ERROR_NO_SUCH_OBJECT) ||
	       dbus_error_is_remote(e, "org.freedesktop.Secret.Error.NoSuchObject") ||
	       g_error_matches(e, G_DBUS_ERROR, G_DBUS_ERROR_UNKNOWN_OBJECT) ||
	       g_error_matches(e, G_DBUS_ERROR, G_DBUS_ERROR_UNKNOWN_INTERFACE) ||
	       /* What libsecret and GDBus say of a path nobody serves. */
	       g_error_matches(e, G_DBUS_ERROR, G_DBUS_ERROR_UNKNOWN_METHOD);
}

static int classify(const GError *e, enum op_kind kind)
{
	if (dbus_error_is_timeout(e))
		return STORE_ERR_TIMEOUT;
	if (kind == OP_CONNECT || dbus_error_is_unavailable(e))
		return STORE_ERR_UNAVAILABLE;
	if (g_error_matches(e, SECRET_ERROR, SECRET_ERROR_IS_LOCKED) ||
	    dbus_error_is_remote(e, "org.freedesktop.Secret.Error.IsLocked"))
		return STORE_ERR_LOCKED;
	if (kind == OP_ITEM && gone_error(e))
		return STORE_ERR_NOT_FOUND;
	return STORE_ERR_FAILED;
}

/*
 * Turn the outcome of a call into a store_err and a detail, and free e.
 * A cancel we made at the deadline, or an operation we abandoned, is a
 * timeout whatever libsecret says of it.
 */
static int fail(struct store *s, const struct deadline_call *c, int timeout_ms,
		GError *e, enum op_kind kind, const char *doing)
{
	int err;

	if (c->expired && (!e || g_error_matches(e, G_IO_ERROR,
						 G_IO_ERROR_CANCELLED))) {
		store_set_detail(s, "the keyring did not answer within %d ms while %s",
			   timeout_ms, doing);
		g_clear_error(&e);
		return STORE_ERR_TIMEOUT;
	}
	if (!e) {
		store_set_detail(s, "the keyring gave no answer while %s", doing);
		return STORE_ERR_FAILED;
	}
	err = classify(e, kind);
	g_dbus_error_strip_remote_error(e);
	if (err == STORE_ERR_TIMEOUT)
		store_set_detail(s, "the keyring did not answer in time while %s: %s",
			   doing, e->message);
	else
		store_set_detail(s, "%s: %s", doing, e->message);
	g_error_free(e);
	return err;
}

/*
 * A call that may show a prompt gets a person's time when a person is
 * there (STORE_PROMPT).  Each one follows a call with the short deadline,
 * so a keyring that does not answer at all is caught before it.
 */
static int prompt_timeout(const struct store *s)
{
	return (s->flags & STORE_PROMPT) ? STORE_PROMPT_TIMEOUT_MS : s->timeout_ms;
}

static int locked_error(struct store *s, size_t nr)
{
	dbus_locked_detail(s, nr);
	return STORE_ERR_LOCKED;
}

/*
 * The shared session bus connection that secret_service_get() uses,
 * reached first on its own: a bus that accepts the connection but
 * never answers (a stopped dbus-daemon) then gets a detail that names
 * the bus, not the keyring.  GIO's connect cannot be cancelled once it
 * waits for Hello, so at the deadline it is abandoned like any call.
 */
static int get_bus(struct store *s)
{
	struct sstore *p = s->priv;
	GDBusConnection *bus = NULL;
	GError *e = NULL;
	struct deadline_call c;

	deadline_call_begin(&c);
	g_bus_get(G_BUS_TYPE_SESSION, c.cancel, deadline_call_done, &c);
	if (deadline_call_wait(&c, s->timeout_ms))
		bus = g_bus_get_finish(c.res, &e);
	deadline_call_end(&c);
	if (bus) {
		/* Held: GIO keeps the shared one only while someone does. */
		p->bus = bus;
		return STORE_OK;
	}
	if (c.expired || (e && dbus_error_is_timeout(e))) {
		g_clear_error(&e);
		dbus_bus_timeout_detail(s, s->timeout_ms, "connecting to it");
		return STORE_ERR_TIMEOUT;
	}
	return fail(s, &c, s->timeout_ms, e, OP_CONNECT,
		    "connecting to the Secret Service");
}

static int get_service(struct store *s)
{
	struct sstore *p = s->priv;
	GError *e = NULL;
	struct deadline_call c;
	int ret;

	if (p->service)
		return STORE_OK;
	ret = p->bus ? STORE_OK : get_bus(s);
	if (ret != STORE_OK)
		return ret;
	deadline_call_begin(&c);
	/* A connection of our own, not libsecret's shared one, so that a
	 * fresh one brings a fresh session (renew_service). */
	secret_service_open(SECRET_TYPE_SERVICE, NULL, SECRET_SERVICE_NONE,
			    c.cancel, deadline_call_done, &c);
	if (deadline_call_wait(&c, s->timeout_ms))
		p->service = secret_service_open_finish(c.res, &e);
	deadline_call_end(&c);
	if (!p->service)
		return fail(s, &c, s->timeout_ms, e, OP_CONNECT,
			    "connecting to the Secret Service");
	return STORE_OK;
}

/* Drop the connection and its session; the next operation opens anew. */
static void renew_service(struct store *s)
{
	struct sstore *p = s->priv;

	g_clear_object(&p->service);
}

/*
 * Unlock objects (items or collections), which shows a prompt: only
 * when a person can answer it.  *unlocked gets the objects unlocked.
 */
static int unlock_objects(struct store *s, GList *objects, GList **unlocked)
{
	struct sstore *p = s->priv;
	GError *e = NULL;
	struct deadline_call c;
	int n = -1;

	*unlocked = NULL;
	if (!(s->flags & STORE_PROMPT))
		return locked_error(s, g_list_length(objects));
	deadline_call_begin(&c);
	secret_service_unlock(p->service, objects, c.cancel, deadline_call_done, &c);
	if (deadline_call_wait(&c, STORE_PROMPT_TIMEOUT_MS))
		n = secret_service_unlock_finish(p->service, c.res, unlocked, &e);
	deadline_call_end(&c);
	if (n < 0 || e)
		return fail(s, &c, STORE_PROMPT_TIMEOUT_MS, e, OP_OTHER,
			    "unlocking the keyring");
	if (!n) {
		store_set_detail(s, "the prompt to unlock the keyring was dismissed");
		return STORE_ERR_DISMISSED;
	}
	return STORE_OK;
}

static int unlock_one(struct store *s, gpointer object)
{
	GList one = { object, NULL, NULL };
	GList *unlocked = NULL;
	int ret;

	ret = unlock_objects(s, &one, &unlocked);
	g_list_free_full(unlocked, g_object_unref);
	return ret;
}

/* ---- reading ---- */

/*
 * Search sch's items on host (all hosts when NULL), with origin too when
 * not NULL: libsecret refuses a search with no attribute at all.
 */
static int search_with(struct store *s, const SecretSchema *sch,
		       const char *host, const char *origin,
		       SecretSearchFlags flags, GList **items)
{
	struct sstore *p = s->priv;
	GHashTable *attrs = g_hash_table_new(g_str_hash, g_str_equal);
	GError *e = NULL;
	struct deadline_call c;
	int answered;

	*items = NULL;
	/* Not UTF-8: no item can carry it, and D-Bus could not send it. */
	if (host && !g_utf8_validate(host, -1, NULL)) {
		g_hash_table_unref(attrs);
		return STORE_OK;
	}
	/* The schema adds xdg:schema; no host means all of ours. */
	if (host)
		g_hash_table_insert(attrs, (gpointer)SS_ATTR_HOST, (gpointer)host);
	if (origin)
		g_hash_table_insert(attrs, (gpointer)SS_ATTR_ORIGIN,
				    (gpointer)origin);
	deadline_call_begin(&c);
	/*
	 * Without SECRET_SEARCH_UNLOCK: an unlock may prompt, and gets its
	 * own call and deadline (unlock_found).
	 */
	secret_service_search(p->service, sch, attrs, flags, c.cancel,
			      deadline_call_done, &c);
	answered = deadline_call_wait(&c, s->timeout_ms);
	if (answered)
		*items = secret_service_search_finish(p->service, c.res, &e);
	deadline_call_end(&c);
	g_hash_table_unref(attrs);
	/* No items is NULL too: only an error is a failure. */
	if (!answered || e)
		return fail(s, &c, s->timeout_ms, e, OP_OTHER,
			    "searching the keyring");
	return STORE_OK;
}

static int search(struct store *s, const char *host, SecretSearchFlags flags,
		  GList **items)
{
	return search_with(s, &schema, host, NULL, flags, items);
}

/*
 * Nothing of ours found: maybe a keyring locked since its daemon
 * started, whose items gnome-keyring 42 hides from any search naming
 * the schema.  Search again without the name, looking only at what is
 * locked (unlocked items found so are somebody else's, left unread).
 * *unlocked is set when a person unlocked them at the prompt, so that
 * the caller searches again; otherwise STORE_ERR_LOCKED.
 */
static int find_default(struct store *s, SecretCollection **out);
static int unlock_one(struct store *s, gpointer object);

static int locked_behind_schema(struct store *s, const char *host,
				int *unlocked)
{
	static const char *const origins[] = { "added", "git" };
	GList *items = NULL, *locked = NULL, *l;
	size_t i;
	int ret = STORE_OK;

	*unlocked = 0;
	/* Every item of ours has one of the origins: enough to search by. */
	for (i = 0; i < 2 && ret == STORE_OK; i++) {
		GList *found = NULL;

		ret = search_with(s, &schema_any, host, host ? NULL : origins[i],
				  SECRET_SEARCH_ALL, &found);
		items = g_list_concat(items, found);
		if (host)
			break;
	}
	for (l = items; ret == STORE_OK && l; l = l->next)
		if (secret_item_get_locked(l->data))
			locked = g_list_prepend(locked, l->data);
	if (ret == STORE_OK && locked) {
		GList *done = NULL;

		ret = unlock_objects(s, locked, &done);
		*unlocked = ret == STORE_OK;
		g_list_free_full(done, g_object_unref);
	} else if (ret == STORE_OK) {
		/*
		 * Some keyrings show no item at all of a locked collection
		 * (KeePassXC 2.7.4): only its Locked property tells.
		 */
		SecretCollection *coll = NULL;

		ret = find_default(s, &coll);
		if (ret == STORE_OK && coll && secret_collection_get_locked(coll)) {
			ret = unlock_one(s, coll);
			*unlocked = ret == STORE_OK;
		}
		if (coll)
			g_object_unref(coll);
	}
	g_list_free(locked);
	g_list_free_full(items, g_object_unref);
	return ret;
}

static int load_secrets(struct store *s, GList *items)
{
	GError *e = NULL;
	struct deadline_call c;
	int ok = 0;

	deadline_call_begin(&c);
	secret_item_load_secrets(items, c.cancel, deadline_call_done, &c);
	if (deadline_call_wait(&c, s->timeout_ms))
		ok = secret_item_load_secrets_finish(c.res, &e);
	deadline_call_end(&c);
	if (!ok)
		return fail(s, &c, s->timeout_ms, e, OP_OTHER,
			    "reading secrets from the keyring");
	return STORE_OK;
}

/*
 * Locked items found by the search: unlock them if a person can answer
 * the prompt, then read their secrets.  Returns STORE_OK when all of
 * them could be read.
 */
static int unlock_found(struct store *s, GList *locked)
{
	GList *unlocked = NULL;
	int ret;

	ret = unlock_objects(s, locked, &unlocked);
	if (ret == STORE_OK && unlocked)
		ret = load_secrets(s, unlocked);
	g_list_free_full(unlocked, g_object_unref);
	return ret;
}

/*
 * Decode the item's secret into out; what is not a credential is
 * skipped, and so is an item whose path would pass the id's cap.
 */
static int add_item(SecretItem *item, SecretValue *value, struct token_list *out)
{
	const char *path = g_dbus_proxy_get_object_path(G_DBUS_PROXY(item));
	const char *data;
	struct token *t;
	gsize len;

	data = secret_value_get(value, &len);
	t = token_new();
	if (!data || token_decode(t, data, len) ||
	    buf_try_setn(&t->id, path, strlen(path))) {
		token_free(t);
		return 0;
	}
	return token_list_add(out, t);
}

/* Unlocked items whose secret did not come: a session gone wrong. */
static int unread(GList *items)
{
	GList *l;
	int n = 0;

	for (l = items; l; l = l->next) {
		SecretValue *value = secret_item_get_secret(l->data);

		if (value)
			secret_value_unref(value);
		else if (!secret_item_get_locked(l->data))
			n++;
	}
	return n;
}

static int find_once(struct store *s, const char *host, struct token_list *out,
		     int retry)
{
	GList *items = NULL, *locked = NULL, *l;
	size_t first = out->nr, still_locked = 0;
	int ret, unlock_ret = STORE_OK, again;

	ret = get_service(s);
	if (ret == STORE_OK)
		ret = search(s, host, SECRET_SEARCH_ALL |
			     SECRET_SEARCH_LOAD_SECRETS, &items);
	if (ret == STORE_OK && !items) {
		ret = locked_behind_schema(s, host, &again);
		if (ret == STORE_OK && again)
			ret = search(s, host, SECRET_SEARCH_ALL |
				     SECRET_SEARCH_LOAD_SECRETS, &items);
	}
	if (ret != STORE_OK)
		return ret;
	for (l = items; l; l = l->next)
		if (secret_item_get_locked(l->data))
			locked = g_list_prepend(locked, l->data);
	if (locked)
		unlock_ret = unlock_found(s, locked);
	/* Once more on a fresh session: see the header comment. */
	if (retry && unread(items)) {
		g_list_free(locked);
		g_list_free_full(items, g_object_unref);
		renew_service(s);
		return find_once(s, host, out, 0);
	}
	/*
	 * After an unlock the items' Locked property may not have caught up
	 * (it changes by signal); a secret that was read is what counts.
	 */
	for (l = items; l; l = l->next) {
		SecretValue *value = secret_item_get_secret(l->data);

		if (!value) {
			still_locked += secret_item_get_locked(l->data) ? 1 : 0;
			continue;
		}
		if (ret == STORE_OK && add_item(l->data, value, out)) {
			store_set_detail(s, "out of memory reading the keyring");
			ret = STORE_ERR_FAILED;
		}
		secret_value_unref(value);
	}
	g_list_free(locked);
	g_list_free_full(items, g_object_unref);
	token_list_sort_newest(out, first);
	if (ret != STORE_OK)
		return ret;
	if (unlock_ret != STORE_OK)
		return unlock_ret;
	return still_locked ? locked_error(s, still_locked) : STORE_OK;
}

static int ss_find(struct store *s, const char *host, struct token_list *out)
{
	return find_once(s, host, out, 1);
}

static int ss_list(struct store *s, struct token_list *out)
{
	return ss_find(s, NULL, out);
}

/* ---- writing ---- */

static void format_date(long long when, char *out, size_t size)
{
	time_t tt = (time_t)when;
	struct tm tm;

	out[0] = '\0';
	if (when && gmtime_r(&tt, &tm))
		strftime(out, size, "%Y-%m-%d", &tm);
}

/*
 * Attributes and labels are D-Bus strings, which must be UTF-8, while
 * git passes paths and usernames as bytes.  The bytes stay exact in the
 * secret; what people and searches see gets U+FFFD for what is not
 * UTF-8.  (Hosts are ASCII once canonical.)
 */
static char *text(const struct buf *b)
{
	return g_utf8_make_valid(buf_str(b), -1);
}

static GHashTable *item_attributes(const struct token *t)
{
	GHashTable *a = g_hash_table_new_full(g_str_hash, g_str_equal,
					      NULL, g_free);
	char date[32];

	format_date(t->expires, date, sizeof(date));
	g_hash_table_insert(a, (gpointer)SS_ATTR_HOST, text(&t->host));
	g_hash_table_insert(a, (gpointer)SS_ATTR_PROTOCOL, text(&t->protocol));
	g_hash_table_insert(a, (gpointer)SS_ATTR_USERNAME, text(&t->username));
	g_hash_table_insert(a, (gpointer)SS_ATTR_KIND,
			    g_strdup(bb_kind_name(t->kind)));
	g_hash_table_insert(a, (gpointer)SS_ATTR_WORKSPACE, text(&t->workspace));
	g_hash_table_insert(a, (gpointer)SS_ATTR_REPOSITORY,
			    text(&t->repository));
	g_hash_table_insert(a, (gpointer)SS_ATTR_PATH, text(&t->path));
	g_hash_table_insert(a, (gpointer)SS_ATTR_LABEL, text(&t->label));
	g_hash_table_insert(a, (gpointer)SS_ATTR_EXPIRES, g_strdup(date));
	g_hash_table_insert(a, (gpointer)SS_ATTR_STATE,
			    g_strdup(t->rejected ? "rejected" : "ok"));
	g_hash_table_insert(a, (gpointer)SS_ATTR_ORIGIN,
			    g_strdup(t->origin == TOKEN_ADDED ? "added" : "git"));
	return a;
}

/*
 * What a person sees in Seahorse or KWalletManager, e.g.
 * "Bitbucket API token 'laptop' for acme, expires 2027-03-01".
 */
static void item_label(const struct token *t, struct buf *out)
{
	struct buf binding = BUF_INIT;
	char date[32];

	buf_set_empty(out);
	if (t->kind == BB_KIND_OPAQUE) {
		buf_addf(out, "Git credential for %s://",
			 t->protocol.len ? t->protocol.buf : "https");
		if (t->username.len)
			buf_addf(out, "%s@", t->username.buf);
		buf_adds(out, buf_str(&t->host));
		if (t->path.len)
			buf_addf(out, "/%s", t->path.buf);
		return;
	}
	buf_addf(out, "Bitbucket %s", bb_kind_label(t->kind));
	if (t->label.len)
		buf_addf(out, " '%s'", t->label.buf);
	token_binding(t, &binding);
	if (binding.len)
		buf_addf(out, " for %s", binding.buf);
	else
		buf_adds(out, " (account-wide)");
	buf_release(&binding);
	if (t->host.len && strcmp(t->host.buf, BB_DEFAULT_HOST))
		buf_addf(out, " on %s", t->host.buf);
	format_date(t->expires, date, sizeof(date));
	if (*date)
		buf_addf(out, ", expires %s", date);
	if (t->rejected)
		buf_adds(out, ", rejected by Bitbucket");
}

/*
 * The collection new items go to: the one with the "default" alias,
 * created when there is none (which prompts for its password).
 */
static int find_default(struct store *s, SecretCollection **out)
{
	struct sstore *p = s->priv;
	GError *e = NULL;
	struct deadline_call c;
	int answered;

	*out = NULL;
	deadline_call_begin(&c);
	secret_collection_for_alias(p->service, SECRET_COLLECTION_DEFAULT,
				    SECRET_COLLECTION_NONE, c.cancel, deadline_call_done, &c);
	answered = deadline_call_wait(&c, s->timeout_ms);
	if (answered)
		*out = secret_collection_for_alias_finish(c.res, &e);
	deadline_call_end(&c);
	/* No such alias is NULL too: only an error is a failure. */
	if (!answered || e)
		return fail(s, &c, s->timeout_ms, e, OP_OTHER,
			    "finding the default keyring");
	return STORE_OK;
}

static int default_collection(struct store *s, SecretCollection **out)
{
	struct sstore *p = s->priv;
	GError *e = NULL;
	struct deadline_call c;
	int answered, ret;

	ret = find_default(s, out);
	if (ret != STORE_OK || *out)
		return ret;

	if (!(s->flags & STORE_PROMPT)) {
		store_set_detail(s, "there is no default keyring, and creating one "
			   "needs a prompt that cannot be shown here");
		return STORE_ERR_LOCKED;
	}
	deadline_call_begin(&c);
	secret_collection_create(p->service, "Default keyring",
				 SECRET_COLLECTION_DEFAULT,
				 SECRET_COLLECTION_CREATE_NONE, c.cancel,
				 deadline_call_done, &c);
	answered = deadline_call_wait(&c, STORE_PROMPT_TIMEOUT_MS);
	if (answered)
		*out = secret_collection_create_finish(c.res, &e);
	deadline_call_end(&c);
	if (*out)
		return STORE_OK;
	if (!answered || e)
		return fail(s, &c, STORE_PROMPT_TIMEOUT_MS, e, OP_OTHER,
			    "creating the default keyring");
	store_set_detail(s, "the prompt to create the default keyring was dismissed");
	return STORE_ERR_DISMISSED;
}

static int delete_item(struct store *s, SecretItem *item);

/*
 * Read the item's secret back and compare it with what was written: the
 * only proof that the keyring's half of the session agrees with ours.
 */
static int read_back(struct store *s, SecretItem *item, SecretValue *value)
{
	SecretValue *got;
	GError *e = NULL;
	struct deadline_call c;
	const char *a, *b;
	gsize alen, blen;
	int ok = 0;

	deadline_call_begin(&c);
	secret_item_load_secret(item, c.cancel, deadline_call_done, &c);
	if (deadline_call_wait(&c, s->timeout_ms))
		ok = secret_item_load_secret_finish(item, c.res, &e);
	deadline_call_end(&c);
	if (!ok)
		return fail(s, &c, s->timeout_ms, e, OP_ITEM,
			    "reading back the keyring item written");
	got = secret_item_get_secret(item);
	a = secret_value_get(value, &alen);
	b = got ? secret_value_get(got, &blen) : NULL;
	ok = b && alen == blen && !memcmp(a, b, alen);
	if (got)
		secret_value_unref(got);
	if (!ok) {
		store_set_detail(s, "the keyring item written does not read back "
				 "as written");
		return STORE_ERR_FAILED;
	}
	return STORE_OK;
}

static int create_item(struct store *s, struct token *t, GHashTable *attrs,
		       const char *label, SecretValue *value)
{
	SecretCollection *coll = NULL;
	SecretItem *item = NULL;
	GError *e = NULL;
	struct deadline_call c;
	const char *path;
	int ret;

	ret = default_collection(s, &coll);
	if (ret == STORE_OK && secret_collection_get_locked(coll))
		ret = unlock_one(s, coll);
	if (ret != STORE_OK)
		goto out;
	deadline_call_begin(&c);
	secret_item_create(coll, &schema, attrs, label, value,
			   SECRET_ITEM_CREATE_NONE, c.cancel, deadline_call_done, &c);
	if (deadline_call_wait(&c, prompt_timeout(s)))
		item = secret_item_create_finish(c.res, &e);
	deadline_call_end(&c);
	if (!item) {
		ret = fail(s, &c, prompt_timeout(s), e, OP_OTHER,
			   "storing the token in the keyring");
		goto out;
	}
	path = g_dbus_proxy_get_object_path(G_DBUS_PROXY(item));
	ret = read_back(s, item, value);
	if (ret == STORE_OK && buf_try_setn(&t->id, path, strlen(path))) {
		store_set_detail(s, "the keyring gave the item a path too long "
				 "to keep");
		ret = STORE_ERR_FAILED;
	}
	/* Never leave behind what does not read back, or cannot be found. */
	if (ret != STORE_OK)
		delete_item(s, item);
	g_object_unref(item);
out:
	if (coll)
		g_object_unref(coll);
	return ret;
}

static SecretItem *take_item(GList *items, const char *path)
{
	SecretItem *found = NULL;
	GList *l;

	for (l = items; l; l = l->next)
		if (!found && !strcmp(path, g_dbus_proxy_get_object_path(l->data)))
			found = g_object_ref(l->data);
	g_list_free_full(items, g_object_unref);
	return found;
}

/*
 * The item t->id, if it still exists and is one of ours: an id is never
 * a licence to overwrite or delete somebody else's secret.  libsecret's
 * stable API reaches an item by path only through a search, so search
 * our items on the token's host, then all of ours in case that
 * attribute is stale.
 */
static int load_item(struct store *s, const struct token *t, SecretItem **out)
{
	const char *host = t->host.len ? t->host.buf : NULL;
	GList *items = NULL;
	int ret;

	*out = NULL;
	if (!buf_isset(&t->id) || !g_variant_is_object_path(t->id.buf)) {
		store_set_detail(s, "the token has no keyring item");
		return STORE_ERR_NOT_FOUND;
	}
	ret = search(s, host, SECRET_SEARCH_ALL, &items);
	if (ret == STORE_OK)
		*out = take_item(items, t->id.buf);
	if (ret == STORE_OK && !*out && host) {
		ret = search(s, NULL, SECRET_SEARCH_ALL, &items);
		if (ret == STORE_OK)
			*out = take_item(items, t->id.buf);
	}
	if (ret != STORE_OK)
		return ret;
	if (!*out) {
		store_set_detail(s, "keyring item %s no longer exists", t->id.buf);
		return STORE_ERR_NOT_FOUND;
	}
	return STORE_OK;
}

/* The three writes of a replacement, one call each. */
enum item_write { WRITE_SECRET, WRITE_ATTRIBUTES, WRITE_LABEL };

static int write_item(struct store *s, SecretItem *item, enum item_write what,
		      GHashTable *attrs, const char *label, SecretValue *value)
{
	static const char *doing[] = {
		"replacing the secret of the keyring item",
		"replacing the attributes of the keyring item",
		"relabelling the keyring item",
	};
	GError *e = NULL;
	struct deadline_call c;
	int ok = 0;

	deadline_call_begin(&c);
	if (what == WRITE_SECRET)
		secret_item_set_secret(item, value, c.cancel, deadline_call_done, &c);
	else if (what == WRITE_ATTRIBUTES)
		secret_item_set_attributes(item, &schema, attrs, c.cancel,
					   deadline_call_done, &c);
	else
		secret_item_set_label(item, label, c.cancel, deadline_call_done, &c);
	if (deadline_call_wait(&c, s->timeout_ms)) {
		if (what == WRITE_SECRET)
			ok = secret_item_set_secret_finish(item, c.res, &e);
		else if (what == WRITE_ATTRIBUTES)
			ok = secret_item_set_attributes_finish(item, c.res, &e);
		else
			ok = secret_item_set_label_finish(item, c.res, &e);
	}
	deadline_call_end(&c);
	if (!ok)
		return fail(s, &c, s->timeout_ms, e, OP_ITEM, doing[what]);
	return STORE_OK;
}

/*
 * Replace in place, so the id stays.  The secret goes first: it is the
 * truth, and if a later write fails only what people browse is stale.
 */
static int replace_item(struct store *s, struct token *t, GHashTable *attrs,
			const char *label, SecretValue *value)
{
	SecretItem *item;
	int ret;

	ret = load_item(s, t, &item);
	if (ret != STORE_OK)
		return ret;
	if (secret_item_get_locked(item))
		ret = unlock_one(s, item);
	if (ret == STORE_OK)
		ret = write_item(s, item, WRITE_SECRET, attrs, label, value);
	if (ret == STORE_OK)
		ret = read_back(s, item, value);
	if (ret == STORE_OK)
		ret = write_item(s, item, WRITE_ATTRIBUTES, attrs, label, value);
	if (ret == STORE_OK)
		ret = write_item(s, item, WRITE_LABEL, attrs, label, value);
	g_object_unref(item);
	return ret;
}

static int put_item(struct store *s, struct token *t, GHashTable *attrs,
		    const char *label, SecretValue *value)
{
	if (buf_isset(&t->id))
		return replace_item(s, t, attrs, label, value);
	return create_item(s, t, attrs, label, value);
}

/*
 * What a create that failed half-way leaves: an item of ours with these
 * very attributes and an empty secret.  No payload of ours is empty, so
 * such an item holds nothing anybody could lose.
 */
static int remove_empty(struct store *s, GHashTable *attrs)
{
	struct sstore *p = s->priv;
	GList *items = NULL, *l;
	GError *e = NULL;
	struct deadline_call c;
	int answered, ret = STORE_OK;

	deadline_call_begin(&c);
	secret_service_search(p->service, &schema, attrs, SECRET_SEARCH_ALL |
			      SECRET_SEARCH_LOAD_SECRETS, c.cancel, deadline_call_done, &c);
	answered = deadline_call_wait(&c, s->timeout_ms);
	if (answered)
		items = secret_service_search_finish(p->service, c.res, &e);
	deadline_call_end(&c);
	if (!answered || e)
		return fail(s, &c, s->timeout_ms, e, OP_OTHER,
			    "searching the keyring");
	for (l = items; l && ret == STORE_OK; l = l->next) {
		SecretValue *v = secret_item_get_secret(l->data);
		gsize len = 1;

		if (v)
			secret_value_get(v, &len);
		if (v && !len)
			ret = delete_item(s, l->data);
		if (v)
			secret_value_unref(v);
	}
	g_list_free_full(items, g_object_unref);
	return ret;
}

static int ss_put(struct store *s, struct token *t)
{
	long long created = t->created;
	struct buf payload = BUF_INIT, label = BUF_INIT;
	SecretValue *value;
	GHashTable *attrs;
	char *shown;
	int ret;

	ret = get_service(s);
	if (ret != STORE_OK)
		return ret;
	if (!buf_isset(&t->id) && !t->created)
		t->created = time(NULL);
	if (token_encode(t, &payload)) {
		t->created = created;
		store_set_detail(s, "a field of the token holds a line break or NUL");
		return STORE_ERR_FAILED;
	}
	/* libsecret copies the secret into its own secure memory. */
	value = secret_value_new(payload.buf, payload.len, "text/plain");
	buf_release(&payload);
	attrs = item_attributes(t);
	item_label(t, &label);
	shown = text(&label);
	ret = put_item(s, t, attrs, shown, value);
	if (ret == STORE_ERR_FAILED) {
		/* Once more on a fresh session: see the header comment. */
		renew_service(s);
		ret = get_service(s);
		if (ret == STORE_OK && !buf_isset(&t->id))
			ret = remove_empty(s, attrs);
		if (ret == STORE_OK)
			ret = put_item(s, t, attrs, shown, value);
	}
	if (ret != STORE_OK)
		t->created = created;
	secret_value_unref(value);
	g_hash_table_unref(attrs);
	buf_release(&label);
	g_free(shown);
	return ret;
}

static int ss_mark(struct store *s, const struct token *t, int rejected)
{
	struct token copy;
	int ret;

	token_init(&copy);
	if (token_copy(&copy, t)) {
		token_release(&copy);
		store_set_detail(s, "out of memory marking the token");
		return STORE_ERR_FAILED;
	}
	copy.rejected = !!rejected;
	if (!buf_isset(&copy.id)) {
		token_release(&copy);
		store_set_detail(s, "the token has no keyring item");
		return STORE_ERR_NOT_FOUND;
	}
	ret = ss_put(s, &copy);
	token_release(&copy);
	return ret;
}

static int delete_item(struct store *s, SecretItem *item)
{
	GError *e = NULL;
	struct deadline_call c;
	int ok = 0;

	deadline_call_begin(&c);
	secret_item_delete(item, c.cancel, deadline_call_done, &c);
	if (deadline_call_wait(&c, prompt_timeout(s)))
		ok = secret_item_delete_finish(item, c.res, &e);
	deadline_call_end(&c);
	if (!ok)
		return fail(s, &c, prompt_timeout(s), e, OP_ITEM,
			    "deleting the keyring item");
	return STORE_OK;
}

static int ss_remove(struct store *s, const struct token *t)
{
	SecretItem *item;
	int ret;

	ret = get_service(s);
	if (ret == STORE_OK)
		ret = load_item(s, t, &item);
	if (ret != STORE_OK)
		return ret;
	/* A keyring may ask to unlock before it deletes: only with a person. */
	if (secret_item_get_locked(item)) {
		ret = unlock_one(s, item);
		if (ret != STORE_OK) {
			g_object_unref(item);
			return ret;
		}
	}
	ret = delete_item(s, item);
	g_object_unref(item);
	return ret;
}

static void ss_close(struct store *s)
{
	struct sstore *p = s->priv;

	if (p->service)
		g_object_unref(p->service);
	if (p->bus)
		g_object_unref(p->bus);
	free(p);
	store_free(s);
}

static const struct store_ops ss_ops = {
	.name = "secret-service",
	.find = ss_find,
	.put = ss_put,
	.mark = ss_mark,
	.remove = ss_remove,
	.list = ss_list,
	.close = ss_close,
};

/*
 * Nothing is contacted here: the Secret Service is reached by the first
 * operation, so that its failure comes back with a detail in the store.
 */
int store_secretservice_open(struct store **out, int flags)
{
	*out = store_new(&ss_ops, xcalloc(1, sizeof(struct sstore)), flags);
	return STORE_OK;
}
