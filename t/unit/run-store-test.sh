#!/bin/sh
# SPDX-License-Identifier: MIT
#
# Run t/unit/test-store (built by the Makefile) against real keyrings and
# print TAP.  Each situation gets a private D-Bus session of its own, so
# nothing here touches the user's keyring:
#
#   keyring      gnome-keyring with its login collection unlocked
#   locked       the same, then locked; no display, so no prompt
#   unavailable  no bus at the address, no session bus at all, and a bus
#                where no Secret Service runs or can be started
#   hang         a Secret Service that owns the name and never answers
#
# An unlocked keyring comes from `gnome-keyring-daemon --unlock` reading
# a password on stdin: with an empty one it would want a prompt.
#
# TEST_STORE names another binary to run.
#
# The single-quoted scripts below are run by another sh, with "$0" and
# "$1" as their arguments: they are not meant to expand here.
# shellcheck disable=SC2016

set -u

here=$(cd "$(dirname "$0")" && pwd)
bin=${TEST_STORE:-$here/test-store}

if ! test -x "$bin"; then
	echo "Bail out! $bin is not built (make t/unit/test-store)"
	exit 1
fi
for tool in dbus-run-session dbus-daemon gnome-keyring-daemon timeout; do
	if ! command -v "$tool" >/dev/null 2>&1; then
		# A missing tool is a broken setup, never a skipped test.
		echo "Bail out! $tool is not installed (see contrib/deps-debian-test.txt)"
		exit 1
	fi
done

tmp=$(mktemp -d "${TMPDIR:-/tmp}/bbtoken-store.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT
results=$tmp/results
: >"$results"

# A sandbox: no real home, no display (so no prompt can be shown).
unset DISPLAY WAYLAND_DISPLAY DBUS_SESSION_BUS_ADDRESS GNOME_KEYRING_CONTROL
unset XDG_CONFIG_HOME XDG_DATA_HOME XDG_CACHE_HOME
situation=0

# Each situation gets a home and keyring files of its own.
sandbox() {
	situation=$((situation + 1))
	export HOME="$tmp/home$situation"
	export XDG_RUNTIME_DIR="$tmp/run$situation"
	mkdir -p "$HOME" "$XDG_RUNTIME_DIR" && chmod 700 "$XDG_RUNTIME_DIR"
}

# A session bus that knows of no services to start, so that the only
# Secret Service on it is the one a test puts there.
cat >"$tmp/bare-bus.conf" <<EOF
<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:dir=$tmp</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
EOF

# run NAME COMMAND...: run one situation, keeping its result lines.  The
# stores never print, so whatever the test binary writes on stderr
# (its own or libsecret's) is shown and counts as a failure.
run() {
	name=$1
	shift
	sandbox
	: >"$tmp/stderr"
	timeout 120 "$@" >"$tmp/out" 2>"$tmp/session-stderr"
	status=$?
	cat "$tmp/out" >>"$results"
	case $status in
	0|1)
		;;
	124)
		echo "not ok - the $name situation ends (it hung)" >>"$results"
		;;
	*)
		echo "not ok - the $name situation ends (exit $status)" >>"$results"
		sed 's/^/# /' "$tmp/session-stderr" >>"$results"
		;;
	esac
	if test -s "$tmp/stderr"; then
		echo "not ok - the $name situation prints nothing on stderr" >>"$results"
		sed 's/^/# stderr: /' "$tmp/stderr" >>"$results"
	else
		echo "ok - the $name situation prints nothing on stderr" >>"$results"
	fi
}

# In a fresh private session: an unlocked gnome-keyring, then the mode.
with_keyring='
	printf test | gnome-keyring-daemon --unlock --components=secrets \
		>/dev/null || exit 3
	exec "$0" "$1" 2>"$2"
'

# The plan, up front: how many results each situation gives (its own
# checks, plus one for its stderr).  A situation that dies half-way, or a
# check that goes missing, then shows as a failed plan, never as a pass.
# Change these when test-store.c gains or loses a check.
PLAN_KEYRING=39 PLAN_LOCKED=8 PLAN_UNAVAILABLE=4 PLAN_HANG=5
echo "1..$((PLAN_KEYRING + PLAN_LOCKED + 3 * PLAN_UNAVAILABLE + PLAN_HANG))"

run keyring dbus-run-session -- sh -c "$with_keyring" \
	"$bin" keyring "$tmp/stderr"
run locked dbus-run-session -- sh -c "$with_keyring" \
	"$bin" locked "$tmp/stderr"

run "no bus at the address" env \
	DBUS_SESSION_BUS_ADDRESS="unix:path=$tmp/nobody-listens" \
	sh -c 'exec "$0" unavailable "no bus at the address" 2>"$1"' \
	"$bin" "$tmp/stderr"
run "no session bus" sh -c 'exec "$0" unavailable "no session bus at all" 2>"$1"' \
	"$bin" "$tmp/stderr"
run "no Secret Service" dbus-run-session --config-file="$tmp/bare-bus.conf" -- \
	sh -c 'exec "$0" unavailable "a bus where no Secret Service runs" 2>"$1"' \
	"$bin" "$tmp/stderr"

run hang dbus-run-session --config-file="$tmp/bare-bus.conf" -- sh -c '
	"$0" fake-service "$1.ready" &
	fake=$!
	i=0
	while ! test -e "$1.ready"; do
		i=$((i + 1))
		if test $i -gt 100; then
			echo "not ok - a silent Secret Service starts"
			kill $fake
			exit 1
		fi
		sleep 0.1
	done
	"$0" hang 2>"$1"
	status=$?
	kill $fake
	exit $status
' "$bin" "$tmp/stderr"

awk '
/^ok - / { n++; print "ok " n " - " substr($0, 6); next }
/^not ok - / { n++; print "not ok " n " - " substr($0, 10); next }
{ print }
' "$results"
! grep -q '^not ok' "$results"
