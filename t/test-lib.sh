# SPDX-License-Identifier: MIT
# Test library for git-credential-bbtoken: TAP output for prove, and a
# sandbox per script with real parts only: its own HOME, its own D-Bus
# session with an unlocked gnome-keyring, the real git, and (on request)
# the Bitbucket stand-in t/bbserver over TLS with a certificate made here.
#
# A script sources this file, calls test_expect_success for each test and
# test_done at the end.  Each test body runs in a subshell, git-style: a
# chain of commands joined by &&, the test passing when the chain does.

set -u
LC_ALL=C
TZ=UTC
export LC_ALL TZ

TEST_DIRECTORY=$(cd "$(dirname "$0")" && pwd)
BUILD_DIR=$(cd "$TEST_DIRECTORY/.." && pwd)
TEST_NAME=$(basename "$0" .sh)
TRASH=$TEST_DIRECTORY/trash.$TEST_NAME

test_count=0
test_failures=0
# What a test body prints, stdout and stderr.
TEST_OUT=$TRASH/test.out
cleanup_pids=

rm -rf "$TRASH"
mkdir -p "$TRASH/home" || exit 1
cd "$TRASH" || exit 1

HOME=$TRASH/home
XDG_CONFIG_HOME=$HOME/.config
XDG_DATA_HOME=$HOME/.local/share
XDG_RUNTIME_DIR=$TRASH/run
mkdir -p "$XDG_RUNTIME_DIR" && chmod 700 "$XDG_RUNTIME_DIR"
PATH=$BUILD_DIR:$PATH
export HOME XDG_CONFIG_HOME XDG_DATA_HOME XDG_RUNTIME_DIR PATH

# Nothing of the machine's own setup may leak in: no system git config,
# no display (so no keyring prompt can appear), no prompting git.
GIT_CONFIG_NOSYSTEM=1
GIT_TERMINAL_PROMPT=0
export GIT_CONFIG_NOSYSTEM GIT_TERMINAL_PROMPT
unset DISPLAY WAYLAND_DISPLAY GIT_ASKPASS SSH_ASKPASS GIT_CONFIG_GLOBAL \
	GIT_DIR GIT_CONFIG_PARAMETERS GIT_CONFIG_COUNT BBTOKEN_TRACE \
	GIT_SSL_CAINFO DBUS_SESSION_BUS_ADDRESS

git config --global user.name "Test User"
git config --global user.email "test@example.com"
git config --global init.defaultBranch main
git config --global protocol.version 2

cleanup_cmds=
cleanup () {
	test -z "$cleanup_cmds" || $cleanup_cmds >/dev/null 2>&1
	# A provider restarted inside a test body is no child of ours;
	# stopped before the bus it talks to.
	if test -s "$TRASH/provider.pid"; then
		pid=$(cat "$TRASH/provider.pid")
		kill "$pid" 2>/dev/null
		i=0
		while kill -0 "$pid" 2>/dev/null && test $i -lt 50; do
			i=$((i + 1)); sleep 0.1
		done
		kill -9 "$pid" 2>/dev/null
	fi
	for pid in $cleanup_pids; do
		kill "$pid" 2>/dev/null
	done
	wait 2>/dev/null
}
trap cleanup EXIT

die () {
	echo "Bail out! $*"
	exit 1
}

# --- Sanitizers -----------------------------------------------------------

# Under `make test SANITIZE=...` our programs write any report to a file
# in $SANITIZER_LOGS instead of stderr: git runs the helper and drops its
# stderr and exit code, so a report there would pass unseen.  Any file
# there fails the test that ran (sanitizer_check).
SANITIZER_LOGS=$TRASH/sanitizer
. "$TEST_DIRECTORY/lib-sanitize.sh"
test -z "${BBTOKEN_SANITIZE-}" || mkdir -p "$SANITIZER_LOGS"

# sanitizer_check: shows and removes the reports the test left, false if any.
sanitizer_check () {
	test -d "$SANITIZER_LOGS" || return 0
	found=0
	for f in "$SANITIZER_LOGS"/*; do
		test -f "$f" || continue
		echo "sanitizer report $f:"
		cat "$f"
		rm -f "$f"
		found=1
	done
	test $found = 0
}

# --- TAP ---------------------------------------------------------------

# The canary: every secret bb_token makes is kept in $CANARY, and after
# each test body none of them may show in what the body printed, in a
# stderr it kept (err, *.err, stderr: where BBTOKEN_TRACE goes), or in any
# file under HOME, so that a leak fails the test that made it without the
# test asking.  The keyring files and the file store hold them encrypted;
# a test that seeds a secret in HOME on purpose, as a plaintext helper
# would keep it, names the file with canary_allow.  A test may write a
# secret to its own files in TRASH (main.secret, git's answer): those are
# not read.
CANARY=$TRASH/canary.secrets
CANARY_ALLOW=$TRASH/canary.allow
CANARY_STAMP=$TRASH/canary.stamp
: >"$CANARY"
: >"$CANARY_ALLOW"

# canary_allow FILE...: FILE holds a test secret on purpose.
canary_allow () {
	printf '%s\n' "$@" >>"$CANARY_ALLOW"
}

# canary_files: where no test secret may be, one path a line.
canary_files () {
	echo "$TEST_OUT"
	find "$HOME" -type f ! -name '*.keyring' ! -path "$FILE_STORE" -print
	find "$TRASH" -path "$HOME" -prune -o -type f -newer "$CANARY_STAMP" \
		\( -name err -o -name '*.err' -o -name stderr \) \
		! -name bbserver.err -print
}

# canary_check: says which files hold a test secret, false if any does.
canary_check () {
	test -s "$CANARY" || return 0
	canary_files | grep -vxF -f "$CANARY_ALLOW" | {
		found=0
		while IFS= read -r f; do
			if grep -qF -f "$CANARY" "$f"; then
				echo "canary: a test token shows in $f"
				found=1
			fi
		done
		test $found = 0
	}
}

# canary_mask FILE: FILE with every test secret replaced, for showing.
canary_mask () {
	awk -v canary="$CANARY" '
	BEGIN { while ((getline s < canary) > 0) if (s != "") sec[++n] = s }
	{
		for (i = 1; i <= n; i++)
			while ((j = index($0, sec[i])) > 0)
				$0 = substr($0, 1, j - 1) "<test token>" \
					substr($0, j + length(sec[i]))
		print
	}' "$1"
}

test_expect_success () {
	test_count=$((test_count + 1))
	# Backdated: a file's mtime comes from a coarse clock, and an err
	# written in the tick the stamp was made would not be -newer.
	touch -d "1 second ago" "$CANARY_STAMP"
	# A failed body is checked too: a report often is why it failed.
	(eval "$2") >"$TEST_OUT" 2>&1
	test_ok=$?
	sanitizer_check >>"$TEST_OUT" 2>&1 || test_ok=1
	canary_check >>"$TEST_OUT" 2>&1 || test_ok=1
	if test $test_ok = 0; then
		echo "ok $test_count - $1"
	else
		test_failures=$((test_failures + 1))
		echo "not ok $test_count - $1"
		canary_mask "$TEST_OUT" | sed -e 's/^/#	/'
	fi
}

test_done () {
	echo "1..$test_count"
	cleanup
	# Reports from outside any test: the setup, or the cleanup just run.
	if ! sanitizer_check >"$TEST_OUT" 2>&1; then
		sed -e 's/^/# /' "$TEST_OUT"
		echo "# a program outside the tests made a sanitizer report"
		exit 1
	fi
	if [ "$test_failures" -ne 0 ]; then
		echo "# failed $test_failures among $test_count test(s)"
		exit 1
	fi
	# Leave the trash behind only when something failed, or when asked.
	test -n "${BBTOKEN_TEST_KEEP-}" || { cd "$TEST_DIRECTORY" && rm -rf "$TRASH"; }
	exit 0
}

test_cmp () {
	diff -u "$1" "$2"
}

# test_grep [-v] PATTERN FILE: like grep, but shows the file when it fails.
test_grep () {
	if [ "$1" = "-v" ]; then
		shift
		if grep -e "$1" "$2" >/dev/null; then
			echo "unexpected match of '$1' in $2:"; cat "$2"; return 1
		fi
		return 0
	fi
	grep -e "$1" "$2" >/dev/null && return 0
	echo "no match of '$1' in $2:"; cat "$2"; return 1
}

test_must_be_empty () {
	if [ -s "$1" ]; then
		echo "'$1' is not empty:"; cat "$1"; return 1
	fi
}

# test_expect_code CODE COMMAND...: the command must exit with CODE.
test_expect_code () {
	want=$1
	shift
	"$@"
	got=$?
	[ "$got" = "$want" ] && return 0
	echo "expected exit code $want, got $got from: $*"
	return 1
}

# --- Tests as data, as git's t/lib-credential.sh -----------------------------

# A single quote, for expected output inside a single-quoted test body.
SQ="'"

# split_blocks: stdin up to a line "--" into $TRASH/block0, the next
# block into block1, the rest into block2; missing blocks are empty.
split_blocks () {
	rm -f "$TRASH/block0" "$TRASH/block1" "$TRASH/block2" &&
	awk -v dir="$TRASH" '
		/^--$/ { n++; next }
		{ print > (dir "/block" n) }
	' n=0 && touch "$TRASH/block0" "$TRASH/block1" "$TRASH/block2"
}

# check_helper [--exit=N] [--timeout=S] ACTION [OPTION...]: run
# `git credential-bbtoken OPTION... ACTION` on the request (stdin up to a
# line "--"), then compare its stdout with the next block and its stderr
# with the rest, exactly, and its exit code with N (default 0).  The
# request block is expanded by printf %b, so that "\r" or "\000" in it
# are the bytes a here-document cannot hold.  With --timeout, a helper
# still running after S seconds is killed, and exits 124: for tests of a
# keyring that hangs, where a hang must fail the test, not stop the run
# (the helper then runs in a process group of its own, away from the
# terminal).
check_helper () {
	want=0 deadline=
	case $1 in --exit=*) want=${1#--exit=}; shift ;; esac
	case $1 in --timeout=*) deadline="timeout ${1#--timeout=}"; shift ;; esac
	action=$1
	shift
	split_blocks &&
	printf '%b' "$(cat "$TRASH/block0")" >"$TRASH/request" &&
	{ test ! -s "$TRASH/block0" || printf '\n' >>"$TRASH/request"; } &&
	$deadline git credential-bbtoken "$@" "$action" <"$TRASH/request" \
		>"$TRASH/stdout" 2>"$TRASH/stderr"
	ret=$?
	test_cmp "$TRASH/block1" "$TRASH/stdout" &&
	test_cmp "$TRASH/block2" "$TRASH/stderr" &&
	if test "$ret" != "$want"; then
		echo "exit code $ret, expected $want"
		return 1
	fi
}

# git asks this instead of a person; it says what it was asked on stderr.
make_askpass () {
	cat >"$TRASH/askpass" <<\EOF_ASKPASS
#!/bin/sh
echo "askpass: $*" >&2
case "$*" in
Username*) echo askpass-username ;;
*) echo askpass-password ;;
esac
EOF_ASKPASS
	chmod +x "$TRASH/askpass"
}

# check ACTION: the same through the real `git credential ACTION`, with
# $HELPER as the only helper and git's prompts answered by askpass (the
# expected stderr holds what git asked).
check () {
	action=$1
	test -x "$TRASH/askpass" || make_askpass
	split_blocks &&
	GIT_ASKPASS=$TRASH/askpass GIT_TERMINAL_PROMPT=1 \
	git -c credential.helper= -c "credential.helper=$HELPER" \
		credential "$action" <"$TRASH/block0" >"$TRASH/stdout" 2>"$TRASH/stderr"
	ret=$?
	test_cmp "$TRASH/block1" "$TRASH/stdout" &&
	test_cmp "$TRASH/block2" "$TRASH/stderr" &&
	rm -f "$TRASH/block0" "$TRASH/block1" "$TRASH/block2" &&
	return $ret
}

# --- D-Bus session and keyring --------------------------------------------

# The secret the test keyring is locked with; not a token.
KEYRING_PASSWORD=test-keyring-password

start_dbus () {
	dbus-daemon --session --fork --nopidfile --print-address=3 \
		--print-pid=4 3>"$TRASH/bus.address" 4>"$TRASH/bus.pid" \
		2>"$TRASH/bus.log" || die "cannot start dbus-daemon"
	DBUS_SESSION_BUS_ADDRESS=$(head -n 1 "$TRASH/bus.address")
	export DBUS_SESSION_BUS_ADDRESS
	cleanup_pids="$cleanup_pids $(cat "$TRASH/bus.pid")"
}

bus_has_name () {
	dbus-send --session --print-reply --dest=org.freedesktop.DBus \
		/org/freedesktop/DBus org.freedesktop.DBus.NameHasOwner \
		"string:$1" 2>/dev/null | grep -q "boolean true"
}

# An unlocked gnome-keyring-daemon serving the Secret Service.  A
# password is required: with an empty one the daemon wants a prompt.
start_keyring () {
	printf '%s' "$KEYRING_PASSWORD" |
	gnome-keyring-daemon --foreground --unlock --components=secrets \
		>"$TRASH/keyring.log" 2>&1 &
	KEYRING_PID=$!
	cleanup_pids="$cleanup_pids $KEYRING_PID"
	i=0
	while ! bus_has_name org.freedesktop.secrets; do
		i=$((i + 1))
		[ $i -lt 100 ] || die "gnome-keyring-daemon did not start"
		sleep 0.1
	done
}

# start_bare_bus: a second session bus that works but where no Secret
# Service runs nor can be started, at unix:path=$TRASH/bare-bus.
start_bare_bus () {
	cat >"$TRASH/bare-bus.conf" <<EOF
<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:path=$TRASH/bare-bus</listen>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
EOF
	dbus-daemon --config-file="$TRASH/bare-bus.conf" --fork --nopidfile \
		--print-pid=4 4>"$TRASH/bare-bus.pid" 2>"$TRASH/bare-bus.log" &&
	cleanup_pids="$cleanup_pids $(cat "$TRASH/bare-bus.pid")" ||
	die "cannot start a bare dbus-daemon"
}

lock_keyring () {
	if test "$BBTOKEN_TEST_STORE" != secretservice; then
		"$KEYRING_CTL" lock
		return
	fi
	dbus-send --session --print-reply --dest=org.freedesktop.secrets \
		/org/freedesktop/secrets org.freedesktop.Secret.Service.Lock \
		"array:objpath:/org/freedesktop/secrets/collection/login" >/dev/null
}

# --- KWallet and KeePassXC as the Secret Service ----------------------------
#
# Both run headless in the script's own bus, as
# docs/internals/test-keyrings.md says; t/keyring-ctl speaks D-Bus for
# the steps that need a prompt run or a signal waited for.
KEYRING_CTL=$TEST_DIRECTORY/keyring-ctl

# The bus starts services with its own environment: give it the sandbox's,
# or the first call to org.freedesktop.secrets starts the stock
# gnome-keyring-daemon with the real home.
bus_sandbox_env () {
	dbus-update-activation-environment HOME XDG_CONFIG_HOME XDG_DATA_HOME \
		XDG_RUNTIME_DIR TMPDIR QT_QPA_PLATFORM KPXC_CONFIG \
		KPXC_CONFIG_LOCAL >"$TRASH/activation.log" 2>&1 ||
		die "dbus-update-activation-environment failed: $(cat "$TRASH/activation.log")"
	! bus_has_name org.freedesktop.secrets ||
		die "something already owns org.freedesktop.secrets"
}

# No display: Qt draws offscreen, and no dialog can reach a person.
provider_env () {
	TMPDIR=$TRASH/tmp
	QT_QPA_PLATFORM=offscreen
	KPXC_CONFIG=$XDG_CONFIG_HOME/keepassxc/keepassxc.ini
	KPXC_CONFIG_LOCAL=$XDG_CONFIG_HOME/keepassxc/keepassxc-local.ini
	mkdir -p "$TMPDIR" && chmod 700 "$TMPDIR" || die "cannot make $TMPDIR"
	export TMPDIR QT_QPA_PLATFORM KPXC_CONFIG KPXC_CONFIG_LOCAL
}

# wait_provider NAME: until KEYRING_PID owns the name and `default` is open.
wait_provider () {
	"$KEYRING_CTL" wait-ready "$KEYRING_PID" 30 2>"$TRASH/ready.err" ||
		die "$1 did not come up: $(cat "$TRASH/ready.err")"
}

kwallet_config () {
	cat >"$XDG_CONFIG_HOME/kwalletrc" <<-EOF
	[Wallet]
	Enabled=true
	First Use=false
	Default Wallet=kdewallet
	Local Wallet=kdewallet
	Use One Wallet=true
	Close When Idle=false
	Prompt on Open=false
	Leave Open=true
	Launch Manager=false

	[org.freedesktop.secrets]
	apiEnabled=$1
	EOF
}

# A wallet with an empty password, so that unlocking never shows a dialog,
# then kwalletd5 serving it as the Secret Service.
start_kwallet () {
	mkdir -p "$XDG_CONFIG_HOME" "$XDG_DATA_HOME/kwalletd" &&
	(umask 077 && head -c 56 /dev/urandom \
		>"$XDG_DATA_HOME/kwalletd/kdewallet.salt") &&
	kwallet_config false || die "cannot set up KWallet"
	kwalletd5 >"$TRASH/kwalletd-init.log" 2>&1 &
	init_pid=$!
	"$KEYRING_CTL" kwallet-init "$XDG_DATA_HOME/kwalletd/kdewallet.salt" \
		>"$TRASH/kwallet-init.err" 2>&1 || {
		kill "$init_pid"
		die "cannot make the wallet: $(cat "$TRASH/kwallet-init.err")"
	}
	kill "$init_pid" && wait "$init_pid" 2>/dev/null
	test -s "$XDG_DATA_HOME/kwalletd/kdewallet.kwl" ||
		die "kwalletd5 wrote no wallet"
	kwallet_config true
	kwalletd5 >"$TRASH/keyring.log" 2>&1 &
	KEYRING_PID=$!
	cleanup_pids="$cleanup_pids $KEYRING_PID"
	# The wallet is served locked; Unlock and its prompt open it silently.
	i=0
	while ! "$KEYRING_CTL" locked 2>/dev/null; do
		i=$((i + 1))
		[ $i -lt 100 ] || die "kwalletd5 serves no wallet"
		sleep 0.1
	done
	"$KEYRING_CTL" unlock 2>"$TRASH/unlock.err" ||
		die "cannot open the wallet: $(cat "$TRASH/unlock.err")"
	wait_provider kwalletd5
}

# A KeePassXC database whose root group is exposed to the Secret Service,
# with a random password; then keepassxc serving it, unlocked.
KPXC_DB=$TRASH/keepassxc/test.kdbx
KPXC_PW=$TRASH/keepassxc/password
start_keepassxc () {
	mkdir -p "$TRASH/keepassxc" "$XDG_CONFIG_HOME/keepassxc" &&
	(umask 077 && head -c 24 /dev/urandom | base64 >"$KPXC_PW") &&
	cat >"$KPXC_CONFIG" <<-\EOF &&
	[General]
	ConfigVersion=2
	SingleInstance=false
	RememberLastDatabases=false
	RememberLastKeyFiles=false
	OpenPreviousDatabasesOnStartup=false
	AutoSaveAfterEveryChange=false
	AutoSaveOnExit=true
	AutoReloadOnChange=false
	UpdateCheckMessageShown=true
	CheckForUpdates=false

	[GUI]
	CheckForUpdates=false
	MinimizeOnStartup=false
	ShowTrayIcon=false

	[Security]
	LockDatabaseIdle=false
	LockDatabaseMinimize=false
	LockDatabaseScreenLock=false
	LockDatabaseOnUserSwitch=false
	ClearClipboard=false

	[Browser]
	Enabled=false

	[SSHAgent]
	Enabled=false

	[FdoSecrets]
	Enabled=true
	ShowNotification=false
	ConfirmDeleteItem=false
	ConfirmAccessItem=false
	UnlockBeforeSearch=false
	EOF
	cp "$KPXC_CONFIG" "$KPXC_CONFIG_LOCAL" || die "cannot set up KeePassXC"
	# The root group's UUID: base64 of its 16 bytes in the XML, and in
	# braces where the database names the group it exposes.
	set -- $(/usr/bin/python3 -c 'import base64, uuid
u = uuid.uuid4()
print(u, base64.b64encode(u.bytes).decode())')
	uuid=$1 uuid64=$2
	cat >"$TRASH/keepassxc/db.xml" <<-EOF
	<?xml version="1.0" encoding="utf-8" standalone="yes"?>
	<KeePassFile>
	 <Meta>
	  <Generator>git-credential-bbtoken tests</Generator>
	  <DatabaseName>bbtoken test</DatabaseName>
	  <RecycleBinEnabled>False</RecycleBinEnabled>
	  <CustomData>
	   <Item><Key>FDO_SECRETS_EXPOSED_GROUP</Key><Value>{$uuid}</Value></Item>
	  </CustomData>
	 </Meta>
	 <Root>
	  <Group><UUID>$uuid64</UUID><Name>Root</Name></Group>
	 </Root>
	</KeePassFile>
	EOF
	{ cat "$KPXC_PW"; cat "$KPXC_PW"; } |
	keepassxc-cli import -q -p -t 100 "$TRASH/keepassxc/db.xml" "$KPXC_DB" \
		>"$TRASH/keepassxc/import.log" 2>&1 ||
		die "keepassxc-cli import failed: $(cat "$TRASH/keepassxc/import.log")"
	LD_PRELOAD=${KPXC_PRELOAD-} keepassxc --pw-stdin "$KPXC_DB" \
		<"$KPXC_PW" >"$TRASH/keyring.log" 2>&1 &
	KEYRING_PID=$!
	cleanup_pids="$cleanup_pids $KEYRING_PID"
	wait_provider keepassxc
}

# restart_provider_locked: stop the provider and start it again as at
# boot: the wallet or database on disk is served, locked.
restart_provider_locked () {
	case $BBTOKEN_TEST_STORE in
	kwallet) "$KEYRING_CTL" kwallet-close ;;
	esac
	kill "$KEYRING_PID" && wait "$KEYRING_PID" 2>/dev/null
	i=0
	while bus_has_name org.freedesktop.secrets; do
		i=$((i + 1)); [ $i -lt 100 ] || return 1; sleep 0.1
	done
	case $BBTOKEN_TEST_STORE in
	kwallet)
		kwalletd5 >"$TRASH/keyring2.log" 2>&1 </dev/null & ;;
	keepassxc)
		LD_PRELOAD=${KPXC_PRELOAD-} keepassxc "$KPXC_DB" \
			>"$TRASH/keyring2.log" 2>&1 </dev/null & ;;
	esac
	KEYRING_PID=$!
	cleanup_pids="$cleanup_pids $KEYRING_PID"
	echo "$KEYRING_PID" >"$TRASH/provider.pid"
	"$KEYRING_CTL" wait-owner "$KEYRING_PID" 30
}

# unlock_provider: what a person does to unlock it again, with no dialog.
unlock_provider () {
	case $BBTOKEN_TEST_STORE in
	kwallet) "$KEYRING_CTL" unlock ;;
	keepassxc) "$KEYRING_CTL" keepassxc-open "$KPXC_DB" "$KPXC_PW" ;;
	*) die "unlock_provider: no provider of our own here" ;;
	esac
}

# --- The Bitbucket stand-in -------------------------------------------------

# start_bbserver: TLS certificate for 127.0.0.1, empty state, no repos.
# Sets BB_PORT, BB_HOST (host:port as git sends it), BB_URL, BB_STATE,
# BB_ROOT, BB_CERT, and points git at the certificate and the helper.
start_bbserver () {
	mkdir -p "$TRASH/tls" "$TRASH/srv"
	openssl req -x509 -newkey rsa:2048 -nodes -days 2 \
		-keyout "$TRASH/tls/key.pem" -out "$TRASH/tls/cert.pem" \
		-subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1 \
		>"$TRASH/tls/openssl.log" 2>&1 || die "openssl cannot make a certificate"
	BB_CERT=$TRASH/tls/cert.pem
	BB_STATE=$TRASH/state.json
	BB_ROOT=$TRASH/srv
	echo '{"users": [], "tokens": [], "faults": null}' >"$BB_STATE"
	python3 "$TEST_DIRECTORY/bbserver" --cert "$BB_CERT" \
		--key "$TRASH/tls/key.pem" --root "$BB_ROOT" --state "$BB_STATE" \
		--port-file "$TRASH/bbserver.port" --log "$TRASH/bbserver.log" \
		2>"$TRASH/bbserver.err" &
	cleanup_pids="$cleanup_pids $!"
	i=0
	while ! [ -s "$TRASH/bbserver.port" ]; do
		i=$((i + 1))
		[ $i -lt 100 ] || die "t/bbserver did not start: $(cat "$TRASH/bbserver.err")"
		sleep 0.1
	done
	BB_PORT=$(cat "$TRASH/bbserver.port")
	BB_HOST=127.0.0.1:$BB_PORT
	BB_URL=https://$BB_HOST
	export BB_PORT BB_HOST BB_URL BB_STATE BB_ROOT BB_CERT
	git config --global http.sslCAInfo "$BB_CERT"
	git config --global credential.helper "bbtoken --host=$BB_HOST"
	git config --global credential.useHttpPath true
}

# bb_repo W R: a repository on the stand-in with one commit on main.
bb_repo () {
	rm -rf "$TRASH/seed"
	git init -q "$TRASH/seed" &&
	echo "$1/$2" >"$TRASH/seed/README" &&
	git -C "$TRASH/seed" add README &&
	git -C "$TRASH/seed" commit -q -m "initial" &&
	mkdir -p "$BB_ROOT/$1" &&
	git clone -q --bare "$TRASH/seed" "$BB_ROOT/$1/$2.git" &&
	rm -rf "$TRASH/seed"
}

# bb_token ARGS...: register a token with the stand-in; prints its secret,
# and keeps it for the canary (test_expect_success).
bb_token () {
	bb_secret=$(python3 "$TEST_DIRECTORY/bbstate" "$BB_STATE" token "$@") ||
		return
	printf '%s\n' "$bb_secret" >>"$CANARY"
	printf '%s\n' "$bb_secret"
}

bb_user () {
	python3 "$TEST_DIRECTORY/bbstate" "$BB_STATE" user "$@"
}

bb_fault () {
	python3 "$TEST_DIRECTORY/bbstate" "$BB_STATE" fault "$@"
}

# add_token SECRET ARGS...: `add` a token through stdin, never argv.
add_token () {
	secret=$1
	shift
	printf '%s\n' "$secret" |
	git credential-bbtoken add --stdin --no-verify --host="$BB_HOST" "$@"
}

# --- The store under test -------------------------------------------------

# BBTOKEN_TEST_STORE picks where the helper keeps tokens in this run, so
# that the git-level scripts run once per backend (their wrappers, such as
# t/0201-storage-file-key.sh, set it):
#
#   secretservice   a private D-Bus session with an unlocked gnome-keyring
#   kwallet         the same with kwalletd5 serving the Secret Service
#   keepassxc       the same with KeePassXC serving it
#   file-key        no D-Bus session at all, so `auto` takes the encrypted
#                   file store, made with a key file
#   file-pass       the same with a passphrase, unlocked once into the
#                   kernel keyring as a person would
#
# STORE_WHERE is what `add` and `list` say of the store in use, and
# STORE_MODULE the module git's `get` loads for it.  STORE_KIND is
# keyring for the three Secret Service providers, file for the others.
BBTOKEN_TEST_STORE=${BBTOKEN_TEST_STORE:-secretservice}
FILE_STORE=$XDG_DATA_HOME/git-credential-bbtoken/tokens
TEST_PASSPHRASE="correct horse battery staple"
NO_BUS="no D-Bus session bus is running here (DBUS_SESSION_BUS_ADDRESS is unset)"

case $BBTOKEN_TEST_STORE in
secretservice|kwallet|keepassxc) STORE_KIND=keyring ;;
*) STORE_KIND=file ;;
esac

case $BBTOKEN_TEST_STORE in
secretservice)
	STORE_WHERE="the Secret Service"
	STORE_MODULE=bbtoken-get-secretservice.so
	start_dbus
	start_keyring
	;;
kwallet)
	STORE_WHERE="the Secret Service"
	STORE_MODULE=bbtoken-get-secretservice.so
	provider_env
	start_dbus
	bus_sandbox_env
	start_kwallet
	;;
keepassxc)
	STORE_WHERE="the Secret Service"
	STORE_MODULE=bbtoken-get-secretservice.so
	provider_env
	start_dbus
	bus_sandbox_env
	start_keepassxc
	;;
file-key)
	STORE_MODULE=bbtoken-get-file.so
	STORE_WHERE="the encrypted file store $FILE_STORE, since $NO_BUS"
	git credential-bbtoken init --key-file >"$TRASH/init.out" 2>&1 ||
		die "init --key-file failed: $(cat "$TRASH/init.out")"
	;;
file-pass)
	STORE_MODULE=bbtoken-get-file.so
	STORE_WHERE="the encrypted file store $FILE_STORE, since $NO_BUS"
	printf '%s\n' "$TEST_PASSPHRASE" |
	git credential-bbtoken init --passphrase --stdin >"$TRASH/init.out" 2>&1 &&
	printf '%s\n' "$TEST_PASSPHRASE" |
	git credential-bbtoken unlock --stdin --for=2h >>"$TRASH/init.out" 2>&1 ||
		die "init --passphrase and unlock failed: $(cat "$TRASH/init.out")"
	# The key lives in the kernel keyring, not in this sandbox: drop it.
	cleanup_cmds="git credential-bbtoken lock"
	;;
*)
	die "BBTOKEN_TEST_STORE=$BBTOKEN_TEST_STORE: use secretservice, kwallet, keepassxc, file-key or file-pass"
esac

# --- Helpers the scripts share ----------------------------------------------

TOKEN_PAGE=https://id.atlassian.com/manage-profile/security/api-tokens

# day N: the date N days from today (N may be negative), as Atlassian
# shows an expiry.
day () {
	date -u -d "$1 days" +%F
}

# fp SECRET: what list shows for it, the first 8 hex digits of its SHA-256.
fp () {
	printf %s "$1" | sha256sum | cut -c1-8
}

# vadd SECRET ARGS...: `add` through stdin, with verification.
vadd () {
	secret=$1
	shift
	printf '%s\n' "$secret" |
	git credential-bbtoken add --stdin --host="$BB_HOST" "$@"
}

# list_rows ARGS...: list with the column padding squeezed to one space.
list_rows () {
	git credential-bbtoken list "$@" | sed -e 's/  */ /g'
}

# get_token PATH [USERNAME]: what get answers git for the stand-in.
get_token () {
	{
		printf 'protocol=https\nhost=%s\npath=%s\n' "$BB_HOST" "$1"
		test -z "${2-}" || printf 'username=%s\n' "$2"
	} | git credential-bbtoken --host="$BB_HOST" get
}

# payload LABEL: the secret of the keyring item labelled LABEL.
payload () {
	secret-tool lookup xdg:schema org.bbtoken.Token label "$1"
}

# tool_store ARGS...: `secret-tool store ARGS...` with its secret on
# stdin, tried up to three times.  secret-tool opens a Diffie-Hellman
# session, which kwalletd5 refuses about one time in a hundred
# ("Client public key size is invalid", docs/internals/test-keyrings.md);
# the helper retries its own writes, and the harness's tool must too, or
# the suite fails by chance.
tool_store () {
	cat >"$TRASH/tool-store.in" &&
	for try in 1 2 3; do
		secret-tool store "$@" <"$TRASH/tool-store.in" 2>"$TRASH/tool-store.err" &&
		break
		test $try != 3 || { cat "$TRASH/tool-store.err" >&2; rm -f "$TRASH/tool-store.in"; return 1; }
	done
	rm -f "$TRASH/tool-store.in"
}

# put_raw_item LABEL: a keyring item of our schema whose secret is stdin,
# as is, for payloads a half-failed write or a foreign program leaves.
put_raw_item () {
	if test "$STORE_KIND" = file; then
		"$BUILD_DIR/t/unit/store-tool" file put
		return
	fi
	tool_store --label="test item $1" xdg:schema org.bbtoken.Token \
		host "$BB_HOST" label "$1"
}

# put_token_item HOST LABEL KEY=VALUE...: write a token (its secret on
# stdin) straight into the keyring, in the payload format of lib/token.h,
# as an older `add` or a session long ago would have left it.  Each item
# gets its own label attribute: secret-tool store replaces any item whose
# attributes match, and with the host alone it would delete other tokens.
put_token_item () {
	host=$1 label=$2
	shift 2
	{
		printf '%s\n' "bbtoken-secret 1" kind=api origin=added \
			created=$(date +%s) label=$label protocol=https host=$host "$@"
		printf 'password=%s\n' "$(cat)"
	} | if test "$STORE_KIND" = file; then
		"$BUILD_DIR/t/unit/store-tool" file put
	else
		tool_store --label="test item $label" \
			xdg:schema org.bbtoken.Token host "$host" label "$label"
	fi
}
