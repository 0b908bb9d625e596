/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target: the small parsers of Bitbucket's rules and of dates,
 * fed the same bytes: url=, host, path, token kind and checksum, dates.
 */
#include "lib/bitbucket.h"
#include "lib/credential.h"
#include "lib/date.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	struct buf ws = BUF_INIT, repo = BUF_INIT, canon = BUF_INIT;
	struct credential c;
	char *s = malloc(len + 1);
	long long t;

	if (!s)
		return 0;
	memcpy(s, data, len);
	s[len] = '\0';

	credential_init(&c);
	credential_from_url(&c, (const char *)data, len);
	credential_release(&c);

	if (!bb_host_canonical(s, &canon) && !canon.len)
		__builtin_trap();
	bb_host_allowed(NULL, "https", s);
	if (!bb_parse_path(s, &ws, &repo) &&
	    (!bb_slug_ok(ws.buf) || !bb_slug_ok(repo.buf)))
		__builtin_trap();
	bb_token_kind(s, len);
	bb_token_checksum_ok(s, len);
	bb_is_email(s);
	if (!date_parse(s, &t))
		date_format_iso(t, &canon);

	buf_release(&ws);
	buf_release(&repo);
	buf_release(&canon);
	free(s);
	return 0;
}
