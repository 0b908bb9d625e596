#!/bin/sh
# SPDX-License-Identifier: MIT
# The zsh completion, through zsh's own completion system in a
# pseudo-terminal (t/lib/zsh-complete.zsh): the commands, the helper's
# options and their values, each command's options, and the stored
# labels, both as git-credential-bbtoken and as `git credential-bbtoken`.

. "$(dirname "$0")/test-lib.sh"

start_bbserver
bb_user jdoe jdoe@example.com

# offers LINE: what TAB after LINE offers, sorted, one per line.
offers () {
	timeout 30 zsh -f "$BUILD_DIR/t/lib/zsh-complete.zsh" \
		"$BUILD_DIR/contrib/completion" raw "$1" &&
	sort -u raw
}

test_expect_success 'every command is offered' '
	offers "git-credential-bbtoken " >out &&
	printf "%s\n" add check doctor init list lock migrate move remove \
		rotate setup unlock >expect &&
	test_cmp expect out
'

test_expect_success 'git credential-bbtoken completes through _git too' '
	offers "git credential-bbtoken " >out &&
	printf "%s\n" add check doctor init list lock migrate move remove \
		rotate setup unlock >expect &&
	test_cmp expect out
'

test_expect_success 'the helper line offers --store= and its values' '
	offers "git-credential-bbtoken --st" >out &&
	echo --store >expect &&
	test_cmp expect out &&
	offers "git-credential-bbtoken --store=" >out &&
	printf "%s\n" auto file secretservice >expect &&
	test_cmp expect out
'

test_expect_success 'a command follows --store=' '
	offers "git-credential-bbtoken --store=file lo" >out &&
	echo lock >expect &&
	test_cmp expect out
'

test_expect_success 'init --passphrase leaves --stdin, not --key-file' '
	offers "git-credential-bbtoken init --" >out &&
	printf "%s\n" --key-file --passphrase --stdin >expect &&
	test_cmp expect out &&
	offers "git-credential-bbtoken init --passphrase --" >out &&
	echo --stdin >expect &&
	test_cmp expect out
'

test_expect_success 'rotate --due leaves only --host' '
	offers "git-credential-bbtoken rotate --due --" >out &&
	echo --host >expect &&
	test_cmp expect out
'

test_expect_success 'move --to= offers the two stores, not auto' '
	offers "git-credential-bbtoken move --to=" >out &&
	printf "%s\n" file secretservice >expect &&
	test_cmp expect out
'

test_expect_success 'remove completes the stored labels and fingerprints' '
	tok=$(bb_token api --owner jdoe --scopes read) &&
	printf "%s\n" "$tok" | git credential-bbtoken add --stdin --no-verify \
		--label=lab1 >/dev/null &&
	offers "git-credential-bbtoken remove " >out &&
	printf "%s\n" "$(fp "$tok")" lab1 | sort >expect &&
	test_cmp expect out &&
	offers "git-credential-bbtoken check " >out &&
	echo lab1 >expect &&
	test_cmp expect out
'

test_done
