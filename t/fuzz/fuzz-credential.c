/* SPDX-License-Identifier: MIT */
/* libFuzzer target: git's protocol as git-credential-bbtoken reads it. */
#include "lib/credential.h"

#include <stddef.h>
#include <stdint.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	struct credential c;
	long long expiry;

	credential_init(&c);
	if (!credential_parse(&c, (const char *)data, len)) {
		/* What was accepted must be safe to write back. */
		if ((buf_isset(&c.username) &&
		     !credential_value_ok(c.username.buf, c.username.len)) ||
		    (buf_isset(&c.host) &&
		     !credential_value_ok(c.host.buf, c.host.len)))
			__builtin_trap();
		credential_expiry(&c, &expiry);
	}
	credential_release(&c);
	return 0;
}
