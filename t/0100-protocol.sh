#!/bin/sh
# SPDX-License-Identifier: MIT
# git's credential protocol at the edges: what is not ours is left alone,
# what is malformed is refused, and nothing leaks on the way.

. "$(dirname "$0")/test-lib.sh"

helper () {
	git credential-bbtoken "$@"
}

test_expect_success 'another host gets no answer and no keyring contact' '
	printf "protocol=https\nhost=github.com\n" |
	BBTOKEN_TRACE=1 helper get >out 2>err &&
	test_must_be_empty out &&
	test_must_be_empty err
'

test_expect_success 'plain http to bitbucket.org is not ours' '
	printf "protocol=http\nhost=bitbucket.org\n" | helper get >out 2>err &&
	test_must_be_empty out &&
	test_must_be_empty err
'

test_expect_success 'store and erase for another host change nothing' '
	printf "protocol=https\nhost=github.com\nusername=u\npassword=p\n" |
	helper store 2>err &&
	test_must_be_empty err &&
	printf "protocol=https\nhost=github.com\nusername=u\npassword=p\n" |
	helper erase 2>err &&
	test_must_be_empty err
'

test_expect_success 'a missing or empty host is nobody'"'"'s' '
	printf "protocol=https\nusername=u\npassword=p\n" | helper store 2>err &&
	test_must_be_empty err &&
	printf "protocol=https\nhost=\n" | helper get >out 2>err &&
	test_must_be_empty out && test_must_be_empty err
'

test_expect_success 'an unknown action from a newer git is ignored' '
	printf "protocol=https\nhost=bitbucket.org\n" | helper frobnicate >out 2>err &&
	test_must_be_empty out &&
	test_must_be_empty err
'

test_expect_success 'a CR inside a value is refused with one line' '
	printf "protocol=https\nhost=bitbucket.org\nusername=a\rb\n" |
	test_expect_code 1 helper get >out 2>err &&
	test_must_be_empty out &&
	test $(wc -l <err) = 1 &&
	test_grep "NUL, CR or LF" err
'

test_expect_success 'a NUL inside a value is refused' '
	printf "protocol=https\nhost=bitbucket.org\npassword=a\000b\n" |
	test_expect_code 1 helper store >out 2>err &&
	test_must_be_empty out &&
	test_grep "NUL, CR or LF" err
'

test_expect_success 'a line without = is refused' '
	printf "protocol=https\nhostbitbucket.org\n" |
	test_expect_code 1 helper get >out 2>err &&
	test_must_be_empty out &&
	test_grep "no .=." err
'

test_expect_success 'a line over 65535 bytes is refused' '
	{
		printf "protocol=https\nhost=bitbucket.org\nwwwauth[]=" &&
		head -c 70000 /dev/zero | tr "\000" a &&
		printf "\n"
	} | test_expect_code 1 helper get >out 2>err &&
	test_must_be_empty out &&
	test_grep "longer than 65535" err
'

test_expect_success 'a long wwwauth[] line cannot smuggle a host' '
	{
		printf "protocol=https\nhost=github.com\nwwwauth[]=basic realm=" &&
		head -c 5000 /dev/zero | tr "\000" a &&
		printf "host=bitbucket.org\n"
	} | BBTOKEN_TRACE=1 helper get >out 2>err &&
	test_must_be_empty out &&
	test_must_be_empty err
'

test_expect_success 'a url= with an encoded newline is refused' '
	printf "url=https://bitbucket.org%%0a/x\n" |
	test_expect_code 1 helper get >out 2>err &&
	test_must_be_empty out &&
	test_grep "url=" err
'

test_expect_success 'an unknown option is a usage error' '
	test_expect_code 129 helper --frobnicate get </dev/null >out 2>err &&
	test_grep "unknown option" err
'

test_expect_success 'a bad --host is a usage error' '
	test_expect_code 129 helper "--host=a b" get </dev/null 2>err &&
	test_grep "not a host name" err
'

test_expect_success '-h prints the usage on stdout' '
	helper -h >out &&
	test_grep "usage: git credential-bbtoken" out
'

test_expect_success 'the binary git runs links libc alone' '
	ldd "$BUILD_DIR/git-credential-bbtoken" >libs &&
	test_grep -v "libsecret\|libglib\|libgio\|libcurl\|libcrypto" libs
'

test_done
