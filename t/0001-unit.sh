#!/bin/sh
# SPDX-License-Identifier: MIT
# The pure parsers and rules, tested in C (t/unit/test-parsers.c).
. "$(dirname "$0")/lib-sanitize.sh"
exec "$(dirname "$0")/unit/test-parsers"
