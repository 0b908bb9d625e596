/* SPDX-License-Identifier: MIT */
/*
 * git's `store` and `erase`.  git calls store on every helper after every
 * request that worked, and erase after one that failed; both must be
 * cheap when there is nothing to do, and neither may lose a token the
 * user added by hand.
 */
#include "cmd.h"
#include "bitbucket.h"
#include "date.h"
#include "fingerprint.h"
#include "msg.h"
#include "pick.h"
#include "report.h"

#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

static int open_and_find(struct bb_options *o, const char *host,
			 struct store **s, struct token_list *tokens)
{
	int err;

	if (cmd_open_store(o, s))
		return EXIT_KEYRING;
	err = store_find(*s, host, tokens);
	if (err) {
		report_store_error(*s, err);
		return EXIT_KEYRING;
	}
	return EXIT_OK;
}

static int copy_field(struct buf *dst, const struct buf *src)
{
	return buf_isset(src) ? buf_setn(dst, src->buf, src->len) : 0;
}

/*
 * A label for what git stores.  A Bitbucket token is long and random, so
 * its fingerprint gives nothing away and lets people match it.  Any other
 * password may be weak, and the label sits outside the encrypted secret
 * (gnome-keyring writes attributes in the clear): a hash of it could be
 * reversed with a dictionary, so it gets a random id instead.
 */
static void auto_label(struct token *t)
{
	struct buf fp = BUF_INIT;
	unsigned char id[4];

	buf_set_empty(&t->label);
	if (token_is_bitbucket(t)) {
		fingerprint(t->password.buf, t->password.len, &fp);
		buf_addf(&t->label, "%s-%s", bb_kind_name(t->kind), buf_str(&fp));
		buf_release(&fp);
		return;
	}
	if (getrandom(id, sizeof(id), 0) != sizeof(id))
		memset(id, 0, sizeof(id));	/* unique enough: ids, not keys */
	buf_addf(&t->label, "git-%02x%02x%02x%02x", id[0], id[1], id[2], id[3]);
}

/*
 * A Bitbucket token that reached us through git's store.  It may have
 * come from git's prompt, or from a URL that carried it: a submodule's in
 * a repository someone else wrote, a clone URL pasted from a web page.
 * We cannot tell which, so it is bound to the repository git sent, and
 * is account-wide only when git sent no path (credential.useHttpPath
 * off).  pick.c ranks it below any token the user added for the same
 * binding, so a token that arrived by chance never displaces theirs.
 */
static void fill_bitbucket(struct token *t, const struct credential *req)
{
	struct buf ws = BUF_INIT, repo = BUF_INIT;

	if (t->kind == BB_KIND_API_TOKEN && bb_is_account_user(req->username.buf))
		copy_field(&t->username, &req->username);
	if (!bb_parse_path(req->path.buf, &ws, &repo)) {
		buf_setn(&t->workspace, ws.buf, ws.len);
		buf_setn(&t->repository, repo.buf, repo.len);
	}
	buf_release(&ws);
	buf_release(&repo);
	if (bb_token_checksum_ok(t->password.buf, t->password.len) == 0)
		msg_warning("the %s git just used fails its checksum, as if "
			    "mistyped; Bitbucket accepted it, so it is stored anyway",
			    bb_kind_label(t->kind));
}

int cmd_store(struct credential *req, struct bb_options *o)
{
	struct token_list tokens = TOKEN_LIST_INIT;
	struct store *s = NULL;
	struct token *t, *old = NULL;
	struct buf host = BUF_INIT;
	enum bb_kind kind;
	long long expiry;
	int ret, err, unchanged;

	/* Nothing to keep, or git asked us not to keep it. */
	if (req->ephemeral || !buf_isset(&req->password))
		return EXIT_OK;
	kind = bb_token_kind(req->password.buf, req->password.len);
	if (kind == BB_KIND_APP_PASSWORD) {
		msg_error("not storing an app password: Bitbucket stopped accepting "
			  "them on 28 July 2026; create an API token at %s and add it "
			  "with `git credential-bbtoken add`", BB_TOKEN_PAGE);
		return EXIT_FAIL;
	}
	if (credential_expiry(req, &expiry) < 0)
		return EXIT_OK;	/* git sends a number; anything else is not git */
	bb_host_canonical(req->host.buf, &host);
	ret = open_and_find(o, host.buf, &s, &tokens);
	if (ret)
		goto out;

	old = pick_stored(&tokens, req, kind, expiry, &unchanged);
	if (unchanged)
		goto out;
	if (old && kind != BB_KIND_OPAQUE) {
		/* The same token, with a rejected mark that just proved wrong. */
		if ((err = store_mark(s, old, 0))) {
			report_store_error(s, err);
			ret = EXIT_KEYRING;
		}
		goto out;
	}

	t = token_new();
	t->kind = kind;
	t->origin = TOKEN_FROM_GIT;
	t->expires = expiry;
	t->created = time(NULL);
	buf_setn(&t->host, host.buf, host.len);
	copy_field(&t->protocol, &req->protocol);
	copy_field(&t->password, &req->password);
	copy_field(&t->oauth_refresh_token, &req->oauth_refresh_token);
	if (kind == BB_KIND_OPAQUE) {
		copy_field(&t->path, &req->path);
		copy_field(&t->username, &req->username);
	} else {
		fill_bitbucket(t, req);
	}
	if (old) {
		copy_field(&t->id, &old->id);
		copy_field(&t->label, &old->label);
	} else {
		auto_label(t);
	}
	err = store_put(s, t);
	if (err) {
		report_store_error(s, err);
		ret = EXIT_KEYRING;
	} else {
		if (s->note.len)
			msg_note("%s", s->note.buf);
		msg_trace("stored %s '%s'", bb_kind_label(t->kind), t->label.buf);
	}
	token_free(t);
out:
	token_list_release(&tokens);
	store_close(s);
	buf_release(&host);
	return ret;
}

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

int cmd_erase(struct credential *req, struct bb_options *o)
{
	struct token_list tokens = TOKEN_LIST_INIT;
	struct store *s = NULL;
	struct buf host = BUF_INIT;
	size_t i;
	int ret, err;

	bb_host_canonical(req->host.buf, &host);
	ret = open_and_find(o, host.buf, &s, &tokens);
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
