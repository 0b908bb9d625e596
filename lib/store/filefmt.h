/* SPDX-License-Identifier: MIT */
#ifndef BBTOKEN_STORE_FILEFMT_H
#define BBTOKEN_STORE_FILEFMT_H

#include "../buf.h"

#include <stddef.h>

/*
 * The encrypted file store's bytes on disk, version 1.  Pure encoding
 * and decoding: no I/O and no cryptography here (filecrypt.h does that),
 * so that both parsers are fuzz targets (t/fuzz/fuzz-filestore.c).
 *
 * The file `tokens` is a header, then the AES-256-GCM ciphertext of the
 * records, then the 16-byte GCM tag.  Integers are big-endian.
 *
 *   off  len  field
 *     0    8  magic "BBTOKFS\n"
 *     8    1  version, 1
 *     9    1  key mode: 1 passphrase, 2 key file
 *    10    1  KDF: 1 scrypt (passphrase mode), 0 none (key-file mode)
 *    11    1  scrypt log2(N), 10..22 (0 in key-file mode)
 *    12    4  scrypt r, 1..32 (0 in key-file mode)
 *    16    4  scrypt p, 1..16 (0 in key-file mode)
 *    20   16  salt: random, made with the store, for scrypt and HKDF
 *    36   16  store id: random, made with the store; names the cached
 *             key in the kernel keyring ("bbtoken:" and 32 hex digits)
 *    52   32  key check value: HKDF-SHA256 of the master key (see
 *             filecrypt.h), which tells a wrong passphrase or key file
 *             from a damaged file without trying to decrypt
 *    84    2  L, the length of the key file path (0 in passphrase mode)
 *    86    L  the key file's absolute path, no NUL, at most 4096 bytes
 *  86+L   12  GCM nonce: fresh random bytes on every write
 *  98+L    .  ciphertext, then the 16-byte tag
 *
 * The whole header, nonce included, is the GCM additional data: a
 * changed byte anywhere in the file fails authentication.
 *
 * The plaintext is the magic "BBR1", then any number of records, each
 *
 *   16  id: lowercase hex digits, unique within the file
 *    4  payload length, at most FILEFMT_PAYLOAD_MAX
 *    n  payload: token_encode() output (lib/token.h)
 *
 * A reader of version 1 refuses any other version rather than guess.
 */
#define FILEFMT_MAGIC "BBTOKFS\n"
#define FILEFMT_MAGIC_LEN 8
#define FILEFMT_VERSION 1

#define FILEFMT_MODE_PASSPHRASE 1
#define FILEFMT_MODE_KEYFILE 2
#define FILEFMT_KDF_NONE 0
#define FILEFMT_KDF_SCRYPT 1

#define FILEFMT_SALT_LEN 16
#define FILEFMT_ID_LEN 16	/* bytes of the store id */
#define FILEFMT_CHECK_LEN 32
#define FILEFMT_NONCE_LEN 12
#define FILEFMT_TAG_LEN 16
#define FILEFMT_PATH_MAX 4096
/* The fixed part of the header, before the key file path. */
#define FILEFMT_FIXED_LEN 86

#define FILEFMT_RECORDS_MAGIC "BBR1"
#define FILEFMT_RECORDS_MAGIC_LEN 4
#define FILEFMT_RECORD_ID_LEN 16	/* hex digits of a record id */
#define FILEFMT_PAYLOAD_MAX (64 * 1024)
/* Far more tokens than anyone keeps; bounds the check for unique ids. */
#define FILEFMT_RECORDS_MAX 4096
/* No store of ours grows near this; a bigger file is not one. */
#define FILEFMT_FILE_MAX (16 * 1024 * 1024)

struct filefmt_header {
	unsigned mode, kdf, log2_n;
	unsigned long r, p;
	unsigned char salt[FILEFMT_SALT_LEN];
	unsigned char id[FILEFMT_ID_LEN];
	unsigned char check[FILEFMT_CHECK_LEN];
	char keyfile[FILEFMT_PATH_MAX + 1];	/* NUL-terminated; "" unless key file */
	size_t keyfile_len;
	unsigned char nonce[FILEFMT_NONCE_LEN];
	size_t len;	/* bytes of header, nonce included: the additional data */
};

/* What filefmt_header_decode says of bytes that are not a valid header. */
enum filefmt_err {
	FILEFMT_OK = 0,
	FILEFMT_NOT_OURS = -1,	/* no magic: not a file store at all */
	FILEFMT_VERSION_NEW = -2, /* a version this build does not know */
	FILEFMT_MALFORMED = -3	/* cut short, or a field out of range */
};

/*
 * Append h's header (h->len is ignored) to out; -1 when a field is out
 * of range.  The header is small: it never meets out's cap.
 */
int filefmt_header_encode(const struct filefmt_header *h, struct buf *out);
/*
 * Parse the header at the start of data into h, h->len set to its
 * length; at least a tag's worth of bytes must follow.  Returns
 * FILEFMT_OK or a filefmt_err.
 */
int filefmt_header_decode(struct filefmt_header *h, const unsigned char *data,
			  size_t len);

/* One record, pointing into the plaintext it was decoded from. */
struct filefmt_record {
	char id[FILEFMT_RECORD_ID_LEN + 1];
	const char *payload;
	size_t len;
};

/* Start a plaintext in out (emptied first). */
void filefmt_records_begin(struct buf *out);
/*
 * Append one record; -1 when id is not 16 hex digits, the payload is too
 * long, or the record would pass out's cap (out then ends in a part of
 * it, to be thrown away).
 */
int filefmt_record_add(struct buf *out, const char *id, const char *payload,
		       size_t len);
/*
 * Walk the records of a plaintext: *pos starts at 0.  Returns 1 with *r
 * filled, 0 after the last one, -1 when the plaintext is malformed.
 */
int filefmt_record_next(const char *data, size_t len, size_t *pos,
			struct filefmt_record *r);
/*
 * Is the whole plaintext well-formed, with unique ids and at most
 * FILEFMT_RECORDS_MAX records?  0 or -1.
 */
int filefmt_records_check(const char *data, size_t len);

/* Is s exactly FILEFMT_RECORD_ID_LEN lowercase hex digits? */
int filefmt_id_ok(const char *s, size_t len);

#endif
