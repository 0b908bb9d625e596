/* SPDX-License-Identifier: MIT */
#ifndef BBTOKEN_API_EXPLAIN_H
#define BBTOKEN_API_EXPLAIN_H

#include "buf.h"

#include <stddef.h>

/*
 * What an answer of Bitbucket means, in a verdict and in words: the pure
 * part of the client, libc and json-c only (no libcurl, no I/O), so that
 * it links into a fuzz target and the unit tests on its own.
 *
 * Every server string that reaches a result is cleaned for a terminal
 * (api-text.h) and bounded; no result holds a secret.
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
	struct buf username;        /* api_ask_whoami: the Bitbucket username */
	struct buf display_name;    /* api_ask_whoami */
};

/* An empty result (unknown, nothing said); release wipes and empties it. */
void api_result_init(struct api_result *r);
void api_result_release(struct api_result *r);

/* Set the verdict and the sentence for people (printf-style) at once. */
void api_result_say(struct api_result *r, enum api_answer answer,
		    enum api_failure failure, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/*
 * Turn one HTTP answer into r: status, the headers Bitbucket sets
 * (x-oauth-scopes, x-accepted-oauth-scopes, x-credential-type; NULL when
 * absent), and the body (JSON error or text, len bytes; NULL is none).
 * needed is the scope list the operation needs ("a, b"), used when
 * Bitbucket does not say.  Forgets what r said before, but for tries,
 * username and display_name.  A fuzz target.
 */
void api_explain(long status, const char *content_type, const char *body,
		 size_t len, const char *oauth_scopes,
		 const char *accepted_scopes, const char *credential_type,
		 const char *needed, struct api_result *r);

/*
 * After api_explain of a 429 or 5xx that the retries did not get past:
 * say so, with r->tries, and the wait the server asked for (retry_after
 * seconds, 0 when it did not say).  Leaves any other result alone.
 */
void api_explain_retries(struct api_result *r, long retry_after);

/*
 * The body of GET /user, after a yes: fill r->username (printable, no
 * space nor ':') and r->display_name (cleaned).  Without a username the
 * answer becomes unknown, naming where (host[:port]) that answered.
 */
void api_explain_user(const char *body, size_t len, const char *where,
		      struct api_result *r);

/*
 * After a yes from a git probe: unless content_type is want (parameters
 * after ';' ignored), as git itself demands, the answer becomes unknown
 * with the (cleaned) type in the message.
 */
void api_explain_git_type(const char *content_type, const char *want,
			  const char *where, struct api_result *r);

#endif
