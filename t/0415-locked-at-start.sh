#!/bin/sh
# SPDX-License-Identifier: MIT
# A keyring locked since its daemon started, as after a reboot, or on a
# server reached over SSH where nobody logged in to the desktop: its
# items are there, and gnome-keyring 42 hides them from any search that
# names our schema.  get must say it is locked and how to unlock it,
# never answer nothing; list must never say "No tokens stored".

. "$(dirname "$0")/test-lib.sh"

start_bbserver
bb_user jdoe jdoe@example.com

# restart_keyring_locked: stop the daemon and start it again without
# its password, as at boot; the login keyring on disk stays locked.
restart_keyring_locked () {
	if test "$BBTOKEN_TEST_STORE" != secretservice; then
		restart_provider_locked
		return
	fi
	kill "$KEYRING_PID" && wait "$KEYRING_PID" 2>/dev/null
	i=0
	while bus_has_name org.freedesktop.secrets; do
		i=$((i + 1)); [ $i -lt 100 ] || return 1; sleep 0.1
	done
	gnome-keyring-daemon --foreground --components=secrets \
		>"$TRASH/keyring2.log" 2>&1 </dev/null &
	KEYRING_PID=$!
	cleanup_pids="$cleanup_pids $KEYRING_PID"
	i=0
	while ! bus_has_name org.freedesktop.secrets; do
		i=$((i + 1)); [ $i -lt 100 ] || return 1; sleep 0.1
	done
}

test_expect_success 'setup: a token in the login keyring, then a reboot' '
	tok=$(bb_token api --owner jdoe --scopes read,write) &&
	add_token "$tok" --label=main >out &&
	get_token acme/widget.git >answer &&
	test_grep "^password=" answer &&
	# gnome-keyring writes login.keyring when an item changes; KWallet
	# and KeePassXC write theirs when stopped.
	i=0 && while test "$BBTOKEN_TEST_STORE" = secretservice && ! test -s "$XDG_DATA_HOME/keyrings/login.keyring"; do
		i=$((i + 1)); test $i -lt 50 || break; sleep 0.1
	done &&
	restart_keyring_locked
'

test_expect_success 'get from a keyring locked since start says locked, exits 2' '
	check_helper --exit=2 --timeout=20 get --host="$BB_HOST" <<-EOF
	protocol=https
	host=$BB_HOST
	path=acme/widget.git
	--
	--
	bbtoken: error: the keyring is locked and no unlock prompt can be shown here (no graphical session); unlock it by logging in to the desktop session, or, for gnome-keyring on a machine without one, feed its password to \`gnome-keyring-daemon --replace --unlock\`
	EOF
'

test_expect_success 'list of a keyring locked since start never says none stored' '
	test_expect_code 2 git credential-bbtoken list >out 2>err &&
	test_grep -v "No tokens stored" out &&
	test_grep "locked" err
'

test_expect_success 'add to a keyring locked since start stores nothing, says locked' '
	tok=$(bb_token api --owner jdoe --scopes read) &&
	test_expect_code 2 add_token "$tok" --label=again >out 2>err &&
	test_grep "locked" err
'

test_done
