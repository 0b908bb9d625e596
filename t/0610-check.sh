#!/bin/sh
# SPDX-License-Identifier: MIT
# check asks Bitbucket whether each stored token still works: one line
# (or one JSON object) per token, exit 0 only when all are fine.  What
# Bitbucket answers sets or clears the rejected mark that git's erase
# leaves; what cannot be reached changes nothing.

. "$(dirname "$0")/test-lib.sh"

# check ARGS...: check with the column padding squeezed to one space.
check () {
	git credential-bbtoken check "$@" >check.raw
	ret=$?
	sed -e 's/  */ /g' check.raw
	return $ret
}

# bb_set SECRET KEY JSON: change one field of a token on the stand-in,
# atomically as bbstate does (the server re-reads the file per request).
bb_set () {
	python3 -c '
import json, os, sys
path, secret, key, value = sys.argv[1:5]
with open(path) as f:
    state = json.load(f)
hits = [t for t in state["tokens"] if t["secret"] == secret]
if not hits:
    sys.exit("bb_set: no such token")
for t in hits:
    t[key] = json.loads(value)
with open(path + ".tmp", "w") as f:
    json.dump(state, f)
os.rename(path + ".tmp", path)
' "$BB_STATE" "$@"
}

# fill PATH: what git gets from its helpers for that repository.
fill () {
	printf 'protocol=https\nhost=%s\npath=%s\n\n' "$BB_HOST" "$1" |
	git credential fill
}

# jget FILE [LABEL KEY | --labels]: from check --json output, the number
# of objects, one value of the object of that label ("null" for null),
# or the labels in order.  Fails unless FILE is one JSON array with
# exactly one object per label.
cat >jget.py <<\EOF
import json, sys
with open(sys.argv[1]) as f:
    a = json.load(f)
assert isinstance(a, list), "not an array"
if len(sys.argv) == 2:
    print(len(a))
    sys.exit(0)
if sys.argv[2] == "--labels":
    print("\n".join(o["label"] for o in a))
    sys.exit(0)
objs = [o for o in a if o.get("label") == sys.argv[2]]
assert len(objs) == 1, "%d objects labelled %s" % (len(objs), sys.argv[2])
v = objs[0][sys.argv[3]]
print(v if isinstance(v, str) else json.dumps(v))
EOF
jget () {
	python3 "$TRASH/jget.py" "$@"
}

start_bbserver
git config --global bbtoken.apiUrl "$BB_URL/2.0"
bb_user jdoe jdoe@example.com
for r in acme/widget beta/tool gamma/lib delta/lib rev/repo gone/repo; do
	bb_repo ${r%/*} ${r#*/} || die "cannot make $r"
done

# --- one status each ---------------------------------------------------------

test_expect_success 'check says ok for a token that still fetches and pushes, and exits 0' '
	tok=$(bb_token api --owner jdoe --scopes read,write) &&
	vadd "$tok" --label=good --workspace=acme --probe=acme/widget \
		--expires=$(day +200) >out 2>err &&
	check good >out 2>err &&
	echo "good ok" >expect &&
	test_cmp expect out &&
	test_must_be_empty err
'

test_expect_success 'check probed the token on the repository add probed' '
	: >"$TRASH/bbserver.log" &&
	check good >out &&
	test_grep "^GET /acme/widget.git/info/refs?service=git-upload-pack x-bitbucket-api-token-auth 200$" \
		"$TRASH/bbserver.log"
'

test_expect_success 'check says expiring, with the days left and rotate, and exits 1' '
	tok=$(bb_token api --owner jdoe --scopes read,write --expires +10) &&
	vadd "$tok" --label=soon --workspace=beta --probe=beta/tool \
		--expires=$(day +10) >out 2>err &&
	test_expect_code 1 check soon >out &&
	echo "soon expiring expires in 10 days; replace it with \`git credential-bbtoken rotate soon\`" >expect &&
	test_cmp expect out
'

test_expect_success 'check counts a token 14 days from expiry as expiring, the window being inclusive' '
	tok=$(bb_token api --owner jdoe --scopes read --expires +14) &&
	vadd "$tok" --label=edge14 --workspace=beta --probe=beta/tool \
		--expires=$(day +14) >out 2>err &&
	test_expect_code 1 check edge14 >out &&
	test_grep "^edge14 expiring expires in " out
'

test_expect_success 'check counts a token 15 days from expiry as ok' '
	tok=$(bb_token api --owner jdoe --scopes read --expires +15) &&
	vadd "$tok" --label=edge15 --workspace=beta --probe=beta/tool \
		--expires=$(day +15) >out 2>err &&
	{
		check edge15 >out
		echo $? >code
	} &&
	echo "edge15 ok" >expect &&
	test_cmp expect out &&
	echo 0 >expect &&
	test_cmp expect code
'

test_expect_success 'check says expired with the date and the fix, without asking Bitbucket' '
	tok=$(bb_token api --owner jdoe --scopes read,write --expires -2) &&
	printf %s "$tok" |
	put_token_item "$BB_HOST" old workspace=gamma probe=gamma/lib fetch=yes \
		push=yes expires=$(($(date +%s) - 2 * 86400)) &&
	: >"$TRASH/bbserver.log" &&
	test_expect_code 1 check old >out &&
	echo "old expired expired on $(day -2); create a new token at $TOKEN_PAGE and run \`git credential-bbtoken rotate old\`" >expect &&
	test_cmp expect out &&
	test_must_be_empty "$TRASH/bbserver.log"
'

test_expect_success 'check says rejected for a token Bitbucket refuses, names rotate, and exits 1' '
	tok=$(bb_token api --owner jdoe --scopes read,write) &&
	printf %s "$tok" >gone.secret &&
	vadd "$tok" --label=revoked --workspace=delta --probe=delta/lib \
		>out 2>err &&
	python3 "$TEST_DIRECTORY/bbstate" "$BB_STATE" revoke "$tok" &&
	test_expect_code 1 check revoked >out &&
	test_grep "^revoked rejected .*HTTP 401" out &&
	test_grep "rotate revoked\`$" out
'

test_expect_success 'check marks the token Bitbucket refused as rejected' '
	list_rows >list &&
	test_grep "^revoked .* delta .* rejected " list
'

test_expect_success 'get withholds the token check marked rejected, naming check' '
	get_token delta/lib.git >answer 2>err &&
	test_grep -v "$(cat gone.secret)" answer &&
	test_grep "git credential-bbtoken check revoked" err
'

test_expect_success 'check clears the mark once Bitbucket accepts the token again' '
	bb_set "$(cat gone.secret)" revoked false &&
	check revoked >out &&
	echo "revoked ok" >expect &&
	test_cmp expect out &&
	list_rows >list &&
	test_grep "^revoked .* delta .* ok " list &&
	get_token delta/lib.git >answer 2>err &&
	test_grep "^password=$(cat gone.secret)$" answer
'

test_expect_success 'check says scope missing for a token that cannot fetch, naming the scope' '
	tok=$(bb_token api --owner jdoe --scopes write) &&
	printf %s "$tok" | put_token_item "$BB_HOST" writeonly workspace=gamma \
		probe=gamma/lib &&
	test_expect_code 1 check writeonly >out &&
	test_grep "^writeonly scope missing .*read:repository:bitbucket" out &&
	list_rows >list &&
	test_grep "^writeonly .* ok " list
'

test_expect_success 'check says scope missing for a token that pushed when added and no longer can' '
	tok=$(bb_token api --owner jdoe --scopes read,write) &&
	vadd "$tok" --label=lostpush --workspace=acme --probe=acme/widget \
		>out 2>err &&
	test_grep "^push: yes$" out &&
	bb_set "$tok" scopes "[\"read:repository:bitbucket\"]" &&
	test_expect_code 1 check lostpush >out &&
	test_grep "^lostpush scope missing it can fetch but no longer push: .*write:repository:bitbucket" out
'

test_expect_success 'check says no access when the repository it probes is gone' '
	tok=$(bb_token api --owner jdoe --scopes read,write) &&
	vadd "$tok" --label=norepo --repo=gone/repo >out 2>err &&
	rm -rf "$BB_ROOT/gone/repo.git" &&
	test_expect_code 1 check norepo >out &&
	test_grep "^norepo no access .*HTTP 404" out
'

test_expect_success 'check says nothing to probe for a token added unverified without a repository' '
	tok=$(bb_token api --owner jdoe --scopes read,write) &&
	printf "%s\n" "$tok" |
	git credential-bbtoken add --stdin --no-verify --host="$BB_HOST" \
		--label=blind --workspace=blind >out 2>err &&
	: >"$TRASH/bbserver.log" &&
	test_expect_code 1 check blind >out &&
	test_grep "^blind nothing to probe .*check --probe=WORKSPACE/REPO blind" out &&
	test_must_be_empty "$TRASH/bbserver.log"
'

test_expect_success 'check --probe gives such a token a repository, kept for next time' '
	bb_repo blind repo &&
	check --probe=blind/repo blind >out &&
	test_grep "^blind *ok$" out &&
	check blind >out &&
	test_grep "^blind *ok$" out
'

test_expect_success 'check --probe refuses a repository outside the binding' '
	test_expect_code 1 check --probe=other/repo blind >out 2>err &&
	test_grep "outside\|within the binding" err
'

# --- unreachable --------------------------------------------------------------

test_expect_success 'check says unreachable for a host nobody answers on, at once, naming it' '
	tok=$(bb_token api --owner jdoe --scopes read,write) &&
	printf %s "$tok" | put_token_item 127.0.0.1:1 deadhost workspace=acme \
		probe=acme/widget fetch=yes push=yes &&
	test_expect_code 1 timeout 60 git credential-bbtoken check deadhost >out &&
	sed -e "s/  */ /g" out >out.rows &&
	test_grep "^deadhost unreachable .*127.0.0.1:1" out.rows
'

test_expect_success 'check leaves the rejected mark of a token it cannot reach' '
	tok=$(bb_token api --owner jdoe --scopes read,write) &&
	printf %s "$tok" | put_token_item 127.0.0.1:1 deadmarked rejected=1 \
		workspace=acme probe=acme/widget fetch=yes &&
	git credential-bbtoken list >before &&
	test_grep "^deadmarked .* rejected " before &&
	test_expect_code 1 timeout 60 git credential-bbtoken check deadmarked \
		deadhost >out &&
	git credential-bbtoken list >after &&
	test_cmp before after
'

test_expect_success 'check leaves the rejected mark while Bitbucket answers 500' '
	tok=$(bb_token api --owner jdoe --scopes read,write) &&
	printf %s "$tok" | put_token_item "$BB_HOST" marked500 rejected=1 \
		workspace=acme probe=acme/widget fetch=yes &&
	git credential-bbtoken list >before &&
	bb_fault 500 -1 &&
	{
		timeout 60 git credential-bbtoken check marked500 >out
		echo $? >code
	} &&
	bb_fault none 0 &&
	echo 1 >expect &&
	test_cmp expect code &&
	sed -e "s/  */ /g" out >out.rows &&
	test_grep "^marked500 unreachable .*500" out.rows &&
	git credential-bbtoken list >after &&
	test_cmp before after
'

test_expect_success 'check refuses a server whose certificate the CA bundle does not trust' '
	mkdir -p other &&
	openssl req -x509 -newkey rsa:2048 -nodes -days 2 \
		-keyout other/key.pem -out other/cert.pem \
		-subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1 \
		>other/openssl.log 2>&1 &&
	git credential-bbtoken list >before &&
	: >"$TRASH/bbserver.log" &&
	test_expect_code 1 env GIT_SSL_CAINFO="$TRASH/other/cert.pem" \
		timeout 60 git credential-bbtoken check good >out &&
	sed -e "s/  */ /g" out >out.rows &&
	test_grep "^good unreachable .*certificate" out.rows &&
	test_must_be_empty "$TRASH/bbserver.log" &&
	git credential-bbtoken list >after &&
	test_cmp before after
'

test_expect_success 'check retries after a 429 and says ok' '
	bb_fault 429 1 1 &&
	: >"$TRASH/bbserver.log" &&
	{
		check good >out
		echo $? >code
	} &&
	bb_fault none 0 &&
	echo 0 >expect &&
	test_cmp expect code &&
	echo "good ok" >expect &&
	test_cmp expect out &&
	grep "service=git-upload-pack" "$TRASH/bbserver.log" |
		cut -d " " -f 4 >statuses &&
	printf "429\n200\n" >expect &&
	test_cmp expect statuses
'

# --- all tokens, labels, JSON ---------------------------------------------------

test_expect_success 'check of an unknown label fails and points to list' '
	test_expect_code 1 git credential-bbtoken check good nosuch >out 2>err &&
	test_grep "nosuch" err &&
	test_grep "git credential-bbtoken list" err
'

test_expect_success 'check without a label covers every token and exits 1 if one is not fine' '
	test_expect_code 1 check >out &&
	cut -d " " -f 1 out | sort >labels &&
	sort >expect <<-EOF &&
	blind
	deadhost
	deadmarked
	edge14
	edge15
	good
	lostpush
	marked500
	norepo
	old
	revoked
	soon
	writeonly
	EOF
	test_cmp expect labels
'

test_expect_success 'check of fine tokens only exits 0' '
	check good revoked >out &&
	sort out >sorted &&
	printf "good ok\nrevoked ok\n" >expect &&
	test_cmp expect sorted
'

test_expect_success 'check --json prints one JSON array with an object per token' '
	test_expect_code 1 git credential-bbtoken check --json good soon old \
		lostpush writeonly >out &&
	test "$(jget out)" = 5 &&
	for key in label host kind username workspace repository expires status \
		fetch push missing_scopes message; do
		for l in good soon old lostpush writeonly; do
			jget out $l $key >/dev/null || exit 1
		done
	done
'

test_expect_success 'check --json describes a fine token' '
	git credential-bbtoken check --json good >out &&
	test "$(jget out good host)" = "$BB_HOST" &&
	test "$(jget out good kind)" = api &&
	test "$(jget out good username)" = x-bitbucket-api-token-auth &&
	test "$(jget out good workspace)" = acme &&
	test "$(jget out good repository)" = null &&
	test "$(jget out good expires)" = "$(day +200)T00:00:00Z" &&
	test "$(jget out good status)" = ok &&
	test "$(jget out good fetch)" = yes &&
	test "$(jget out good push)" = yes &&
	test "$(jget out good missing_scopes)" = null
'

test_expect_success 'check --json tells expiring, expired and scope missing apart' '
	test_expect_code 1 git credential-bbtoken check --json soon old \
		lostpush writeonly >out &&
	test "$(jget out soon status)" = expiring &&
	test "$(jget out soon expires)" = "$(day +10)T00:00:00Z" &&
	jget out soon message | grep "rotate soon" &&
	test "$(jget out old status)" = expired &&
	test "$(jget out old fetch)" = null &&
	test "$(jget out lostpush status)" = "scope missing" &&
	test "$(jget out lostpush fetch)" = yes &&
	test "$(jget out lostpush push)" = no &&
	test "$(jget out lostpush missing_scopes)" = write:repository:bitbucket &&
	test "$(jget out writeonly status)" = "scope missing" &&
	test "$(jget out writeonly fetch)" = no &&
	test "$(jget out writeonly missing_scopes)" = read:repository:bitbucket
'

# --- many tokens at once ------------------------------------------------------------
#
# check asks about every token together, concurrently: the order of the
# answers is the network's, the output's must not be, and what happens
# to one token's requests must not leak into another's verdict.

test_expect_success 'check of many tokens gives each the verdict it gets alone, in the order asked' '
	tok=$(bb_token api --owner jdoe --scopes read,write) &&
	vadd "$tok" --label=dead401 --workspace=acme --probe=acme/widget \
		>out 2>err &&
	python3 "$TEST_DIRECTORY/bbstate" "$BB_STATE" revoke "$tok" &&
	tok=$(bb_token api --owner jdoe --scopes read,write) &&
	printf %s "$tok" | put_token_item "localhost:$BB_PORT" othername \
		workspace=acme probe=acme/widget fetch=yes push=yes &&
	labels="lostpush good dead401 deadhost writeonly soon norepo othername
		old revoked blind edge15 deadmarked edge14" &&
	: >alone &&
	for l in $labels; do
		check $l >>alone || :
	done &&
	test_expect_code 1 check $labels >together &&
	test_cmp alone together &&
	test_grep "^dead401 rejected .*HTTP 401" together &&
	test_grep "^othername unreachable .*certificate" together &&
	test_grep "^deadhost unreachable .*127.0.0.1:1" together
'

test_expect_success 'check --json of many tokens keeps the order asked too' '
	test_expect_code 1 git credential-bbtoken check --json edge14 good \
		deadhost soon old lostpush writeonly norepo othername edge15 \
		>out &&
	jget out --labels >labels &&
	printf "%s\n" edge14 good deadhost soon old lostpush writeonly norepo \
		othername edge15 >expect &&
	test_cmp expect labels
'

test_expect_success 'a 429 to one token is retried on its own, without holding up the others' '
	for i in 1 2 3 4 5 6; do
		bb_repo par r$i &&
		tok=$(bb_token api --owner jdoe --scopes read,write) &&
		printf %s "$tok" | put_token_item "$BB_HOST" par$i workspace=par \
			probe=par/r$i fetch=yes push=yes || exit 1
	done &&
	bb_fault 429 1 1 &&
	: >"$TRASH/bbserver.log" &&
	{
		check par1 par2 par3 par4 par5 par6 >out
		echo $? >code
	} &&
	bb_fault none 0 &&
	printf "par%s ok\n" 1 2 3 4 5 6 >expect &&
	test_cmp expect out &&
	echo 0 >expect &&
	test_cmp expect code &&
	test "$(grep -c " 429$" "$TRASH/bbserver.log")" = 1 &&
	awk "
		\$NF == 429 { path = \$2; next }
		path && \$2 == path { print between + 0; exit }
		path { between++ }
	" "$TRASH/bbserver.log" >between &&
	test "$(cat between)" -gt 0
'

test_expect_success 'a token whose host is down does not change the verdicts of the others' '
	test_expect_code 1 check par1 deadhost par2 >out &&
	sed -e "s/ .*//" out >labels &&
	printf "%s\n" par1 deadhost par2 >expect &&
	test_cmp expect labels &&
	test_grep "^par1 ok$" out &&
	test_grep "^par2 ok$" out
'

# --- git's erase and check --------------------------------------------------------

test_expect_success 'git works with a token that check says is ok' '
	tok=$(bb_token api --owner jdoe --scopes read,write) &&
	printf %s "$tok" >rev.secret &&
	vadd "$tok" --label=rev --workspace=rev --probe=rev/repo >out 2>err &&
	git clone -q "$BB_URL/rev/repo.git" rev1
'

test_expect_success 'git'"'"'s erase after a 401 marks the token rejected, never deletes it' '
	python3 "$TEST_DIRECTORY/bbstate" "$BB_STATE" revoke "$(cat rev.secret)" &&
	! git clone -q "$BB_URL/rev/repo.git" rev2 2>err &&
	list_rows >list &&
	test_grep "^rev .* rev .* rejected " list
'

test_expect_success 'get withholds the rejected token with a hint naming check' '
	get_token rev/repo.git >answer 2>err &&
	test_grep -v "$(cat rev.secret)" answer &&
	test_grep "git credential-bbtoken check rev" err
'

test_expect_success 'check restores a token Bitbucket accepts again, and git works with it' '
	bb_set "$(cat rev.secret)" revoked false &&
	check rev >out &&
	echo "rev ok" >expect &&
	test_cmp expect out &&
	list_rows >list &&
	test_grep "^rev .* rev .* ok " list &&
	git clone -q "$BB_URL/rev/repo.git" rev3
'

test_done
