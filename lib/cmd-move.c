/* SPDX-License-Identifier: MIT */
/*
 * `move --to=file|secretservice`: carry every token from one store to the
 * other, as when a laptop's tokens go to a server, or a machine that
 * fell back to the file store gets a keyring.  Each token is deleted from
 * the store it leaves only once its copy has been read back from the
 * store it went to, secret and all, so that no failure on the way loses
 * a token: the worst case is a token in both stores.
 */
#include "cmd.h"
#include "msg.h"
#include "report.h"

#include <stdio.h>
#include <string.h>

static const char move_usage[] =
	"usage: git credential-bbtoken move --to=(file|secretservice) [--host=HOST]\n";

static int open_kind(enum store_kind kind, struct store **s,
		     struct token_list *all)
{
	struct store_config c = { .kind = kind, .flags = cmd_store_flags() };
	int err = store_open(s, &c);

	if (!err)
		err = store_list(*s, all);
	if (err) {
		report_store_error(*s, err);
		return EXIT_KEYRING;
	}
	return EXIT_OK;
}

/* The token of all with t's secret on t's host, if any. */
static struct token *same_token(const struct token_list *all,
				const struct token *t)
{
	size_t i;

	for (i = 0; i < all->nr; i++) {
		const struct token *u = all->v[i];

		if (!buf_isset(&u->source) && buf_eq(&u->host, t->host.buf) &&
		    buf_eq(&u->label, buf_str(&t->label)) &&
		    secret_eq(u->password.buf, u->password.len,
			      t->password.buf, t->password.len))
			return all->v[i];
	}
	return NULL;
}

/* Copy t into dst unless it is there already; 0, or an exit code. */
static int copy_one(struct store *dst, const struct token *t)
{
	struct token_list there = TOKEN_LIST_INIT;
	struct token copy;
	int err;

	token_init(&copy);
	token_copy(&copy, t);
	buf_release(&copy.id);
	err = store_put(dst, &copy);
	token_release(&copy);
	if (!err)
		err = store_find(dst, t->host.buf, &there);
	if (!err && !same_token(&there, t)) {
		store_set_detail(dst, "the copy did not read back");
		err = STORE_ERR_FAILED;
	}
	token_list_release(&there);
	if (err) {
		report_store_error(dst, err);
		return EXIT_KEYRING;
	}
	return EXIT_OK;
}

int cmd_move(int argc, const char **argv, struct bb_options *o)
{
	const char *to_arg = NULL, *host_arg = NULL;
	const struct cmd_opt opts[] = {
		{ "to", &to_arg, NULL },
		{ "host", &host_arg, NULL },
		{ NULL, NULL, NULL }
	};
	struct token_list from_all = TOKEN_LIST_INIT, to_all = TOKEN_LIST_INIT;
	struct store *from = NULL, *to = NULL;
	struct buf host = BUF_INIT;
	enum store_kind to_kind;
	size_t i, moved = 0;
	int n, ret, err;

	(void)o;
	n = cmd_parse(argc, argv, opts, move_usage);
	if (n < 0)
		return n == CMD_HELP ? EXIT_OK : EXIT_USAGE;
	if (n < argc) {
		msg_error("move takes no operand ('%s'); it moves every token, "
			  "or one host's with --host=HOST", argv[n]);
		return EXIT_USAGE;
	}
	if (!to_arg || store_kind_parse(to_arg, &to_kind) < 0 ||
	    to_kind == STORE_AUTO) {
		msg_error("say where the tokens go: --to=file or --to=secretservice");
		fputs(move_usage, stderr);
		return EXIT_USAGE;
	}
	if (host_arg && cmd_host(host_arg, &host) < 0)
		return EXIT_USAGE;
	if ((ret = open_kind(to_kind == STORE_FILE ? STORE_SECRETSERVICE : STORE_FILE,
			     &from, &from_all)) ||
	    (ret = open_kind(to_kind, &to, &to_all)))
		goto out;
	for (i = 0; i < from_all.nr; i++) {
		const struct token *t = from_all.v[i];

		if (buf_isset(&t->source) || (host.buf && !buf_eq(&t->host, host.buf)))
			continue;
		if (!same_token(&to_all, t) && (ret = copy_one(to, t)))
			break;
		if ((err = store_remove(from, t))) {
			report_store_error(from, err);
			ret = EXIT_KEYRING;
			break;
		}
		printf("Moved %s '%s' for %s.\n", bb_kind_label(t->kind),
		       buf_str(&t->label), buf_str(&t->host));
		moved++;
	}
	if (to->note.len)
		msg_note("%s", to->note.buf);
	if (!ret)
		printf("%zu token%s moved from %s to %s.\n", moved,
		       moved == 1 ? "" : "s", buf_str(&from->where),
		       buf_str(&to->where));
out:
	token_list_release(&from_all);
	token_list_release(&to_all);
	store_close(from);
	store_close(to);
	buf_release(&host);
	return ret;
}
