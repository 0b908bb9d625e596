/* SPDX-License-Identifier: MIT */
#ifndef BBTOKEN_API_TRANSPORT_H
#define BBTOKEN_API_TRANSPORT_H

#include "api-explain.h"
#include "buf.h"

#include <stddef.h>

/*
 * HTTPS requests for the Bitbucket client, over libcurl, and the rules
 * that keep a credential with its origin.  Knows nothing of Bitbucket's
 * answers: it hands back the status, the headers the client reads and
 * the body, or says in a result why no answer came.
 *
 * Credentials stay with their origin: https only, for the request and
 * for any redirect (none is followed), the Authorization header never to
 * a proxy, certificates always checked against the client's CA bundle or
 * the system's.  Every try of every request gets an easy handle of its
 * own, set up the same way and freed as soon as it is done.
 */

/* Where and how long to ask: shared by every request of one host. */
struct api_client {
	struct buf host;            /* git host, canonical host[:port] */
	struct buf api_url;         /* REST base, e.g. https://api.bitbucket.org/2.0; unset: none */
	struct buf ca_info;         /* CA bundle file; unset: the system's */
	long connect_timeout_ms;    /* API_CONNECT_TIMEOUT_MS by default */
	long timeout_ms;            /* per request, its retries included */
	int max_tries;              /* API_MAX_TRIES by default */
};

#define API_DEFAULT_URL "https://api.bitbucket.org/2.0"
#define API_CONNECT_TIMEOUT_MS 10000
#define API_TIMEOUT_MS 30000
#define API_MAX_TRIES 3

void api_client_init(struct api_client *c);
void api_client_release(struct api_client *c);

/*
 * Is host a bare host[:port], fit to go between "https://" and a path
 * (no '/', '@', '?', '#' nor '\')?  1 or 0.
 */
int api_host_ok(const struct buf *host);

/*
 * Is url a REST base https://host[:port][/path] with no user, password,
 * query or fragment (credentials go in our header only)?  Sets where to
 * its host[:port] and returns 0, or returns -1.
 */
int api_rest_base_ok(const char *url, struct buf *where);

/* One request and its answer: set up by the caller, filled by the run. */
struct api_exchange {
	/* Set by the caller (api_exchange_init, then the fields). */
	const struct api_client *client;
	struct buf url;
	struct buf auth;            /* the Authorization line: holds the secret */
	struct buf where;           /* host[:port], to name in messages */
	const char *accept;         /* one more header line, or NULL */
	struct api_result *result;  /* tries counted; why, when no answer */
	/*
	 * Sent in the same run once this one has answered 2xx; when it
	 * does not, then (and its own then) are never sent, and their
	 * results are left as they were.
	 */
	struct api_exchange *then;

	/* Filled by api_transport_run. */
	int answered;               /* a status came (the body may be cut) */
	int retryable;              /* the last answer was 429 or 5xx */
	long status;
	long retry_after;           /* seconds asked by the last answer; 0: none */
	struct buf body;            /* at most 1 MiB: enough for any error */
	struct buf content_type;    /* unset when not sent, as the three below */
	struct buf oauth_scopes;
	struct buf accepted_scopes;
	struct buf credential_type;

	/* The run's own. */
	long deadline_ms, due_ms;   /* monotonic clock, ms */
	int state;
};

void api_exchange_init(struct api_exchange *x, const struct api_client *c,
		       struct api_result *r);
void api_exchange_release(struct api_exchange *x);

/*
 * At most this many requests are in flight at once.  A check probes each
 * token twice, push after fetch, so up to 16 tokens cost two round trips
 * however far Bitbucket is; with 8, ten tokens would need three.  Over
 * HTTP/2 libcurl carries them as streams of one connection per host.
 */
#define API_PARALLEL 16

/*
 * Send every exchange of xs (and their thens) concurrently, at most
 * API_PARALLEL at a time, in the order given as slots free up.  Each
 * retries 429, 5xx and connections closed without an answer, with
 * backoff or the Retry-After asked, at most client->max_tries times and
 * never past client->timeout_ms from its first try; a retry waits on
 * its own, the others go on meanwhile.  When no answer came, x->result
 * says why (answer unknown; network, TLS or protocol).  Never prints;
 * dies only when memory runs out.
 */
void api_transport_run(struct api_exchange *const *xs, size_t nr);

#endif
