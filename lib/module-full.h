/* SPDX-License-Identifier: MIT */
#ifndef BBTOKEN_MODULE_FULL_H
#define BBTOKEN_MODULE_FULL_H

#include "credential.h"
#include "options.h"
#include "store.h"

/*
 * The entry points of bbtoken-full.so, the module that holds everything
 * off git's `get` path (module.h).  The binary looks up one symbol,
 * bbtoken_full, with module_full(), and calls through this table; nothing
 * else of the module is visible (lib/module-full.map).
 */
struct bbtoken_full {
	/* git's store and erase, for a request already read and found ours. */
	int (*store)(struct credential *req, struct bb_options *o);
	int (*erase)(struct credential *req, struct bb_options *o);
	/* A command: argv[0] is its name ("add", "list", ...). */
	int (*command)(int argc, const char **argv, struct bb_options *o);
	/* The libsecret backend, for a `get` that must unlock the keyring. */
	int (*store_secretservice_open)(struct store **out, int flags);
};

#define BBTOKEN_FULL_SYMBOL "bbtoken_full"
const struct bbtoken_full *bbtoken_full(void);

#endif
