/* SPDX-License-Identifier: MIT */
#ifndef BBTOKEN_MODULE_H
#define BBTOKEN_MODULE_H

/*
 * The binary git runs links only libc, so that a request for another host
 * costs no more than /bin/true.  What needs GLib, libsecret, libcurl or
 * OpenSSL lives in modules loaded on demand:
 *
 *   bbtoken-ssget.so   the read-only Secret Service lookup of `get` (gio)
 *   bbtoken-file.so    the encrypted file store, for `get` (libcrypto)
 *   bbtoken-tools.so   everything else: store, erase, the commands
 *
 * A module is looked for next to the running binary first (the build
 * tree), then in MODULEDIR, fixed at build time.  Never in a directory
 * named by the environment: that would let anyone who can set a variable
 * run code inside the process that holds the tokens.
 */
void *module_load(const char *name);
void *module_symbol(void *handle, const char *module, const char *symbol);

#define MODULE_SSGET "bbtoken-ssget.so"
#define MODULE_TOOLS "bbtoken-tools.so"
#define MODULE_FILE "bbtoken-file.so"

/* Load bbtoken-tools.so and return its table; NULL (said why) on failure. */
struct bbtoken_tools;
const struct bbtoken_tools *module_tools(void);

#endif
