#!/bin/sh
# SPDX-License-Identifier: MIT
# The commands people type: add, list, remove, rotate and setup, and the
# warning window that bbtoken.warnDays and --warn-days give `get`.  Each
# command says what it did, refuses what it must with the reason and the
# fix, and never shows a token.

. "$(dirname "$0")/test-lib.sh"


# rotate_token SECRET ARGS...: rotate through stdin, never argv, without
# asking Bitbucket (t/0600-verify.sh tests that).
rotate_token () {
	secret=$1
	shift
	printf '%s\n' "$secret" |
	git credential-bbtoken rotate --stdin --no-verify "$@"
}

# main_state FILE: the list row of 'main' and what get answers with it.
main_state () {
	list_rows | grep "^main " >"$1" &&
	get_token acme/widget.git jdoe >>"$1"
}

test_expect_success 'list with nothing stored says how to add a token' '
	git credential-bbtoken list >out 2>err &&
	cat >expect <<-EOF &&
	No tokens stored. Add one with: git credential-bbtoken add
	Tokens are kept in $STORE_WHERE.
	EOF
	test_cmp expect out &&
	test_must_be_empty err
'

start_bbserver
bb_user jdoe jdoe@example.com
bb_repo acme widget

# --- add --------------------------------------------------------------

test_expect_success 'add stores a token from stdin and says what it stored' '
	tok=$(bb_token api --owner jdoe --scopes read,write) &&
	printf %s "$tok" >main.secret &&
	printf "%s\n" "$tok" >main.history &&
	printf "%s\n" "$tok" >secrets &&
	exp=$(day +30) &&
	add_token "$tok" --label=main --workspace=acme --username=jdoe \
		--expires="${exp}T23:59:59Z" >out 2>err &&
	cat >expect <<-EOF &&
	Stored API token ${SQ}main${SQ} for $BB_HOST (acme), fingerprint $(fp "$tok").
	git will send it with the username jdoe.
	It expires on $exp; you will be warned 14 days before.
	It is kept in $STORE_WHERE.
	EOF
	test_cmp expect out &&
	test_must_be_empty err
'

test_expect_success 'add binds an access token to a repository, for x-token-auth' '
	acc=$(bb_token access --scopes read --repository acme/gadget) &&
	printf %s "$acc" >gadget-ci.secret &&
	printf "%s\n" "$acc" >>secrets &&
	add_token "$acc" --label=gadget-ci --repo=acme/gadget \
		--expires=$(day +60) >out &&
	cat >expect <<-EOF &&
	Stored access token ${SQ}gadget-ci${SQ} for $BB_HOST (acme/gadget), fingerprint $(fp "$acc").
	git will send it with the username x-token-auth.
	It expires on $(day +60); you will be warned 14 days before.
	It is kept in $STORE_WHERE.
	EOF
	test_cmp expect out
'

test_expect_success 'add without --expires says the expiry is unknown' '
	tok=$(bb_token api --owner jdoe --scopes read) &&
	printf %s "$tok" >noexpiry.secret &&
	printf "%s\n" "$tok" >>secrets &&
	add_token "$tok" --label=noexpiry --workspace=noexp >out 2>err &&
	test_grep "expiry is unknown" err &&
	test_grep "give --expires=YYYY-MM-DD" err &&
	test_grep -v "expires on" out &&
	test_grep "Stored API token .noexpiry." out
'

test_expect_success 'add refuses an expiry that is not in the future, naming the token page' '
	tok=$(bb_token api --owner jdoe --scopes read) &&
	test_expect_code 1 add_token "$tok" --label=today \
		--expires=$(date -u +%F) >out 2>err &&
	test_grep "expires=$(date -u +%F) is not in the future" err &&
	test_grep "$TOKEN_PAGE" err &&
	test_must_be_empty out &&
	test_expect_code 1 add_token "$tok" --label=yesterday \
		--expires=$(day -1) 2>err &&
	test_grep "is not in the future" err &&
	test_grep "$TOKEN_PAGE" err &&
	git credential-bbtoken list >list &&
	test_grep -v "^today \|^yesterday " list
'

test_expect_success 'add refuses a date it cannot read' '
	tok=$(bb_token api --owner jdoe --scopes read) &&
	test_expect_code 1 add_token "$tok" --label=feb30 --expires=2027-02-30 2>err &&
	test_grep "expires=2027-02-30 is not a date; write YYYY-MM-DD" err &&
	test_expect_code 1 add_token "$tok" --label=words --expires=tomorrow 2>err &&
	test_grep "expires=tomorrow is not a date" err &&
	git credential-bbtoken list >list &&
	test_grep -v "^feb30 \|^words " list
'

test_expect_success 'add refuses --workspace together with --repo' '
	tok=$(bb_token api --owner jdoe --scopes read) &&
	test_expect_code 1 add_token "$tok" --label=both \
		--workspace=acme --repo=acme/widget 2>err &&
	test_grep "workspace and --repo exclude each other" err &&
	git credential-bbtoken list >list &&
	test_grep -v "^both " list
'

test_expect_success 'add refuses an email address as --username and says why' '
	tok=$(bb_token api --owner jdoe --scopes read) &&
	test_expect_code 1 add_token "$tok" --label=email \
		--username=jdoe@example.com 2>err &&
	test_grep "username=jdoe@example.com is an email address, which git over HTTPS does not accept" err &&
	test_grep "give your Bitbucket username" err &&
	git credential-bbtoken list >list &&
	test_grep -v "^email " list
'

test_expect_success 'add refuses --username with an access token' '
	acc=$(bb_token access --scopes read --repository acme/widget) &&
	test_expect_code 1 add_token "$acc" --label=accuser \
		--repo=acme/widget --username=jdoe 2>err &&
	test_grep "access tokens always go with the username x-token-auth; drop --username" err &&
	git credential-bbtoken list >list &&
	test_grep -v "^accuser " list
'

test_expect_success 'add refuses a label in use and names rotate' '
	tok=$(bb_token api --owner jdoe --scopes read) &&
	test_expect_code 1 add_token "$tok" --label=main 2>err &&
	test_grep "a token labelled .main. is stored already" err &&
	test_grep "git credential-bbtoken rotate main" err &&
	list_rows | grep -c "^main " >count &&
	echo 1 >expect &&
	test_cmp expect count
'

test_expect_success 'add refuses a token that is stored already' '
	test_expect_code 1 add_token "$(cat main.secret)" --label=again 2>err &&
	test_grep "this token is stored already, as .main." err &&
	git credential-bbtoken list >list &&
	test_grep -v "^again " list
'

test_expect_success 'add refuses a secret it does not recognise' '
	test_expect_code 1 add_token "hunter2" --label=pw 2>err &&
	test_grep "this is not a Bitbucket API token" err &&
	test_grep "pass --username" err &&
	git credential-bbtoken list >list &&
	test_grep -v "^pw " list
'

test_expect_success 'add stores an unrecognised secret as a password for --username, with a warning' '
	echo hunter2 >>secrets &&
	add_token "hunter2" --username=bob --expires=$(day +10) >out 2>err &&
	test_grep "^bbtoken: warning: not a Bitbucket token: storing it as a plain password for bob" err &&
	test_grep "Stored credential .bob. for $BB_HOST (account-wide)\.$" out &&
	list_rows >list &&
	test_grep "^bob $BB_HOST password bob - " list
'

test_expect_success 'add takes no operand' '
	tok=$(bb_token api --owner jdoe --scopes read) &&
	test_expect_code 129 add_token "$tok" --label=operand extra 2>err &&
	test_grep "add takes no operand (.extra.)" err &&
	git credential-bbtoken list >list &&
	test_grep -v "^operand " list
'

test_expect_success 'add -h prints the usage on stdout and exits 0' '
	git credential-bbtoken add -h >out 2>err &&
	test_grep "^usage: git credential-bbtoken add \[--host=HOST\] \[--label=LABEL\]" out &&
	test_grep "\[--workspace=W | --repo=W/R\] \[--expires=DATE\]" out &&
	test_grep "\[--username=USER\] \[--email=EMAIL\]" out &&
	test_must_be_empty err
'

test_expect_success 'every usage fits in 80 columns' '
	git credential-bbtoken -h >usage &&
	for cmd in add check doctor init list lock migrate move remove rotate \
		setup unlock
	do
		git credential-bbtoken $cmd -h >>usage || return 1
	done &&
	test_grep "init (--passphrase \[--stdin\] | --key-file\[=PATH\])" usage &&
	test_grep "move --to=(file|secretservice)" usage &&
	test_grep "\[--store=STORE\]" usage &&
	awk "length(\$0) > 80 { print \"too wide: \" \$0; bad = 1 } END { exit bad }" usage
'

test_expect_success 'add with an unknown option exits 129 with the usage' '
	test_expect_code 129 git credential-bbtoken add --lable=typo </dev/null >out 2>err &&
	test_grep "unknown option .--lable=typo." err &&
	test_grep "^usage: git credential-bbtoken add" err &&
	test_must_be_empty out
'

test_expect_success 'add for a host git does not ask about shows the line that declares it' '
	tok=$(bb_token api --owner jdoe --scopes read) &&
	printf "%s\n" "$tok" >>secrets &&
	add_token "$tok" --host=git.example.com:8443 --label=mirror \
		--expires=$(day +30) >out 2>err &&
	test_grep "Stored API token .mirror. for git.example.com:8443" out &&
	test_grep "warning: git will not ask this helper for git.example.com:8443" err &&
	test_grep "git config --global --add bbtoken.host git.example.com:8443" err
'

test_expect_success 'add for a host declared in bbtoken.host does not warn' '
	git config --global --add bbtoken.host git.example.com:8443 &&
	tok=$(bb_token api --owner jdoe --scopes read) &&
	printf "%s\n" "$tok" >>secrets &&
	add_token "$tok" --host=git.example.com:8443 --label=mirror2 \
		--workspace=acme --expires=$(day +30) >out 2>err &&
	test_grep "Stored API token .mirror2. for git.example.com:8443" out &&
	test_must_be_empty err
'

# --- list -------------------------------------------------------------

test_expect_success 'list shows one row per token: kind, username, binding, expiry, state, fingerprint' '
	old=$(bb_token api --owner jdoe --expires -3) &&
	printf "%s\n" "$old" >>secrets &&
	printf "%s\n" "bbtoken-secret 1" kind=api origin=added \
		expires=$(($(date +%s) - 3 * 86400)) created=$(date +%s) \
		label=old protocol=https host=$BB_HOST workspace=old \
		password=$old | put_raw_item old &&
	list_rows --host=$BB_HOST >out &&
	cat >expect <<-EOF &&
	LABEL HOST KIND USERNAME BINDING EXPIRES STATE FROM FINGERPRINT
	bob $BB_HOST password bob - $(day +10) (in 10 days) ok add -
	gadget-ci $BB_HOST access x-token-auth acme/gadget $(day +60) (in 60 days) ok add $(fp "$(cat gadget-ci.secret)")
	main $BB_HOST api jdoe acme $(day +30) (in 30 days) ok add $(fp "$(cat main.secret)")
	noexpiry $BB_HOST api x-bitbucket-api-token-auth noexp unknown ok add $(fp "$(cat noexpiry.secret)")
	old $BB_HOST api x-bitbucket-api-token-auth old EXPIRED $(day -3) ok add $(fp "$old")
	Tokens are kept in $STORE_WHERE.
	EOF
	sed -e "s/ (in [0-9]* days)//" expect >expect.nodays &&
	sed -e "s/ (in [0-9]* days)//" out >out.nodays &&
	test_cmp expect.nodays out.nodays
'

test_expect_success 'list counts the days to an expiry as the calendar does' '
	tok=$(bb_token api --owner jdoe --scopes read) &&
	printf "%s\n" "$tok" >>secrets &&
	add_token "$tok" --label=tomorrow --workspace=tm --expires=$(day +1) >/dev/null &&
	list_rows >out &&
	test_grep "^main .* $(day +30) (in 30 days) ok" out &&
	test_grep "^gadget-ci .* $(day +60) (in 60 days) ok" out &&
	test_grep "^tomorrow .* $(day +1) (in 1 day) ok" out
'

test_expect_success 'list never prints a token' '
	git credential-bbtoken list >out 2>err &&
	test_grep FINGERPRINT out &&
	! grep -F -f secrets out err
'

test_expect_success 'nothing outside the secret is derived from a weak password' '
	printf "protocol=https\nhost=%s\nusername=carol\npassword=Summer2026\n" \
		"$BB_HOST" | git credential-bbtoken --host="$BB_HOST" store &&
	list_rows >out &&
	grep " carol " out >row &&
	test_grep "^git-[0-9a-f]\{8\} .* -$" row &&
	test_grep -v "$(fp Summer2026)" row &&
	if test "$STORE_KIND" = keyring; then
		secret-tool search --all xdg:schema org.bbtoken.Token >attrs 2>&1 &&
		test_grep "carol" attrs &&
		test_grep -v "$(fp Summer2026)" attrs
	fi &&
	label=$(cut -d" " -f1 row) &&
	git credential-bbtoken remove "$label" >/dev/null
'

test_expect_success 'list --host narrows the table to one host' '
	list_rows --host=git.example.com:8443 >out &&
	cat >expect <<-EOF &&
	LABEL HOST KIND USERNAME BINDING EXPIRES STATE FROM FINGERPRINT
	mirror git.example.com:8443 api x-bitbucket-api-token-auth - $(day +30)
	mirror2 git.example.com:8443 api x-bitbucket-api-token-auth acme $(day +30)
	Tokens are kept in $STORE_WHERE.
	EOF
	sed -e "s/ (in .*//" out >out.short &&
	test_cmp expect out.short &&
	list_rows --host=$BB_HOST >out &&
	test_grep "^main " out &&
	test_grep -v "^mirror" out
'

test_expect_success 'list --host for a host without tokens says so' '
	git credential-bbtoken list --host=nothing.example.com >out &&
	cat >expect <<-EOF &&
	No tokens stored for nothing.example.com. Add one with: git credential-bbtoken add
	Tokens are kept in $STORE_WHERE.
	EOF
	test_cmp expect out
'

# --- remove -----------------------------------------------------------

test_expect_success 'remove deletes a token by its label, and get no longer answers it' '
	tok=$(bb_token api --owner jdoe --scopes read) &&
	add_token "$tok" --label=gone --workspace=gonews >/dev/null 2>&1 &&
	get_token gonews/repo.git >answer &&
	test_grep "^password=$tok$" answer &&
	git credential-bbtoken remove gone >out &&
	echo "Removed API token ${SQ}gone${SQ} for $BB_HOST (fingerprint $(fp "$tok"))." >expect &&
	test_cmp expect out &&
	git credential-bbtoken list >list &&
	test_grep -v "^gone " list &&
	get_token gonews/repo.git >answer &&
	test_grep -v "$tok" answer
'

test_expect_success 'remove deletes a token by its fingerprint' '
	tok=$(bb_token api --owner jdoe --scopes read) &&
	add_token "$tok" --label=byfp --workspace=fpws >/dev/null 2>&1 &&
	git credential-bbtoken remove $(fp "$tok") >out &&
	test_grep "Removed API token .byfp. for $BB_HOST (fingerprint $(fp "$tok"))" out &&
	git credential-bbtoken list >list &&
	test_grep -v "^byfp \|$(fp "$tok")" list &&
	get_token fpws/repo.git >answer &&
	test_grep -v "$tok" answer
'

test_expect_success 'remove of an unknown label fails and points to list' '
	git credential-bbtoken list >before &&
	test_expect_code 1 git credential-bbtoken remove nosuch >out 2>err &&
	test_grep "no stored token is labelled or fingerprinted .nosuch." err &&
	test_grep "git credential-bbtoken list" err &&
	test_must_be_empty out &&
	git credential-bbtoken list >after &&
	test_cmp before after
'

# --- rotate -----------------------------------------------------------

test_expect_success 'rotate replaces the secret and keeps label, binding and username' '
	old=$(cat main.secret) &&
	new=$(bb_token api --owner jdoe --scopes read,write --expires +90) &&
	printf "%s\n" "$new" >>secrets &&
	rotate_token "$new" --expires=$(day +90) main >out 2>err &&
	cat >expect <<-EOF &&
	Replaced the secret of ${SQ}main${SQ} for $BB_HOST; new fingerprint $(fp "$new").
	It expires on $(day +90).
	EOF
	test_cmp expect out &&
	test_must_be_empty err &&
	printf %s "$new" >main.secret &&
	printf "%s\n" "$new" >>main.history &&
	list_rows >list &&
	test_grep "^main $BB_HOST api jdoe acme $(day +90) (in [0-9]* days) ok add $(fp "$new")$" list &&
	test_grep -v "$(fp "$old")" list &&
	get_token acme/widget.git jdoe >answer &&
	printf "username=jdoe\npassword=%s\n" "$new" >expect &&
	sed -e "/^password_expiry_utc=/d" answer >answer.short &&
	test_cmp expect answer.short
'

test_expect_success 'rotate clears a rejected mark' '
	printf "protocol=https\nhost=%s\nusername=jdoe\npassword=%s\n" \
		"$BB_HOST" "$(cat main.secret)" |
	git credential-bbtoken --host="$BB_HOST" erase 2>/dev/null &&
	list_rows >list &&
	test_grep "^main .* rejected " list &&
	new=$(bb_token api --owner jdoe --scopes read,write --expires +90) &&
	printf "%s\n" "$new" >>secrets &&
	rotate_token "$new" --expires=$(day +90) main >out &&
	printf %s "$new" >main.secret &&
	printf "%s\n" "$new" >>main.history &&
	list_rows >list &&
	test_grep "^main .* ok add $(fp "$new")$" list &&
	get_token acme/widget.git jdoe >answer &&
	test_grep "^password=$new$" answer
'

test_expect_success 'git clones with the rotated token' '
	# The secrets main held before: were one of them sent, the clone fails.
	for old in $(sed -e "\$d" main.history); do
		python3 "$TEST_DIRECTORY/bbstate" "$BB_STATE" revoke "$old" || exit 1
	done &&
	: >"$TRASH/bbserver.log" &&
	git clone -q "https://jdoe@$BB_HOST/acme/widget.git" rotated &&
	test_grep "GET /acme/widget.git/info/refs?service=git-upload-pack jdoe 200" \
		"$TRASH/bbserver.log" &&
	test -f rotated/README
'

test_expect_success 'rotate refuses an app password and keeps the old token' '
	main_state before &&
	app=$(bb_token app_password --owner jdoe) &&
	test_expect_code 1 rotate_token "$app" main >out 2>err &&
	test_grep "this is an app password" err &&
	test_grep "$TOKEN_PAGE" err &&
	main_state after &&
	test_cmp before after &&
	test_grep "^password=$(cat main.secret)$" after
'

test_expect_success 'rotate refuses a token of another kind and keeps the old token' '
	main_state before &&
	acc=$(bb_token access --scopes read --repository acme/widget) &&
	test_expect_code 1 rotate_token "$acc" main >out 2>err &&
	test_grep "holds an API token, but this is an access token" err &&
	main_state after &&
	test_cmp before after &&
	test_grep "^password=$(cat main.secret)$" after
'

test_expect_success 'rotate refuses a secret that is not a Bitbucket token and keeps the old token' '
	main_state before &&
	test_expect_code 1 rotate_token hunter3 main >out 2>err &&
	test_grep "but this is not a Bitbucket token" err &&
	main_state after &&
	test_cmp before after
'

test_expect_success 'rotate refuses a token with a bad checksum and keeps the old token' '
	main_state before &&
	bad=$(bb_token api --owner jdoe --scopes read,write --bad-checksum) &&
	test_expect_code 1 rotate_token "$bad" main >out 2>err &&
	test_grep "fails its checksum: it looks mistyped or truncated" err &&
	main_state after &&
	test_cmp before after &&
	test_grep "^password=$(cat main.secret)$" after
'

test_expect_success 'rotate refuses the same token again and keeps it' '
	main_state before &&
	test_expect_code 1 rotate_token "$(cat main.secret)" --expires=$(day +200) \
		main >out 2>err &&
	test_grep "this is the token .main. holds already" err &&
	main_state after &&
	test_cmp before after
'

test_expect_success 'rotate refuses an expiry in the past and keeps the old token' '
	main_state before &&
	new=$(bb_token api --owner jdoe --scopes read,write) &&
	! rotate_token "$new" --expires=$(day -1) main >out 2>err &&
	test_grep "is not in the future" err &&
	test_grep "$TOKEN_PAGE" err &&
	main_state after &&
	test_cmp before after &&
	test_grep "^password=$(cat main.secret)$" after
'

test_expect_success 'rotate exits 1, as add does, for an expiry in the past' '
	new=$(bb_token api --owner jdoe --scopes read,write) &&
	test_expect_code 1 rotate_token "$new" --expires=$(day -1) main 2>err &&
	test_expect_code 1 add_token "$new" --label=past --expires=$(day -1) 2>err
'

test_expect_success 'rotate of an unknown label fails and points to list' '
	new=$(bb_token api --owner jdoe --scopes read,write) &&
	test_expect_code 1 rotate_token "$new" nosuch >out 2>err &&
	test_grep "no stored token is labelled or fingerprinted .nosuch." err &&
	test_grep "git credential-bbtoken list" err
'

# --- get: the warning window --------------------------------------------

# git credential fill for PATH, through the helper line in the config.
fill () {
	printf 'protocol=https\nhost=%s\npath=%s\n\n' "$BB_HOST" "$1" |
	git credential fill
}

test_expect_success 'get does not warn of a token 20 days from expiry by default' '
	tok=$(bb_token api --owner jdoe --scopes read) &&
	printf "%s\n" "$tok" >>secrets &&
	add_token "$tok" --label=later --workspace=wd --expires=$(day +20) >/dev/null &&
	fill wd/repo.git >out 2>err &&
	test_grep "^password=$tok$" out &&
	test_grep -v "expires on" err
'

test_expect_success 'bbtoken.warnDays in the global config widens the warning window' '
	git config --global bbtoken.warnDays 30 &&
	fill wd/repo.git >out 2>err &&
	test_grep "^password=" out &&
	test_grep "warning: API token .later. expires on $(day +20)" err &&
	test_grep "rotate later" err
'
git config --global --unset bbtoken.warnDays

test_expect_success 'the --warn-days helper option overrides bbtoken.warnDays' '
	git config --global bbtoken.warnDays 30 &&
	git config --global credential.helper "bbtoken --host=$BB_HOST --warn-days=10" &&
	fill wd/repo.git >out 2>err &&
	test_grep "^password=" out &&
	test_grep -v "expires on" err &&
	git config --global bbtoken.warnDays 5 &&
	git config --global credential.helper "bbtoken --host=$BB_HOST --warn-days=30" &&
	fill wd/repo.git >out 2>err &&
	test_grep "warning: API token .later. expires on $(day +20)" err
'
git config --global --unset bbtoken.warnDays
git config --global credential.helper "bbtoken --host=$BB_HOST"

test_expect_success 'get warns of a token that expires later today without a count of 0 days' '
	tok=$(bb_token api --owner jdoe --scopes read) &&
	printf "%s\n" "$tok" >>secrets &&
	add_token "$tok" --label=lastday --workspace=ld \
		--expires="$(date -u +%F)T23:59:59Z" >/dev/null &&
	list_rows >list &&
	test_grep "^lastday .* $(date -u +%F) (today) ok" list &&
	fill ld/repo.git >out 2>err &&
	test_grep "^password=$tok$" out &&
	test_grep "warning: API token .lastday. expires on $(date -u +%F) (today)" err &&
	test_grep -v "0 days" err
'

# --- setup --------------------------------------------------------------

# setup works on the real global file, ~/.gitconfig, which also holds the
# helper line for the stand-in: keep it, and put it back afterwards.
cp "$HOME/.gitconfig" "$TRASH/gitconfig.saved"

# --- the command line, as git users expect ----------------------------------

test_expect_success 'rotate takes its label before its options, as git commands do' '
	new=$(bb_token api --owner jdoe --scopes read,write --expires +80) &&
	printf "%s\n" "$new" >>secrets &&
	printf "%s\n" "$new" |
	git credential-bbtoken rotate main --stdin --no-verify \
		--expires=$(day +80) >out 2>err &&
	test_grep "^Replaced the secret of .main." out &&
	printf %s "$new" >main.secret &&
	list_rows >list &&
	test_grep "^main .* $(day +80) " list
'

test_expect_success 'options given after the command mean what they mean before it' '
	tok=$(bb_token api --owner jdoe --scopes read) &&
	printf "%s\n" "$tok" >>secrets &&
	printf "%s\n" "$tok" |
	git credential-bbtoken --host="$BB_HOST" add --stdin --no-verify \
		--label=before --workspace=bf >out 2>err &&
	test_grep "^Stored API token .before. for $BB_HOST (bf)" out &&
	tok2=$(bb_token api --owner jdoe --scopes read) &&
	printf "%s\n" "$tok2" >>secrets &&
	printf "%s\n" "$tok2" |
	git credential-bbtoken add --stdin --host="$BB_HOST" \
		--api-url="$BB_URL/2.0" --no-verify --label=after --workspace=af \
		>out 2>err &&
	test_grep "^Stored API token .after. for $BB_HOST (af)" out &&
	git credential-bbtoken remove before >/dev/null &&
	git credential-bbtoken remove after >/dev/null
'

test_expect_success 'every flag has a --no- form, the last one given wins' '
	git credential-bbtoken list --host="$BB_HOST" >plain &&
	git credential-bbtoken check --json --no-json --host="$BB_HOST" bf-missing \
		>out 2>err;
	test_grep -v "^\[" out &&
	test_grep "no stored token is labelled or fingerprinted .bf-missing." err
'

test_expect_success 'after --, a word that looks like an option is an operand' '
	test_expect_code 1 git credential-bbtoken remove -- --stdin >out 2>err &&
	test_grep "no stored token is labelled or fingerprinted .--stdin." err
'

test_expect_success 'a single-dash option that is not -h is refused' '
	test_expect_code 129 git credential-bbtoken list -x >out 2>err &&
	test_grep "unknown option .-x." err
'

test_expect_success 'setup writes an empty helper, then bbtoken, and useHttpPath to ~/.gitconfig' '
	git config --global credential.helper store &&
	git config --global credential.https://bitbucket.org.helper manager &&
	git config --global --list >setup.before &&
	cp "$HOME/.gitconfig" gitconfig.before &&
	git credential-bbtoken setup >out 2>err &&
	printf "\nbbtoken\n" >expect &&
	git config --file "$HOME/.gitconfig" --get-all \
		credential.https://bitbucket.org.helper >actual &&
	test_cmp expect actual &&
	echo true >expect &&
	git config --file "$HOME/.gitconfig" \
		credential.https://bitbucket.org.useHttpPath >actual &&
	test_cmp expect actual &&
	echo store >expect &&
	git config --global credential.helper >actual &&
	test_cmp expect actual &&
	test_grep "helper was: .manager." out &&
	test_grep "helper now: ${SQ}${SQ} ${SQ}bbtoken${SQ}" out &&
	test_grep "useHttpPath now: true" out &&
	test_grep "^transfer.credentialsInUrl now: warn" out &&
	git config --global transfer.credentialsInUrl >ciu &&
	echo warn >expect &&
	test_cmp expect ciu &&
	test_grep "git credential-bbtoken setup --unset" out &&
	test_must_be_empty err
'

test_expect_success 'after setup git asks no other helper for bitbucket.org' '
	echo "https://jdoe:ATBBdeadapppassword@bitbucket.org" >"$HOME/.git-credentials" &&
	printf "protocol=https\nhost=bitbucket.org\n\n" >request &&
	! git credential fill <request >out 2>err &&
	test_grep -v ATBB out &&
	test_grep -v "credential-manager" err &&
	rm -f "$HOME/.git-credentials"
'

test_expect_success 'setup run again says it is set up and changes nothing' '
	cp "$HOME/.gitconfig" gitconfig.once &&
	git credential-bbtoken setup >out &&
	test_grep "git is set up already" out &&
	cmp gitconfig.once "$HOME/.gitconfig"
'

test_expect_success 'setup --unset restores what was there before' '
	git credential-bbtoken setup --unset >out &&
	test_grep "helper restored to: .manager." out &&
	test_grep "useHttpPath restored to: (none)" out &&
	test_grep "^transfer.credentialsInUrl restored to: (none)" out &&
	git config --global --list >setup.after &&
	test_cmp setup.before setup.after &&
	test_grep -v "bbtoken-setup" "$HOME/.gitconfig"
'

test_expect_success 'setup --unset with nothing to undo says so and changes nothing' '
	cp "$HOME/.gitconfig" gitconfig.once &&
	git credential-bbtoken setup --unset >out &&
	test_grep "Nothing to undo" out &&
	cmp gitconfig.once "$HOME/.gitconfig"
'

cp "$TRASH/gitconfig.saved" "$HOME/.gitconfig"

test_done
