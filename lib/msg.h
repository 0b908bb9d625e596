/* SPDX-License-Identifier: MIT */
#ifndef BBTOKEN_MSG_H
#define BBTOKEN_MSG_H

/*
 * The one place that talks to the user on stderr.  Library modules
 * return status codes; commands choose the words and print them here.
 * A message is one sentence: what happened, why, and the command that
 * fixes it.  Never pass a secret: show a fingerprint or a label.
 *
 * Every line starts with "bbtoken: " because, run by git, our words are
 * mixed with git's own.
 */
void msg_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void msg_warning(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void msg_note(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Printed only when BBTOKEN_TRACE is set to 1 (or true), prefixed "trace: ". */
void msg_trace(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Exit codes, as documented in the man page. */
enum {
	EXIT_OK = 0,
	EXIT_FAIL = 1,      /* the command could not do what was asked */
	EXIT_KEYRING = 2,   /* no Secret Service, locked, or it did not answer */
	EXIT_USAGE = 129    /* bad options, as git's own commands */
};

#endif
