/* SPDX-License-Identifier: MIT */
#ifndef BBTOKEN_RUN_H
#define BBTOKEN_RUN_H

#include "buf.h"

/*
 * Run git with argv (argv[0] is "git"), stdin from /dev/null, stdout into
 * out when out is not NULL, stderr passed through.  The child inherits
 * our environment, which never holds a secret, and never sees one in
 * argv: only settings cross this door.  Returns git's exit status, or -1
 * when it could not be run.
 */
int run_git(const char *const argv[], struct buf *out);

#endif
