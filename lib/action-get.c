/* SPDX-License-Identifier: MIT */
/*
 * git's `get`: find the tokens for the request's host through the one
 * door (store.h), let pick.c choose, and answer git with the username,
 * the password and its expiry.  What git should know goes to stderr in
 * one sentence each: an expired or refused token passed over, one about
 * to expire, an email where a username belongs.
 */
#include "action.h"
#include "credential.h"
#include "date.h"
#include "msg.h"
#include "pick.h"
#include "report.h"
#include "store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/*
 * Find the tokens for host through the one door, as lean as the store
 * allows (store.h): the read-only sources, then the backend.  With some
 * items locked and no prompt possible, the unlocked ones are returned
 * and *locked is set.  Quiet, a failure is not reported, except a
 * keyring or bus that did not answer in time (*timed_out set): asking
 * again would cost the caller as long again.
 */
int action_find_tokens(struct bb_options *o, const char *host,
		       struct token_list *out, int quiet, int *locked,
		       int *timed_out)
{
	struct store_config c;
	struct store *s = NULL;
	int err;

	*locked = 0;
	options_store_config(o, STORE_LEAN |
			     (store_prompt_answerable() ? STORE_PROMPT : 0) |
			     (quiet ? 0 : STORE_TTY), &c);
	err = store_open(&s, &c);
	if (!err)
		err = store_find(s, host, out);
	*locked = err == STORE_ERR_LOCKED;
	*timed_out = err == STORE_ERR_TIMEOUT;
	if (err && !(err == STORE_ERR_LOCKED && out->nr)) {
		if (!quiet || *timed_out)
			report_store_error(s, err);
		store_close(s);
		return err == STORE_ERR_SOURCE ? EXIT_FAIL : EXIT_KEYRING;
	}
	store_close(s);
	return EXIT_OK;
}

static void say_notes(const struct pick_result *r, const struct pick_request *req)
{
	struct buf day = BUF_INIT;
	size_t i;

	for (i = 0; i < r->nr_notes; i++) {
		const struct token *t = r->notes[i].token;

		if (t)
			date_format_day(t->expires, &day);
		switch (r->notes[i].kind) {
		case PICK_NOTE_EMAIL:
			msg_note("git asked with an email address as the username; "
				 "Bitbucket wants %s for git over HTTPS (the email is "
				 "only for its REST API), so it is used instead; drop the "
				 "email from the remote URL with `git remote set-url`",
				 r->username);
			break;
		case PICK_NOTE_EXPIRED:
			if (buf_isset(&t->source)) {
				/* Not ours to rotate: it is set where it came from. */
				msg_error("the %s from %s expired on %s and is not "
					  "used; create a new one at %s and put it "
					  "in %s", bb_kind_label(t->kind),
					  t->source.buf, day.buf, BB_TOKEN_PAGE,
					  t->source.buf);
				break;
			}
			msg_error("%s '%s' expired on %s and is not used; create a new one "
				  "at %s and replace it with `git credential-bbtoken rotate %s`",
				  bb_kind_label(t->kind), t->label.buf, day.buf,
				  BB_TOKEN_PAGE, t->label.buf);
			break;
		case PICK_NOTE_REJECTED:
			msg_error("%s '%s' was refused by Bitbucket and is held back; "
				  "test it with `git credential-bbtoken check %s`, or "
				  "replace it with `git credential-bbtoken rotate %s`",
				  bb_kind_label(t->kind), t->label.buf, t->label.buf,
				  t->label.buf);
			break;
		case PICK_NOTE_EXPIRING: {
			long long days = date_days_until(t->expires, req->now);
			char when[64];

			if (days > 0)
				snprintf(when, sizeof(when), "in %lld day%s", days,
					 days == 1 ? "" : "s");
			else
				snprintf(when, sizeof(when), "today");
			if (buf_isset(&t->source)) {
				msg_warning("the %s from %s expires on %s (%s); "
					    "create a new one at %s and put it in %s "
					    "before then", bb_kind_label(t->kind),
					    t->source.buf, day.buf, when,
					    BB_TOKEN_PAGE, t->source.buf);
				break;
			}
			msg_warning("%s '%s' expires on %s (%s); replace it before "
				    "then with `git credential-bbtoken rotate %s`",
				    bb_kind_label(t->kind), t->label.buf, day.buf,
				    when, t->label.buf);
			break;
		}
		}
	}
	buf_release(&day);
}

int action_get(struct credential *req, struct bb_options *o,
		      const char *host)
{
	struct token_list tokens = TOKEN_LIST_INIT;
	struct pick_request pr;
	struct pick_result r;
	struct buf v = BUF_INIT;
	int ret, locked, timed_out;

	ret = action_find_tokens(o, host, &tokens, 0, &locked, &timed_out);
	if (ret) {
		token_list_release(&tokens);
		return ret;
	}
	memset(&pr, 0, sizeof(pr));
	pr.protocol = req->protocol.buf;
	pr.host = host;
	pr.path = req->path.buf;
	pr.username = req->username.buf;
	pr.now = time(NULL);
	pr.warn_days = options_warn_days(o);
	pick_token(&tokens, &pr, &r);
	say_notes(&r, &pr);
	if (r.token) {
		const struct token *t = r.token;
		int bad = 0;

		msg_trace("answering with %s '%s'", bb_kind_label(t->kind),
			  buf_str(&t->label));
		if (r.username) {
			buf_set(&v, r.username);
			bad |= credential_write_item(stdout, "username", &v);
		}
		bad |= credential_write_item(stdout, "password", &t->password);
		if (t->expires) {
			buf_set_empty(&v);
			buf_addf(&v, "%lld", t->expires);
			bad |= credential_write_item(stdout, "password_expiry_utc", &v);
		}
		bad |= credential_write_item(stdout, "oauth_refresh_token",
					     &t->oauth_refresh_token);
		if (bad)
			ret = EXIT_FAIL;
	} else if (locked) {
		/* The token git needs may be among the locked items: say so. */
		report_store_error(NULL, STORE_ERR_LOCKED);
		ret = EXIT_KEYRING;
	}
	buf_release(&v);
	token_list_release(&tokens);
	return ret;
}
