/* SPDX-License-Identifier: MIT */
/*
 * Unit tests of api_explain, the pure reading of Bitbucket's answers,
 * over the bodies Bitbucket (and t/bbserver, byte for byte) sends and
 * over broken ones.  Linked without libcurl, and says so.  The client's
 * refusals, which make no request, are in t/0700-api-client.sh.  TAP on
 * stdout, for prove.
 */
#include "lib/api-explain.h"
#include "lib/bitbucket.h"

#include <link.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int count, failed;

static void ok(int cond, const char *name)
{
	count++;
	if (!cond)
		failed++;
	printf("%sok %d - %s\n", cond ? "" : "not ", count, name);
}

/* Does the (set) buffer contain s? */
static int has(const struct buf *b, const char *s)
{
	return buf_isset(b) && strstr(b->buf, s) != NULL;
}

/* On failure, show what the result held, TAP-style. */
static void show(const struct api_result *r)
{
	printf("#   answer=%d failure=%d status=%ld\n#   message=%s\n"
	       "#   server=%s\n#   missing=%s%s granted=%s%s type=%s\n",
	       r->answer, r->failure, r->status, buf_str(&r->message),
	       buf_str(&r->server_message), buf_str(&r->missing_scopes),
	       buf_isset(&r->missing_scopes) ? "" : "(unset)",
	       buf_str(&r->granted_scopes),
	       buf_isset(&r->granted_scopes) ? "" : "(unset)",
	       buf_str(&r->credential_type));
}

static void check(int cond, const struct api_result *r, const char *name)
{
	ok(cond, name);
	if (!cond)
		show(r);
}

static void explain(struct api_result *r, long status, const char *type,
		    const char *body, const char *oauth, const char *accepted,
		    const char *cred, const char *needed)
{
	api_explain(status, type, body, body ? strlen(body) : 0, oauth,
		    accepted, cred, needed, r);
}

#define JSON "application/json"
#define TEXT "text/plain"
#define READ "read:repository:bitbucket"
#define WRITE "write:repository:bitbucket"
#define USER "read:user:bitbucket"
#define PUSH READ ", " WRITE

/* The bodies of t/bbserver, as json.dumps() and send_text() make them. */
#define BODY_BAD_TOKEN "{\"type\": \"error\", \"error\": {\"message\": " \
	"\"Token is invalid, expired, or not supported for this endpoint.\"}}"
#define TEXT_BAD_TOKEN "Token is invalid, expired, or not supported for " \
	"this endpoint.\n"
#define TEXT_NO_ACCESS "You may not have access to this repository or it " \
	"no longer exists in this workspace. If you think this repository " \
	"exists and you have access, make sure you are authenticated.\n"
#define TEXT_SCOPES "Your credentials lack one or more required privilege " \
	"scopes.\n"
#define BODY_SCOPES_USER "{\"type\": \"error\", \"error\": {\"message\": " \
	"\"Your credentials lack one or more required privilege scopes.\", " \
	"\"detail\": {\"required\": [\"read:user:bitbucket\"], \"granted\": " \
	"[\"read:repository:bitbucket\"]}}}"
#define TEXT_APP_PASSWORD "CHANGE-3222 - App passwords are deprecated and " \
	"must be replaced with API tokens.\nSee https://www.atlassian.com/blog/" \
	"bitbucket/bitbucket-cloud-transitions-to-api-tokens-enhancing-" \
	"security-with-app-password-deprecation\n"
#define BODY_NEEDS_USER "{\"type\": \"error\", \"error\": {\"message\": " \
	"\"This API is only accessible with the following authentication " \
	"types: session, password, apppassword, api_token\"}}"
#define BODY_RATE "{\"type\": \"error\", \"error\": {\"message\": " \
	"\"Rate limit for this resource has been exceeded\"}}"
#define BODY_SERVER "{\"type\": \"error\", \"error\": {\"message\": " \
	"\"Something went wrong\"}}"

static void test_success(struct api_result *r)
{
	explain(r, 200, JSON, "{\"type\": \"user\", \"username\": \"jdoe\"}",
		USER, NULL, "api_token", USER);
	check(r->answer == API_YES && r->failure == API_OK && r->status == 200 &&
	      !r->message.len && buf_eq(&r->granted_scopes, USER) &&
	      buf_eq(&r->credential_type, "api_token") &&
	      !buf_isset(&r->missing_scopes), r,
	      "200 is yes, with the granted scopes and the kind reported");

	explain(r, 204, NULL, NULL, NULL, NULL, NULL, NULL);
	check(r->answer == API_YES && !buf_isset(&r->granted_scopes) &&
	      !buf_isset(&r->credential_type), r,
	      "2xx without body or headers is yes, nothing else known");

	explain(r, 200, "application/x-git-upload-pack-advertisement",
		"001e# service=git-upload-pack\n0000", READ ", " WRITE,
		NULL, "repo_access_token", READ);
	check(r->answer == API_YES && buf_eq(&r->granted_scopes, PUSH) &&
	      buf_eq(&r->credential_type, "repo_access_token") &&
	      !buf_isset(&r->server_message), r,
	      "a git advertisement is yes and its headers are read");
}

static void test_unauthorized(struct api_result *r)
{
	explain(r, 401, JSON, BODY_BAD_TOKEN, NULL, NULL, NULL, USER);
	check(r->answer == API_NO && r->failure == API_ERR_UNAUTHORIZED &&
	      r->status == 401 &&
	      buf_eq(&r->server_message, "Token is invalid, expired, or not "
		     "supported for this endpoint.") &&
	      !buf_isset(&r->missing_scopes), r,
	      "REST 401 is no, unauthorized, with Bitbucket's message");
	check(has(&r->message, BB_USER_API_TOKEN) &&
	      has(&r->message, "Bitbucket username") &&
	      has(&r->message, "email") &&
	      has(&r->message, BB_USER_ACCESS_TOKEN) &&
	      has(&r->message, "invalid, expired, revoked") &&
	      has(&r->message, "without scopes") &&
	      has(&r->message, USER) && has(&r->message, BB_TOKEN_PAGE), r,
	      "401 message names both causes, the usernames and the scopes needed");

	explain(r, 401, TEXT, TEXT_NO_ACCESS, NULL, NULL, NULL, READ);
	check(r->failure == API_ERR_UNAUTHORIZED &&
	      has(&r->server_message, "You may not have access") &&
	      !has(&r->server_message, "\n") && has(&r->message, READ), r,
	      "git 401 for a scopeless token, text/plain: message on one line");

	explain(r, 401, TEXT, TEXT_BAD_TOKEN, NULL, NULL, NULL, PUSH);
	check(r->failure == API_ERR_UNAUTHORIZED && has(&r->message, PUSH), r,
	      "401 on push names both scopes push needs");

	explain(r, 401, NULL, "", NULL, NULL, NULL, NULL);
	check(r->failure == API_ERR_UNAUTHORIZED && !buf_isset(&r->server_message) &&
	      has(&r->message, "scopes"), r,
	      "401 with no body, no content type and no needed list");

	explain(r, 401, JSON, BODY_BAD_TOKEN, NULL, USER, NULL, READ);
	check(has(&r->message, USER) && !has(&r->message, READ), r,
	      "401 prefers x-accepted-oauth-scopes to the caller's guess");
}

static void test_scope(struct api_result *r)
{
	explain(r, 403, JSON, BODY_SCOPES_USER, READ, USER, "api_token", USER);
	check(r->answer == API_NO && r->failure == API_ERR_SCOPE &&
	      buf_eq(&r->missing_scopes, USER) &&
	      buf_eq(&r->granted_scopes, READ), r,
	      "REST 403 scope error: missing = detail.required - granted");
	check(has(&r->message, "lacks " USER) &&
	      has(&r->message, "write does not imply read") &&
	      has(&r->message, BB_TOKEN_PAGE) &&
	      has(&r->server_message, "lack one or more"), r,
	      "scope message names the missing scope, the rule and the page");

	explain(r, 403, JSON, BODY_SCOPES_USER, NULL, NULL, NULL, NULL);
	check(r->failure == API_ERR_SCOPE && buf_eq(&r->missing_scopes, USER) &&
	      buf_eq(&r->granted_scopes, READ), r,
	      "without headers, detail.granted gives the granted scopes");

	explain(r, 403, JSON, BODY_SCOPES_USER, READ ", " USER, NULL, NULL, NULL);
	check(r->failure == API_ERR_SCOPE && !buf_isset(&r->missing_scopes) &&
	      buf_eq(&r->granted_scopes, READ ", " USER), r,
	      "x-oauth-scopes wins over detail.granted when both are sent");

	explain(r, 403, TEXT, TEXT_SCOPES, READ, PUSH, "api_token", PUSH);
	check(r->failure == API_ERR_SCOPE && buf_eq(&r->missing_scopes, WRITE) &&
	      buf_eq(&r->granted_scopes, READ) &&
	      has(&r->message, "lacks " WRITE) && has(&r->message, PUSH), r,
	      "git push with read only: write is missing, both are asked for");

	explain(r, 403, TEXT, TEXT_SCOPES, WRITE, PUSH, "api_token", NULL);
	check(r->failure == API_ERR_SCOPE && buf_eq(&r->missing_scopes, READ), r,
	      "git push with write only: read is missing (write is not read)");

	explain(r, 403, TEXT, TEXT_SCOPES, NULL, NULL, NULL, PUSH);
	check(r->failure == API_ERR_SCOPE && buf_eq(&r->missing_scopes, PUSH) &&
	      !buf_isset(&r->granted_scopes), r,
	      "no detail, no headers: all the needed scopes are named");

	explain(r, 403, TEXT, TEXT_SCOPES, READ, NULL, NULL, PUSH);
	check(r->failure == API_ERR_SCOPE && buf_eq(&r->missing_scopes, WRITE), r,
	      "no detail: needed minus x-oauth-scopes");

	explain(r, 403, TEXT, TEXT_SCOPES, "", NULL, NULL, PUSH);
	check(r->failure == API_ERR_SCOPE && buf_eq(&r->missing_scopes, PUSH) &&
	      buf_isset(&r->granted_scopes) && !r->granted_scopes.len, r,
	      "an empty x-oauth-scopes means none granted, not unknown");

	explain(r, 403, JSON, "{\"type\": \"error\", \"error\": {\"message\": "
		"\"Your credentials lack one or more required privilege scopes.\", "
		"\"detail\": \"Missing scope: write:repository:bitbucket\"}}",
		NULL, NULL, NULL, PUSH);
	check(r->failure == API_ERR_SCOPE && buf_eq(&r->missing_scopes, PUSH) &&
	      has(&r->server_message, "scopes.: Missing scope"), r,
	      "detail as a string: kept in the server message, needed named");

	explain(r, 403, JSON, "{\"type\": \"error\", \"error\": {\"message\": "
		"\"Your credentials lack one or more required privilege scopes.\"}}",
		"read:repository:bitbucket read:user:bitbucket", NULL, NULL, PUSH);
	check(r->failure == API_ERR_SCOPE && buf_eq(&r->missing_scopes, WRITE) &&
	      buf_eq(&r->granted_scopes, READ ", " USER), r,
	      "detail absent; a space-separated x-oauth-scopes is read too");

	explain(r, 403, JSON, "{\"error\": {\"message\": \"nope\", \"detail\": "
		"{\"required\": [\"" WRITE "\", \"" WRITE "\", 7, null], "
		"\"granted\": []}}}", NULL, NULL, NULL, NULL);
	check(r->failure == API_ERR_SCOPE && buf_eq(&r->missing_scopes, WRITE) &&
	      buf_eq(&r->granted_scopes, ""), r,
	      "detail.required alone marks a scope error; duplicates and "
	      "non-strings dropped");

	explain(r, 403, JSON, "{\"error\": {\"message\": \"Your credentials lack "
		"one or more required privilege scopes.\", \"detail\": {\"required\":"
		" \"" READ "\", \"granted\": {}}}}", NULL, NULL, NULL, READ);
	check(r->failure == API_ERR_SCOPE && buf_eq(&r->missing_scopes, READ) &&
	      !buf_isset(&r->granted_scopes), r,
	      "detail arrays of the wrong type are ignored");

	explain(r, 403, TEXT, TEXT_SCOPES, PUSH, PUSH, NULL, PUSH);
	check(r->failure == API_ERR_SCOPE && !buf_isset(&r->missing_scopes) &&
	      has(&r->message, "lacks a scope") && has(&r->message, PUSH), r,
	      "granted covers required: nothing named as missing, needs listed");

	explain(r, 403, TEXT, TEXT_SCOPES, READ, PUSH, "repo_access_token", PUSH);
	check(r->failure == API_ERR_SCOPE && has(&r->message, "access token") &&
	      has(&r->message, "repository, project or workspace settings") &&
	      !has(&r->message, BB_TOKEN_PAGE), r,
	      "an access token is sent to its settings, not to the API token page");

	explain(r, 403, TEXT, TEXT_SCOPES, "read:repository:bitbucket, "
		"bad\x1b[31mscope, a,b,,  ,c", NULL, NULL, READ);
	check(buf_eq(&r->granted_scopes, READ ", a, b, c"), r,
	      "odd separators are fine and scope names with escapes are dropped");
}

static void test_other_refusals(struct api_result *r)
{
	explain(r, 403, TEXT, TEXT_NO_ACCESS, READ, NULL, "api_token", READ);
	check(r->answer == API_NO && r->failure == API_ERR_FORBIDDEN &&
	      has(&r->message, "no access to this repository or workspace") &&
	      !buf_isset(&r->missing_scopes), r,
	      "403 without the scope phrase is forbidden");

	explain(r, 403, JSON, BODY_NEEDS_USER, NULL, NULL, "repo_access_token",
		USER);
	check(r->failure == API_ERR_FORBIDDEN &&
	      has(&r->server_message, "only accessible") &&
	      buf_eq(&r->credential_type, "repo_access_token"), r,
	      "GET /user with an access token is forbidden");

	explain(r, 404, JSON, "{\"type\": \"error\", \"error\": {\"message\": "
		"\"Repository acme/nope not found\"}}", NULL, NULL, NULL, READ);
	check(r->answer == API_NO && r->failure == API_ERR_NOT_FOUND &&
	      has(&r->message, "no such repository") &&
	      has(&r->message, "cannot see it"), r, "404 is not found");

	explain(r, 404, TEXT, "Repository not found\n", NULL, NULL, NULL, READ);
	check(r->failure == API_ERR_NOT_FOUND &&
	      buf_eq(&r->server_message, "Repository not found"), r,
	      "git 404 in text is not found");

	explain(r, 410, TEXT, TEXT_APP_PASSWORD, NULL, NULL, NULL, READ);
	check(r->answer == API_NO && r->failure == API_ERR_APP_PASSWORD &&
	      has(&r->message, "28 July 2026") && has(&r->message, BB_TOKEN_PAGE) &&
	      buf_eq(&r->server_message, "CHANGE-3222 - App passwords are "
		     "deprecated and must be replaced with API tokens."), r,
	      "git 410 with CHANGE-3222 is an app password; first line kept");

	explain(r, 410, JSON, "{\"type\": \"error\", \"error\": {\"message\": "
		"\"CHANGE-3222 - App passwords are deprecated\"}}", NULL, NULL,
		NULL, USER);
	check(r->failure == API_ERR_APP_PASSWORD, r,
	      "REST 410 is an app password");

	explain(r, 401, TEXT, TEXT_APP_PASSWORD, NULL, NULL, NULL, READ);
	check(r->failure == API_ERR_APP_PASSWORD, r,
	      "401 naming CHANGE-3222 is an app password, not a bad token");

	explain(r, 410, NULL, NULL, NULL, NULL, NULL, NULL);
	check(r->failure == API_ERR_APP_PASSWORD, r,
	      "410 alone is an app password");
}

static void test_unknown(struct api_result *r)
{
	explain(r, 429, JSON, BODY_RATE, NULL, NULL, NULL, READ);
	check(r->answer == API_UNKNOWN && r->failure == API_ERR_RATE_LIMITED &&
	      has(&r->server_message, "Rate limit"), r, "429 is rate limited");

	explain(r, 500, JSON, BODY_SERVER, NULL, NULL, NULL, READ);
	check(r->answer == API_UNKNOWN && r->failure == API_ERR_SERVER &&
	      has(&r->message, "HTTP 500"), r, "500 is a server error");

	explain(r, 503, "text/html", "<html><body>down</body></html>", NULL,
		NULL, NULL, READ);
	check(r->failure == API_ERR_SERVER && !buf_isset(&r->server_message), r,
	      "503 with an HTML page: server error, the page is not repeated");

	explain(r, 302, "text/html", "", NULL, NULL, NULL, READ);
	check(r->answer == API_UNKNOWN && r->failure == API_ERR_PROTOCOL &&
	      has(&r->message, "redirect"), r, "302 is a protocol error, "
	      "saying the redirect was not followed");

	explain(r, 418, TEXT, "teapot\n", NULL, NULL, NULL, READ);
	check(r->answer == API_UNKNOWN && r->failure == API_ERR_PROTOCOL &&
	      has(&r->message, "HTTP 418"), r, "any other status is unknown");

	explain(r, 0, NULL, NULL, NULL, NULL, NULL, NULL);
	check(r->answer == API_UNKNOWN && r->failure == API_ERR_PROTOCOL, r,
	      "status 0 is unknown");

	explain(r, -1, NULL, NULL, NULL, NULL, NULL, NULL);
	check(r->failure == API_ERR_PROTOCOL, r, "a negative status is unknown");
}

static void test_malformed(struct api_result *r)
{
	static const char *const bodies[] = {
		"{", "{\"error\":", "{\"error\": {\"message\": \"x\"",
		"{\"error\": 5}", "{\"error\": {\"message\": 5, \"detail\": 6}}",
		"{\"error\": {\"message\": null, \"detail\": null}}",
		"{\"error\": {\"detail\": {\"required\": null}}}",
		"[1, 2, 3]", "\"just a string\"", "{} trailing",
		"{\"error\": {\"message\": \"a\"}} {}",
		"{'error': {'message': 'single quotes'}}",
		"{\"error\": {\"message\": \"a\" /* comment */}}",
		"\xff\xfe{", "{\"\xc3\x28\": 1}",
	};
	char deep[20100], nul[] = "{\"error\": {\"message\": \"a\0b\"}}";
	char *big;
	size_t i, n = sizeof(bodies) / sizeof(*bodies);
	int fine = 1;

	for (i = 0; i < n; i++) {
		explain(r, 403, JSON, bodies[i], NULL, NULL, NULL, READ);
		if (r->failure != API_ERR_FORBIDDEN ||
		    buf_isset(&r->server_message)) {
			printf("# body %zu: %s\n", i, bodies[i]);
			fine = 0;
		}
	}
	check(fine, r, "malformed JSON is not believed, not even in part");

	explain(r, 401, JSON, "{\"error\": {\"message\": 5}}", NULL, NULL, NULL,
		READ);
	check(r->failure == API_ERR_UNAUTHORIZED && !buf_isset(&r->server_message),
	      r, "a message that is not a string is ignored");

	/* Valid JSON, 10000 arrays deep inside the detail. */
	strcpy(deep, "{\"error\": {\"message\": \"deep\", \"detail\": ");
	n = strlen(deep);
	memset(deep + n, '[', 10000);
	memset(deep + n + 10000, ']', 10000);
	deep[n + 20000] = '\0';
	strcat(deep, "}}");
	explain(r, 403, JSON, deep, NULL, NULL, NULL, READ);
	check(r->failure == API_ERR_FORBIDDEN && !buf_isset(&r->server_message),
	      r, "10000 levels of nesting are refused, even when well formed");
	explain(r, 403, JSON, "{\"error\": {\"message\": \"shallow\", "
		"\"detail\": [[[[[[[[[[]]]]]]]]]]}}", NULL, NULL, NULL, READ);
	check(buf_eq(&r->server_message, "shallow"), r,
	      "ten levels of nesting are fine");

	api_explain(401, JSON, nul, sizeof(nul) - 1, NULL, NULL, NULL, READ, r);
	check(r->failure == API_ERR_UNAUTHORIZED &&
	      !has(&r->server_message, "\n"), r, "a NUL inside the body is safe");

	/* Length, not NUL, ends the body: read only the first 10 bytes. */
	api_explain(403, TEXT, TEXT_SCOPES, 10, NULL, NULL, NULL, READ, r);
	check(r->failure == API_ERR_FORBIDDEN &&
	      buf_eq(&r->server_message, "Your crede"), r,
	      "the body ends at len, not at a NUL");

	api_explain(404, JSON, NULL, 100, NULL, NULL, NULL, READ, r);
	check(r->failure == API_ERR_NOT_FOUND && !buf_isset(&r->server_message),
	      r, "a NULL body with a length is no body");

	big = malloc(4 * 1024 * 1024 + 1);
	if (!big)
		abort();
	memset(big, 'a', 4 * 1024 * 1024);
	big[4 * 1024 * 1024] = '\0';
	explain(r, 404, TEXT, big, NULL, NULL, NULL, READ);
	check(r->failure == API_ERR_NOT_FOUND && r->server_message.len <= 512, r,
	      "a 4 MiB text body gives a short server message");
	free(big);

	explain(r, 404, TEXT, "\n\n   \n\t\x1b[2Jcleared\r\nnext\n", NULL, NULL,
		NULL, READ);
	check(buf_eq(&r->server_message, "?[2Jcleared"), r,
	      "blank lines skipped, terminal escapes defused");

	explain(r, 404, JSON, "{\"error\": {\"message\": \"a\\u001b]0;x\\u0007"
		"\\nb\\u00e9\\u0085c\"}}", NULL, NULL, NULL, READ);
	check(buf_eq(&r->server_message, "a?]0;x? b\xc3\xa9??c"), r,
	      "JSON escapes decoded, then controls (C1 too) defused, UTF-8 kept");

	explain(r, 404, JSON, "{\"error\": {\"message\": \"a\\ud800b\"}}",
		NULL, NULL, NULL, READ);
	check(buf_eq(&r->server_message, "a\xef\xbf\xbd" "b"), r,
	      "a lone surrogate escape arrives as U+FFFD, never as raw bytes");

	explain(r, 404, TEXT, "caf\xc3\xa9 \xc0\xaf \xed\xa0\x80 \xf0\x9f\x98\x80"
		" \xe2\x82", NULL, NULL, NULL, READ);
	check(buf_eq(&r->server_message,
		     "caf\xc3\xa9 ?? ??? \xf0\x9f\x98\x80 ??"), r,
	      "overlong, surrogate and cut UTF-8 become '?'");

	/* U+202E, U+2066, U+200F, U+FEFF: they reorder or hide what follows. */
	explain(r, 404, TEXT, "a\xe2\x80\xae" "b\xe2\x81\xa6" "c\xe2\x80\x8f"
		"d\xef\xbb\xbf" "e", NULL, NULL, NULL, READ);
	check(buf_eq(&r->server_message, "a???b???c???d???e"), r,
	      "Unicode direction and format characters are defused");

	explain(r, 404, TEXT, "{not json at all\n", NULL, NULL, NULL, READ);
	check(buf_eq(&r->server_message, "{not json at all"), r,
	      "a text body that starts with '{' but is not JSON is kept as text");
}

static void test_headers(struct api_result *r)
{
	explain(r, 200, NULL, NULL, NULL, NULL, "Api Token\n", NULL);
	check(!buf_isset(&r->credential_type), r,
	      "an x-credential-type with odd bytes is not repeated");

	explain(r, 200, NULL, NULL, NULL, NULL, "", NULL);
	check(!buf_isset(&r->credential_type), r,
	      "an empty x-credential-type is not reported");

	explain(r, 403, TEXT, TEXT_SCOPES, READ, NULL, "workspace_access_token",
		PUSH);
	check(buf_eq(&r->credential_type, "workspace_access_token") &&
	      has(&r->message, "access token"), r,
	      "x-credential-type is reported and shapes the advice");
}

static void test_reuse(struct api_result *r)
{
	int i, fine = 1;
	char many[64 * 200] = "";

	explain(r, 403, JSON, BODY_SCOPES_USER, READ, NULL, "api_token", USER);
	explain(r, 200, NULL, NULL, NULL, NULL, NULL, NULL);
	check(r->answer == API_YES && !buf_isset(&r->message) &&
	      !buf_isset(&r->server_message) && !buf_isset(&r->missing_scopes) &&
	      !buf_isset(&r->granted_scopes) && !buf_isset(&r->credential_type),
	      r, "a second explain forgets everything the first one said");

	for (i = 0; i < 150; i++)
		sprintf(many + strlen(many), "s%d:x:bitbucket, ", i);
	explain(r, 403, TEXT, TEXT_SCOPES, many, NULL, NULL, PUSH);
	for (i = 0; i < 64; i++)
		fine &= has(&r->granted_scopes, "s63:x:bitbucket");
	check(fine && !has(&r->granted_scopes, "s64:") &&
	      buf_eq(&r->missing_scopes, PUSH), r,
	      "scope lists are capped at 64 names");
}

/* A result is empty when made, and again once released. */
static void test_result(void)
{
	struct api_result r;

	api_result_init(&r);
	ok(r.answer == API_UNKNOWN && r.failure == API_OK && !r.tries &&
	   !buf_isset(&r.message), "a new result is unknown and says nothing");
	api_result_say(&r, API_NO, API_ERR_SCOPE, "%s and %d", "words", 2);
	ok(r.answer == API_NO && r.failure == API_ERR_SCOPE &&
	   buf_eq(&r.message, "words and 2"), "api_result_say sets all three");
	api_result_say(&r, API_NO, API_ERR_SCOPE, "again: %s", r.message.buf);
	ok(buf_eq(&r.message, "again: words and 2"),
	   "api_result_say may quote the message it replaces");
	r.tries = 3;
	api_result_release(&r);
	ok(r.answer == API_UNKNOWN && !buf_isset(&r.message) && r.tries == 0,
	   "a released result is empty and can be used again");
}

/* Does the object name libcurl?  Called for every object loaded. */
static int find_curl(struct dl_phdr_info *info, size_t size, void *found)
{
	(void)size;
	if (info->dlpi_name && strstr(info->dlpi_name, "libcurl"))
		*(int *)found = 1;
	return 0;
}

/*
 * The pure part links on its own: this program is made of api-explain
 * and api-text (and the core), as t/fuzz/fuzz-api is, and no libcurl
 * is loaded into it.
 */
static void test_no_libcurl(void)
{
	int found = 0;

	dl_iterate_phdr(find_curl, &found);
	ok(!found, "reading answers needs no libcurl: none is loaded here");
}

int main(void)
{
	struct api_result r;

	api_result_init(&r);
	test_success(&r);
	test_unauthorized(&r);
	test_scope(&r);
	test_other_refusals(&r);
	test_unknown(&r);
	test_malformed(&r);
	test_headers(&r);
	test_reuse(&r);
	api_result_release(&r);
	test_result();
	test_no_libcurl();
	printf("1..%d\n", count);
	return failed ? 1 : 0;
}
