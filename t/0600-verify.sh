#!/bin/sh
# SPDX-License-Identifier: MIT
# add verifies a token against Bitbucket before storing it: the git probes
# (fetch, push) and, with --email, the identity, over real TLS against the
# stand-in.  What it cannot verify it does not store, and a slow, failing
# or untrusted server gives a clear message and changes nothing.

. "$(dirname "$0")/test-lib.sh"

# probe_statuses SERVICE: the statuses the stand-in logged for that probe.
probe_statuses () {
	grep "^GET /acme/widget.git/info/refs?service=$1 " "$TRASH/bbserver.log" |
	cut -d " " -f 4 | tr "\n" " "
}

# now_ms: the time in milliseconds, to tell a wait from none.
now_ms () {
	date +%s%3N
}

start_bbserver
git config --global bbtoken.apiUrl "$BB_URL/2.0"
bb_user jdoe jdoe@example.com
bb_user alice alice@example.com
python3 -c '
import json, os, sys
path = sys.argv[1]
state = json.load(open(path))
for user in state["users"]:
    if user["username"] == "jdoe":
        user["display_name"] = "Jane Doe"
json.dump(state, open(path + ".tmp", "w"))
os.rename(path + ".tmp", path)
' "$BB_STATE" || die "cannot name jdoe"
bb_repo acme widget

# --- the git probes -------------------------------------------------------

test_expect_success 'add verifies a token with full scopes: fetch yes, push yes, stored' '
	tok=$(bb_token api --owner jdoe --scopes read,write) &&
	vadd "$tok" --label=full --repo=acme/widget >out 2>err &&
	cat >expect <<-EOF &&
	Checking the token on acme/widget at $BB_HOST...
	fetch: yes
	push: yes
	EOF
	head -n 3 out >out.head &&
	test_cmp expect out.head &&
	test_grep "^Stored API token .full. for $BB_HOST (acme/widget)" out &&
	list_rows >list &&
	test_grep "^full .* acme/widget .* ok " list
'

test_expect_success 'add sent both probes to Bitbucket with the API token username' '
	test_grep "^GET /acme/widget.git/info/refs?service=git-upload-pack x-bitbucket-api-token-auth 200$" \
		"$TRASH/bbserver.log" &&
	test_grep "^GET /acme/widget.git/info/refs?service=git-receive-pack x-bitbucket-api-token-auth 200$" \
		"$TRASH/bbserver.log"
'

test_expect_success 'add stores a read-only token, saying push: no and naming the write scope' '
	tok=$(bb_token api --owner jdoe --scopes read) &&
	vadd "$tok" --label=readonly --workspace=acme --probe=acme/widget \
		>out 2>err &&
	test_grep "^fetch: yes$" out &&
	test_grep "^push: no (missing write:repository:bitbucket)$" out &&
	test_grep "^Stored API token .readonly. for $BB_HOST (acme)" out &&
	list_rows >list &&
	test_grep "^readonly .* acme .* ok " list
'

test_expect_success 'add refuses a token without scopes, naming the scope and the token page' '
	git credential-bbtoken list >before &&
	tok=$(bb_token api --owner jdoe) &&
	test_expect_code 1 vadd "$tok" --label=noscopes --repo=acme/widget \
		>out 2>err &&
	test_grep "^fetch: no (" out &&
	test_grep "cannot fetch acme/widget" err &&
	test_grep "read:repository:bitbucket" err &&
	test_grep "$TOKEN_PAGE" err &&
	test_grep -v "^Stored" out &&
	git credential-bbtoken list >after &&
	test_cmp before after
'

test_expect_success 'add refuses an API token sent with another account'"'"'s username, and says so' '
	git credential-bbtoken list >before &&
	tok=$(bb_token api --owner jdoe --scopes read,write) &&
	test_expect_code 1 vadd "$tok" --label=wronguser --username=alice \
		--repo=acme/widget >out 2>err &&
	test_grep "^GET /acme/widget.git/info/refs?service=git-upload-pack alice 401$" \
		"$TRASH/bbserver.log" &&
	test_grep "cannot fetch acme/widget" err &&
	grep -i "username" err >/dev/null &&
	git credential-bbtoken list >after &&
	test_cmp before after
'

test_expect_success 'add verifies an access token with x-token-auth' '
	acc=$(bb_token access --scopes read,write --repository acme/widget) &&
	: >"$TRASH/bbserver.log" &&
	vadd "$acc" --label=widget-ci --repo=acme/widget >out 2>err &&
	test_grep "^fetch: yes$" out &&
	test_grep "^push: yes$" out &&
	test_grep "git will send it with the username x-token-auth" out &&
	test_grep "^GET /acme/widget.git/info/refs?service=git-upload-pack x-token-auth 200$" \
		"$TRASH/bbserver.log" &&
	list_rows >list &&
	test_grep "^widget-ci .* access x-token-auth acme/widget " list
'

test_expect_success 'add refuses an app password before anything is sent' '
	git credential-bbtoken list >before &&
	app=$(bb_token app_password --owner jdoe) &&
	: >"$TRASH/bbserver.log" &&
	test_expect_code 1 vadd "$app" --label=app --repo=acme/widget >out 2>err &&
	test_grep "app password" err &&
	test_grep "28 July 2026" err &&
	test_grep "$TOKEN_PAGE" err &&
	test_must_be_empty "$TRASH/bbserver.log" &&
	git credential-bbtoken list >after &&
	test_cmp before after
'

test_expect_success 'add --stdin with nothing to probe stops and names --repo, --probe and --no-verify' '
	git credential-bbtoken list >before &&
	tok=$(bb_token api --owner jdoe --scopes read) &&
	: >"$TRASH/bbserver.log" &&
	test_expect_code 1 vadd "$tok" --label=noprobe --workspace=acme \
		>out 2>err &&
	test_grep "[-]-repo=W/R" err &&
	test_grep "[-]-probe=W/R" err &&
	test_grep "[-]-no-verify" err &&
	test_must_be_empty "$TRASH/bbserver.log" &&
	git credential-bbtoken list >after &&
	test_cmp before after
'

# --- identity ------------------------------------------------------------

test_expect_success 'add --email checks the identity and shows the Bitbucket username' '
	tok=$(bb_token api --owner jdoe --scopes read,write,user) &&
	: >"$TRASH/bbserver.log" &&
	vadd "$tok" --label=ident --workspace=acme --probe=acme/widget \
		--email=jdoe@example.com >out 2>err &&
	test_grep "^identity: jdoe (Jane Doe)$" out &&
	test_grep "^GET /2.0/user jdoe@example.com 200$" "$TRASH/bbserver.log"
'

test_expect_success 'the username add learned from the identity is stored and listed' '
	list_rows >list &&
	test_grep "^ident .* api jdoe acme " list &&
	payload ident >item &&
	test_grep "^username=jdoe$" item &&
	test_grep "^email=jdoe@example.com$" item
'

test_expect_success 'add --email with the wrong email warns and keeps no identity' '
	tok=$(bb_token api --owner jdoe --scopes read,write,user) &&
	vadd "$tok" --label=wrongmail --workspace=acme --probe=acme/widget \
		--email=someone@example.com >out 2>err &&
	test_grep "^identity: no (" out &&
	test_grep "warning: the identity check failed" err &&
	list_rows >list &&
	test_grep "^wrongmail .* api x-bitbucket-api-token-auth acme " list &&
	payload wrongmail >item &&
	test_grep "^label=wrongmail$" item &&
	test_grep -v "^email=" item &&
	test_grep -v "^username=" item
'

test_expect_success 'add --email without read:user:bitbucket names the missing scope' '
	tok=$(bb_token api --owner jdoe --scopes read,write) &&
	vadd "$tok" --label=nouserscope --workspace=acme --probe=acme/widget \
		--email=jdoe@example.com >out 2>err &&
	test_grep "^identity: no (missing read:user:bitbucket)$" out &&
	test_grep "warning: the identity check failed" err &&
	list_rows >list &&
	test_grep "^nouserscope .* api x-bitbucket-api-token-auth acme " list
'

# --- a server that is busy or failing ---------------------------------------

test_expect_success 'add retries after a 429 and succeeds' '
	tok=$(bb_token api --owner jdoe --scopes read,write) &&
	bb_fault 429 1 1 &&
	: >"$TRASH/bbserver.log" &&
	vadd "$tok" --label=after429 --workspace=acme --probe=acme/widget \
		>out 2>err &&
	bb_fault none 0 &&
	test_grep "^fetch: yes$" out &&
	test_grep "^Stored API token .after429." out &&
	test "$(probe_statuses git-upload-pack)" = "429 200 "
'

test_expect_success 'add waits as long as Retry-After says before trying again' '
	tok=$(bb_token api --owner jdoe --scopes read,write) &&
	bb_fault 429 1 2 &&
	start=$(now_ms) &&
	vadd "$tok" --label=wait429 --workspace=acme --probe=acme/widget \
		>out 2>err &&
	end=$(now_ms) &&
	bb_fault none 0 &&
	test_grep "^Stored API token .wait429." out &&
	test $((end - start)) -ge 2000
'

test_expect_success 'add retries after a 500 and succeeds' '
	tok=$(bb_token api --owner jdoe --scopes read,write) &&
	bb_fault 500 1 &&
	: >"$TRASH/bbserver.log" &&
	vadd "$tok" --label=after500 --workspace=acme --probe=acme/widget \
		>out 2>err &&
	bb_fault none 0 &&
	test_grep "^fetch: yes$" out &&
	test_grep "^Stored API token .after500." out &&
	test "$(probe_statuses git-upload-pack)" = "500 200 "
'

test_expect_success 'add gives up after three tries of 429, stores nothing and says why' '
	git credential-bbtoken list >before &&
	tok=$(bb_token api --owner jdoe --scopes read,write) &&
	printf "%s\n" "$tok" >tok &&
	bb_fault 429 -1 1 &&
	: >"$TRASH/bbserver.log" &&
	{
		timeout 60 git credential-bbtoken add --stdin --host="$BB_HOST" \
			--label=always429 --workspace=acme --probe=acme/widget \
			<tok >out 2>err
		echo $? >code
	} &&
	bb_fault none 0 &&
	echo 1 >expect &&
	test_cmp expect code &&
	test "$(probe_statuses git-upload-pack)" = "429 429 429 " &&
	test_grep "could not verify the token" err &&
	test_grep "nothing was stored" err &&
	git credential-bbtoken list >after &&
	test_cmp before after
'

test_expect_success 'add does not wait longer than its timeout for a Retry-After' '
	git credential-bbtoken list >before &&
	tok=$(bb_token api --owner jdoe --scopes read,write) &&
	printf "%s\n" "$tok" >tok &&
	bb_fault 429 1 100 &&
	: >"$TRASH/bbserver.log" &&
	start=$(now_ms) &&
	{
		timeout 60 git credential-bbtoken add --stdin --host="$BB_HOST" \
			--label=wait100 --workspace=acme --probe=acme/widget \
			<tok >out 2>err
		echo $? >code
	} &&
	end=$(now_ms) &&
	bb_fault none 0 &&
	echo 1 >expect &&
	test_cmp expect code &&
	test $((end - start)) -lt 20000 &&
	test "$(probe_statuses git-upload-pack)" = "429 " &&
	test_grep "HTTP 429" err &&
	test_grep "nothing was stored" err &&
	git credential-bbtoken list >after &&
	test_cmp before after
'

# --- a server that cannot be reached or trusted ----------------------------

test_expect_success 'add for a host nobody answers on fails at once naming it, and stores nothing' '
	git credential-bbtoken list >before &&
	tok=$(bb_token api --owner jdoe --scopes read,write) &&
	printf "%s\n" "$tok" >tok &&
	test_expect_code 1 timeout 60 git credential-bbtoken add --stdin \
		--host=127.0.0.1:1 --label=deadport --probe=acme/widget \
		<tok >out 2>err &&
	test_grep "127.0.0.1:1" err &&
	test_grep "nothing was stored" err &&
	git credential-bbtoken list >after &&
	test_cmp before after
'

test_expect_success 'add --email with a REST URL nobody answers on names it in the identity line' '
	tok=$(bb_token api --owner jdoe --scopes read,write,user) &&
	printf "%s\n" "$tok" >tok &&
	{
		timeout 60 git credential-bbtoken --api-url=https://127.0.0.1:1/2.0 \
			add --stdin --host="$BB_HOST" --label=deadrest \
			--workspace=acme --probe=acme/widget \
			--email=jdoe@example.com <tok >out 2>err
		echo $? >code
	} &&
	test "$(cat code)" != 124 &&
	test_grep "^fetch: yes$" out &&
	test_grep "^identity: unknown (.*127.0.0.1:1" out &&
	test_grep -v "^identity: jdoe" out
'

test_expect_success 'add refuses a server whose certificate the CA bundle does not trust' '
	mkdir -p other &&
	openssl req -x509 -newkey rsa:2048 -nodes -days 2 \
		-keyout other/key.pem -out other/cert.pem \
		-subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1 \
		>other/openssl.log 2>&1 &&
	git credential-bbtoken list >before &&
	tok=$(bb_token api --owner jdoe --scopes read,write) &&
	printf "%s\n" "$tok" >tok &&
	test_expect_code 1 env GIT_SSL_CAINFO="$TRASH/other/cert.pem" \
		timeout 60 git credential-bbtoken add --stdin --host="$BB_HOST" \
		--label=untrusted --workspace=acme --probe=acme/widget \
		<tok >out 2>err &&
	grep -i "certificate" err >/dev/null &&
	test_grep "nothing was stored" err &&
	git credential-bbtoken list >after &&
	test_cmp before after
'

test_expect_success 'the CA bundle in GIT_SSL_CAINFO is the one used, over http.sslCAInfo' '
	tok=$(bb_token api --owner jdoe --scopes read,write) &&
	printf "%s\n" "$tok" >tok &&
	git config --global http.sslCAInfo "$TRASH/other/cert.pem" &&
	{
		GIT_SSL_CAINFO=$BB_CERT git credential-bbtoken add --stdin \
			--host="$BB_HOST" --label=cainfo --workspace=acme \
			--probe=acme/widget <tok >out 2>err
		echo $? >code
	} &&
	git config --global http.sslCAInfo "$BB_CERT" &&
	echo 0 >expect &&
	test_cmp expect code &&
	test_grep "^Stored API token .cainfo." out
'

# A repository someone else made must not choose where the token goes.
test_expect_success 'a repository'"'"'s own bbtoken.apiUrl and http.sslCAInfo are not used' '
	git init -q hostile &&
	git -C hostile config bbtoken.apiUrl "https://127.0.0.1:1/2.0" &&
	git -C hostile config http.sslCAInfo "$TRASH/no-such-ca.pem" &&
	tok=$(bb_token api --owner jdoe --scopes read,write,user) &&
	: >"$TRASH/bbserver.log" &&
	(
		cd hostile &&
		vadd "$tok" --label=hostile --workspace=acme --probe=acme/widget \
			--email=jdoe@example.com >../out 2>../err
	) &&
	test_grep "^identity: jdoe (Jane Doe)$" out &&
	test_grep "^GET /2.0/user jdoe@example.com 200$" "$TRASH/bbserver.log"
'

test_done
