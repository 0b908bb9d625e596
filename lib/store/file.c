/* SPDX-License-Identifier: MIT */
/* STUB: being written; see store.h and file.h. */
#include "../store.h"

int store_file_open(struct store **out, int flags)
{
	*out = store_new(NULL, NULL, flags);
	store_set_detail(*out, "the file store is not built yet");
	return STORE_ERR_FAILED;
}
