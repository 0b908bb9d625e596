/* SPDX-License-Identifier: MIT */
/*
 * Bitbucket's answers into verdicts and words (api-explain.h).  No I/O:
 * everything here reads strings it is given, so the whole of it is the
 * fuzz target t/fuzz/fuzz-api.c, linked without libcurl.
 */
#include "api-explain.h"
#include "api-text.h"
#include "bitbucket.h"

#include <json-c/json.h>

#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define MSG_SCOPES "lack one or more required privilege scopes"
#define MSG_APP_PASSWORD "CHANGE-3222"

/* Limits on what a server, hostile or broken, can make us repeat. */
#define SERVER_MESSAGE_MAX 512
#define CREDENTIAL_TYPE_MAX 64
#define USERNAME_MAX 128
#define DISPLAY_NAME_MAX 256
#define CONTENT_TYPE_MAX 64
#define JSON_DEPTH_MAX 16

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

void api_result_say(struct api_result *r, enum api_answer answer,
		    enum api_failure failure, const char *fmt, ...)
{
	struct buf message = BUF_INIT;
	va_list ap;

	/* Formatted aside first: an argument may be r's own message. */
	va_start(ap, fmt);
	buf_vaddf(&message, fmt, ap);
	va_end(ap);
	buf_release(&r->message);
	r->message = message;
	r->answer = answer;
	r->failure = failure;
}

/* --- Bitbucket's bodies --- */

/* A JSON array of strings into a (set) list; 0, or -1 if not an array. */
static int scopes_from_json(struct buf *list, struct json_object *array)
{
	size_t i, n;

	if (!json_object_is_type(array, json_type_array))
		return -1;
	buf_set_empty(list);
	n = json_object_array_length(array);
	for (i = 0; i < n && i < API_SCOPES_MAX * 4; i++) {
		struct json_object *v = json_object_array_get_idx(array, i);

		if (json_object_is_type(v, json_type_string))
			api_scopes_add(list, json_object_get_string(v),
				       json_object_get_string_len(v));
	}
	return 0;
}

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

/* A JSON string, cleaned for a terminal, at most max bytes of it. */
static void add_string(struct buf *out, struct json_object *s, size_t max)
{
	api_text_add_clean(out, json_object_get_string(s),
			   json_object_get_string_len(s), max);
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
		api_text_add_clean(out, p, eol - p, SERVER_MESSAGE_MAX);
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
		add_string(&r->server_message, msg, SERVER_MESSAGE_MAX);
	}
	detail = json_get(error, "detail", json_type_string);
	if (detail && json_object_get_string_len(detail)) {
		/* A string detail often says more than the message: keep it. */
		if (r->server_message.len)
			buf_adds(&r->server_message, ": ");
		else
			buf_set_empty(&r->server_message);
		add_string(&r->server_message, detail, SERVER_MESSAGE_MAX);
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
	api_result_say(r, API_NO, API_ERR_UNAUTHORIZED,
		       "Bitbucket refused the token (HTTP 401): either the "
		       "username does not go with it (an API token wants %s or "
		       "your Bitbucket username for git, and your Atlassian "
		       "account email for the REST API; an access token wants "
		       "%s), or the token is invalid, expired, revoked or was "
		       "created without scopes; it needs %s, and a new one can "
		       "be created at %s", BB_USER_API_TOKEN,
		       BB_USER_ACCESS_TOKEN,
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
	else if (accepted && api_scopes_count(accepted))
		api_scopes_from_text(&required, accepted);
	else if (needed)
		api_scopes_from_text(&required, needed);
	if (buf_isset(&r->granted_scopes))
		api_scopes_minus(&r->missing_scopes, buf_str(&required),
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
		api_result_say(r, API_NO, API_ERR_SCOPE,
			       "the token lacks %s (HTTP 403); scopes are "
			       "fixed when a token is created and write does "
			       "not imply read, so create a new %s with %s %s",
			       r->missing_scopes.buf, kind, buf_str(&required),
			       where);
	else
		api_result_say(r, API_NO, API_ERR_SCOPE,
			       "the token lacks a scope this needs (HTTP 403); "
			       "scopes are fixed when a token is created and "
			       "write does not imply read, so create a new %s "
			       "with %s %s", kind,
			       required.len ? required.buf : "the scopes you need",
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
		api_result_say(r, API_NO, API_ERR_APP_PASSWORD,
			       "this is an app password, which Bitbucket "
			       "stopped accepting on 28 July 2026: create an "
			       "API token at %s and use it instead",
			       BB_TOKEN_PAGE);
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
		api_result_say(r, API_NO, API_ERR_FORBIDDEN,
			       "the token has no access to this repository or "
			       "workspace (HTTP 403): it may be limited to "
			       "another one, or the account lacks permission; "
			       "use a token made for it, or ask an "
			       "administrator for access");
		return;
	}
	if (status == 404) {
		api_result_say(r, API_NO, API_ERR_NOT_FOUND,
			       "no such repository or workspace, or the token "
			       "cannot see it (HTTP 404): check the workspace "
			       "and repository names, and that the token was "
			       "made for that workspace");
		return;
	}
	if (status == 429) {
		api_result_say(r, API_UNKNOWN, API_ERR_RATE_LIMITED,
			       "Bitbucket is limiting requests (HTTP 429): "
			       "wait a few minutes and try again");
		return;
	}
	if (status >= 500 && status < 600) {
		api_result_say(r, API_UNKNOWN, API_ERR_SERVER,
			       "Bitbucket failed with a server error (HTTP "
			       "%ld): try again later", status);
		return;
	}
	if (status >= 300 && status < 400) {
		api_result_say(r, API_UNKNOWN, API_ERR_PROTOCOL,
			       "the server answered with a redirect (HTTP "
			       "%ld), which is not followed so that the token "
			       "stays with this host: check the host name and "
			       "the REST URL (bbtoken.apiUrl or --api-url)",
			       status);
		return;
	}
	api_result_say(r, API_UNKNOWN, API_ERR_PROTOCOL,
		       "the server gave an answer that makes no sense here "
		       "(HTTP %ld): check that the host and the REST URL "
		       "(bbtoken.apiUrl or --api-url) are Bitbucket Cloud's",
		       status);
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
		api_scopes_from_text(&r->granted_scopes, oauth_scopes);
	else if (buf_isset(&e.granted))
		buf_set(&r->granted_scopes, e.granted.buf);
	explain_status(r, &e, status, body, len, accepted_scopes, needed);
	buf_release(&e.required);
	buf_release(&e.granted);
}

/* Say more than api_explain can when the retries ran out. */
void api_explain_retries(struct api_result *r, long retry_after)
{
	if (r->failure == API_ERR_RATE_LIMITED && retry_after)
		api_result_say(r, API_UNKNOWN, API_ERR_RATE_LIMITED,
			       "Bitbucket is limiting requests (HTTP 429) and "
			       "asked to wait %ld s after %d tr%s: try again "
			       "then", retry_after, r->tries,
			       r->tries == 1 ? "y" : "ies");
	else if (r->failure == API_ERR_RATE_LIMITED)
		api_result_say(r, API_UNKNOWN, API_ERR_RATE_LIMITED,
			       "Bitbucket is limiting requests (HTTP 429), "
			       "still after %d tr%s: wait a few minutes and "
			       "try again", r->tries,
			       r->tries == 1 ? "y" : "ies");
	else if (r->failure == API_ERR_SERVER)
		api_result_say(r, API_UNKNOWN, API_ERR_SERVER,
			       "Bitbucket failed with a server error (HTTP "
			       "%ld), still after %d tr%s: try again later",
			       r->status, r->tries,
			       r->tries == 1 ? "y" : "ies");
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
void api_explain_user(const char *body, size_t len, const char *where,
		      struct api_result *r)
{
	struct json_object *doc = json_parse(body, len);
	struct json_object *name = json_get(doc, "username", json_type_string);
	struct json_object *display = json_get(doc, "display_name",
					       json_type_string);

	if (!name || !username_ok(json_object_get_string(name),
				  json_object_get_string_len(name))) {
		api_result_say(r, API_UNKNOWN, API_ERR_PROTOCOL,
			       "%s accepted the token but did not say whose it "
			       "is (no username in its answer): check that the "
			       "REST URL (bbtoken.apiUrl or --api-url) is "
			       "Bitbucket Cloud's", where);
	} else {
		buf_set(&r->username, json_object_get_string(name));
		if (display) {
			buf_set_empty(&r->display_name);
			add_string(&r->display_name, display, DISPLAY_NAME_MAX);
		}
	}
	json_object_put(doc);
}


void api_explain_git_type(const char *content_type, const char *want,
			  const char *where, struct api_result *r)
{
	size_t n = strlen(want);
	struct buf type = BUF_INIT;

	if (r->answer != API_YES)
		return;
	if (content_type && !strncasecmp(content_type, want, n) &&
	    strchr("; ", content_type[n]))
		return;
	/* Server bytes, bound for a terminal: cleaned like the rest. */
	buf_set_empty(&type);
	if (content_type)
		api_text_add_clean(&type, content_type, strlen(content_type),
				   CONTENT_TYPE_MAX);
	api_result_say(r, API_UNKNOWN, API_ERR_PROTOCOL,
		       "%s answered, but not as a git server (content type "
		       "'%s'): check the host name", where, type.buf);
	buf_release(&type);
}
