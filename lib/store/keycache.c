/* SPDX-License-Identifier: MIT */
/* The kernel keyring cache of the file store's key (keycache.h). */
#include "keycache.h"
#include "../buf.h"

#include <errno.h>
#include <linux/keyctl.h>
#include <sys/syscall.h>
#include <unistd.h>

/* Permission bits of keyctl(2); libkeyutils has them, the kernel headers not. */
#define KEY_POS_ALL 0x3f000000UL
#define KEY_USR_VIEW 0x00010000UL
#define KEY_USR_READ 0x00020000UL
#define KEY_USR_SEARCH 0x00080000UL

/* What fits the biggest key we cache, and a byte to see it is no bigger. */
#define KEY_MAX 64

static long find_key(const char *name)
{
	long id = syscall(SYS_keyctl, KEYCTL_SEARCH, KEY_SPEC_USER_KEYRING,
			  "user", name, 0);

	if (id >= 0)
		return id;
	/* An expired or revoked key is no key. */
	if (errno == EKEYEXPIRED || errno == EKEYREVOKED)
		return -ENOKEY;
	return -errno;
}

int keycache_get(const char *name, unsigned char *key, size_t len)
{
	unsigned char tmp[KEY_MAX];
	long id = find_key(name), n;

	if (id < 0)
		return (int)id;
	n = syscall(SYS_keyctl, KEYCTL_READ, id, tmp, sizeof(tmp));
	if (n < 0) {
		int err = errno;

		return err == EKEYEXPIRED || err == EKEYREVOKED ? -ENOKEY : -err;
	}
	/* Someone else's key of the same name is not ours to use. */
	if ((size_t)n != len) {
		wipe(tmp, sizeof(tmp));
		return -ENOKEY;
	}
	for (n = 0; (size_t)n < len; n++)
		key[n] = tmp[n];
	wipe(tmp, sizeof(tmp));
	return 0;
}

int keycache_put(const char *name, const unsigned char *key, size_t len,
		 unsigned seconds)
{
	/* Ours, all of it; the user's other processes: find and read it. */
	const unsigned long perm = KEY_POS_ALL | KEY_USR_VIEW | KEY_USR_READ |
				   KEY_USR_SEARCH;
	long id;
	int err;

	err = keycache_drop(name);
	if (err && err != -ENOKEY)
		return err;
	id = syscall(SYS_add_key, "user", name, key, len, KEY_SPEC_USER_KEYRING);
	if (id < 0)
		return -errno;
	/*
	 * The timeout first, while the default permissions let us set it;
	 * a key we cannot bound is a key we do not keep.
	 */
	if (syscall(SYS_keyctl, KEYCTL_SET_TIMEOUT, id, seconds) < 0 ||
	    syscall(SYS_keyctl, KEYCTL_SETPERM, id, perm) < 0) {
		err = -errno;
		syscall(SYS_keyctl, KEYCTL_INVALIDATE, id);
		syscall(SYS_keyctl, KEYCTL_UNLINK, id, KEY_SPEC_USER_KEYRING);
		return err;
	}
	return 0;
}

int keycache_drop(const char *name)
{
	long id = find_key(name);

	if (id < 0)
		return (int)id;
	/* Invalidate is at once for every process; unlink is the fall-back. */
	if (syscall(SYS_keyctl, KEYCTL_INVALIDATE, id) < 0 &&
	    syscall(SYS_keyctl, KEYCTL_UNLINK, id, KEY_SPEC_USER_KEYRING) < 0)
		return -errno;
	return 0;
}

int keycache_missing(int err)
{
	return err == -ENOSYS || err == -EPERM || err == -EACCES ||
	       err == -EOPNOTSUPP;
}
