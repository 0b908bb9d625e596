#!/bin/sh
# SPDX-License-Identifier: MIT
# make bench: what git pays for one `get`, against git's own libsecret
# helper, in one private D-Bus session and keyring, in the same run.
# The peer is built from the copy of git's contrib/ that Debian's git
# package ships; nothing of it is kept.  Prints figures; fails only when
# it cannot measure.
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
runs=${BENCH_RUNS:-300}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/bbtoken-bench.XXXXXX")
pids=
cleanup () {
	for p in $pids; do kill "$p" 2>/dev/null || :; done
	rm -rf "$tmp"
}
trap cleanup EXIT

peer_src=/usr/share/doc/git/contrib/credential/libsecret/git-credential-libsecret.c
test -f "$peer_src" || { echo "bench: $peer_src is missing (Debian's git package ships it)"; exit 1; }
# shellcheck disable=SC2046
cc -O2 -o "$tmp/git-credential-libsecret" "$peer_src" \
	$(pkg-config --cflags --libs libsecret-1 glib-2.0)
cc -O2 -o "$tmp/bench" "$top/contrib/bench/bench.c"

export HOME="$tmp/home" XDG_DATA_HOME="$tmp/home/.local/share"
mkdir -p "$HOME"
unset DISPLAY WAYLAND_DISPLAY GIT_CONFIG_GLOBAL BBTOKEN_TRACE
export GIT_CONFIG_NOSYSTEM=1
dbus-daemon --session --fork --nopidfile --print-address=3 --print-pid=4 \
	3>"$tmp/bus.address" 4>"$tmp/bus.pid" 2>/dev/null
DBUS_SESSION_BUS_ADDRESS=$(head -n 1 "$tmp/bus.address")
export DBUS_SESSION_BUS_ADDRESS
pids="$(cat "$tmp/bus.pid")"
printf bench | gnome-keyring-daemon --foreground --unlock --components=secrets \
	>/dev/null 2>&1 &
pids="$pids $!"
i=0
until dbus-send --session --print-reply --dest=org.freedesktop.DBus \
	/org/freedesktop/DBus org.freedesktop.DBus.NameHasOwner \
	string:org.freedesktop.secrets 2>/dev/null | grep -q true; do
	i=$((i + 1)); [ $i -lt 100 ] || { echo "bench: no keyring"; exit 1; }
	sleep 0.1
done

# One API token, stored by each helper its own way.
body=ATATT3xFfGF0benchmarkbenchmarkbenchmark=
tok=$body$(python3 -c 'import sys,zlib; print("%08X" % (zlib.crc32(sys.argv[1].encode()) & 0xffffffff))' "$body")
printf '%s\n' "$tok" | "$top/git-credential-bbtoken" add --stdin --no-verify \
	--label=bench >/dev/null 2>&1
printf 'protocol=https\nhost=bitbucket.org\nusername=x-bitbucket-api-token-auth\npassword=%s\n' "$tok" |
	"$tmp/git-credential-libsecret" store >/dev/null 2>&1
printf 'protocol=https\nhost=bitbucket.org\n' >"$tmp/bitbucket"
printf 'protocol=https\nhost=github.com\n' >"$tmp/other"
for h in "$top/git-credential-bbtoken" "$tmp/git-credential-libsecret"; do
	"$h" get <"$tmp/bitbucket" | grep -q "^password=$tok$" ||
		{ echo "bench: $h does not answer with the token"; exit 1; }
done

echo "get of one Bitbucket token (median of $runs alternating runs):"
"$tmp/bench" "$runs" \
	"git-credential-libsecret get" "$tmp/bitbucket" "$tmp/git-credential-libsecret" get -- \
	"git-credential-bbtoken get" "$tmp/bitbucket" "$top/git-credential-bbtoken" get
echo "get for another host (github.com), against doing nothing:"
"$tmp/bench" "$runs" \
	"/bin/true" "$tmp/other" /bin/true -- \
	"git-credential-bbtoken get" "$tmp/other" "$top/git-credential-bbtoken" get
echo "store of the token get just served, against the peer's store:"
{ cat "$tmp/bitbucket"; printf 'username=x-bitbucket-api-token-auth\npassword=%s\n' "$tok"; } >"$tmp/store"
"$tmp/bench" "$((runs / 3))" \
	"git-credential-libsecret store" "$tmp/store" "$tmp/git-credential-libsecret" store -- \
	"git-credential-bbtoken store" "$tmp/store" "$top/git-credential-bbtoken" store

# The file store, where no keyring runs: no D-Bus contact, no gio, against
# git's own plain-text store, the floor for reading a file.
fhome=$tmp/filehome
mkdir -p "$fhome"
printf 'https://x-bitbucket-api-token-auth:%s@bitbucket.org\n' "$tok" >"$tmp/plain"
chmod 600 "$tmp/plain"
(
	unset DBUS_SESSION_BUS_ADDRESS
	export HOME="$fhome" XDG_DATA_HOME="$fhome/.local/share" \
		XDG_CONFIG_HOME="$fhome/.config"
	"$top/git-credential-bbtoken" init --key-file >/dev/null
	printf '%s\n' "$tok" | "$top/git-credential-bbtoken" add --stdin \
		--no-verify --label=bench >/dev/null 2>&1
	"$top/git-credential-bbtoken" get <"$tmp/bitbucket" | grep -q "^password=$tok$" ||
		{ echo "bench: the file store does not answer with the token"; exit 1; }
	echo "get from the file store with a key file, against git credential-store:"
	"$tmp/bench" "$runs" \
		"git credential-store get" "$tmp/bitbucket" "$(command -v git)" \
			credential-store --file="$tmp/plain" get -- \
		"git-credential-bbtoken get (file)" "$tmp/bitbucket" \
			"$top/git-credential-bbtoken" get
)
(
	unset DBUS_SESSION_BUS_ADDRESS
	phome=$tmp/passhome
	mkdir -p "$phome"
	export HOME="$phome" XDG_DATA_HOME="$phome/.local/share" \
		XDG_CONFIG_HOME="$phome/.config"
	printf 'bench passphrase\n' | "$top/git-credential-bbtoken" init --passphrase --stdin >/dev/null
	printf 'bench passphrase\n' | "$top/git-credential-bbtoken" unlock --stdin --for=10m >/dev/null
	printf '%s\n' "$tok" | "$top/git-credential-bbtoken" add --stdin \
		--no-verify --label=bench >/dev/null 2>&1
	echo "get from the file store with the key cached by unlock, against git credential-store:"
	"$tmp/bench" "$runs" \
		"git credential-store get" "$tmp/bitbucket" "$(command -v git)" \
			credential-store --file="$tmp/plain" get -- \
		"git-credential-bbtoken get (unlocked)" "$tmp/bitbucket" \
			"$top/git-credential-bbtoken" get
	"$top/git-credential-bbtoken" lock >/dev/null
)
