#!/bin/sh
# SPDX-License-Identifier: MIT
# The Bitbucket stand-in itself, checked against what
# docs/bitbucket-auth.md says Bitbucket answers (t/bbserver-selftest.sh):
# every other script trusts it.

. "$(dirname "$0")/test-lib.sh"

test_expect_success 'the Bitbucket stand-in answers as Bitbucket does' '
	bash "$TEST_DIRECTORY/bbserver-selftest.sh" >selftest.out 2>&1 ||
	{ cat selftest.out; false; }
'

test_done
