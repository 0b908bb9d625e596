/* SPDX-License-Identifier: MIT */
/*
 * Preloaded by t/0450-file-store.sh to stand for a container whose
 * seccomp profile refuses the kernel keyring: add_key(2), keyctl(2) and
 * request_key(2) fail with ENOSYS; every other syscall(2) goes through.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <stdarg.h>
#include <sys/syscall.h>
#include <unistd.h>

long syscall(long nr, ...)
{
	static long (*real)(long, ...);
	long a[6];
	va_list ap;
	int i;

	if (nr == SYS_add_key || nr == SYS_keyctl || nr == SYS_request_key) {
		errno = ENOSYS;
		return -1;
	}
	if (!real)
		*(void **)&real = dlsym(RTLD_NEXT, "syscall");
	va_start(ap, nr);
	for (i = 0; i < 6; i++)
		a[i] = va_arg(ap, long);
	va_end(ap);
	return real(nr, a[0], a[1], a[2], a[3], a[4], a[5]);
}
