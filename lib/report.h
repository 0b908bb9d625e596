/* SPDX-License-Identifier: MIT */
#ifndef BBTOKEN_REPORT_H
#define BBTOKEN_REPORT_H

#include "store.h"

/* Say why the keyring failed, and what fixes it; s may be NULL. */
void report_store_error(struct store *s, int err);

#endif
