#!/bin/sh
# SPDX-License-Identifier: MIT
# The pure parsers and rules, tested in C (t/unit/test-parsers.c).
exec "$(dirname "$0")/unit/test-parsers"
