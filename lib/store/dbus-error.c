/* SPDX-License-Identifier: MIT */
/*
 * The D-Bus error vocabulary of the Secret Service backends; see
 * dbus-error.h.  Linked into bbtoken-get-secretservice.so and
 * bbtoken-full.so alike, and compiled against gio alone.
 */
#include "dbus-error.h"
#include "../store.h"

#include <gio/gio.h>
#include <string.h>

int dbus_error_is_timeout(const GError *e)
{
	return g_error_matches(e, G_IO_ERROR, G_IO_ERROR_TIMED_OUT) ||
	       g_error_matches(e, G_DBUS_ERROR, G_DBUS_ERROR_TIMEOUT) ||
	       g_error_matches(e, G_DBUS_ERROR, G_DBUS_ERROR_TIMED_OUT);
}

int dbus_error_is_unavailable(const GError *e)
{
	/* The bus daemon hung up on us. */
	if (g_error_matches(e, G_IO_ERROR, G_IO_ERROR_CLOSED))
		return 1;
	if (e->domain != G_DBUS_ERROR)
		return 0;
	switch (e->code) {
	case G_DBUS_ERROR_SERVICE_UNKNOWN:
	case G_DBUS_ERROR_NAME_HAS_NO_OWNER:
	case G_DBUS_ERROR_NO_SERVER:
	case G_DBUS_ERROR_DISCONNECTED:
	/* Activation of a keyring that is installed but will not start. */
	case G_DBUS_ERROR_SPAWN_EXEC_FAILED:
	case G_DBUS_ERROR_SPAWN_FORK_FAILED:
	case G_DBUS_ERROR_SPAWN_CHILD_EXITED:
	case G_DBUS_ERROR_SPAWN_CHILD_SIGNALED:
	case G_DBUS_ERROR_SPAWN_FAILED:
	case G_DBUS_ERROR_SPAWN_SERVICE_INVALID:
	case G_DBUS_ERROR_SPAWN_SERVICE_NOT_FOUND:
	case G_DBUS_ERROR_SPAWN_PERMISSIONS_INVALID:
	case G_DBUS_ERROR_SPAWN_FILE_INVALID:
	case G_DBUS_ERROR_SPAWN_NO_MEMORY:
		return 1;
	}
	return 0;
}

int dbus_error_is_remote(const GError *e, const char *name)
{
	char *remote = g_dbus_error_get_remote_error(e);
	int ret = remote && !strcmp(remote, name);

	g_free(remote);
	return ret;
}

void dbus_bus_timeout_detail(struct store *s, int ms, const char *doing)
{
	store_set_detail(s, STORE_DETAIL_BUS_TIMEOUT " within %d ms while %s; "
			 "restart the session bus (log out and back in, or "
			 "`systemctl --user restart dbus`), or keep tokens in "
			 "the file store with `--store=file`", ms, doing);
}

void dbus_locked_detail(struct store *s, size_t nr)
{
	store_set_detail(s, "%zu keyring item%s locked; unlock the keyring, for "
			 "example by logging in to the desktop session, or for "
			 "gnome-keyring with `gnome-keyring-daemon --replace "
			 "--unlock` and its password on standard input",
			 nr, nr == 1 ? " is" : "s are");
}
