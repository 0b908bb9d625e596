/* SPDX-License-Identifier: MIT */
#include "cmd.h"
#include "msg.h"

int cmd_move(int argc, const char **argv, struct bb_options *o)
{
	(void)argc; (void)argv; (void)o;
	msg_error("move: not yet");
	return EXIT_FAIL;
}
