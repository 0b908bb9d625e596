#!/bin/sh
# SPDX-License-Identifier: MIT
# rotate replaces a token in place once Bitbucket has shown that the new
# one does all the old one did; on any failure the old one stays exactly
# as it was and git keeps working with it.  rotate --due lists what needs
# replacing, for cron or a systemd timer.

. "$(dirname "$0")/test-lib.sh"


# rotate_token SECRET ARGS...: rotate through stdin, never argv.
rotate_token () {
	secret=$1
	shift
	printf '%s\n' "$secret" | git credential-bbtoken rotate --stdin "$@"
}

# snapshot LABEL FILE: all that is stored of it, and what list shows.
snapshot () {
	payload "$1" >"$2" &&
	list_rows | grep "^$1 " >>"$2"
}

# at_tty PROMPT=ANSWER... -- COMMAND...: run COMMAND on a terminal of its
# own, typing each ANSWER once the last line shown contains PROMPT and
# ends in ":" (after a prompt that says "hidden", once echo is off); prints
# all the terminal showed, exits as COMMAND did, killed after 60 s.
cat >at-tty.py <<\EOF
import os, pty, select, signal, sys, termios, time
split = sys.argv.index("--")
answers = [a.split("=", 1) for a in sys.argv[1:split]]
argv = sys.argv[split + 1:]
pid, fd = pty.fork()
if pid == 0:
    os.execvp(argv[0], argv)
seen, deadline = "", time.time() + 60
while time.time() < deadline:
    ready, _, _ = select.select([fd], [], [], 0.05)
    if ready:
        try:
            chunk = os.read(fd, 4096)
        except OSError:
            break
        if not chunk:
            break
        seen += chunk.decode("utf-8", "replace").replace("\r", "")
    last = seen.rsplit("\n", 1)[-1].rstrip()
    if not answers or answers[0][0] not in last or not last.endswith(":"):
        continue
    if "hidden" in last and termios.tcgetattr(fd)[3] & termios.ECHO:
        continue
    os.write(fd, answers.pop(0)[1].encode() + b"\n")
    seen += "\n"
else:
    os.kill(pid, signal.SIGKILL)
    seen += "\nat-tty: killed after 60 s\n"
sys.stdout.write(seen)
_, status = os.waitpid(pid, 0)
sys.exit(os.waitstatus_to_exitcode(status))
EOF
at_tty () {
	python3 "$TRASH/at-tty.py" "$@"
}

start_bbserver
git config --global bbtoken.apiUrl "$BB_URL/2.0"
bb_user jdoe jdoe@example.com
bb_user alice alice@example.com
bb_repo acme widget
bb_repo beta tool
bb_repo gamma lib

test_expect_success 'a token that can fetch and push is added, to be rotated' '
	tok=$(bb_token api --owner jdoe --scopes read,write) &&
	printf %s "$tok" >main.secret &&
	vadd "$tok" --label=main --username=jdoe --workspace=acme \
		--probe=acme/widget --expires=$(day +30) >out 2>err &&
	test_grep "^push: yes$" out &&
	payload main >item &&
	test_grep "^push=yes$" item &&
	test_grep "^probe=acme/widget$" item
'

test_expect_success 'rotate --due with nothing in the window says so and exits 0' '
	git credential-bbtoken rotate --due >out 2>err &&
	echo "No token is due for rotation." >expect &&
	test_cmp expect out &&
	test_must_be_empty err
'

# --- success ---------------------------------------------------------------

test_expect_success 'rotate checks the new token with the same probes and swaps it in' '
	old=$(cat main.secret) &&
	new=$(bb_token api --owner jdoe --scopes read,write --expires +90) &&
	: >"$TRASH/bbserver.log" &&
	rotate_token "$new" --expires=$(day +90) main >out 2>err &&
	cat >expect <<-EOF &&
	Checking the new token on acme/widget at $BB_HOST...
	fetch: yes
	push: yes
	Replaced the secret of ${SQ}main${SQ} for $BB_HOST; new fingerprint $(fp "$new").
	It expires on $(day +90).
	EOF
	test_cmp expect out &&
	test_must_be_empty err &&
	test_grep "^GET /acme/widget.git/info/refs?service=git-receive-pack jdoe 200$" \
		"$TRASH/bbserver.log" &&
	printf %s "$old" >old.secret &&
	printf %s "$new" >main.secret
'

test_expect_success 'rotate kept label, username and binding, and took the new expiry' '
	list_rows >list &&
	test_grep "^main $BB_HOST api jdoe acme $(day +90) (in [0-9]* days) ok add $(fp "$(cat main.secret)")$" list &&
	test_grep -v "$(fp "$(cat old.secret)")" list
'

test_expect_success 'git clones through the stand-in with the new token' '
	python3 "$TEST_DIRECTORY/bbstate" "$BB_STATE" revoke "$(cat old.secret)" &&
	: >"$TRASH/bbserver.log" &&
	git clone -q "$BB_URL/acme/widget.git" clone1 &&
	test -f clone1/README &&
	test_grep "^GET /acme/widget.git/info/refs?service=git-upload-pack jdoe 200$" \
		"$TRASH/bbserver.log" &&
	test_grep -v " jdoe 401$" "$TRASH/bbserver.log"
'

test_expect_success 'get answers the new secret and never the old one' '
	get_token acme/widget.git >answer 2>err &&
	test_grep "^password=$(cat main.secret)$" answer &&
	test_grep -v "$(cat old.secret)" answer
'

# --- refusals keep the old token ----------------------------------------------

test_expect_success 'rotate refuses a new token without scopes and keeps the old one exactly' '
	snapshot main before &&
	new=$(bb_token api --owner jdoe) &&
	test_expect_code 1 rotate_token "$new" --expires=$(day +90) main \
		>out 2>err &&
	test_grep "^fetch: no (" out &&
	test_grep "cannot fetch acme/widget" err &&
	test_grep "${SQ}main${SQ} is unchanged" err &&
	snapshot main after &&
	test_cmp before after
'

test_expect_success 'rotate refuses a new token that cannot push when the old one could' '
	snapshot main before &&
	new=$(bb_token api --owner jdoe --scopes read) &&
	test_expect_code 1 rotate_token "$new" --expires=$(day +90) main \
		>out 2>err &&
	test_grep "^push: no (missing write:repository:bitbucket)$" out &&
	test_grep "cannot push, as the old one could" err &&
	test_grep "write:repository:bitbucket" err &&
	test_grep "${SQ}main${SQ} is unchanged" err &&
	snapshot main after &&
	test_cmp before after
'

test_expect_success 'rotate refuses a new token with a bad checksum before asking Bitbucket' '
	snapshot main before &&
	new=$(bb_token api --owner jdoe --scopes read,write --bad-checksum) &&
	: >"$TRASH/bbserver.log" &&
	test_expect_code 1 rotate_token "$new" --expires=$(day +90) main \
		>out 2>err &&
	test_grep "mistyped or truncated" err &&
	test_must_be_empty "$TRASH/bbserver.log" &&
	snapshot main after &&
	test_cmp before after
'

test_expect_success 'rotate refuses another account'"'"'s token for a token tied to a username' '
	snapshot main before &&
	new=$(bb_token api --owner alice --scopes read,write) &&
	: >"$TRASH/bbserver.log" &&
	test_expect_code 1 rotate_token "$new" --expires=$(day +90) main \
		>out 2>err &&
	test_grep "^GET /acme/widget.git/info/refs?service=git-upload-pack jdoe 401$" \
		"$TRASH/bbserver.log" &&
	test_grep "cannot fetch acme/widget" err &&
	snapshot main after &&
	test_cmp before after
'

test_expect_success 'rotate keeps the old token when Bitbucket cannot be reached, and says which host' '
	tok=$(bb_token api --owner jdoe --scopes read,write) &&
	printf %s "$tok" | put_token_item 127.0.0.1:1 far workspace=acme \
		probe=acme/widget fetch=yes push=yes &&
	snapshot far before &&
	new=$(bb_token api --owner jdoe --scopes read,write) &&
	printf "%s\n" "$new" >new &&
	test_expect_code 1 timeout 60 git credential-bbtoken rotate --stdin \
		--expires=$(day +90) far <new >out 2>err &&
	test_grep "127.0.0.1:1" err &&
	test_grep "${SQ}far${SQ} is unchanged" err &&
	snapshot far after &&
	test_cmp before after
'

test_expect_success 'rotate keeps the old token when the server'"'"'s certificate is not trusted' '
	mkdir -p other &&
	openssl req -x509 -newkey rsa:2048 -nodes -days 2 \
		-keyout other/key.pem -out other/cert.pem \
		-subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1 \
		>other/openssl.log 2>&1 &&
	snapshot main before &&
	new=$(bb_token api --owner jdoe --scopes read,write) &&
	printf "%s\n" "$new" >new &&
	test_expect_code 1 env GIT_SSL_CAINFO="$TRASH/other/cert.pem" \
		timeout 60 git credential-bbtoken rotate --stdin \
		--expires=$(day +90) main <new >out 2>err &&
	grep -i "certificate" err >/dev/null &&
	test_grep "${SQ}main${SQ} is unchanged" err &&
	snapshot main after &&
	test_cmp before after
'

test_expect_success 'git still works with the old token after every refusal' '
	rm -rf clone2 &&
	: >"$TRASH/bbserver.log" &&
	git clone -q "$BB_URL/acme/widget.git" clone2 &&
	test_grep "^GET /acme/widget.git/info/refs?service=git-upload-pack jdoe 200$" \
		"$TRASH/bbserver.log" &&
	get_token acme/widget.git >answer 2>err &&
	test_grep "^password=$(cat main.secret)$" answer
'

# --- what else rotate keeps or takes -------------------------------------------

test_expect_success 'rotate asks the new token for the identity the old one had' '
	tok=$(bb_token api --owner jdoe --scopes read,write,user) &&
	vadd "$tok" --label=ident --workspace=beta --probe=beta/tool \
		--email=jdoe@example.com >out 2>err &&
	test_grep "^identity: jdoe (jdoe)$" out &&
	snapshot ident before &&
	new=$(bb_token api --owner jdoe --scopes read,write) &&
	test_expect_code 1 rotate_token "$new" ident >out 2>err &&
	test_grep "fails the identity check" err &&
	test_grep "read:user:bitbucket" err &&
	snapshot ident after &&
	test_cmp before after
'

test_expect_success 'rotate keeps the email and the username learned from it' '
	new=$(bb_token api --owner jdoe --scopes read,write,user) &&
	rotate_token "$new" ident >out 2>err &&
	test_grep "^identity: jdoe (jdoe)$" out &&
	test_grep "^Replaced the secret of .ident." out &&
	payload ident >item &&
	test_grep "^email=jdoe@example.com$" item &&
	test_grep "^username=jdoe$" item &&
	test_grep "^password=$new$" item
'

test_expect_success 'rotate --stdin without --expires leaves the new expiry unknown and says so' '
	new=$(bb_token api --owner jdoe --scopes read,write) &&
	rotate_token "$new" main >out 2>err &&
	test_grep "^Replaced the secret of .main." out &&
	test_grep "expiry is unknown" err &&
	payload main >item &&
	test_grep "^password=$new$" item &&
	test_grep -v "^expires=" item &&
	list_rows >list &&
	test_grep "^main .* unknown ok add $(fp "$new")$" list
'

test_expect_success 'rotate of a token with no repository to probe asks for --probe and keeps it' '
	tok=$(bb_token api --owner jdoe --scopes read,write) &&
	printf "%s\n" "$tok" |
	git credential-bbtoken add --stdin --no-verify --host="$BB_HOST" \
		--label=blind --workspace=gamma >out 2>err &&
	snapshot blind before &&
	new=$(bb_token api --owner jdoe --scopes read,write) &&
	: >"$TRASH/bbserver.log" &&
	test_expect_code 1 rotate_token "$new" blind >out 2>err &&
	test_grep "[-]-probe=W/R" err &&
	test_must_be_empty "$TRASH/bbserver.log" &&
	snapshot blind after &&
	test_cmp before after
'

test_expect_success 'rotate --probe tests the new token there' '
	new=$(bb_token api --owner jdoe --scopes read,write) &&
	rotate_token "$new" --probe=gamma/lib blind >out 2>err &&
	test_grep "^Checking the new token on gamma/lib at $BB_HOST...$" out &&
	test_grep "^Replaced the secret of .blind." out &&
	get_token gamma/lib.git >answer 2>/dev/null &&
	test_grep "^password=$new$" answer
'

test_expect_success 'rotate at a terminal names the token page and the scopes the old token had' '
	new=$(bb_token api --owner jdoe --scopes read,write,user) &&
	at_tty "New Bitbucket token=$new" "Expiry date=$(day +60)" -- \
		git credential-bbtoken rotate ident >out &&
	test_grep "$TOKEN_PAGE" out &&
	test_grep "scopes: read:repository:bitbucket, write:repository:bitbucket, read:user:bitbucket$" out &&
	test_grep -v "$new" out &&
	test_grep "^Replaced the secret of .ident." out &&
	list_rows >list &&
	test_grep "^ident .* $(day +60) (in [0-9]* days) ok add $(fp "$new")$" list
'

# --- rotate --due -----------------------------------------------------------

test_expect_success 'rotate --due lists the expired and the expiring tokens and exits 1' '
	tok=$(bb_token api --owner jdoe --scopes read --expires +10) &&
	printf "%s\n" "$tok" |
	git credential-bbtoken add --stdin --no-verify --host="$BB_HOST" \
		--label=soon --workspace=soon --expires=$(day +10) >out 2>err &&
	tok=$(bb_token api --owner jdoe --scopes read --expires -3) &&
	printf %s "$tok" | put_token_item "$BB_HOST" old workspace=old \
		expires=$(($(date +%s) - 3 * 86400)) &&
	git credential-bbtoken list >before &&
	: >"$TRASH/bbserver.log" &&
	test_expect_code 1 git credential-bbtoken rotate --due >out 2>err &&
	sed -e "s/(in [0-9]* days)/(in N days)/" out | sort >due &&
	cat >expect <<-EOF &&
	old: expired on $(day -3); rotate it: git credential-bbtoken rotate old
	soon: expires on $(day +10) (in N days); rotate it: git credential-bbtoken rotate soon
	EOF
	test_cmp expect due
'

test_expect_success 'rotate --due changed nothing and asked nothing of Bitbucket' '
	test_must_be_empty "$TRASH/bbserver.log" &&
	git credential-bbtoken list >after &&
	test_cmp before after
'

test_expect_success 'rotate --due counts the days to an expiry date as the calendar does' '
	test_grep "^soon: expires on $(day +10) (in 10 days);" out
'

test_expect_success 'rotate --due --host leaves out the tokens of other hosts' '
	tok=$(bb_token api --owner jdoe --scopes read) &&
	printf %s "$tok" | put_token_item git.example.com elsewhere workspace=x \
		expires=$(($(date +%s) - 86400)) &&
	test_expect_code 1 git credential-bbtoken rotate --due >all &&
	test_grep "^elsewhere: expired" all &&
	test_expect_code 1 git credential-bbtoken rotate --due \
		--host="$BB_HOST" >one &&
	test_grep -v "^elsewhere" one &&
	test_grep "^old: expired" one
'

test_done
