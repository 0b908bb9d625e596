#!/bin/sh
# SPDX-License-Identifier: MIT
# 0200-storage.sh again, on KWallet (kwalletd5) as the Secret Service, headless in the script's
# own D-Bus session.
BBTOKEN_TEST_STORE=kwallet
export BBTOKEN_TEST_STORE
. "$(dirname "$0")/0200-storage.sh"
