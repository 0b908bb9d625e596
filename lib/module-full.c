/* SPDX-License-Identifier: MIT */
/*
 * bbtoken-full.so's entry table (module-full.h): git's store and erase,
 * the dispatch of every command, and the libsecret store.  The module is
 * linked with libsecret, gio, libcrypto, libcurl and json-c, so that the
 * binary git runs need not be.
 */
#include "module-full.h"
#include "action.h"
#include "cmd.h"
#include "msg.h"

#include <string.h>

static int take_helper_options(int argc, const char **argv,
			       struct bb_options *o);

static int full_command(int argc, const char **argv, struct bb_options *o)
{
	static const struct {
		const char *name;
		int (*fn)(int, const char **, struct bb_options *);
	} table[] = {
		{ "add", cmd_add },
		{ "check", cmd_check },
		{ "doctor", cmd_doctor },
		{ "init", cmd_init },
		{ "list", cmd_list },
		{ "lock", cmd_lock },
		{ "migrate", cmd_migrate },
		{ "move", cmd_move },
		{ "remove", cmd_remove },
		{ "rotate", cmd_rotate },
		{ "setup", cmd_setup },
		{ "unlock", cmd_unlock },
	};
	size_t i;

	if (o->hosts.nr == 1)
		cmd_default_host(o->hosts.v[0]);
	argc = take_helper_options(argc, argv, o);
	if (argc < 0)
		return EXIT_USAGE;
	for (i = 0; i < sizeof(table) / sizeof(*table); i++)
		if (!strcmp(argv[0], table[i].name))
			return table[i].fn(argc, argv, o);
	msg_error("'%s' is not a git credential-bbtoken command", argv[0]);
	return EXIT_USAGE;
}

static const struct bbtoken_full full = {
	action_store,
	action_erase,
	full_command,
	store_secretservice_open,
};

const struct bbtoken_full *bbtoken_full(void)
{
	return &full;
}

/*
 * The helper's own options (--warn-days, --api-url, --store) mean the
 * same after the command word as before it: take them out of argv for
 * o.  --host stays for the command, which reads it as the host to work
 * on; a --host before the word becomes its default (cmd_parse).
 * Returns the new argc, or -1 after a message.
 */
static int take_helper_options(int argc, const char **argv,
			       struct bb_options *o)
{
	int i, w = 1, ret;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--")) {
			while (i < argc)
				argv[w++] = argv[i++];
			break;
		}
		ret = strncmp(argv[i], "--host=", 7) ? options_parse(o, argv[i]) : 0;
		if (ret < 0)
			return -1;
		if (!ret)
			argv[w++] = argv[i];
	}
	argv[w] = NULL;
	return w;
}

