/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target: Bitbucket's answers, as api_explain reads them.  Built
 * from lib/api-explain.c and lib/api-text.c alone: no libcurl (ldd).
 */
#include "lib/api-explain.h"

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	static const long statuses[] = { 200, 401, 403, 404, 410, 429, 500 };
	static const char *const types[] = { "application/json", "text/plain" };
	struct api_result r;
	size_t i;

	for (i = 0; i < sizeof(statuses) / sizeof(*statuses); i++) {
		api_result_init(&r);
		api_explain(statuses[i], types[i % 2], (const char *)data, len,
			    i % 3 ? "read:repository:bitbucket" : NULL,
			    i % 2 ? "write:repository:bitbucket" : NULL,
			    i % 4 ? "api_token" : NULL,
			    "read:repository:bitbucket, write:repository:bitbucket",
			    &r);
		api_result_release(&r);
	}
	return 0;
}
