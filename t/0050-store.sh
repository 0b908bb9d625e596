#!/bin/sh
# SPDX-License-Identifier: MIT
# Both Secret Service backends against real keyrings: unlocked, locked,
# absent, and one that never answers (t/unit/test-store.c).
. "$(dirname "$0")/lib-sanitize.sh"
exec "$(dirname "$0")/unit/run-store-test.sh"
