/* SPDX-License-Identifier: MIT */
/*
 * The backends as the binary git runs reaches them: each from the module
 * that holds it, loaded on first use (module.h says where from).  This
 * binary links libc alone; a backend's libraries come in with its module
 * and only when that backend is used.
 */
#include "backend.h"
#include "../module.h"
#include "../module-full.h"

typedef int open_fn(struct store **, int);

static int from_module(const char *module, const char *symbol,
		       struct store **out, int flags)
{
	open_fn *fn;
	void *h = module_load(module);

	*out = NULL;
	if (!h)
		return STORE_ERR_MODULE;
	*(void **)&fn = module_symbol(h, module, symbol);
	return fn ? fn(out, flags) : STORE_ERR_MODULE;
}

int backend_secretservice(struct store **out, int flags)
{
	const struct bbtoken_full *full = module_full();

	*out = NULL;
	return full ? full->store_secretservice_open(out, flags)
		     : STORE_ERR_MODULE;
}

int backend_secretservice_get(struct store **out, int flags)
{
	return from_module(MODULE_GET_SECRETSERVICE,
			   "store_secretservice_get_open", out, flags);
}

int backend_file(struct store **out, int flags)
{
	return from_module(MODULE_GET_FILE, "store_file_open", out, flags);
}
