/* SPDX-License-Identifier: MIT */
/* The file store's header and records (filefmt.h): bytes only. */
#include "filefmt.h"

#include <string.h>

static void put_u16(unsigned char *p, unsigned long v)
{
	p[0] = (v >> 8) & 0xff;
	p[1] = v & 0xff;
}

static void put_u32(unsigned char *p, unsigned long v)
{
	p[0] = (v >> 24) & 0xff;
	p[1] = (v >> 16) & 0xff;
	p[2] = (v >> 8) & 0xff;
	p[3] = v & 0xff;
}

static unsigned long get_u16(const unsigned char *p)
{
	return (unsigned long)p[0] << 8 | p[1];
}

static unsigned long get_u32(const unsigned char *p)
{
	return (unsigned long)p[0] << 24 | (unsigned long)p[1] << 16 |
	       (unsigned long)p[2] << 8 | p[3];
}

/* The fields that depend on the key mode: one rule for both directions. */
static int params_ok(const struct filefmt_header *h)
{
	if (h->mode == FILEFMT_MODE_PASSPHRASE)
		return h->kdf == FILEFMT_KDF_SCRYPT && h->log2_n >= 10 &&
		       h->log2_n <= 22 && h->r >= 1 && h->r <= 32 &&
		       h->p >= 1 && h->p <= 16 && !h->keyfile_len;
	if (h->mode == FILEFMT_MODE_KEYFILE)
		return h->kdf == FILEFMT_KDF_NONE && !h->log2_n && !h->r &&
		       !h->p && h->keyfile_len && h->keyfile[0] == '/' &&
		       h->keyfile_len <= FILEFMT_PATH_MAX &&
		       !memchr(h->keyfile, '\0', h->keyfile_len);
	return 0;
}

int filefmt_header_encode(const struct filefmt_header *h, struct buf *out)
{
	unsigned char fixed[FILEFMT_FIXED_LEN];

	if (!params_ok(h))
		return -1;
	memcpy(fixed, FILEFMT_MAGIC, FILEFMT_MAGIC_LEN);
	fixed[8] = FILEFMT_VERSION;
	fixed[9] = h->mode;
	fixed[10] = h->kdf;
	fixed[11] = h->log2_n;
	put_u32(fixed + 12, h->r);
	put_u32(fixed + 16, h->p);
	memcpy(fixed + 20, h->salt, FILEFMT_SALT_LEN);
	memcpy(fixed + 36, h->id, FILEFMT_ID_LEN);
	memcpy(fixed + 52, h->check, FILEFMT_CHECK_LEN);
	put_u16(fixed + 84, h->keyfile_len);
	/* Under FILEFMT_FIXED_LEN + FILEFMT_PATH_MAX + a nonce: text we make. */
	buf_add(out, fixed, sizeof(fixed));
	buf_add(out, h->keyfile, h->keyfile_len);
	buf_add(out, h->nonce, FILEFMT_NONCE_LEN);
	return 0;
}

int filefmt_header_decode(struct filefmt_header *h, const unsigned char *data,
			  size_t len)
{
	memset(h, 0, sizeof(*h));
	if (len < FILEFMT_MAGIC_LEN ||
	    memcmp(data, FILEFMT_MAGIC, FILEFMT_MAGIC_LEN))
		return FILEFMT_NOT_OURS;
	if (len < FILEFMT_FIXED_LEN)
		return FILEFMT_MALFORMED;
	if (data[8] != FILEFMT_VERSION)
		return data[8] > FILEFMT_VERSION ? FILEFMT_VERSION_NEW
						 : FILEFMT_MALFORMED;
	h->mode = data[9];
	h->kdf = data[10];
	h->log2_n = data[11];
	h->r = get_u32(data + 12);
	h->p = get_u32(data + 16);
	memcpy(h->salt, data + 20, FILEFMT_SALT_LEN);
	memcpy(h->id, data + 36, FILEFMT_ID_LEN);
	memcpy(h->check, data + 52, FILEFMT_CHECK_LEN);
	h->keyfile_len = get_u16(data + 84);
	if (h->keyfile_len > FILEFMT_PATH_MAX ||
	    len - FILEFMT_FIXED_LEN < h->keyfile_len + FILEFMT_NONCE_LEN +
	    FILEFMT_TAG_LEN)
		return FILEFMT_MALFORMED;
	memcpy(h->keyfile, data + FILEFMT_FIXED_LEN, h->keyfile_len);
	h->keyfile[h->keyfile_len] = '\0';
	memcpy(h->nonce, data + FILEFMT_FIXED_LEN + h->keyfile_len,
	       FILEFMT_NONCE_LEN);
	h->len = FILEFMT_FIXED_LEN + h->keyfile_len + FILEFMT_NONCE_LEN;
	return params_ok(h) ? FILEFMT_OK : FILEFMT_MALFORMED;
}

int filefmt_id_ok(const char *s, size_t len)
{
	size_t i;

	if (len != FILEFMT_RECORD_ID_LEN)
		return 0;
	for (i = 0; i < len; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return 0;
	return 1;
}

void filefmt_records_begin(struct buf *out)
{
	buf_setn(out, FILEFMT_RECORDS_MAGIC, FILEFMT_RECORDS_MAGIC_LEN);
}

int filefmt_record_add(struct buf *out, const char *id, const char *payload,
		       size_t len)
{
	unsigned char head[FILEFMT_RECORD_ID_LEN + 4];

	if (!filefmt_id_ok(id, strlen(id)) || len > FILEFMT_PAYLOAD_MAX)
		return -1;
	memcpy(head, id, FILEFMT_RECORD_ID_LEN);
	put_u32(head + FILEFMT_RECORD_ID_LEN, len);
	/*
	 * FILEFMT_RECORDS_MAX payloads of FILEFMT_PAYLOAD_MAX would pass
	 * FILEFMT_FILE_MAX: the tokens people store can fill the cap, which
	 * is then refused and told, not fatal.
	 */
	if (buf_try_add(out, head, sizeof(head)) < 0 ||
	    buf_try_add(out, payload, len) < 0)
		return -1;
	return 0;
}

int filefmt_record_next(const char *data, size_t len, size_t *pos,
			struct filefmt_record *r)
{
	const unsigned char *u = (const unsigned char *)data;
	unsigned long n;

	if (!*pos) {
		if (len < FILEFMT_RECORDS_MAGIC_LEN ||
		    memcmp(data, FILEFMT_RECORDS_MAGIC, FILEFMT_RECORDS_MAGIC_LEN))
			return -1;
		*pos = FILEFMT_RECORDS_MAGIC_LEN;
	}
	if (*pos == len)
		return 0;
	if (*pos > len || len - *pos < FILEFMT_RECORD_ID_LEN + 4)
		return -1;
	if (!filefmt_id_ok(data + *pos, FILEFMT_RECORD_ID_LEN))
		return -1;
	n = get_u32(u + *pos + FILEFMT_RECORD_ID_LEN);
	if (n > FILEFMT_PAYLOAD_MAX ||
	    n > len - *pos - FILEFMT_RECORD_ID_LEN - 4)
		return -1;
	memcpy(r->id, data + *pos, FILEFMT_RECORD_ID_LEN);
	r->id[FILEFMT_RECORD_ID_LEN] = '\0';
	r->payload = data + *pos + FILEFMT_RECORD_ID_LEN + 4;
	r->len = n;
	*pos += FILEFMT_RECORD_ID_LEN + 4 + n;
	return 1;
}

/* Does an earlier record than the one at end carry id? */
static int seen_before(const char *data, size_t len, size_t end, const char *id)
{
	struct filefmt_record r;
	size_t pos = 0;

	while (pos < end && filefmt_record_next(data, len, &pos, &r) == 1)
		if (pos < end && !strcmp(r.id, id))
			return 1;
	return 0;
}

int filefmt_records_check(const char *data, size_t len)
{
	struct filefmt_record r;
	size_t pos = 0, nr = 0;
	int ret;

	while ((ret = filefmt_record_next(data, len, &pos, &r)) == 1)
		if (++nr > FILEFMT_RECORDS_MAX || seen_before(data, len, pos, r.id))
			return -1;
	return ret;
}
