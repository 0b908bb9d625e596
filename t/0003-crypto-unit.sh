#!/bin/sh
# SPDX-License-Identifier: MIT
# The file store's cryptography against known answers (t/unit/test-crypto.c).
. "$(dirname "$0")/lib-sanitize.sh"
exec "$(dirname "$0")/unit/test-crypto"
