/* SPDX-License-Identifier: MIT */
#ifndef BBTOKEN_VERIFY_H
#define BBTOKEN_VERIFY_H

#include "api.h"
#include "options.h"
#include "token.h"

/*
 * What add, check and rotate ask Bitbucket about a token, in one place:
 * can it fetch and push the repository it is probed on, and whose is it.
 */

/*
 * The API client for a host: REST URL from --api-url, then git's
 * bbtoken.<url>.apiUrl / bbtoken.apiUrl, then api.bitbucket.org for
 * bitbucket.org; CA bundle from GIT_SSL_CAINFO, then http[.<url>].sslCAInfo;
 * timeouts from bbtoken.connectTimeout and bbtoken.timeout.
 */
void verify_client(struct bb_options *o, const char *host, struct api_client *c);

/* Which repository to probe t on: its probe, else its repository binding. */
int verify_probe_repo(const struct token *t, struct buf *ws, struct buf *repo);

/*
 * Can t be probed on probe ("W/R")?  Not outside its binding: a
 * repository-bound token on another repository, or a workspace-bound one
 * in another workspace, would only prove the binding.  0 or -1.
 */
int verify_probe_fits(const struct token *t, const char *probe);

struct verify_report {
	struct api_result fetch, push, user;
	int have_user;		/* an identity check ran */
};

void verify_report_init(struct verify_report *v);
void verify_report_release(struct verify_report *v);

/*
 * Probe t (its password, kind, git username, email) on ws/repo: fetch,
 * then push when fetch worked, and, with identity set, whose it is when
 * t has an email and the host has a REST URL.  Fills v.
 */
void verify_token(const struct api_client *c, const struct token *t,
		  const char *ws, const char *repo, int identity,
		  struct verify_report *v);

/* The same for many tokens at once, their requests sent together. */
struct verify_job {
	const struct api_client *client;
	const struct token *token;
	const char *ws, *repo;
	int identity;
	struct verify_report *report;
};

void verify_tokens(const struct verify_job *jobs, size_t nr);

/* A probe answer as a stored ability: unknown stays unknown. */
enum token_ability verify_ability(const struct api_result *r);

/* The scopes a token needs to do what t could: for `rotate`'s advice. */
void verify_needed_scopes(const struct token *t, struct buf *out);

#endif
