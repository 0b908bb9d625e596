/* SPDX-License-Identifier: MIT */
#include "module.h"
#include "msg.h"
#include "module-full.h"

#include <dlfcn.h>
#include <elf.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <sys/stat.h>
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

/*
 * Is the file at path a whole ELF object: every loadable segment and the
 * section headers (written last, at the end) inside the file?  dlopen
 * maps segments past the end of a truncated file and the process dies of
 * SIGBUS while relocating, so a half-written module must be caught here.
 */
static int whole_elf(const char *path)
{
	Elf64_Ehdr eh;
	Elf64_Phdr ph;
	struct stat st;
	int fd = open(path, O_RDONLY | O_CLOEXEC), ok = 0, i;

	if (fd < 0)
		return 0;
	if (fstat(fd, &st) || pread(fd, &eh, sizeof(eh), 0) != sizeof(eh) ||
	    memcmp(eh.e_ident, ELFMAG, SELFMAG) || eh.e_ident[EI_CLASS] != ELFCLASS64 ||
	    eh.e_phentsize != sizeof(ph) ||
	    eh.e_shoff + (off_t)eh.e_shnum * eh.e_shentsize > (uint64_t)st.st_size)
		goto out;
	for (i = 0; i < eh.e_phnum; i++) {
		if (pread(fd, &ph, sizeof(ph), eh.e_phoff + (off_t)i * sizeof(ph)) !=
		    sizeof(ph))
			goto out;
		if (ph.p_type == PT_LOAD &&
		    ph.p_offset + ph.p_filesz > (uint64_t)st.st_size)
			goto out;
	}
	ok = 1;
out:
	close(fd);
	return ok;
}

void *module_load(const char *name)
{
	char path[PATH_MAX];
	const char *stamp;
	void *h;

	if (beside_binary(name, path, sizeof(path)) < 0 &&
	    snprintf(path, sizeof(path), "%s/%s", MODULEDIR, name) >=
		    (int)sizeof(path))
		return NULL;
	msg_trace("loading %s", path);
	if (!whole_elf(path)) {
		msg_error("%s is cut short or not a module (was an install "
			  "interrupted?); reinstall git-credential-bbtoken with "
			  "`make install`", path);
		return NULL;
	}
	h = dlopen(path, RTLD_NOW | RTLD_LOCAL);
	if (!h) {
		msg_error("cannot load %s (%s); reinstall git-credential-bbtoken with "
			  "`make install`", path, dlerror());
		return NULL;
	}
	stamp = dlsym(h, MODULE_ABI_SYMBOL);
	if (!stamp || strcmp(stamp, BBTOKEN_MODULE_STAMP)) {
		msg_error("%s is not a module of this git-credential-bbtoken "
			  "(%s, want %s); reinstall it with `make install`", path,
			  stamp ? stamp : "no stamp", BBTOKEN_MODULE_STAMP);
		dlclose(h);
		return NULL;
	}
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

const struct bbtoken_full *module_full(void)
{
	const struct bbtoken_full *(*entry)(void);
	void *h = module_load(MODULE_FULL);

	if (!h)
		return NULL;
	*(void **)&entry = module_symbol(h, MODULE_FULL, BBTOKEN_FULL_SYMBOL);
	return entry ? entry() : NULL;
}
