#!/bin/sh
# SPDX-License-Identifier: MIT
# doctor and migrate: every place a dead app password or a misplaced
# token hides is seeded for real (git credential-store, git's own
# libsecret helper built here, Git Credential Manager's schema through
# secret-tool, remote URLs, helper chains in system, global and local
# config), and doctor must name each in one line, never show a secret,
# and with --fix change exactly what it announced.

. "$(dirname "$0")/test-lib.sh"

start_bbserver
bb_user jdoe jdoe@example.com
bb_repo acme widget
H=$BB_HOST

# git's libsecret helper, from the copy of git's contrib/ Debian ships;
# built here, never kept in the repository (it is GPL).
mkdir -p "$TRASH/bin"
# shellcheck disable=SC2046
cc -o "$TRASH/bin/git-credential-libsecret" \
	/usr/share/doc/git/contrib/credential/libsecret/git-credential-libsecret.c \
	$(pkg-config --cflags --libs libsecret-1 glib-2.0) ||
	die "cannot build git's libsecret helper"
PATH=$TRASH/bin:$PATH
cp "$HOME/.gitconfig" "$TRASH/gitconfig.clean"

# seed_store USER SECRET [HOST]: as `git credential-store` keeps it, in
# plain text under HOME, which the canary of test-lib.sh must let be.
seed_store () {
	canary_allow "$HOME/.git-credentials" &&
	printf 'protocol=https\nhost=%s\nusername=%s\npassword=%s\n' \
		"${3:-$H}" "$1" "$2" | git credential-store store
}

# seed_libsecret USER SECRET [HOST]: as git's libsecret helper keeps it.
seed_libsecret () {
	printf 'protocol=https\nhost=%s\nusername=%s\npassword=%s\n' \
		"${3:-$H}" "$1" "$2" | git credential-libsecret store >/dev/null
}

# seed_gcm USER SECRET: an item in Git Credential Manager's schema.
seed_gcm () {
	printf %s "$2" | secret-tool store --label="git:https://$H" \
		xdg:schema com.microsoft.GitCredentialManager \
		service "git:https://$H" account "$1"
}

# foreign_items: the other helpers' items for the stand-in, secrets left out.
foreign_items () {
	{
		secret-tool search --all server 127.0.0.1 2>&1
		secret-tool search --all service "git:https://$H" 2>&1
	} | grep -e "^attribute" | sort
}

# no_secret FILE...: none of the seeded secrets shows in any of them.
no_secret () {
	for f in "$@"; do
		if grep -F -f "$TRASH/secrets" "$f"; then
			echo "a secret is printed in $f"
			return 1
		fi
	done
}

secret () {
	printf '%s\n' "$1" >>"$TRASH/secrets"
	printf %s "$1"
}

# fresh: nothing seeded, the global config as start_bbserver left it.
fresh () {
	rm -f "$HOME/.git-credentials" "$XDG_CONFIG_HOME/git/credentials"
	cp "$TRASH/gitconfig.clean" "$HOME/.gitconfig"
	secret-tool clear server 127.0.0.1 2>/dev/null
	secret-tool clear service "git:https://$H" 2>/dev/null
	rm -rf "$TRASH/repo"
	git init -q "$TRASH/repo"
}

: >"$TRASH/secrets"
NOTE_BB="note: no Bitbucket token is stored for bitbucket.org, so git will be asked for a password; fix: git credential-bbtoken migrate"
NOTE_H="note: no Bitbucket token is stored for $H, so git will be asked for a password; fix: git credential-bbtoken migrate --host=$H"
NOTE_CIU="note: transfer.credentialsInUrl is unset, so git says nothing when a URL carries a token; fix: git config --global transfer.credentialsInUrl warn"

test_expect_success 'doctor with nothing wrong says so and exits 0' '
	fresh &&
	(cd repo && git credential-bbtoken doctor >../out 2>../err) &&
	cat >expect <<-EOF &&
	$NOTE_CIU
	$NOTE_BB
	$NOTE_H
	Nothing wrong for bitbucket.org, $H.
	EOF
	test_cmp expect out &&
	test_must_be_empty err
'

test_expect_success 'an app password kept by git credential-store is an error' '
	fresh &&
	app=$(secret "$(bb_token app_password --owner jdoe)") &&
	seed_store jdoe "$app" github.com &&
	seed_store jdoe "$app" &&
	(cd repo && test_expect_code 1 git credential-bbtoken doctor >../out 2>../err) &&
	cat >expect <<-EOF &&
	error: line 1 of ~/.git-credentials (git credential-store) holds, for $H and user ${SQ}jdoe${SQ}, an app password, which Bitbucket refuses since 28 July 2026 (git sees HTTP 410); fix: git credential-bbtoken doctor --fix
	EOF
	grep "^error" out >errors &&
	test_cmp expect errors &&
	no_secret out err
'

test_expect_success 'an app password with an email, by the libsecret helper, is found' '
	fresh &&
	app=$(secret "$(bb_token app_password --owner jdoe)") &&
	seed_libsecret jdoe@example.com "$app" &&
	(cd repo && test_expect_code 1 git credential-bbtoken doctor >../out 2>&1) &&
	test_grep "^error: a keyring item of git${SQ}s libsecret helper holds, for $H and user ${SQ}jdoe@example.com${SQ}, an app password, which Bitbucket refuses" out &&
	no_secret out
'

test_expect_success 'a password in Git Credential Manager'\''s schema is found' '
	fresh &&
	seed_gcm jdoe "$(secret hunter2-account-password)" &&
	(cd repo && test_expect_code 1 git credential-bbtoken doctor >../out 2>&1) &&
	test_grep "^error: a keyring item of Git Credential Manager holds, for $H and user ${SQ}jdoe${SQ}, a password that is not a Bitbucket token" out &&
	no_secret out
'

test_expect_success 'a token with an email as username is an error, not dead' '
	fresh &&
	tok=$(secret "$(bb_token api --owner jdoe --scopes read)") &&
	seed_store jdoe@example.com "$tok" &&
	(cd repo && test_expect_code 1 git credential-bbtoken doctor >../out 2>&1) &&
	test_grep "^error: line 1 of ~/.git-credentials (git credential-store) holds, for $H and user ${SQ}jdoe@example.com${SQ}, a token with an email as the username, which Bitbucket refuses over git (401); fix: git credential-bbtoken migrate$" out &&
	no_secret out
'

test_expect_success 'remote URLs with a token or an email are named with the clean URL' '
	fresh &&
	tok=$(secret "$(bb_token api --owner jdoe --scopes read)") &&
	(
		cd repo &&
		git remote add origin "https://x-token-auth:$tok@$H/acme/widget.git" &&
		git remote add mail "https://jdoe%40example.com@$H/acme/widget.git" &&
		git remote add other "https://u:p@example.com/x.git" &&
		test_expect_code 1 git credential-bbtoken doctor >../out 2>&1
	) &&
	cat >expect <<-EOF &&
	error: remote ${SQ}origin${SQ} URL carries a password or token, which lands in .git/config and logs and is sent instead of bbtoken${SQ}s; fix: git remote set-url origin https://$H/acme/widget.git
	warning: remote ${SQ}mail${SQ} URL has an email as the username, which Bitbucket refuses over git (bbtoken drops it, with a warning each time); fix: git remote set-url mail https://$H/acme/widget.git
	EOF
	grep "^error\|^warning" out >found &&
	test_cmp expect found &&
	no_secret out
'

test_expect_success 'a helper in the system config answers before bbtoken' '
	fresh &&
	printf "[credential]\n\thelper = store\n" >"$TRASH/sysconfig" &&
	(
		cd repo &&
		unset GIT_CONFIG_NOSYSTEM &&
		GIT_CONFIG_SYSTEM=$TRASH/sysconfig &&
		export GIT_CONFIG_SYSTEM &&
		test_expect_code 1 git credential-bbtoken doctor >../out 2>&1
	) &&
	test_grep "^error: credential helper ${SQ}store${SQ} ($TRASH/sysconfig) runs before bbtoken for https://$H/ and answers first, so git sends what it keeps (maybe a dead app password) instead of the token; fix: git credential-bbtoken doctor --fix --host=$H$" out &&
	test_grep "^error: credential helper ${SQ}store${SQ} ($TRASH/sysconfig) runs before bbtoken for https://bitbucket.org/ .*fix: git credential-bbtoken setup$" out
'

test_expect_success 'an empty helper value resets the chain, as in git' '
	fresh &&
	printf "[credential]\n\thelper = store\n" >"$TRASH/sysconfig" &&
	git config --global --add credential.helper "" &&
	git config --global --add credential.helper "bbtoken --host=$H" &&
	(
		cd repo &&
		unset GIT_CONFIG_NOSYSTEM &&
		GIT_CONFIG_SYSTEM=$TRASH/sysconfig &&
		export GIT_CONFIG_SYSTEM &&
		git credential-bbtoken doctor >../out 2>&1
	) &&
	test_grep -v "credential helper" out
'

test_expect_success 'a keeping helper after bbtoken, in the local config, is a warning' '
	fresh &&
	(
		cd repo &&
		git config credential.helper libsecret &&
		test_expect_code 1 git credential-bbtoken doctor >../out 2>&1
	) &&
	test_grep "^warning: credential helper ${SQ}libsecret${SQ} (.git/config) runs after bbtoken for https://$H/ and keeps a second copy of every token git uses, which outlives a rotate; fix: remove it from that file with git config --edit$" out
'

test_expect_success 'no bbtoken in the chain at all is an error' '
	fresh &&
	git config --global --replace-all credential.helper cache &&
	(cd repo && test_expect_code 1 git credential-bbtoken doctor --host="$H" >../out 2>&1) &&
	test_grep "^error: git runs no bbtoken helper for https://$H/ (1 other helper), so no stored token is ever sent; fix: git credential-bbtoken doctor --fix --host=$H$" out
'

test_expect_success 'an Authorization in http.extraHeader is an error, without the secret' '
	fresh &&
	tok=$(secret "$(bb_token api --owner jdoe --scopes read)") &&
	(
		cd repo &&
		git config http.extraHeader "Authorization: Bearer $tok" &&
		test_expect_code 1 git credential-bbtoken doctor >../out 2>&1
	) &&
	test_grep "^error: http.extraheader in .git/config sends an Authorization header of its own.*fix: git config --local --unset-all http.extraheader$" out &&
	no_secret out
'

test_expect_success 'bound tokens without useHttpPath, and an expiring token, are warnings' '
	fresh &&
	git config --global --unset credential.useHttpPath &&
	tok=$(secret "$(bb_token api --owner jdoe --scopes read --expires +5)") &&
	add_token "$tok" --label=soon --workspace=acme --expires=$(day +5) >/dev/null &&
	(cd repo && test_expect_code 1 git credential-bbtoken doctor >../out 2>&1) &&
	test_grep "^warning: tokens for $H are bound to a workspace or repository, but git sends no path (credential.useHttpPath is off), so bbtoken cannot choose them; fix: git config --global credential.https://$H.useHttpPath true$" out &&
	test_grep "^warning: token ${SQ}soon${SQ} for $H expires on $(day +5) (in [45] days), and git will fail from then on; fix: git credential-bbtoken rotate soon$" out &&
	no_secret out &&
	git credential-bbtoken remove soon >/dev/null
'

test_expect_success 'doctor --online says what check says' '
	fresh &&
	tok=$(secret "$(bb_token api --owner jdoe --scopes read)") &&
	add_token "$tok" --label=gone --probe=acme/widget >/dev/null &&
	git credential-bbtoken check --probe=acme/widget gone >/dev/null &&
	python3 "$TEST_DIRECTORY/bbstate" "$BB_STATE" revoke "$tok" &&
	(cd repo && git credential-bbtoken doctor >../offline 2>&1 &&
	 test_expect_code 1 git credential-bbtoken doctor --online >../out 2>&1) &&
	test_grep -v "gone" offline &&
	test_grep "^error: token ${SQ}gone${SQ} for $H: rejected: " out &&
	no_secret out &&
	git credential-bbtoken remove gone >/dev/null
'

test_expect_success '--fix without a terminal needs --yes, and changes nothing' '
	fresh &&
	seed_store jdoe "$(secret "$(bb_token app_password --owner jdoe)")" &&
	cp "$HOME/.git-credentials" before &&
	(cd repo && test_expect_code 129 git credential-bbtoken doctor --fix </dev/null >../out 2>../err) &&
	test_grep "pass --yes" err &&
	test_cmp before "$HOME/.git-credentials" &&
	(cd repo && test_expect_code 129 git credential-bbtoken doctor --yes 2>../err) &&
	test_grep "give both" err
'

test_expect_success '--fix --yes changes exactly what it announced' '
	fresh &&
	app=$(secret "$(bb_token app_password --owner jdoe)") &&
	tok=$(secret "$(bb_token api --owner jdoe --scopes read)") &&
	seed_store keep "$(secret keep-this-github-token)" github.com &&
	seed_store jdoe "$app" &&
	seed_libsecret jdoe "$app" &&
	seed_libsecret other "$(secret other-host-password)" github.com &&
	seed_gcm jdoe "$(secret gcm-account-password)" &&
	(
		cd repo &&
		git remote add origin "https://jdoe:$tok@$H/acme/widget.git" &&
		git config remote.origin.pushurl "https://jdoe@example.com@$H/acme/widget.git"
	) &&
	printf "[credential]\n\thelper = store\n" >"$TRASH/sysconfig" &&
	cp "$TRASH/sysconfig" sys.before &&
	cp "$HOME/.gitconfig" global.before &&
	cp repo/.git/config local.before &&
	secret-tool search --all server github.com 2>&1 | grep ^attribute | sort >github.before &&
	(
		cd repo &&
		unset GIT_CONFIG_NOSYSTEM &&
		GIT_CONFIG_SYSTEM=$TRASH/sysconfig &&
		export GIT_CONFIG_SYSTEM &&
		git credential-bbtoken doctor --fix --yes >../out 2>../err &&
		git credential-bbtoken doctor >../after 2>&1
	) &&
	cat >expect <<-EOF &&
	fixed: make git ask only bbtoken for https://bitbucket.org/ (as setup does)
	fixed: make git ask only bbtoken for https://$H/ (as setup does)
	fixed: remove line 1 of ~/.git-credentials
	fixed: delete the keyring item of git${SQ}s libsecret helper for $H and user ${SQ}jdoe${SQ}
	fixed: delete the keyring item of Git Credential Manager for $H and user ${SQ}jdoe${SQ}
	fixed: git remote set-url origin https://jdoe@$H/acme/widget.git
	fixed: git remote set-url --push origin https://$H/acme/widget.git
	EOF
	grep "^fixed" out >fixed &&
	test_cmp expect fixed &&
	no_secret out err after &&
	test_cmp sys.before "$TRASH/sysconfig" &&
	printf "https://keep:keep-this-github-token@github.com\n" >cred.expect &&
	test_cmp cred.expect "$HOME/.git-credentials" &&
	test "$(stat -c %a "$HOME/.git-credentials")" = 600 &&
	secret-tool search --all server github.com 2>&1 | grep ^attribute | sort >github.after &&
	test_cmp github.before github.after &&
	foreign_items >left && test_must_be_empty left &&
	{ diff local.before repo/.git/config || :; } | grep "^[<>]" |
		tr -d "\t" >local.diff &&
	cat >local.expect <<-EOF &&
	< url = https://jdoe:$tok@$H/acme/widget.git
	> url = https://jdoe@$H/acme/widget.git
	< pushurl = https://jdoe@example.com@$H/acme/widget.git
	> pushurl = https://$H/acme/widget.git
	EOF
	test_cmp local.expect local.diff &&
	git config --global --get-all credential.https://$H.helper >helpers &&
	printf "\nbbtoken --host=%s\n" "$H" >helpers.expect &&
	test_cmp helpers.expect helpers &&
	git config --global transfer.credentialsInUrl >ciu && echo warn >ciu.expect &&
	test_cmp ciu.expect ciu &&
	test_grep -v "^error\|^warning" after
'

test_expect_success 'migrate keeps everything when the new token does not work' '
	fresh &&
	app=$(secret "$(bb_token app_password --owner jdoe)") &&
	seed_store jdoe "$app" &&
	cp "$HOME/.git-credentials" before &&
	bad=$(secret "$(bb_token api --owner jdoe --scopes write)") &&
	(cd repo && git remote add origin "https://$H/acme/widget.git" &&
	 printf "%s\n" "$bad" |
	 test_expect_code 1 git credential-bbtoken migrate --stdin >../out 2>../err) &&
	test_grep "old credentials and remote URLs were left as they were" err &&
	test_cmp before "$HOME/.git-credentials" &&
	no_secret out err
'

test_expect_success 'the whole story: doctor --fix, migrate, clone and push' '
	fresh &&
	app=$(secret "$(bb_token app_password --owner jdoe)") &&
	app2=$(secret "$(bb_token app_password --owner jdoe)") &&
	old=$(secret "$(bb_token api --owner jdoe --scopes read)") &&
	seed_store jdoe "$app" &&
	seed_libsecret jdoe "$app2" &&
	git config --global --add credential.helper libsecret &&
	(
		cd repo &&
		git remote add origin "https://x-token-auth:$old@$H/acme/widget.git" &&
		test_expect_code 1 git credential-bbtoken doctor >../before 2>&1 &&
		git credential-bbtoken doctor --fix --yes >../fix 2>&1 &&
		new=$(secret "$(bb_token api --owner jdoe --scopes read,write --expires +90)") &&
		printf "%s\n" "$new" |
		git credential-bbtoken migrate --stdin --label=main \
			--expires=$(day +90) >../migrate 2>&1
	) &&
	test_grep "^error: line 1 of ~/.git-credentials" before &&
	test_grep "^error: a keyring item of git${SQ}s libsecret helper" before &&
	test_grep "^error: remote ${SQ}origin${SQ} URL carries a password" before &&
	test_grep "^warning: credential helper ${SQ}libsecret${SQ}" before &&
	test_grep "read:repository:bitbucket" migrate &&
	test_grep "write:repository:bitbucket" migrate &&
	test_grep "$TOKEN_PAGE" migrate &&
	test_grep "^Checking the token on acme/widget at $H" migrate &&
	test_grep "^Stored API token ${SQ}main${SQ}" migrate &&
	test_grep "^Migrated: git now sends the new token for $H." migrate &&
	rm -rf clone &&
	git clone -q "$BB_URL/acme/widget.git" clone &&
	(
		cd clone &&
		echo story >>README &&
		git commit -q -am story &&
		git push -q origin main
	) &&
	git -C "$BB_ROOT/acme/widget.git" log --oneline >log &&
	test_grep story log &&
	(cd repo && git credential-bbtoken doctor >../final 2>&1) &&
	test_grep -v "^error\|^warning" final &&
	no_secret before fix migrate final
'

# --- completion ---------------------------------------------------------

# complete_words LINE: what bash completion offers at the end of LINE.
complete_words () {
	bash -c '
		. "$1/contrib/completion/git-credential-bbtoken.bash"
		COMP_LINE=$2
		COMP_POINT=${#COMP_LINE}
		COMP_WORDBREAKS=" =:"
		_git_credential_bbtoken_direct
		[ ${#COMPREPLY[@]} -eq 0 ] || printf "%s\n" "${COMPREPLY[@]}"
	' sh "$BUILD_DIR" "$1"
}

test_expect_success 'bash completes doctor and migrate' '
	complete_words "git-credential-bbtoken d" >out &&
	echo doctor >expect && test_cmp expect out &&
	complete_words "git-credential-bbtoken mi" >out &&
	echo migrate >expect && test_cmp expect out &&
	complete_words "git-credential-bbtoken m" | sort >out &&
	printf "%s\n" migrate move >expect && test_cmp expect out
'

test_expect_success 'bash completes the options of doctor and migrate' '
	complete_words "git-credential-bbtoken doctor --" | sort >out &&
	printf "%s\n" --fix --host= --online | sort >expect &&
	test_cmp expect out &&
	complete_words "git-credential-bbtoken doctor --fix --" | sort >out &&
	printf "%s\n" --host= --online --yes | sort >expect &&
	test_cmp expect out &&
	complete_words "git-credential-bbtoken migrate --" | sort >out &&
	printf "%s\n" --expires= --host= --label= --probe= --stdin | sort >expect &&
	test_cmp expect out
'

test_expect_success 'bash offers --yes only after --fix' '
	complete_words "git-credential-bbtoken doctor --y" >out &&
	test_must_be_empty out &&
	complete_words "git-credential-bbtoken doctor --fix --y" >out &&
	echo --yes >expect && test_cmp expect out
'

# --- the demo -------------------------------------------------------------

test_expect_success 'make demo runs the whole flow and cleans up' '
	before=$(ls "${TMPDIR:-/tmp}" | grep -c "^bbtoken-demo\." || :) &&
	make -C "$BUILD_DIR" -s demo >demo.out 2>demo.err &&
	test_grep "^demo: doctor" demo.out &&
	test_grep "^demo: done" demo.out &&
	after=$(ls "${TMPDIR:-/tmp}" | grep -c "^bbtoken-demo\." || :) &&
	test "$before" = "$after"
'

test_done
