#!/bin/sh
# SPDX-License-Identifier: MIT
# 0400-commands.sh again, on the encrypted file store made with a
# passphrase, unlocked into the kernel keyring, and no D-Bus session at all.
BBTOKEN_TEST_STORE=file-pass
export BBTOKEN_TEST_STORE
. "$(dirname "$0")/0400-commands.sh"
