/* SPDX-License-Identifier: MIT */
#include "../store.h"

#include <stdarg.h>
#include <stdlib.h>

const char *store_strerror(int err)
{
	switch (err) {
	case STORE_OK:
		return "no error";
	case STORE_ERR_UNAVAILABLE:
		return "no Secret Service (keyring) answers on the session bus";
	case STORE_ERR_LOCKED:
		return "the keyring is locked";
	case STORE_ERR_DISMISSED:
		return "the keyring unlock prompt was dismissed";
	case STORE_ERR_TIMEOUT:
		return "the keyring did not answer in time";
	case STORE_ERR_FAILED:
		return "the keyring refused the request";
	case STORE_ERR_NOT_FOUND:
		return "the keyring item no longer exists";
	case STORE_ERR_READONLY:
		return "the token comes from a read-only source";
	case STORE_ERR_DAMAGED:
		return "the file store is damaged";
	case STORE_ERR_BAD_KEY:
		return "the file store's passphrase or key file is wrong";
	case STORE_ERR_UNSAFE:
		return "the file store's files are not safe to use";
	case STORE_ERR_SOURCE:
		return "the token source gives no token";
	case STORE_ERR_MODULE:
		return "a module of git-credential-bbtoken would not load";
	}
	return "unknown keyring error";
}

struct store *store_new(const struct store_ops *ops, void *priv, int flags)
{
	struct store *s = xcalloc(1, sizeof(*s));

	s->ops = ops;
	s->priv = priv;
	s->flags = flags;
	s->timeout_ms = STORE_TIMEOUT_MS;
	return s;
}

void store_free(struct store *s)
{
	buf_release(&s->detail);
	buf_release(&s->note);
	buf_release(&s->where);
	buf_release(&s->fallback);
	free(s);
}

void store_set_detail(struct store *s, const char *fmt, ...)
{
	va_list ap;

	buf_set_empty(&s->detail);
	va_start(ap, fmt);
	/* A backend may quote a peer (a D-Bus error): past the cap, say less. */
	if (buf_try_vaddf(&s->detail, fmt, ap) < 0)
		buf_set(&s->detail, "the store gave an answer too long to show");
	va_end(ap);
}
