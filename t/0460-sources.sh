#!/bin/sh
# SPDX-License-Identifier: MIT
# The read-only token sources of CI runners and fleets: BBTOKEN_TOKEN,
# BBTOKEN_TOKEN_FILE, systemd's $CREDENTIALS_DIRECTORY/bbtoken and
# bbtoken.tokenCommand, through the real git over TLS.  A source gives
# git its token, nothing is ever stored from it, and a source that is set
# but cannot give a token says which it is and what to do.

. "$(dirname "$0")/test-lib.sh"

start_bbserver
bb_user jdoe jdoe@example.com
bb_user alice alice@example.com
bb_repo acme widget

# keyring_items FILE: every item of ours in the keyring, into FILE.
keyring_items () {
	secret-tool search --all xdg:schema org.bbtoken.Token >"$1" 2>&1
	return 0
}

# get_quiet PATH: what get answers, its stderr into err.
get_quiet () {
	get_token "$1" 2>err
}

# with_file CONTENT: the token file, 0600, for BBTOKEN_TOKEN_FILE.
with_file () {
	rm -f "$TRASH/token.file" &&
	printf "$1" >"$TRASH/token.file" &&
	chmod 600 "$TRASH/token.file"
}

# token_script NAME BODY: an executable sh script in bin/.
token_script () {
	mkdir -p "$TRASH/bin" &&
	printf '#!/bin/sh\n%s\n' "$2" >"$TRASH/bin/$1" &&
	chmod 755 "$TRASH/bin/$1"
}

TOK=$(bb_token api --owner jdoe --scopes read,write)
printf %s "$TOK" >"$TRASH/tok.secret"

# --- BBTOKEN_TOKEN --------------------------------------------------------

test_expect_success 'BBTOKEN_TOKEN clones and pushes, with an empty keyring' '
	keyring_items items && test_must_be_empty items &&
	BBTOKEN_TOKEN=$TOK && export BBTOKEN_TOKEN &&
	git clone -q "$BB_URL/acme/widget.git" widget 2>err &&
	test_must_be_empty err &&
	(
		cd widget &&
		echo change >>README &&
		git commit -q -am change &&
		git push -q origin main
	) &&
	git -C "$BB_ROOT/acme/widget.git" log --oneline >log &&
	test_grep change log &&
	test_grep "git-receive-pack x-bitbucket-api-token-auth 200" \
		"$TRASH/bbserver.log"
'

test_expect_success 'nothing is stored from BBTOKEN_TOKEN' '
	keyring_items items &&
	test_must_be_empty items
'

test_expect_success 'BBTOKEN_USERNAME ties the token to the account' '
	: >"$TRASH/bbserver.log" &&
	BBTOKEN_TOKEN=$TOK BBTOKEN_USERNAME=jdoe \
		git clone -q "$BB_URL/acme/widget.git" byuser &&
	test_grep "upload-pack jdoe 200" "$TRASH/bbserver.log"
'

test_expect_success 'an email in BBTOKEN_USERNAME is not sent to git' '
	BBTOKEN_TOKEN=$TOK BBTOKEN_USERNAME=jdoe@example.com \
		get_quiet acme/widget.git >answer &&
	test_grep "^username=x-bitbucket-api-token-auth$" answer
'

test_expect_success 'an access token from BBTOKEN_TOKEN goes with x-token-auth' '
	acc=$(bb_token access --scopes read --repository acme/widget) &&
	BBTOKEN_TOKEN=$acc BBTOKEN_USERNAME=jdoe get_quiet acme/widget.git >answer &&
	test_grep "^username=x-token-auth$" answer &&
	test_grep "^password=$acc$" answer
'

test_expect_success 'BBTOKEN_EXPIRES in the past withholds it, saying where to replace it' '
	BBTOKEN_TOKEN=$TOK BBTOKEN_EXPIRES=$(day -1) \
		get_quiet acme/widget.git >answer &&
	test_grep -v "$TOK" answer &&
	test_grep "API token from BBTOKEN_TOKEN expired on $(day -1)" err &&
	test_grep "put it in BBTOKEN_TOKEN" err &&
	test_grep -v "rotate" err &&
	! BBTOKEN_TOKEN=$TOK BBTOKEN_EXPIRES=$(day -1) \
		git clone -q "$BB_URL/acme/widget.git" expired 2>err &&
	test_grep "expired on" err
'

test_expect_success 'BBTOKEN_EXPIRES within the warning window warns' '
	BBTOKEN_TOKEN=$TOK BBTOKEN_EXPIRES=$(day +5)T12:00:00Z \
		git clone -q "$BB_URL/acme/widget.git" soon 2>err &&
	test_grep "warning: the API token from BBTOKEN_TOKEN expires on $(day +5) (in 5 days)" err &&
	test_grep -v "rotate" err &&
	BBTOKEN_TOKEN=$TOK BBTOKEN_EXPIRES=$(day +5) get_quiet x.git >answer &&
	test_grep "^password_expiry_utc=$(date -u -d "$(day +5)" +%s)$" answer
'

test_expect_success 'a BBTOKEN_EXPIRES that is no date is refused' '
	BBTOKEN_TOKEN=$TOK BBTOKEN_EXPIRES=tomorrow \
		test_expect_code 1 get_quiet acme/widget.git >answer &&
	test_must_be_empty answer &&
	test_grep "BBTOKEN_EXPIRES=tomorrow is not a date; write YYYY-MM-DD" err
'

test_expect_success 'an app password in BBTOKEN_TOKEN is refused, with the fix' '
	app=$(bb_token app_password --owner jdoe) &&
	BBTOKEN_TOKEN=$app test_expect_code 1 get_quiet acme/widget.git >answer &&
	test_must_be_empty answer &&
	test_grep "BBTOKEN_TOKEN holds an app password" err &&
	test_grep "28 July 2026" err &&
	test_grep "$TOKEN_PAGE" err &&
	test_grep -v "$app" err
'

test_expect_success 'what is no Bitbucket token is refused' '
	BBTOKEN_TOKEN=hunter2 test_expect_code 1 get_quiet acme/widget.git >answer &&
	test_must_be_empty answer &&
	test_grep "does not hold a Bitbucket token" err &&
	test_grep -v hunter2 err
'

test_expect_success 'a token failing its checksum is still used' '
	bad=$(bb_token api --owner jdoe --scopes read --bad-checksum) &&
	BBTOKEN_TOKEN=$bad get_quiet acme/widget.git >answer &&
	test_grep "^password=$bad$" answer
'

test_expect_success 'a host not served stays silent' '
	printf "protocol=https\nhost=github.com\n" |
	BBTOKEN_TOKEN=$TOK git credential-bbtoken --host="$BB_HOST" get \
		>answer 2>err &&
	test_must_be_empty answer &&
	test_must_be_empty err
'

test_expect_success 'an empty BBTOKEN_TOKEN counts as unset' '
	BBTOKEN_TOKEN= get_quiet acme/widget.git >answer &&
	test_must_be_empty answer &&
	test_must_be_empty err
'

# --- BBTOKEN_TOKEN_FILE ---------------------------------------------------

test_expect_success 'BBTOKEN_TOKEN_FILE clones' '
	with_file "$TOK\n" &&
	BBTOKEN_TOKEN_FILE=$TRASH/token.file \
		git clone -q "$BB_URL/acme/widget.git" fromfile 2>err &&
	test_must_be_empty err &&
	keyring_items items && test_must_be_empty items
'

test_expect_success 'a mounted secret, 0444 and root'"'"'s, is read' '
	with_file "$TOK" && chmod 444 "$TRASH/token.file" &&
	BBTOKEN_TOKEN_FILE=$TRASH/token.file get_quiet x.git >answer &&
	test_grep "^password=$TOK$" answer
'

test_expect_success 'a CRLF line ending is taken off' '
	with_file "$TOK\r\n" &&
	BBTOKEN_TOKEN_FILE=$TRASH/token.file get_quiet x.git >answer &&
	test_grep "^password=$TOK$" answer
'

test_expect_success 'a symlink is refused' '
	with_file "$TOK\n" &&
	ln -sf "$TRASH/token.file" "$TRASH/token.link" &&
	BBTOKEN_TOKEN_FILE=$TRASH/token.link \
		test_expect_code 1 get_quiet x.git >answer &&
	test_must_be_empty answer &&
	test_grep "BBTOKEN_TOKEN_FILE=$TRASH/token.link is a symbolic link" err
'

test_expect_success 'a group-writable file is refused' '
	with_file "$TOK\n" && chmod 620 "$TRASH/token.file" &&
	BBTOKEN_TOKEN_FILE=$TRASH/token.file \
		test_expect_code 1 get_quiet x.git >answer &&
	test_must_be_empty answer &&
	test_grep "is writable by its group or others; .chmod go-w. it" err &&
	chmod 602 "$TRASH/token.file" &&
	BBTOKEN_TOKEN_FILE=$TRASH/token.file \
		test_expect_code 1 get_quiet x.git >answer &&
	test_grep "writable by its group or others" err
'

test_expect_success 'a file of another user is refused' '
	with_file "$TOK\n" && chown 65534 "$TRASH/token.file" &&
	BBTOKEN_TOKEN_FILE=$TRASH/token.file \
		test_expect_code 1 get_quiet x.git >answer &&
	test_must_be_empty answer &&
	test_grep "belongs to uid 65534, neither you nor root" err
'

test_expect_success 'an embedded CR is refused' '
	with_file "$TOK\rjunk\n" &&
	BBTOKEN_TOKEN_FILE=$TRASH/token.file \
		test_expect_code 1 get_quiet x.git >answer &&
	test_must_be_empty answer &&
	test_grep "holds a line break or a NUL byte besides the token" err &&
	test_grep -v "$TOK" err
'

test_expect_success 'a second line is refused' '
	with_file "$TOK\nuser=jdoe\n" &&
	BBTOKEN_TOKEN_FILE=$TRASH/token.file \
		test_expect_code 1 get_quiet x.git >answer &&
	test_must_be_empty answer &&
	test_grep "holds a line break" err
'

test_expect_success 'a NUL byte is refused' '
	with_file "$TOK\0\n" &&
	BBTOKEN_TOKEN_FILE=$TRASH/token.file \
		test_expect_code 1 get_quiet x.git >answer &&
	test_must_be_empty answer &&
	test_grep "NUL byte" err
'

test_expect_success 'an empty file, a missing one and a FIFO are refused' '
	with_file "\n" &&
	BBTOKEN_TOKEN_FILE=$TRASH/token.file \
		test_expect_code 1 get_quiet x.git >answer &&
	test_grep "token.file is empty" err &&
	BBTOKEN_TOKEN_FILE=$TRASH/nowhere \
		test_expect_code 1 get_quiet x.git >answer &&
	test_grep "cannot open BBTOKEN_TOKEN_FILE=$TRASH/nowhere: No such file" err &&
	mkfifo "$TRASH/token.fifo" &&
	BBTOKEN_TOKEN_FILE=$TRASH/token.fifo \
		test_expect_code 1 get_quiet x.git >answer &&
	test_grep "is not a regular file" err
'

test_expect_success 'BBTOKEN_TOKEN wins over BBTOKEN_TOKEN_FILE' '
	BBTOKEN_TOKEN=$TOK BBTOKEN_TOKEN_FILE=$TRASH/nowhere \
		get_quiet x.git >answer &&
	test_grep "^password=$TOK$" answer
'

# --- systemd's LoadCredential= ----------------------------------------------

test_expect_success '$CREDENTIALS_DIRECTORY/bbtoken clones' '
	mkdir -p "$TRASH/creds" && chmod 700 "$TRASH/creds" &&
	printf "%s" "$TOK" >"$TRASH/creds/bbtoken" &&
	chmod 400 "$TRASH/creds/bbtoken" &&
	CREDENTIALS_DIRECTORY=$TRASH/creds \
		git clone -q "$BB_URL/acme/widget.git" fromcred 2>err &&
	test_must_be_empty err &&
	keyring_items items && test_must_be_empty items
'

test_expect_success 'a credentials directory without bbtoken is not a source' '
	mkdir -p "$TRASH/othercreds" &&
	CREDENTIALS_DIRECTORY=$TRASH/othercreds get_quiet x.git >answer &&
	test_must_be_empty answer &&
	test_must_be_empty err
'

test_expect_success 'an unsafe systemd credential is refused' '
	chmod 660 "$TRASH/creds/bbtoken" &&
	CREDENTIALS_DIRECTORY=$TRASH/creds \
		test_expect_code 1 get_quiet x.git >answer &&
	test_must_be_empty answer &&
	test_grep "the systemd credential $TRASH/creds/bbtoken is writable" err &&
	chmod 400 "$TRASH/creds/bbtoken"
'

# --- bbtoken.tokenCommand ---------------------------------------------------

test_expect_success 'tokenCommand: a script that prints the token clones' '
	token_script print-token "cat \"$TRASH/tok.secret\"; echo" &&
	git config --global bbtoken.tokenCommand "$TRASH/bin/print-token" &&
	git clone -q "$BB_URL/acme/widget.git" fromcmd 2>err &&
	test_must_be_empty err &&
	keyring_items items && test_must_be_empty items
'

test_expect_success 'tokenCommand: words are split into argv, on PATH' '
	token_script cat-args "cat \"\$@\"" &&
	git config --global bbtoken.tokenCommand "cat-args  $TRASH/tok.secret" &&
	PATH=$TRASH/bin:$PATH get_quiet x.git >answer &&
	test_grep "^password=$TOK$" answer
'

test_expect_success 'tokenCommand: the ! form runs through the shell' '
	git config --global bbtoken.tokenCommand \
		"!echo no >&2; head -n 1 \"$TRASH/tok.secret\" | cat" &&
	get_quiet x.git >answer &&
	test_grep "^password=$TOK$" answer &&
	test_grep "^no$" err
'

test_expect_success 'tokenCommand: its argv, environment and stdin hold no secret' '
	token_script dump "
d=$TRASH/dump
tr \"\\\\000\" \"\\\\n\" </proc/\$\$/cmdline >\$d.cmdline
tr \"\\\\000\" \"\\\\n\" </proc/\$\$/environ >\$d.environ
readlink /proc/\$\$/fd/0 >\$d.stdin
ls -l /proc/\$\$/fd >\$d.fds
cat $TRASH/tok.secret" &&
	git config --global bbtoken.tokenCommand "$TRASH/bin/dump" &&
	BBTOKEN_TOKEN= BBTOKEN_PASSPHRASE=file-store-passphrase \
		get_quiet x.git >answer &&
	test_grep "^password=$TOK$" answer &&
	test_grep "/bin/dump" dump.cmdline &&
	test_grep "^HOME=" dump.environ &&
	test_grep -v "$TOK" dump.cmdline &&
	test_grep -v "$TOK" dump.environ &&
	test_grep -v "BBTOKEN_TOKEN=" dump.environ &&
	test_grep -v "file-store-passphrase" dump.environ &&
	echo /dev/null >expect && test_cmp expect dump.stdin &&
	# Its stdout (dash keeps it in fd 11 during a redirection), no more.
	test $(grep -c "pipe:" dump.fds) = 1 &&
	test_grep -v "socket:" dump.fds
'

test_expect_success 'tokenCommand: one that hangs is stopped at the deadline' '
	token_script hang "echo \$\$ >\"$TRASH/hang.pid\"
sleep 60 &
echo \$! >\"$TRASH/sleep.pid\"
wait" &&
	git config --global bbtoken.tokenCommand "$TRASH/bin/hang" &&
	start=$(date +%s) &&
	test_expect_code 1 get_quiet x.git >answer &&
	took=$(($(date +%s) - start)) &&
	test_must_be_empty answer &&
	test_grep "did not finish within 10 seconds and was stopped" err &&
	test $took -ge 9 && test $took -le 13 &&
	sleep 0.2 &&
	for p in $(cat "$TRASH/hang.pid" "$TRASH/sleep.pid"); do
		! kill -0 $p 2>/dev/null ||
		grep -q "^State:.*Z" /proc/$p/status || return 1
	done
'

test_expect_success 'tokenCommand: bbtoken.tokenCommandTimeout sets the deadline' '
	git config --global bbtoken.tokenCommand "$TRASH/bin/hang" &&
	git config --global bbtoken.tokenCommandTimeout 2 &&
	start=$(date +%s) &&
	test_expect_code 1 get_quiet x.git >answer &&
	took=$(($(date +%s) - start)) &&
	git config --global --unset bbtoken.tokenCommandTimeout &&
	test_grep "did not finish within 2 seconds and was stopped" err &&
	test $took -le 4
'

test_expect_success 'tokenCommand: a failing one says its exit status' '
	token_script fail "echo vault: permission denied >&2; exit 3" &&
	git config --global bbtoken.tokenCommand "$TRASH/bin/fail" &&
	test_expect_code 1 get_quiet x.git >answer &&
	test_must_be_empty answer &&
	test_grep "^vault: permission denied$" err &&
	test_grep "bbtoken.tokenCommand failed with exit status 3; run it by hand" err &&
	! git clone -q "$BB_URL/acme/widget.git" failclone 2>err &&
	test_grep "failed with exit status 3" err
'

test_expect_success 'tokenCommand: a missing program, empty output, no command' '
	git config --global bbtoken.tokenCommand "$TRASH/bin/no-such-program" &&
	test_expect_code 1 get_quiet x.git >answer &&
	test_grep "could not be started (No such file or directory); check" err &&
	git config --global bbtoken.tokenCommand true &&
	test_expect_code 1 get_quiet x.git >answer &&
	test_grep "bbtoken.tokenCommand printed nothing" err &&
	git config --global bbtoken.tokenCommand "!" &&
	test_expect_code 1 get_quiet x.git >answer &&
	test_grep "bbtoken.tokenCommand names no command" err
'

test_expect_success 'tokenCommand: CR, NUL or a second line in its output is refused' '
	git config --global bbtoken.tokenCommand \
		"!printf \"%s\\r\\r\\n\" \"\$(cat $TRASH/tok.secret)\"" &&
	test_expect_code 1 get_quiet x.git >answer &&
	test_must_be_empty answer &&
	test_grep "the output of bbtoken.tokenCommand holds a line break" err &&
	git config --global bbtoken.tokenCommand \
		"!printf \"%s\\000\" \"\$(cat $TRASH/tok.secret)\"" &&
	test_expect_code 1 get_quiet x.git >answer &&
	test_must_be_empty answer &&
	test_grep "NUL byte" err &&
	git config --global bbtoken.tokenCommand \
		"!cat $TRASH/tok.secret; echo; echo login: jdoe" &&
	test_expect_code 1 get_quiet x.git >answer &&
	test_must_be_empty answer &&
	test_grep "holds a line break" err &&
	test_grep -v "$TOK" err
'

test_expect_success 'tokenCommand in a repository'"'"'s config is ignored, with a warning' '
	git config --global --unset bbtoken.tokenCommand &&
	git -C widget config bbtoken.tokenCommand "$TRASH/bin/print-token" &&
	(
		cd widget &&
		get_token x.git >../answer 2>../err &&
		test_must_be_empty ../answer
	) &&
	test_grep "ignoring bbtoken.tokencommand in the repository.s config" err &&
	git -C widget config --unset bbtoken.tokenCommand
'

test_expect_success 'BBTOKEN_TOKEN wins over tokenCommand, which is not run' '
	git config --global bbtoken.tokenCommand "$TRASH/bin/hang" &&
	rm -f "$TRASH/hang.pid" &&
	BBTOKEN_TOKEN=$TOK get_quiet x.git >answer &&
	test_grep "^password=$TOK$" answer &&
	! test -e "$TRASH/hang.pid" &&
	git config --global --unset bbtoken.tokenCommand
'

# --- The keyring behind ---------------------------------------------------

test_expect_success 'a source shadows a token stored for the same host' '
	kept=$(bb_token api --owner alice --scopes read,write) &&
	add_token "$kept" --label=kept >out &&
	get_quiet x.git >answer &&
	test_grep "^password=$kept$" answer &&
	BBTOKEN_TOKEN=$TOK get_quiet x.git >answer &&
	test_grep "^password=$TOK$" answer &&
	test_grep -v "$kept" answer
'

test_expect_success 'a failing push with a wrong BBTOKEN_TOKEN stores and marks nothing' '
	keyring_items before &&
	wrong=$(bb_token api --owner jdoe --scopes read,write) &&
	python3 "$TEST_DIRECTORY/bbstate" "$BB_STATE" revoke "$wrong" &&
	(
		cd widget &&
		echo again >>README &&
		git commit -q -am again &&
		! BBTOKEN_TOKEN=$wrong git push -q origin main 2>../err
	) &&
	test_grep -v "held back" err &&
	keyring_items after &&
	test_cmp before after &&
	list_rows >list &&
	test_grep "^kept " list &&
	test_grep -v "rejected" list
'

test_expect_success 'git'"'"'s store of a source token stores nothing' '
	keyring_items before &&
	printf "protocol=https\nhost=%s\nusername=x-bitbucket-api-token-auth\npassword=%s\n" \
		"$BB_HOST" "$TOK" >req &&
	BBTOKEN_TOKEN=$TOK git credential-bbtoken --host="$BB_HOST" store <req 2>err &&
	test_must_be_empty err &&
	keyring_items after &&
	test_cmp before after
'

test_expect_success 'git'"'"'s erase of a source token marks nothing' '
	keyring_items before &&
	kept=$(git credential-bbtoken list --host="$BB_HOST" >/dev/null &&
	       secret-tool lookup xdg:schema org.bbtoken.Token label kept |
	       sed -n "s/^password=//p") &&
	test -n "$kept" &&
	printf "protocol=https\nhost=%s\nusername=x-bitbucket-api-token-auth\npassword=%s\n" \
		"$BB_HOST" "$kept" >req &&
	BBTOKEN_TOKEN=$kept git credential-bbtoken --host="$BB_HOST" erase <req 2>err &&
	test_must_be_empty err &&
	keyring_items after &&
	test_cmp before after &&
	list_rows >list &&
	test_grep -v "rejected" list
'

test_expect_success 'remove of a source token says where to change it' '
	! BBTOKEN_TOKEN=$TOK git credential-bbtoken remove BBTOKEN_TOKEN 2>err &&
	test_grep "the token comes from BBTOKEN_TOKEN, which is read-only; change it where it is set" err &&
	test_grep -v "keyring refused" err
'

test_expect_success 'a failing source warns in list and add, and blocks neither' '
	tok=$(bb_token api --owner jdoe --scopes read) &&
	BBTOKEN_TOKEN_FILE=$TRASH/no-such-file git credential-bbtoken list >out 2>err &&
	test_grep "warning: .*BBTOKEN_TOKEN_FILE" err &&
	test_grep "^Tokens are kept in" out &&
	printf "%s\n" "$tok" |
	BBTOKEN_TOKEN_FILE=$TRASH/no-such-file git credential-bbtoken add --stdin \
		--no-verify --host="$BB_HOST" --label=despite >out 2>err &&
	test_grep "^Stored API token .despite." out &&
	git credential-bbtoken remove despite >/dev/null
'

test_done
