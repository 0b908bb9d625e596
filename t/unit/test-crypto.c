/* SPDX-License-Identifier: MIT */
/*
 * The file store's cryptography (lib/store/filecrypt.h) against known
 * answers: HKDF-SHA256 against RFC 5869's first test case and against
 * OpenSSL's own HKDF, and AES-256-GCM sealing and opening, with a tag
 * that fails on any flipped byte.  TAP on stdout, for prove.
 */
#include "lib/store/filecrypt.h"

#include <openssl/core_names.h>
#include <openssl/kdf.h>
#include <openssl/params.h>
#include <openssl/rand.h>
#include <stdio.h>
#include <string.h>

static int count, failed;

static void ok(int cond, const char *name)
{
	count++;
	if (!cond)
		failed++;
	printf("%sok %d - %s\n", cond ? "" : "not ", count, name);
}

static int openssl_hkdf(const unsigned char *ikm, size_t ikm_len,
			const unsigned char *salt, size_t salt_len,
			const char *info, unsigned char *out)
{
	EVP_KDF *kdf = EVP_KDF_fetch(NULL, "HKDF", NULL);
	EVP_KDF_CTX *ctx = EVP_KDF_CTX_new(kdf);
	OSSL_PARAM params[] = {
		OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST,
						 (char *)"SHA256", 0),
		OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY,
						  (void *)ikm, ikm_len),
		OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SALT,
						  (void *)salt, salt_len),
		OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO,
						  (void *)info, strlen(info)),
		OSSL_PARAM_construct_end(),
	};
	int ret = EVP_KDF_derive(ctx, out, 32, params) == 1 ? 0 : -1;

	EVP_KDF_CTX_free(ctx);
	EVP_KDF_free(kdf);
	return ret;
}

static void test_hkdf(void)
{
	/* RFC 5869, A.1: the first 32 of its 42 bytes of OKM. */
	static const unsigned char okm[32] = {
		0x3c, 0xb2, 0x5f, 0x25, 0xfa, 0xac, 0xd5, 0x7a, 0x90, 0x43, 0x4f,
		0x64, 0xd0, 0x36, 0x2f, 0x2a, 0x2d, 0x2d, 0x0a, 0x90, 0xcf, 0x1a,
		0x5a, 0x4c, 0x5d, 0xb0, 0x2d, 0x56, 0xec, 0xc4, 0xc5, 0xbf,
	};
	unsigned char ikm[22], salt[13], out[32], want[32];
	unsigned char key[32], rsalt[16];
	int i, same = 1;

	memset(ikm, 0x0b, sizeof(ikm));
	for (i = 0; i < 13; i++)
		salt[i] = (unsigned char)i;
	filecrypt_hkdf(ikm, sizeof(ikm), salt, sizeof(salt),
		       "\xf0\xf1\xf2\xf3\xf4\xf5\xf6\xf7\xf8\xf9", out);
	ok(!memcmp(out, okm, sizeof(okm)), "HKDF-SHA256 gives RFC 5869's A.1");
	for (i = 0; i < 50; i++) {
		RAND_bytes(key, sizeof(key));
		RAND_bytes(rsalt, sizeof(rsalt));
		filecrypt_hkdf(key, sizeof(key), rsalt, i % 2 ? sizeof(rsalt) : 0,
			       "bbtoken file store v1 check", out);
		if (openssl_hkdf(key, sizeof(key), rsalt, i % 2 ? sizeof(rsalt) : 0,
				 "bbtoken file store v1 check", want) ||
		    memcmp(out, want, sizeof(out)))
			same = 0;
	}
	ok(same, "HKDF-SHA256 agrees with OpenSSL's on 50 random keys and salts");
}

static void test_gcm(void)
{
	unsigned char key[32], nonce[12];
	struct buf sealed = BUF_INIT, opened = BUF_INIT;
	static const char aad[] = "header", msg[] = "bbtoken-secret 1\npassword=x\n";
	size_t i;
	int all_fail = 1;

	RAND_bytes(key, sizeof(key));
	RAND_bytes(nonce, sizeof(nonce));
	buf_set_empty(&sealed);
	ok(!filecrypt_seal(key, nonce, aad, sizeof(aad), msg, sizeof(msg), &sealed) &&
	   sealed.len == sizeof(msg) + 16, "AES-256-GCM seals with a 16-byte tag");
	ok(!filecrypt_open(key, nonce, aad, sizeof(aad), sealed.buf, sealed.len,
			   &opened) && opened.len == sizeof(msg) &&
	   !memcmp(opened.buf, msg, sizeof(msg)), "and opens what it sealed");
	for (i = 0; i < sealed.len; i++) {
		sealed.buf[i] ^= 1;
		if (!filecrypt_open(key, nonce, aad, sizeof(aad), sealed.buf,
				    sealed.len, &opened))
			all_fail = 0;
		sealed.buf[i] ^= 1;
	}
	ok(all_fail, "a flipped bit anywhere fails the tag");
	ok(filecrypt_open(key, nonce, "other", 6, sealed.buf, sealed.len, &opened),
	   "other associated data fails the tag");
	buf_release(&sealed);
	buf_release(&opened);
}

int main(void)
{
	test_hkdf();
	test_gcm();
	printf("1..%d\n", count);
	return failed != 0;
}
