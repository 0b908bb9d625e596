/* SPDX-License-Identifier: MIT */
#include "cmd.h"
#include "fingerprint.h"
#include "msg.h"
#include "report.h"

#include <stdio.h>

static const char remove_usage[] =
	"usage: git credential-bbtoken remove [--host=HOST] (LABEL|FINGERPRINT)\n";

int cmd_remove(int argc, const char **argv, struct bb_options *o)
{
	const char *host_arg = NULL;
	const struct cmd_opt opts[] = {
		{ "host", &host_arg, NULL },
		{ NULL, NULL, NULL }
	};
	struct token_list all = TOKEN_LIST_INIT;
	struct buf host = BUF_INIT, fp = BUF_INIT;
	struct store *s = NULL;
	struct token *t;
	int i, ret, err;

	(void)o;
	i = cmd_parse(argc, argv, opts, remove_usage);
	if (i < 0)
		return i == CMD_HELP ? EXIT_OK : EXIT_USAGE;
	if (argc - i != 1) {
		msg_error("remove takes one LABEL or FINGERPRINT, as shown by "
			  "`git credential-bbtoken list`");
		return EXIT_USAGE;
	}
	if (host_arg && cmd_host(host_arg, &host) < 0)
		return EXIT_USAGE;
	if ((ret = cmd_open_named(o, argv[i], host.buf, &s, &all, &t)))
		goto out;
	if ((err = store_remove(s, t))) {
		report_store_error(s, err);
		ret = EXIT_KEYRING;
		goto out;
	}
	fingerprint(t->password.buf, t->password.len, &fp);
	printf("Removed %s '%s' for %s (fingerprint %s).\n", bb_kind_label(t->kind),
	       buf_str(&t->label), buf_str(&t->host), buf_str(&fp));
out:
	token_list_release(&all);
	store_close(s);
	buf_release(&host);
	buf_release(&fp);
	return ret;
}
