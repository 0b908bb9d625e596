/* SPDX-License-Identifier: MIT */
/*
 * The Bitbucket client's HTTPS requests over libcurl (api-transport.h):
 * one easy handle per try, set up with the same origin rules every time,
 * all of a run's exchanges driven together by one multi handle, retries
 * with backoff, and the words for an answer that never came.
 */
#include "api-transport.h"
#include "api-text.h"
#include "bitbucket.h"

#include <curl/curl.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#ifndef BBTOKEN_VERSION
#error "BBTOKEN_VERSION must be defined (the Makefile does)"
#endif

/*
 * Limits on what a server, hostile or broken, can make us hold.  No real
 * error body comes near 1 MiB; an info/refs that does is cut short, which
 * is harmless because a probe needs only the status of a success.
 */
#define BODY_MAX (1024 * 1024)
#define REASON_MAX 256
/* A Retry-After longer than this is as good as "not today". */
#define RETRY_AFTER_MAX_S 3600

static const char user_agent[] = "git-credential-bbtoken/" BBTOKEN_VERSION;

/* --- clients and exchanges --- */

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

void api_exchange_init(struct api_exchange *x, const struct api_client *c,
		       struct api_result *r)
{
	memset(x, 0, sizeof(*x));	/* fresh memory; buf_init needs it unset */
	x->client = c;
	x->result = r;
	buf_init(&x->url, 0);
	buf_init(&x->auth, 0);
	buf_init(&x->where, 0);
	buf_init(&x->body, BODY_MAX);
	buf_init(&x->content_type, 0);
	buf_init(&x->oauth_scopes, 0);
	buf_init(&x->accepted_scopes, 0);
	buf_init(&x->credential_type, 0);
}

/* Forget the answer of an earlier try. */
static void answer_release(struct api_exchange *x)
{
	x->answered = x->retryable = 0;
	x->status = x->retry_after = 0;
	buf_release(&x->body);
	buf_release(&x->content_type);
	buf_release(&x->oauth_scopes);
	buf_release(&x->accepted_scopes);
	buf_release(&x->credential_type);
}

void api_exchange_release(struct api_exchange *x)
{
	answer_release(x);
	buf_release(&x->url);
	buf_release(&x->auth);
	buf_release(&x->where);
	x->client = NULL;
	x->result = NULL;
	x->then = NULL;
}

/* --- the origin rules for what we build URLs from --- */

int api_host_ok(const struct buf *host)
{
	struct buf canonical = BUF_INIT;
	int ok;

	ok = buf_isset(host) && bb_host_canonical(host->buf, &canonical) == 0 &&
	     !strpbrk(host->buf, "/@?#\\");
	buf_release(&canonical);
	return ok;
}

static int url_part_absent(CURLU *u, CURLUPart part, CURLUcode absent)
{
	char *value = NULL;
	CURLUcode rc = curl_url_get(u, part, &value, 0);

	curl_free(value);
	return rc == absent;
}

int api_rest_base_ok(const char *url, struct buf *where)
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
		buf_set(where, host);
		if (port)
			buf_addf(where, ":%s", port);
	}
	curl_free(scheme);
	curl_free(host);
	curl_free(port);
	curl_url_cleanup(u);
	return ok ? 0 : -1;
}

/* --- one try --- */

/* A try in flight: what libcurl says of it, beside the answer in x. */
struct attempt {
	struct api_exchange *x;
	CURL *h;
	struct curl_slist *headers;
	CURLcode rc;
	long os_errno;
	int truncated;          /* the body passed BODY_MAX and was cut */
	char error[CURL_ERROR_SIZE];
};

/* Out of memory in libcurl: the same end as xmalloc's. */
static void die_oom(void)
{
	fputs("fatal: out of memory\n", stderr);
	exit(128);
}

static size_t on_body(char *data, size_t size, size_t nmemb, void *ctx)
{
	struct attempt *a = ctx;
	size_t len = size * nmemb;

	/* Returning short makes libcurl stop with CURLE_WRITE_ERROR. */
	if (buf_try_add(&a->x->body, data, len) < 0) {
		a->truncated = 1;
		return 0;
	}
	return len;
}

/* A header as the server sent it; one past the cap counts as not sent. */
static void copy_header(CURL *h, const char *name, struct buf *out)
{
	struct curl_header *hd;

	if (curl_easy_header(h, name, 0, CURLH_HEADER, -1, &hd) != CURLHE_OK)
		return;
	if (buf_try_setn(out, hd->value, strlen(hd->value)) < 0)
		buf_release(out);
}

/* What we keep of an answer, read before the handle goes. */
static void attempt_read(struct attempt *a)
{
	struct api_exchange *x = a->x;
	curl_off_t retry_after = 0;
	char *type = NULL;

	curl_easy_getinfo(a->h, CURLINFO_RESPONSE_CODE, &x->status);
	curl_easy_getinfo(a->h, CURLINFO_OS_ERRNO, &a->os_errno);
	if (curl_easy_getinfo(a->h, CURLINFO_CONTENT_TYPE, &type) == CURLE_OK &&
	    type && buf_try_setn(&x->content_type, type, strlen(type)) < 0)
		buf_release(&x->content_type);
	/* libcurl reads both forms, seconds and an HTTP date. */
	if (curl_easy_getinfo(a->h, CURLINFO_RETRY_AFTER, &retry_after) ==
	    CURLE_OK && retry_after > 0)
		x->retry_after = retry_after > RETRY_AFTER_MAX_S ?
			RETRY_AFTER_MAX_S : (long)retry_after;
	copy_header(a->h, "x-oauth-scopes", &x->oauth_scopes);
	copy_header(a->h, "x-accepted-oauth-scopes", &x->accepted_scopes);
	copy_header(a->h, "x-credential-type", &x->credential_type);
}

/*
 * The origin rules, on every handle.  Each option is checked: a libcurl
 * that cannot restrict protocols must not be used at all.
 */
static int attempt_setup(struct attempt *a, long left_ms)
{
	const struct api_exchange *x = a->x;
	const struct api_client *c = x->client;
	CURL *h = a->h;
	long connect_ms = c->connect_timeout_ms > 0 ?
		c->connect_timeout_ms : API_CONNECT_TIMEOUT_MS;
	int ok;

	if (connect_ms > left_ms)
		connect_ms = left_ms;
	ok = curl_easy_setopt(h, CURLOPT_URL, x->url.buf) == CURLE_OK &&
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
	     curl_easy_setopt(h, CURLOPT_HTTPHEADER, a->headers) == CURLE_OK &&
	     curl_easy_setopt(h, CURLOPT_USERAGENT, user_agent) == CURLE_OK &&
	     curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L) == CURLE_OK &&
	     curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, connect_ms) == CURLE_OK &&
	     curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, left_ms) == CURLE_OK &&
	     curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body) == CURLE_OK &&
	     curl_easy_setopt(h, CURLOPT_WRITEDATA, a) == CURLE_OK &&
	     curl_easy_setopt(h, CURLOPT_PRIVATE, a) == CURLE_OK &&
	     curl_easy_setopt(h, CURLOPT_ERRORBUFFER, a->error) == CURLE_OK;
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

static struct curl_slist *add_header(struct curl_slist *list, const char *line)
{
	struct curl_slist *more = curl_slist_append(list, line);

	if (!more) {
		free_headers(list);
		die_oom();
	}
	return more;
}

/*
 * A handle for the next try of a->x, or -1 when libcurl refuses one of
 * the options (then nothing is sent).  libcurl builds the request from
 * the header strings in buffers of its own and frees them without
 * wiping (its own libcurl-security.md says so); we wipe what is ours:
 * x->auth and the header list.
 */
static int attempt_start(struct attempt *a, struct api_exchange *x,
			 long left_ms)
{
	memset(a, 0, sizeof(*a));
	a->x = x;
	a->rc = CURLE_OK;
	answer_release(x);
	a->h = curl_easy_init();
	if (!a->h)
		die_oom();
	a->headers = add_header(NULL, x->auth.buf);
	if (x->accept)
		a->headers = add_header(a->headers, x->accept);
	return attempt_setup(a, left_ms);
}

/* Free the handle at once, and the headers with the secret. */
static void attempt_end(struct attempt *a)
{
	curl_easy_cleanup(a->h);
	free_headers(a->headers);
	a->h = NULL;
	a->headers = NULL;
}

/* --- retries and time --- */

static long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Did the server answer at all (possibly with a cut body)? */
static int answered(const struct attempt *a)
{
	return a->rc == CURLE_OK ||
	       (a->rc == CURLE_WRITE_ERROR && a->truncated && a->x->status);
}

/* A connection closed without an answer is the server's fault too. */
static int closed_early(CURLcode rc)
{
	return rc == CURLE_GOT_NOTHING || rc == CURLE_RECV_ERROR ||
	       rc == CURLE_SEND_ERROR;
}

static int retryable(const struct attempt *a)
{
	long status = a->x->status;

	if (answered(a))
		return status == 429 || (status >= 500 && status < 600);
	return closed_early(a->rc);
}

/* Retry-After when sent, else 1 s, 2 s, 4 s... */
static long retry_delay_ms(const struct api_exchange *x, int tries)
{
	if (x->retry_after > 0)
		return x->retry_after * 1000;
	return 1000L << (tries < 10 ? tries - 1 : 9);
}

/* --- from a try that got no answer to words --- */

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
static int proxy_failed(const struct attempt *a)
{
	const char *w = a->x->where.buf, *colon = strrchr(w, ':');
	struct buf expect = BUF_INIT;
	size_t hlen;
	int other;

	if (a->rc != CURLE_COULDNT_CONNECT || !a->error[0])
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
	other = !strstr(a->error, buf_str(&expect));
	buf_release(&expect);
	return other;
}

/* Why libcurl stopped, in words fit for the user (server bytes cleaned). */
static void failure_reason(const struct attempt *a, struct buf *out)
{
	buf_set_empty(out);
	if (a->rc == CURLE_COULDNT_CONNECT && a->os_errno &&
	    !proxy_failed(a))
		buf_adds(out, strerror((int)a->os_errno));
	else if (a->error[0])
		api_text_add_clean(out, a->error, strlen(a->error), REASON_MAX);
	else
		buf_adds(out, curl_easy_strerror(a->rc));
}

static void explain_tls(const struct attempt *a, const char *why)
{
	const struct api_client *c = a->x->client;
	struct api_result *r = a->x->result;

	if (a->rc == CURLE_SSL_CACERT_BADFILE) {
		api_result_say(r, API_UNKNOWN, API_ERR_TLS,
			       "cannot use the CA bundle %s (%s): fix the file "
			       "named by GIT_SSL_CAINFO or git config "
			       "http.sslCAInfo, or unset it to use the system's",
			       buf_isset(&c->ca_info) ? c->ca_info.buf : "of the system",
			       why);
		return;
	}
	api_result_say(r, API_UNKNOWN, API_ERR_TLS,
		       "the certificate of %s is not trusted (%s): if this "
		       "really is the server, name the CA bundle that signs it "
		       "with GIT_SSL_CAINFO or git config http.sslCAInfo",
		       a->x->where.buf, why);
}

static void explain_failure(const struct attempt *a)
{
	const struct api_client *c = a->x->client;
	const char *where = a->x->where.buf;
	struct api_result *r = a->x->result;
	struct buf why = BUF_INIT;
	long total = c->timeout_ms > 0 ? c->timeout_ms : API_TIMEOUT_MS;
	long connect = c->connect_timeout_ms > 0 ?
		c->connect_timeout_ms : API_CONNECT_TIMEOUT_MS;

	failure_reason(a, &why);
	if (tls_failure(a->rc))
		explain_tls(a, why.buf);
	else if (a->rc == CURLE_UNSUPPORTED_PROTOCOL ||
		 a->rc == CURLE_URL_MALFORMAT)
		api_result_say(r, API_UNKNOWN, API_ERR_PROTOCOL,
			       "cannot ask %s (%s): only https URLs are used, "
			       "so check the host name and the REST URL "
			       "(bbtoken.apiUrl or --api-url)", where, why.buf);
	else if (a->rc == CURLE_COULDNT_RESOLVE_PROXY || proxy_failed(a))
		api_result_say(r, API_UNKNOWN, API_ERR_NETWORK,
			       "could not reach the proxy on the way to %s "
			       "(%s): check https_proxy, all_proxy and "
			       "no_proxy in the environment", where, why.buf);
	else if (closed_early(a->rc))
		api_result_say(r, API_UNKNOWN, API_ERR_NETWORK,
			       "%s closed the connection without an answer "
			       "(%s), still after %d tr%s: try again later",
			       where, why.buf, r->tries,
			       r->tries == 1 ? "y" : "ies");
	else if (a->rc == CURLE_OUT_OF_MEMORY)
		api_result_say(r, API_UNKNOWN, API_ERR_PROTOCOL,
			       "%s sent an answer too large to read (a header "
			       "over libcurl's 100 KiB limit, or memory ran "
			       "out), which Bitbucket does not: check the host "
			       "name and any proxy (https_proxy)", where);
	else if (a->rc == CURLE_OPERATION_TIMEDOUT)
		api_result_say(r, API_UNKNOWN, API_ERR_NETWORK,
			       "could not reach %s: no answer within the time "
			       "allowed (%g s to connect, %g s in all): check "
			       "the network and any proxy (https_proxy), then "
			       "try again", where, connect / 1000.0,
			       total / 1000.0);
	else
		api_result_say(r, API_UNKNOWN, API_ERR_NETWORK,
			       "could not reach %s: %s; check the host name, "
			       "the network and any proxy (https_proxy), then "
			       "try again", where, why.buf);
	buf_release(&why);
}


/* libcurl would not take the origin rules: nothing may be sent then. */
static void explain_setup(struct api_exchange *x)
{
	api_result_say(x->result, API_UNKNOWN, API_ERR_PROTOCOL,
		       "cannot ask %s: this libcurl refuses the options that "
		       "keep the token with its host (https only, no "
		       "redirects); use a libcurl built with HTTPS",
		       x->where.buf);
}

static int curl_ready(void)
{
	/*
	 * Once per process.  No curl_global_cleanup(): the full module may
	 * be unloaded while libcurl stays, and the process ends soon anyway.
	 */
	static int done;

	if (!done && curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK)
		done = 1;
	return done ? 0 : -1;
}

/* What an exchange is waiting for, in x->state. */
enum {
	X_WAITING = 0,  /* to be sent once x->due_ms has come */
	X_RUNNING,      /* on a handle */
	X_HELD,         /* a then of one not yet answered */
	X_DONE
};

static long timeout_of(const struct api_exchange *x)
{
	return x->client->timeout_ms > 0 ? x->client->timeout_ms : API_TIMEOUT_MS;
}

/*
 * All the exchanges of a run: those given, then each one's chain of
 * thens, held until the one before answers.
 */
static struct api_exchange **gather(struct api_exchange *const *xs, size_t nr,
				    size_t *total)
{
	struct api_exchange **all, *t;
	size_t i, n = 0;

	for (i = 0; i < nr; i++)
		for (t = xs[i]; t; t = t->then)
			n++;
	all = xcalloc(n ? n : 1, sizeof(*all));
	*total = n;
	n = 0;
	for (i = 0; i < nr; i++) {
		xs[i]->state = X_WAITING;
		all[n++] = xs[i];
	}
	for (i = 0; i < nr; i++)
		for (t = xs[i]->then; t; t = t->then) {
			t->state = X_HELD;
			all[n++] = t;
		}
	for (i = 0; i < n; i++) {
		all[i]->due_ms = 0;
		all[i]->deadline_ms = 0;
	}
	return all;
}

/* Drop a chain that will not be sent; how many exchanges that was. */
static size_t drop_chain(struct api_exchange *t)
{
	size_t n = 0;

	for (; t; t = t->then, n++)
		t->state = X_DONE;
	return n;
}

/*
 * Start the next try of x on a free slot.  Its deadline runs from its
 * first try, not from the start of the run: waiting for a slot costs an
 * exchange none of its time.  0, or -1 when x is done for good.
 */
static int start(CURLM *m, struct attempt *slots, struct api_exchange *x,
		 long now)
{
	struct attempt *a = slots;
	long left;

	while (a->h)
		a++;
	if (!x->deadline_ms)
		x->deadline_ms = now + timeout_of(x);
	left = x->deadline_ms - now;
	if (left < 1)
		left = 1;
	x->result->tries++;
	if (attempt_start(a, x, left) < 0 ||
	    curl_multi_add_handle(m, a->h) != CURLM_OK) {
		attempt_end(a);
		explain_setup(x);
		x->state = X_DONE;
		return -1;
	}
	x->state = X_RUNNING;
	return 0;
}

/*
 * A try has ended: retry it later (its own Retry-After or backoff, which
 * holds up no other exchange), or settle it.  A wait that would end past
 * the deadline is not begun: the answer would come too late anyway.
 * Returns how many exchanges are done for good now.
 */
static size_t settle(struct attempt *a, long now)
{
	struct api_exchange *x = a->x;
	int max_tries = x->client->max_tries > 0 ? x->client->max_tries : 1;
	long wait;

	/*
	 * libcurl says "out of memory" of a header over its 100 KiB limit
	 * too, and with no word in the error buffer: most likely the
	 * server's doing, so explained, not died of.
	 */
	x->answered = answered(a);
	x->retryable = retryable(a);
	if (x->retryable && x->result->tries < max_tries) {
		wait = retry_delay_ms(x, x->result->tries);
		if (now + wait < x->deadline_ms) {
			x->due_ms = now + wait;
			x->state = X_WAITING;
			return 0;
		}
	}
	if (!x->answered)
		explain_failure(a);
	x->state = X_DONE;
	if (!x->then)
		return 1;
	if (x->answered && x->status >= 200 && x->status < 300) {
		x->then->state = X_WAITING;
		return 1;
	}
	return 1 + drop_chain(x->then);
}

/* Read every try libcurl has finished; how many exchanges are done. */
static size_t reap(CURLM *m, size_t *running)
{
	struct attempt *a;
	CURLMsg *msg;
	size_t done = 0;
	int queued;

	while ((msg = curl_multi_info_read(m, &queued))) {
		if (msg->msg != CURLMSG_DONE)
			continue;
		a = NULL;
		curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE,
				  (char **)&a);
		/* msg goes with the handle: read it first. */
		a->rc = msg->data.result;
		attempt_read(a);
		curl_multi_remove_handle(m, a->h);
		attempt_end(a);
		(*running)--;
		done += settle(a, now_ms());
	}
	return done;
}

/* How long to sleep: until libcurl or the next retry wants us. */
static int poll_ms(CURLM *m, struct api_exchange **all, size_t total,
		   size_t running, long now)
{
	long ms = 1000, t = -1;
	size_t i;

	if (curl_multi_timeout(m, &t) == CURLM_OK && t >= 0 && t < ms)
		ms = t;
	if (running < API_PARALLEL)
		for (i = 0; i < total; i++)
			if (all[i]->state == X_WAITING &&
			    all[i]->due_ms - now < ms)
				ms = all[i]->due_ms - now;
	return ms < 0 ? 0 : (int)ms;
}

void api_transport_run(struct api_exchange *const *xs, size_t nr)
{
	struct api_exchange **all;
	struct attempt *slots;
	size_t i, total, done = 0, running = 0;
	CURLM *m;
	int still;
	long now;

	if (curl_ready() < 0) {
		for (i = 0; i < nr; i++)
			api_result_say(xs[i]->result, API_UNKNOWN,
				       API_ERR_NETWORK, "cannot ask %s: libcurl "
				       "could not start", xs[i]->where.buf);
		return;
	}
	m = curl_multi_init();
	if (!m)
		die_oom();
	all = gather(xs, nr, &total);
	slots = xcalloc(API_PARALLEL, sizeof(*slots));
	while (done < total) {
		now = now_ms();
		/* In the order given: the first asked are the first sent. */
		for (i = 0; i < total && running < API_PARALLEL; i++) {
			if (all[i]->state != X_WAITING || all[i]->due_ms > now)
				continue;
			if (start(m, slots, all[i], now) < 0)
				done += 1 + drop_chain(all[i]->then);
			else
				running++;
		}
		if (done == total)
			break;
		curl_multi_perform(m, &still);
		done += reap(m, &running);
		if (done < total)
			curl_multi_poll(m, NULL, 0,
					poll_ms(m, all, total, running, now_ms()),
					NULL);
	}
	curl_multi_cleanup(m);
	free(slots);
	free(all);
}
