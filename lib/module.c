/* SPDX-License-Identifier: MIT */
#include "module.h"
#include "msg.h"
#include "tools.h"

#include <dlfcn.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#ifndef MODULEDIR
#define MODULEDIR "/usr/local/lib/git-credential-bbtoken"
#endif

static int beside_binary(const char *name, char *path, size_t size)
{
	char exe[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	char *slash;

	if (n <= 0)
		return -1;
	exe[n] = '\0';
	slash = strrchr(exe, '/');
	if (!slash)
		return -1;
	*slash = '\0';
	if (snprintf(path, size, "%s/%s", exe, name) >= (int)size)
		return -1;
	return access(path, R_OK);
}

void *module_load(const char *name)
{
	char path[PATH_MAX];
	void *h;

	if (beside_binary(name, path, sizeof(path)) < 0 &&
	    snprintf(path, sizeof(path), "%s/%s", MODULEDIR, name) >=
		    (int)sizeof(path))
		return NULL;
	msg_trace("loading %s", path);
	h = dlopen(path, RTLD_NOW | RTLD_LOCAL);
	if (!h)
		msg_error("cannot load %s (%s); reinstall git-credential-bbtoken with "
			  "`make install`", path, dlerror());
	return h;
}

void *module_symbol(void *handle, const char *module, const char *symbol)
{
	void *sym = dlsym(handle, symbol);

	if (!sym)
		msg_error("%s lacks %s: it belongs to another version; reinstall "
			  "git-credential-bbtoken with `make install`", module, symbol);
	return sym;
}

const struct bbtoken_tools *module_tools(void)
{
	const struct bbtoken_tools *(*entry)(void);
	void *h = module_load(MODULE_TOOLS);

	if (!h)
		return NULL;
	*(void **)&entry = module_symbol(h, MODULE_TOOLS, BBTOKEN_TOOLS_SYMBOL);
	return entry ? entry() : NULL;
}
