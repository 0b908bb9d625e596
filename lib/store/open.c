/* SPDX-License-Identifier: MIT */
/*
 * store_open(): the one door to the stores.  It hands out a store of its
 * own, a "chain", whose operations pass to the read-only sources and the
 * backend behind them:
 *
 *   find, list     the sources first; a source with a token for the host
 *                  asked shadows the store, which is then not contacted
 *   put, mark,     the backend; a token from a source is refused
 *   remove
 *
 * The backend is opened by the first operation that needs it, so that a
 * `get` answered by BBTOKEN_TOKEN loads no module at all, and so that
 * `auto` can decide on the answer it gets: no session bus address means
 * the file store at once; a Secret Service that is absent or mute means
 * the file store after at most one deadline, with the reason kept in
 * s->fallback for the commands to say.  A locked, dismissed or failing
 * keyring is not a reason to fall back: its tokens are there, and the
 * file store would hide them behind "none stored".
 *
 * On git's `get` (STORE_LEAN) the Secret Service is read through the lean
 * backend; items it finds locked send the find on to the full backend
 * when a person can answer its unlock prompt.
 */
#include "../store.h"
#include "backend.h"
#include "sources.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

struct chain {
	struct store_config cfg;
	char *token_command;
	struct store *main;	/* the backend, once opened */
	enum store_kind kind;	/* what runs: AUTO until decided */
	int decided;		/* auto has seen an answer, or gave up */
};

int store_kind_parse(const char *name, enum store_kind *out)
{
	if (!strcmp(name, "auto"))
		*out = STORE_AUTO;
	else if (!strcmp(name, "secretservice"))
		*out = STORE_SECRETSERVICE;
	else if (!strcmp(name, "file"))
		*out = STORE_FILE;
	else
		return -1;
	return 0;
}

const char *store_kind_name(enum store_kind kind)
{
	switch (kind) {
	case STORE_SECRETSERVICE:
		return "secretservice";
	case STORE_FILE:
		return "file";
	case STORE_AUTO:
		break;
	}
	return "auto";
}

/*
 * Could GIO find a session bus?  It reads DBUS_SESSION_BUS_ADDRESS, then
 * $XDG_RUNTIME_DIR/bus; its last resort, X11 autolaunch, needs a display.
 */
int store_bus_address_present(void)
{
	const char *addr = getenv("DBUS_SESSION_BUS_ADDRESS");
	const char *run = getenv("XDG_RUNTIME_DIR");
	const char *display = getenv("DISPLAY");
	struct buf path = BUF_INIT;
	struct stat st;
	int found;

	if ((addr && *addr) || (display && *display))
		return 1;
	if (!run || !*run)
		return 0;
	buf_addf(&path, "%s/bus", run);
	found = !stat(path.buf, &st) && S_ISSOCK(st.st_mode);
	buf_release(&path);
	return found;
}

int store_prompt_answerable(void)
{
	const char *d = getenv("DISPLAY"), *w = getenv("WAYLAND_DISPLAY");

	return (d && *d) || (w && *w);
}

static void copy_words(struct store *s, struct store *from)
{
	buf_set(&s->detail, buf_str(&from->detail));
	buf_set(&s->note, buf_str(&from->note));
	buf_set(&s->where, buf_str(&from->where));
}

static int open_backend(struct store *s, enum store_kind kind, int lean)
{
	struct chain *ch = s->priv;
	int err;

	store_close(ch->main);
	ch->main = NULL;
	if (kind == STORE_FILE)
		err = backend_file(&ch->main, s->flags);
	else if (lean)
		err = backend_secretservice_get(&ch->main, s->flags);
	else
		err = backend_secretservice(&ch->main, s->flags);
	if (err) {
		if (ch->main)
			copy_words(s, ch->main);
		else
			store_set_detail(s, "the %s backend could not be loaded",
					 store_kind_name(kind));
		store_close(ch->main);
		ch->main = NULL;
		return err;
	}
	ch->main->timeout_ms = s->timeout_ms;
	if (!ch->main->where.len)
		buf_set(&ch->main->where, kind == STORE_FILE ?
			"the encrypted file store" : "the Secret Service");
	buf_set(&s->where, ch->main->where.buf);
	return STORE_OK;
}

/* Make sure a backend is open; the first one `auto` tries, if undecided. */
static int need_backend(struct store *s)
{
	struct chain *ch = s->priv;

	if (ch->main)
		return STORE_OK;
	if (ch->kind == STORE_AUTO && !store_bus_address_present()) {
		buf_set(&s->fallback, "no D-Bus session bus is running here "
			"(DBUS_SESSION_BUS_ADDRESS is unset)");
		ch->kind = STORE_FILE;
		ch->decided = 1;
	}
	return open_backend(s, ch->kind == STORE_FILE ? STORE_FILE :
			    STORE_SECRETSERVICE, !!(s->flags & STORE_LEAN));
}

/* Does this answer of the Secret Service send `auto` to the file store? */
static int falls_back(int err)
{
	return err == STORE_ERR_UNAVAILABLE || err == STORE_ERR_TIMEOUT;
}

enum op { OP_FIND, OP_PUT, OP_MARK, OP_REMOVE };

static int run_op(struct store *b, enum op op, const char *host,
		  struct token_list *out, struct token *t, int rejected)
{
	switch (op) {
	case OP_FIND:
		return store_find(b, host, out);
	case OP_PUT:
		return store_put(b, t);
	case OP_MARK:
		return store_mark(b, t, rejected);
	case OP_REMOVE:
		break;
	}
	return store_remove(b, t);
}

/*
 * One operation on the backend, with auto's decision and the lean
 * find's hand-over to the full backend for an unlock prompt.
 */
static int backend_op(struct store *s, enum op op, const char *host,
		      struct token_list *out, struct token *t, int rejected)
{
	struct chain *ch = s->priv;
	size_t first = out ? out->nr : 0;
	int err;

	if ((err = need_backend(s)))
		return err;
	buf_set_empty(&ch->main->note);
	err = run_op(ch->main, op, host, out, t, rejected);
	if (ch->kind == STORE_AUTO && !ch->decided) {
		ch->decided = 1;
		if (falls_back(err)) {
			buf_set(&s->fallback, buf_str(&ch->main->detail));
			ch->kind = STORE_FILE;
			if (out)
				while (out->nr > first)
					token_free(out->v[--out->nr]);
			if ((err = open_backend(s, STORE_FILE, 0)))
				return err;
			err = run_op(ch->main, op, host, out, t, rejected);
		} else {
			ch->kind = STORE_SECRETSERVICE;
		}
	}
	if (err == STORE_ERR_LOCKED && op == OP_FIND && ch->kind != STORE_FILE &&
	    (s->flags & STORE_LEAN) && (s->flags & STORE_PROMPT)) {
		while (out->nr > first)
			token_free(out->v[--out->nr]);
		if ((err = open_backend(s, STORE_SECRETSERVICE, 0)))
			return err;
		err = run_op(ch->main, op, host, out, t, rejected);
	}
	copy_words(s, ch->main);
	return err;
}

static int sources(struct store *s, const char *host, struct token_list *out)
{
	struct chain *ch = s->priv;

	if (!sources_active(&ch->cfg))
		return STORE_OK;
	return sources_find(&ch->cfg, host, out, &s->detail);
}

static int chain_find(struct store *s, const char *host, struct token_list *out)
{
	size_t first = out->nr;
	int err = sources(s, host, out);

	if (err || out->nr > first)
		return err;
	return backend_op(s, OP_FIND, host, out, NULL, 0);
}

/*
 * A listing is for a person managing the store: a source that is set
 * but fails (its detail kept in s->note, for the command to show) must
 * not stop them from seeing or changing what the store holds.
 */
static int chain_list(struct store *s, struct token_list *out)
{
	struct buf failed = BUF_INIT;
	int err = sources(s, NULL, out);

	if (err)
		buf_set(&failed, buf_str(&s->detail));
	err = backend_op(s, OP_FIND, NULL, out, NULL, 0);
	if (failed.buf)
		buf_set(&s->note, failed.buf);
	buf_release(&failed);
	return err;
}

static int read_only(struct store *s, const struct token *t)
{
	store_set_detail(s, "the token comes from %s, which is read-only; change "
			 "it where it is set", t->source.buf);
	return STORE_ERR_READONLY;
}

static int chain_put(struct store *s, struct token *t)
{
	if (buf_isset(&t->source))
		return read_only(s, t);
	return backend_op(s, OP_PUT, NULL, NULL, t, 0);
}

static int chain_mark(struct store *s, const struct token *t, int rejected)
{
	if (buf_isset(&t->source))
		return read_only(s, t);
	return backend_op(s, OP_MARK, NULL, NULL, (struct token *)t, rejected);
}

static int chain_remove(struct store *s, const struct token *t)
{
	if (buf_isset(&t->source))
		return read_only(s, t);
	return backend_op(s, OP_REMOVE, NULL, NULL, (struct token *)t, 0);
}

static void chain_close(struct store *s)
{
	struct chain *ch = s->priv;

	store_close(ch->main);
	free(ch->token_command);
	free(ch);
	store_free(s);
}

static const struct store_ops chain_ops = {
	.name = "chain",
	.find = chain_find,
	.put = chain_put,
	.mark = chain_mark,
	.remove = chain_remove,
	.list = chain_list,
	.close = chain_close,
};

int store_open(struct store **out, const struct store_config *c)
{
	struct chain *ch = xcalloc(1, sizeof(*ch));

	ch->cfg = *c;
	if (c->token_command) {
		ch->token_command = xstrdup(c->token_command);
		ch->cfg.token_command = ch->token_command;
	}
	ch->kind = c->kind;
	ch->decided = c->kind != STORE_AUTO;
	*out = store_new(&chain_ops, ch, c->flags);
	return STORE_OK;
}
