#!/bin/sh
# SPDX-License-Identifier: MIT
# Both Secret Service backends against real keyrings: unlocked, locked,
# absent, and one that never answers (t/unit/test-store.c).
exec "$(dirname "$0")/unit/run-store-test.sh"
