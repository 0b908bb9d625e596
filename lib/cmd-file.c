/* SPDX-License-Identifier: MIT */
/* STUB: init, unlock and lock of the encrypted file store. */
#include "cmd.h"
#include "msg.h"

int cmd_init(int argc, const char **argv, struct bb_options *o)
{
	(void)argc; (void)argv; (void)o;
	msg_error("init: not yet");
	return EXIT_FAIL;
}

int cmd_unlock(int argc, const char **argv, struct bb_options *o)
{
	(void)argc; (void)argv; (void)o;
	msg_error("unlock: not yet");
	return EXIT_FAIL;
}

int cmd_lock(int argc, const char **argv, struct bb_options *o)
{
	(void)argc; (void)argv; (void)o;
	msg_error("lock: not yet");
	return EXIT_FAIL;
}
