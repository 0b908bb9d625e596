#!/bin/sh
# SPDX-License-Identifier: MIT
# Every test body keeps its && chain (t/chainlint.py), and the linter
# itself finds a chain that is broken.
dir=$(cd "$(dirname "$0")" && pwd)
echo "1..2"
if out=$(python3 "$dir/chainlint.py" "$dir"/[0-9][0-9][0-9][0-9]-*.sh 2>&1); then
	echo "ok 1 - every test body keeps its && chain"
else
	echo "not ok 1 - every test body keeps its && chain"
	printf '%s\n' "$out" | sed -e 's/^/#	/'
fi
tmp=$(mktemp)
printf '%s\n' "test_expect_success 'broken' '" "	false" "	true" "'" >"$tmp"
if python3 "$dir/chainlint.py" "$tmp" >/dev/null 2>&1; then
	echo "not ok 2 - a body whose first line lacks && is reported"
else
	echo "ok 2 - a body whose first line lacks && is reported"
fi
rm -f "$tmp"
