/* SPDX-License-Identifier: MIT */
/*
 * git's three actions, as git runs them: read the request, leave at once
 * and silently when it is not ours, then get (action-get.c, in this
 * binary), or store and erase (action-store.c, action-erase.c, in the
 * full module).
 */
#include "action.h"
#include "credential.h"
#include "module.h"
#include "msg.h"
#include "pick.h"
#include "module-full.h"

#include <stdio.h>
#include <string.h>

/*
 * git calls store after every request that worked, mostly with what we
 * have just served.  Tell that case with the lean lookup of `get`, and
 * spare it libsecret's session set-up.  Any doubt (a failing keyring, an
 * app password to refuse) goes on to the full store, which explains;
 * but a keyring or bus that did not answer in time is not asked again,
 * so that git waits one deadline, not two: *ret gets EXIT_KEYRING.
 */
static int store_is_noop(const struct credential *req, struct bb_options *o,
			 const char *host, int *ret)
{
	struct token_list tokens = TOKEN_LIST_INIT;
	enum bb_kind kind;
	long long expiry;
	int unchanged = 0, locked, timed_out = 0;

	*ret = EXIT_OK;
	if (req->ephemeral || !buf_isset(&req->password) ||
	    credential_expiry(req, &expiry) < 0)
		return 1;
	kind = bb_token_kind(req->password.buf, req->password.len);
	if (kind == BB_KIND_APP_PASSWORD)
		return 0;
	*ret = action_find_tokens(o, host, &tokens, 1, &locked, &timed_out);
	if (!*ret && !locked)
		pick_stored(&tokens, req, kind, expiry, &unchanged);
	token_list_release(&tokens);
	if (timed_out)
		return 1;
	*ret = EXIT_OK;
	return unchanged;
}

int action_run(const char *action, struct bb_options *o)
{
	struct credential req;
	struct buf host = BUF_INIT;
	const struct bbtoken_full *full;
	int ret;

	credential_init(&req);
	ret = credential_read(&req, stdin);
	if (ret) {
		msg_error("refusing git's request: %s", credential_strerror(ret));
		credential_release(&req);
		return EXIT_FAIL;
	}
	if (!bb_host_allowed(&o->hosts, req.protocol.buf, req.host.buf)) {
		/* Maybe a host declared in git's config; read it only then. */
		if (!buf_eq(&req.protocol, "https") || !req.host.len ||
		    options_load_config(o, 1) < 0 ||
		    !bb_host_allowed(&o->hosts, req.protocol.buf, req.host.buf)) {
			credential_release(&req);
			return EXIT_OK;
		}
	} else {
		options_load_config(o, 1);	/* bbtoken.warnDays, .store */
	}
	bb_host_canonical(req.host.buf, &host);

	if (!strcmp(action, "get"))
		ret = action_get(&req, o, host.buf);
	else if (!strcmp(action, "store") && store_is_noop(&req, o, host.buf, &ret))
		;	/* ret says whether it was nothing to do or a timeout */
	else if (!(full = module_full()))
		ret = EXIT_FAIL;
	else if (!strcmp(action, "store"))
		ret = full->store(&req, o);
	else
		ret = full->erase(&req, o);
	buf_release(&host);
	credential_release(&req);
	return ret;
}
