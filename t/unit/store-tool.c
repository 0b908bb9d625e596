/* SPDX-License-Identifier: MIT */
/*
 * A test's hands inside a store, through the one door (store_open), for
 * states no command makes on purpose:
 *
 *   store-tool KIND put    a token from a payload on stdin (lib/token.h's
 *                          format), stored as it is: an expired token, a
 *                          field an older version wrote
 *
 * KIND is auto, secretservice or file.  Exit 0 on success, 1 on failure
 * with the store's detail on stderr.  Not installed: tests only.
 */
#include "../../lib/store.h"

#include <stdio.h>
#include <string.h>

static int put(struct store *s)
{
	struct buf in = BUF_INIT;
	struct token *t = token_new();
	char chunk[4096];
	size_t n;
	int err;

	while ((n = fread(chunk, 1, sizeof(chunk), stdin)) > 0)
		if (buf_try_add(&in, chunk, n) < 0) {
			fprintf(stderr, "store-tool: stdin is over 1 MiB, "
				"larger than any token payload\n");
			buf_release(&in);
			token_free(t);
			return 1;
		}
	if (!in.buf || token_decode(t, in.buf, in.len)) {
		fprintf(stderr, "store-tool: stdin is not a token payload\n");
		buf_release(&in);
		token_free(t);
		return 1;
	}
	buf_release(&in);
	err = store_put(s, t);
	token_free(t);
	if (err) {
		fprintf(stderr, "store-tool: %s (%s)\n", store_strerror(err),
			buf_str(&s->detail));
		return 1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct store_config c = { 0 };
	struct store *s = NULL;
	int ret;

	if (argc != 3 || store_kind_parse(argv[1], &c.kind) < 0 ||
	    strcmp(argv[2], "put")) {
		fprintf(stderr, "usage: store-tool (auto|secretservice|file) put\n");
		return 2;
	}
	if (store_open(&s, &c)) {
		fprintf(stderr, "store-tool: %s\n", buf_str(&s->detail));
		return 1;
	}
	ret = put(s);
	store_close(s);
	return ret;
}
