#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# Self-test of t/bbserver, the Bitbucket Cloud stand-in: real git and curl
# over real TLS against a throwaway repository.  Exits non-zero on failure.
#
# Usage: t/bbserver-selftest.sh [-v]
#   BBSERVER_PYTHON=/usr/bin/python3 runs the server with that interpreter.
#   KEEP=1 keeps the scratch directory (server log, stderr) for a look.

set -u

here=$(cd "$(dirname "$0")" && pwd)
verbose=${1:-}
tmp=$(mktemp -d /tmp/bbserver-selftest.XXXXXX)
server_pid=
failures=0
checks=0

cleanup() {
	if [ -n "$server_pid" ]; then
		kill "$server_pid" 2>/dev/null
		wait "$server_pid" 2>/dev/null
	fi
	if [ -n "${KEEP:-}" ]; then echo "kept $tmp"; else rm -rf "$tmp"; fi
}
trap cleanup EXIT
trap 'exit 1' INT TERM

# Keep the tester's own git and curl configuration out of the way.
export HOME="$tmp/home" XDG_CONFIG_HOME="$tmp/home/.config"
export GIT_CONFIG_NOSYSTEM=1 GIT_TERMINAL_PROMPT=0 GIT_ASKPASS= SSH_ASKPASS=
export GIT_AUTHOR_NAME=Test GIT_AUTHOR_EMAIL=test@example.com
export GIT_COMMITTER_NAME=Test GIT_COMMITTER_EMAIL=test@example.com
unset GIT_SSL_NO_VERIFY GIT_SSL_CAINFO CURL_CA_BUNDLE
mkdir -p "$HOME"

pass() { checks=$((checks + 1)); [ -n "$verbose" ] && echo "ok   - $1"; return 0; }
fail() { checks=$((checks + 1)); failures=$((failures + 1)); echo "FAIL - $1"; shift; for l in "$@"; do echo "       $l"; done; }

# fake_token PREFIX: PREFIX + random + "=" + CRC-32 look-alike.
fake_token() { echo "$1$(openssl rand -hex 24)=$(openssl rand -hex 4 | tr a-f A-F)"; }

API_RW=$(fake_token ATATT)     # every scope a test needs
API_RO=$(fake_token ATATT)     # read:repository only
API_WO=$(fake_token ATATT)     # write:repository only
API_NONE=$(fake_token ATATT)   # created without scopes
API_OLD=$(fake_token ATATT)    # expired
API_GONE=$(fake_token ATATT)   # revoked
API_WS=$(fake_token ATATT)     # limited to workspace "other"
ACC_REPO=$(fake_token ATCTT)   # access token for acme/widget
ACC_OTHER=$(fake_token ATCTT)  # access token for acme/other
ACC_WS=$(fake_token ATCTT)     # access token for workspace acme
APP=ATBB$(openssl rand -hex 14)
ALL_SECRETS="$API_RW $API_RO $API_WO $API_NONE $API_OLD $API_GONE $API_WS $ACC_REPO $ACC_OTHER $ACC_WS $APP"

state="$tmp/state.json"

# write_state [FAULTS_JSON [DELAY_MS]]: the state file, written atomically.
write_state() {
	local delay=
	[ -n "${2:-}" ] && delay=", \"delay_ms\": $2"
	cat >"$state.tmp" <<EOF
{
  "users": [
    {"username": "jdoe", "email": "JDoe@example.com", "account_id": "557058:abc",
     "uuid": "{12345678-1234-1234-1234-123456789abc}", "display_name": "J Doe"}
  ],
  "tokens": [
    {"secret": "$API_RW", "kind": "api", "owner": "jdoe", "expires": 4102444800,
     "scopes": ["read:repository:bitbucket", "write:repository:bitbucket",
                "read:user:bitbucket", "read:workspace:bitbucket"]},
    {"secret": "$API_RO", "kind": "api", "owner": "jdoe", "scopes": ["read:repository:bitbucket"]},
    {"secret": "$API_WO", "kind": "api", "owner": "jdoe", "scopes": ["write:repository:bitbucket"]},
    {"secret": "$API_NONE", "kind": "api", "owner": "jdoe", "scopes": []},
    {"secret": "$API_OLD", "kind": "api", "owner": "jdoe", "expires": 1000000000,
     "scopes": ["read:repository:bitbucket"]},
    {"secret": "$API_GONE", "kind": "api", "owner": "jdoe", "revoked": true,
     "scopes": ["read:repository:bitbucket"]},
    {"secret": "$API_WS", "kind": "api", "owner": "jdoe", "workspace": "other",
     "scopes": ["read:repository:bitbucket"]},
    {"secret": "$ACC_REPO", "kind": "access", "repository": "acme/widget",
     "scopes": ["read:repository:bitbucket", "write:repository:bitbucket"]},
    {"secret": "$ACC_OTHER", "kind": "access", "repository": "acme/other",
     "scopes": ["read:repository:bitbucket"]},
    {"secret": "$ACC_WS", "kind": "access", "workspace": "acme",
     "scopes": ["read:repository:bitbucket", "read:workspace:bitbucket"]},
    {"secret": "$APP", "kind": "app_password", "owner": "jdoe"}
  ],
  "faults": ${1:-null}$delay
}
EOF
	mv "$state.tmp" "$state"
}

# --- set up: certificate, repository, server ---------------------------------

start=$(date +%s)
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$tmp/key.pem" -out "$tmp/cert.pem" \
	-days 2 -subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1 2>/dev/null ||
	{ echo "openssl failed"; exit 1; }

mkdir -p "$tmp/root/acme"
git init -q --bare "$tmp/root/acme/widget.git"
git init -q -b main "$tmp/seed"
echo hello >"$tmp/seed/README"
git -C "$tmp/seed" add README
git -C "$tmp/seed" commit -q -m initial
git -C "$tmp/seed" push -q "$tmp/root/acme/widget.git" main
git -C "$tmp/root/acme/widget.git" symbolic-ref HEAD refs/heads/main
write_state

${BBSERVER_PYTHON:-} "$here/bbserver" --cert "$tmp/cert.pem" --key "$tmp/key.pem" \
	--root "$tmp/root" --state "$state" --port-file "$tmp/port" --log "$tmp/log" \
	2>"$tmp/server.err" &
server_pid=$!
for _ in $(seq 100); do [ -s "$tmp/port" ] && break; sleep 0.05; done
[ -s "$tmp/port" ] || { echo "server did not start"; cat "$tmp/server.err"; exit 1; }
port=$(cat "$tmp/port")
base="https://127.0.0.1:$port"
export GIT_SSL_CAINFO="$tmp/cert.pem"

# url USER TOKEN [REPO]: clone URL with the credentials in it.
url() { echo "https://$1:$2@127.0.0.1:$port/${3:-acme/widget}.git"; }

# git_ok DESC GIT-ARGS...: the git command must succeed.
git_ok() {
	local desc=$1; shift
	if git "$@" >"$tmp/out" 2>&1; then pass "$desc"; else fail "$desc" "$(cat "$tmp/out")"; fi
}

# git_fails DESC TEXT GIT-ARGS...: git must fail and print TEXT.
git_fails() {
	local desc=$1 text=$2; shift 2
	if git "$@" >"$tmp/out" 2>&1; then
		fail "$desc" "git succeeded"
	elif grep -qF -- "$text" "$tmp/out"; then
		pass "$desc"
	else
		fail "$desc" "expected: $text" "$(cat "$tmp/out")"
	fi
}

# fresh: a new clone directory name.
fresh() { mktemp -u "$tmp/clone.XXXXXX"; }

# commit_in DIR [BYTES]: add one commit, of BYTES random bytes if given.
commit_in() {
	local name="$1/file.$RANDOM$RANDOM"
	if [ -n "${2:-}" ]; then head -c "$2" /dev/urandom >"$name"
	else echo "change" >"$name"; fi
	git -C "$1" add . && git -C "$1" commit -q -m "add ${name##*/}"
}

# --- git over HTTPS -------------------------------------------------------------

work=$(fresh)
git_ok "clone with x-bitbucket-api-token-auth" clone -q "$(url x-bitbucket-api-token-auth "$API_RW")" "$work"
git_ok "clone with the Bitbucket username" clone -q "$(url jdoe "$API_RW")" "$(fresh)"
commit_in "$work"
git_ok "push with a read+write API token" -C "$work" push -q origin main
git_fails "push with a read-only token" \
	"remote: Your credentials lack one or more required privilege scopes." \
	-C "$work" push -q "$(url x-bitbucket-api-token-auth "$API_RO")" main
git_ok "fetch with a read-only token" -C "$work" fetch -q "$(url x-bitbucket-api-token-auth "$API_RO")"
git_fails "clone with a write-only token" "remote: Your credentials lack one or more required privilege scopes." \
	clone -q "$(url x-bitbucket-api-token-auth "$API_WO")" "$(fresh)"
git_fails "app password, text/plain body" "remote: See https://www.atlassian.com/blog/bitbucket/" \
	clone -q "$(url jdoe "$APP")" "$(fresh)"
git_fails "app password" "remote: CHANGE-3222 - App passwords are deprecated and must be replaced with API tokens." \
	clone -q "$(url jdoe "$APP")" "$(fresh)"
git_fails "unknown ATBB secret" "remote: CHANGE-3222" clone -q "$(url jdoe ATBBnotknown)" "$(fresh)"
git_fails "email as git username" "Authentication failed" \
	clone -q "$(url 'jdoe%40example.com' "$API_RW")" "$(fresh)"
git_fails "x-token-auth with an API token" "Authentication failed" \
	clone -q "$(url x-token-auth "$API_RW")" "$(fresh)"
git_fails "expired token" "remote: Token is invalid, expired, or not supported for this endpoint." \
	clone -q "$(url x-bitbucket-api-token-auth "$API_OLD")" "$(fresh)"
git_fails "revoked token" "remote: Token is invalid" \
	clone -q "$(url x-bitbucket-api-token-auth "$API_GONE")" "$(fresh)"
git_fails "unknown token" "remote: Token is invalid" \
	clone -q "$(url x-bitbucket-api-token-auth ATATTnothing)" "$(fresh)"
git_fails "scopeless token" "remote: You may not have access to this repository" \
	clone -q "$(url x-bitbucket-api-token-auth "$API_NONE")" "$(fresh)"
git_fails "API token limited to another workspace" "remote: You may not have access to this repository" \
	clone -q "$(url x-bitbucket-api-token-auth "$API_WS")" "$(fresh)"
git_fails "missing repository" "remote: Repository not found" \
	clone -q "$(url x-bitbucket-api-token-auth "$API_RW" acme/nothere)" "$(fresh)"

acc=$(fresh)
git_ok "clone with an access token and x-token-auth" clone -q "$(url x-token-auth "$ACC_REPO")" "$acc"
commit_in "$acc"
git_ok "push with an access token" -C "$acc" push -q origin main
git_ok "clone with a workspace access token" clone -q "$(url x-token-auth "$ACC_WS")" "$(fresh)"
git_fails "access token with another username" "Authentication failed" \
	clone -q "$(url jdoe "$ACC_REPO")" "$(fresh)"
git_fails "access token for another repository" "remote: You may not have access to this repository" \
	clone -q "$(url x-token-auth "$ACC_OTHER")" "$(fresh)"
git_ok "clone without .git in the URL" clone -q \
	"https://x-token-auth:$ACC_REPO@127.0.0.1:$port/acme/widget" "$(fresh)"

git -C "$work" pull -q --rebase origin main
commit_in "$work" 3000000
if GIT_TRACE_CURL="$tmp/trace" GIT_TRACE_CURL_NO_DATA=1 git -C "$work" push -q origin main >"$tmp/out" 2>&1; then
	if grep -q "Transfer-Encoding: chunked" "$tmp/trace"; then pass "big chunked push"
	else fail "big chunked push" "git did not use chunked encoding"; fi
else
	fail "big chunked push" "$(cat "$tmp/out")"
fi
check=$(fresh)
git_ok "clone after the big push" clone -q "$(url x-bitbucket-api-token-auth "$API_RO")" "$check"
if [ "$(git -C "$check" rev-parse HEAD)" = "$(git -C "$work" rev-parse HEAD)" ]; then
	pass "pushed commit arrived"
else
	fail "pushed commit arrived"
fi

pids=
for i in 1 2 3 4; do
	git clone -q "$(url x-token-auth "$ACC_WS")" "$(fresh)" >/dev/null 2>&1 &
	pids="$pids $!"
done
ok=0
for p in $pids; do wait "$p" && ok=$((ok + 1)); done
if [ "$ok" = 4 ]; then pass "parallel clones"; else fail "parallel clones" "$ok of 4 worked"; fi

# --- REST ---------------------------------------------------------------------------

# rest DESC STATUS TEXT CURL-ARGS...: status must be STATUS and TEXT must
# appear in the headers or the body.
rest() {
	local desc=$1 want=$2 text=$3; shift 3
	local got
	got=$(curl -sS --cacert "$tmp/cert.pem" -D "$tmp/headers" -o "$tmp/body" \
		-w '%{http_code}' "$@" 2>"$tmp/curl.err")
	if [ "$got" != "$want" ]; then
		fail "$desc" "status $got, want $want" "$(cat "$tmp/curl.err" "$tmp/body" 2>/dev/null)"
	elif ! cat "$tmp/headers" "$tmp/body" | grep -qiF -- "$text"; then
		fail "$desc" "missing: $text" "$(cat "$tmp/headers" "$tmp/body")"
	else
		pass "$desc"
	fi
}

api="$base/2.0"
rest "GET /user with email + API token" 200 '"username": "jdoe"' -u "jdoe@example.com:$API_RW" "$api/user"
rest "  ... carries x-credential-type" 200 'x-credential-type: api_token' -u "jdoe@example.com:$API_RW" "$api/user"
rest "  ... and no email" 200 '"account_id": "557058:abc"' -u "jdoe@example.com:$API_RW" "$api/user"
if grep -qi '"email"' "$tmp/body"; then fail "/user has no email"; else pass "/user has no email"; fi
rest "GET /user with the username" 401 'Token is invalid, expired, or not supported for this endpoint.' \
	-u "jdoe:$API_RW" "$api/user"
rest "  ... has the Basic challenge" 401 'WWW-Authenticate: Basic realm="Bitbucket.org HTTP"' \
	-u "jdoe:$API_RW" "$api/user"
rest "GET /user without read:user" 403 '"required": ["read:user:bitbucket"]' -u "jdoe@example.com:$API_RO" "$api/user"
rest "  ... names the granted scopes" 403 'x-oauth-scopes: read:repository:bitbucket' \
	-u "jdoe@example.com:$API_RO" "$api/user"
rest "GET /user without auth" 401 '"type": "error"' "$api/user"
rest "GET /user with an app password" 410 'CHANGE-3222' -u "jdoe:$APP" "$api/user"
rest "GET /user with an expired token" 401 'Token is invalid' -u "jdoe@example.com:$API_OLD" "$api/user"
rest "GET /user with a scopeless token" 401 'Token is invalid' -u "jdoe@example.com:$API_NONE" "$api/user"
rest "GET /user with an access token" 403 'api_token' -H "Authorization: Bearer $ACC_REPO" "$api/user"
rest "API token as Bearer" 401 'Token is invalid' -H "Authorization: Bearer $API_RW" "$api/user"
rest "access token with Basic" 401 'Token is invalid' -u "x-token-auth:$ACC_REPO" "$api/repositories/acme/widget"
rest "GET repository with an access token" 200 '"full_name": "acme/widget"' \
	-H "Authorization: Bearer $ACC_REPO" "$api/repositories/acme/widget"
rest "  ... credential type" 200 'x-credential-type: repo_access_token' \
	-H "Authorization: Bearer $ACC_REPO" "$api/repositories/acme/widget"
rest "GET repository with the wrong access token" 403 'You may not have access' \
	-H "Authorization: Bearer $ACC_OTHER" "$api/repositories/acme/widget"
rest "GET repository with an API token" 200 '"slug": "acme"' -u "jdoe@example.com:$API_RO" "$api/repositories/acme/widget"
rest "GET missing repository" 404 'Repository acme/nothere not found' \
	-u "jdoe@example.com:$API_RW" "$api/repositories/acme/nothere"
rest "GET workspace" 200 '"type": "workspace"' -u "jdoe@example.com:$API_RW" "$api/workspaces/acme"
rest "GET workspace, workspace access token" 200 'workspace_access_token' \
	-H "Authorization: Bearer $ACC_WS" "$api/workspaces/acme"
rest "GET workspace without the scope" 403 'read:workspace:bitbucket' \
	-u "jdoe@example.com:$API_RO" "$api/workspaces/acme"
rest "GET missing workspace" 404 '"type": "error"' -u "jdoe@example.com:$API_RW" "$api/workspaces/nope"
rest "unknown REST path" 404 'Content-Type: application/json' -u "jdoe@example.com:$API_RW" "$api/nothing"

# --- faults ---------------------------------------------------------------------------

write_state '{"mode": "429", "count": 2, "retry_after": 7}'
rest "fault 429, first" 429 'Retry-After: 7' -u "jdoe@example.com:$API_RW" "$api/user"
rest "fault 429, second" 429 '"type": "error"' -u "jdoe@example.com:$API_RW" "$api/user"
rest "fault 429 over" 200 '"username"' -u "jdoe@example.com:$API_RW" "$api/user"
write_state
rest "faults null" 200 '"username"' -u "jdoe@example.com:$API_RW" "$api/user"
write_state '{"mode": "429", "count": 2, "retry_after": 7}'
rest "same fault again counts afresh" 429 'Retry-After: 7' -u "jdoe@example.com:$API_RW" "$api/user"
write_state '{"mode": "500", "count": 1}'
git_fails "fault 500 on git" "500" clone -q "$(url x-bitbucket-api-token-auth "$API_RW")" "$(fresh)"
git_ok "fault 500 over" clone -q "$(url x-bitbucket-api-token-auth "$API_RW")" "$(fresh)"
write_state '{"mode": "close", "count": 1}'
curl -sS --cacert "$tmp/cert.pem" -u "jdoe@example.com:$API_RW" "$api/user" >/dev/null 2>&1
rc=$?
if [ "$rc" = 52 ]; then pass "fault close: empty reply"; else fail "fault close: empty reply" "curl exit $rc"; fi
rest "fault close over" 200 '"username"' -u "jdoe@example.com:$API_RW" "$api/user"
write_state '{"mode": "500", "count": -1}'
rest "fault forever, 1" 500 '"type": "error"' "$api/user"
rest "fault forever, 2" 500 '"type": "error"' "$api/user"
write_state
rest "no fault" 401 'WWW-Authenticate' "$api/user"

# --- delay ------------------------------------------------------------------------

# now_ms: wall clock in milliseconds.
now_ms() { echo $(($(date +%s%N) / 1000000)); }

# The bounds are loose on purpose: this checks the stand-in, on a busy
# machine, not anyone's speed.  One answer waits at least the delay; two
# asked at once come back together, well before two delays in a row.
delay=600
write_state null "$delay"
t0=$(now_ms)
rest "delay on REST" 200 '"username"' -u "jdoe@example.com:$API_RW" "$api/user"
took=$(($(now_ms) - t0))
if [ "$took" -ge "$delay" ]; then pass "REST waits delay_ms"
else fail "REST waits delay_ms" "took $took ms, delay $delay ms"; fi
t0=$(now_ms)
git_ok "delay on git" ls-remote "$(url x-bitbucket-api-token-auth "$API_RW")"
took=$(($(now_ms) - t0))
if [ "$took" -ge "$delay" ]; then pass "git waits delay_ms"
else fail "git waits delay_ms" "took $took ms, delay $delay ms"; fi
t0=$(now_ms)
pids=
for i in 1 2; do
	curl -sS --cacert "$tmp/cert.pem" -o /dev/null -w '%{http_code}\n' \
		-u "jdoe@example.com:$API_RW" "$api/user" >"$tmp/par.$i" 2>&1 &
	pids="$pids $!"
done
for p in $pids; do wait "$p"; done
took=$(($(now_ms) - t0))
if [ "$(cat "$tmp/par.1" "$tmp/par.2")" != "$(printf '200\n200')" ]; then
	fail "two delayed requests at once" "$(cat "$tmp/par.1" "$tmp/par.2")"
elif [ "$took" -ge "$delay" ] && [ "$took" -lt $((delay * 18 / 10)) ]; then
	pass "two delayed requests at once take one delay"
else
	fail "two delayed requests at once take one delay" \
		"took $took ms, delay $delay ms, bound $((delay * 18 / 10)) ms"
fi
write_state
t0=$(now_ms)
rest "no delay" 200 '"username"' -u "jdoe@example.com:$API_RW" "$api/user"
took=$(($(now_ms) - t0))
if [ "$took" -lt "$delay" ]; then pass "delay gone with delay_ms"
else fail "delay gone with delay_ms" "took $took ms"; fi

# --- robustness -----------------------------------------------------------------------

curl -sS "$api/user" >/dev/null 2>&1 && fail "curl without the CA must fail"
GIT_SSL_CAINFO=/dev/null git ls-remote "$(url x-bitbucket-api-token-auth "$API_RW")" >/dev/null 2>&1 &&
	fail "git without the CA must fail"
printf 'garbage\r\n\r\n' | timeout 5 openssl s_client -quiet -connect "127.0.0.1:$port" >/dev/null 2>&1
exec 3<>"/dev/tcp/127.0.0.1/$port" && printf 'not TLS\r\n\r\n' >&3 && exec 3>&-
git_ok "server survives rejected certificates and garbage" \
	ls-remote "$(url x-bitbucket-api-token-auth "$API_RW")"

# The log: one line per request, usernames but never a secret.
if grep -qE '^GET /acme/widget.git/info/refs\?service=git-receive-pack x-bitbucket-api-token-auth 200$' "$tmp/log"; then
	pass "log line format"
else
	fail "log line format" "$(head -5 "$tmp/log")"
fi
leaked=
for s in $ALL_SECRETS; do grep -qF "$s" "$tmp/log" "$tmp/server.err" && leaked="$leaked $s"; done
if [ -z "$leaked" ]; then pass "no secret in the log"; else fail "no secret in the log" "$leaked"; fi

kill "$server_pid"
wait "$server_pid"
rc=$?
server_pid=
if [ "$rc" = 0 ] && [ ! -e "$tmp/port" ]; then pass "clean stop on SIGTERM"
else fail "clean stop on SIGTERM" "exit $rc"; fi

echo "bbserver self-test: $((checks - failures))/$checks passed in $(($(date +%s) - start))s"
[ "$failures" = 0 ]
