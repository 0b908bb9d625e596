#!/bin/sh
# SPDX-License-Identifier: MIT
# The canary of test-lib.sh can fail: a test whose body leaks a token it
# got from bb_token, in its output, a stderr it keeps, or a file under
# HOME, is reported not ok by test_expect_success itself, with the file
# named and the token masked.  Each case runs test_expect_success in a
# subshell of its own, whose TAP goes to a file read here.

. "$(dirname "$0")/test-lib.sh"

BB_STATE=$TRASH/state.json

# inner NAME BODY: test_expect_success in a subshell, its TAP in inner.tap.
inner () {
	(
		TEST_OUT=$TRASH/inner.out
		test_count=0
		test_failures=0
		test_expect_success "$1" "$2"
	) >inner.tap 2>&1
}

test_expect_success 'a token in what the body prints fails the test' '
	tok=$(bb_token api --owner jdoe) &&
	inner leaky "echo \"\$(tail -n 1 \"\$CANARY\")\"" &&
	test_grep "^not ok 1 - leaky$" inner.tap &&
	test_grep "canary: a test token shows in $TRASH/inner.out" inner.tap &&
	test_grep "<test token>" inner.tap &&
	! grep -F "$tok" inner.tap
'

test_expect_success 'a token in a file under HOME fails the test' '
	inner home "tail -n 1 \"\$CANARY\" >\"\$HOME/leak\"" &&
	rm -f "$HOME/leak" &&
	test_grep "^not ok 1 - home$" inner.tap &&
	test_grep "canary: a test token shows in $HOME/leak" inner.tap
'

test_expect_success 'a token in a kept stderr (where a trace goes) fails the test' '
	inner trace "{ echo \"trace: \$(tail -n 1 \"\$CANARY\")\" >&2; } 2>err" &&
	rm -f err &&
	test_grep "^not ok 1 - trace$" inner.tap &&
	test_grep "canary: a test token shows in $TRASH/err" inner.tap
'

test_expect_success 'an app password from bb_token is a canary too' '
	bb_token app_password --owner jdoe >/dev/null &&
	inner app "tail -n 1 \"\$CANARY\"" &&
	test_grep "^not ok 1 - app$" inner.tap
'

test_expect_success 'a token the body keeps in a file of its own in TRASH is fine' '
	inner own "tail -n 1 \"\$CANARY\" >main.secret && fp \"\$(cat main.secret)\"" &&
	test_grep "^ok 1 - own$" inner.tap
'

test_expect_success 'a file under HOME named by canary_allow is fine' '
	inner allowed "canary_allow \"\$HOME/.git-credentials\" &&
		tail -n 1 \"\$CANARY\" >\"\$HOME/.git-credentials\"" &&
	rm -f "$HOME/.git-credentials" &&
	test_grep "^ok 1 - allowed$" inner.tap
'

test_done
