/* SPDX-License-Identifier: MIT */
#ifndef BBTOKEN_STORE_BACKEND_H
#define BBTOKEN_STORE_BACKEND_H

#include "../store.h"

/*
 * How store_open (open.c) reaches each backend.  The binary git runs
 * links libc alone, so there each of these loads the module that holds
 * the backend (load.c); the full module, linked with everything, calls
 * them directly (linked.c).  Each returns what the backend's own open
 * returns; a module that cannot be loaded is STORE_ERR_MODULE, with the
 * reason already printed.
 */

/* The full Secret Service store (libsecret, prompts). */
int backend_secretservice(struct store **out, int flags);
/* The lean read-only Secret Service lookup of `get` (raw GDBus). */
int backend_secretservice_get(struct store **out, int flags);
/* The encrypted file store. */
int backend_file(struct store **out, int flags);

#endif
