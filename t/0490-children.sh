#!/bin/sh
# SPDX-License-Identifier: MIT
# No token in a child's argv or environment: every program started while
# add verifies against the stand-in, rotate, check, and git's own clone
# and push run the helper is traced with strace -f, which logs each
# execve with its whole argv and envp (-v, -s), and none of the traces
# may hold any token bb_token made (the canary list of test-lib.sh).
# A wrapper first on PATH would miss what git starts by full path
# (git-remote-https, the helper's shell); strace misses nothing exec'd.

. "$(dirname "$0")/test-lib.sh"

command -v strace >/dev/null 2>&1 ||
	die "strace is not installed (see contrib/deps-debian.txt)"

# LeakSanitizer stops the world with ptrace, which strace already holds.
if test -n "${BBTOKEN_SANITIZE-}"; then
	ASAN_OPTIONS=$ASAN_OPTIONS:detect_leaks=0
fi

# traced FILE COMMAND...: COMMAND and all it starts, execve by execve.
traced () {
	out=$1
	shift
	strace -f -q -e trace=execve -s 100000 -v -o "$out" "$@"
}

# no_token_in TRACE: no canary secret in any argv or envp of TRACE.
no_token_in () {
	test -s "$1" || { echo "empty trace $1"; return 1; }
	if grep -qF -f "$CANARY" "$1"; then
		echo "a token is in a child's argv or environment in $1:"
		canary_mask "$1" | grep -F "<test token>"
		return 1
	fi
}

start_bbserver
git config --global bbtoken.apiUrl "$BB_URL/2.0"
bb_user jdoe jdoe@example.com
bb_repo acme widget

test_expect_success 'the trace shows a token put in argv or the environment' '
	tok=$(bb_token api --owner jdoe --scopes read) &&
	traced argv.trace env BBTOKEN_PROBE="$tok" true &&
	! no_token_in argv.trace >/dev/null &&
	BBTOKEN_PROBE=$tok traced environ.trace true &&
	! no_token_in environ.trace >/dev/null &&
	test_grep "execve(\"/usr/bin/true\", \[\"true\"\], \[" environ.trace
'

test_expect_success 'add with verification gives no child the token' '
	tok=$(bb_token api --owner jdoe --scopes read,write) &&
	printf %s "$tok" >main.secret &&
	printf "%s\n" "$tok" | traced add.trace git credential-bbtoken add \
		--stdin --host="$BB_HOST" --label=main --username=jdoe \
		--workspace=acme --probe=acme/widget --expires=$(day +30) \
		>out 2>err &&
	test_grep "^push: yes$" out &&
	no_token_in add.trace
'

test_expect_success 'git clone and push give no child the token' '
	traced clone.trace git clone -q "$BB_URL/acme/widget.git" clone &&
	test_grep "credential-bbtoken" clone.trace &&
	no_token_in clone.trace &&
	echo more >>clone/README &&
	git -C clone commit -q -am more &&
	traced push.trace git -C clone push -q origin main 2>err &&
	test_grep "git-remote-https" push.trace &&
	no_token_in push.trace
'

test_expect_success 'check gives no child the token' '
	traced check.trace git credential-bbtoken check main >out 2>err &&
	test_grep "^main  *ok$" out &&
	no_token_in check.trace
'

test_expect_success 'rotate gives no child the old or the new token' '
	new=$(bb_token api --owner jdoe --scopes read,write --expires +90) &&
	printf "%s\n" "$new" | traced rotate.trace git credential-bbtoken \
		rotate --stdin --expires=$(day +90) main >out 2>err &&
	test_grep "^Replaced the secret of" out &&
	no_token_in rotate.trace
'

test_expect_success 'git fetch with the rotated token gives no child a token' '
	traced fetch.trace git -C clone fetch -q origin &&
	test_grep "credential-bbtoken" fetch.trace &&
	no_token_in fetch.trace
'

test_done
