/* SPDX-License-Identifier: MIT */
#ifndef BBTOKEN_STORE_FILE_H
#define BBTOKEN_STORE_FILE_H

#include "../store.h"

/*
 * The encrypted file store beyond store_ops: what `init`, `unlock` and
 * `lock` (lib/cmd-file.c) need.  Each takes a store from
 * store_file_open() and, like the operations, returns a store_err with
 * one sentence in s->detail on failure, and prints nothing.
 *
 * Where things are (each directory 0700, each file 0600, ours, and no
 * symlinks, or the store refuses with STORE_ERR_UNSAFE):
 *
 *   $XDG_DATA_HOME/git-credential-bbtoken/tokens       the store
 *   $XDG_DATA_HOME/git-credential-bbtoken/tokens.lock  writers' flock
 *   $XDG_CONFIG_HOME/git-credential-bbtoken/key        the default key file
 *
 * ($HOME/.local/share and $HOME/.config when the variables are unset or
 * not absolute.)  The format is in filefmt.h.
 */
#define FILE_STORE_DIRNAME "git-credential-bbtoken"

/* How long `unlock` caches the key unless told: 8 hours. */
#define FILE_UNLOCK_DEFAULT_SECONDS (8 * 3600)

/* The path of the store file, "" when there is no HOME. */
const char *file_store_path(struct store *s);

/* What file_store_info reports of an existing store. */
struct file_info {
	int mode;		/* FILEFMT_MODE_PASSPHRASE or _KEYFILE */
	struct buf keyfile;	/* key-file mode: its path */
	int cached;		/* passphrase mode: a key is in the kernel keyring */
};

/*
 * Read the store's header only (no key needed) into info.  Returns
 * STORE_OK, STORE_ERR_NOT_FOUND when there is no store yet (detail
 * says so), or the error that makes it unusable.
 */
int file_store_info(struct store *s, struct file_info *info);
void file_info_release(struct file_info *info);

/*
 * Create an empty store: with passphrase when it is non-NULL (and not
 * empty), else with the key file keyfile (NULL: the default path), made
 * when it does not exist and used when it does.  Refuses with
 * STORE_ERR_FAILED when a store exists.  Sets s->note on success.
 */
int file_store_create(struct store *s, const struct buf *passphrase,
		      const char *keyfile);

/*
 * Check passphrase against the store and cache the master key in the
 * kernel keyring for seconds.  STORE_ERR_BAD_KEY when it is wrong;
 * STORE_ERR_UNAVAILABLE when this system has no kernel keyring to use
 * (the detail says so), in which case nothing is cached.
 */
int file_store_unlock(struct store *s, const struct buf *passphrase,
		      unsigned seconds);

/*
 * Drop the cached key.  STORE_OK with *dropped set when there was one;
 * STORE_ERR_UNAVAILABLE as for unlock.
 */
int file_store_lock(struct store *s, int *dropped);

#endif
