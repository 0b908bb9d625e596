/* SPDX-License-Identifier: MIT */
#include "fingerprint.h"

#include <openssl/evp.h>

int fingerprint(const char *secret, size_t len, struct buf *out)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	int i;

	buf_release(out);
	if (!EVP_Digest(secret, len, md, &mdlen, EVP_sha256(), NULL) ||
	    mdlen < FINGERPRINT_LEN / 2)
		return -1;
	buf_set_empty(out);
	for (i = 0; i < FINGERPRINT_LEN / 2; i++)
		buf_addf(out, "%02x", md[i]);
	wipe(md, sizeof(md));
	return 0;
}
