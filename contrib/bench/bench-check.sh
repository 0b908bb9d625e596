#!/bin/sh
# SPDX-License-Identifier: MIT
# make bench: what `check` of ten tokens costs against `check` of one,
# when every answer of Bitbucket takes 200 ms (BENCH_DELAY_MS), as it
# does from far away.  Probes made one after the other cost ten times
# one; probes made at once cost about one.  The target (issue 14) is at
# most 1.5 times.
#
# The stand-in is t/bbserver over TLS, with a certificate made here and
# its delay_ms.  Two sandbox homes keep their tokens in the same kind of
# store, the encrypted file store with a key file: one holds one token,
# the other ten, each with read and write, added and verified as a
# person would (with no delay) on acme/widget.  After one warm-up round
# the two checks run in turn, BENCH_CHECK_RUNS times each (5), and the
# medians are compared.  Prints the figures and one PASS or FAIL line against the
# target; fails only when it cannot measure.
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
runs=${BENCH_CHECK_RUNS:-5}
delay=${BENCH_DELAY_MS:-200}
target=1.5
tmp=$(mktemp -d "${TMPDIR:-/tmp}/bbtoken-bench-check.XXXXXX")
server=
cleanup () {
	test -z "$server" || kill "$server" 2>/dev/null || :
	rm -rf "$tmp"
}
trap cleanup EXIT

cc -O2 -o "$tmp/bench" "$top/contrib/bench/bench.c"

# Nothing of the machine's own setup: no system git config, no display,
# no D-Bus session (so the file store is the only store), no trace.
unset DISPLAY WAYLAND_DISPLAY GIT_CONFIG_GLOBAL GIT_SSL_CAINFO BBTOKEN_TRACE \
	DBUS_SESSION_BUS_ADDRESS GIT_ASKPASS SSH_ASKPASS
export GIT_CONFIG_NOSYSTEM=1 GIT_TERMINAL_PROMPT=0 XDG_RUNTIME_DIR="$tmp/run"
mkdir -p "$XDG_RUNTIME_DIR" && chmod 700 "$XDG_RUNTIME_DIR"
PATH=$top:$PATH

# The stand-in: one user, one repository, no tokens yet, no delay.
openssl req -x509 -newkey rsa:2048 -nodes -days 2 \
	-keyout "$tmp/key.pem" -out "$tmp/cert.pem" \
	-subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1 >/dev/null 2>&1 ||
	{ echo "bench: openssl cannot make a certificate"; exit 1; }
state=$tmp/state.json
echo '{"users": [], "tokens": [], "faults": null}' >"$state"
python3 "$top/t/bbstate" "$state" user jdoe jdoe@example.com
mkdir -p "$tmp/srv/acme"
git -c init.defaultBranch=main init -q "$tmp/seed"
echo bench >"$tmp/seed/README"
git -C "$tmp/seed" add README
git -C "$tmp/seed" -c user.name=bench -c user.email=bench@example.com \
	commit -q -m initial
git clone -q --bare "$tmp/seed" "$tmp/srv/acme/widget.git"
python3 "$top/t/bbserver" --cert "$tmp/cert.pem" --key "$tmp/key.pem" \
	--root "$tmp/srv" --state "$state" --port-file "$tmp/port" \
	2>"$tmp/bbserver.err" &
server=$!
i=0
until [ -s "$tmp/port" ]; do
	i=$((i + 1))
	[ $i -lt 100 ] || { echo "bench: t/bbserver did not start"; cat "$tmp/bbserver.err"; exit 1; }
	sleep 0.1
done
host=127.0.0.1:$(cat "$tmp/port")

# in_home NAME CMD...: CMD in the sandbox home NAME.
in_home () {
	h=$tmp/$1
	shift
	HOME=$h XDG_CONFIG_HOME=$h/.config XDG_DATA_HOME=$h/.local/share "$@"
}

# make_home NAME N: a sandbox home whose file store holds N tokens.
make_home () {
	mkdir -p "$tmp/$1"
	in_home "$1" git config --global http.sslCAInfo "$tmp/cert.pem"
	in_home "$1" git config --global bbtoken.apiUrl "https://$host/2.0"
	in_home "$1" git config --global credential.helper "bbtoken --host=$host"
	in_home "$1" git credential-bbtoken init --key-file >/dev/null
	# What the bench runs: check, in that home.
	cat >"$tmp/$1/check" <<-EOF
	#!/bin/sh
	HOME="$tmp/$1" XDG_CONFIG_HOME="$tmp/$1/.config" \\
		XDG_DATA_HOME="$tmp/$1/.local/share" \\
		exec "$top/git-credential-bbtoken" check
	EOF
	chmod +x "$tmp/$1/check"
	n=0
	while [ $n -lt "$2" ]; do
		n=$((n + 1))
		python3 "$top/t/bbstate" "$state" token api --owner jdoe \
			--scopes read,write --expires +200 |
		in_home "$1" git credential-bbtoken add --stdin --host="$host" \
			--label="bench$n" --workspace=acme --probe=acme/widget \
			--expires="$(date -u -d '200 days' +%F)" >/dev/null 2>"$tmp/add.err" ||
			{ echo "bench: add failed:"; cat "$tmp/add.err"; exit 1; }
	done
}
make_home one 1
make_home ten 10

# From here on every answer waits.
python3 -c '
import json, os, sys
path, delay = sys.argv[1], int(sys.argv[2])
with open(path) as f:
    state = json.load(f)
state["delay_ms"] = delay
with open(path + ".tmp", "w") as f:
    json.dump(state, f)
os.rename(path + ".tmp", path)
' "$state" "$delay"

for h in one:1 ten:10; do
	if ! "$tmp/${h%:*}/check" >"$tmp/check.out" 2>&1 ||
	   [ "$(grep -c ' ok$' "$tmp/check.out")" != "${h#*:}" ]; then
		echo "bench: check of ${h#*:} token(s) does not say ok for each:"
		cat "$tmp/check.out"
		exit 1
	fi
done

echo "check against a stand-in that answers after $delay ms (median of $runs alternating runs):"
"$tmp/bench" -w 1 "$runs" \
	"check, 1 token stored" /dev/null "$tmp/one/check" -- \
	"check, 10 tokens stored" /dev/null "$tmp/ten/check" >"$tmp/bench.out"
cat "$tmp/bench.out"
ratio=$(sed -n 's/.* \([0-9.]*\)x check, 1 token stored$/\1/p' "$tmp/bench.out")
[ -n "$ratio" ] || { echo "bench: no ratio in the figures"; exit 1; }
if awk -v r="$ratio" -v t="$target" 'BEGIN { exit !(r <= t) }'; then
	verdict=PASS
else
	verdict=FAIL
fi
echo "$verdict: check of 10 tokens takes ${ratio}x check of 1, target at most ${target}x"
