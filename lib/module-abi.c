/* SPDX-License-Identifier: MIT */
/*
 * The stamp every module carries, and the binary checks before it calls
 * into one (module.c): a module from another build, or a file that is
 * not ours, is refused with the fix instead of being trusted.
 */
#include "module.h"

#ifndef BBTOKEN_VERSION
#define BBTOKEN_VERSION "0.1.0"
#endif

const char bbtoken_module_abi[] = BBTOKEN_MODULE_STAMP;
