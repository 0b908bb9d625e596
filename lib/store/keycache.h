/* SPDX-License-Identifier: MIT */
#ifndef BBTOKEN_STORE_KEYCACHE_H
#define BBTOKEN_STORE_KEYCACHE_H

#include <stddef.h>

/*
 * The file store's master key, cached in the kernel's user keyring
 * (keyrings(7)) by `unlock`, so that git's `get` needs neither the
 * passphrase nor scrypt.  A "user" key named NAME ("bbtoken:" and the
 * store id in hex) in KEY_SPEC_USER_KEYRING, which every process of the
 * user can search and read, and which the kernel drops at its timeout
 * and `lock` invalidates.  Raw syscalls, no
 * libkeyutils.
 *
 * Each returns 0 or a negative errno; keycache_missing() tells the
 * errors of a kernel or sandbox without keyrings (ENOSYS, EPERM,
 * EACCES under a seccomp filter, for instance) from the rest.
 */

/* Copy the key named name into key (len bytes exactly); -ENOKEY if none. */
int keycache_get(const char *name, unsigned char *key, size_t len);
/* Cache key under name for seconds, replacing any key of that name. */
int keycache_put(const char *name, const unsigned char *key, size_t len,
		 unsigned seconds);
/* Forget the key named name; -ENOKEY when there was none. */
int keycache_drop(const char *name);
/* Is err what a system without usable keyrings answers? */
int keycache_missing(int err);

#endif
