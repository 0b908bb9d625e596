#!/bin/sh
# SPDX-License-Identifier: MIT
# How Bitbucket's answers are explained (api_explain), by the pure part
# of the client linked without libcurl (t/unit/test-api.c).
. "$(dirname "$0")/lib-sanitize.sh"
exec "$(dirname "$0")/unit/test-api"
