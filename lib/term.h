/* SPDX-License-Identifier: MIT */
#ifndef BBTOKEN_TERM_H
#define BBTOKEN_TERM_H

#include "buf.h"

/*
 * Read a secret: from the terminal without echo (prompt shown there), or
 * one line from stdin when from_stdin is set.  Never from argv or the
 * environment, where other processes of the user can read it.  The
 * trailing LF is dropped; a value still holding NUL or CR is refused.
 * Returns 0, or -1 with a message printed.
 */
int term_read_secret(const char *prompt, int from_stdin, struct buf *out);

/*
 * Read a passphrase as term_read_secret reads a secret, but print
 * nothing and let the caller say what went wrong: an empty answer is
 * allowed (it may mean "none").  Returns 0, or a term_err.
 */
enum term_err {
	TERM_NO_TTY = -1,	/* no /dev/tty, or echo cannot be turned off */
	TERM_NO_INPUT = -2,	/* nothing could be read (EOF at once) */
	TERM_TOO_LONG = -3,
	TERM_BAD_BYTE = -4	/* a NUL or CR in it */
};
int term_read_passphrase(const char *prompt, int from_stdin, struct buf *out);

/* Read a short answer (not secret) from the terminal, with echo. */
int term_read_line(const char *prompt, struct buf *out);

#endif
