/* SPDX-License-Identifier: MIT */
#include "cmd.h"
#include "date.h"
#include "fingerprint.h"
#include "msg.h"
#include "pick.h"
#include "report.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const char list_usage[] = "usage: git credential-bbtoken list [--host=HOST]\n";

static void expiry_text(const struct token *t, long long now, struct buf *out)
{
	struct buf day = BUF_INIT;
	long long days;

	buf_set_empty(out);
	if (!t->expires) {
		buf_adds(out, "unknown");
		return;
	}
	date_format_day(t->expires, &day);
	days = date_days_until(t->expires, now);
	if (t->expires <= now)
		buf_addf(out, "EXPIRED %s", day.buf);
	else if (days == 0)
		buf_addf(out, "%s (today)", day.buf);
	else
		buf_addf(out, "%s (in %lld day%s)", day.buf, days, days == 1 ? "" : "s");
	buf_release(&day);
}

/* The columns of one row; every cell is plain text, never a secret. */
enum { COL_LABEL, COL_HOST, COL_KIND, COL_USER, COL_BINDING, COL_EXPIRES,
       COL_STATE, COL_FROM, COL_FP, NR_COLS };

/*
 * Where a token came from: `add`, git's `store` (a prompt answered, or
 * a URL that carried it), or a read-only source such as BBTOKEN_TOKEN.
 */
static const char *token_from(const struct token *t)
{
	if (buf_isset(&t->source))
		return t->source.buf;
	return t->origin == TOKEN_ADDED ? "add" : "git";
}

static void row_cells(const struct token *t, long long now, struct buf *cell)
{
	const char *user = token_git_username(t);

	buf_set(&cell[COL_LABEL], t->label.len ? t->label.buf : "-");
	buf_set(&cell[COL_HOST], buf_str(&t->host));
	buf_set(&cell[COL_KIND], t->kind == BB_KIND_OPAQUE ? "password"
						     : bb_kind_name(t->kind));
	buf_set(&cell[COL_USER], user && *user ? user : "-");
	token_binding(t, &cell[COL_BINDING]);
	if (!cell[COL_BINDING].len)
		buf_set(&cell[COL_BINDING], t->kind == BB_KIND_OPAQUE &&
			t->path.len ? t->path.buf : "-");
	expiry_text(t, now, &cell[COL_EXPIRES]);
	buf_set(&cell[COL_STATE], t->rejected ? "rejected" : "ok");
	buf_set(&cell[COL_FROM], token_from(t));
	/* A password that may be weak gets no hash shown (action-store.c). */
	if (!token_is_bitbucket(t))
		buf_set(&cell[COL_FP], "-");
	else if (fingerprint(t->password.buf, t->password.len, &cell[COL_FP]) < 0)
		buf_set(&cell[COL_FP], "?");
}

static void print_table(const struct token_list *l, long long now)
{
	static const char *const head[NR_COLS] = {
		"LABEL", "HOST", "KIND", "USERNAME", "BINDING", "EXPIRES",
		"STATE", "FROM", "FINGERPRINT"
	};
	struct buf cell[NR_COLS] = { BUF_INIT };
	size_t width[NR_COLS], i;
	int c, show_host = 0;

	for (c = 0; c < NR_COLS; c++) {
		buf_init(&cell[c], 0);
		width[c] = strlen(head[c]);
	}
	for (i = 0; i < l->nr; i++) {
		row_cells(l->v[i], now, cell);
		if (strcmp(cell[COL_HOST].buf, BB_DEFAULT_HOST))
			show_host = 1;
		for (c = 0; c < NR_COLS; c++)
			if (cell[c].len > width[c])
				width[c] = cell[c].len;
	}
	for (c = 0; c < NR_COLS; c++)
		if (c != COL_HOST || show_host)
			printf("%-*s%s", (int)width[c], head[c],
			       c == NR_COLS - 1 ? "\n" : "  ");
	for (i = 0; i < l->nr; i++) {
		row_cells(l->v[i], now, cell);
		for (c = 0; c < NR_COLS; c++)
			if (c != COL_HOST || show_host)
				printf("%-*s%s", c == NR_COLS - 1 ? 0 : (int)width[c],
				       cell[c].buf, c == NR_COLS - 1 ? "\n" : "  ");
	}
	for (c = 0; c < NR_COLS; c++)
		buf_release(&cell[c]);
}

static int by_host_label(const void *a, const void *b)
{
	const struct token *x = *(const struct token *const *)a;
	const struct token *y = *(const struct token *const *)b;
	int r = strcmp(buf_str(&x->host), buf_str(&y->host));

	return r ? r : strcmp(buf_str(&x->label), buf_str(&y->label));
}

int cmd_list(int argc, const char **argv, struct bb_options *o)
{
	const char *host_arg = NULL;
	const struct cmd_opt opts[] = {
		{ "host", &host_arg, NULL },
		{ NULL, NULL, NULL }
	};
	struct token_list all = TOKEN_LIST_INIT;
	struct buf host = BUF_INIT;
	struct store *s = NULL;
	int i, ret;

	(void)o;
	i = cmd_parse(argc, argv, opts, list_usage);
	if (i < 0)
		return i == CMD_HELP ? EXIT_OK : EXIT_USAGE;
	if (i < argc) {
		msg_error("list takes no operand ('%s'); to see one host's "
			  "tokens, use --host=HOST", argv[i]);
		return EXIT_USAGE;
	}
	if (host_arg && cmd_host(host_arg, &host) < 0)
		return EXIT_USAGE;
	if ((ret = cmd_open_tokens(o, host.buf, &s, &all)))
		goto out;
	if (!all.nr) {
		printf("No tokens stored%s%s. Add one with: git credential-bbtoken add\n",
		       host_arg ? " for " : "", host_arg ? host.buf : "");
	} else {
		qsort(all.v, all.nr, sizeof(*all.v), by_host_label);
		print_table(&all, time(NULL));
	}
	cmd_say_store(s, "Tokens are kept");
out:
	token_list_release(&all);
	store_close(s);
	buf_release(&host);
	return ret;
}
