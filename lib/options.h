/* SPDX-License-Identifier: MIT */
#ifndef BBTOKEN_OPTIONS_H
#define BBTOKEN_OPTIONS_H

#include "bitbucket.h"
#include "buf.h"
#include "store.h"

/*
 * What the helper was told: options from its own command line (git
 * passes those from credential.helper), then bbtoken.* keys from git's
 * config.  Command-line values win.
 */
struct bb_options {
	struct bb_hosts hosts;   /* --host, bbtoken.host */
	int warn_days;           /* --warn-days, bbtoken.warnDays; -1 unset */
	struct buf api_url;      /* --api-url; else bbtoken[.<url>].apiUrl per host */
	long connect_timeout;    /* bbtoken.connectTimeout, seconds; 0 default */
	long timeout;            /* bbtoken.timeout, seconds; 0 default */
	enum store_kind store;   /* --store, bbtoken.store; default auto */
	int store_from_cmdline;
	struct buf token_command; /* bbtoken.tokenCommand (global/system only) */
	long token_command_timeout; /* bbtoken.tokenCommandTimeout, seconds */
	int config_loaded;
};

#define BB_WARN_DAYS_DEFAULT 14

void options_init(struct bb_options *o);
void options_release(struct bb_options *o);

/*
 * Take one helper option ("--host=H", "--warn-days=N", "--api-url=URL",
 * "--store=auto|secretservice|file").  Returns 1 when
 * taken, 0 when it is not a helper option, -1 when its value is bad (a
 * message has been printed).
 */
int options_parse(struct bb_options *o, const char *arg);

/* The store to open, with flags (STORE_PROMPT etc.), as o says. */
void options_store_config(const struct bb_options *o, int flags,
			  struct store_config *out);

/* The warning window in effect. */
int options_warn_days(const struct bb_options *o);

/*
 * Read bbtoken.* from git's config by running `git config`.  Spawning
 * git costs about as much as the rest of a `get`, so with lazy set it
 * first looks whether any config file git would read could hold such a
 * key (a [bbtoken] section, an [include]/[includeIf], or -c on git's
 * command line) and skips the spawn when none can.
 *
 * Keys that choose where a token goes or what runs (bbtoken.store,
 * bbtoken.tokenCommand) are taken from system, global and command-line
 * config only: a repository someone else made must not pick them.  Such
 * a key in a repository's config is ignored with a warning.  Returns 0, or -1
 * when git config failed (a message has been printed).
 */
int options_load_config(struct bb_options *o, int lazy);

#endif
