/* SPDX-License-Identifier: MIT */
/*
 * A thin driver of lib/api.c for t/0700-api-client.sh: one question, its
 * result as key=value lines on stdout.  The secret comes on stdin, never
 * in argv.  The test, not api.c, reads the environment:
 *
 *   API_CA                 CA bundle (the commands take GIT_SSL_CAINFO
 *                          or http.sslCAInfo)
 *   API_TIMEOUT_MS, API_CONNECT_TIMEOUT_MS, API_MAX_TRIES
 */
#include "lib/api.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char usage[] =
	"usage: api-probe fetch|push|user HOST APIURL|- "
	"USERNAME|EMAIL|- KIND [W [R]] <secret\n";

static const char *answer_name(enum api_answer a)
{
	static const char *const names[] = { "unknown", "yes", "no" };

	return names[a];
}

static const char *failure_name(enum api_failure f)
{
	static const char *const names[] = {
		"ok", "unauthorized", "scope", "forbidden", "not-found",
		"app-password", "rate-limited", "server", "network", "tls",
		"no-url", "protocol",
	};

	return names[f];
}

static int read_secret(struct buf *secret)
{
	char line[65536];

	if (!fgets(line, sizeof(line), stdin))
		return -1;
	line[strcspn(line, "\r\n")] = '\0';
	buf_set(secret, line);
	wipe(line, sizeof(line));
	return 0;
}

static long env_long(const char *name, long def)
{
	const char *v = getenv(name);

	return v && *v ? strtol(v, NULL, 10) : def;
}

static int run(const char *verb, const struct api_client *c, const char *user,
	       enum bb_kind kind, const struct buf *secret, const char *w,
	       const char *r, struct api_result *res)
{
	struct api_ask a, *asks[] = { &a };

	if (!strcmp(verb, "fetch"))
		api_ask_fetch(&a, c, user, secret, w, r, res);
	else if (!strcmp(verb, "push"))
		api_ask_push(&a, NULL, c, user, secret, w, r, res);
	else if (!strcmp(verb, "user"))
		api_ask_whoami(&a, c, kind, user, secret, res);
	else
		return -1;
	api_ask_all(asks, 1);
	return 0;
}

static void print(const struct api_result *r)
{
	printf("answer=%s\nfailure=%s\nstatus=%ld\ntries=%d\n",
	       answer_name(r->answer), failure_name(r->failure), r->status,
	       r->tries);
	printf("message=%s\nserver=%s\nmissing=%s\ngranted=%s\ntype=%s\n",
	       buf_str(&r->message), buf_str(&r->server_message),
	       buf_str(&r->missing_scopes), buf_str(&r->granted_scopes),
	       buf_str(&r->credential_type));
	printf("username=%s\ndisplay=%s\n", buf_str(&r->username),
	       buf_str(&r->display_name));
}

int main(int argc, char **argv)
{
	struct api_client c;
	struct api_result r;
	struct buf secret = BUF_INIT;
	const char *user;
	int ret;

	if (argc < 6 || argc > 8) {
		fputs(usage, stderr);
		return 129;
	}
	if (read_secret(&secret) < 0) {
		fputs("api-probe: no secret on stdin\n", stderr);
		return 129;
	}
	api_client_init(&c);
	api_result_init(&r);
	buf_set(&c.host, argv[2]);
	if (strcmp(argv[3], "-"))
		buf_set(&c.api_url, argv[3]);
	if (getenv("API_CA"))
		buf_set(&c.ca_info, getenv("API_CA"));
	c.timeout_ms = env_long("API_TIMEOUT_MS", c.timeout_ms);
	c.connect_timeout_ms = env_long("API_CONNECT_TIMEOUT_MS",
					c.connect_timeout_ms);
	c.max_tries = (int)env_long("API_MAX_TRIES", c.max_tries);
	user = strcmp(argv[4], "-") ? argv[4] : NULL;

	ret = run(argv[1], &c, user, bb_kind_from_name(argv[5]), &secret,
		  argc > 6 ? argv[6] : NULL, argc > 7 ? argv[7] : NULL, &r);
	if (ret < 0)
		fputs(usage, stderr);
	else
		print(&r);
	api_result_release(&r);
	api_client_release(&c);
	buf_release(&secret);
	return ret < 0 ? 129 : 0;
}
