#!/bin/sh
# SPDX-License-Identifier: MIT
# 0410-keyring-failures.sh again, on KeePassXC as the Secret Service, headless in the script's own
# D-Bus session.
BBTOKEN_TEST_STORE=keepassxc
export BBTOKEN_TEST_STORE
. "$(dirname "$0")/0410-keyring-failures.sh"
