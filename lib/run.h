/* SPDX-License-Identifier: MIT */
#ifndef BBTOKEN_RUN_H
#define BBTOKEN_RUN_H

#include "buf.h"

/*
 * Run git with argv (argv[0] is "git"), stdin from /dev/null, stdout into
 * out when out is not NULL, stderr passed through.  The child inherits
 * our environment, which never holds a secret, and never sees one in
 * argv: only settings cross this door.  Returns git's exit status, or -1
 * when it could not be run or wrote more than out's cap (out then holds
 * the part that fit).
 */
int run_git(const char *const argv[], struct buf *out);

/* How run_capture ended; code says more where noted. */
enum run_status {
	RUN_OK = 0,		/* exited 0 */
	RUN_NO_COMMAND,		/* the command line is empty */
	RUN_NOT_STARTED,	/* code: the errno of posix_spawn */
	RUN_EXITED,		/* code: its non-zero exit status */
	RUN_SIGNALED,		/* code: the signal that ended it */
	RUN_TIMED_OUT,		/* past the deadline; its group was killed */
	RUN_TOO_MUCH,		/* more output than out's cap; killed */
	RUN_FAILED		/* code: errno of pipe, poll or waitpid */
};

/*
 * Run cmd, a command line from the user's own config, for its standard
 * output (bbtoken.tokenCommand).  As git runs helpers: a line starting
 * with '!' is handed to `/bin/sh -c`, any other is split on blanks into
 * argv, with no quoting of any kind (whoever needs quotes, pipes or
 * variables writes '!'), argv[0] looked up on PATH.
 *
 * stdin is /dev/null, stderr is ours, stdout goes into out (set empty
 * first; its cap bounds the output), and the environment is ours minus
 * the variables named in drop (a NULL-terminated list of names).  The
 * child leads its own process group: past timeout_ms, or past out's cap,
 * the whole group gets SIGTERM, then SIGKILL a moment later.
 *
 * Returns a run_status, with *code as the comment of each says.  out may
 * hold partial output on failure; the caller wipes it with buf_release.
 */
enum run_status run_capture(const char *cmd, const char *const drop[],
			    int timeout_ms, struct buf *out, int *code);

#endif
