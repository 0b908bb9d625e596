#!/bin/sh
# SPDX-License-Identifier: MIT
# The process that holds tokens keeps them to itself: no core file,
# whatever limit its parent set.  (This machine writes no core files at
# all, so the limit the kernel shows is the proof; PR_SET_DUMPABLE makes
# no difference to a root test and is not checked here.)

. "$(dirname "$0")/test-lib.sh"

# held_helper ARGS...: run the helper waiting on a FIFO for its secret;
# sets HELD_PID.  release_helper lets it go.
held_helper () {
	rm -f fifo && mkfifo fifo &&
	(ulimit -c unlimited; exec "$BUILD_DIR/git-credential-bbtoken" "$@" <>fifo \
		>held.out 2>held.err) &
	HELD_PID=$!
	i=0
	while ! grep -q "^Max core" "/proc/$HELD_PID/limits" 2>/dev/null ||
	      test "$(readlink "/proc/$HELD_PID/exe")" != "$BUILD_DIR/git-credential-bbtoken"
	do
		i=$((i + 1))
		test $i -lt 100 || return 1
		sleep 0.05
	done
}

release_helper () {
	kill "$HELD_PID" 2>/dev/null

	wait "$HELD_PID" 2>/dev/null
	return 0
}

test_expect_success 'a helper waiting for a token can write no core file' '
	held_helper add --stdin --no-verify --label=core &&
	grep "^Max core file size" "/proc/$HELD_PID/limits" >limits &&
	release_helper &&
	test_grep "^Max core file size *0 *0 " limits
'

test_done
