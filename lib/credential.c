/* SPDX-License-Identifier: MIT */
#include "credential.h"

#include <stdlib.h>
#include <string.h>

void credential_init(struct credential *c)
{
	/* Fresh memory may hold anything: buf_init must see unset buffers. */
	memset(c, 0, sizeof(*c));
	buf_init(&c->protocol, 0);
	buf_init(&c->host, 0);
	buf_init(&c->path, 0);
	buf_init(&c->username, 0);
	buf_init(&c->password, 0);
	buf_init(&c->password_expiry_utc, 0);
	buf_init(&c->oauth_refresh_token, 0);
	c->ephemeral = 0;
}

void credential_release(struct credential *c)
{
	buf_release(&c->protocol);
	buf_release(&c->host);
	buf_release(&c->path);
	buf_release(&c->username);
	buf_release(&c->password);
	buf_release(&c->password_expiry_utc);
	buf_release(&c->oauth_refresh_token);
	c->ephemeral = 0;
}

const char *credential_strerror(int err)
{
	switch (err) {
	case CREDENTIAL_OK:
		return "no error";
	case CREDENTIAL_ERR_NO_EQUALS:
		return "a line of the request has no '='";
	case CREDENTIAL_ERR_BAD_VALUE:
		return "a value of the request contains NUL, CR or LF";
	case CREDENTIAL_ERR_TOO_LONG:
		return "a line of the request is longer than 65535 bytes";
	case CREDENTIAL_ERR_BAD_URL:
		return "the url= of the request cannot be parsed";
	case CREDENTIAL_ERR_IO:
		return "the request could not be read";
	}
	return "unknown error";
}

int credential_value_ok(const char *v, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (v[i] == '\0' || v[i] == '\r' || v[i] == '\n')
			return 0;
	return 1;
}

/* The value is git's input: past the field's cap it is refused, not fatal. */
static int set_field(struct buf *field, const char *v, size_t len)
{
	if (buf_try_setn(field, v, len) < 0)
		return CREDENTIAL_ERR_TOO_LONG;
	return CREDENTIAL_OK;
}

static int key_is(const char *key, size_t klen, const char *name)
{
	return strlen(name) == klen && !memcmp(key, name, klen);
}

int credential_parse_line(struct credential *c, const char *line, size_t len)
{
	const char *eq = memchr(line, '=', len);
	const char *v;
	size_t klen, vlen;

	if (len > CREDENTIAL_LINE_MAX)
		return CREDENTIAL_ERR_TOO_LONG;
	if (!eq)
		return CREDENTIAL_ERR_NO_EQUALS;
	klen = eq - line;
	v = eq + 1;
	vlen = len - klen - 1;
	/*
	 * Refuse control bytes in every value, known key or not: a CR that
	 * slipped past us could end up in the keyring and, served back,
	 * split a line of git's reading (CVE-2020-5260, CVE-2024-52006).
	 */
	if (!credential_value_ok(line, len))
		return CREDENTIAL_ERR_BAD_VALUE;

	if (key_is(line, klen, "protocol"))
		return set_field(&c->protocol, v, vlen);
	if (key_is(line, klen, "host"))
		return set_field(&c->host, v, vlen);
	if (key_is(line, klen, "path"))
		return set_field(&c->path, v, vlen);
	if (key_is(line, klen, "username"))
		return set_field(&c->username, v, vlen);
	if (key_is(line, klen, "password"))
		return set_field(&c->password, v, vlen);
	if (key_is(line, klen, "password_expiry_utc"))
		return set_field(&c->password_expiry_utc, v, vlen);
	if (key_is(line, klen, "oauth_refresh_token"))
		return set_field(&c->oauth_refresh_token, v, vlen);
	if (key_is(line, klen, "url"))
		return credential_from_url(c, v, vlen);
	if (key_is(line, klen, "ephemeral")) {
		c->ephemeral = vlen == 1 && v[0] == '1';
		return CREDENTIAL_OK;
	}
	/* Unknown keys come from newer git; ignoring them is the rule. */
	return CREDENTIAL_OK;
}

int credential_parse(struct credential *c, const char *data, size_t len)
{
	size_t pos = 0;

	while (pos < len) {
		const char *nl = memchr(data + pos, '\n', len - pos);
		size_t llen = nl ? (size_t)(nl - (data + pos)) : len - pos;
		int ret;

		if (!llen)
			break;	/* a blank line ends the request */
		ret = credential_parse_line(c, data + pos, llen);
		if (ret)
			return ret;
		pos += llen + (nl ? 1 : 0);
	}
	return CREDENTIAL_OK;
}

int credential_read(struct credential *c, FILE *in)
{
	struct buf line = BUF_INIT;
	int ch, ret = CREDENTIAL_OK;

	/* One byte over the limit is enough to know a line is too long. */
	buf_init(&line, CREDENTIAL_LINE_MAX + 1);
	for (;;) {
		buf_set_empty(&line);
		while ((ch = getc(in)) != EOF && ch != '\n') {
			char byte = (char)ch;

			if (buf_try_add(&line, &byte, 1) < 0) {
				ret = CREDENTIAL_ERR_TOO_LONG;
				goto out;
			}
		}
		if (ferror(in)) {
			ret = CREDENTIAL_ERR_IO;
			goto out;
		}
		if (!line.len)
			break;	/* blank line or EOF */
		ret = credential_parse_line(c, line.buf, line.len);
		if (ret || ch == EOF)
			break;
	}
out:
	buf_release(&line);
	return ret;
}

static int hexval(int ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	if (ch >= 'a' && ch <= 'f')
		return ch - 'a' + 10;
	if (ch >= 'A' && ch <= 'F')
		return ch - 'A' + 10;
	return -1;
}

/* Percent-decode s[0..len) into out; refuse what decodes to a control byte. */
static int url_decode(struct buf *out, const char *s, size_t len)
{
	size_t i;
	char byte;

	buf_set_empty(out);
	for (i = 0; i < len; i++) {
		int ch = (unsigned char)s[i];

		if (ch == '%' && i + 2 < len &&
		    hexval(s[i + 1]) >= 0 && hexval(s[i + 2]) >= 0) {
			ch = hexval(s[i + 1]) * 16 + hexval(s[i + 2]);
			i += 2;
		}
		if (ch < 0x20 || ch == 0x7f)
			return CREDENTIAL_ERR_BAD_URL;
		byte = (char)ch;
		if (buf_try_add(out, &byte, 1) < 0)
			return CREDENTIAL_ERR_TOO_LONG;
	}
	return CREDENTIAL_OK;
}

int credential_from_url(struct credential *c, const char *url, size_t len)
{
	const char *end = url + len, *proto_end, *host, *at, *colon, *slash;
	int ret;

	buf_release(&c->protocol);
	buf_release(&c->host);
	buf_release(&c->path);
	buf_release(&c->username);
	buf_release(&c->password);

	proto_end = NULL;
	for (const char *p = url; p + 2 < end; p++) {
		if (p[0] == ':' && p[1] == '/' && p[2] == '/') {
			proto_end = p;
			break;
		}
		if (*p == '/')
			break;
	}
	if (!proto_end || proto_end == url)
		return CREDENTIAL_ERR_BAD_URL;
	host = proto_end + 3;
	/*
	 * As git since CVE-2020-11008 and as curl: the authority ends at the
	 * first '/', '?' or '#', and userinfo at its first '@'.  Read any
	 * other way, "https://evil.example#@bitbucket.org/" would be a
	 * request for bitbucket.org while git sends it to evil.example.
	 */
	for (slash = host; slash < end && !strchr("/?#", *slash); slash++)
		;
	at = memchr(host, '@', slash - host);

	if ((ret = url_decode(&c->protocol, url, proto_end - url)))
		return ret;
	if (at) {
		colon = memchr(host, ':', at - host);
		if ((ret = url_decode(&c->username, host,
				      (colon ? colon : at) - host)))
			return ret;
		if (colon &&
		    (ret = url_decode(&c->password, colon + 1, at - colon - 1)))
			return ret;
		host = at + 1;
	}
	if (slash > host && (ret = url_decode(&c->host, host, slash - host)))
		return ret;
	if (slash < end) {
		const char *p = slash, *q = end;

		/* git drops leading and trailing slashes: "repo/" is "repo". */
		while (p < q && *p == '/')
			p++;
		while (q > p && q[-1] == '/')
			q--;
		if (q > p && (ret = url_decode(&c->path, p, q - p)))
			return ret;
	}
	return CREDENTIAL_OK;
}

static int field_match(const struct buf *want, const struct buf *have)
{
	if (!buf_isset(want))
		return 1;
	return buf_isset(have) && !strcmp(want->buf, have->buf);
}

int credential_match(const struct credential *want,
		     const struct credential *have)
{
	return field_match(&want->protocol, &have->protocol) &&
	       field_match(&want->host, &have->host) &&
	       field_match(&want->path, &have->path) &&
	       field_match(&want->username, &have->username);
}

int credential_write_item(FILE *out, const char *key, const struct buf *value)
{
	if (!buf_isset(value))
		return 0;
	if (!credential_value_ok(value->buf, value->len))
		return -1;
	fprintf(out, "%s=%s\n", key, value->buf);
	return 0;
}

int credential_expiry(const struct credential *c, long long *out)
{
	const struct buf *v = &c->password_expiry_utc;
	char *end;

	*out = 0;
	if (!buf_isset(v) || !v->len)
		return 0;
	if (v->buf[0] < '0' || v->buf[0] > '9')
		return -1;
	*out = strtoll(v->buf, &end, 10);
	return *end ? -1 : 0;
}
