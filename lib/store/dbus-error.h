/* SPDX-License-Identifier: MIT */
#ifndef BBTOKEN_STORE_DBUS_ERROR_H
#define BBTOKEN_STORE_DBUS_ERROR_H

#include <glib.h>

/*
 * What a GError from GDBus means to a store, in the words both Secret
 * Service backends (secretservice-get.c, secretservice.c) map onto
 * store_err.  One copy, so that the lean `get` and the libsecret store never disagree on
 * whether a keyring is absent or merely slow: `auto` falls back to the
 * file store on either.  gio only, no libsecret.
 */

/* The call, or the connection under it, ran past its deadline. */
int dbus_error_is_timeout(const GError *e);

/*
 * Nobody serves the name, the bus is gone, or the service could not be
 * started: there is no Secret Service to ask.
 */
int dbus_error_is_unavailable(const GError *e);

/* The peer answered with the D-Bus error name (e.g. "...Error.IsLocked"). */
int dbus_error_is_remote(const GError *e, const char *name);

/*
 * Set s->detail for a session bus that accepted us but did not answer
 * within ms (a dbus-daemon that is stopped or wedged): it says so, and
 * what fixes it.  The detail begins with STORE_DETAIL_BUS_TIMEOUT.
 */
struct store;
void dbus_bus_timeout_detail(struct store *s, int ms, const char *doing);

/* Set s->detail for nr items found locked, with how to unlock them. */
void dbus_locked_detail(struct store *s, size_t nr);

#endif
