#!/bin/sh
# SPDX-License-Identifier: MIT
# A session bus that accepts connections but never answers (here a
# dbus-daemon stopped with SIGSTOP; in life a wedged one) costs git at
# most the keyring deadline, then one line that names the bus and its
# fix, on get (the lean lookup) and on list and store (libsecret).  Once
# the bus answers again, the token is served.

. "$(dirname "$0")/test-lib.sh"

# The Secret Service store is what is tested: `auto` would fall back to
# the file store on a bus that does not answer.
SS=--store=secretservice
HOST=bitbucket.org
# STORE_TIMEOUT_MS, and what a process may take beyond it.
DEADLINE_MS=5000
SLACK_MS=2000
BUS_PID=$(cat "$TRASH/bus.pid")

# timed OUT ERR COMMAND...: run COMMAND under `timeout 30` with stdin
# passed on, its exit code in $TRASH/code and its duration in
# $TRASH/ms; fails only when it outlives the deadline and the slack.
timed () {
	out=$1 err=$2
	shift 2
	start=$(date +%s%N)
	timeout 30 "$@" >"$out" 2>"$err"
	echo $? >"$TRASH/code"
	ms=$((($(date +%s%N) - start) / 1000000))
	echo "$ms" >"$TRASH/ms"
	echo "took $ms ms, exit $(cat "$TRASH/code")"
	test "$ms" -lt $((DEADLINE_MS + SLACK_MS))
}

# says_bus_fix ERR: one line, naming the bus and the fix.
says_bus_fix () {
	test "$(wc -l <"$1")" = 1 &&
	test_grep "^bbtoken: error: the session bus did not answer within $DEADLINE_MS ms" "$1" &&
	test_grep "restart the session bus" "$1" &&
	test_grep "\`--store=file\`" "$1"
}

request () {
	printf 'protocol=https\nhost=%s\n' "$HOST"
}

test_expect_success 'a token is served while the bus answers' '
	body=ATATT3xFfGF0wedgedbuswedgedbuswedgedbus= &&
	tok=$body$(python3 -c "import sys, zlib; print(\"%08X\" % (zlib.crc32(sys.argv[1].encode()) & 0xffffffff))" "$body") &&
	printf "%s\n" "$tok" >token.secret &&
	printf "%s\n" "$tok" |
	git credential-bbtoken $SS add --stdin --no-verify --host=$HOST \
		--label=wedged >/dev/null 2>&1 &&
	request | git credential-bbtoken $SS get >out &&
	test_grep "^password=$tok$" out
'

kill -STOP "$BUS_PID"

test_expect_success 'get on a stopped bus gives up at the deadline with the fix' '
	request | timed out err git credential-bbtoken $SS --host=$HOST get &&
	test "$(cat code)" = 2 &&
	test_must_be_empty out &&
	says_bus_fix err
'

test_expect_success 'list on a stopped bus gives up at the deadline with the fix' '
	timed out err git credential-bbtoken $SS list </dev/null &&
	test "$(cat code)" = 2 &&
	test_must_be_empty out &&
	says_bus_fix err
'

test_expect_success 'store on a stopped bus gives up at the deadline with the fix' '
	{ request; printf "username=x-bitbucket-api-token-auth\npassword=%s\n" \
		"$(cat token.secret)"; } |
	timed out err git credential-bbtoken $SS --host=$HOST store &&
	test "$(cat code)" = 2 &&
	test_must_be_empty out &&
	says_bus_fix err
'

kill -CONT "$BUS_PID"

test_expect_success 'once the bus answers again the token is served' '
	request | timeout 30 git credential-bbtoken $SS get >out &&
	test_grep "^password=$(cat token.secret)$" out &&
	timeout 30 git credential-bbtoken $SS list >list &&
	test_grep "^wedged " list
'

test_done
