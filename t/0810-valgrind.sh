#!/bin/sh
# SPDX-License-Identifier: MIT
# The C unit tests and a sample of helper calls under valgrind (memcheck):
# get, store and erase as git sends them on the Secret Service and on the
# encrypted file store, list, and add --no-verify.  Any memory error, or
# any definite leak (a buffer that held a token and was dropped unwiped
# and unfreed), fails.  GLib's and libsecret's allocations made once per
# process and kept for its life are in t/valgrind.supp.  Slow, so only
# with VALGRIND=1 (make test VALGRIND=1); CI sets it.

if test "${VALGRIND-}" != 1; then
	echo "1..0 # SKIP VALGRIND=1 not set"
	exit 0
fi

. "$(dirname "$0")/test-lib.sh"

command -v valgrind >/dev/null 2>&1 ||
	die "valgrind is not installed (see contrib/deps-debian.txt)"
test -z "${BBTOKEN_SANITIZE-}" ||
	die "valgrind cannot run a build made with SANITIZE=$BBTOKEN_SANITIZE"

VG_LOGS=$TRASH/valgrind
mkdir -p "$VG_LOGS"
HELPER=$BUILD_DIR/git-credential-bbtoken

# A wrapper, for the scripts that run a program by its path.
cat >"$TRASH/vg" <<EOF
#!/bin/sh
exec valgrind -q --leak-check=full --show-leak-kinds=definite \\
	--errors-for-leak-kinds=definite --error-exitcode=99 \\
	--suppressions="$TEST_DIRECTORY/valgrind.supp" \\
	--log-file="$VG_LOGS/%p" "\$@"
EOF
# run-store-test.sh runs TEST_STORE as the test binary.
cat >"$TRASH/vg-test-store" <<EOF
#!/bin/sh
exec "$TRASH/vg" "$BUILD_DIR/t/unit/test-store" "\$@"
EOF
chmod +x "$TRASH/vg" "$TRASH/vg-test-store"

# vg COMMAND...: COMMAND under valgrind, exit 99 if it made a report.
vg () {
	"$TRASH/vg" "$@"
}

# vg_reports: shows and removes the reports so far, false if any.
vg_reports () {
	found=0
	for f in "$VG_LOGS"/*; do
		test -s "$f" || { rm -f "$f"; continue; }
		echo "valgrind report $f:"
		cat "$f"
		rm -f "$f"
		found=1
	done
	test $found = 0
}

# request PATH [PASSWORD]: what git sends the helper for the stand-in.
request () {
	printf 'protocol=https\nhost=%s\npath=%s\nusername=jdoe\n' "$BB_HOST" "$1"
	test -z "${2-}" || printf 'password=%s\n' "$2"
}

start_bbserver
bb_user jdoe jdoe@example.com

test_expect_success 'a definite leak of a secret is caught (the check can fail)' '
	cat >leak.c <<-\EOF &&
	#include <stdlib.h>
	#include <string.h>
	int main(void)
	{
		char *p = malloc(64);
		strcpy(p, "password=not-a-real-token");
		p = NULL;
		return p != NULL;
	}
	EOF
	cc -g -O0 -o leak leak.c &&
	test_expect_code 99 vg ./leak &&
	! vg_reports >report &&
	test_grep "definitely lost" report
'

for unit in test-parsers test-crypto test-api; do
	test_expect_success "$unit is clean under valgrind" '
		vg "$BUILD_DIR/t/unit/'$unit'" >out &&
		! grep "^not ok" out &&
		vg_reports
	'
done

test_expect_success 'test-store is clean under valgrind, in every situation' '
	TEST_STORE="$TRASH/vg-test-store" \
		"$TEST_DIRECTORY/unit/run-store-test.sh" >out 2>&1 ||
	{ grep -v "^ok" out; false; } &&
	vg_reports
'

test_expect_success 'add --no-verify and list on the Secret Service' '
	tok=$(bb_token api --owner jdoe --scopes read,write) &&
	printf %s "$tok" >main.secret &&
	printf "%s\n" "$tok" | vg "$HELPER" add --stdin --no-verify \
		--host="$BB_HOST" --label=main --username=jdoe \
		--expires=$(day +30) >out 2>err &&
	vg "$HELPER" list --host="$BB_HOST" >list 2>err &&
	test_grep "^main " list &&
	vg_reports
'

test_expect_success 'get, store and erase on the Secret Service' '
	request acme/widget.git | vg "$HELPER" --host="$BB_HOST" get >answer &&
	test_grep "^password=$(cat main.secret)$" answer &&
	request acme/widget.git "$(cat main.secret)" |
	vg "$HELPER" --host="$BB_HOST" store &&
	request acme/widget.git "$(cat main.secret)" |
	vg "$HELPER" --host="$BB_HOST" erase &&
	vg_reports
'

test_expect_success 'init, store, get, list and erase on the file store' '
	vg "$HELPER" init --key-file >out 2>err &&
	tok=$(bb_token api --owner jdoe --scopes read) &&
	printf %s "$tok" >file.secret &&
	request acme/tool.git "$tok" |
	vg "$HELPER" --store=file --host="$BB_HOST" store &&
	request acme/tool.git | vg "$HELPER" --store=file --host="$BB_HOST" get >answer &&
	test_grep "^password=$(cat file.secret)$" answer &&
	git config --global bbtoken.store file &&
	vg "$HELPER" list --host="$BB_HOST" >list 2>err &&
	git config --global --unset bbtoken.store &&
	request acme/tool.git "$(cat file.secret)" |
	vg "$HELPER" --store=file --host="$BB_HOST" erase &&
	vg_reports
'

test_done
