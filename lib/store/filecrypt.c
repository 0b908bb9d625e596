/* SPDX-License-Identifier: MIT */
/* AES-256-GCM, scrypt and HKDF for the file store (filecrypt.h). */
/* SHA256_Init and kin, deprecated in OpenSSL 3 for EVP: see hmac_sha256. */
#define OPENSSL_SUPPRESS_DEPRECATED
#include "filecrypt.h"
#include "filefmt.h"

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/params.h>
#include <openssl/rand.h>
#include <openssl/sha.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/*
 * OpenSSL reads openssl.cnf and fills its table of legacy names on first
 * use unless told not to: over 1 ms of a `get` that must stay near git's
 * own plain-text store.  What we use (AES-256-GCM, scrypt, the DRBG)
 * comes from the default provider by name, which needs neither.
 */
static void ready(void)
{
	static int done;

	if (!done) {
		OPENSSL_init_crypto(OPENSSL_INIT_NO_LOAD_CONFIG |
				    OPENSSL_INIT_NO_ADD_ALL_CIPHERS |
				    OPENSSL_INIT_NO_ADD_ALL_DIGESTS, NULL);
		done = 1;
	}
}

int filecrypt_random(void *p, size_t n)
{
	ready();
	return RAND_bytes(p, (int)n) == 1 ? 0 : -1;
}

static int derive(const char *name, OSSL_PARAM *params, unsigned char *out,
		  size_t len)
{
	EVP_KDF *kdf;
	EVP_KDF_CTX *ctx;
	int ok;

	ready();
	kdf = EVP_KDF_fetch(NULL, name, NULL);
	ctx = kdf ? EVP_KDF_CTX_new(kdf) : NULL;
	ok = ctx && EVP_KDF_derive(ctx, out, len, params) == 1;

	EVP_KDF_CTX_free(ctx);
	EVP_KDF_free(kdf);
	return ok ? 0 : -1;
}

int filecrypt_scrypt(const char *pass, size_t len, const unsigned char *salt,
		     size_t salt_len, unsigned log2_n, unsigned long r,
		     unsigned long p, unsigned char master[FILECRYPT_KEY_LEN])
{
	uint64_t n = (uint64_t)1 << log2_n;
	uint32_t r32 = (uint32_t)r, p32 = (uint32_t)p;
	OSSL_PARAM params[] = {
		OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_PASSWORD,
						  (void *)pass, len),
		OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SALT,
						  (void *)salt, salt_len),
		OSSL_PARAM_construct_uint64(OSSL_KDF_PARAM_SCRYPT_N, &n),
		OSSL_PARAM_construct_uint32(OSSL_KDF_PARAM_SCRYPT_R, &r32),
		OSSL_PARAM_construct_uint32(OSSL_KDF_PARAM_SCRYPT_P, &p32),
		OSSL_PARAM_construct_end(),
	};

	return derive("SCRYPT", params, master, FILECRYPT_KEY_LEN);
}

/*
 * HMAC-SHA256 (RFC 2104) on SHA-256's own functions.  EVP's HKDF would
 * do the same sums, but fetching it builds OpenSSL's method store for
 * KDFs: a quarter of what a file-store `get` cost (the budget is twice
 * git's plain-text store; docs/internals/get-path.md).  SHA-256 itself has no
 * secret-dependent lookups, so the low-level functions are safe here.
 */
static void hmac_sha256(const unsigned char *key, size_t key_len,
			const void *m1, size_t l1, const void *m2, size_t l2,
			unsigned char out[SHA256_DIGEST_LENGTH])
{
	unsigned char k0[SHA256_CBLOCK], pad[SHA256_CBLOCK];
	unsigned char inner[SHA256_DIGEST_LENGTH];
	SHA256_CTX ctx;
	size_t i;

	memset(k0, 0, sizeof(k0));
	if (key_len > sizeof(k0)) {
		SHA256_Init(&ctx);
		SHA256_Update(&ctx, key, key_len);
		SHA256_Final(k0, &ctx);
	} else {
		memcpy(k0, key, key_len);
	}
	for (i = 0; i < sizeof(pad); i++)
		pad[i] = k0[i] ^ 0x36;
	SHA256_Init(&ctx);
	SHA256_Update(&ctx, pad, sizeof(pad));
	SHA256_Update(&ctx, m1, l1);
	SHA256_Update(&ctx, m2, l2);
	SHA256_Final(inner, &ctx);
	for (i = 0; i < sizeof(pad); i++)
		pad[i] = k0[i] ^ 0x5c;
	SHA256_Init(&ctx);
	SHA256_Update(&ctx, pad, sizeof(pad));
	SHA256_Update(&ctx, inner, sizeof(inner));
	SHA256_Final(out, &ctx);
	OPENSSL_cleanse(k0, sizeof(k0));
	OPENSSL_cleanse(pad, sizeof(pad));
	OPENSSL_cleanse(inner, sizeof(inner));
	OPENSSL_cleanse(&ctx, sizeof(ctx));
}

int filecrypt_hkdf(const unsigned char *ikm, size_t ikm_len,
		   const unsigned char *salt, size_t salt_len,
		   const char *info, unsigned char out[FILECRYPT_KEY_LEN])
{
	static const unsigned char zeros[SHA256_DIGEST_LENGTH];
	static const unsigned char one = 1;
	unsigned char prk[SHA256_DIGEST_LENGTH];

	/* RFC 5869: extract, then one block of expand (L = HashLen). */
	if (!salt_len) {
		salt = zeros;
		salt_len = sizeof(zeros);
	}
	hmac_sha256(salt, salt_len, ikm, ikm_len, "", 0, prk);
	hmac_sha256(prk, sizeof(prk), info, strlen(info), &one, 1, out);
	OPENSSL_cleanse(prk, sizeof(prk));
	return 0;
}

static int hkdf(const unsigned char *master, const unsigned char *salt,
		size_t salt_len, const char *info, unsigned char *out)
{
	return filecrypt_hkdf(master, FILECRYPT_KEY_LEN, salt, salt_len, info,
			      out);
}

int filecrypt_subkeys(const unsigned char master[FILECRYPT_KEY_LEN],
		      const unsigned char *salt, size_t salt_len,
		      unsigned char enc[FILECRYPT_KEY_LEN],
		      unsigned char check[FILECRYPT_KEY_LEN])
{
	if (hkdf(master, salt, salt_len, "bbtoken file store v1 encryption", enc) ||
	    hkdf(master, salt, salt_len, "bbtoken file store v1 check", check)) {
		OPENSSL_cleanse(enc, FILECRYPT_KEY_LEN);
		OPENSSL_cleanse(check, FILECRYPT_KEY_LEN);
		return -1;
	}
	return 0;
}

int filecrypt_check_eq(const unsigned char *a, const unsigned char *b)
{
	return CRYPTO_memcmp(a, b, FILEFMT_CHECK_LEN) == 0;
}

static EVP_CIPHER_CTX *gcm_begin(const unsigned char *key,
				 const unsigned char *nonce, int enc,
				 const void *aad, size_t aad_len)
{
	EVP_CIPHER_CTX *ctx;
	int n;

	ready();
	ctx = EVP_CIPHER_CTX_new();
	if (!ctx || aad_len > INT32_MAX ||
	    EVP_CipherInit_ex(ctx, EVP_aes_256_gcm(), NULL, NULL, NULL, enc) != 1 ||
	    EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_IVLEN, FILEFMT_NONCE_LEN,
				NULL) != 1 ||
	    EVP_CipherInit_ex(ctx, NULL, NULL, key, nonce, enc) != 1 ||
	    EVP_CipherUpdate(ctx, NULL, &n, aad, (int)aad_len) != 1) {
		EVP_CIPHER_CTX_free(ctx);
		return NULL;
	}
	return ctx;
}

int filecrypt_seal(const unsigned char key[FILECRYPT_KEY_LEN],
		   const unsigned char *nonce, const void *aad, size_t aad_len,
		   const void *pt, size_t pt_len, struct buf *out)
{
	EVP_CIPHER_CTX *ctx;
	unsigned char *p;
	int n = 0, m = 0, ret = -1;

	if (pt_len > INT32_MAX || !(p = malloc(pt_len + FILEFMT_TAG_LEN + 1)))
		return -1;
	if ((ctx = gcm_begin(key, nonce, 1, aad, aad_len)) &&
	    EVP_CipherUpdate(ctx, p, &n, pt, (int)pt_len) == 1 &&
	    EVP_CipherFinal_ex(ctx, p + n, &m) == 1 &&
	    EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG, FILEFMT_TAG_LEN,
				p + n + m) == 1)
		ret = buf_try_add(out, p, (size_t)n + m + FILEFMT_TAG_LEN);
	EVP_CIPHER_CTX_free(ctx);
	free(p);
	return ret;
}

int filecrypt_open(const unsigned char key[FILECRYPT_KEY_LEN],
		   const unsigned char *nonce, const void *aad, size_t aad_len,
		   const void *ct, size_t ct_len, struct buf *out)
{
	const unsigned char *tag;
	EVP_CIPHER_CTX *ctx;
	unsigned char *p;
	size_t len;
	int n = 0, m = 0, ret = -1;

	buf_reset(out);
	if (ct_len < FILEFMT_TAG_LEN || ct_len > INT32_MAX)
		return -1;
	len = ct_len - FILEFMT_TAG_LEN;
	tag = (const unsigned char *)ct + len;
	if (!(p = malloc(len + 1)))
		return -1;
	/* The plaintext is secret: it goes to out, and p is wiped. */
	if ((ctx = gcm_begin(key, nonce, 0, aad, aad_len)) &&
	    EVP_CipherUpdate(ctx, p, &n, ct, (int)len) == 1 &&
	    EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_TAG, FILEFMT_TAG_LEN,
				(void *)tag) == 1 &&
	    EVP_CipherFinal_ex(ctx, p + n, &m) == 1)
		ret = buf_try_setn(out, (const char *)p, (size_t)n + m);
	EVP_CIPHER_CTX_free(ctx);
	OPENSSL_cleanse(p, len + 1);
	free(p);
	if (ret)
		buf_reset(out);
	return ret;
}
