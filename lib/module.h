/* SPDX-License-Identifier: MIT */
#ifndef BBTOKEN_MODULE_H
#define BBTOKEN_MODULE_H

/*
 * The binary git runs links only libc, so that a request for another host
 * costs no more than /bin/true (docs/internals/get-path.md).  What needs
 * GLib, libsecret, libcurl or OpenSSL lives in modules loaded on demand:
 *
 *   bbtoken-get-secretservice.so  git's `get` from the Secret Service: a
 *                                 read-only lookup over raw GDBus (gio)
 *   bbtoken-get-file.so           git's `get` from the encrypted file
 *                                 store (libcrypto)
 *   bbtoken-full.so               everything else: git's store and erase,
 *                                 every command, and the libsecret store
 *                                 a `get` turns to when items are locked
 *                                 and a person can answer the prompt
 *                                 (libsecret, gio, libcrypto, libcurl,
 *                                 json-c; module-full.h)
 *
 * A module is looked for next to the running binary first (the build
 * tree), then in MODULEDIR, fixed at build time.  Never in a directory
 * named by the environment: that would let anyone who can set a variable
 * run code inside the process that holds the tokens.
 *
 * Each module exports bbtoken_module_abi, the stamp of its build
 * (module-abi.c): the version and BBTOKEN_MODULE_ABI, bumped whenever a
 * module's tables or the structs they pass change.  module_load refuses a
 * module whose stamp differs (left over from another version), and a file
 * cut short (an install interrupted), before dlopen() could crash on it.
 * `make install` writes each file under a temporary name and renames it,
 * so a running git never maps a file being rewritten.
 */

/*
 * Load the module name (one of the MODULE_* below).  Returns its handle,
 * or NULL after printing why and the fix.
 */
void *module_load(const char *name);
/*
 * The address of symbol in the module loaded as handle; NULL after
 * printing that module is of another version.
 */
void *module_symbol(void *handle, const char *module, const char *symbol);

#define MODULE_GET_SECRETSERVICE "bbtoken-get-secretservice.so"
#define MODULE_GET_FILE "bbtoken-get-file.so"
#define MODULE_FULL "bbtoken-full.so"
#define MODULE_ABI_SYMBOL "bbtoken_module_abi"
#define BBTOKEN_MODULE_ABI "2"
#define BBTOKEN_MODULE_STAMP BBTOKEN_VERSION "/abi-" BBTOKEN_MODULE_ABI

/*
 * Load bbtoken-full.so and return its table (module-full.h); NULL, after
 * printing why, on failure.
 */
struct bbtoken_full;
const struct bbtoken_full *module_full(void);

#endif
