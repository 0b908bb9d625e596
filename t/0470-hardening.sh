#!/bin/sh
# SPDX-License-Identifier: MIT
# The process that holds tokens keeps them to itself: no core file,
# whatever limit its parent set, and no other process of the user
# reading its memory.  Each helper here holds the start of a token read
# from stdin and waits for the rest, as an `add` does at its prompt.

. "$(dirname "$0")/test-lib.sh"

# A test body runs as root or not; the dumpable check needs another
# user than root, for whom /proc and ptrace have no exception.
if test "$(id -u)" = 0; then
	AS_USER="setpriv --reuid=65534 --regid=65534 --clear-groups"
else
	AS_USER=
fi

# hold DIR NAME COMMAND...: run COMMAND in DIR with core files allowed,
# the start of a token waiting on its stdin and no end of line; sets
# HELD_PID once the process, named NAME by then, sleeps: which it first
# does waiting for more input, having read what was there.  A sanitized
# build must let the signals below kill it as they do a plain one.
hold () {
	dir=$1 name=$2
	shift 2
	rm -f fifo && mkfifo fifo &&
	exec 3<>fifo &&
	printf "BBTOKEN-CORE-CANARY-%s" "$$" >&3 &&
	(cd "$dir" && ulimit -c unlimited &&
	 ASAN_OPTIONS=${ASAN_OPTIONS-}:handle_segv=0:handle_abort=0 \
	 UBSAN_OPTIONS=${UBSAN_OPTIONS-}:handle_segv=0:handle_abort=0 \
	 exec "$@" <&3 >"$TRASH/held.out" 2>"$TRASH/held.err") &
	HELD_PID=$!
	echo "$HELD_PID $name" >>"$TRASH/held.pids"
	exec 3>&-
	i=0
	while test "$(cat "/proc/$HELD_PID/comm" 2>/dev/null)" != "$name" ||
	      test "$(cut -d" " -f3 "/proc/$HELD_PID/stat" 2>/dev/null)" != S
	do
		i=$((i + 1))
		test $i -lt 100 || return 1
		sleep 0.05
	done
}

# hold_helper DIR [RUNNER...]: hold the helper's `add --stdin`.
hold_helper () {
	dir=$1
	shift
	hold "$dir" git-credential- "$@" "$BUILD_DIR/git-credential-bbtoken" \
		add --stdin --no-verify --label=core
}

# crash SIGNAL: kill what hold holds with SIGNAL, and reap it.
crash () {
	kill -"$1" "$HELD_PID" &&
	{ wait "$HELD_PID"; :; }
}

# attaches PID: whether strace, run as that user, can attach to PID;
# what it said goes to attach.err.  It is stopped once it has attached,
# or after five seconds.
attaches () {
	$AS_USER strace -o /dev/null -p "$1" 2>attach.err &
	spid=$!
	i=0
	while ! grep -q "attached" attach.err && kill -0 "$spid" 2>/dev/null
	do
		i=$((i + 1))
		test $i -lt 100 || break
		sleep 0.05
	done
	kill "$spid" 2>/dev/null
	wait "$spid" 2>/dev/null
	grep -q "attached" attach.err
}

release () {
	kill "$HELD_PID" 2>/dev/null
	wait "$HELD_PID" 2>/dev/null
	return 0
}

# What a failed test left held, at the end: each process still named as
# hold saw it.
release_left () {
	test -f "$TRASH/held.pids" || return 0
	while read -r pid name; do
		test "$(cat "/proc/$pid/comm" 2>/dev/null)" != "$name" ||
		kill "$pid"
	done <"$TRASH/held.pids"
	rm -f "$TRASH/held.pids"
}
cleanup_cmds=release_left

test_expect_success 'a helper waiting for a token sets its core limit to 0' '
	mkdir -p limits.d &&
	hold_helper limits.d &&
	grep "^Max core file size" "/proc/$HELD_PID/limits" >limits &&
	release &&
	test_grep "^Max core file size *0 *0 " limits
'

# A plain program held the same way writes a core file where it runs:
# the proof that this machine writes them at all.  Where it writes none
# (a core_pattern that pipes them away), the test after this one and
# the limit above are the proof.
test_expect_success 'a helper killed while it waits for a token leaves no core' '
	mkdir plain.d segv.d abrt.d &&
	hold plain.d cat cat &&
	crash SEGV &&
	if test -z "$(ls plain.d)"; then
		echo "this machine writes no core file where a program runs" \
			"(core_pattern $(cat /proc/sys/kernel/core_pattern))" >no-core
	else
		hold_helper segv.d &&
		crash SEGV &&
		hold_helper abrt.d &&
		crash ABRT &&
		find segv.d abrt.d -type f >cores &&
		test_must_be_empty cores
	fi
'
test ! -s no-core || sed -e "s/^/# /" no-core

# The kernel gives the files in /proc of a process that is not dumpable
# (its memory, its environment...) to root, and lets no process of the
# same user attach to it.  A plain program held the same way is the
# control.  Where Yama lets a process attach only to its descendants,
# the control could not be attached to either, and only the owner tells.
if test "$(cat /proc/sys/kernel/yama/ptrace_scope 2>/dev/null || echo 0)" = 0
then
	PTRACE_CHECK=attaches
else
	PTRACE_CHECK=
fi

test_expect_success 'a helper waiting for a token can be read by no process' '
	mkdir -p dump.d &&
	hold dump.d cat $AS_USER cat &&
	stat -c %u "/proc/$HELD_PID/mem" >plain.owner &&
	{ test -z "$PTRACE_CHECK" || $PTRACE_CHECK "$HELD_PID"; } &&
	release &&
	hold_helper dump.d $AS_USER &&
	stat -c %u "/proc/$HELD_PID/mem" >helper.owner &&
	{ test -z "$PTRACE_CHECK" || ! $PTRACE_CHECK "$HELD_PID"; } &&
	release &&
	$AS_USER id -u >expect &&
	test_cmp expect plain.owner &&
	echo 0 >expect &&
	test_cmp expect helper.owner &&
	{ test -z "$PTRACE_CHECK" ||
	  test_grep "Operation not permitted" attach.err; }
'

test_done
