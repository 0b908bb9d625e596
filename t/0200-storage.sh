#!/bin/sh
# SPDX-License-Identifier: MIT
# For credentials that are not Bitbucket tokens, the helper is a plain
# storage helper and must behave as git's own ones do (git's
# t/lib-credential.sh states the rules; these tests are our own).  They
# run through the real `git credential`, on hosts declared with --host.

. "$(dirname "$0")/test-lib.sh"

HELPER="bbtoken --host=example.com --host=sso.tld --host=victim.example.com --host=path.tld"

test_expect_success 'nothing stored: git asks' '
	check fill <<-\EOF
	protocol=https
	host=example.com
	--
	protocol=https
	host=example.com
	username=askpass-username
	password=askpass-password
	--
	askpass: Username for '"'"'https://example.com'"'"': 
	askpass: Password for '"'"'https://askpass-username@example.com'"'"': 
	EOF
'

test_expect_success 'stores a password' '
	check approve <<-\EOF
	protocol=https
	host=example.com
	username=store-user
	password=store-pass
	EOF
'

test_expect_success 'gives it back' '
	check fill <<-\EOF
	protocol=https
	host=example.com
	--
	protocol=https
	host=example.com
	username=store-user
	password=store-pass
	EOF
'

test_expect_success 'needs the same host' '
	check fill <<-\EOF
	protocol=https
	host=sso.tld
	--
	protocol=https
	host=sso.tld
	username=askpass-username
	password=askpass-password
	--
	askpass: Username for '"'"'https://sso.tld'"'"': 
	askpass: Password for '"'"'https://askpass-username@sso.tld'"'"': 
	EOF
'

test_expect_success 'needs the same username' '
	check fill <<-\EOF
	protocol=https
	host=example.com
	username=other
	--
	protocol=https
	host=example.com
	username=other
	password=askpass-password
	--
	askpass: Password for '"'"'https://other@example.com'"'"': 
	EOF
'

test_expect_success 'needs the same path when git sends one' '
	check approve <<-\EOF &&
	protocol=https
	host=path.tld
	path=foo.git
	username=user
	password=pass
	EOF
	git config --global credential.useHttpPath true &&
	check fill <<-\EOF
	protocol=https
	host=path.tld
	path=bar.git
	--
	protocol=https
	host=path.tld
	path=bar.git
	username=askpass-username
	password=askpass-password
	--
	askpass: Username for '"'"'https://path.tld/bar.git'"'"': 
	askpass: Password for '"'"'https://askpass-username@path.tld/bar.git'"'"': 
	EOF
'

test_expect_success 'overwrites on store, and forgets on erase' '
	check approve <<-\EOF &&
	protocol=https
	host=example.com
	username=user-overwrite
	password=pass1
	EOF
	check approve <<-\EOF &&
	protocol=https
	host=example.com
	username=user-overwrite
	password=pass2
	EOF
	check fill <<-\EOF &&
	protocol=https
	host=example.com
	username=user-overwrite
	--
	protocol=https
	host=example.com
	username=user-overwrite
	password=pass2
	EOF
	check reject <<-\EOF &&
	protocol=https
	host=example.com
	username=user-overwrite
	password=pass2
	EOF
	check fill <<-\EOF
	protocol=https
	host=example.com
	username=user-overwrite
	--
	protocol=https
	host=example.com
	username=user-overwrite
	password=askpass-password
	--
	askpass: Password for '"'"'https://user-overwrite@example.com'"'"': 
	EOF
'

test_expect_success 'keeps several users on one host' '
	check approve <<-\EOF &&
	protocol=https
	host=example.com
	username=user1
	password=pass1
	EOF
	check approve <<-\EOF &&
	protocol=https
	host=example.com
	username=user2
	password=pass2
	EOF
	check fill <<-\EOF &&
	protocol=https
	host=example.com
	username=user1
	--
	protocol=https
	host=example.com
	username=user1
	password=pass1
	EOF
	check fill <<-\EOF
	protocol=https
	host=example.com
	username=user2
	--
	protocol=https
	host=example.com
	username=user2
	password=pass2
	EOF
'

test_expect_success 'does not erase a password distinct from the request'"'"'s' '
	check approve <<-\EOF &&
	protocol=https
	host=example.com
	username=user-distinct
	password=pass1
	EOF
	check reject <<-\EOF &&
	protocol=https
	host=example.com
	username=user-distinct
	password=pass2
	EOF
	check fill <<-\EOF
	protocol=https
	host=example.com
	username=user-distinct
	--
	protocol=https
	host=example.com
	username=user-distinct
	password=pass1
	EOF
'

test_expect_success 'forgets one user and remembers the other' '
	check reject <<-\EOF &&
	protocol=https
	host=example.com
	username=user1
	EOF
	check fill <<-\EOF &&
	protocol=https
	host=example.com
	username=user1
	--
	protocol=https
	host=example.com
	username=user1
	password=askpass-password
	--
	askpass: Password for '"'"'https://user1@example.com'"'"': 
	EOF
	check fill <<-\EOF
	protocol=https
	host=example.com
	username=user2
	--
	protocol=https
	host=example.com
	username=user2
	password=pass2
	EOF
'

test_expect_success 'stores an empty username and an empty password' '
	check approve <<-\EOF &&
	protocol=https
	host=sso.tld
	username=
	password=
	EOF
	check fill <<-\EOF
	protocol=https
	host=sso.tld
	--
	protocol=https
	host=sso.tld
	username=
	password=
	EOF
'

# git 2.39 does not know password_expiry_utc and oauth_refresh_token (2.41
# does), so these talk to the helper directly, as a newer git would
# (check_helper: request, then stdout, then stderr).

test_expect_success 'keeps password_expiry_utc and oauth_refresh_token' '
	check_helper store --host=example.com <<-\EOF &&
	protocol=https
	host=example.com
	username=user-expiry
	password=pass
	password_expiry_utc=9999999999
	oauth_refresh_token=xyzzy
	EOF
	check_helper get --host=example.com <<-\EOF
	protocol=https
	host=example.com
	username=user-expiry
	--
	username=user-expiry
	password=pass
	password_expiry_utc=9999999999
	oauth_refresh_token=xyzzy
	EOF
'

test_expect_success 'overwrites when only password_expiry_utc changes' '
	check_helper store --host=example.com <<-\EOF &&
	protocol=https
	host=example.com
	username=user-expiry
	password=pass
	password_expiry_utc=9999999998
	oauth_refresh_token=xyzzy
	EOF
	check_helper get --host=example.com <<-\EOF
	protocol=https
	host=example.com
	username=user-expiry
	--
	username=user-expiry
	password=pass
	password_expiry_utc=9999999998
	oauth_refresh_token=xyzzy
	EOF
'

test_expect_success 'an expired credential is not given out' '
	check_helper store --host=example.com <<-\EOF &&
	protocol=https
	host=example.com
	username=user-expiry
	password=pass
	password_expiry_utc=1000000000
	oauth_refresh_token=xyzzy
	EOF
	check_helper get --host=example.com <<-\EOF
	protocol=https
	host=example.com
	username=user-expiry
	EOF
'

test_expect_success 'never stores an ephemeral credential' '
	check_helper store --host=example.com <<-\EOF &&
	protocol=https
	host=example.com
	username=eph
	password=p
	ephemeral=1
	EOF
	check_helper get --host=example.com <<-\EOF
	protocol=https
	host=example.com
	username=eph
	EOF
'

test_expect_success 'erases every matching credential' '
	check reject <<-\EOF &&
	protocol=https
	host=example.com
	EOF
	check fill <<-\EOF
	protocol=https
	host=example.com
	--
	protocol=https
	host=example.com
	username=askpass-username
	password=askpass-password
	--
	askpass: Username for '"'"'https://example.com'"'"': 
	askpass: Password for '"'"'https://askpass-username@example.com'"'"': 
	EOF
'

# A helper that read lines into a fixed buffer would take the tail of
# this wwwauth[] line for a line of its own, and answer for the victim.
test_expect_success 'a long header does not smuggle a host' '
	check approve <<-\EOF &&
	protocol=https
	host=victim.example.com
	username=user
	password=to-be-stolen
	EOF
	long=$(head -c 1001 /dev/zero | tr "\000" a) &&
	check_helper get --host=example.com --host=victim.example.com <<-EOF
	protocol=https
	host=badguy.example.com
	wwwauth[]=basic realm=${long}host=victim.example.com
	EOF
'

test_expect_success 'an erase without host erases nothing' '
	check_helper erase --host=victim.example.com <<-\EOF &&
	protocol=https
	username=user
	EOF
	check_helper get --host=victim.example.com <<-\EOF
	protocol=https
	host=victim.example.com
	username=user
	--
	username=user
	password=to-be-stolen
	EOF
'

# On the file store, a rewrite shows as a new inode (write, then rename).
test "$STORE_KIND" = keyring ||
test_expect_success 'a store that changes nothing does not rewrite the file' '
	ls -i "$FILE_STORE" >before &&
	check_helper store --host=victim.example.com <<-\EOF &&
	protocol=https
	host=victim.example.com
	username=user
	password=to-be-stolen
	EOF
	ls -i "$FILE_STORE" >after &&
	test_cmp before after
'

test "$STORE_KIND" != keyring ||
test_expect_success 'a store that changes nothing does not rewrite the keyring' '
	check_helper get --host=victim.example.com <<-\EOF &&
	protocol=https
	host=victim.example.com
	--
	username=user
	password=to-be-stolen
	EOF
	dbus-monitor --session "interface=org.freedesktop.Secret.Item" \
		"interface=org.freedesktop.Secret.Collection" >monitor 2>&1 &
	mon=$! &&
	sleep 0.5 &&
	check_helper store --host=victim.example.com <<-\EOF &&
	protocol=https
	host=victim.example.com
	username=user
	password=to-be-stolen
	EOF
	sleep 0.5 &&
	kill $mon &&
	test_grep -v "SetSecret\|CreateItem" monitor
'

test_done
