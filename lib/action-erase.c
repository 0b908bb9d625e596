/* SPDX-License-Identifier: MIT */
/*
 * git's `erase`, after a request that failed: never a token other than
 * the one that failed, and never one the user added, which is marked
 * rejected instead (a failure may be a network hiccup or a repository
 * the token was not meant for, and typing it again is dear).
 */
#include "action.h"
#include "cmd.h"
#include "msg.h"
#include "pick.h"
#include "report.h"

#include <string.h>

/* Does the erase request name this token, by git's matching rule? */
static int erase_matches(const struct token *t, const struct credential *req)
{
	const char *user = token_is_bitbucket(t) ? token_git_username(t)
						 : t->username.buf;

	if (buf_isset(&req->protocol) && !buf_eq(&t->protocol, req->protocol.buf))
		return 0;
	if (buf_isset(&req->username) && (!user || strcmp(user, req->username.buf)))
		return 0;
	/* A Bitbucket token is not tied to the path git happened to send. */
	if (!token_is_bitbucket(t) && buf_isset(&req->path) &&
	    !buf_eq(&t->path, req->path.buf))
		return 0;
	return 1;
}

int action_erase(struct credential *req, struct bb_options *o)
{
	struct token_list tokens = TOKEN_LIST_INIT;
	struct store *s = NULL;
	struct buf host = BUF_INIT;
	size_t i;
	int ret, err;

	bb_host_canonical(req->host.buf, &host);
	ret = action_open_host(o, host.buf, &s, &tokens);
	if (ret)
		goto out;
	for (i = 0; i < tokens.nr; i++) {
		struct token *t = tokens.v[i];

		/* BBTOKEN_TOKEN and its kind are not ours to mark or delete. */
		if (buf_isset(&t->source))
			continue;
		if (buf_isset(&req->password)) {
			/* Never erase a credential other than the one that failed. */
			if (!secret_eq(t->password.buf, t->password.len,
				       req->password.buf, req->password.len))
				continue;
			if (!token_is_bitbucket(t) && !erase_matches(t, req))
				continue;
		} else if (t->origin == TOKEN_ADDED || !erase_matches(t, req)) {
			continue;
		}
		if (t->origin == TOKEN_ADDED) {
			/*
			 * A token the user added is marked, never deleted: a
			 * failure may be a network hiccup or a repository the
			 * token was not meant for, and typing it again is dear.
			 */
			if (t->rejected)
				continue;
			err = store_mark(s, t, 1);
			if (!err)
				msg_error("Bitbucket refused %s '%s', so it is held back "
					  "from now on; test it with `git credential-bbtoken "
					  "check %s`, or replace it with `git credential-bbtoken "
					  "rotate %s`", bb_kind_label(t->kind), t->label.buf,
					  t->label.buf, t->label.buf);
		} else {
			err = store_remove(s, t);
		}
		if (err && err != STORE_ERR_NOT_FOUND) {
			report_store_error(s, err);
			ret = EXIT_KEYRING;
			break;
		}
	}
out:
	token_list_release(&tokens);
	store_close(s);
	buf_release(&host);
	return ret;
}
