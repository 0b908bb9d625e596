/* SPDX-License-Identifier: MIT */
/* AES-256-GCM, scrypt and HKDF for the file store (filecrypt.h). */
#include "filecrypt.h"
#include "filefmt.h"

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/params.h>
#include <openssl/rand.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int filecrypt_random(void *p, size_t n)
{
	return RAND_bytes(p, (int)n) == 1 ? 0 : -1;
}

static int derive(const char *name, OSSL_PARAM *params, unsigned char *out,
		  size_t len)
{
	EVP_KDF *kdf = EVP_KDF_fetch(NULL, name, NULL);
	EVP_KDF_CTX *ctx = kdf ? EVP_KDF_CTX_new(kdf) : NULL;
	int ok = ctx && EVP_KDF_derive(ctx, out, len, params) == 1;

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

static int hkdf(const unsigned char *master, const unsigned char *salt,
		size_t salt_len, const char *info, unsigned char *out)
{
	OSSL_PARAM params[] = {
		OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST,
						 (char *)"SHA256", 0),
		OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY,
						  (void *)master, FILECRYPT_KEY_LEN),
		OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SALT,
						  (void *)salt, salt_len),
		OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO,
						  (void *)info, strlen(info)),
		OSSL_PARAM_construct_end(),
	};

	return derive("HKDF", params, out, FILECRYPT_KEY_LEN);
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
	EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
	int n;

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
		ret = buf_add(out, p, (size_t)n + m + FILEFMT_TAG_LEN);
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
		ret = buf_setn(out, (const char *)p, (size_t)n + m);
	EVP_CIPHER_CTX_free(ctx);
	OPENSSL_cleanse(p, len + 1);
	free(p);
	if (ret)
		buf_reset(out);
	return ret;
}
