#!/bin/sh
# SPDX-License-Identifier: MIT
# make install and make uninstall honour prefix and DESTDIR, and what they
# install works: the binary finds its modules, git finds the man page.

. "$(dirname "$0")/test-lib.sh"

# A copy of the tree, built for its own prefix: the module directory is
# fixed at build time, so the build tree's objects will not do.
test_expect_success 'install into a prefix' '
	mkdir src &&
	(cd "$BUILD_DIR" && git ls-files -z | xargs -0 tar cf -) | (cd src && tar xf -) &&
	make -s -C src prefix="$TRASH/inst" install >build.log 2>&1 &&
	test -x inst/bin/git-credential-bbtoken &&
	test -f inst/lib/git-credential-bbtoken/bbtoken-get-secretservice.so &&
	test -f inst/lib/git-credential-bbtoken/bbtoken-full.so &&
	test -f inst/share/man/man1/git-credential-bbtoken.1
'

test_expect_success 'the installed helper loads its modules from the prefix' '
	PATH="$TRASH/inst/bin:$PATH" BBTOKEN_TRACE=1 \
		git credential-bbtoken list >out 2>err &&
	test_grep "No tokens stored" out &&
	test_grep "loading $TRASH/inst/lib/git-credential-bbtoken/bbtoken-full.so" err &&
	printf "protocol=https\nhost=bitbucket.org\n" |
	PATH="$TRASH/inst/bin:$PATH" BBTOKEN_TRACE=1 \
		git credential-bbtoken get >out 2>err &&
	test_grep "loading $TRASH/inst/lib/git-credential-bbtoken/bbtoken-get-secretservice.so" err
'

test_expect_success 'the build honours CPPFLAGS' '
	make -C src -n -B CPPFLAGS=-DBBTOKEN_CPPFLAGS_SEEN lib/buf.o >build.n &&
	test_grep "BBTOKEN_CPPFLAGS_SEEN" build.n
'

test_expect_success 'make clean needs none of the -dev packages' '
	mkdir -p nopc &&
	PKG_CONFIG_LIBDIR=$TRASH/nopc PKG_CONFIG_PATH= make -s -C src clean \
		>clean.out 2>clean.err &&
	test_must_be_empty clean.err
'

# The names the modules had in earlier builds; an upgrade or an uninstall
# must not leave them behind in the module directory.
OLD_MODULES="bbtoken-ssget.so bbtoken-file.so bbtoken-tools.so"

test_expect_success 'an upgrade removes the modules of their old names' '
	for m in $OLD_MODULES; do
		cp inst/lib/git-credential-bbtoken/bbtoken-full.so \
			"inst/lib/git-credential-bbtoken/$m" || exit 1
	done &&
	make -s -C src prefix="$TRASH/inst" install >build.log 2>&1 &&
	ls inst/lib/git-credential-bbtoken >actual &&
	cat >expect <<-\EOF &&
	bbtoken-full.so
	bbtoken-get-file.so
	bbtoken-get-secretservice.so
	EOF
	test_cmp expect actual
'

test_expect_success 'install leaves no temporary file behind' '
	! find inst -name "*.tmp.*" | grep .
'

MODS=$TRASH/inst/lib/git-credential-bbtoken

test_expect_success 'a module cut short is refused with the fix, not a crash' '
	cp "$MODS/bbtoken-full.so" full.whole &&
	head -c $(($(stat -c %s full.whole) / 5)) full.whole >"$MODS/bbtoken-full.so" &&
	PATH="$TRASH/inst/bin:$PATH" test_expect_code 1 \
		git credential-bbtoken list >out 2>err &&
	cp full.whole "$MODS/bbtoken-full.so" &&
	test_grep "bbtoken-full.so is cut short or not a module" err &&
	test_grep "make install" err
'

test_expect_success 'a file that is not a module of this build is refused' '
	cp "$MODS/bbtoken-full.so" full.whole &&
	cp "$MODS/bbtoken-get-secretservice.so" "$MODS/bbtoken-full.so" &&
	PATH="$TRASH/inst/bin:$PATH" test_expect_code 1 \
		git credential-bbtoken list >out 2>err &&
	cp full.whole "$MODS/bbtoken-full.so" &&
	test_grep "lacks bbtoken_full\|not a module of this" err &&
	find /usr/lib -name "libz.so.1" | head -n 1 >libz &&
	cp "$(cat libz)" "$MODS/bbtoken-full.so" &&
	PATH="$TRASH/inst/bin:$PATH" test_expect_code 1 \
		git credential-bbtoken list >out 2>err &&
	cp full.whole "$MODS/bbtoken-full.so" &&
	test_grep "is not a module of this git-credential-bbtoken (no stamp" err
'

test_expect_success 'git help finds the man page' '
	MANPATH="$TRASH/inst/share/man" MANPAGER=cat PAGER=cat MANWIDTH=80 \
		git help credential-bbtoken >page 2>err &&
	test_grep "git credential helper for Bitbucket Cloud" page &&
	test_grep "EXIT STATUS" page
'

test_expect_success 'the man page renders every command and exit status' '
	MANWIDTH=80 man -l "$BUILD_DIR/man/git-credential-bbtoken.1" >page 2>err &&
	test_must_be_empty err &&
	for word in get store erase add list remove rotate setup doctor migrate \
		--online --fix --yes \
		--host --warn-days --label --username --workspace --repo \
		--expires --stdin --no-verify --unset bbtoken.host \
		bbtoken.warnDays BBTOKEN_TRACE DBUS_SESSION_BUS_ADDRESS \
		GIT_CONFIG_GLOBAL bbtoken-get-secretservice.so bbtoken-full.so 129 \
		check --json --probe --email --api-url --due bbtoken.apiUrl \
		bbtoken.connectTimeout bbtoken.timeout GIT_SSL_CAINFO \
		http.sslCAInfo git-credential-bbtoken-due.timer \
		init unlock lock move --store --passphrase --key-file --for \
		--to=file --to=secretservice secretservice auto bbtoken.store \
		bbtoken.tokenCommand bbtoken.tokenCommandTimeout \
		transfer.credentialsInUrl BBTOKEN_TOKEN BBTOKEN_TOKEN_FILE \
		CREDENTIALS_DIRECTORY BBTOKEN_USERNAME BBTOKEN_EXPIRES \
		BBTOKEN_PASSPHRASE GIT_TERMINAL_PROMPT XDG_DATA_HOME \
		XDG_CONFIG_HOME git-credential-bbtoken/tokens tokens.lock \
		git-credential-bbtoken/key bbtoken-get-file.so FROM STORES \
		SECURITY.md 0.1.0
	do
		grep -q -e "$word" page || { echo "missing: $word"; exit 1; }
	done
'

test_expect_success 'DESTDIR stages the install without touching prefix' '
	make -s -C src prefix=/usr DESTDIR="$TRASH/stage" install >build.log 2>&1 &&
	test -x stage/usr/bin/git-credential-bbtoken &&
	test -f stage/usr/lib/git-credential-bbtoken/bbtoken-full.so &&
	test -f stage/usr/share/man/man1/git-credential-bbtoken.1
'

test_expect_success 'uninstall removes what install put there' '
	for m in $OLD_MODULES; do
		: >"inst/lib/git-credential-bbtoken/$m" || exit 1
	done &&
	make -s -C src prefix="$TRASH/inst" uninstall >build.log 2>&1 &&
	! test -e inst/bin/git-credential-bbtoken &&
	! test -e inst/lib/git-credential-bbtoken &&
	! test -e inst/share/man/man1/git-credential-bbtoken.1
'

test_done
