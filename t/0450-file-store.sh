#!/bin/sh
# SPDX-License-Identifier: MIT
# The encrypted file store: through real git over TLS, under concurrent
# and killed writers, against damage, loose modes and wrong keys, with
# the kernel keyring cache, and in both key modes.

. "$(dirname "$0")/test-lib.sh"

start_bbserver
bb_user jdoe jdoe@example.com
bb_repo acme widget
git config --global credential.helper "bbtoken --store=file --host=$BB_HOST"
# The commands read the store from here; git's get from the helper line.
git config --global bbtoken.store file

FS_DIR=$XDG_DATA_HOME/git-credential-bbtoken
FS=$FS_DIR/tokens
PASS=correct-horse-battery
# Not argv: the passphrase travels in the environment or on stdin.
PASSFILE=$TRASH/pass
printf '%s\n' "$PASS" >"$PASSFILE"

# Opaque credentials go to a host of their own: on the stand-in's, the
# API token added below would be the answer to every get.
OHOST=opaque.example

# opaque USER PASSWORD: git's request to store a credential on OHOST.
opaque () {
	printf 'protocol=https\nhost=%s\nusername=%s\npath=o/%s\npassword=%s\n' \
		"$OHOST" "$1" "$1" "$2"
}

# fs_store USER PASSWORD / fs_get USER / fs_erase USER: git's actions.
fs_store () {
	opaque "$1" "$2" | git credential-bbtoken --store=file --host="$OHOST" store
}
fs_get () {
	printf 'protocol=https\nhost=%s\nusername=%s\npath=o/%s\n' "$OHOST" "$1" "$1" |
	git credential-bbtoken --store=file --host="$OHOST" get
}
fs_erase () {
	printf 'protocol=https\nhost=%s\nusername=%s\npath=o/%s\n' "$OHOST" "$1" "$1" |
	git credential-bbtoken --store=file --host="$OHOST" erase
}

# with_pass CMD...: CMD with BBTOKEN_PASSPHRASE set (call it in a subshell).
with_pass () {
	BBTOKEN_PASSPHRASE=$PASS
	export BBTOKEN_PASSPHRASE
	"$@"
}

# mode FILE: its permission bits in octal.
mode () {
	stat -c %a "$1"
}

test_expect_success 'init without a key mode is a usage error' '
	test_expect_code 129 git credential-bbtoken init 2>err &&
	test_grep "one of --passphrase and --key-file" err &&
	test_grep "^usage: git credential-bbtoken init" err &&
	test_expect_code 129 git credential-bbtoken init --passphrase --key-file 2>err &&
	test_expect_code 129 git credential-bbtoken init --key-file extra 2>err &&
	test_grep "no operand" err &&
	git credential-bbtoken init -h >out &&
	test_grep "^usage: git credential-bbtoken init" out &&
	! test -e "$FS_DIR"
'

test_expect_success 'init refuses an empty passphrase and one with CR' '
	printf "\n" | test_expect_code 1 git credential-bbtoken init --stdin --passphrase 2>err &&
	test_grep "empty passphrase" err &&
	printf "a\rb\n" | test_expect_code 1 git credential-bbtoken init --passphrase --stdin 2>err &&
	test_grep "carriage-return" err &&
	! test -e "$FS"
'

test_expect_success 'reading a store that does not exist creates nothing' '
	fs_get nobody >out &&
	test_must_be_empty out &&
	git credential-bbtoken list >out &&
	! test -e "$FS_DIR"
'

test_expect_success 'init --passphrase --stdin makes an empty 0600 store in a 0700 dir' '
	git credential-bbtoken init --stdin --passphrase <"$PASSFILE" >out &&
	test_grep "Created the encrypted file store $FS, locked with a passphrase" out &&
	test "$(mode "$FS_DIR")" = 700 &&
	test "$(mode "$FS")" = 600 &&
	head -c 8 "$FS" >magic &&
	printf "BBTOKFS\n" >expect &&
	test_cmp expect magic
'

test_expect_success 'init refuses an existing store and says how to remove it' '
	cp "$FS" before &&
	test_expect_code 1 git credential-bbtoken init --passphrase --stdin <"$PASSFILE" 2>err &&
	test_grep "exists already" err &&
	test_grep "rm $FS" err &&
	cmp before "$FS"
'

test_expect_success 'add, then clone and push through git with the file store' '
	tok=$(bb_token api --owner jdoe --scopes read,write) &&
	echo "$tok" >"$TRASH/tok" &&
	(with_pass add_token "$tok" --label=main) >out &&
	test_grep "Stored API token .main." out &&
	(with_pass git clone -q "$BB_URL/acme/widget.git" widget) &&
	(
		cd widget &&
		echo change >>README &&
		git commit -q -am change &&
		with_pass git push -q origin main
	) &&
	git -C "$BB_ROOT/acme/widget.git" log --oneline >log &&
	test_grep change log &&
	test_grep "/acme/widget.git/git-receive-pack x-bitbucket-api-token-auth 200" \
		"$TRASH/bbserver.log"
'

test_expect_success 'neither the token nor the passphrase is in plain text under HOME' '
	tok=$(cat "$TRASH/tok") &&
	! grep -r -a -F -e "$tok" "$HOME" &&
	! grep -r -a -F -e "$PASS" "$HOME"
'

test_expect_success 'without a key, get says the store is locked and how to unlock it' '
	test_expect_code 2 get_token acme/widget.git >out 2>err &&
	test_must_be_empty out &&
	test_grep "the file store $FS is locked; unlock it with .git credential-bbtoken unlock." err
'

test_expect_success 'a wrong passphrase has its own message' '
	(
		BBTOKEN_PASSPHRASE=not-it &&
		export BBTOKEN_PASSPHRASE &&
		test_expect_code 2 get_token acme/widget.git 2>err
	) &&
	test_grep "wrong passphrase for the file store $FS" err &&
	printf "not-it\n" | test_expect_code 2 git credential-bbtoken unlock --stdin 2>err &&
	test_grep "wrong passphrase" err
'

test_expect_success 'unlock caches the key: get needs no passphrase and no tty' '
	git credential-bbtoken unlock --stdin --for=10m <"$PASSFILE" >out &&
	test_grep "Unlocked the encrypted file store $FS for 10 minutes" out &&
	get_token acme/widget.git </dev/null >out 2>err &&
	test_grep "^password=$(cat "$TRASH/tok")\$" out &&
	setsid -w sh -c "printf \"protocol=https\nhost=%s\npath=acme/widget.git\n\" \"$BB_HOST\" |
		git credential-bbtoken --host=$BB_HOST get" >out2 &&
	test_cmp out out2
'

test_expect_success 'lock drops the cached key, and get says locked again' '
	git credential-bbtoken lock >out &&
	test_grep "Locked the encrypted file store $FS" out &&
	test_expect_code 2 get_token acme/widget.git 2>err &&
	test_grep "git credential-bbtoken unlock" err &&
	git credential-bbtoken lock >out &&
	test_grep "was not unlocked" out
'

test_expect_success 'unlock --for=2 ends by itself' '
	git credential-bbtoken unlock --stdin --for=2 <"$PASSFILE" >out &&
	test_grep "for 2 seconds" out &&
	get_token acme/widget.git >out &&
	test_grep "^password=" out &&
	sleep 3 &&
	test_expect_code 2 get_token acme/widget.git 2>err &&
	test_grep "is locked" err
'

test_expect_success 'unlock refuses a duration it cannot read' '
	test_expect_code 129 git credential-bbtoken unlock --for=soon 2>err &&
	test_grep "not a duration" err
'

# Each worker: 50 calls of git's protocol, interleaved with the others.
worker () {
	w=$1 i=1
	while [ $i -le 20 ]; do
		fs_store "w$w-$i" "pw-$w-$i" || return 1
		fs_get "w$w-$i" >"got-$w" || return 1
		grep -q "^password=pw-$w-$i\$" "got-$w" || {
			echo "worker $w lost w$w-$i"; return 1; }
		if [ $((i % 4)) = 0 ]; then
			fs_erase "w$w-$i" || return 1
		fi
		i=$((i + 1))
	done
}

test_expect_success '8 processes x 50 interleaved store/get/erase lose nothing' '
	git credential-bbtoken unlock --stdin --for=10m <"$PASSFILE" >/dev/null &&
	pids= &&
	for w in 1 2 3 4 5 6 7 8; do
		worker $w >"worker-$w.log" 2>&1 &
		pids="$pids $!"
	done &&
	failed=0 &&
	for pid in $pids; do
		wait $pid || failed=1
	done &&
	cat worker-*.log &&
	test $failed = 0 &&
	for w in 1 2 3 4 5 6 7 8; do
		i=1 &&
		while [ $i -le 20 ]; do
			fs_get "w$w-$i" >got || return 1
			if [ $((i % 4)) = 0 ]; then
				test_must_be_empty got || return 1
			else
				grep -q "^password=pw-$w-$i\$" got || {
					echo "w$w-$i is missing"; return 1; }
			fi &&
			i=$((i + 1))
		done
	done &&
	git credential-bbtoken list >list &&
	test $(grep -c "^git-" list) = 120 &&
	! test -e "$FS_DIR/tokens.tmp"
'

# rand N: a random number below N.
rand () {
	echo $(( $(od -An -N2 -tu2 /dev/urandom) % $1 ))
}

test_expect_success 'writers killed with SIGKILL at random points lose no earlier token' '
	fs_store keep-1 pw-keep-1 &&
	fs_store keep-2 pw-keep-2 &&
	n=1 &&
	while [ $n -le 50 ]; do
		opaque "killed-$n" "pw-killed-$n" >req &&
		git credential-bbtoken --store=file --host="$OHOST" store <req &
		pid=$! &&
		# A store takes about 10 ms: kill within it, at any point.
		sleep "0.00$(rand 10)$(rand 10)" &&
		# Too late to kill, or killed: either way the file must hold.
		kill -9 $pid 2>/dev/null;
		wait $pid 2>/dev/null;
		git credential-bbtoken list >/dev/null || {
			echo "run $n: the file does not authenticate"; return 1; } &&
		for k in 1 2; do
			fs_get keep-$k >got &&
			grep -q "^password=pw-keep-$k\$" got || {
				echo "run $n: keep-$k is lost"; return 1; }
		done &&
		n=$((n + 1))
	done &&
	fs_get w1-1 >got &&
	test_grep "^password=pw-1-1\$" got &&
	fs_store after-kills pw-after &&
	fs_get after-kills >got &&
	test_grep "^password=pw-after\$" got &&
	! test -e "$FS_DIR/tokens.tmp"
'

test_expect_success 'a flipped byte is damage: named, left untouched, writes refused' '
	cp "$FS" good &&
	size=$(stat -c %s "$FS") &&
	off=$((size - 40)) &&
	python3 -c "import sys; p=sys.argv[1]; o=int(sys.argv[2]); d=bytearray(open(p,\"rb\").read()); d[o]^=1; open(p,\"wb\").write(d)" "$FS" $off &&
	cp "$FS" flipped &&
	test_expect_code 2 fs_get w1-1 >out 2>err &&
	test_must_be_empty out &&
	test_grep "the file store $FS fails authentication" err &&
	test_grep "left untouched" err &&
	cmp flipped "$FS" &&
	test_expect_code 2 fs_store new-one pw-new 2>err &&
	test_grep "fails authentication" err &&
	test_expect_code 2 fs_erase w1-1 2>err &&
	cmp flipped "$FS" &&
	cp good "$FS" &&
	fs_get w1-1 >out &&
	test_grep "^password=pw-1-1\$" out
'

test_expect_success 'a damaged header is damage too, not a wrong key' '
	cp "$FS" good &&
	printf "\377" | dd of="$FS" bs=1 seek=9 conv=notrunc 2>/dev/null &&
	cp "$FS" flipped &&
	test_expect_code 2 fs_get w1-1 2>err &&
	test_grep "the file store $FS has a damaged header" err &&
	test_expect_code 2 fs_store new-one pw-new 2>err &&
	cmp flipped "$FS" &&
	cp good "$FS"
'

test_expect_success 'loose modes are refused with the chmod that fixes them' '
	chmod 755 "$FS_DIR" &&
	test_expect_code 2 fs_get w1-1 2>err &&
	test_grep "chmod 700 $FS_DIR" err &&
	test_expect_code 2 fs_store new-one pw-new 2>err &&
	test_grep "chmod 700 $FS_DIR" err &&
	chmod 700 "$FS_DIR" &&
	chmod 640 "$FS" &&
	test_expect_code 2 fs_get w1-1 2>err &&
	test_grep "chmod 600 $FS" err &&
	chmod 600 "$FS" &&
	fs_get w1-1 >out &&
	test_grep "^password=pw-1-1\$" out
'

test_expect_success 'a store file of another user is refused' '
	chown nobody "$FS" &&
	test_expect_code 2 fs_get w1-1 2>err &&
	test_grep "$FS is owned by another user" err &&
	chown "$(id -u)" "$FS" &&
	chown nobody "$FS_DIR" &&
	test_expect_code 2 fs_get w1-1 2>err &&
	test_grep "$FS_DIR is owned by another user" err &&
	chown "$(id -u)" "$FS_DIR"
'

test_expect_success 'a symlink in place of the store is refused' '
	mv "$FS" "$TRASH/real-tokens" &&
	ln -s "$TRASH/real-tokens" "$FS" &&
	test_expect_code 2 fs_get w1-1 2>err &&
	test_grep "$FS is a symlink" err &&
	test_expect_code 2 fs_store new-one pw-new 2>err &&
	test_grep "is a symlink" err &&
	test -L "$FS" &&
	rm "$FS" &&
	mv "$TRASH/real-tokens" "$FS" &&
	fs_get w1-1 >out &&
	test_grep "^password=pw-1-1\$" out
'

test_expect_success 'key-file mode with a key file of our choosing' '
	(
		XDG_DATA_HOME=$TRASH/kf-data &&
		export XDG_DATA_HOME &&
		git credential-bbtoken init --key-file="$TRASH/keys/bbtoken.key" >out &&
		test_grep "locked with the key file $TRASH/keys/bbtoken.key" out &&
		test "$(mode "$TRASH/keys")" = 700 &&
		test "$(mode "$TRASH/keys/bbtoken.key")" = 600 &&
		test $(stat -c %s "$TRASH/keys/bbtoken.key") = 32 &&
		grep -a -q "$TRASH/keys/bbtoken.key" "$XDG_DATA_HOME/git-credential-bbtoken/tokens" &&
		fs_store kf-user pw-kf </dev/null &&
		fs_get kf-user >got &&
		test_grep "^password=pw-kf\$" got &&
		git credential-bbtoken unlock >out 2>err &&
		test_grep "needs no unlocking" err &&
		cp "$TRASH/keys/bbtoken.key" key.good &&
		head -c 32 /dev/urandom >"$TRASH/keys/bbtoken.key" &&
		test_expect_code 2 fs_get kf-user 2>err &&
		test_grep "the key file $TRASH/keys/bbtoken.key does not match" err &&
		cp key.good "$TRASH/keys/bbtoken.key" &&
		chmod 644 "$TRASH/keys/bbtoken.key" &&
		test_expect_code 2 fs_get kf-user 2>err &&
		test_grep "chmod 600 $TRASH/keys/bbtoken.key" err
	)
'

test_expect_success 'a first write without init picks a key file, and says so' '
	(
		XDG_DATA_HOME=$TRASH/fw1-data XDG_CONFIG_HOME=$TRASH/fw1-cfg &&
		export XDG_DATA_HOME XDG_CONFIG_HOME &&
		fs_store first pw-first 2>err &&
		test_grep "made the encrypted file store $XDG_DATA_HOME/git-credential-bbtoken/tokens, locked with the new key file $XDG_CONFIG_HOME/git-credential-bbtoken/key" err &&
		test "$(mode "$XDG_CONFIG_HOME/git-credential-bbtoken")" = 700 &&
		test "$(mode "$XDG_CONFIG_HOME/git-credential-bbtoken/key")" = 600 &&
		fs_get first >got &&
		test_grep "^password=pw-first\$" got
	)
'

test_expect_success 'a first write with BBTOKEN_PASSPHRASE picks a passphrase' '
	(
		XDG_DATA_HOME=$TRASH/fw2-data XDG_CONFIG_HOME=$TRASH/fw2-cfg &&
		export XDG_DATA_HOME XDG_CONFIG_HOME &&
		(with_pass fs_store first pw-first) 2>err &&
		test_grep "locked with the passphrase from BBTOKEN_PASSPHRASE" err &&
		! test -e "$XDG_CONFIG_HOME/git-credential-bbtoken/key" &&
		test_expect_code 2 fs_get first 2>err &&
		test_grep "is locked" err &&
		(with_pass fs_get first) >got &&
		test_grep "^password=pw-first\$" got
	)
'

# --- a person at a terminal ------------------------------------------------

# at_tty COMMAND LINE...: run COMMAND (a string for sh) with a terminal
# of its own, as git's get runs from a person's shell, each LINE typed
# into it a second after the one before; what the terminal showed is in
# tty.out, the command's exit code in tty.code.  Prompts are allowed
# there (test-lib.sh turns them off everywhere else).
at_tty () {
	cmd=$1
	shift
	for line in "$@"; do sleep 1; printf "%s\n" "$line"; done |
	GIT_TERMINAL_PROMPT=1 script -qec "$cmd" /dev/null >tty.out 2>&1
	echo $? >tty.code
}

test_expect_success 'a get that finds the store locked asks on the terminal' '
	(
		export XDG_DATA_HOME=$TRASH/tty-data XDG_CONFIG_HOME=$TRASH/tty-config &&
		printf "pw-at-tty\n" | git credential-bbtoken init --passphrase --stdin &&
		printf "protocol=https\nhost=%s\nusername=u\npassword=at-tty-secret\n" \
			"$OHOST" | BBTOKEN_PASSPHRASE=pw-at-tty \
			git credential-bbtoken --store=file --host="$OHOST" store &&
		printf "protocol=https\nhost=%s\n" "$OHOST" >req &&
		at_tty "git credential-bbtoken --store=file --host=$OHOST get <req" \
			pw-at-tty
	) &&
	test_grep "^Passphrase for the file store .*tty-data/git-credential-bbtoken/tokens: " tty.out &&
	test_grep "^password=at-tty-secret" tty.out &&
	test_grep -v "pw-at-tty" tty.out
'

test_expect_success 'with GIT_TERMINAL_PROMPT=0 the locked store is said, not asked' '
	(
		export XDG_DATA_HOME=$TRASH/tty-data XDG_CONFIG_HOME=$TRASH/tty-config &&
		at_tty "GIT_TERMINAL_PROMPT=0 git credential-bbtoken --store=file --host=$OHOST get <req" \
			pw-at-tty
	) &&
	test_grep -v "^Passphrase for" tty.out &&
	test_grep "is locked; unlock it with .git credential-bbtoken unlock." tty.out &&
	echo 2 >expect && test_cmp expect tty.code &&
	test_grep -v "^password=" tty.out
'

test_expect_success 'a first write at a terminal asks for a new passphrase twice' '
	(
		export XDG_DATA_HOME=$TRASH/tty2-data XDG_CONFIG_HOME=$TRASH/tty2-config &&
		printf "protocol=https\nhost=%s\nusername=u\npassword=first-secret\n" \
			"$OHOST" >req2 &&
		at_tty "git credential-bbtoken --store=file --host=$OHOST store <req2" \
			new-pw-1 new-pw-1 &&
		printf "protocol=https\nhost=%s\n" "$OHOST" |
		BBTOKEN_PASSPHRASE=new-pw-1 git credential-bbtoken --store=file \
			--host="$OHOST" get >answer
	) &&
	test_grep "assphrase" tty.out &&
	test_grep "^password=first-secret$" answer &&
	! grep -r -F "first-secret" "$TRASH/tty2-data"
'

# --- no kernel keyring -------------------------------------------------------

# As in a container whose seccomp profile refuses the kernel keyring.
cc -shared -fPIC -o "$TRASH/no-keyring.so" "$TEST_DIRECTORY/lib/no-keyring.c" -ldl ||
	die "cannot build t/lib/no-keyring.c"

test_expect_success 'without a kernel keyring, unlock says so and the store still works' '
	(
		export XDG_DATA_HOME=$TRASH/nok-data XDG_CONFIG_HOME=$TRASH/nok-config &&
		printf "pw-nok\n" | git credential-bbtoken init --passphrase --stdin &&
		printf "pw-nok\n" | LD_PRELOAD=$TRASH/no-keyring.so \
			git credential-bbtoken unlock --stdin >out 2>err;
		echo $? >code &&
		printf "protocol=https\nhost=%s\nusername=u\npassword=nok-secret\n" "$OHOST" |
		BBTOKEN_PASSPHRASE=pw-nok LD_PRELOAD=$TRASH/no-keyring.so \
			git credential-bbtoken --store=file --host="$OHOST" store &&
		printf "protocol=https\nhost=%s\n" "$OHOST" |
		BBTOKEN_PASSPHRASE=pw-nok LD_PRELOAD=$TRASH/no-keyring.so \
			git credential-bbtoken --store=file --host="$OHOST" get >answer
	) &&
	test_grep "kernel keyring" err &&
	test_grep "^password=nok-secret$" answer
'

test_done
