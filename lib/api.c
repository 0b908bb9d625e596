/* SPDX-License-Identifier: MIT */
/*
 * The Bitbucket client: git probes and REST calls over libcurl, and the
 * reading of Bitbucket's answers (api_explain).  See api.h for the
 * contract; the comments here say why the code is shaped as it is.
 */
#include "api.h"

#include <curl/curl.h>
#include <json-c/json.h>

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#ifndef BBTOKEN_VERSION
#error "BBTOKEN_VERSION must be defined (the Makefile does)"
#endif

#define SCOPE_READ_REPO "read:repository:bitbucket"
#define SCOPE_WRITE_REPO "write:repository:bitbucket"
#define SCOPE_READ_USER "read:user:bitbucket"
#define SCOPE_READ_WORKSPACE "read:workspace:bitbucket"

/* Bitbucket checks each scope on its own: push needs read as well. */
#define NEEDED_FETCH SCOPE_READ_REPO
#define NEEDED_PUSH SCOPE_READ_REPO ", " SCOPE_WRITE_REPO

#define MSG_SCOPES "lack one or more required privilege scopes"
#define MSG_APP_PASSWORD "CHANGE-3222"

/*
 * Limits on what a server, hostile or broken, can make us hold.  No real
 * error body comes near 1 MiB; an info/refs that does is cut short, which
 * is harmless because a probe needs only the status of a success.
 */
#define BODY_MAX (1024 * 1024)
#define SERVER_MESSAGE_MAX 512
#define SCOPES_MAX 64
#define SCOPE_LEN_MAX 64
#define CREDENTIAL_TYPE_MAX 64
#define USERNAME_MAX 128
#define JSON_DEPTH_MAX 16
/* A Retry-After longer than this is as good as "not today". */
#define RETRY_AFTER_MAX_S 3600

static const char user_agent[] = "git-credential-bbtoken/" BBTOKEN_VERSION;

/* --- results and clients --- */

void api_result_init(struct api_result *r)
{
	memset(r, 0, sizeof(*r));	/* fresh memory; buf_init needs it unset */
	r->answer = API_UNKNOWN;
	r->failure = API_OK;
	r->status = 0;
	r->tries = 0;
	buf_init(&r->message, 0);
	buf_init(&r->server_message, 0);
	buf_init(&r->missing_scopes, 0);
	buf_init(&r->granted_scopes, 0);
	buf_init(&r->credential_type, 0);
	buf_init(&r->username, 0);
	buf_init(&r->display_name, 0);
}

void api_result_release(struct api_result *r)
{
	buf_release(&r->message);
	buf_release(&r->server_message);
	buf_release(&r->missing_scopes);
	buf_release(&r->granted_scopes);
	buf_release(&r->credential_type);
	buf_release(&r->username);
	buf_release(&r->display_name);
	api_result_init(r);
}

void api_client_init(struct api_client *c)
{
	memset(c, 0, sizeof(*c));	/* fresh memory; buf_init needs it unset */
	buf_init(&c->host, 0);
	buf_init(&c->api_url, 0);
	buf_init(&c->ca_info, 0);
	c->connect_timeout_ms = API_CONNECT_TIMEOUT_MS;
	c->timeout_ms = API_TIMEOUT_MS;
	c->max_tries = API_MAX_TRIES;
}

void api_client_release(struct api_client *c)
{
	buf_release(&c->host);
	buf_release(&c->api_url);
	buf_release(&c->ca_info);
	api_client_init(c);
}

/* Set the verdict and the sentence for people in one go. */
__attribute__((format(printf, 4, 5)))
static void result_say(struct api_result *r, enum api_answer answer,
		       enum api_failure failure, const char *fmt, ...)
{
	char small[1024], *big;
	va_list ap;
	int n;

	r->answer = answer;
	r->failure = failure;
	va_start(ap, fmt);
	n = vsnprintf(small, sizeof(small), fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n < sizeof(small)) {
		buf_set(&r->message, small);
		return;
	}
	/* Out of memory, the sentence is cut rather than lost. */
	big = malloc((size_t)n + 1);
	if (!big) {
		buf_set(&r->message, small);
		return;
	}
	va_start(ap, fmt);
	vsnprintf(big, (size_t)n + 1, fmt, ap);
	va_end(ap);
	buf_set(&r->message, big);
	free(big);
}

/* --- cleaning what the server says --- */

/*
 * Characters that reorder or hide text around them without showing
 * themselves (the "Trojan Source" family): a server could make a message
 * read as something it does not say.  The Arabic letter mark, zero-width
 * spaces and joiners, the direction marks, embeddings, overrides and
 * isolates, word joiners and invisible operators, and the BOM.
 */
static int is_format_char(uint32_t cp)
{
	return cp == 0x061C || (cp >= 0x200B && cp <= 0x200F) ||
	       (cp >= 0x202A && cp <= 0x202E) || (cp >= 0x2060 && cp <= 0x2069) ||
	       cp == 0xFEFF;
}

/*
 * Length of the valid UTF-8 sequence at s, or 0.  Overlong forms,
 * surrogates, C1 controls (U+0080..U+009F, which some terminals obey) and
 * format characters count as invalid: server text ends up on the user's
 * terminal.
 */
static size_t utf8_len(const unsigned char *s, size_t len)
{
	uint32_t cp;
	size_t n, i;

	if (s[0] < 0xC2 || s[0] > 0xF4)
		return 0;
	n = s[0] < 0xE0 ? 2 : s[0] < 0xF0 ? 3 : 4;
	if (len < n)
		return 0;
	cp = s[0] & (0x7F >> n);
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xC0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3F);
	}
	if ((n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) ||
	    cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF) || cp < 0xA0)
		return 0;
	if (is_format_char(cp))
		return 0;
	return n;
}

/*
 * Append server text as one printable line: whitespace runs become one
 * space, anything else unprintable becomes '?', at most max bytes.
 */
static void add_clean(struct buf *out, const char *text, size_t len,
		      size_t max)
{
	const unsigned char *s = (const unsigned char *)text;
	size_t i = 0, n, start = out->len;
	int space = 0;

	while (i < len && out->len - start < max) {
		if (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r') {
			space = 1;
			i++;
			continue;
		}
		if (space && out->len > start && buf_addch(out, ' ') < 0)
			return;
		space = 0;
		n = s[i] >= 0x80 ? utf8_len(s + i, len - i) : 0;
		if (n && out->len - start + n > max)
			return;
		if (n) {
			if (buf_add(out, s + i, n) < 0)
				return;
			i += n;
			continue;
		}
		if (buf_addch(out, s[i] >= 0x20 && s[i] < 0x7F ? s[i] : '?') < 0)
			return;
		i++;
	}
}

/* --- scope lists, kept as "a, b, c" --- */

/* Scope names are ACTION:RESOURCE:bitbucket; refuse anything else. */
static int scope_ok(const char *s, size_t len)
{
	size_t i;

	if (!len || len > SCOPE_LEN_MAX)
		return 0;
	for (i = 0; i < len; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') ||
		      (s[i] >= '0' && s[i] <= '9') ||
		      (s[i] && strchr(":_-.", s[i]))))
			return 0;
	return 1;
}

/* Next scope in a list split by commas or spaces; 0 at the end. */
static int scope_next(const char **p, const char **s, size_t *len)
{
	const char *q = *p;

	while (*q == ',' || *q == ' ' || *q == '\t')
		q++;
	if (!*q)
		return 0;
	*s = q;
	while (*q && *q != ',' && *q != ' ' && *q != '\t')
		q++;
	*len = q - *s;
	*p = q;
	return 1;
}

static int scopes_has(const char *list, const char *s, size_t len)
{
	const char *p = list, *t;
	size_t n;

	while (scope_next(&p, &t, &n))
		if (n == len && !memcmp(t, s, n))
			return 1;
	return 0;
}

static size_t scopes_count(const char *list)
{
	const char *p = list, *t;
	size_t n, count = 0;

	while (scope_next(&p, &t, &n))
		count++;
	return count;
}

/*
 * Add one scope, once.  The list is capped so that a server cannot make
 * the set arithmetic below quadratic in a megabyte.
 */
static void scopes_add(struct buf *list, const char *s, size_t len)
{
	if (!scope_ok(s, len) || scopes_has(buf_str(list), s, len) ||
	    scopes_count(buf_str(list)) >= SCOPES_MAX)
		return;
	if (list->len && buf_adds(list, ", ") < 0)
		return;
	buf_add(list, s, len);
}

/* A header value such as "a, b" into a (set) list. */
static void scopes_from_text(struct buf *list, const char *text)
{
	const char *p = text, *s;
	size_t n;

	buf_set_empty(list);
	while (scope_next(&p, &s, &n))
		scopes_add(list, s, n);
}

/* A JSON array of strings into a (set) list; 0, or -1 if not an array. */
static int scopes_from_json(struct buf *list, struct json_object *array)
{
	size_t i, n;

	if (!json_object_is_type(array, json_type_array))
		return -1;
	buf_set_empty(list);
	n = json_object_array_length(array);
	for (i = 0; i < n && i < SCOPES_MAX * 4; i++) {
		struct json_object *v = json_object_array_get_idx(array, i);

		if (json_object_is_type(v, json_type_string))
			scopes_add(list, json_object_get_string(v),
				   json_object_get_string_len(v));
	}
	return 0;
}

/* out = a minus b */
static void scopes_minus(struct buf *out, const char *a, const char *b)
{
	const char *p = a, *s;
	size_t n;

	buf_set_empty(out);
	while (scope_next(&p, &s, &n))
		if (!scopes_has(b, s, n))
			scopes_add(out, s, n);
}

/* --- Bitbucket's bodies --- */

/*
 * A whole JSON document or NULL.  Strict (no comments, no trailing junk),
 * UTF-8 checked, and nested at most JSON_DEPTH_MAX deep so a hostile body
 * cannot run the parser's stack down.
 */
static struct json_object *json_parse(const char *body, size_t len)
{
	struct json_tokener *tok;
	struct json_object *obj;
	size_t end;

	if (!body || !len || len > INT_MAX)
		return NULL;
	tok = json_tokener_new_ex(JSON_DEPTH_MAX);
	if (!tok)
		return NULL;
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT |
			       JSON_TOKENER_VALIDATE_UTF8);
	obj = json_tokener_parse_ex(tok, body, (int)len);
	if (obj && json_tokener_get_error(tok) == json_tokener_success) {
		end = json_tokener_get_parse_end(tok);
		while (end < len && strchr(" \t\r\n", body[end]) && body[end])
			end++;
		if (end != len) {
			json_object_put(obj);
			obj = NULL;
		}
	} else if (obj) {
		json_object_put(obj);
		obj = NULL;
	}
	json_tokener_free(tok);
	return obj;
}

static struct json_object *json_get(struct json_object *obj, const char *key,
				    enum json_type type)
{
	struct json_object *v;

	if (!json_object_is_type(obj, json_type_object) ||
	    !json_object_object_get_ex(obj, key, &v) ||
	    !json_object_is_type(v, type))
		return NULL;
	return v;
}

static int looks_like_json(const char *content_type, const char *body,
			   size_t len)
{
	size_t i = 0;

	if (content_type && strcasestr(content_type, "json"))
		return 1;
	while (i < len && strchr(" \t\r\n", body[i]) && body[i])
		i++;
	return i < len && body[i] == '{';
}

/* Plain text: the first line that says something is the message. */
static void text_message(struct buf *out, const char *body, size_t len)
{
	const char *p = body, *end = body + len, *eol;

	while (p < end) {
		eol = memchr(p, '\n', end - p);
		if (!eol)
			eol = end;
		buf_set_empty(out);
		add_clean(out, p, eol - p, SERVER_MESSAGE_MAX);
		if (out->len)
			return;
		p = eol + 1;
	}
	buf_release(out);
}

/* What a parsed error body tells: error.message and error.detail. */
struct error_body {
	struct buf required;  /* detail.required, set when it was an array */
	struct buf granted;   /* detail.granted, set when it was an array */
};

static void json_message(struct api_result *r, struct error_body *e,
			 struct json_object *doc)
{
	struct json_object *error = json_get(doc, "error", json_type_object);
	struct json_object *msg, *detail;

	if (!error)
		return;
	msg = json_get(error, "message", json_type_string);
	if (msg) {
		buf_set_empty(&r->server_message);
		add_clean(&r->server_message, json_object_get_string(msg),
			  json_object_get_string_len(msg), SERVER_MESSAGE_MAX);
	}
	detail = json_get(error, "detail", json_type_string);
	if (detail && json_object_get_string_len(detail)) {
		/* A string detail often says more than the message: keep it. */
		if (r->server_message.len)
			buf_adds(&r->server_message, ": ");
		else
			buf_set_empty(&r->server_message);
		add_clean(&r->server_message, json_object_get_string(detail),
			  json_object_get_string_len(detail), SERVER_MESSAGE_MAX);
	}
	detail = json_get(error, "detail", json_type_object);
	if (!detail)
		return;
	if (scopes_from_json(&e->required,
			     json_get(detail, "required", json_type_array)) < 0)
		buf_release(&e->required);
	if (scopes_from_json(&e->granted,
			     json_get(detail, "granted", json_type_array)) < 0)
		buf_release(&e->granted);
}

static void read_body(struct api_result *r, struct error_body *e,
		      const char *content_type, const char *body, size_t len)
{
	struct json_object *doc;

	if (!body || !len)
		return;
	if (looks_like_json(content_type, body, len)) {
		doc = json_parse(body, len);
		json_message(r, e, doc);
		json_object_put(doc);
		/* Broken JSON has nothing to say; text that starts with '{' may. */
		if (doc || (content_type && strcasestr(content_type, "json")))
			return;
	}
	/* An HTML page says nothing a sentence can carry. */
	if (content_type && strcasestr(content_type, "html"))
		return;
	text_message(&r->server_message, body, len);
}

static int body_has(const char *body, size_t len, const char *needle)
{
	return body && memmem(body, len, needle, strlen(needle)) != NULL;
}

/* Only names made of [a-z0-9_-], like "api_token", are worth repeating. */
static void read_credential_type(struct buf *out, const char *value)
{
	size_t i, n;

	if (!value)
		return;
	n = strlen(value);
	if (!n || n > CREDENTIAL_TYPE_MAX)
		return;
	for (i = 0; i < n; i++)
		if (!((value[i] >= 'a' && value[i] <= 'z') ||
		      (value[i] >= '0' && value[i] <= '9') ||
		      value[i] == '_' || value[i] == '-'))
			return;
	buf_set(out, value);
}

/* --- api_explain: one answer into words --- */

static void explain_unauthorized(struct api_result *r, const char *needed)
{
	result_say(r, API_NO, API_ERR_UNAUTHORIZED,
		   "Bitbucket refused the token (HTTP 401): either the username "
		   "does not go with it (an API token wants %s or your Bitbucket "
		   "username for git, and your Atlassian account email for the "
		   "REST API; an access token wants %s), or the token is invalid, "
		   "expired, revoked or was created without scopes; it needs %s, "
		   "and a new one can be created at %s",
		   BB_USER_API_TOKEN, BB_USER_ACCESS_TOKEN,
		   needed && *needed ? needed : "the scopes of what it is for",
		   BB_TOKEN_PAGE);
}

/*
 * What is missing: detail.required minus detail.granted when Bitbucket
 * says; else what the endpoint accepts (x-accepted-oauth-scopes) or what
 * we know the operation needs, minus x-oauth-scopes when sent.  With no
 * word on what was granted, all of the required ones are named.
 */
static void explain_scope(struct api_result *r, const struct error_body *e,
			  const char *accepted, const char *needed)
{
	struct buf required = BUF_INIT;
	const char *where, *kind;

	if (buf_isset(&e->required))
		buf_set(&required, e->required.buf);
	else if (accepted && scopes_count(accepted))
		scopes_from_text(&required, accepted);
	else if (needed)
		scopes_from_text(&required, needed);
	if (buf_isset(&r->granted_scopes))
		scopes_minus(&r->missing_scopes, buf_str(&required),
			     r->granted_scopes.buf);
	else
		buf_set(&r->missing_scopes, buf_str(&required));
	if (!r->missing_scopes.len)
		buf_release(&r->missing_scopes);

	/* Access tokens are made in the repository's settings, not there. */
	if (strstr(buf_str(&r->credential_type), "access_token")) {
		kind = "access token";
		where = "in the repository, project or workspace settings "
			"(Access tokens)";
	} else {
		kind = "API token";
		where = "at " BB_TOKEN_PAGE;
	}
	if (buf_isset(&r->missing_scopes))
		result_say(r, API_NO, API_ERR_SCOPE,
			   "the token lacks %s (HTTP 403); scopes are fixed when a "
			   "token is created and write does not imply read, so "
			   "create a new %s with %s %s",
			   r->missing_scopes.buf, kind, buf_str(&required), where);
	else
		result_say(r, API_NO, API_ERR_SCOPE,
			   "the token lacks a scope this needs (HTTP 403); scopes "
			   "are fixed when a token is created and write does not "
			   "imply read, so create a new %s with %s %s",
			   kind, required.len ? required.buf : "the scopes you need",
			   where);
	buf_release(&required);
}

static void explain_status(struct api_result *r, const struct error_body *e,
			   long status, const char *body, size_t len,
			   const char *accepted, const char *needed)
{
	if (status >= 200 && status < 300) {
		r->answer = API_YES;
		r->failure = API_OK;
		return;
	}
	/*
	 * Before 401: a dead app password has been seen to get 410 on git
	 * and 401 on REST, both naming CHANGE-3222.
	 */
	if (status == 410 || body_has(body, len, MSG_APP_PASSWORD)) {
		result_say(r, API_NO, API_ERR_APP_PASSWORD,
			   "this is an app password, which Bitbucket stopped "
			   "accepting on 28 July 2026: create an API token at %s "
			   "and use it instead", BB_TOKEN_PAGE);
		return;
	}
	if (status == 401) {
		explain_unauthorized(r, accepted && *accepted ? accepted : needed);
		return;
	}
	if (status == 403 && (body_has(body, len, MSG_SCOPES) ||
			      strstr(buf_str(&r->server_message), MSG_SCOPES) ||
			      buf_isset(&e->required))) {
		explain_scope(r, e, accepted, needed);
		return;
	}
	if (status == 403) {
		result_say(r, API_NO, API_ERR_FORBIDDEN,
			   "the token has no access to this repository or "
			   "workspace (HTTP 403): it may be limited to another "
			   "one, or the account lacks permission; use a token made "
			   "for it, or ask an administrator for access");
		return;
	}
	if (status == 404) {
		result_say(r, API_NO, API_ERR_NOT_FOUND,
			   "no such repository or workspace, or the token cannot "
			   "see it (HTTP 404): check the workspace and repository "
			   "names, and that the token was made for that workspace");
		return;
	}
	if (status == 429) {
		result_say(r, API_UNKNOWN, API_ERR_RATE_LIMITED,
			   "Bitbucket is limiting requests (HTTP 429): wait a few "
			   "minutes and try again");
		return;
	}
	if (status >= 500 && status < 600) {
		result_say(r, API_UNKNOWN, API_ERR_SERVER,
			   "Bitbucket failed with a server error (HTTP %ld): try "
			   "again later", status);
		return;
	}
	if (status >= 300 && status < 400) {
		result_say(r, API_UNKNOWN, API_ERR_PROTOCOL,
			   "the server answered with a redirect (HTTP %ld), which "
			   "is not followed so that the token stays with this host: "
			   "check the host name and the REST URL (bbtoken.apiUrl "
			   "or --api-url)", status);
		return;
	}
	result_say(r, API_UNKNOWN, API_ERR_PROTOCOL,
		   "the server gave an answer that makes no sense here (HTTP "
		   "%ld): check that the host and the REST URL (bbtoken.apiUrl "
		   "or --api-url) are Bitbucket Cloud's", status);
}

void api_explain(long status, const char *content_type, const char *body,
		 size_t len, const char *oauth_scopes,
		 const char *accepted_scopes, const char *credential_type,
		 const char *needed, struct api_result *r)
{
	struct error_body e = { BUF_INIT, BUF_INIT };

	r->status = status;
	buf_release(&r->message);
	buf_release(&r->server_message);
	buf_release(&r->missing_scopes);
	buf_release(&r->granted_scopes);
	buf_release(&r->credential_type);
	if (!body)
		len = 0;

	read_credential_type(&r->credential_type, credential_type);
	/* A success has no error to read; its body is the caller's. */
	if (status < 200 || status > 299)
		read_body(r, &e, content_type, body, len);
	/* The header is about this token; detail.granted is a fallback. */
	if (oauth_scopes)
		scopes_from_text(&r->granted_scopes, oauth_scopes);
	else if (buf_isset(&e.granted))
		buf_set(&r->granted_scopes, e.granted.buf);
	explain_status(r, &e, status, body, len, accepted_scopes, needed);
	buf_release(&e.required);
	buf_release(&e.granted);
}

/* --- base64 and the Authorization header --- */

static int base64_add(struct buf *out, const unsigned char *in, size_t len)
{
	static const char b64[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	char quad[4];
	uint32_t v;
	size_t i;
	int ret = 0;

	for (i = 0; i < len && !ret; i += 3) {
		v = (uint32_t)in[i] << 16;
		if (i + 1 < len)
			v |= (uint32_t)in[i + 1] << 8;
		if (i + 2 < len)
			v |= in[i + 2];
		quad[0] = b64[(v >> 18) & 63];
		quad[1] = b64[(v >> 12) & 63];
		quad[2] = i + 1 < len ? b64[(v >> 6) & 63] : '=';
		quad[3] = i + 2 < len ? b64[v & 63] : '=';
		ret = buf_add(out, quad, 4);
	}
	/* Both held bits of the secret. */
	wipe(quad, sizeof(quad));
	wipe(&v, sizeof(v));
	return ret;
}

/* "Authorization: Basic base64(user:secret)" into header. */
static int auth_basic(struct buf *header, const char *user,
		      const struct buf *secret)
{
	struct buf plain = BUF_INIT;
	int ret;

	ret = buf_adds(&plain, user) | buf_addch(&plain, ':') |
	      buf_add(&plain, secret->buf, secret->len) |
	      buf_adds(header, "Authorization: Basic ") |
	      base64_add(header, (const unsigned char *)plain.buf, plain.len);
	buf_release(&plain);
	return ret ? -1 : 0;
}

static int auth_bearer(struct buf *header, const struct buf *secret)
{
	int ret = buf_adds(header, "Authorization: Bearer ") |
		  buf_add(header, secret->buf, secret->len);

	return ret ? -1 : 0;
}

/* A bearer token goes into the header as it is: no byte may end the line. */
static int bearer_ok(const struct buf *secret)
{
	size_t i;

	for (i = 0; i < secret->len; i++)
		if (secret->buf[i] <= ' ' || secret->buf[i] == 0x7F)
			return 0;
	return 1;
}

/* Basic auth splits at the first ':', so a username cannot hold one. */
static int basic_user_ok(const char *user)
{
	const char *p;

	if (!user || !*user || strlen(user) > 256)
		return 0;
	for (p = user; *p; p++)
		if (*p == ':' || (unsigned char)*p < ' ' || *p == 0x7F)
			return 0;
	return 1;
}

/* --- one request --- */

struct request {
	struct buf url;
	struct buf auth;        /* the Authorization line: holds the secret */
	struct buf where;       /* host[:port], to name in messages */
	const char *accept;     /* an extra header line, or NULL */
	const char *needed;     /* the scopes the operation needs */
	const char *git_type;   /* git probes: the content type of a 200 */
	int want_user;          /* api_whoami: read the user from a 200 */
};

struct response {
	CURLcode rc;
	long status;
	long os_errno;
	long retry_after;       /* seconds; 0 when not sent */
	int truncated;          /* the body passed BODY_MAX and was cut */
	struct buf body;
	struct buf content_type;
	struct buf oauth_scopes;
	struct buf accepted_scopes;
	struct buf credential_type;
	char error[CURL_ERROR_SIZE];
};

static void response_init(struct response *resp)
{
	memset(resp, 0, sizeof(*resp));	/* fresh or released memory */
	resp->rc = CURLE_OK;
	resp->status = resp->os_errno = resp->retry_after = 0;
	resp->truncated = 0;
	buf_init(&resp->body, BODY_MAX);
	buf_init(&resp->content_type, 0);
	buf_init(&resp->oauth_scopes, 0);
	buf_init(&resp->accepted_scopes, 0);
	buf_init(&resp->credential_type, 0);
	resp->error[0] = '\0';
}

static void response_release(struct response *resp)
{
	buf_release(&resp->body);
	buf_release(&resp->content_type);
	buf_release(&resp->oauth_scopes);
	buf_release(&resp->accepted_scopes);
	buf_release(&resp->credential_type);
}

static size_t on_body(char *data, size_t size, size_t nmemb, void *ctx)
{
	struct response *resp = ctx;
	size_t len = size * nmemb;

	/* Returning short makes libcurl stop with CURLE_WRITE_ERROR. */
	if (buf_add(&resp->body, data, len) < 0) {
		resp->truncated = 1;
		return 0;
	}
	return len;
}

static void copy_header(CURL *h, const char *name, struct buf *out)
{
	struct curl_header *hd;

	if (curl_easy_header(h, name, 0, CURLH_HEADER, -1, &hd) == CURLHE_OK)
		buf_set(out, hd->value);
}

/* What we keep of an answer, read before the handle goes. */
static void response_read(CURL *h, struct response *resp)
{
	curl_off_t retry_after = 0;
	char *type = NULL;

	curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &resp->status);
	curl_easy_getinfo(h, CURLINFO_OS_ERRNO, &resp->os_errno);
	if (curl_easy_getinfo(h, CURLINFO_CONTENT_TYPE, &type) == CURLE_OK && type)
		buf_set(&resp->content_type, type);
	/* libcurl reads both forms, seconds and an HTTP date. */
	if (curl_easy_getinfo(h, CURLINFO_RETRY_AFTER, &retry_after) == CURLE_OK &&
	    retry_after > 0)
		resp->retry_after = retry_after > RETRY_AFTER_MAX_S ?
			RETRY_AFTER_MAX_S : (long)retry_after;
	copy_header(h, "x-oauth-scopes", &resp->oauth_scopes);
	copy_header(h, "x-accepted-oauth-scopes", &resp->accepted_scopes);
	copy_header(h, "x-credential-type", &resp->credential_type);
}

/*
 * Credentials stay with their origin: https only, for the request and
 * for any redirect (none is followed), the Authorization header never to
 * a proxy, certificates always checked.  Each option is checked: a
 * libcurl that cannot restrict protocols must not be used at all.
 */
static int request_setup(CURL *h, const struct api_client *c,
			 const struct request *req, struct curl_slist *headers,
			 long left_ms, struct response *resp)
{
	long connect_ms = c->connect_timeout_ms > 0 ?
		c->connect_timeout_ms : API_CONNECT_TIMEOUT_MS;
	int ok;

	if (connect_ms > left_ms)
		connect_ms = left_ms;
	ok = curl_easy_setopt(h, CURLOPT_URL, req->url.buf) == CURLE_OK &&
#if LIBCURL_VERSION_NUM >= 0x075500
	     curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "https") == CURLE_OK &&
	     curl_easy_setopt(h, CURLOPT_REDIR_PROTOCOLS_STR, "https") == CURLE_OK &&
#else
	     curl_easy_setopt(h, CURLOPT_PROTOCOLS,
			      (long)CURLPROTO_HTTPS) == CURLE_OK &&
	     curl_easy_setopt(h, CURLOPT_REDIR_PROTOCOLS,
			      (long)CURLPROTO_HTTPS) == CURLE_OK &&
#endif
	     curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L) == CURLE_OK &&
	     curl_easy_setopt(h, CURLOPT_MAXREDIRS, 0L) == CURLE_OK &&
	     curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 1L) == CURLE_OK &&
	     curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 2L) == CURLE_OK &&
	     curl_easy_setopt(h, CURLOPT_HEADEROPT,
			      (long)CURLHEADER_SEPARATE) == CURLE_OK &&
	     curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers) == CURLE_OK &&
	     curl_easy_setopt(h, CURLOPT_USERAGENT, user_agent) == CURLE_OK &&
	     curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L) == CURLE_OK &&
	     curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, connect_ms) == CURLE_OK &&
	     curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, left_ms) == CURLE_OK &&
	     curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body) == CURLE_OK &&
	     curl_easy_setopt(h, CURLOPT_WRITEDATA, resp) == CURLE_OK &&
	     curl_easy_setopt(h, CURLOPT_ERRORBUFFER, resp->error) == CURLE_OK;
	/* As git does with http.sslCAInfo: the bundle replaces the default. */
	if (ok && buf_isset(&c->ca_info))
		ok = curl_easy_setopt(h, CURLOPT_CAINFO, c->ca_info.buf) == CURLE_OK;
	return ok ? 0 : -1;
}

/*
 * curl_slist_append() copies each header; the list is ours (its struct
 * is public), so wipe the copy holding the Authorization line before
 * libcurl frees it.
 */
static void free_headers(struct curl_slist *headers)
{
	struct curl_slist *l;

	for (l = headers; l; l = l->next)
		if (l->data)
			wipe(l->data, strlen(l->data));
	curl_slist_free_all(headers);
}

/*
 * One request on its own handle, freed at once.  libcurl builds the
 * request from the header strings in buffers of its own and frees them
 * without wiping (its own libcurl-security.md says so); we wipe what is
 * ours: req->auth and the header list.
 * Returns 0, or -1 when libcurl could not be set up (out of memory).
 */
static int request_perform(const struct api_client *c,
			   const struct request *req, long left_ms,
			   struct response *resp)
{
	struct curl_slist *headers = NULL, *more;
	CURL *h;
	int ret = -1;

	h = curl_easy_init();
	if (!h)
		return -1;
	headers = curl_slist_append(NULL, req->auth.buf);
	if (headers && req->accept) {
		more = curl_slist_append(headers, req->accept);
		if (!more) {
			free_headers(headers);
			headers = NULL;
		}
	}
	if (headers && !request_setup(h, c, req, headers, left_ms, resp)) {
		resp->rc = curl_easy_perform(h);
		response_read(h, resp);
		/*
		 * libcurl says "out of memory" of a header over its 100 KiB
		 * limit too, and with no word in the error buffer: most
		 * likely the server's doing, so explained, not died of.
		 */
		ret = 0;
	}
	curl_easy_cleanup(h);
	free_headers(headers);
	return ret;
}

/* --- retries and time --- */

static long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000 };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

/* Did the server answer at all (possibly with a cut body)? */
static int answered(const struct response *resp)
{
	return resp->rc == CURLE_OK ||
	       (resp->rc == CURLE_WRITE_ERROR && resp->truncated && resp->status);
}

/* A connection closed without an answer is the server's fault too. */
static int closed_early(CURLcode rc)
{
	return rc == CURLE_GOT_NOTHING || rc == CURLE_RECV_ERROR ||
	       rc == CURLE_SEND_ERROR;
}

static int retryable(const struct response *resp)
{
	if (answered(resp))
		return resp->status == 429 ||
		       (resp->status >= 500 && resp->status < 600);
	return closed_early(resp->rc);
}

/* Retry-After when sent, else 1 s, 2 s, 4 s... */
static long retry_delay_ms(const struct response *resp, int tries)
{
	if (resp->retry_after > 0)
		return resp->retry_after * 1000;
	return 1000L << (tries < 10 ? tries - 1 : 9);
}

/* --- from outcome to result --- */

static int tls_failure(CURLcode rc)
{
	return rc == CURLE_PEER_FAILED_VERIFICATION ||
	       rc == CURLE_SSL_CACERT_BADFILE || rc == CURLE_SSL_ISSUER_ERROR ||
	       rc == CURLE_SSL_PINNEDPUBKEYNOTMATCH ||
	       rc == CURLE_SSL_INVALIDCERTSTATUS || rc == CURLE_SSL_CRL_BADFILE;
}

/*
 * libcurl's error names the address it could not connect to.  When that
 * is not the host we asked for, it was a proxy from the environment, and
 * naming our host would send the user looking in the wrong place.
 */
static int proxy_failed(const struct request *req, const struct response *resp)
{
	const char *w = req->where.buf, *colon = strrchr(w, ':');
	struct buf expect = BUF_INIT;
	size_t hlen;
	int other;

	if (resp->rc != CURLE_COULDNT_CONNECT || !resp->error[0])
		return 0;
	if (!colon || strchr(colon, ']'))
		colon = NULL;
	hlen = colon ? (size_t)(colon - w) : strlen(w);
	if (*w == '[' && hlen >= 2 && w[hlen - 1] == ']') {
		w++;
		hlen -= 2;
	}
	buf_adds(&expect, "to ");
	buf_add(&expect, w, hlen);
	buf_addf(&expect, " port %s ", colon ? colon + 1 : "443");
	other = !strstr(resp->error, buf_str(&expect));
	buf_release(&expect);
	return other;
}

/* Why libcurl stopped, in words fit for the user (server bytes cleaned). */
static void failure_reason(const struct request *req,
			   const struct response *resp, struct buf *out)
{
	buf_set_empty(out);
	if (resp->rc == CURLE_COULDNT_CONNECT && resp->os_errno &&
	    !proxy_failed(req, resp))
		buf_adds(out, strerror((int)resp->os_errno));
	else if (resp->error[0])
		add_clean(out, resp->error, strlen(resp->error), 256);
	else
		buf_adds(out, curl_easy_strerror(resp->rc));
}

static void explain_tls(const struct api_client *c, const struct request *req,
			const struct response *resp, const char *why,
			struct api_result *r)
{
	if (resp->rc == CURLE_SSL_CACERT_BADFILE) {
		result_say(r, API_UNKNOWN, API_ERR_TLS,
			   "cannot use the CA bundle %s (%s): fix the file named "
			   "by GIT_SSL_CAINFO or git config http.sslCAInfo, or "
			   "unset it to use the system's",
			   buf_isset(&c->ca_info) ? c->ca_info.buf : "of the system",
			   why);
		return;
	}
	result_say(r, API_UNKNOWN, API_ERR_TLS,
		   "the certificate of %s is not trusted (%s): if this really is "
		   "the server, name the CA bundle that signs it with "
		   "GIT_SSL_CAINFO or git config http.sslCAInfo",
		   req->where.buf, why);
}

static void explain_failure(const struct api_client *c,
			    const struct request *req,
			    const struct response *resp, struct api_result *r)
{
	struct buf why = BUF_INIT;
	long total = c->timeout_ms > 0 ? c->timeout_ms : API_TIMEOUT_MS;
	long connect = c->connect_timeout_ms > 0 ?
		c->connect_timeout_ms : API_CONNECT_TIMEOUT_MS;

	failure_reason(req, resp, &why);
	if (tls_failure(resp->rc))
		explain_tls(c, req, resp, why.buf, r);
	else if (resp->rc == CURLE_UNSUPPORTED_PROTOCOL ||
		 resp->rc == CURLE_URL_MALFORMAT)
		result_say(r, API_UNKNOWN, API_ERR_PROTOCOL,
			   "cannot ask %s (%s): only https URLs are used, so "
			   "check the host name and the REST URL (bbtoken.apiUrl "
			   "or --api-url)", req->where.buf, why.buf);
	else if (resp->rc == CURLE_COULDNT_RESOLVE_PROXY || proxy_failed(req, resp))
		result_say(r, API_UNKNOWN, API_ERR_NETWORK,
			   "could not reach the proxy on the way to %s (%s): "
			   "check https_proxy, all_proxy and no_proxy in the "
			   "environment", req->where.buf, why.buf);
	else if (closed_early(resp->rc))
		result_say(r, API_UNKNOWN, API_ERR_NETWORK,
			   "%s closed the connection without an answer (%s), "
			   "still after %d tr%s: try again later", req->where.buf,
			   why.buf, r->tries, r->tries == 1 ? "y" : "ies");
	else if (resp->rc == CURLE_OUT_OF_MEMORY)
		result_say(r, API_UNKNOWN, API_ERR_PROTOCOL,
			   "%s sent an answer too large to read (a header over "
			   "libcurl's 100 KiB limit, or memory ran out), which "
			   "Bitbucket does not: check the host name and any "
			   "proxy (https_proxy)", req->where.buf);
	else if (resp->rc == CURLE_OPERATION_TIMEDOUT)
		result_say(r, API_UNKNOWN, API_ERR_NETWORK,
			   "could not reach %s: no answer within the time allowed "
			   "(%g s to connect, %g s in all): check the network and "
			   "any proxy (https_proxy), then try again",
			   req->where.buf, connect / 1000.0, total / 1000.0);
	else
		result_say(r, API_UNKNOWN, API_ERR_NETWORK,
			   "could not reach %s: %s; check the host name, the "
			   "network and any proxy (https_proxy), then try again",
			   req->where.buf, why.buf);
	buf_release(&why);
}

/* Say more than api_explain can when the retries ran out. */
static void explain_retries(const struct response *resp, struct api_result *r)
{
	if (r->failure == API_ERR_RATE_LIMITED && resp->retry_after)
		result_say(r, API_UNKNOWN, API_ERR_RATE_LIMITED,
			   "Bitbucket is limiting requests (HTTP 429) and asked "
			   "to wait %ld s after %d tr%s: try again then",
			   resp->retry_after, r->tries, r->tries == 1 ? "y" : "ies");
	else if (r->failure == API_ERR_RATE_LIMITED)
		result_say(r, API_UNKNOWN, API_ERR_RATE_LIMITED,
			   "Bitbucket is limiting requests (HTTP 429), still after "
			   "%d tr%s: wait a few minutes and try again",
			   r->tries, r->tries == 1 ? "y" : "ies");
	else if (r->failure == API_ERR_SERVER)
		result_say(r, API_UNKNOWN, API_ERR_SERVER,
			   "Bitbucket failed with a server error (HTTP %ld), still "
			   "after %d tr%s: try again later", resp->status, r->tries,
			   r->tries == 1 ? "y" : "ies");
}

/* The content type of a git advertisement, parameters ignored. */
static int is_git_answer(const struct request *req, const struct response *resp)
{
	size_t n = strlen(req->git_type);

	return !strncasecmp(buf_str(&resp->content_type), req->git_type, n) &&
	       strchr("; ", resp->content_type.buf[n]);
}

/* A Bitbucket username as GET /user gives it: printable, no spaces. */
static int username_ok(const char *s, size_t len)
{
	size_t i;

	if (!len || len > USERNAME_MAX)
		return 0;
	for (i = 0; i < len; i++)
		if (s[i] <= ' ' || s[i] >= 0x7F || s[i] == ':')
			return 0;
	return 1;
}

/* username and display_name from the JSON of GET /user. */
static void read_user(const struct request *req, const struct response *resp,
		      struct api_result *r)
{
	struct json_object *doc = json_parse(resp->body.buf, resp->body.len);
	struct json_object *name = json_get(doc, "username", json_type_string);
	struct json_object *display = json_get(doc, "display_name",
					       json_type_string);

	if (!name || !username_ok(json_object_get_string(name),
				  json_object_get_string_len(name))) {
		result_say(r, API_UNKNOWN, API_ERR_PROTOCOL,
			   "%s accepted the token but did not say whose it is "
			   "(no username in its answer): check that the REST URL "
			   "(bbtoken.apiUrl or --api-url) is Bitbucket Cloud's",
			   req->where.buf);
	} else {
		buf_set(&r->username, json_object_get_string(name));
		if (display) {
			buf_set_empty(&r->display_name);
			add_clean(&r->display_name, json_object_get_string(display),
				  json_object_get_string_len(display), 256);
		}
	}
	json_object_put(doc);
}

static void explain_response(const struct api_client *c,
			     const struct request *req,
			     const struct response *resp, struct api_result *r)
{
	if (!answered(resp)) {
		explain_failure(c, req, resp, r);
		return;
	}
	api_explain(resp->status, resp->content_type.buf, resp->body.buf,
		    resp->body.len, resp->oauth_scopes.buf,
		    resp->accepted_scopes.buf, resp->credential_type.buf,
		    req->needed, r);
	if (retryable(resp))
		explain_retries(resp, r);
	/* Like git: a 200 that is not a git advertisement is not a yes. */
	if (r->answer == API_YES && req->git_type && !is_git_answer(req, resp)) {
		struct buf type = BUF_INIT;

		/* Server bytes, bound for a terminal: cleaned like the rest. */
		buf_set_empty(&type);
		add_clean(&type, buf_str(&resp->content_type),
			  resp->content_type.len, 64);
		result_say(r, API_UNKNOWN, API_ERR_PROTOCOL,
			   "%s answered, but not as a git server (content type "
			   "'%s'): check the host name", req->where.buf, type.buf);
		buf_release(&type);
	}
	if (r->answer == API_YES && req->want_user)
		read_user(req, resp, r);
}

static int curl_ready(void)
{
	/*
	 * Once per process.  No curl_global_cleanup(): the tools module may
	 * be unloaded while libcurl stays, and the process ends soon anyway.
	 */
	static int done;

	if (!done && curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK)
		done = 1;
	return done ? 0 : -1;
}

/*
 * Ask, retrying 429, 5xx and connections closed without an answer, with
 * backoff, at most c->max_tries times and never past c->timeout_ms from
 * the start.  A wait that would end past the deadline is not begun: the
 * answer would come too late anyway.
 */
static int request_run(const struct api_client *c, const struct request *req,
		       struct api_result *r)
{
	struct response resp;
	long timeout = c->timeout_ms > 0 ? c->timeout_ms : API_TIMEOUT_MS;
	long deadline = now_ms() + timeout, left, wait;
	int max_tries = c->max_tries > 0 ? c->max_tries : 1;
	int ret = 0;

	if (curl_ready() < 0)
		return -1;
	response_init(&resp);
	for (;;) {
		left = deadline - now_ms();
		if (left < 1)
			left = 1;
		response_release(&resp);
		response_init(&resp);
		r->tries++;
		if (request_perform(c, req, left, &resp) < 0) {
			ret = -1;
			break;
		}
		if (!retryable(&resp) || r->tries >= max_tries)
			break;
		wait = retry_delay_ms(&resp, r->tries);
		if (now_ms() + wait >= deadline)
			break;
		sleep_ms(wait);
	}
	if (!ret)
		explain_response(c, req, &resp, r);
	response_release(&resp);
	return ret;
}

/* --- the probes --- */

static void request_init(struct request *req)
{
	memset(req, 0, sizeof(*req));	/* fresh memory */
	buf_init(&req->url, 0);
	buf_init(&req->auth, 0);
	buf_init(&req->where, 0);
	req->accept = req->needed = req->git_type = NULL;
	req->want_user = 0;
}

static void request_release(struct request *req)
{
	buf_release(&req->url);
	buf_release(&req->auth);
	buf_release(&req->where);
}

/* Forget what an earlier call left in r. */
static void result_start(struct api_result *r)
{
	api_result_release(r);
}

/* Nothing was asked: the input cannot make a request. */
static int refuse(struct api_result *r, const char *why)
{
	result_say(r, API_UNKNOWN, API_ERR_PROTOCOL, "%s", why);
	return 0;
}

/* Only a host name (and port) may go between "https://" and the path. */
static int host_ok(const struct buf *host)
{
	struct buf canonical = BUF_INIT;
	int ok;

	ok = buf_isset(host) && bb_host_canonical(host->buf, &canonical) == 0 &&
	     !strpbrk(host->buf, "/@?#\\");
	buf_release(&canonical);
	return ok;
}

static int git_probe(const struct api_client *c, const char *username,
		     const struct buf *secret, const char *workspace,
		     const char *repo, const char *service, const char *needed,
		     const char *git_type, struct api_result *r)
{
	struct request req;
	int ret;

	result_start(r);
	if (!host_ok(&c->host))
		return refuse(r, "no valid host to probe: give the host as "
			      "host[:port], such as bitbucket.org");
	if (!workspace || !repo || !bb_slug_ok(workspace) || !bb_slug_ok(repo))
		return refuse(r, "the workspace and repository must be slugs "
			      "(letters, digits, '-', '_' and '.'), as in "
			      "bitbucket.org/acme/widget");
	if (!basic_user_ok(username))
		return refuse(r, "the git username must be set and hold no ':' "
			      "nor control characters");
	if (!secret || !buf_isset(secret) || !secret->len)
		return refuse(r, "no token to probe with");

	request_init(&req);
	req.needed = needed;
	req.git_type = git_type;
	/* Protocol v2 keeps the advertisement small: no refs are listed. */
	req.accept = "Git-Protocol: version=2";
	ret = buf_set(&req.where, c->host.buf) |
	      buf_addf(&req.url, "https://%s/%s/%s.git/info/refs?service=%s",
		       c->host.buf, workspace, repo, service) |
	      auth_basic(&req.auth, username, secret);
	ret = ret ? -1 : request_run(c, &req, r);
	request_release(&req);
	if (!ret && r->failure == API_ERR_UNAUTHORIZED && bb_is_email(username))
		result_say(r, API_NO, API_ERR_UNAUTHORIZED,
			   "Bitbucket refused the token (HTTP 401): git over HTTPS "
			   "does not take an email address as the username; use %s "
			   "or your Bitbucket username (an access token wants %s)",
			   BB_USER_API_TOKEN, BB_USER_ACCESS_TOKEN);
	return ret;
}

int api_probe_fetch(const struct api_client *c, const char *username,
		    const struct buf *secret, const char *workspace,
		    const char *repo, struct api_result *r)
{
	return git_probe(c, username, secret, workspace, repo,
			 "git-upload-pack", NEEDED_FETCH,
			 "application/x-git-upload-pack-advertisement", r);
}

int api_probe_push(const struct api_client *c, const char *username,
		   const struct buf *secret, const char *workspace,
		   const char *repo, struct api_result *r)
{
	return git_probe(c, username, secret, workspace, repo,
			 "git-receive-pack", NEEDED_PUSH,
			 "application/x-git-receive-pack-advertisement", r);
}

/* --- the REST API --- */

static int url_part_absent(CURLU *u, CURLUPart part, CURLUcode absent)
{
	char *value = NULL;
	CURLUcode rc = curl_url_get(u, part, &value, 0);

	curl_free(value);
	return rc == absent;
}

/*
 * The REST base must be https://host[:port][/path] and carry no user,
 * password, query or fragment: credentials go in our header only.
 * Fills where with host[:port]; returns 0, or -1 when refused.
 */
static int rest_base_ok(const char *url, struct buf *where)
{
	CURLU *u = curl_url();
	char *scheme = NULL, *host = NULL, *port = NULL;
	int ok;

	if (!u)
		return -1;
	ok = curl_url_set(u, CURLUPART_URL, url, 0) == CURLUE_OK &&
	     curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) == CURLUE_OK &&
	     !strcmp(scheme, "https") &&
	     url_part_absent(u, CURLUPART_USER, CURLUE_NO_USER) &&
	     url_part_absent(u, CURLUPART_PASSWORD, CURLUE_NO_PASSWORD) &&
	     url_part_absent(u, CURLUPART_OPTIONS, CURLUE_NO_OPTIONS) &&
	     url_part_absent(u, CURLUPART_QUERY, CURLUE_NO_QUERY) &&
	     url_part_absent(u, CURLUPART_FRAGMENT, CURLUE_NO_FRAGMENT) &&
	     curl_url_get(u, CURLUPART_HOST, &host, 0) == CURLUE_OK;
	if (ok) {
		curl_url_get(u, CURLUPART_PORT, &port, 0);
		ok = !buf_set(where, host) &&
		     (!port || !buf_addf(where, ":%s", port));
	}
	curl_free(scheme);
	curl_free(host);
	curl_free(port);
	curl_url_cleanup(u);
	return ok ? 0 : -1;
}

/* API tokens as Basic EMAIL:TOKEN, everything else as Bearer (api.h). */
static int rest_auth(struct request *req, enum bb_kind kind, const char *email,
		     const struct buf *secret, struct api_result *r)
{
	if (kind != BB_KIND_API_TOKEN) {
		if (!bearer_ok(secret)) {
			refuse(r, "the token holds spaces or control characters, "
			       "which no Bitbucket token has: add it again, "
			       "copied whole");
			return 1;
		}
		return auth_bearer(&req->auth, secret);
	}
	/*
	 * Without the email nothing can be asked, so the answer is not "no":
	 * a "no" would have check call a good token rejected.
	 */
	if (!email || !*email) {
		refuse(r, "the REST API wants the Atlassian account email that "
		       "goes with an API token, and none was given: pass "
		       "--email=EMAIL");
		return 1;
	}
	if (!basic_user_ok(email)) {
		refuse(r, "the email holds a ':' or control characters, which "
		       "Basic authentication cannot carry: give the Atlassian "
		       "account email");
		return 1;
	}
	return auth_basic(&req->auth, email, secret);
}

/*
 * GET {api_url}{path}.  Returns 0 with r filled, or -1 on out of memory.
 */
static int rest_get(const struct api_client *c, enum bb_kind kind,
		    const char *email, const struct buf *secret,
		    const struct buf *path, const char *needed, int want_user,
		    struct api_result *r)
{
	struct request req;
	size_t base_len;
	int ret;

	if (kind == BB_KIND_APP_PASSWORD) {
		/* Known dead: no reason to send it anywhere. */
		api_explain(410, NULL, NULL, 0, NULL, NULL, NULL, needed, r);
		return 0;
	}
	if (!buf_isset(&c->api_url) || !c->api_url.len) {
		result_say(r, API_UNKNOWN, API_ERR_NO_URL,
			   "no REST API URL is known for %s: set one with git "
			   "config bbtoken.apiUrl URL, or pass --api-url=URL",
			   host_ok(&c->host) ? c->host.buf : "this host");
		return 0;
	}
	if (!secret || !buf_isset(secret) || !secret->len)
		return refuse(r, "no token to ask with");

	request_init(&req);
	req.needed = needed;
	req.want_user = want_user;
	req.accept = "Accept: application/json";
	if (rest_base_ok(c->api_url.buf, &req.where) < 0) {
		request_release(&req);
		return refuse(r, "the REST URL must be https://HOST[/PATH], with "
			      "no user, password, query or fragment: fix "
			      "bbtoken.apiUrl or --api-url");
	}
	ret = rest_auth(&req, kind, email, secret, r);
	if (ret) {
		request_release(&req);
		return ret < 0 ? -1 : 0;
	}
	base_len = c->api_url.len;
	while (base_len && c->api_url.buf[base_len - 1] == '/')
		base_len--;
	ret = buf_add(&req.url, c->api_url.buf, base_len) |
	      buf_add(&req.url, path->buf, path->len);
	ret = ret ? -1 : request_run(c, &req, r);
	request_release(&req);
	if (!ret && r->failure == API_ERR_UNAUTHORIZED &&
	    kind == BB_KIND_API_TOKEN && !bb_is_email(email))
		result_say(r, API_NO, API_ERR_UNAUTHORIZED,
			   "Bitbucket refused the token (HTTP 401): the REST API "
			   "wants the Atlassian account email with an API token, "
			   "and the name given is not an email address; pass "
			   "--email=EMAIL");
	return ret;
}

int api_whoami(const struct api_client *c, enum bb_kind kind,
	       const char *email, const struct buf *secret,
	       struct api_result *r)
{
	struct buf path = BUF_INIT;
	int ret;

	result_start(r);
	if (kind == BB_KIND_ACCESS_TOKEN) {
		result_say(r, API_NO, API_ERR_FORBIDDEN,
			   "an access token belongs to a repository, project or "
			   "workspace, not to a user, so it has no identity to "
			   "check: the git probes tell what it can do");
		return 0;
	}
	if (buf_set(&path, "/user") < 0)
		return -1;
	ret = rest_get(c, kind, email, secret, &path, SCOPE_READ_USER, 1, r);
	buf_release(&path);
	return ret;
}

int api_read_repository(const struct api_client *c, enum bb_kind kind,
			const char *email, const struct buf *secret,
			const char *workspace, const char *repo,
			struct api_result *r)
{
	struct buf path = BUF_INIT;
	int ret;

	result_start(r);
	if (!workspace || !repo || !bb_slug_ok(workspace) || !bb_slug_ok(repo))
		return refuse(r, "the workspace and repository must be slugs "
			      "(letters, digits, '-', '_' and '.'), as in "
			      "bitbucket.org/acme/widget");
	if (buf_addf(&path, "/repositories/%s/%s", workspace, repo) < 0)
		return -1;
	ret = rest_get(c, kind, email, secret, &path, SCOPE_READ_REPO, 0, r);
	buf_release(&path);
	return ret;
}

int api_read_workspace(const struct api_client *c, enum bb_kind kind,
		       const char *email, const struct buf *secret,
		       const char *workspace, struct api_result *r)
{
	struct buf path = BUF_INIT;
	int ret;

	result_start(r);
	if (!workspace || !bb_slug_ok(workspace))
		return refuse(r, "the workspace must be a slug (letters, digits, "
			      "'-', '_' and '.'), as in bitbucket.org/acme");
	if (buf_addf(&path, "/workspaces/%s", workspace) < 0)
		return -1;
	ret = rest_get(c, kind, email, secret, &path, SCOPE_READ_WORKSPACE, 0, r);
	buf_release(&path);
	return ret;
}
