/* SPDX-License-Identifier: MIT */
#ifndef BBTOKEN_FOREIGN_H
#define BBTOKEN_FOREIGN_H

#include "../buf.h"

/*
 * Other programs' credentials in the Secret Service, for `doctor`: what
 * git's libsecret helper (schema org.git.Password, before git 2.45
 * org.gnome.keyring.NetworkPassword; attributes user, server, protocol,
 * port) and Git Credential Manager (schema
 * com.microsoft.GitCredentialManager, attributes service
 * "git:https://HOST[:PORT]" and account) keep for a host.  We never
 * write them; we read them to warn, and delete one the user agreed to.
 *
 * Searches use the attributes, not xdg:schema: gnome-keyring 42 finds
 * nothing for an xdg:schema search while the keyring is locked, and the
 * user must hear that the items are there.  Every call has a deadline,
 * as in secretservice.c.  Nothing here prints.
 */
enum foreign_kind {
	FOREIGN_LIBSECRET,	/* git-credential-libsecret */
	FOREIGN_GCM		/* git-credential-manager */
};

struct foreign_item {
	enum foreign_kind kind;
	struct buf path;	/* D-Bus object path, to delete it by */
	struct buf username;	/* user= or account=; may be empty */
	struct buf password;	/* the secret; unset when locked */
	int locked;
};

struct foreign_list {
	struct foreign_item *v;
	size_t nr, alloc;
};
#define FOREIGN_LIST_INIT { NULL, 0, 0 }
void foreign_list_release(struct foreign_list *l);

/*
 * Append the items both programs keep for https://HOST[:PORT] (host in
 * our canonical form).  Locked items are listed with locked set and no
 * password: no prompt is shown.  Returns 0, or a store_err with one
 * sentence in detail (a missing Secret Service is STORE_ERR_UNAVAILABLE).
 */
int foreign_find(const char *host, struct foreign_list *out, struct buf *detail);

/*
 * Delete the item at path, found again among those foreign_find gives
 * for host (never anything else).  0, or a store_err with detail.
 */
int foreign_delete(const char *host, const char *path, struct buf *detail);

/* "git's libsecret helper", "Git Credential Manager". */
const char *foreign_kind_name(enum foreign_kind kind);

#endif
