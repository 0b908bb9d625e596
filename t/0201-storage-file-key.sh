#!/bin/sh
# SPDX-License-Identifier: MIT
# 0200-storage.sh again, on the encrypted file store made with a key file,
# and no D-Bus session at all.
BBTOKEN_TEST_STORE=file-key
export BBTOKEN_TEST_STORE
. "$(dirname "$0")/0200-storage.sh"
