/* SPDX-License-Identifier: MIT */
/*
 * git-credential-bbtoken: a git credential helper for Bitbucket Cloud's
 * API tokens.  This file only parses options and dispatches; it links
 * libc alone, so git pays almost nothing for a host that is not ours.
 */
#include "lib/buf.h"
#include "lib/action.h"
#include "lib/module.h"
#include "lib/msg.h"
#include "lib/options.h"
#include "lib/module-full.h"

#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <unistd.h>

#ifndef BBTOKEN_VERSION
#define BBTOKEN_VERSION "0.1.0"
#endif

static const char usage_text[] =
	"usage: git credential-bbtoken [--host=HOST[:PORT]]... [--warn-days=N]\n"
	"                              [--api-url=URL] [--store=STORE] (get|store|erase)\n"
	"   or: git credential-bbtoken add [--host=HOST] [--label=LABEL]\n"
	"                                  [--workspace=W | --repo=W/R] [--expires=DATE]\n"
	"                                  [--username=USER] [--email=EMAIL]\n"
	"                                  [--probe=W/R] [--stdin] [--no-verify]\n"
	"   or: git credential-bbtoken list [--host=HOST]\n"
	"   or: git credential-bbtoken check [--host=HOST] [--json] [--probe=W/R]\n"
	"                                    [LABEL...]\n"
	"   or: git credential-bbtoken rotate [--host=HOST] [--stdin] [--expires=DATE]\n"
	"                                     [--probe=W/R] [--no-verify] [LABEL]\n"
	"   or: git credential-bbtoken rotate --due [--host=HOST]\n"
	"   or: git credential-bbtoken remove [--host=HOST] (LABEL|FINGERPRINT)\n"
	"   or: git credential-bbtoken setup [--unset]\n"
	"   or: git credential-bbtoken doctor [--host=HOST] [--online] [--fix [--yes]]\n"
	"   or: git credential-bbtoken migrate [--host=HOST] [--label=LABEL]\n"
	"                                      [--expires=DATE] [--probe=W/R] [--stdin]\n"
	"   or: git credential-bbtoken init (--passphrase [--stdin] | --key-file[=PATH])\n"
	"   or: git credential-bbtoken unlock [--for=DURATION] [--stdin]\n"
	"   or: git credential-bbtoken lock\n"
	"   or: git credential-bbtoken move --to=(file|secretservice) [--host=HOST]\n"
	"\n"
	"STORE is auto (the default), secretservice or file.\n";

static const char *const commands[] = {
	"add", "check", "doctor", "init", "list", "lock", "migrate", "move",
	"remove", "rotate", "setup", "unlock", NULL
};

/*
 * stdio's buffers see the request and the answer, passwords included.
 * Give them buffers of ours, wiped before exit.
 */
static char stdin_buf[8192], stdout_buf[8192];

static int finish(int ret)
{
	fflush(stdout);
	wipe(stdin_buf, sizeof(stdin_buf));
	wipe(stdout_buf, sizeof(stdout_buf));
	return ret;
}

static int usage(int ret)
{
	fputs(usage_text, ret ? stderr : stdout);
	return ret;
}

static int is_command(const char *name)
{
	size_t i;

	for (i = 0; commands[i]; i++)
		if (!strcmp(commands[i], name))
			return 1;
	return 0;
}

static int run_command(int argc, const char **argv, struct bb_options *o)
{
	const struct bbtoken_full *full = module_full();

	return full ? full->command(argc, argv, o) : EXIT_FAIL;
}

/*
 * A crash must not write the tokens we hold to a core file, nor let
 * another process of the user read our memory through ptrace or /proc:
 * an aborted `add` once left the token, and twice its base64 header, in
 * a core dump.  First thing, before any secret is read.
 */
static void no_core_dumps(void)
{
	struct rlimit none = { 0, 0 };

	setrlimit(RLIMIT_CORE, &none);
	prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
}

int main(int argc, const char **argv)
{
	struct bb_options opts;
	const char *cmd;
	int i, ret;

	no_core_dumps();
	setvbuf(stdin, stdin_buf, _IOFBF, sizeof(stdin_buf));
	setvbuf(stdout, stdout_buf, _IOFBF, sizeof(stdout_buf));
	options_init(&opts);
	for (i = 1; i < argc && argv[i][0] == '-'; i++) {
		const char *arg = argv[i];

		if (!strcmp(arg, "--")) {
			i++;
			break;
		}
		if (!strcmp(arg, "-h") || !strcmp(arg, "--help"))
			return finish(usage(EXIT_OK));
		if (!strcmp(arg, "--version")) {
			printf("git-credential-bbtoken version %s\n", BBTOKEN_VERSION);
			return finish(EXIT_OK);
		}
		ret = options_parse(&opts, arg);
		if (ret < 0)
			return finish(EXIT_USAGE);
		if (!ret) {
			msg_error("unknown option '%s'", arg);
			return finish(usage(EXIT_USAGE));
		}
	}
	if (i >= argc)
		return finish(usage(EXIT_USAGE));

	cmd = argv[i];
	if (!strcmp(cmd, "get") || !strcmp(cmd, "store") || !strcmp(cmd, "erase"))
		ret = action_run(cmd, &opts);
	else if (is_command(cmd))
		ret = run_command(argc - i, argv + i, &opts);
	else if (isatty(0)) {
		/* A person typed it: a typo deserves the usage. */
		msg_error("'%s' is not a git credential-bbtoken command", cmd);
		ret = usage(EXIT_USAGE);
	} else {
		/* A newer git's action: git-credential(1) says stay silent. */
		ret = EXIT_OK;
	}
	options_release(&opts);
	return finish(ret);
}
