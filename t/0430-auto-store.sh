#!/bin/sh
# SPDX-License-Identifier: MIT
# --store=auto, the default, on the machines people have: a desktop with
# a keyring takes the Secret Service; a server with no session bus, a bus
# without a keyring, or a bus that accepts connections but never answers
# takes the encrypted file store, after at most the keyring deadline, and
# add and list say so with the reason.  Each state is built for real.

. "$(dirname "$0")/test-lib.sh"

start_bbserver
bb_user jdoe jdoe@example.com
bb_repo acme widget

DEADLINE_MS=5000
SLACK_MS=2500
BUS_PID=$(cat "$TRASH/bus.pid")
NO_BUS_LINE="It is kept in the encrypted file store $FILE_STORE, since $NO_BUS."

# no_bus COMMAND...: as on a server reached over SSH, with no session bus.
no_bus () {
	(unset DBUS_SESSION_BUS_ADDRESS; "$@")
}

test_expect_success 'with a keyring answering, auto keeps tokens in the Secret Service' '
	tok=$(bb_token api --owner jdoe --scopes read,write) &&
	printf %s "$tok" >keyring.secret &&
	add_token "$tok" --label=desk >out 2>err &&
	test_grep "^It is kept in the Secret Service\\.$" out &&
	! test -e "$FILE_STORE" &&
	secret-tool search --all xdg:schema org.bbtoken.Token label desk >found 2>&1 &&
	test_grep "label = desk" found
'

test_expect_success 'with no session bus, auto takes the file store and says why' '
	tok=$(bb_token api --owner jdoe --scopes read,write) &&
	printf %s "$tok" >file.secret &&
	no_bus add_token "$tok" --label=server >out 2>err &&
	test_grep "^$NO_BUS_LINE$" out &&
	test -f "$FILE_STORE" &&
	! grep -r -F -e "$tok" "$HOME" &&
	no_bus git credential-bbtoken list >list &&
	test_grep "^server " list &&
	test_grep -v "^desk " list &&
	test_grep "^Tokens are kept in the encrypted file store $FILE_STORE, since" list
'

test_expect_success 'with no session bus, git clones and pushes through the file store' '
	no_bus git clone -q "$BB_URL/acme/widget.git" widget &&
	(
		cd widget &&
		echo change >>README &&
		git commit -q -am change &&
		no_bus git push -q origin main
	) &&
	git -C "$BB_ROOT/acme/widget.git" log --oneline >log &&
	test_grep change log
'

test_expect_success 'with no session bus, get loads no gio and contacts no bus' '
	printf "protocol=https\nhost=%s\npath=acme/widget.git\n" "$BB_HOST" |
	no_bus env BBTOKEN_TRACE=1 git credential-bbtoken --host="$BB_HOST" get \
		>answer 2>err &&
	test_grep "^password=$(cat file.secret)$" answer &&
	test_grep "loading .*bbtoken-get-file.so" err &&
	test_grep -v "bbtoken-get-secretservice.so" err
'

# A session bus that works, where no keyring is nor can be started.
start_bare_bus

test_expect_success 'on a bus without a keyring, auto falls back to the file store' '
	DBUS_SESSION_BUS_ADDRESS=unix:path=$TRASH/bare-bus \
		git credential-bbtoken list >list 2>err &&
	test_grep "^server " list &&
	test_grep "^Tokens are kept in the encrypted file store $FILE_STORE, since" list &&
	test_must_be_empty err &&
	DBUS_SESSION_BUS_ADDRESS=unix:path=$TRASH/bare-bus get_token acme/widget.git >answer &&
	test_grep "^password=$(cat file.secret)$" answer
'

test_expect_success 'on a bus that never answers, get falls back within the deadline' '
	kill -STOP "$BUS_PID" &&
	start=$(date +%s%N) &&
	timeout 30 sh -c "
		printf \"protocol=https\\nhost=%s\\npath=acme/widget.git\\n\" \"$BB_HOST\" |
		git credential-bbtoken --host=\"$BB_HOST\" get" >answer 2>err;
	code=$?;
	ms=$((($(date +%s%N) - start) / 1000000)) &&
	kill -CONT "$BUS_PID" &&
	echo "took $ms ms, exit $code" &&
	test "$code" = 0 &&
	test "$ms" -lt $((DEADLINE_MS + SLACK_MS)) &&
	test "$ms" -ge $((DEADLINE_MS - 500)) &&
	test_grep "^password=$(cat file.secret)$" answer
'

test_expect_success 'on a bus that never answers, list says why it used the file store' '
	kill -STOP "$BUS_PID" &&
	timeout 30 git credential-bbtoken list >list 2>err;
	code=$?;
	kill -CONT "$BUS_PID" &&
	test "$code" = 0 &&
	test_grep "^server " list &&
	test_grep "^Tokens are kept in the encrypted file store $FILE_STORE, since the session bus did not answer within $DEADLINE_MS ms" list
'

test_expect_success 'once the bus answers again, auto is back on the Secret Service' '
	get_token acme/widget.git >answer &&
	test_grep "^password=$(cat keyring.secret)$" answer &&
	git credential-bbtoken list >list &&
	test_grep "^desk " list &&
	test_grep "^Tokens are kept in the Secret Service\\.$" list
'

test_expect_success 'move --to=secretservice carries the file store'"'"'s tokens over' '
	git credential-bbtoken move --to=secretservice >out 2>err &&
	test_grep "^Moved API token .server. for $BB_HOST\\.$" out &&
	test_grep "^1 token moved from the encrypted file store $FILE_STORE to the Secret Service\\.$" out &&
	git credential-bbtoken list >list &&
	test_grep "^server " list &&
	test_grep "^desk " list &&
	no_bus git credential-bbtoken list >list &&
	test_grep -v "^server " list
'

test_expect_success 'move --to=file carries them back, and reads each copy first' '
	git credential-bbtoken move --to=file >out 2>err &&
	test_grep "^2 tokens moved from the Secret Service to the encrypted file store" out &&
	no_bus git credential-bbtoken list >list &&
	test_grep "^server " list &&
	test_grep "^desk " list &&
	git credential-bbtoken --store=secretservice list >list &&
	test_grep "^No tokens stored" list
'

test_expect_success 'move without --to is a usage error' '
	test_expect_code 129 git credential-bbtoken move >out 2>err &&
	test_grep "say where the tokens go: --to=file or --to=secretservice" err
'

test_done
