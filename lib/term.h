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

/* Read a short answer (not secret) from the terminal, with echo. */
int term_read_line(const char *prompt, struct buf *out);

#endif
