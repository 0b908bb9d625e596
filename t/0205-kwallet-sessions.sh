#!/bin/sh
# SPDX-License-Identifier: MIT
# kwalletd5 gets about one Diffie-Hellman session in a hundred wrong (a
# client key or shared secret with a leading zero byte): the write then
# fails with "Can't find session", or lands garbled, and may leave an
# item with an empty secret.  lib/store/secretservice.c reads every write
# back and tries once more on a fresh session.  Sixty stores, each a new
# session, see the quirk about half the time without that.
BBTOKEN_TEST_STORE=kwallet
export BBTOKEN_TEST_STORE
. "$(dirname "$0")/test-lib.sh"

test_expect_success 'sixty stores through git all store and read back' '
	i=0 &&
	while test $i -lt 60; do
		i=$((i + 1)) &&
		printf "protocol=https\nhost=example.com\nusername=u%s\npassword=p%s\n" $i $i |
		git -c credential.helper= -c "credential.helper=bbtoken --host=example.com" \
			credential approve 2>>err &&
		printf "protocol=https\nhost=example.com\nusername=u%s\n" $i |
		git credential-bbtoken --host=example.com get >out 2>>err &&
		test_grep "^password=p$i\$" out || exit 1
	done &&
	test_must_be_empty err
'

test_expect_success 'no item is left with an empty secret' '
	secret-tool search --all xdg:schema org.bbtoken.Token >items 2>&1 &&
	test $(grep -c "^secret = bbtoken-secret 1" items) = 60 &&
	test_grep -v "^secret = $" items
'

test_done
