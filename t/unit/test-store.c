/* SPDX-License-Identifier: MIT */
/*
 * Both Secret Service stores against a real keyring, or against none.
 *
 * Run by t/unit/run-store-test.sh, which sets up each situation (an
 * unlocked gnome-keyring, a locked one, no bus, a keyring that never
 * answers) in a private D-Bus session and runs one mode per situation:
 *
 *   test-store keyring             put, find, replace, mark, remove
 *   test-store locked              a locked collection, no display
 *   test-store unavailable NAME    no Secret Service to be had
 *   test-store hang                a keyring that never answers
 *   test-store fake-service FILE   be that keyring: own the name, answer
 *                                  nothing; create FILE once ready
 *
 * Each mode prints "ok - name" or "not ok - name" lines and "# " notes;
 * the runner numbers them into TAP.  Exit 0 when all passed, 1 if not.
 */
#include "../../lib/store.h"
#include "../../lib/store/secretservice.h"

#include <libsecret/secret.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define API_PASSWORD "ATATT3xFfGF0test-api-token-one"
#define EXPIRES_2027_03_01 1803859200LL

static int failures;

static void report(int pass, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void report(int pass, const char *fmt, ...)
{
	va_list ap;

	printf("%s - ", pass ? "ok" : "not ok");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
	if (!pass)
		failures++;
}

static void note(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void note(const char *fmt, ...)
{
	va_list ap;

	fputs("# ", stdout);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
}

/* Say what a store call returned when it is not what a test wanted. */
static int expect(struct store *s, int got, int want)
{
	if (got != want)
		note("%s: got %d (%s), want %d; detail: %s", s->ops->name, got,
		     store_strerror(got), want, buf_str(&s->detail));
	return got == want;
}

static long elapsed_ms(gint64 since)
{
	return (long)((g_get_monotonic_time() - since) / 1000);
}

static struct store *open_ss(int flags)
{
	struct store *s;

	if (store_secretservice_open(&s, flags)) {
		note("store_secretservice_open failed");
		exit(2);
	}
	return s;
}

static struct store *open_lookup(void)
{
	struct store *s;

	if (store_secretservice_get_open(&s, 0)) {
		note("store_secretservice_get_open failed");
		exit(2);
	}
	return s;
}

/* ---- fixtures ---- */

static void api_token(struct token *t)
{
	token_init(t);
	t->kind = BB_KIND_API_TOKEN;
	t->origin = TOKEN_ADDED;
	t->expires = EXPIRES_2027_03_01;
	buf_set(&t->label, "laptop");
	buf_set(&t->protocol, "https");
	buf_set(&t->host, "bitbucket.org");
	buf_set(&t->username, "alice");
	buf_set(&t->workspace, "acme");
	buf_set(&t->password, API_PASSWORD);
	buf_set(&t->oauth_refresh_token, "refresh-me");
	buf_set(&t->extra, "probe_fetch=1\nfrom_a_newer_version=yes\n");
}

static void access_token(struct token *t)
{
	token_init(t);
	t->kind = BB_KIND_ACCESS_TOKEN;
	t->origin = TOKEN_ADDED;
	t->created = 1000;	/* older than anything stored today */
	buf_set(&t->label, "ci");
	buf_set(&t->protocol, "https");
	buf_set(&t->host, "bitbucket.org");
	buf_set(&t->workspace, "acme");
	buf_set(&t->repository, "widget");
	buf_set(&t->password, "ATCTT3xFfGF0test-access-token");
}

/* What git stores for another host: an empty password is a password. */
static void opaque_credential(struct token *t)
{
	token_init(t);
	t->kind = BB_KIND_OPAQUE;
	t->origin = TOKEN_FROM_GIT;
	buf_set(&t->protocol, "https");
	buf_set(&t->host, "example.com");
	buf_set(&t->path, "org/repo.git");
	buf_set(&t->username, "git-user");
	buf_set_empty(&t->password);
}

static int same_buf(const struct buf *a, const struct buf *b)
{
	if (buf_isset(a) != buf_isset(b))
		return 0;
	return !buf_isset(a) ||
	       (a->len == b->len && !memcmp(a->buf, b->buf, a->len));
}

/* NULL when every field but id is the same, else the first that is not. */
static const char *token_diff(const struct token *a, const struct token *b)
{
	if (a->kind != b->kind)
		return "kind";
	if (a->origin != b->origin)
		return "origin";
	if (a->rejected != b->rejected)
		return "rejected";
	if (a->expires != b->expires)
		return "expires";
	if (a->created != b->created)
		return "created";
	if (!same_buf(&a->label, &b->label))
		return "label";
	if (!same_buf(&a->protocol, &b->protocol))
		return "protocol";
	if (!same_buf(&a->host, &b->host))
		return "host";
	if (!same_buf(&a->path, &b->path))
		return "path";
	if (!same_buf(&a->username, &b->username))
		return "username";
	if (!same_buf(&a->workspace, &b->workspace))
		return "workspace";
	if (!same_buf(&a->repository, &b->repository))
		return "repository";
	if (!same_buf(&a->password, &b->password))
		return "password";
	if (!same_buf(&a->oauth_refresh_token, &b->oauth_refresh_token))
		return "oauth_refresh_token";
	if (!same_buf(&a->extra, &b->extra))
		return "extra";
	return NULL;
}

static struct token *by_id(const struct token_list *l, const struct buf *id)
{
	size_t i;

	for (i = 0; i < l->nr; i++)
		if (same_buf(&l->v[i]->id, id))
			return l->v[i];
	return NULL;
}

static int round_trips(const struct token_list *l, const struct token *want)
{
	struct token *got = by_id(l, &want->id);
	const char *diff;

	if (!got) {
		note("no token with id %s among %zu", buf_str(&want->id), l->nr);
		return 0;
	}
	diff = token_diff(got, want);
	if (diff)
		note("field %s differs", diff);
	return !diff;
}

/* find(host) into a fresh list; the return code of find. */
static int find(struct store *s, const char *host, struct token_list *l)
{
	token_list_release(l);
	return store_find(s, host, l);
}

/* ---- libsecret at first hand, to look behind the stores ---- */

static const SecretSchema raw_schema = {
	.name = SS_SCHEMA_NAME,
	.flags = SECRET_SCHEMA_NONE,
	.attributes = {
		{ SS_ATTR_HOST, SECRET_SCHEMA_ATTRIBUTE_STRING },
		{ SS_ATTR_KIND, SECRET_SCHEMA_ATTRIBUTE_STRING },
		{ SS_ATTR_WORKSPACE, SECRET_SCHEMA_ATTRIBUTE_STRING },
		{ SS_ATTR_REPOSITORY, SECRET_SCHEMA_ATTRIBUTE_STRING },
		{ SS_ATTR_USERNAME, SECRET_SCHEMA_ATTRIBUTE_STRING },
		{ SS_ATTR_LABEL, SECRET_SCHEMA_ATTRIBUTE_STRING },
		{ SS_ATTR_EXPIRES, SECRET_SCHEMA_ATTRIBUTE_STRING },
		{ SS_ATTR_STATE, SECRET_SCHEMA_ATTRIBUTE_STRING },
		{ SS_ATTR_ORIGIN, SECRET_SCHEMA_ATTRIBUTE_STRING },
		{ NULL, 0 },
	},
};

/*
 * Store an item of our schema with any secret, as a foreign writer
 * might.  The label attribute keeps libsecret from replacing one such
 * item by the next (it replaces items with the same attributes).
 */
static int raw_store(const char *collection, const char *host,
		     const char *label, const char *secret, size_t len)
{
	SecretValue *value = secret_value_new(secret, len, "text/plain");
	GHashTable *attrs = g_hash_table_new(g_str_hash, g_str_equal);
	GError *e = NULL;
	int ok;

	g_hash_table_insert(attrs, (gpointer)SS_ATTR_HOST, (gpointer)host);
	g_hash_table_insert(attrs, (gpointer)SS_ATTR_LABEL, (gpointer)label);
	ok = secret_service_store_sync(NULL, &raw_schema, attrs, collection,
				       "written by hand", value, NULL, &e);
	if (!ok) {
		note("raw store: %s", e->message);
		g_error_free(e);
	}
	secret_value_unref(value);
	g_hash_table_unref(attrs);
	return ok;
}

/*
 * The label of the one item matching these attributes, or NULL: proves
 * the attributes were written as people and searches see them.
 */
static char *raw_label_for(const char *first_attr, ...)
{
	GHashTable *attrs = g_hash_table_new(g_str_hash, g_str_equal);
	GError *e = NULL;
	GList *items;
	char *label = NULL;
	const char *k, *v;
	va_list ap;

	va_start(ap, first_attr);
	for (k = first_attr; k; k = va_arg(ap, const char *)) {
		v = va_arg(ap, const char *);
		g_hash_table_insert(attrs, (gpointer)k, (gpointer)v);
	}
	va_end(ap);
	items = secret_service_search_sync(NULL, &raw_schema, attrs,
					   SECRET_SEARCH_ALL, NULL, &e);
	if (e) {
		note("raw search: %s", e->message);
		g_error_free(e);
	} else if (g_list_length(items) == 1) {
		label = secret_item_get_label(items->data);
	} else {
		note("raw search found %u items", g_list_length(items));
	}
	g_list_free_full(items, g_object_unref);
	g_hash_table_unref(attrs);
	return label;
}

static int raw_lock_default(void)
{
	SecretService *service;
	SecretCollection *coll = NULL;
	GError *e = NULL;
	GList one = { NULL, NULL, NULL };
	int n = 0;

	service = secret_service_get_sync(SECRET_SERVICE_NONE, NULL, &e);
	if (service)
		coll = secret_collection_for_alias_sync(service,
							SECRET_COLLECTION_DEFAULT,
							SECRET_COLLECTION_NONE,
							NULL, &e);
	if (coll) {
		one.data = coll;
		n = secret_service_lock_sync(service, &one, NULL, NULL, &e);
		g_object_unref(coll);
	}
	if (e) {
		note("locking the default collection: %s", e->message);
		g_error_free(e);
	}
	if (service)
		g_object_unref(service);
	return n == 1;
}

/* ---- modes ---- */

static void check_read_only(void)
{
	struct store *g = open_lookup();
	struct token t;
	int a, b, c;

	api_token(&t);
	buf_set(&t.id, "/org/freedesktop/secrets/collection/login/1");
	a = store_put(g, &t);
	b = store_mark(g, &t, 1);
	c = store_remove(g, &t);
	report(a == STORE_ERR_FAILED && b == STORE_ERR_FAILED &&
	       c == STORE_ERR_FAILED && g->detail.len,
	       "the lean lookup refuses put, mark and remove with a detail");
	token_release(&t);
	store_close(g);
}

static void check_put_and_find(struct store *ss, struct store *g,
			       struct token *api, struct token *acc,
			       struct token *opq)
{
	struct token_list l = TOKEN_LIST_INIT;
	long long before = time(NULL);
	int ret;

	ret = store_put(ss, api);
	report(expect(ss, ret, STORE_OK) && buf_isset(&api->id) &&
	       !strncmp(api->id.buf, "/org/freedesktop/secrets/collection/", 36),
	       "put creates an item and sets the token's id to its path");
	report(api->created >= before && api->created <= time(NULL),
	       "put sets created when it was 0");
	report(expect(ss, store_put(ss, acc), STORE_OK) && acc->created == 1000,
	       "put keeps a created time it was given");
	report(expect(ss, store_put(ss, opq), STORE_OK),
	       "put stores an opaque credential with an empty password");

	ret = find(ss, "bitbucket.org", &l);
	report(expect(ss, ret, STORE_OK) && l.nr == 2 && round_trips(&l, api) &&
	       round_trips(&l, acc),
	       "libsecret find returns every field as it was put");
	report(l.nr == 2 && l.v[0] == by_id(&l, &api->id),
	       "libsecret find returns the newest first");
	ret = find(g, "bitbucket.org", &l);
	report(expect(g, ret, STORE_OK) && l.nr == 2 && round_trips(&l, api) &&
	       round_trips(&l, acc),
	       "the lean lookup find returns every field as it was put");
	report(l.nr == 2 && l.v[0] == by_id(&l, &api->id),
	       "the lean lookup find returns the newest first");

	ret = find(ss, "example.com", &l);
	report(expect(ss, ret, STORE_OK) && l.nr == 1 && round_trips(&l, opq) &&
	       buf_isset(&l.v[0]->password) && !l.v[0]->password.len,
	       "libsecret find by host returns only that host's tokens");
	ret = find(g, "example.com", &l);
	report(expect(g, ret, STORE_OK) && l.nr == 1 && round_trips(&l, opq),
	       "the lean lookup find by host returns only that host's tokens");
	ret = find(g, "gitlab.com", &l);
	report(expect(g, ret, STORE_OK) && !l.nr,
	       "the lean lookup find of a host with nothing stored finds nothing");
	ret = find(ss, "gitlab.com", &l);
	report(expect(ss, ret, STORE_OK) && !l.nr,
	       "libsecret find of a host with nothing stored finds nothing");

	token_list_release(&l);
	ret = store_list(ss, &l);
	report(expect(ss, ret, STORE_OK) && l.nr == 3,
	       "libsecret list returns the tokens of every host");
	token_list_release(&l);
	ret = store_list(g, &l);
	report(expect(g, ret, STORE_OK) && l.nr == 3,
	       "the lean lookup list returns the tokens of every host");
	token_list_release(&l);
}

/* 1 when the host's tokens come back created 3000, 2000, 1000. */
static int in_order(struct store *s, const char *host)
{
	struct token_list l = TOKEN_LIST_INIT;
	int ret = find(s, host, &l);

	ret = expect(s, ret, STORE_OK) && l.nr == 3 &&
	      l.v[0]->created == 3000 && l.v[1]->created == 2000 &&
	      l.v[2]->created == 1000;
	token_list_release(&l);
	return ret;
}

/* Stored in an order that neither the keyring's nor its reverse sorts. */
static void check_order(struct store *ss, struct store *g)
{
	static const long long created[] = { 1000, 3000, 2000 };
	struct token t;
	size_t i;
	int ok = 1;

	for (i = 0; i < 3; i++) {
		opaque_credential(&t);
		buf_set(&t.host, "order.example.com");
		t.created = created[i];
		ok &= expect(ss, store_put(ss, &t), STORE_OK);
		token_release(&t);
	}
	report(ok && in_order(ss, "order.example.com"),
	       "libsecret find sorts by created, newest first");
	report(ok && in_order(g, "order.example.com"),
	       "the lean lookup find sorts by created, newest first");
}

static void check_attributes(void)
{
	char *label;

	label = raw_label_for(SS_ATTR_HOST, "bitbucket.org", SS_ATTR_KIND, "api",
			      SS_ATTR_WORKSPACE, "acme", SS_ATTR_REPOSITORY, "",
			      SS_ATTR_USERNAME, "alice", SS_ATTR_LABEL, "laptop",
			      SS_ATTR_EXPIRES, "2027-03-01", SS_ATTR_STATE, "ok",
			      SS_ATTR_ORIGIN, "added", NULL);
	report(label && !strcmp(label, "Bitbucket API token 'laptop' for acme, "
				"expires 2027-03-01"),
	       "an API token's attributes and label are written for people");
	if (label)
		note("label: %s", label);
	g_free(label);
	label = raw_label_for(SS_ATTR_KIND, "access", SS_ATTR_REPOSITORY,
			      "widget", SS_ATTR_EXPIRES, "", NULL);
	report(label && !strcmp(label, "Bitbucket access token 'ci' for acme/widget"),
	       "an access token's label names its repository");
	g_free(label);
	label = raw_label_for(SS_ATTR_HOST, "example.com", SS_ATTR_ORIGIN, "git",
			      SS_ATTR_KIND, "opaque", NULL);
	report(label && !strcmp(label, "Git credential for "
				"https://git-user@example.com/org/repo.git"),
	       "an opaque credential's label is its URL");
	g_free(label);
}

static void check_replace(struct store *ss, struct store *g, struct token *api)
{
	struct token_list l = TOKEN_LIST_INIT;
	struct buf old_id = BUF_INIT;
	int ret;

	buf_set(&old_id, api->id.buf);
	buf_set(&api->password, "ATATT3xFfGF0test-api-token-two");
	buf_set(&api->workspace, "other");
	ret = store_put(ss, api);
	report(expect(ss, ret, STORE_OK) && buf_eq(&api->id, old_id.buf),
	       "put of a token with an id keeps its id");
	ret = find(g, "bitbucket.org", &l);
	report(expect(g, ret, STORE_OK) && l.nr == 2 && round_trips(&l, api),
	       "put replaces the secret in place (the lean lookup sees the new one)");
	ret = find(ss, "bitbucket.org", &l);
	report(expect(ss, ret, STORE_OK) && l.nr == 2 && round_trips(&l, api),
	       "put replaces the secret in place (libsecret sees the new one)");
	token_list_release(&l);
	buf_release(&old_id);
}

static int rejected_in(struct store *s, const struct token *t, int want)
{
	struct token_list l = TOKEN_LIST_INIT;
	struct token *got;
	int ret = find(s, "bitbucket.org", &l);

	got = by_id(&l, &t->id);
	ret = expect(s, ret, STORE_OK) && got && got->rejected == want;
	token_list_release(&l);
	return ret;
}

static void check_mark(struct store *ss, struct store *g, struct token *api)
{
	char *label;
	int ret;

	ret = store_mark(ss, api, 1);
	report(expect(ss, ret, STORE_OK) && !api->rejected,
	       "mark leaves the caller's token as it was");
	report(rejected_in(ss, api, 1) && rejected_in(g, api, 1),
	       "mark sets the rejected mark that both stores read");
	label = raw_label_for(SS_ATTR_LABEL, "laptop", SS_ATTR_STATE, "rejected",
			      NULL);
	report(label != NULL, "mark sets the state attribute to rejected");
	g_free(label);
	ret = store_mark(ss, api, 0);
	report(expect(ss, ret, STORE_OK) && rejected_in(ss, api, 0) &&
	       rejected_in(g, api, 0), "mark clears the rejected mark");
}

static void check_remove(struct store *ss, struct store *g, struct token *acc)
{
	struct token_list l = TOKEN_LIST_INIT;
	int ret;

	ret = store_remove(ss, acc);
	report(expect(ss, ret, STORE_OK), "remove deletes the item");
	ret = find(g, "bitbucket.org", &l);
	report(expect(g, ret, STORE_OK) && l.nr == 1 && !by_id(&l, &acc->id),
	       "a removed token is found no more");
	ret = store_remove(ss, acc);
	report(expect(ss, ret, STORE_ERR_NOT_FOUND),
	       "remove of an item already gone is NOT_FOUND");
	ret = store_put(ss, acc);
	report(expect(ss, ret, STORE_ERR_NOT_FOUND),
	       "put with the id of an item gone is NOT_FOUND");
	ret = store_mark(ss, acc, 1);
	report(expect(ss, ret, STORE_ERR_NOT_FOUND),
	       "mark of an item gone is NOT_FOUND");
	token_list_release(&l);
}

static void check_bad_items(struct store *ss, struct store *g)
{
	static const char cut[] = "bbtoken-secret 1\nkind=api\npassword=x";
	static const char nopass[] = "bbtoken-secret 1\nkind=api\npassword=\n";
	struct token_list l = TOKEN_LIST_INIT;
	struct token bad;
	int ret;

	/* Half-written (empty), foreign, cut short, a token without one. */
	report(raw_store(SECRET_COLLECTION_DEFAULT, "bitbucket.org", "empty",
			 "", 0) &&
	       raw_store(SECRET_COLLECTION_DEFAULT, "bitbucket.org", "foreign",
			 "hunter2", 7) &&
	       raw_store(SECRET_COLLECTION_DEFAULT, "bitbucket.org", "cut",
			 cut, sizeof(cut) - 1) &&
	       raw_store(SECRET_COLLECTION_DEFAULT, "bitbucket.org", "nopass",
			 nopass, sizeof(nopass) - 1),
	       "items of our schema with unreadable secrets can be written");
	ret = find(ss, "bitbucket.org", &l);
	report(expect(ss, ret, STORE_OK) && l.nr == 1,
	       "libsecret find skips items whose secret is not a credential");
	ret = find(g, "bitbucket.org", &l);
	report(expect(g, ret, STORE_OK) && l.nr == 1,
	       "the lean lookup find skips items whose secret is not a credential");
	token_list_release(&l);

	opaque_credential(&bad);
	buf_set(&bad.host, "bytes.example.com");
	buf_set(&bad.path, "caf\xe9/repo.git");
	buf_set(&bad.username, "\xff\xfe");
	ret = store_put(ss, &bad);
	report(expect(ss, ret, STORE_OK) &&
	       !find(g, "bytes.example.com", &l) && l.nr == 1 &&
	       !token_diff(l.v[0], &bad),
	       "a path and username that are not UTF-8 round-trip as bytes");
	token_release(&bad);
	ret = find(g, "\xff.example.com", &l);
	report(expect(g, ret, STORE_OK) && !l.nr &&
	       !find(ss, "\xff.example.com", &l) && !l.nr,
	       "find of a host that is not UTF-8 finds nothing");
	token_list_release(&l);

	api_token(&bad);
	buf_set(&bad.label, "two\nlines");
	ret = store_put(ss, &bad);
	report(expect(ss, ret, STORE_ERR_FAILED) && !buf_isset(&bad.id) &&
	       !bad.created, "put refuses a field with a line break");
	token_release(&bad);
}

static int mode_keyring(void)
{
	struct store *ss = open_ss(0), *g = open_lookup();
	struct token api, acc, opq;

	api_token(&api);
	access_token(&acc);
	opaque_credential(&opq);
	check_put_and_find(ss, g, &api, &acc, &opq);
	check_attributes();
	check_order(ss, g);
	check_replace(ss, g, &api);
	check_mark(ss, g, &api);
	check_remove(ss, g, &acc);
	check_bad_items(ss, g);
	check_read_only();
	token_release(&api);
	token_release(&acc);
	token_release(&opq);
	store_close(ss);
	store_close(g);
	return failures ? 1 : 0;
}

/*
 * One token in the login collection, which is then locked, and one in
 * the session collection, which stays unlocked.  No display: no prompt
 * can be shown.
 */
static int mode_locked(void)
{
	static const char payload[] = "bbtoken-secret 1\nkind=api\n"
		"created=5\nhost=bitbucket.org\npassword=" API_PASSWORD "\n";
	struct store *ss = open_ss(0), *g = open_lookup(), *sp;
	struct token_list l = TOKEN_LIST_INIT;
	struct token api;
	gint64 t0;
	int ret;

	api_token(&api);
	report(expect(ss, store_put(ss, &api), STORE_OK) &&
	       raw_store("/org/freedesktop/secrets/collection/session",
			 "bitbucket.org", "unlocked", payload,
			 sizeof(payload) - 1) &&
	       raw_lock_default(),
	       "a token is stored in a collection that is then locked");

	t0 = g_get_monotonic_time();
	ret = find(g, "bitbucket.org", &l);
	report(expect(g, ret, STORE_ERR_LOCKED) && l.nr == 1 &&
	       !by_id(&l, &api.id) &&
	       strstr(buf_str(&g->detail), "--replace --unlock"),
	       "the lean lookup find reports LOCKED and returns the unlocked tokens");
	note("the lean lookup locked: %ld ms; detail: %s", elapsed_ms(t0),
	     buf_str(&g->detail));

	t0 = g_get_monotonic_time();
	ret = find(ss, "bitbucket.org", &l);
	report(expect(ss, ret, STORE_ERR_LOCKED) && l.nr == 1 &&
	       elapsed_ms(t0) < ss->timeout_ms,
	       "libsecret find without a prompt reports LOCKED at once");
	note("libsecret locked: %ld ms; detail: %s", elapsed_ms(t0),
	     buf_str(&ss->detail));

	ret = store_mark(ss, &api, 1);
	report(expect(ss, ret, STORE_ERR_LOCKED),
	       "libsecret mark of a locked item without a prompt is LOCKED");
	ret = store_remove(ss, &api);
	report(expect(ss, ret, STORE_ERR_LOCKED),
	       "libsecret remove of a locked item without a prompt is LOCKED");
	token_release(&api);
	api_token(&api);
	ret = store_put(ss, &api);
	report(expect(ss, ret, STORE_ERR_LOCKED) && !buf_isset(&api.id),
	       "libsecret put into a locked keyring without a prompt is LOCKED");

	/* A prompt is allowed, but with no display gnome-keyring cannot show it. */
	sp = open_ss(STORE_PROMPT);
	t0 = g_get_monotonic_time();
	ret = find(sp, "bitbucket.org", &l);
	report((ret == STORE_ERR_DISMISSED || ret == STORE_ERR_LOCKED) &&
	       l.nr == 1 && elapsed_ms(t0) < sp->timeout_ms,
	       "libsecret find with a prompt that cannot be shown gives up at once");
	note("with STORE_PROMPT: %d (%s) in %ld ms; detail: %s", ret,
	     store_strerror(ret), elapsed_ms(t0), buf_str(&sp->detail));
	store_close(sp);

	token_list_release(&l);
	token_release(&api);
	store_close(ss);
	store_close(g);
	return failures ? 1 : 0;
}

/* Every store call fails UNAVAILABLE, and fast. */
static int mode_unavailable(const char *why)
{
	struct store *ss = open_ss(0), *g = open_lookup();
	struct token_list l = TOKEN_LIST_INIT;
	struct token api;
	gint64 t0;
	int ret;

	t0 = g_get_monotonic_time();
	ret = store_find(g, "bitbucket.org", &l);
	report(expect(g, ret, STORE_ERR_UNAVAILABLE) && !l.nr &&
	       g->detail.len && elapsed_ms(t0) < 2000,
	       "the lean lookup find is UNAVAILABLE with %s", why);
	note("lean lookup: %ld ms; detail: %s", elapsed_ms(t0), buf_str(&g->detail));

	t0 = g_get_monotonic_time();
	ret = store_find(ss, "bitbucket.org", &l);
	report(expect(ss, ret, STORE_ERR_UNAVAILABLE) && !l.nr &&
	       ss->detail.len && elapsed_ms(t0) < 2000,
	       "libsecret find is UNAVAILABLE with %s", why);
	note("libsecret: %ld ms; detail: %s", elapsed_ms(t0),
	     buf_str(&ss->detail));

	api_token(&api);
	ret = store_put(ss, &api);
	report(expect(ss, ret, STORE_ERR_UNAVAILABLE) && !buf_isset(&api.id),
	       "libsecret put is UNAVAILABLE with %s", why);
	token_release(&api);
	store_close(ss);
	store_close(g);
	return failures ? 1 : 0;
}

/* A keyring owns the name and never answers: each call ends at its deadline. */
static int mode_hang(void)
{
	struct store *ss = open_ss(0), *g = open_lookup();
	struct token_list l = TOKEN_LIST_INIT;
	struct token api;
	gint64 t0;
	long ms;
	int ret;

	g->timeout_ms = ss->timeout_ms = 500;

	t0 = g_get_monotonic_time();
	ret = store_find(g, "bitbucket.org", &l);
	ms = elapsed_ms(t0);
	report(expect(g, ret, STORE_ERR_TIMEOUT) && ms >= 400 && ms < 1500,
	       "the lean lookup find gives up on a silent keyring at its deadline");
	note("lean lookup: %ld ms; detail: %s", ms, buf_str(&g->detail));

	t0 = g_get_monotonic_time();
	ret = store_find(ss, "bitbucket.org", &l);
	ms = elapsed_ms(t0);
	report(expect(ss, ret, STORE_ERR_TIMEOUT) && ms >= 400 && ms < 1500,
	       "libsecret find gives up on a silent keyring at its deadline");
	note("libsecret: %ld ms; detail: %s", ms, buf_str(&ss->detail));

	api_token(&api);
	t0 = g_get_monotonic_time();
	ret = store_put(ss, &api);
	ms = elapsed_ms(t0);
	report(expect(ss, ret, STORE_ERR_TIMEOUT) && ms < 1500 &&
	       !buf_isset(&api.id),
	       "libsecret put gives up on a silent keyring at its deadline");
	buf_set(&api.id, "/org/freedesktop/secrets/collection/login/1");
	t0 = g_get_monotonic_time();
	ret = store_remove(ss, &api);
	ms = elapsed_ms(t0);
	report(expect(ss, ret, STORE_ERR_TIMEOUT) && ms < 1500,
	       "libsecret remove gives up on a silent keyring at its deadline");
	token_release(&api);
	store_close(ss);
	store_close(g);
	return failures ? 1 : 0;
}

/*
 * Drop every method call addressed to us.  Without this GDBus would
 * answer "unknown method" on its own, and the keyring would not be
 * silent.
 */
static GDBusMessage *drop_calls(GDBusConnection *bus, GDBusMessage *m,
				gboolean incoming, gpointer data)
{
	(void)bus;
	(void)data;
	if (incoming &&
	    g_dbus_message_get_message_type(m) == G_DBUS_MESSAGE_TYPE_METHOD_CALL) {
		g_object_unref(m);
		return NULL;
	}
	return m;
}

static int mode_fake_service(const char *ready_file)
{
	GDBusConnection *bus;
	GError *e = NULL;
	GVariant *r;
	guint32 got = 0;
	FILE *f;

	bus = g_bus_get_sync(G_BUS_TYPE_SESSION, NULL, &e);
	if (!bus) {
		fprintf(stderr, "fake-service: %s\n", e->message);
		return 2;
	}
	g_dbus_connection_add_filter(bus, drop_calls, NULL, NULL);
	r = g_dbus_connection_call_sync(bus, "org.freedesktop.DBus",
					"/org/freedesktop/DBus",
					"org.freedesktop.DBus", "RequestName",
					g_variant_new("(su)", "org.freedesktop.secrets",
						      0x4 /* DO_NOT_QUEUE */),
					G_VARIANT_TYPE("(u)"),
					G_DBUS_CALL_FLAGS_NONE, -1, NULL, &e);
	if (r) {
		g_variant_get(r, "(u)", &got);
		g_variant_unref(r);
	}
	if (got != 1) {
		fprintf(stderr, "fake-service: cannot own the name: %s\n",
			e ? e->message : "already owned");
		return 2;
	}
	f = fopen(ready_file, "w");
	if (f)
		fclose(f);
	for (;;)
		g_main_context_iteration(NULL, TRUE);
}

int main(int argc, char **argv)
{
	const char *mode = argc > 1 ? argv[1] : "";

	if (!strcmp(mode, "keyring"))
		return mode_keyring();
	if (!strcmp(mode, "locked"))
		return mode_locked();
	if (!strcmp(mode, "unavailable") && argc > 2)
		return mode_unavailable(argv[2]);
	if (!strcmp(mode, "hang"))
		return mode_hang();
	if (!strcmp(mode, "fake-service") && argc > 2)
		return mode_fake_service(argv[2]);
	fprintf(stderr, "usage: test-store (keyring | locked | hang | "
		"unavailable <why> | fake-service <ready-file>)\n");
	return 2;
}
