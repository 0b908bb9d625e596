/* SPDX-License-Identifier: MIT */
/* libFuzzer target: the payload inside a keyring item's secret. */
#include "lib/token.h"

#include <stddef.h>
#include <stdint.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	struct token t, u;
	struct buf out = BUF_INIT;

	token_init(&t);
	token_init(&u);
	if (!token_decode(&t, (const char *)data, len)) {
		/* Whatever decodes must encode, and decode to the same secret. */
		if (token_encode(&t, &out) || token_decode(&u, out.buf, out.len) ||
		    !buf_eq(&u.password, t.password.buf) ||
		    u.expires != t.expires || u.kind != t.kind)
			__builtin_trap();
	}
	buf_release(&out);
	token_release(&t);
	token_release(&u);
	return 0;
}
