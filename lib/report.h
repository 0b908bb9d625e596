/* SPDX-License-Identifier: MIT */
#ifndef BBTOKEN_REPORT_H
#define BBTOKEN_REPORT_H

#include "store.h"

/* Say why the keyring failed, and what fixes it; s may be NULL. */
void report_store_error(struct store *s, int err);

/*
 * Could a person answer the keyring's unlock prompt?  Only inside a
 * graphical session; elsewhere a prompt would wait for nobody.
 */
int report_can_prompt(void);

#endif
