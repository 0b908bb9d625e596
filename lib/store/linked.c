/* SPDX-License-Identifier: MIT */
/*
 * The backends as the full module reaches them: linked in.  The full
 * module never runs git's `get`, so the lean lookup is the full store.
 */
#include "backend.h"

int backend_secretservice(struct store **out, int flags)
{
	return store_secretservice_open(out, flags);
}

int backend_secretservice_get(struct store **out, int flags)
{
	return store_secretservice_open(out, flags & ~STORE_LEAN);
}

int backend_file(struct store **out, int flags)
{
	return store_file_open(out, flags);
}
