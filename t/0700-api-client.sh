#!/bin/sh
# SPDX-License-Identifier: MIT
# The Bitbucket client (lib/api*.c) end to end: the git probes and the
# REST call against the Bitbucket stand-in over real TLS, through
# t/unit/api-probe.  Refusals, retries, timeouts, dead ports, untrusted
# certificates and redirects included.

. "$(dirname "$0")/test-lib.sh"

PROBE=${API_PROBE:-$BUILD_DIR/t/unit/api-probe}
[ -x "$PROBE" ] || die "t/unit/api-probe is not built (make t/unit/api-probe)"

# The proxy test sets its own; nothing of the caller's may route ours.
unset http_proxy https_proxy HTTPS_PROXY all_proxy ALL_PROXY no_proxy NO_PROXY

start_bbserver
API_URL=$BB_URL/2.0
API_CA=$BB_CERT
export API_CA
unset API_TIMEOUT_MS API_CONNECT_TIMEOUT_MS API_MAX_TRIES

bb_repo acme widget
bb_repo acme other
bb_user jdoe JDoe@example.com

READ=$(bb_token api --owner jdoe --scopes read)
RW=$(bb_token api --owner jdoe --scopes read,write)
WO=$(bb_token api --owner jdoe --scopes write)
NONE=$(bb_token api --owner jdoe)
FULL=$(bb_token api --owner jdoe --scopes read,write,user,workspace)
ACCESS=$(bb_token access --repository acme/widget --scopes read,workspace)
APP=$(bb_token app_password)

# now_ms: a clock for the timing checks.
now_ms () {
	echo $(($(date +%s%N) / 1000000))
}

# probe SECRET VERB HOST APIURL USER KIND [W [R]]: run the driver with
# the secret on stdin, its lines in out; fail if the secret shows up in
# anything it printed.  The time it took is in elapsed (ms).
probe () {
	secret=$1
	shift
	start=$(now_ms)
	printf '%s\n' "$secret" | "$PROBE" "$@" >out 2>err
	rc=$?
	elapsed=$(($(now_ms) - start))
	echo "$elapsed" >elapsed
	if grep -F -e "$secret" out err >/dev/null; then
		echo "the secret appears in the driver's output"; return 1
	fi
	cat err
	return $rc
}

# expect KEY=VALUE...: those lines must be in out, exactly.
expect () {
	for kv in "$@"; do
		grep -x -F -e "$kv" out >/dev/null && continue
		echo "no line '$kv' in:"; cat out; return 1
	done
}

# took_less MS: the last probe took less than MS milliseconds.
took_less () {
	[ "$(cat elapsed)" -lt "$1" ] && return 0
	echo "took $(cat elapsed) ms, wanted less than $1"; return 1
}

took_more () {
	[ "$(cat elapsed)" -ge "$1" ] && return 0
	echo "took $(cat elapsed) ms, wanted at least $1"; return 1
}

# requests PATTERN: how many requests the stand-in logged that match.
requests () {
	grep -c -e "$1" "$TRASH/bbserver.log"
}

# --- git probes ------------------------------------------------------------------

test_expect_success 'fetch probe says yes for a read token' '
	probe "$READ" fetch "$BB_HOST" - x-bitbucket-api-token-auth api acme widget &&
	expect answer=yes failure=ok status=200 tries=1 message= \
		granted=read:repository:bitbucket type=api_token
'

test_expect_success 'fetch probe says yes with the Bitbucket username' '
	probe "$READ" fetch "$BB_HOST" - jdoe api acme widget &&
	expect answer=yes status=200
'

test_expect_success 'fetch probe says no for a scopeless token, naming the scope' '
	probe "$NONE" fetch "$BB_HOST" - x-bitbucket-api-token-auth api acme widget &&
	expect answer=no failure=unauthorized status=401 tries=1 &&
	test_grep "^message=.*created without scopes.*read:repository:bitbucket" out
'

test_expect_success 'fetch probe says no for an API token sent as x-token-auth' '
	probe "$READ" fetch "$BB_HOST" - x-token-auth api acme widget &&
	expect answer=no failure=unauthorized status=401 &&
	test_grep "^message=.*username does not go with it" out
'

test_expect_success 'fetch probe with an email as git username explains the email' '
	probe "$READ" fetch "$BB_HOST" - JDoe@example.com api acme widget &&
	expect answer=no failure=unauthorized status=401 &&
	test_grep "^message=.*does not take an email address as the username" out &&
	test_grep "x-bitbucket-api-token-auth" out
'

test_expect_success 'fetch probe says not found for a missing repository' '
	probe "$READ" fetch "$BB_HOST" - x-bitbucket-api-token-auth api acme nope &&
	expect answer=no failure=not-found status=404
'

test_expect_success 'an access token bound to another repository is forbidden' '
	probe "$ACCESS" fetch "$BB_HOST" - x-token-auth access acme other &&
	expect answer=no failure=forbidden status=403 missing=
'

test_expect_success 'an access token fetches its own repository with x-token-auth' '
	probe "$ACCESS" fetch "$BB_HOST" - x-token-auth access acme widget &&
	expect answer=yes type=repo_access_token
'

test_expect_success 'push probe says no for a read-only token, naming write' '
	probe "$READ" push "$BB_HOST" - x-bitbucket-api-token-auth api acme widget &&
	expect answer=no failure=scope status=403 \
		missing=write:repository:bitbucket \
		granted=read:repository:bitbucket &&
	test_grep "^message=the token lacks write:repository:bitbucket" out &&
	test_grep "write does not imply read" out &&
	test_grep "id.atlassian.com/manage-profile/security/api-tokens" out
'

test_expect_success 'push probe says no for a write-only token, naming read' '
	probe "$WO" push "$BB_HOST" - x-bitbucket-api-token-auth api acme widget &&
	expect answer=no failure=scope missing=read:repository:bitbucket
'

test_expect_success 'push probe says yes for read and write, and writes nothing' '
	before=$(git --git-dir="$BB_ROOT/acme/widget.git" rev-parse main) &&
	probe "$RW" push "$BB_HOST" - x-bitbucket-api-token-auth api acme widget &&
	expect answer=yes status=200 &&
	test "$(git --git-dir="$BB_ROOT/acme/widget.git" rev-parse main)" = "$before"
'

test_expect_success 'an app password gets the app password answer' '
	probe "$APP" fetch "$BB_HOST" - jdoe app-password acme widget &&
	expect answer=no failure=app-password status=410 &&
	test_grep "^server=CHANGE-3222" out &&
	test_grep "28 July 2026" out
'

# --- REST ---------------------------------------------------------------------------

test_expect_success 'whoami with the email says who the token is' '
	probe "$FULL" user "$BB_HOST" "$API_URL" JDoe@example.com api &&
	expect answer=yes status=200 username=jdoe display=jdoe type=api_token &&
	test_grep "^GET /2.0/user JDoe@example.com 200" "$TRASH/bbserver.log"
'

test_expect_success 'whoami with the username instead of the email says no' '
	probe "$FULL" user "$BB_HOST" "$API_URL" jdoe api &&
	expect answer=no failure=unauthorized status=401 username= &&
	test_grep "^message=.*wants the Atlassian account email" out
'

test_expect_success 'whoami without read:user names the missing scope' '
	probe "$READ" user "$BB_HOST" "$API_URL" JDoe@example.com api &&
	expect answer=no failure=scope missing=read:user:bitbucket \
		granted=read:repository:bitbucket
'

test_expect_success 'whoami for an access token says no without asking' '
	probe "$ACCESS" user "$BB_HOST" "$API_URL" - access &&
	expect answer=no failure=forbidden tries=0
'

test_expect_success 'a REST URL with a trailing slash asks the same URL' '
	probe "$FULL" user "$BB_HOST" "$API_URL/" JDoe@example.com api &&
	expect answer=yes status=200 username=jdoe &&
	tail -n 1 "$TRASH/bbserver.log" >last &&
	test_grep "^GET /2.0/user JDoe@example.com 200" last
'

test_expect_success 'an app password is not sent to the REST API' '
	n=$(requests "/2.0/user") &&
	probe "$APP" user "$BB_HOST" "$API_URL" JDoe@example.com app-password &&
	expect answer=no failure=app-password tries=0 &&
	test "$(requests "/2.0/user")" = "$n"
'

test_expect_success 'no REST URL is unknown, saying how to set one' '
	probe "$FULL" user "$BB_HOST" - JDoe@example.com api &&
	expect answer=unknown failure=no-url tries=0 &&
	test_grep "^message=.*bbtoken.apiUrl.*--api-url" out
'

test_expect_success 'an API token on REST without an email is unknown, not no' '
	probe "$FULL" user "$BB_HOST" "$API_URL" - api &&
	expect answer=unknown failure=protocol tries=0 &&
	test_grep "^message=.*--email" out
'

# --- refused before anything is sent ------------------------------------------------

# refused: the last probe asked nothing and named no secret.
refused () {
	expect answer=unknown failure=protocol tries=0 &&
	test "$(wc -l <"$TRASH/bbserver.log")" = "$n"
}

test_expect_success 'a git username with a colon is refused before Basic auth mangles it' '
	n=$(wc -l <"$TRASH/bbserver.log") &&
	probe "$READ" fetch "$BB_HOST" - x:y api acme widget &&
	refused
'

test_expect_success 'a repository that is not a slug is not put in a URL' '
	n=$(wc -l <"$TRASH/bbserver.log") &&
	probe "$READ" fetch "$BB_HOST" - x-bitbucket-api-token-auth api acme ../x &&
	refused
'

test_expect_success 'a host with a slash or an at sign is refused' '
	n=$(wc -l <"$TRASH/bbserver.log") &&
	probe "$READ" fetch "evil.example/@$BB_HOST" - x-bitbucket-api-token-auth api acme widget &&
	refused
'

test_expect_success 'a REST URL over http is refused' '
	n=$(wc -l <"$TRASH/bbserver.log") &&
	probe "$FULL" user "$BB_HOST" "http://$BB_HOST/2.0" JDoe@example.com api &&
	refused &&
	test_grep "^message=the REST URL must be https://" out
'

test_expect_success 'a REST URL carrying a password is refused and not repeated' '
	n=$(wc -l <"$TRASH/bbserver.log") &&
	probe "$FULL" user "$BB_HOST" "https://u:hunter2@$BB_HOST/2.0" JDoe@example.com api &&
	refused &&
	! grep hunter2 out
'

test_expect_success 'the kind the caller gives decides, not the prefix' '
	n=$(wc -l <"$TRASH/bbserver.log") &&
	probe "$FULL" user "$BB_HOST" "$API_URL" JDoe@example.com app-password &&
	expect answer=no failure=app-password tries=0 &&
	probe "$FULL" user "$BB_HOST" "$API_URL" JDoe@example.com opaque &&
	expect answer=no failure=forbidden tries=0 &&
	test "$(wc -l <"$TRASH/bbserver.log")" = "$n"
'

# --- retries --------------------------------------------------------------------------

test_expect_success '429 with Retry-After is retried after the wait, then yes' '
	bb_fault 429 1 1 &&
	probe "$READ" fetch "$BB_HOST" - x-bitbucket-api-token-auth api acme widget &&
	bb_fault none 0 &&
	expect answer=yes status=200 tries=2 &&
	took_more 1000
'

test_expect_success '429 for ever is rate limited after 3 tries, within the timeout' '
	bb_fault 429 -1 1 &&
	n=$(requests " 429$") &&
	API_TIMEOUT_MS=5000 probe "$FULL" user "$BB_HOST" "$API_URL" JDoe@example.com api &&
	bb_fault none 0 &&
	expect answer=unknown failure=rate-limited status=429 tries=3 &&
	test_grep "^message=.*asked to wait 1 s after 3 tries" out &&
	test "$(requests " 429$")" = "$((n + 3))" &&
	took_more 2000 && took_less 5000
'

test_expect_success 'a Retry-After beyond the timeout is not waited for' '
	bb_fault 429 -1 60 &&
	API_TIMEOUT_MS=5000 probe "$READ" fetch "$BB_HOST" - x-bitbucket-api-token-auth api acme widget &&
	bb_fault none 0 &&
	expect answer=unknown failure=rate-limited tries=1 &&
	test_grep "asked to wait 60 s" out &&
	took_less 2000
'

test_expect_success 'max_tries 1 means one request' '
	bb_fault 429 -1 1 &&
	API_MAX_TRIES=1 probe "$READ" fetch "$BB_HOST" - x-bitbucket-api-token-auth api acme widget &&
	bb_fault none 0 &&
	expect answer=unknown failure=rate-limited tries=1 &&
	took_less 1000
'

test_expect_success '500 then success is retried after a second' '
	bb_fault 500 1 &&
	probe "$FULL" user "$BB_HOST" "$API_URL" JDoe@example.com api &&
	bb_fault none 0 &&
	expect answer=yes status=200 tries=2 &&
	took_more 1000
'

test_expect_success '500 for ever is a server error; backoff stays within the timeout' '
	bb_fault 500 -1 &&
	API_TIMEOUT_MS=2500 probe "$READ" fetch "$BB_HOST" - x-bitbucket-api-token-auth api acme widget &&
	bb_fault none 0 &&
	expect answer=unknown failure=server status=500 tries=2 &&
	test_grep "^message=.*HTTP 500.*after 2 tries" out &&
	took_less 2500
'

test_expect_success 'a connection closed without an answer is retried' '
	bb_fault close 1 &&
	probe "$READ" fetch "$BB_HOST" - x-bitbucket-api-token-auth api acme widget &&
	bb_fault none 0 &&
	expect answer=yes status=200 tries=2
'

test_expect_success 'connections closed every time end as a network failure' '
	bb_fault close -1 &&
	probe "$READ" fetch "$BB_HOST" - x-bitbucket-api-token-auth api acme widget &&
	bb_fault none 0 &&
	expect answer=unknown failure=network status=0 tries=3 &&
	test_grep "^message=$BB_HOST closed the connection without an answer (.*), still after 3 tries" out
'

# --- the network ------------------------------------------------------------------------

# free_port: a port nobody listens on.
free_port () {
	python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

test_expect_success 'a dead port is a network failure, quickly and clearly' '
	port=$(free_port) &&
	probe "$READ" fetch "127.0.0.1:$port" - x-bitbucket-api-token-auth api acme widget &&
	expect answer=unknown failure=network status=0 tries=1 &&
	test_grep "^message=could not reach 127.0.0.1:$port: Connection refused" out &&
	took_less 1000
'

test_expect_success 'a dead REST port names the REST host' '
	port=$(free_port) &&
	probe "$FULL" user "$BB_HOST" "https://127.0.0.1:$port/2.0" JDoe@example.com api &&
	expect answer=unknown failure=network tries=1 &&
	test_grep "^message=could not reach 127.0.0.1:$port: Connection refused" out
'

test_expect_success 'a server that never answers is given up at the timeout' '
	python3 -c "
import socket, sys, time
s = socket.socket(); s.bind((\"127.0.0.1\", 0)); s.listen(8)
open(sys.argv[1], \"w\").write(str(s.getsockname()[1]))
time.sleep(60)" "$TRASH/mute.port" &
	mute=$! &&
	while ! [ -s "$TRASH/mute.port" ]; do sleep 0.1; done &&
	API_TIMEOUT_MS=1500 probe "$READ" fetch "127.0.0.1:$(cat "$TRASH/mute.port")" \
		- x-bitbucket-api-token-auth api acme widget;
	rc=$?; kill $mute; test $rc = 0 &&
	expect answer=unknown failure=network tries=1 &&
	test_grep "^message=could not reach .*no answer within the time allowed (10 s to connect, 1.5 s in all)" out &&
	took_more 1400 && took_less 2500
'

test_expect_success 'proxies come from the environment' '
	port=$(free_port) &&
	https_proxy=http://127.0.0.1:$port \
		probe "$READ" fetch "$BB_HOST" - x-bitbucket-api-token-auth api acme widget &&
	expect answer=unknown failure=network tries=1 &&
	test_grep "^message=could not reach the proxy on the way to $BB_HOST (.*port $port" out
'

# --- TLS ---------------------------------------------------------------------------------

test_expect_success 'a certificate not in the CA bundle is refused' '
	openssl req -x509 -newkey rsa:2048 -nodes -days 2 \
		-keyout "$TRASH/tls/other-key.pem" -out "$TRASH/tls/other.pem" \
		-subj /CN=other >/dev/null 2>&1 &&
	n=$(wc -l <"$TRASH/bbserver.log") &&
	API_CA=$TRASH/tls/other.pem \
		probe "$READ" fetch "$BB_HOST" - x-bitbucket-api-token-auth api acme widget &&
	expect answer=unknown failure=tls status=0 tries=1 &&
	test_grep "^message=the certificate of $BB_HOST is not trusted" out &&
	test_grep "GIT_SSL_CAINFO or git config http.sslCAInfo" out &&
	test "$(wc -l <"$TRASH/bbserver.log")" = "$n"
'

test_expect_success 'the system CA bundle does not trust the stand-in either' '
	(unset API_CA &&
	 probe "$FULL" user "$BB_HOST" "$API_URL" JDoe@example.com api) &&
	expect answer=unknown failure=tls
'

test_expect_success 'a certificate for another name is refused' '
	probe "$READ" fetch "localhost:$BB_PORT" - x-bitbucket-api-token-auth api acme widget &&
	expect answer=unknown failure=tls
'

test_expect_success 'an unreadable CA bundle is a TLS failure naming the file' '
	API_CA=$TRASH/no-such-bundle.pem \
		probe "$READ" fetch "$BB_HOST" - x-bitbucket-api-token-auth api acme widget &&
	expect answer=unknown failure=tls &&
	test_grep "^message=cannot use the CA bundle $TRASH/no-such-bundle.pem" out
'

# --- redirects and oversized answers, from a server of our own ---------------------------

# A TLS server with the stand-in's certificate: /redir/... answers 302 to
# the stand-in, /html/... a 200 web page, anything else 200 with 2 MiB;
# it logs what it got.
cat >"$TRASH/odd-server.py" <<'EOF'
import http.server, ssl, sys
cert, key, port_file, log, target = sys.argv[1:6]
class H(http.server.BaseHTTPRequestHandler):
    def log_message(self, *a):
        pass
    def do_GET(self):
        auth = (self.headers.get("Authorization") or "-").split(" ")[0]
        with open(log, "a") as f:
            f.write("%s %s %s\n" % (self.path, auth, self.headers.get("User-Agent")))
        if self.path.startswith("/redir/"):
            self.send_response(302)
            self.send_header("Location", target)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        if self.path.startswith("/bighdr/"):
            # One header over libcurl's 100 KiB limit (CURL_MAX_HTTP_HEADER).
            self.send_response(200)
            self.send_header("X-Padding", "a" * (300 * 1024))
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        if self.path.startswith("/evil/"):
            # An escape sequence and U+202E in a header, as raw bytes.
            kind = "text/html\x1b[2J\xe2\x80\xaeevil"
            self.send_response(200)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        if self.path.startswith("/html/"):
            body = b"<html><body>Log in</body></html>"
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            return
        git = ".git/info/refs" in self.path
        body = b"0" * (2 * 1024 * 1024)
        self.send_response(200)
        self.send_header("Content-Type", "application/x-git-upload-pack-advertisement"
                         if git else "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        try:
            self.wfile.write(body)
        except OSError:
            pass
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
ctx.load_cert_chain(cert, key)
srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), H)
srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
open(port_file, "w").write(str(srv.server_address[1]))
srv.serve_forever()
EOF
python3 "$TRASH/odd-server.py" "$BB_CERT" "$TRASH/tls/key.pem" \
	"$TRASH/odd.port" "$TRASH/odd.log" \
	"$BB_URL/acme/widget.git/info/refs?service=git-upload-pack" \
	2>"$TRASH/odd.err" &
cleanup_pids="$cleanup_pids $!"
i=0
while ! [ -s "$TRASH/odd.port" ]; do
	i=$((i + 1))
	[ $i -lt 100 ] || die "odd-server did not start: $(cat "$TRASH/odd.err")"
	sleep 0.1
done
ODD_HOST=127.0.0.1:$(cat "$TRASH/odd.port")

test_expect_success 'a redirect is not followed and the token stays put' '
	n=$(requests "^GET /acme/widget.git/info/refs?service=git-upload-pack ") &&
	probe "$READ" fetch "$ODD_HOST" - x-bitbucket-api-token-auth api redir widget &&
	expect answer=unknown failure=protocol status=302 tries=1 &&
	test_grep "^message=.*redirect (HTTP 302), which is not followed" out &&
	test "$(requests "^GET /acme/widget.git/info/refs?service=git-upload-pack ")" = "$n"
'

test_expect_success 'a REST redirect is not followed either' '
	probe "$FULL" user "$BB_HOST" "https://$ODD_HOST/redir/2.0" JDoe@example.com api &&
	expect answer=unknown failure=protocol status=302 tries=1
'

test_expect_success 'requests carry our User-Agent and Basic auth' '
	test_grep "^/redir/2.0/user Basic git-credential-bbtoken/[0-9]" "$TRASH/odd.log" &&
	test_grep "^/redir/widget.git/info/refs?service=git-upload-pack Basic git-credential-bbtoken/" "$TRASH/odd.log"
'

test_expect_success 'a 2 MiB JSON answer is cut and not believed' '
	probe "$FULL" user "$BB_HOST" "https://$ODD_HOST/big/2.0" JDoe@example.com api &&
	expect answer=unknown failure=protocol status=200 username=
'

test_expect_success 'a 2 MiB git advertisement is still a yes' '
	probe "$READ" fetch "$ODD_HOST" - x-bitbucket-api-token-auth api big widget &&
	expect answer=yes status=200
'

test_expect_success 'a 200 that is not a git advertisement is not a yes' '
	probe "$READ" fetch "$ODD_HOST" - x-bitbucket-api-token-auth api html widget &&
	expect answer=unknown failure=protocol status=200 &&
	test_grep "^message=$ODD_HOST answered, but not as a git server (content type .text/html.)" out
'

test_expect_success 'a content type with escapes reaches the message defused' '
	probe "$READ" fetch "$ODD_HOST" - x-bitbucket-api-token-auth api evil widget &&
	expect answer=unknown failure=protocol status=200 &&
	test_grep "^message=$ODD_HOST answered, but not as a git server (content type .text/html?\[2J???evil.)" out
'

test_expect_success 'a header over libcurl'"'"'s limit is a failure that says so' '
	probe "$READ" fetch "$ODD_HOST" - x-bitbucket-api-token-auth api bighdr widget;
	expect answer=unknown &&
	grep "^message=." out
'

test_expect_success 'the stand-in never logged a token' '
	for t in "$READ" "$RW" "$WO" "$NONE" "$FULL" "$ACCESS" "$APP"; do
		! grep -F -e "$t" "$TRASH/bbserver.log" "$TRASH/odd.log" || return 1
	done
'

test_done
