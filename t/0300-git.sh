#!/bin/sh
# SPDX-License-Identifier: MIT
# The real git, over real TLS, against the Bitbucket stand-in, with tokens
# in a real keyring: clone, fetch and push just work, and every failure
# says what to do.

. "$(dirname "$0")/test-lib.sh"

start_bbserver
bb_user jdoe jdoe@example.com
bb_user alice alice@example.com
bb_repo acme widget
bb_repo acme gadget
bb_repo beta tool

test_expect_success 'clone, fetch and push with an API token from the keyring' '
	tok=$(bb_token api --owner jdoe --scopes read,write --expires +200) &&
	printf %s "$tok" >main.secret &&
	add_token "$tok" --label=main --expires=$(date -u -d "+200 days" +%F) >out &&
	test_grep "Stored API token .main." out &&
	git clone -q "$BB_URL/acme/widget.git" widget &&
	(
		cd widget &&
		echo change >>README &&
		git commit -q -am change &&
		git push -q origin main &&
		git fetch -q origin
	) &&
	git -C "$BB_ROOT/acme/widget.git" log --oneline >log &&
	test_grep change log
'

test_expect_success 'git is answered with x-bitbucket-api-token-auth' '
	test_grep "^GET /acme/widget.git/info/refs?service=git-upload-pack x-bitbucket-api-token-auth 200" \
		"$TRASH/bbserver.log"
'

test_expect_success 'storing the token just served stays on the lean path' '
	printf "protocol=https\nhost=%s\npath=acme/widget.git\n" "$BB_HOST" |
	git credential-bbtoken --host="$BB_HOST" get >served &&
	{ printf "protocol=https\nhost=%s\npath=acme/widget.git\n" "$BB_HOST"; cat served; } |
	BBTOKEN_TRACE=1 git credential-bbtoken --host="$BB_HOST" store 2>err &&
	test_grep "loading .*$STORE_MODULE" err &&
	test_grep -v "bbtoken-full.so" err
'

test_expect_success 'an email as the username is mapped, with one line why' '
	rm -rf byemail &&
	git clone -q "https://jdoe%40example.com@$BB_HOST/acme/widget.git" byemail 2>err &&
	test_grep "email address as the username" err &&
	test $(grep -c "bbtoken:" err) = 1
'

test_expect_success 'the Bitbucket username in the URL works and picks the account' '
	tok=$(bb_token api --owner alice --scopes read,write) &&
	add_token "$tok" --label=alice --username=alice >out &&
	rm -rf byuser &&
	git clone -q "https://alice@$BB_HOST/beta/tool.git" byuser &&
	test_grep "/beta/tool.git/info/refs?service=git-upload-pack alice 200" "$TRASH/bbserver.log" &&
	rm -rf byuser2 &&
	: >"$TRASH/bbserver.log" &&
	git clone -q "https://jdoe@$BB_HOST/beta/tool.git" byuser2 &&
	test_grep "upload-pack x-bitbucket-api-token-auth 200" "$TRASH/bbserver.log" &&
	test_grep -v "alice" "$TRASH/bbserver.log"
'

test_expect_success 'an access token bound to one repository beside an API token' '
	acc=$(bb_token access --scopes read --repository acme/gadget) &&
	add_token "$acc" --repo=acme/gadget --label=gadget-ci >out &&
	test_grep "x-token-auth" out &&
	git clone -q "$BB_URL/acme/gadget.git" gadget &&
	test_grep "/acme/gadget.git/info/refs?service=git-upload-pack x-token-auth 200" "$TRASH/bbserver.log" &&
	rm -rf widget2 &&
	git clone -q "$BB_URL/acme/widget.git" widget2 &&
	tail -n 3 "$TRASH/bbserver.log" >last &&
	test_grep -v "x-token-auth" last
'

test_expect_success 'two workspaces, two tokens' '
	bb_repo gamma lib &&
	tokg=$(bb_token api --owner jdoe --scopes read --workspace gamma) &&
	add_token "$tokg" --workspace=gamma --label=gamma >out &&
	git clone -q "$BB_URL/gamma/lib.git" gammalib &&
	git credential-bbtoken list >list &&
	test_grep "^gamma .*gamma" list
'

# bb_submodule_repo W R URL: a repository on the stand-in whose one
# submodule, lib, points at URL, at the commit mallory/lib is at.
bb_submodule_repo () {
	rm -rf "$TRASH/seed" &&
	git init -q "$TRASH/seed" &&
	printf "[submodule \"lib\"]\n\tpath = lib\n\turl = %s\n" "$3" \
		>"$TRASH/seed/.gitmodules" &&
	git -C "$TRASH/seed" add .gitmodules &&
	git -C "$TRASH/seed" update-index --add --cacheinfo \
		160000,$(git -C "$BB_ROOT/mallory/lib.git" rev-parse main),lib &&
	git -C "$TRASH/seed" commit -q -m "with a submodule" &&
	mkdir -p "$BB_ROOT/$1" &&
	git clone -q --bare "$TRASH/seed" "$BB_ROOT/$1/$2.git" &&
	rm -rf "$TRASH/seed"
}

test_expect_success 'a token a submodule URL carries never displaces the user'"'"'s own' '
	bb_user mallory mallory@example.com &&
	bb_repo mallory lib &&
	mal=$(bb_token api --owner mallory --scopes read --workspace mallory) &&
	printf %s "$mal" >mallory.secret &&
	bb_submodule_repo acme app \
		"https://x-bitbucket-api-token-auth:$mal@$BB_HOST/mallory/lib.git" &&
	git clone -q --recurse-submodules "$BB_URL/acme/app.git" app &&
	test -f app/lib/README &&
	list_rows >list &&
	test_grep "mallory/lib .* git $(fp "$mal")$" list &&
	get_token acme/widget.git >answer &&
	test_grep "^password=$(cat main.secret)$" answer &&
	rm -rf widget3 &&
	git clone -q "$BB_URL/acme/widget.git" widget3
'

test_expect_success 'a token git stores without a path ranks below the user'"'"'s own' '
	mal2=$(bb_token api --owner mallory --scopes read --workspace mallory) &&
	printf "protocol=https\nhost=%s\nusername=x-bitbucket-api-token-auth\npassword=%s\n" \
		"$BB_HOST" "$mal2" | git credential-bbtoken --host="$BB_HOST" store &&
	list_rows >list &&
	test_grep " - .* git $(fp "$mal2")$" list &&
	printf "protocol=https\nhost=%s\n" "$BB_HOST" |
	git credential-bbtoken --host="$BB_HOST" get >answer &&
	test_grep "^password=$(cat main.secret)$" answer &&
	git credential-bbtoken remove "$(fp "$(cat mallory.secret)")" >/dev/null &&
	git credential-bbtoken remove "$(fp "$mal2")" >/dev/null
'

test_expect_success 'a read-only token fails to push with the scope message' '
	bb_repo ro repo &&
	tokr=$(bb_token api --owner jdoe --scopes read --workspace ro) &&
	add_token "$tokr" --workspace=ro --label=readonly >out &&
	git clone -q "$BB_URL/ro/repo.git" rorepo &&
	(
		cd rorepo &&
		echo x >>README && git commit -q -am x &&
		! git push origin main 2>../err
	) &&
	test_grep "Your credentials lack one or more required privilege scopes" err
'

test_expect_success 'a token Bitbucket refuses is marked rejected, never deleted' '
	bb_repo rev repo &&
	tokv=$(bb_token api --owner jdoe --scopes read --workspace rev) &&
	add_token "$tokv" --workspace=rev --label=revoked >out &&
	echo "$tokv" >revoked-token &&
	python3 "$TEST_DIRECTORY/bbstate" "$BB_STATE" revoke "$tokv" &&
	! git clone -q "$BB_URL/rev/repo.git" revrepo 2>err &&
	test_grep "refused API token .revoked., so it is held back" err &&
	git credential-bbtoken list >list &&
	test_grep "^revoked .*rejected" list
'

test_expect_success 'a rejected token is withheld, with what to do' '
	printf "protocol=https\nhost=%s\npath=rev/repo.git\n" "$BB_HOST" |
	git credential-bbtoken --host="$BB_HOST" get >answer 2>err &&
	test_grep "API token .revoked. was refused by Bitbucket and is held back" err &&
	test_grep -v "$(cat revoked-token)" answer
'

test_expect_success 'an expired token is withheld with the rotate hint' '
	bb_repo old repo &&
	toke=$(bb_token api --owner jdoe --scopes read --workspace old --expires -1) &&
	# Stored a year ago; add would refuse a past date, so write it as add did.
	printf %s "$toke" | put_token_item "$BB_HOST" old workspace=old \
		expires=$(($(date +%s) - 86400)) &&
	printf "protocol=https\nhost=%s\npath=old/repo.git\n" "$BB_HOST" |
	git credential-bbtoken --host="$BB_HOST" get 2>err >answer &&
	test_grep -v "$toke" answer &&
	test_grep "API token .old. expired on $(date -u -d "-1 day" +%F)" err &&
	test_grep "git credential-bbtoken rotate old" err
'

test_expect_success 'a token about to expire is served with a warning' '
	bb_repo soon repo &&
	toks=$(bb_token api --owner jdoe --scopes read --workspace soon --expires +10) &&
	add_token "$toks" --workspace=soon --label=soon \
		--expires=$(date -u -d "+10 days" +%F) >out &&
	git clone -q "$BB_URL/soon/repo.git" soonrepo 2>err &&
	test_grep "warning: API token .soon. expires on" err &&
	test_grep "rotate soon" err
'

test_expect_success 'get passes the expiry to git' '
	printf "protocol=https\nhost=%s\npath=soon/repo.git\n" "$BB_HOST" |
	git credential-bbtoken --host="$BB_HOST" get 2>/dev/null >answer &&
	test_grep "^password_expiry_utc=[0-9]" answer
'

test_expect_success 'an app password is refused at add, with the fix' '
	app=$(bb_token app_password --owner jdoe) &&
	! add_token "$app" --label=app >out 2>err &&
	test_grep "28 July 2026" err &&
	test_grep "id.atlassian.com" err &&
	git credential-bbtoken list >list &&
	test_grep -v "^app " list
'

test_expect_success 'an app password typed at git'"'"'s prompt is not stored' '
	app=$(bb_token app_password --owner jdoe) &&
	printf "protocol=https\nhost=%s\nusername=jdoe\npassword=%s\n" "$BB_HOST" "$app" |
	test_expect_code 1 git credential-bbtoken --host="$BB_HOST" store 2>err &&
	test_grep "not storing an app password" err &&
	git credential-bbtoken list >list &&
	test_grep -v "^api-\|^git-" list
'

test_expect_success 'the stand-in answers an app password with CHANGE-3222' '
	app=$(bb_token app_password --owner jdoe) &&
	! git -c credential.helper= clone -q \
		"https://jdoe:$app@$BB_HOST/acme/widget.git" appclone 2>err &&
	test_grep "CHANGE-3222" err
'

test_expect_success 'a token with a bad checksum is refused at add' '
	bad=$(bb_token api --owner jdoe --scopes read --bad-checksum) &&
	! add_token "$bad" --label=bad >out 2>err &&
	test_grep "mistyped or truncated" err
'

test_expect_success 'list never prints a secret' '
	git credential-bbtoken list >list &&
	test_grep -v "ATATT\|ATCTT\|ATBB" list &&
	test_grep "FINGERPRINT" list
'

# git and curl end the authority at the first "/", "?" or "#" and split
# userinfo at the first "@": each URL below goes to evil.example.
for url in "https://evil.example#@$BB_HOST/acme/widget.git" \
	"https://evil.example?@$BB_HOST/acme/widget.git" \
	"https://user@evil.example@$BB_HOST/acme/widget.git"
do
	test_expect_success "url=$url gets no token" '
		printf "url=%s\n" "$url" |
		git credential-bbtoken --host="$BB_HOST" get >answer 2>err &&
		test_must_be_empty answer
	'
done

test_expect_success 'another host is untouched: no answer, nothing stored' '
	printf "protocol=https\nhost=github.com\nusername=u\npassword=ATATTfake\n" |
	git credential-bbtoken --host="$BB_HOST" store &&
	printf "protocol=https\nhost=github.com\n" |
	git credential-bbtoken --host="$BB_HOST" get >answer &&
	test_must_be_empty answer &&
	git credential-bbtoken list --host=github.com >list &&
	test_grep "No tokens stored" list
'

test_expect_success 'plain http to a served host gets nothing' '
	printf "protocol=http\nhost=%s\n" "$BB_HOST" |
	git credential-bbtoken --host="$BB_HOST" get >answer &&
	test_must_be_empty answer
'

test_expect_success 'a host declared in bbtoken.host is served without --host' '
	git config --global credential.helper bbtoken &&
	git config --global bbtoken.host "$BB_HOST" &&
	rm -rf declared &&
	git clone -q "$BB_URL/acme/widget.git" declared 2>err &&
	printf "protocol=https\nhost=%s\npath=acme/widget.git\n" "$BB_HOST" |
	BBTOKEN_TRACE=1 git credential-bbtoken get >answer 2>err &&
	test_grep "reading bbtoken.\* from git config" err &&
	test_grep "^password=" answer
'

test_expect_success 'without a [bbtoken] section, get spawns no git config' '
	git config --global --unset bbtoken.host &&
	! grep -i "^\[bbtoken" "$HOME/.gitconfig" &&
	printf "protocol=https\nhost=bitbucket.org\n" |
	BBTOKEN_TRACE=1 git credential-bbtoken get >answer 2>err &&
	test_grep -v "reading bbtoken" err &&
	test_grep "loading .*$STORE_MODULE" err
'

test_expect_success 'inside a linked worktree, get spawns no git config either' '
	git init -q wtmain && git -C wtmain commit -q --allow-empty -m init &&
	git -C wtmain worktree add -q ../wtlinked &&
	(
		cd wtlinked &&
		printf "protocol=https\nhost=bitbucket.org\n" |
		BBTOKEN_TRACE=1 git credential-bbtoken get >../answer 2>../err
	) &&
	test_grep -v "reading bbtoken" err
'

test_expect_success 'a [bbtoken] section in a worktree'"'"'s common config is read' '
	git -C wtmain config bbtoken.warnDays 3 &&
	(
		cd wtlinked &&
		printf "protocol=https\nhost=bitbucket.org\n" |
		BBTOKEN_TRACE=1 git credential-bbtoken get >../answer 2>../err
	) &&
	test_grep "reading bbtoken" err
'

test_done
