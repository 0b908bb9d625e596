/* SPDX-License-Identifier: MIT */
/*
 * The questions the Bitbucket client asks (api.h): which URL, which
 * credentials, which scopes the answer is read against.  Sending is
 * api-transport's job and reading the answer api-explain's; the comments
 * here say why each question is shaped as it is.
 */
#include "api.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define SCOPE_READ_REPO "read:repository:bitbucket"
#define SCOPE_WRITE_REPO "write:repository:bitbucket"
#define SCOPE_READ_USER "read:user:bitbucket"

/* Bitbucket checks each scope on its own: push needs read as well. */
#define NEEDED_FETCH SCOPE_READ_REPO
#define NEEDED_PUSH SCOPE_READ_REPO ", " SCOPE_WRITE_REPO

/* The 401 of a git probe whose username is an email address. */
#define SAY_GIT_EMAIL "Bitbucket refused the token (HTTP 401): git over " \
	"HTTPS does not take an email address as the username; use " \
	BB_USER_API_TOKEN " or your Bitbucket username (an access token " \
	"wants " BB_USER_ACCESS_TOKEN ")"
/* The 401 of REST for an API token sent with a name that is no email. */
#define SAY_REST_NAME "Bitbucket refused the token (HTTP 401): the REST " \
	"API wants the Atlassian account email with an API token, and the " \
	"name given is not an email address; pass --email=EMAIL"

/* --- base64 and the Authorization header --- */

/* The secret is at most a line of git's protocol: no cap is near. */
static void base64_add(struct buf *out, const unsigned char *in, size_t len)
{
	static const char b64[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	char quad[4];
	uint32_t v = 0;
	size_t i;

	for (i = 0; i < len; i += 3) {
		v = (uint32_t)in[i] << 16;
		if (i + 1 < len)
			v |= (uint32_t)in[i + 1] << 8;
		if (i + 2 < len)
			v |= in[i + 2];
		quad[0] = b64[(v >> 18) & 63];
		quad[1] = b64[(v >> 12) & 63];
		quad[2] = i + 1 < len ? b64[(v >> 6) & 63] : '=';
		quad[3] = i + 2 < len ? b64[v & 63] : '=';
		buf_add(out, quad, 4);
	}
	/* Both held bits of the secret. */
	wipe(quad, sizeof(quad));
	wipe(&v, sizeof(v));
}

/* "Authorization: Basic base64(user:secret)" into header. */
static void auth_basic(struct buf *header, const char *user,
		       const struct buf *secret)
{
	struct buf plain = BUF_INIT;

	buf_adds(&plain, user);
	buf_addch(&plain, ':');
	buf_add(&plain, secret->buf, secret->len);
	buf_adds(header, "Authorization: Basic ");
	base64_add(header, (const unsigned char *)plain.buf, plain.len);
	buf_release(&plain);
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

/* --- questions, and their answers --- */

/* Forget what an earlier call left in r, and start a question. */
static void ask_init(struct api_ask *a, const struct api_client *c,
		     struct api_result *r)
{
	api_result_release(r);
	api_exchange_init(&a->x, c, r);
	a->needed = a->git_type = a->say_401 = NULL;
	a->want_user = 0;
	a->ready = 0;
	a->after = NULL;
}

/* Nothing is asked: the input cannot make a request. */
static void refuse(struct api_ask *a, const char *why)
{
	api_result_say(a->x.result, API_UNKNOWN, API_ERR_PROTOCOL, "%s", why);
	a->ready = 0;
}

/* Read what came back, or leave what the transport said of no answer. */
static void ask_finish(struct api_ask *a)
{
	struct api_exchange *x = &a->x;
	struct api_result *r = x->result;

	if (a->ready && x->answered) {
		api_explain(x->status, x->content_type.buf, x->body.buf,
			    x->body.len, x->oauth_scopes.buf,
			    x->accepted_scopes.buf, x->credential_type.buf,
			    a->needed, r);
		if (x->retryable)
			api_explain_retries(r, x->retry_after);
		/* Like git: a 200 that is not a git advertisement is not a yes. */
		if (a->git_type)
			api_explain_git_type(x->content_type.buf, a->git_type,
					     x->where.buf, r);
		if (a->want_user && r->answer == API_YES)
			api_explain_user(x->body.buf, x->body.len, x->where.buf,
					 r);
	}
	if (a->ready && r->failure == API_ERR_UNAUTHORIZED && a->say_401)
		api_result_say(r, API_NO, API_ERR_UNAUTHORIZED, "%s", a->say_401);
	api_exchange_release(x);
}

void api_ask_all(struct api_ask *const *asks, size_t nr)
{
	struct api_exchange **xs = xcalloc(nr ? nr : 1, sizeof(*xs));
	size_t i, n = 0;

	/* A push that waits for its fetch goes out as that one's then. */
	for (i = 0; i < nr; i++)
		if (asks[i]->ready && !asks[i]->after)
			xs[n++] = &asks[i]->x;
	if (n)
		api_transport_run(xs, n);
	for (i = 0; i < nr; i++)
		ask_finish(asks[i]);
	free(xs);
}

/* --- the git probes --- */

static void ask_git(struct api_ask *a, const struct api_client *c,
		    const char *username, const struct buf *secret,
		    const char *workspace, const char *repo,
		    const char *service, const char *needed,
		    const char *git_type, struct api_result *r)
{
	ask_init(a, c, r);
	if (!api_host_ok(&c->host)) {
		refuse(a,
		       "no valid host to probe: give the host as host[:port], "
		       "such as bitbucket.org");
		return;
	}
	if (!workspace || !repo || !bb_slug_ok(workspace) || !bb_slug_ok(repo)) {
		refuse(a,
		       "the workspace and repository must be slugs (letters, "
		       "digits, '-', '_' and '.'), as in "
		       "bitbucket.org/acme/widget");
		return;
	}
	if (!basic_user_ok(username)) {
		refuse(a,
		       "the git username must be set and hold no ':' nor "
		       "control characters");
		return;
	}
	if (!secret || !buf_isset(secret) || !secret->len) {
		refuse(a, "no token to probe with");
		return;
	}

	a->needed = needed;
	a->git_type = git_type;
	if (bb_is_email(username))
		a->say_401 = SAY_GIT_EMAIL;
	/* Protocol v2 keeps the advertisement small: no refs are listed. */
	a->x.accept = "Git-Protocol: version=2";
	buf_set(&a->x.where, c->host.buf);
	buf_addf(&a->x.url, "https://%s/%s/%s.git/info/refs?service=%s",
		 c->host.buf, workspace, repo, service);
	auth_basic(&a->x.auth, username, secret);
	a->ready = 1;
}

void api_ask_fetch(struct api_ask *a, const struct api_client *c,
		   const char *username, const struct buf *secret,
		   const char *workspace, const char *repo,
		   struct api_result *r)
{
	ask_git(a, c, username, secret, workspace, repo, "git-upload-pack",
		NEEDED_FETCH, "application/x-git-upload-pack-advertisement", r);
}

void api_ask_push(struct api_ask *a, struct api_ask *fetch,
		  const struct api_client *c, const char *username,
		  const struct buf *secret, const char *workspace,
		  const char *repo, struct api_result *r)
{
	ask_git(a, c, username, secret, workspace, repo, "git-receive-pack",
		NEEDED_PUSH, "application/x-git-receive-pack-advertisement", r);
	if (!fetch)
		return;
	/* Refused, the fetch is never sent, and neither is its push. */
	if (a->ready && fetch->ready && !fetch->x.then) {
		fetch->x.then = &a->x;
		a->after = fetch;
	} else {
		api_result_release(r);
		a->ready = 0;
	}
}

/* --- the REST API --- */

/* Basic EMAIL:TOKEN, the only way an API token reaches REST. */
static int rest_auth(struct api_ask *a, const char *email,
		     const struct buf *secret)
{
	/*
	 * Without the email nothing can be asked, so the answer is not "no":
	 * a "no" would have check call a good token rejected.
	 */
	if (!email || !*email) {
		refuse(a,
		       "the REST API wants the Atlassian account email that "
		       "goes with an API token, and none was given: pass "
		       "--email=EMAIL");
		return -1;
	}
	if (!basic_user_ok(email)) {
		refuse(a,
		       "the email holds a ':' or control characters, which "
		       "Basic authentication cannot carry: give the Atlassian "
		       "account email");
		return -1;
	}
	if (!bb_is_email(email))
		a->say_401 = SAY_REST_NAME;
	auth_basic(&a->x.auth, email, secret);
	return 0;
}

/* GET {api_url}{path}, read against needed. */
static void ask_rest(struct api_ask *a, const char *email,
		     const struct buf *secret, const char *path,
		     const char *needed)
{
	const struct api_client *c = a->x.client;
	struct api_result *r = a->x.result;
	size_t base_len;

	if (!buf_isset(&c->api_url) || !c->api_url.len) {
		api_result_say(r, API_UNKNOWN, API_ERR_NO_URL,
			       "no REST API URL is known for %s: set one with "
			       "git config bbtoken.apiUrl URL, or pass "
			       "--api-url=URL",
			       api_host_ok(&c->host) ? c->host.buf : "this host");
		return;
	}
	if (!secret || !buf_isset(secret) || !secret->len) {
		refuse(a, "no token to ask with");
		return;
	}
	a->needed = needed;
	a->x.accept = "Accept: application/json";
	if (api_rest_base_ok(c->api_url.buf, &a->x.where) < 0) {
		refuse(a,
		       "the REST URL must be https://HOST[/PATH], with no "
		       "user, password, query or fragment: fix bbtoken.apiUrl "
		       "or --api-url");
		return;
	}
	if (rest_auth(a, email, secret) < 0)
		return;
	base_len = c->api_url.len;
	while (base_len && c->api_url.buf[base_len - 1] == '/')
		base_len--;
	buf_add(&a->x.url, c->api_url.buf, base_len);
	buf_adds(&a->x.url, path);
	a->ready = 1;
}

void api_ask_whoami(struct api_ask *a, const struct api_client *c,
		    enum bb_kind kind, const char *email,
		    const struct buf *secret, struct api_result *r)
{
	ask_init(a, c, r);
	if (kind == BB_KIND_APP_PASSWORD) {
		/* Known dead: no reason to send it anywhere. */
		api_explain(410, NULL, NULL, 0, NULL, NULL, NULL,
			    SCOPE_READ_USER, r);
		return;
	}
	if (kind == BB_KIND_ACCESS_TOKEN) {
		api_result_say(r, API_NO, API_ERR_FORBIDDEN,
			       "an access token belongs to a repository, "
			       "project or workspace, not to a user, so it has "
			       "no identity to check: the git probes tell what "
			       "it can do");
		return;
	}
	if (kind != BB_KIND_API_TOKEN) {
		api_result_say(r, API_NO, API_ERR_FORBIDDEN,
			       "only an Atlassian API token has a user to "
			       "check, and this is none: the git probes tell "
			       "what it can do");
		return;
	}
	ask_rest(a, email, secret, "/user", SCOPE_READ_USER);
	a->want_user = 1;
}
