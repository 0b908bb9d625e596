#!/bin/sh
# SPDX-License-Identifier: MIT
# How Bitbucket's answers are explained (api_explain), and the requests
# the client refuses to send at all (t/unit/test-api.c).
. "$(dirname "$0")/lib-sanitize.sh"
exec "$(dirname "$0")/unit/test-api"
