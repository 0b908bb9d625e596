/* SPDX-License-Identifier: MIT */
#ifndef BBTOKEN_STORE_FILECRYPT_H
#define BBTOKEN_STORE_FILECRYPT_H

#include "../buf.h"

#include <stddef.h>

/*
 * The file store's cryptography, on OpenSSL (EVP for AES-GCM, scrypt and
 * the DRBG; SHA-256's own functions for HKDF, see filecrypt.c):
 *
 *   master key   scrypt(passphrase, salt, N, r, p), or the 32 bytes of
 *                the key file
 *   subkeys      HKDF-SHA256(master, salt, info): the AES-256-GCM key
 *                (info "bbtoken file store v1 encryption") and the key
 *                check value kept in the header (info "... check")
 *
 * The check value is one-way: it tells a wrong key without decrypting,
 * and gives nothing towards the encryption key.  Every function returns
 * 0, or -1 (OpenSSL failed, or for filecrypt_open the tag did not
 * authenticate); keys given and made are the caller's to wipe.
 */
#define FILECRYPT_KEY_LEN 32

/* Fill p with n random bytes (RAND_bytes). */
int filecrypt_random(void *p, size_t n);

int filecrypt_scrypt(const char *pass, size_t len, const unsigned char *salt,
		     size_t salt_len, unsigned log2_n, unsigned long r,
		     unsigned long p, unsigned char master[FILECRYPT_KEY_LEN]);

/* HKDF-SHA256 (RFC 5869) of one block; an empty salt is HashLen zeros. */
int filecrypt_hkdf(const unsigned char *ikm, size_t ikm_len,
		   const unsigned char *salt, size_t salt_len,
		   const char *info, unsigned char out[FILECRYPT_KEY_LEN]);

int filecrypt_subkeys(const unsigned char master[FILECRYPT_KEY_LEN],
		      const unsigned char *salt, size_t salt_len,
		      unsigned char enc[FILECRYPT_KEY_LEN],
		      unsigned char check[FILECRYPT_KEY_LEN]);

/* Do two check values agree, in constant time?  1 when they do. */
int filecrypt_check_eq(const unsigned char *a, const unsigned char *b);

/*
 * Append the ciphertext of pt and the 16-byte tag to out; -1 also when
 * they would pass out's cap (out then as it was).
 */
int filecrypt_seal(const unsigned char key[FILECRYPT_KEY_LEN],
		   const unsigned char *nonce, const void *aad, size_t aad_len,
		   const void *pt, size_t pt_len, struct buf *out);

/*
 * Decrypt ct (ciphertext and tag) into out, replacing what it held;
 * -1 and out emptied when the tag does not authenticate or the
 * plaintext would pass out's cap.
 */
int filecrypt_open(const unsigned char key[FILECRYPT_KEY_LEN],
		   const unsigned char *nonce, const void *aad, size_t aad_len,
		   const void *ct, size_t ct_len, struct buf *out);

#endif
