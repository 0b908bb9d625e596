/* SPDX-License-Identifier: MIT */
#include "bitbucket.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

static int has_prefix(const char *s, size_t len, const char *prefix)
{
	size_t n = strlen(prefix);

	return len >= n && !memcmp(s, prefix, n);
}

enum bb_kind bb_token_kind(const char *secret, size_t len)
{
	if (has_prefix(secret, len, "ATATT"))
		return BB_KIND_API_TOKEN;
	if (has_prefix(secret, len, "ATCTT"))
		return BB_KIND_ACCESS_TOKEN;
	if (has_prefix(secret, len, "ATBB"))
		return BB_KIND_APP_PASSWORD;
	return BB_KIND_OPAQUE;
}

const char *bb_kind_name(enum bb_kind kind)
{
	switch (kind) {
	case BB_KIND_API_TOKEN:
		return "api";
	case BB_KIND_ACCESS_TOKEN:
		return "access";
	case BB_KIND_APP_PASSWORD:
		return "app-password";
	case BB_KIND_OPAQUE:
		break;
	}
	return "opaque";
}

enum bb_kind bb_kind_from_name(const char *name)
{
	if (!strcmp(name, "api"))
		return BB_KIND_API_TOKEN;
	if (!strcmp(name, "access"))
		return BB_KIND_ACCESS_TOKEN;
	if (!strcmp(name, "app-password"))
		return BB_KIND_APP_PASSWORD;
	return BB_KIND_OPAQUE;
}

const char *bb_kind_label(enum bb_kind kind)
{
	switch (kind) {
	case BB_KIND_API_TOKEN:
		return "API token";
	case BB_KIND_ACCESS_TOKEN:
		return "access token";
	case BB_KIND_APP_PASSWORD:
		return "app password";
	case BB_KIND_OPAQUE:
		break;
	}
	return "credential";
}

uint32_t bb_crc32(uint32_t crc, const void *data, size_t len)
{
	const unsigned char *p = data;
	size_t i;
	int k;

	crc = ~crc;
	for (i = 0; i < len; i++) {
		crc ^= p[i];
		for (k = 0; k < 8; k++)
			crc = (crc >> 1) ^ (0xEDB88320u & (0u - (crc & 1)));
	}
	return ~crc;
}

static int upper_hex(int ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	if (ch >= 'A' && ch <= 'F')
		return ch - 'A' + 10;
	return -1;
}

int bb_token_checksum_ok(const char *secret, size_t len)
{
	enum bb_kind kind = bb_token_kind(secret, len);
	uint32_t want = 0;
	size_t i;

	if (kind != BB_KIND_API_TOKEN && kind != BB_KIND_ACCESS_TOKEN)
		return -1;
	if (len < 5 + 8)
		return 0;
	for (i = len - 8; i < len; i++) {
		int v = upper_hex((unsigned char)secret[i]);

		if (v < 0)
			return 0;
		want = want << 4 | (uint32_t)v;
	}
	return bb_crc32(0, secret, len - 8) == want;
}

int bb_is_email(const char *username)
{
	const char *at;

	if (!username)
		return 0;
	at = strchr(username, '@');
	/* Bitbucket usernames cannot hold '@'; "a@b" with a dot after is an email. */
	return at && at != username && strchr(at + 1, '.') && !strchr(at + 1, '@');
}

int bb_is_placeholder_user(const char *username)
{
	return username && (!strcmp(username, BB_USER_API_TOKEN) ||
			    !strcmp(username, BB_USER_ACCESS_TOKEN));
}

int bb_is_account_user(const char *username)
{
	return username && *username && !bb_is_placeholder_user(username) &&
	       !bb_is_email(username);
}

static int host_byte_ok(int ch)
{
	/* Names, IPv4, [IPv6] and a port; nothing that could smuggle more. */
	return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
	       (ch >= '0' && ch <= '9') || ch == '-' || ch == '.' ||
	       ch == ':' || ch == '[' || ch == ']' || ch == '_';
}

int bb_host_canonical(const char *host, struct buf *out)
{
	size_t i, len;

	buf_release(out);
	if (!host || !*host)
		return -1;
	len = strlen(host);
	/*
	 * A DNS name is at most 253 bytes and ":65535" adds six: a longer
	 * host is no host, and refusing it keeps every host we quote small.
	 */
	if (len > 259)
		return -1;
	for (i = 0; i < len; i++)
		if (!host_byte_ok((unsigned char)host[i]))
			return -1;
	if (len > 4 && !strcmp(host + len - 4, ":443"))
		len -= 4;
	if (!len)
		return -1;
	buf_setn(out, host, len);
	for (i = 0; i < out->len; i++)
		if (out->buf[i] >= 'A' && out->buf[i] <= 'Z')
			out->buf[i] += 'a' - 'A';
	return 0;
}

int bb_hosts_add(struct bb_hosts *hosts, const char *host)
{
	struct buf canon = BUF_INIT;

	if (bb_host_canonical(host, &canon) < 0)
		return -1;
	if (hosts->nr == hosts->alloc) {
		size_t alloc = hosts->alloc ? hosts->alloc * 2 : 4;
		char **v = realloc(hosts->v, alloc * sizeof(*v));

		if (!v) {
			buf_release(&canon);
			return -1;
		}
		hosts->v = v;
		hosts->alloc = alloc;
	}
	hosts->v[hosts->nr++] = canon.buf;	/* take ownership */
	return 0;
}

void bb_hosts_release(struct bb_hosts *hosts)
{
	size_t i;

	for (i = 0; i < hosts->nr; i++)
		free(hosts->v[i]);
	free(hosts->v);
	hosts->v = NULL;
	hosts->nr = hosts->alloc = 0;
}

int bb_host_allowed(const struct bb_hosts *hosts, const char *protocol,
		    const char *host)
{
	struct buf canon = BUF_INIT;
	int ok = 0;
	size_t i;

	/* A token over plain http would be readable by anyone on the path. */
	if (!protocol || strcmp(protocol, "https"))
		return 0;
	if (bb_host_canonical(host, &canon) < 0)
		return 0;
	if (!strcmp(canon.buf, BB_DEFAULT_HOST))
		ok = 1;
	for (i = 0; !ok && hosts && i < hosts->nr; i++)
		ok = !strcmp(canon.buf, hosts->v[i]);
	buf_release(&canon);
	return ok;
}

int bb_slug_ok(const char *slug)
{
	const char *p;

	if (!slug || !*slug || *slug == '.')
		return 0;
	for (p = slug; *p; p++) {
		int ch = (unsigned char)*p;

		if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
		      (ch >= '0' && ch <= '9') || ch == '-' || ch == '_' ||
		      ch == '.'))
			return 0;
	}
	return 1;
}

int bb_parse_path(const char *path, struct buf *workspace, struct buf *repo)
{
	const char *slash, *end;
	size_t rlen;

	buf_release(workspace);
	buf_release(repo);
	if (!path)
		return -1;
	while (*path == '/')
		path++;
	slash = strchr(path, '/');
	if (!slash || slash == path)
		return -1;
	end = strchr(slash + 1, '/');
	rlen = end ? (size_t)(end - slash - 1) : strlen(slash + 1);
	if (rlen > 4 && !memcmp(slash + 1 + rlen - 4, ".git", 4))
		rlen -= 4;
	if (!rlen)
		return -1;
	if (buf_try_setn(workspace, path, slash - path) < 0 ||
	    buf_try_setn(repo, slash + 1, rlen) < 0 ||
	    !bb_slug_ok(workspace->buf) || !bb_slug_ok(repo->buf)) {
		buf_release(workspace);
		buf_release(repo);
		return -1;
	}
	return 0;
}
