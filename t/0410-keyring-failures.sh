#!/bin/sh
# SPDX-License-Identifier: MIT
# When the keyring fails, git gets no password and the person one line
# with the fix, at once: no Secret Service, a bus without one, a keyring
# that does not answer, a locked keyring.  Items that are not ours, or
# are broken, never become an empty password.  Nothing is ever deleted.

. "$(dirname "$0")/test-lib.sh"

start_bbserver
# The failures here are the Secret Service's.  Under `auto`, a missing
# or mute one now falls back to the encrypted file store, which
# t/0450-file-store.sh tests; name the keyring so that it is the one
# that fails.
git config --global bbtoken.store secretservice

# The keyring's failures are what is tested here, so the Secret Service
# store is named: `auto` would fall back to the file store.
SS=--store=secretservice

# get_token [PATH]: what the helper answers git, under a deadline that
# turns a hang into exit 124.
get_token () {
	printf 'protocol=https\nhost=%s\npath=%s\n' "$BB_HOST" "${1-}" |
	timeout 20 git credential-bbtoken $SS --host="$BB_HOST" get
}

# check_get [--exit=N]: check_helper for git's get as git sends it here,
# under the same deadline: the request, stdout and stderr blocks on stdin.
check_get () {
	case ${1-} in
	--exit=*) check_helper "$1" --timeout=20 get $SS --host="$BB_HOST" ;;
	*) check_helper --timeout=20 get $SS --host="$BB_HOST" ;;
	esac
}

# no_bus COMMAND...: run as on a server reached over SSH: no session bus.
no_bus () {
	(unset DBUS_SESSION_BUS_ADDRESS; "$@")
}

# keyring_control OP [PASSWORD on stdin]: what PAM does to a running
# gnome-keyring-daemon through its control socket: 1 unlocks the login
# keyring with the password, 4 asks the daemon to quit.
keyring_control () {
	python3 -c '
import os, socket, struct, sys
op = int(sys.argv[1])
body = struct.pack(">I", op)
if op == 1:
    pw = sys.stdin.buffer.read()
    body += struct.pack(">I", len(pw)) + pw
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.settimeout(10)
s.connect(os.path.join(os.environ["XDG_RUNTIME_DIR"], "keyring", "control"))
s.sendall(b"\0" + struct.pack(">I", 4 + len(body)) + body)
reply = b""
while len(reply) < 8:
    chunk = s.recv(8 - len(reply))
    if not chunk:
        break
    reply += chunk
sys.exit(0 if len(reply) == 8 and struct.unpack(">II", reply)[1] == 0 else 1)
' "$1"
}

unlock_keyring () {
	if test "$BBTOKEN_TEST_STORE" != secretservice; then
		unlock_provider
		return
	fi
	printf '%s' "$KEYRING_PASSWORD" | keyring_control 1
}

# --- items that are not credentials ------------------------------------

test_expect_success 'get never answers an item whose secret is empty' '
	printf "" | put_raw_item empty &&
	check_get <<-EOF
	protocol=https
	host=$BB_HOST
	path=acme/widget.git
	EOF
'

test_expect_success 'get never answers an item whose secret is not ours' '
	printf "garbage" | put_raw_item garbage &&
	printf "password=hunter2\n" | put_raw_item foreign &&
	check_get <<-EOF
	protocol=https
	host=$BB_HOST
	path=acme/widget.git
	EOF
'

test_expect_success 'get never answers an item whose payload was cut short' '
	printf "bbtoken-secret 1\nkind=api\norigin=added\nprotocol=https\nhost=%s\nlabel=cut\npassword=" \
		"$BB_HOST" | put_raw_item cut &&
	check_get <<-EOF
	protocol=https
	host=$BB_HOST
	path=acme/widget.git
	EOF
'

test_expect_success 'list shows none of these items' '
	git credential-bbtoken list >out &&
	cat >expect <<-EOF &&
	No tokens stored. Add one with: git credential-bbtoken add
	Tokens are kept in the Secret Service.
	EOF
	test_cmp expect out
'

test_expect_success 'beside broken items, get answers the real token' '
	tok=$(bb_token api --owner jdoe --scopes read,write) &&
	printf %s "$tok" >main.secret &&
	add_token "$tok" --label=main >/dev/null 2>&1 &&
	check_get <<-EOF
	protocol=https
	host=$BB_HOST
	path=acme/widget.git
	--
	username=x-bitbucket-api-token-auth
	password=$tok
	EOF
'

test_expect_success 'get never answers an API token item whose password is empty' '
	printf "bbtoken-secret 1\nkind=api\norigin=added\ncreated=%s\nprotocol=https\nhost=%s\nlabel=emptyapi\nworkspace=ea\npassword=\n" \
		"$(date +%s)" "$BB_HOST" | put_raw_item emptyapi &&
	check_get <<-EOF
	protocol=https
	host=$BB_HOST
	path=ea/repo.git
	--
	username=x-bitbucket-api-token-auth
	password=$(cat main.secret)
	EOF
'
secret-tool clear xdg:schema org.bbtoken.Token label emptyapi

# --- no Secret Service ---------------------------------------------------

test_expect_success 'get without a session bus prints nothing, one line with the fix, and exits 2 at once' '
	start=$(date +%s) &&
	no_bus check_get --exit=2 <<-EOF &&
	protocol=https
	host=$BB_HOST
	path=acme/widget.git
	--
	--
	bbtoken: error: no Secret Service (keyring) can answer: no D-Bus session bus runs here (a server over SSH, a container, CI); keep tokens in the encrypted file store with \`git config --global bbtoken.store file\`, or run git under \`dbus-run-session\` with a keyring started in it
	EOF
	test $(($(date +%s) - start)) -lt 5
'

test_expect_success 'list without a session bus exits 2 with the fix' '
	no_bus test_expect_code 2 timeout 20 git credential-bbtoken $SS list >out 2>err &&
	test_must_be_empty out &&
	test $(wc -l <err) = 1 &&
	test_grep "no Secret Service (keyring) can answer: no D-Bus session bus" err
'

test_expect_success 'add without a session bus exits 2 and stores nothing' '
	tok=$(bb_token api --owner jdoe --scopes read) &&
	printf "%s\n" "$tok" |
	no_bus test_expect_code 2 git credential-bbtoken $SS add --stdin \
		--no-verify --host="$BB_HOST" --label=nobus >out 2>err &&
	test_must_be_empty out &&
	test_grep "no Secret Service (keyring) can answer: no D-Bus session bus" err &&
	git credential-bbtoken list >list &&
	test_grep -v "^nobus " list
'

test_expect_success 'remove and rotate without a session bus exit 2 and change nothing' '
	git credential-bbtoken list >before &&
	no_bus test_expect_code 2 timeout 20 git credential-bbtoken $SS remove main 2>err &&
	test_grep "no Secret Service" err &&
	new=$(bb_token api --owner jdoe --scopes read) &&
	printf "%s\n" "$new" |
	no_bus test_expect_code 2 timeout 20 git credential-bbtoken $SS rotate --stdin main 2>err &&
	test_grep "no Secret Service" err &&
	git credential-bbtoken list >after &&
	test_cmp before after
'

# A session bus that works, where no keyring is nor can be started.
start_bare_bus

test_expect_success 'get on a bus without a Secret Service prints nothing and exits 2 with the fix' '
	DBUS_SESSION_BUS_ADDRESS=unix:path=$TRASH/bare-bus \
	check_get --exit=2 <<-EOF &&
	protocol=https
	host=$BB_HOST
	path=acme/widget.git
	--
	--
	bbtoken: error: no Secret Service (keyring) answers on the session bus (searching the keyring: The name org.freedesktop.secrets was not provided by any .service files); start one (gnome-keyring-daemon, KWallet or KeePassXC) in your login session, or keep tokens in the encrypted file store with \`git config --global bbtoken.store file\`
	EOF
	DBUS_SESSION_BUS_ADDRESS=unix:path=$TRASH/bare-bus \
	test_expect_code 2 timeout 20 git credential-bbtoken $SS list >out 2>err &&
	test_grep "no Secret Service (keyring) answers on the session bus" err
'

# --- a keyring that does not answer ---------------------------------------

kill -STOP "$KEYRING_PID"

test_expect_success 'get from a keyring that does not answer gives up with the fix and exits 2' '
	start=$(date +%s) &&
	check_get --exit=2 <<-EOF &&
	protocol=https
	host=$BB_HOST
	path=acme/widget.git
	--
	--
	bbtoken: error: the keyring did not answer in time (the keyring did not answer within 5000 ms while searching the keyring); restart it (for example \`gnome-keyring-daemon --replace\`) and try again
	EOF
	test $(($(date +%s) - start)) -lt 15
'

test_expect_success 'list from a keyring that does not answer gives up and exits 2' '
	test_expect_code 2 timeout 20 git credential-bbtoken $SS list >out 2>err &&
	test_must_be_empty out &&
	test_grep "the keyring did not answer in time" err
'

kill -CONT "$KEYRING_PID"

test_expect_success 'once the keyring answers again the token is served' '
	check_get <<-EOF
	protocol=https
	host=$BB_HOST
	path=acme/widget.git
	--
	username=x-bitbucket-api-token-auth
	password=$(cat main.secret)
	EOF
'

# --- a locked keyring -----------------------------------------------------

test_expect_success 'get from a locked keyring prints nothing, says how to unlock, and exits 2' '
	lock_keyring &&
	check_get --exit=2 <<-EOF
	protocol=https
	host=$BB_HOST
	path=acme/widget.git
	--
	--
	bbtoken: error: the keyring is locked and no unlock prompt can be shown here (no graphical session); unlock it by logging in to the desktop session, or, for gnome-keyring on a machine without one, feed its password to \`gnome-keyring-daemon --replace --unlock\`
	EOF
'

test_expect_success 'list from a locked keyring exits 2 and shows no secret' '
	test_expect_code 2 timeout 20 git credential-bbtoken list >out 2>err &&
	test_must_be_empty out &&
	test_grep "the keyring is locked" err &&
	test_grep -v "$(cat main.secret)" err
'

test_expect_success 'add to a locked keyring exits 2 and stores nothing' '
	tok=$(bb_token api --owner jdoe --scopes read) &&
	test_expect_code 2 add_token "$tok" --label=locked >out 2>err &&
	test_must_be_empty out &&
	test_grep "the keyring is locked" err &&
	unlock_keyring &&
	git credential-bbtoken list >list &&
	test_grep -v "^locked " list
'

test_expect_success 'after the keyring is unlocked again the token is still there' '
	lock_keyring &&
	test_expect_code 2 get_token acme/widget.git >out 2>/dev/null &&
	unlock_keyring &&
	check_get <<-EOF &&
	protocol=https
	host=$BB_HOST
	path=acme/widget.git
	--
	username=x-bitbucket-api-token-auth
	password=$(cat main.secret)
	EOF
	git credential-bbtoken list >list &&
	test_grep "^main .* $(printf %s "$(cat main.secret)" | sha256sum | cut -c1-8)$" list
'

# Last: the command the message gives starts a daemon of its own, which
# then holds the control socket; it is asked to quit at the end.  The
# advice is gnome-keyring-daemon: KWallet and KeePassXC cannot show it.
test "$BBTOKEN_TEST_STORE" != secretservice ||
test_expect_success 'the unlock command the locked-keyring message gives does unlock it' '
	lock_keyring &&
	test_expect_code 2 get_token acme/widget.git 2>err &&
	sed -n -e "s/.*\`\(gnome-keyring-daemon[ a-z-]*\)\`.*/\1/p" err >advice &&
	test_grep "^gnome-keyring-daemon .*--unlock" advice &&
	printf "%s" "$KEYRING_PASSWORD" |
	timeout 20 $(cat advice) >advice.out 2>advice.err &&
	get_token acme/widget.git >out 2>err;
	ret=$?;
	# Lock it again whatever happened, for the tests after this one.
	keyring_control 4 2>/dev/null;
	if test $ret != 0; then
		echo "still locked after the advice:"; cat err; exit 1
	fi &&
	test_grep "^password=$(cat main.secret)$" out
'

test_done
