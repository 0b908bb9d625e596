#!/bin/sh
# SPDX-License-Identifier: MIT
# The file store's cryptography against known answers (t/unit/test-crypto.c).
exec "$(dirname "$0")/unit/test-crypto"
