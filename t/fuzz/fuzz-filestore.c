/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target: the file store's header and record parsers
 * (lib/store/filefmt.h).  The first byte picks which; whatever parses
 * must encode back to the very bytes it came from.
 */
#include "lib/store/filefmt.h"

#include <stddef.h>
#include <stdint.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len);

static void header(const uint8_t *data, size_t len)
{
	static struct filefmt_header h;
	struct buf out = BUF_INIT;

	if (filefmt_header_decode(&h, data, len) == FILEFMT_OK) {
		if (h.len > len || filefmt_header_encode(&h, &out) ||
		    out.len != h.len || memcmp(out.buf, data, h.len))
			__builtin_trap();
	}
	buf_release(&out);
}

static void records(const char *data, size_t len)
{
	struct filefmt_record r;
	struct buf out = BUF_INIT;
	size_t pos = 0;
	int ret;

	if (filefmt_records_check(data, len))
		return;
	filefmt_records_begin(&out);
	while ((ret = filefmt_record_next(data, len, &pos, &r)) == 1)
		if (filefmt_record_add(&out, r.id, r.payload, r.len))
			__builtin_trap();
	if (ret || out.len != len || memcmp(out.buf, data, len))
		__builtin_trap();
	buf_release(&out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	if (!len)
		return 0;
	if (data[0] & 1)
		header(data + 1, len - 1);
	else
		records((const char *)data + 1, len - 1);
	return 0;
}
