#!/bin/sh
# SPDX-License-Identifier: MIT
# Each parser under libFuzzer with ASan and UBSan, briefly: a smoke run
# from the seeds in t/fuzz/seeds, so that a crash an input can reach is
# found by make test and not only by someone running `make fuzz` for
# hours.  A crash leaves its input in the trash directory.

. "$(dirname "$0")/test-lib.sh"

# Enough runs to leave the seeds well behind, few enough for make test.
RUNS=${BBTOKEN_FUZZ_RUNS:-30000}

for target in credential token rules api filestore; do
	test_expect_success "fuzz-$target survives $RUNS inputs" '
		mkdir -p "corpus-'$target'" &&
		cp "$TEST_DIRECTORY/fuzz/seeds/'$target'/"* "corpus-'$target'/" &&
		"$TEST_DIRECTORY/fuzz/fuzz-'$target'" -runs=$RUNS -max_len=4096 \
			-artifact_prefix="$TRASH/crash-'$target'-" \
			"corpus-'$target'" >fuzz.log 2>&1 ||
		{ tail -n 30 fuzz.log; false; }
	'
done

test_done
