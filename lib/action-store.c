/* SPDX-License-Identifier: MIT */
/*
 * git's `store`.  git calls it on every helper after every request that
 * worked, mostly with what we have just served (action.c spares that
 * case the full module); what is new is stored without losing, or
 * outranking, a token the user added by hand.
 */
#include "action.h"
#include "bitbucket.h"
#include "cmd.h"
#include "date.h"
#include "fingerprint.h"
#include "msg.h"
#include "pick.h"
#include "report.h"

#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

int action_open_host(struct bb_options *o, const char *host,
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

/*
 * Fields of git's request (held to 64 KiB by credential_read) and of a
 * stored token (read into a buf of the default cap) fit one of ours.
 */
static void copy_field(struct buf *dst, const struct buf *src)
{
	if (buf_isset(src))
		buf_setn(dst, src->buf, src->len);
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

int action_store(struct credential *req, struct bb_options *o)
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
	ret = action_open_host(o, host.buf, &s, &tokens);
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

