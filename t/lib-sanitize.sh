# SPDX-License-Identifier: MIT
# Sanitizer options for `make test SANITIZE=...`, which says so in
# BBTOKEN_SANITIZE.  Sourced by test-lib.sh, and by the scripts that
# exec a unit test without it (t/0001, t/0050...), where a report makes
# the test binary exit non-zero or print on stderr, and prove sees that.
# Set SANITIZER_LOGS first to have each report written to a file there.
# Only our programs carry a sanitizer: git, python and the keyring run
# as they are, and nothing is preloaded.
if test -n "${BBTOKEN_SANITIZE-}"; then
	ASAN_OPTIONS=detect_leaks=1:strict_string_checks=1:detect_stack_use_after_return=1:check_initialization_order=1
	UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
	if test -n "${SANITIZER_LOGS-}"; then
		ASAN_OPTIONS=$ASAN_OPTIONS:log_path=$SANITIZER_LOGS/asan
		UBSAN_OPTIONS=$UBSAN_OPTIONS:log_path=$SANITIZER_LOGS/ubsan
	fi
	LSAN_OPTIONS=suppressions=${TEST_DIRECTORY:-$(cd "$(dirname "$0")" && pwd)}/lsan.supp:print_suppressions=0
	export ASAN_OPTIONS LSAN_OPTIONS UBSAN_OPTIONS
fi
