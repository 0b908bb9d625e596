/* SPDX-License-Identifier: MIT */
#ifndef BBTOKEN_API_H
#define BBTOKEN_API_H

#include "bitbucket.h"
#include "buf.h"

/*
 * What a token can do, asked of Bitbucket itself over HTTPS (libcurl).
 * Lives in bbtoken-full.so: git's `get` never loads it.
 *
 * Probes have no side effects: the git probes read info/refs (for push,
 * Bitbucket checks the write scope on info/refs?service=git-receive-pack
 * and nothing is written); the REST probes are GETs.
 *
 * Credentials stay with their origin: https only, no redirects followed,
 * one handle per request, freed at once.  API tokens go to REST as Basic
 * EMAIL:TOKEN and to git as Basic USERNAME:TOKEN; access tokens go to
 * REST as Bearer.  Never an API token as Bearer, never an access token
 * as Basic on REST.
 */

enum api_answer {
	API_UNKNOWN = 0,  /* could not tell: network, server, no URL */
	API_YES,
	API_NO
};

/* Why a probe answered no or unknown; API_OK when it answered yes. */
enum api_failure {
	API_OK = 0,
	API_ERR_UNAUTHORIZED,  /* 401: wrong username, or token invalid, expired, revoked or scopeless */
	API_ERR_SCOPE,         /* 403: a scope is missing */
	API_ERR_FORBIDDEN,     /* 403 otherwise: no access to that repository or workspace */
	API_ERR_NOT_FOUND,     /* 404: no such repository, or no access */
	API_ERR_APP_PASSWORD,  /* 410 or CHANGE-3222: an app password */
	API_ERR_RATE_LIMITED,  /* 429, still after the retries */
	API_ERR_SERVER,        /* 5xx, still after the retries */
	API_ERR_NETWORK,       /* not reached: DNS, refused, reset, timeout */
	API_ERR_TLS,           /* the server's certificate is not trusted */
	API_ERR_NO_URL,        /* no REST URL known for this host */
	API_ERR_PROTOCOL       /* an answer that makes no sense */
};

struct api_result {
	enum api_answer answer;
	enum api_failure failure;
	long status;                /* last HTTP status; 0 when none came */
	int tries;                  /* requests made, retries included */
	struct buf message;         /* one plain sentence for people, no secret */
	struct buf server_message;  /* Bitbucket's error.message, if any */
	struct buf missing_scopes;  /* "a, b": required minus granted, when known */
	struct buf granted_scopes;  /* x-oauth-scopes or detail.granted, when known */
	struct buf credential_type; /* x-credential-type, when sent */
	struct buf username;        /* api_whoami: the Bitbucket username */
	struct buf display_name;    /* api_whoami */
};

void api_result_init(struct api_result *r);
void api_result_release(struct api_result *r);

struct api_client {
	struct buf host;            /* git host, canonical host[:port] */
	struct buf api_url;         /* REST base, e.g. https://api.bitbucket.org/2.0; unset: none */
	struct buf ca_info;         /* CA bundle file; unset: the system's */
	long connect_timeout_ms;    /* API_CONNECT_TIMEOUT_MS by default */
	long timeout_ms;            /* whole operation, retries included */
	int max_tries;              /* API_MAX_TRIES by default */
};

#define API_DEFAULT_URL "https://api.bitbucket.org/2.0"
#define API_CONNECT_TIMEOUT_MS 10000
#define API_TIMEOUT_MS 30000
#define API_MAX_TRIES 3

void api_client_init(struct api_client *c);
void api_client_release(struct api_client *c);

/*
 * git probes against https://HOST/W/R.git/info/refs, with the username
 * git would send.  answer: YES (200), NO (401/403/404/410, failure and
 * message say why, missing_scopes names the scope when known), UNKNOWN
 * (network, 429/5xx after retries).  Return 0, or -1 on out of memory.
 */
int api_probe_fetch(const struct api_client *c, const char *username,
		    const struct buf *secret, const char *workspace,
		    const char *repo, struct api_result *r);
int api_probe_push(const struct api_client *c, const char *username,
		   const struct buf *secret, const char *workspace,
		   const char *repo, struct api_result *r);

/*
 * REST: who is this token?  GET {api}/user, Basic EMAIL:TOKEN for an API
 * token (needs read:user:bitbucket).  Fills username and display_name on
 * YES.  Access tokens have no user: answer NO with a message saying so.
 */
int api_whoami(const struct api_client *c, enum bb_kind kind,
	       const char *email, const struct buf *secret,
	       struct api_result *r);

/* REST: can it read this repository / workspace? */
int api_read_repository(const struct api_client *c, enum bb_kind kind,
			const char *email, const struct buf *secret,
			const char *workspace, const char *repo,
			struct api_result *r);
int api_read_workspace(const struct api_client *c, enum bb_kind kind,
		       const char *email, const struct buf *secret,
		       const char *workspace, struct api_result *r);

/*
 * Turn one HTTP answer into a result: status, the headers Bitbucket sets
 * (x-oauth-scopes, x-accepted-oauth-scopes, x-credential-type; NULL when
 * absent), and the body (JSON error or text).  needed is the scope list
 * the operation needs ("a, b"), used when Bitbucket does not say.  Pure,
 * a fuzz target: no I/O.
 */
void api_explain(long status, const char *content_type, const char *body,
		 size_t len, const char *oauth_scopes,
		 const char *accepted_scopes, const char *credential_type,
		 const char *needed, struct api_result *r);

#endif
