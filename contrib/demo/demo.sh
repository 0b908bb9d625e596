#!/bin/sh
# SPDX-License-Identifier: MIT
# make demo: the way from a dead app password to a working API token, in
# a throw-away sandbox: its own HOME, its own D-Bus session and
# gnome-keyring, and t/bbserver standing in for Bitbucket over real TLS
# with a certificate made here.  No account is needed and nothing of the
# user's is read or touched; everything goes when it ends.
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
tmp=$(mktemp -d "${TMPDIR:-/tmp}/bbtoken-demo.XXXXXX")
pids=
cleanup () {
	for p in $pids; do kill "$p" 2>/dev/null || :; done
	wait 2>/dev/null || :
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

say () { printf 'demo: %s\n' "$*"; }
# show CMD...: run it, its output indented; its exit code is kept in rc.
show () {
	rc=0
	"$@" >"$tmp/show.out" 2>&1 || rc=$?
	sed -e 's/^/    /' "$tmp/show.out"
}
fail () { say "FAILED: $*"; exit 1; }
state () { python3 "$top/t/bbstate" "$tmp/state.json" "$@"; }
day () { date -u -d "$1 days" +%F; }

for dep in git dbus-daemon gnome-keyring-daemon openssl python3; do
	command -v "$dep" >/dev/null || fail "$dep is missing (see contrib/deps-debian-test.txt)"
done
test -x "$top/git-credential-bbtoken" || fail "build first: make"

export HOME="$tmp/home" XDG_CONFIG_HOME="$tmp/home/.config"
export XDG_DATA_HOME="$tmp/home/.local/share" XDG_RUNTIME_DIR="$tmp/run"
export GIT_CONFIG_NOSYSTEM=1 GIT_TERMINAL_PROMPT=0 PATH="$top:$PATH"
unset DISPLAY WAYLAND_DISPLAY GIT_ASKPASS SSH_ASKPASS GIT_CONFIG_GLOBAL \
	GIT_DIR GIT_CONFIG_PARAMETERS GIT_CONFIG_COUNT GIT_SSL_CAINFO BBTOKEN_TRACE
mkdir -p "$HOME" "$XDG_RUNTIME_DIR" && chmod 700 "$XDG_RUNTIME_DIR"
cd "$tmp"

say "a sandbox in $tmp: its own HOME, D-Bus session and keyring"
dbus-daemon --session --fork --nopidfile --print-address=3 --print-pid=4 \
	3>"$tmp/bus.address" 4>"$tmp/bus.pid" 2>/dev/null
DBUS_SESSION_BUS_ADDRESS=$(head -n 1 "$tmp/bus.address")
export DBUS_SESSION_BUS_ADDRESS
pids="$(cat "$tmp/bus.pid")"
printf demo-keyring | gnome-keyring-daemon --foreground --unlock \
	--components=secrets >/dev/null 2>&1 &
pids="$pids $!"
i=0
until dbus-send --session --print-reply --dest=org.freedesktop.DBus \
	/org/freedesktop/DBus org.freedesktop.DBus.NameHasOwner \
	string:org.freedesktop.secrets 2>/dev/null | grep -q true; do
	i=$((i + 1)); [ $i -lt 100 ] || fail "gnome-keyring-daemon did not start"
	sleep 0.1
done

say "a Bitbucket stand-in (t/bbserver) over TLS, with a certificate made by openssl"
mkdir -p "$tmp/srv"
openssl req -x509 -newkey rsa:2048 -nodes -days 1 -keyout "$tmp/key.pem" \
	-out "$tmp/cert.pem" -subj /CN=127.0.0.1 \
	-addext subjectAltName=IP:127.0.0.1 >/dev/null 2>&1
echo '{"users": [], "tokens": [], "faults": null}' >"$tmp/state.json"
python3 "$top/t/bbserver" --cert "$tmp/cert.pem" --key "$tmp/key.pem" \
	--root "$tmp/srv" --state "$tmp/state.json" --port-file "$tmp/port" \
	--log "$tmp/bbserver.log" 2>"$tmp/bbserver.err" &
pids="$pids $!"
i=0
until [ -s "$tmp/port" ]; do
	i=$((i + 1)); [ $i -lt 100 ] || fail "t/bbserver did not start"
	sleep 0.1
done
H=127.0.0.1:$(cat "$tmp/port")
state user jdoe jdoe@example.com
git init -q -b main seed && echo widget >seed/README && git -C seed add README &&
	git -C seed -c user.name=demo -c user.email=demo@example.com \
		commit -q -m initial
mkdir -p srv/acme && git clone -q --bare seed srv/acme/widget.git && rm -rf seed

git config --global user.name "Jo Doe"
git config --global user.email jdoe@example.com
git config --global init.defaultBranch main
git config --global http.sslCAInfo "$tmp/cert.pem"

say "the user as many are: git's store helper first, holding an app password"
git config --global credential.helper store
git config --global --add credential.helper "bbtoken --host=$H"
app=$(state token app_password --owner jdoe)
printf 'protocol=https\nhost=%s\nusername=jdoe\npassword=%s\n' "$H" "$app" |
	git credential-store store

say "git clone fails: Bitbucket refuses app passwords since 28 July 2026"
show git clone -q "https://$H/acme/widget.git" widget
[ "$rc" != 0 ] || fail "the clone with an app password worked"
rm -rf widget

say "doctor names what is wrong, one line each, with the fix"
show git credential-bbtoken doctor
[ "$rc" = 1 ] || fail "doctor found nothing"

say "doctor --fix --yes applies the safe fixes"
show git credential-bbtoken doctor --fix --yes

say "migrate: a new API token (minted on the stand-in), verified before it is kept"
tok=$(state token api --owner jdoe --scopes read,write --expires +10)
printf '%s\n' "$tok" >"$tmp/token"
rc=0
git credential-bbtoken migrate --stdin --host="$H" --label=main --probe=acme/widget \
	--expires="$(day +10)" <"$tmp/token" >"$tmp/show.out" 2>&1 || rc=$?
sed -e 's/^/    /' "$tmp/show.out"
[ "$rc" = 0 ] || fail "migrate failed"

say "clone and push through the helper"
show git clone -q "https://$H/acme/widget.git" widget
[ "$rc" = 0 ] || fail "clone failed"
(cd widget && echo hello >>README && git commit -q -am hello) &&
	show git -C widget push -q origin main
[ "$rc" = 0 ] || fail "push failed"

say "list shows the token by label and fingerprint, never the token"
show git credential-bbtoken list

say "check asks the stand-in; the token expires in 10 days, so it warns"
show git credential-bbtoken check
[ "$rc" = 1 ] || fail "check did not warn about the expiry"

say "rotate: a new token replaces it in place"
tok=$(state token api --owner jdoe --scopes read,write --expires +200)
printf '%s\n' "$tok" >"$tmp/token"
rc=0
git credential-bbtoken rotate --stdin --expires="$(day +200)" main \
	<"$tmp/token" >"$tmp/show.out" 2>&1 || rc=$?
sed -e 's/^/    /' "$tmp/show.out"
[ "$rc" = 0 ] || fail "rotate failed"
show git credential-bbtoken check
[ "$rc" = 0 ] || fail "check after rotate"
show git -C widget fetch -q origin
[ "$rc" = 0 ] || fail "fetch after rotate"

say "doctor has nothing left to say"
show git credential-bbtoken doctor
[ "$rc" = 0 ] || fail "doctor still finds something"
say "done: the sandbox is removed"
