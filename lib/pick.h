/* SPDX-License-Identifier: MIT */
#ifndef BBTOKEN_PICK_H
#define BBTOKEN_PICK_H

#include "credential.h"
#include "token.h"

/*
 * Which stored credential answers git's `get`: a pure function of the
 * tokens stored for the host, the request, and the clock.
 *
 * Bitbucket tokens come first.  A real username in the request picks the
 * account (a token tied to it, else an untied one); the fixed usernames
 * pick the kind; an email counts as no username.  With a path, the most
 * specific binding wins (repository, workspace, account-wide); without
 * one, account-wide tokens only.  At the same binding a token the user
 * added beats one that came through git's store (which may have come in
 * a URL someone else wrote); then the most recently stored wins.
 * A token that is expired or marked rejected is passed over, with a note
 * the caller turns into a message, and the next one is used.
 *
 * When no Bitbucket token fits, opaque credentials follow git's own rule
 * (credential_match): every field the request sets must be equal.
 */
struct pick_request {
	const char *protocol;
	const char *host;       /* canonical */
	const char *path;       /* NULL when git sent none */
	const char *username;   /* NULL when git sent none */
	long long now;
	int warn_days;
};

enum pick_note_kind {
	PICK_NOTE_EMAIL,        /* the request's username was an email */
	PICK_NOTE_EXPIRED,      /* token passed over: expired */
	PICK_NOTE_REJECTED,     /* token passed over: Bitbucket refused it */
	PICK_NOTE_EXPIRING      /* chosen token expires within the window */
};

#define PICK_MAX_NOTES 8

struct pick_note {
	enum pick_note_kind kind;
	const struct token *token;	/* NULL for PICK_NOTE_EMAIL */
};

struct pick_result {
	const struct token *token;	/* borrowed from the list; NULL: nothing */
	const char *username;		/* what to answer; borrowed */
	struct pick_note notes[PICK_MAX_NOTES];
	size_t nr_notes;
};

void pick_token(const struct token_list *tokens, const struct pick_request *req,
		struct pick_result *out);

/*
 * For git's `store`: the stored token that req (its password of kind,
 * expiry as given) would replace, or NULL.  A Bitbucket token is found by
 * its secret, whatever path or username git sends; anything else by git's
 * rule (same protocol, path and username).  *unchanged is set when
 * storing would write nothing: git calls store after every request that
 * worked, usually with what we just served.  A rejected mark counts as a
 * change, since the request has just proven it wrong.
 */
struct token *pick_stored(const struct token_list *tokens,
			  const struct credential *req, enum bb_kind kind,
			  long long expiry, int *unchanged);

/* Is t a Bitbucket token (API or access), as opposed to an opaque credential? */
int token_is_bitbucket(const struct token *t);

/* The username git must send with t. */
const char *token_git_username(const struct token *t);

#endif
