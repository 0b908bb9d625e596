#!/bin/sh
# SPDX-License-Identifier: MIT
# git's credential protocol at the edges: what is not ours is left alone,
# what is malformed is refused, and nothing leaks on the way.

. "$(dirname "$0")/test-lib.sh"


# Each request, what get answers on stdout, and what it says on stderr,
# as data (check_helper in t/test-lib.sh).

test_expect_success 'another host gets no answer and no keyring contact' '
	BBTOKEN_TRACE=1 check_helper get <<-\EOF
	protocol=https
	host=github.com
	EOF
'

test_expect_success 'plain http to bitbucket.org is not ours' '
	check_helper get <<-\EOF
	protocol=http
	host=bitbucket.org
	EOF
'

test_expect_success 'store and erase for another host change nothing' '
	check_helper store <<-\EOF &&
	protocol=https
	host=github.com
	username=u
	password=p
	EOF
	check_helper erase <<-\EOF
	protocol=https
	host=github.com
	username=u
	password=p
	EOF
'

test_expect_success 'a missing or empty host is nobody'"'"'s' '
	check_helper store <<-\EOF &&
	protocol=https
	username=u
	password=p
	EOF
	check_helper get <<-\EOF
	protocol=https
	host=
	EOF
'

test_expect_success 'an unknown action from a newer git is ignored' '
	check_helper frobnicate <<-\EOF
	protocol=https
	host=bitbucket.org
	EOF
'

test_expect_success 'a CR inside a value is refused with one line' '
	check_helper --exit=1 get <<-\EOF
	protocol=https
	host=bitbucket.org
	username=a\rb
	--
	--
	bbtoken: error: refusing git'"'"'s request: a value of the request contains NUL, CR or LF
	EOF
'

test_expect_success 'a NUL inside a value is refused' '
	check_helper --exit=1 store <<-\EOF
	protocol=https
	host=bitbucket.org
	password=a\000b
	--
	--
	bbtoken: error: refusing git'"'"'s request: a value of the request contains NUL, CR or LF
	EOF
'

test_expect_success 'a line without = is refused' '
	check_helper --exit=1 get <<-\EOF
	protocol=https
	hostbitbucket.org
	--
	--
	bbtoken: error: refusing git'"'"'s request: a line of the request has no '"'"'='"'"'
	EOF
'

test_expect_success 'a line over 65535 bytes is refused' '
	long=$(head -c 70000 /dev/zero | tr "\000" a) &&
	check_helper --exit=1 get <<-EOF
	protocol=https
	host=bitbucket.org
	wwwauth[]=$long
	--
	--
	bbtoken: error: refusing git${SQ}s request: a line of the request is longer than 65535 bytes
	EOF
'

test_expect_success 'a long wwwauth[] line cannot smuggle a host' '
	long=$(head -c 5000 /dev/zero | tr "\000" a) &&
	BBTOKEN_TRACE=1 check_helper get <<-EOF
	protocol=https
	host=github.com
	wwwauth[]=basic realm=${long}host=bitbucket.org
	EOF
'

test_expect_success 'a url= with an encoded newline is refused' '
	check_helper --exit=1 get <<-\EOF
	url=https://bitbucket.org%0a/x
	--
	--
	bbtoken: error: refusing git'"'"'s request: the url= of the request cannot be parsed
	EOF
'

test_expect_success 'an unknown option is a usage error' '
	test_expect_code 129 git credential-bbtoken --frobnicate get </dev/null >out 2>err &&
	test_grep "unknown option" err
'

test_expect_success 'a bad --host is a usage error' '
	test_expect_code 129 git credential-bbtoken "--host=a b" get </dev/null 2>err &&
	test_grep "not a host name" err
'

test_expect_success '-h prints the usage on stdout' '
	git credential-bbtoken -h >out &&
	test_grep "usage: git credential-bbtoken" out
'

test_expect_success 'the binary git runs links libc alone' '
	ldd "$BUILD_DIR/git-credential-bbtoken" >libs &&
	test_grep -v "libsecret\|libglib\|libgio\|libcurl\|libcrypto" libs
'

test_done
