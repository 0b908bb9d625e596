/* SPDX-License-Identifier: MIT */
#include "report.h"
#include "msg.h"

#include <stdlib.h>
#include <string.h>

/*
 * The file store's details are whole sentences that name its file and
 * the fix (lib/store/file.c); the keyring's words below would mislead.
 */
static int from_file_store(const struct store *s)
{
	static const char prefix[] = "the encrypted file store";

	return s && s->detail.len &&
	       !strncmp(buf_str(&s->where), prefix, sizeof(prefix) - 1);
}

void report_store_error(struct store *s, int err)
{
	const char *detail = s ? buf_str(&s->detail) : "";
	const char *sep = *detail ? " (" : "", *end = *detail ? ")" : "";

	if (from_file_store(s)) {
		msg_error("%s", detail);
		return;
	}
	switch (err) {
	case STORE_ERR_MODULE:
		break;	/* module_load said what and how to fix it */
	case STORE_ERR_UNAVAILABLE:
		/*
		 * Headless, starting gnome-keyring-daemon alone does nothing:
		 * there is no bus for it to serve on.  Name what works.
		 */
		if (!store_bus_address_present())
			msg_error("no Secret Service (keyring) can answer: no D-Bus "
				  "session bus runs here (a server over SSH, a "
				  "container, CI); keep tokens in the encrypted file "
				  "store with `git config --global bbtoken.store file`, "
				  "or run git under `dbus-run-session` with a keyring "
				  "started in it");
		else
			msg_error("no Secret Service (keyring) answers on the session "
				  "bus%s%s%s; start one (gnome-keyring-daemon, KWallet "
				  "or KeePassXC) in your login session, or keep tokens in "
				  "the encrypted file store with `git config --global "
				  "bbtoken.store file`", sep, detail, end);
		break;
	case STORE_ERR_LOCKED:
		msg_error("the keyring is locked and no unlock prompt can be shown "
			  "here (no graphical session); unlock it by logging in to the "
			  "desktop session, or, for gnome-keyring on a machine without "
			  "one, feed its password to `gnome-keyring-daemon --replace --unlock`");
		break;
	case STORE_ERR_TIMEOUT:
		/* The bus, not the keyring: the detail says what fixes it. */
		if (!strncmp(detail, STORE_DETAIL_BUS_TIMEOUT,
			     strlen(STORE_DETAIL_BUS_TIMEOUT))) {
			msg_error("%s", detail);
			break;
		}
		msg_error("the keyring did not answer in time%s%s%s; restart it "
			  "(for example `gnome-keyring-daemon --replace`) and try again",
			  sep, detail, end);
		break;
	case STORE_ERR_DISMISSED:
		msg_error("the keyring stayed locked because its unlock prompt was "
			  "dismissed; run the command again and unlock it");
		break;
	case STORE_ERR_NOT_FOUND:
		msg_error("the keyring item vanished while in use%s%s%s; run "
			  "`git credential-bbtoken list` to see what is stored",
			  sep, detail, end);
		break;
	case STORE_ERR_READONLY:
		/* The chain's detail names the source and where to change it. */
		msg_error("%s", *detail ? detail : "the token comes from a "
			  "read-only source; change it where it is set");
		break;
	case STORE_ERR_SOURCE:
		/* The detail names the source, what is wrong and the fix. */
		if (*detail)
			msg_error("no token for git: %s", detail);
		else
			msg_error("no token for git: a token source (BBTOKEN_TOKEN, "
				  "BBTOKEN_TOKEN_FILE, $CREDENTIALS_DIRECTORY/bbtoken "
				  "or bbtoken.tokenCommand) is set but gives no token");
		break;
	default:
		msg_error("the keyring refused the request%s%s%s; try again, and "
			  "restart the keyring daemon if it persists", sep, detail, end);
	}
}
