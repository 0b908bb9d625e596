/* SPDX-License-Identifier: MIT */
#ifndef BBTOKEN_HELPER_H
#define BBTOKEN_HELPER_H

#include "options.h"

/*
 * git's side of the helper: `get`, `store` and `erase`.  Reads the
 * request from stdin, and leaves at once, silently, when it is not ours
 * (another host, plain http): git's next helper gets its turn, and we
 * have loaded nothing.
 */
int helper_action(const char *action, struct bb_options *o);

#endif
