BBTOKEN_TEST_STORE=kwallet
. /work/wt-keyrings/t/test-lib.sh
test_expect_success 'loop' '
	fails=0 i=0
	while test $i -lt 700; do
		i=$((i+1))
		printf "protocol=https\nhost=example.com\nusername=u$i\npassword=p$i\n" | git credential-bbtoken --host=example.com store 2>>errs || echo "store $i failed: $?" >>errs
		printf "protocol=https\nhost=example.com\nusername=u$i\n" | git credential-bbtoken --host=example.com get >out 2>>errs
		grep -q "^password=p$i\$" out || { echo "get $i: $(cat out)" >>errs; }
	done
	git credential-bbtoken list >list 2>>errs || echo list failed >>errs
	cat errs; cat list | wc -l; grep -c "" $XDG_CONFIG_HOME/../../keyring.log; false
'
test_done
