#!/bin/bash
# SPDX-License-Identifier: MIT
# The bash completion offers every command, the helper's --store= and
# the file store's commands with their options and values.  It calls no
# store here, but for the test of labels, which reads a real keyring.

. "$(dirname "$0")/test-lib.sh"

. "$BUILD_DIR/contrib/completion/git-credential-bbtoken.bash"

start_bbserver
bb_user jdoe jdoe@example.com

# complete_words CUR WORD...: what completing CUR after the WORDs offers,
# one per line, as git-credential-bbtoken WORD... CUR<TAB> would.
complete_words () {
	COMPREPLY=()
	__bbtoken_complete "$@"
	[ ${#COMPREPLY[@]} -eq 0 ] || printf '%s\n' "${COMPREPLY[@]}"
}

test_expect_success 'every command is offered' '
	complete_words "" >out &&
	printf "%s\n" add check doctor init list lock migrate move remove rotate \
		setup unlock >expect &&
	test_cmp expect out
'

test_expect_success 'the helper line offers --store= and its values' '
	complete_words --st >out &&
	echo --store= >expect &&
	test_cmp expect out &&
	complete_words --store= >out &&
	printf "%s\n" auto secretservice file >expect &&
	test_cmp expect out &&
	complete_words --store=s >out &&
	echo secretservice >expect &&
	test_cmp expect out
'

test_expect_success 'a command follows --store=' '
	complete_words lo --store=file >out &&
	echo lock >expect &&
	test_cmp expect out
'

test_expect_success 'init offers its options' '
	complete_words -- init >out &&
	printf "%s\n" --passphrase --key-file --key-file= --stdin >expect &&
	test_cmp expect out
'

test_expect_success 'init --passphrase leaves --stdin, not --key-file' '
	complete_words -- init --passphrase >out &&
	echo --stdin >expect &&
	test_cmp expect out
'

test_expect_success 'init --key-file leaves neither --passphrase nor --stdin' '
	complete_words -- init --key-file=/mnt/key >out &&
	test_must_be_empty out
'

test_expect_success 'unlock offers --for= and --stdin' '
	complete_words -- unlock >out &&
	printf "%s\n" --for= --stdin >expect &&
	test_cmp expect out
'

test_expect_success 'lock takes no option but -h' '
	complete_words -- lock >out &&
	test_must_be_empty out &&
	complete_words - lock >out &&
	echo -h >expect &&
	test_cmp expect out
'

test_expect_success 'move offers --to= and --host=' '
	complete_words -- move >out &&
	printf "%s\n" --to= --host= >expect &&
	test_cmp expect out &&
	complete_words -- move --to=file >out &&
	echo --host= >expect &&
	test_cmp expect out
'

test_expect_success 'move --to= offers the two stores, not auto' '
	complete_words --to= move >out &&
	printf "%s\n" file secretservice >expect &&
	test_cmp expect out &&
	complete_words --to=s move >out &&
	echo secretservice >expect &&
	test_cmp expect out
'

test_expect_success 'the program is registered for completion' '
	complete -p git-credential-bbtoken >out &&
	test_grep _git_credential_bbtoken_direct out
'

test_expect_success 'remove completes the stored labels and fingerprints, no more' '
	tok=$(bb_token api --owner jdoe --scopes read) &&
	printf "%s\n" "$tok" | git credential-bbtoken add --stdin --no-verify \
		--label=lab1 >/dev/null &&
	complete_words "" remove >out &&
	printf "%s\n" lab1 "$(fp "$tok")" >expect &&
	test_cmp expect out &&
	complete_words "" check >out &&
	echo lab1 >expect &&
	test_cmp expect out
'

test_done
