/* SPDX-License-Identifier: MIT */
#ifndef BBTOKEN_STORE_H
#define BBTOKEN_STORE_H

#include "buf.h"
#include "token.h"

/*
 * One interface over every place tokens can live, in the manner of curl's
 * vtls: a table of functions that each backend fills, and one door,
 * store_open(), that picks the backend.  Nothing above this header knows
 * which backend runs.  In lib/store/:
 *
 *   open.c               store_open(): the choice, the fall-back of
 *                        `auto`, and the read-only sources layered in front
 *   sources.c            read-only tokens from CI and secret managers
 *                        (BBTOKEN_TOKEN, a mounted file,
 *                        bbtoken.tokenCommand)
 *   secretservice-get.c  read-only Secret Service lookup over raw GDBus,
 *                        for git's `get` (no libsecret, so the hot path
 *                        stays fast)
 *   secretservice.c      the Secret Service through libsecret, with
 *                        prompts
 *   file.c               the encrypted file store (OpenSSL), for machines
 *                        where no keyring runs; its byte layout in
 *                        filefmt.c, its keys in filecrypt.c, the cached
 *                        master key of `unlock` in keycache.c
 *   backend.h            how open.c reaches each backend: from its module
 *                        in the binary git runs (load.c), linked in
 *                        bbtoken-full.so (linked.c)
 *   dbus-error.c         what GDBus's errors mean, for both Secret Service
 *                        backends
 *   foreign.c            other programs' items in the Secret Service, for
 *                        `doctor` (not a backend)
 *   store.c              what every backend shares: store_new(),
 *                        store_set_detail(), store_strerror()
 *
 * Backends never exit and never print on stdout or stderr (the file
 * store asks its passphrase on /dev/tty, and only with STORE_TTY).  On
 * failure they return a store_err and leave one sentence of detail in
 * store->detail (no secrets in it), which the command weaves into its
 * message.
 */
enum store_err {
	STORE_OK = 0,
	STORE_ERR_UNAVAILABLE = -1, /* no Secret Service on the session bus */
	STORE_ERR_LOCKED = -2,      /* locked, and no prompt can be shown */
	STORE_ERR_DISMISSED = -3,   /* the user dismissed the unlock prompt */
	STORE_ERR_TIMEOUT = -4,     /* the keyring did not answer in time */
	STORE_ERR_FAILED = -5,      /* anything else the keyring said */
	STORE_ERR_NOT_FOUND = -6,   /* the item is gone */
	STORE_ERR_READONLY = -7,    /* a read-only source cannot be written */
	STORE_ERR_DAMAGED = -8,     /* the file store fails authentication */
	STORE_ERR_BAD_KEY = -9,     /* wrong passphrase or key file */
	STORE_ERR_UNSAFE = -10,     /* loose modes, another owner, a symlink */
	STORE_ERR_SOURCE = -11,     /* a read-only source is set but gives no token */
	STORE_ERR_MODULE = -20      /* a backend's module would not load (said) */
};

/* Where tokens are kept: --store=, bbtoken.store, default auto. */
enum store_kind {
	STORE_AUTO = 0,		/* the Secret Service if one answers, else file */
	STORE_SECRETSERVICE,
	STORE_FILE
};

/* Flags for store_open and the backends. */
#define STORE_PROMPT 1	/* a person can answer a graphical unlock prompt */
#define STORE_LEAN 2	/* only find will be called: git's `get` path */
#define STORE_TTY 4	/* a passphrase may be asked on /dev/tty */

struct store;

struct store_ops {
	const char *name;
	/*
	 * Append to out every token stored for host (canonical form), or
	 * every token of ours when host is NULL.  Items whose secret does not
	 * decode are skipped, never returned.  When items are locked and
	 * cannot be unlocked, the unlocked ones are still returned along with
	 * STORE_ERR_LOCKED, so the caller decides.
	 */
	int (*find)(struct store *s, const char *host, struct token_list *out);
	/* Create t (t->id unset; set on return) or replace the item t->id. */
	int (*put)(struct store *s, struct token *t);
	/* Set or clear the rejected mark of the stored item t->id. */
	int (*mark)(struct store *s, const struct token *t, int rejected);
	/* Delete the item t->id. */
	int (*remove)(struct store *s, const struct token *t);
	/* Every token of ours on every host: find(s, NULL, out). */
	int (*list)(struct store *s, struct token_list *out);
	void (*close)(struct store *s);
};

struct store {
	const struct store_ops *ops;
	void *priv;
	struct buf detail;	/* one sentence on the last failure */
	/*
	 * One sentence a command shows after an operation that worked, such
	 * as which key mode a new file store was made with; empty otherwise.
	 */
	struct buf note;
	/* For people: "the Secret Service", "the encrypted file store PATH". */
	struct buf where;
	/* Why `auto` fell back to the file store; empty when it did not. */
	struct buf fallback;
	int flags;
	int timeout_ms;		/* deadline of each keyring call */
};

/* Each keyring call is bounded; a keyring that hangs must not hang git. */
#define STORE_TIMEOUT_MS 5000
/*
 * How the detail of a STORE_ERR_TIMEOUT begins when it was the session
 * bus, not the keyring, that did not answer: the detail then carries the
 * whole message and its fix, since restarting the keyring would not help.
 */
#define STORE_DETAIL_BUS_TIMEOUT "the session bus did not answer"
/* An unlock prompt waits as long as a person needs, and no longer. */
#define STORE_PROMPT_TIMEOUT_MS 120000

static inline int store_find(struct store *s, const char *host,
			     struct token_list *out)
{
	return s->ops->find(s, host, out);
}
static inline int store_put(struct store *s, struct token *t)
{
	return s->ops->put(s, t);
}
static inline int store_mark(struct store *s, const struct token *t, int rejected)
{
	return s->ops->mark(s, t, rejected);
}
static inline int store_remove(struct store *s, const struct token *t)
{
	return s->ops->remove(s, t);
}
static inline int store_list(struct store *s, struct token_list *out)
{
	return s->ops->list(s, out);
}
static inline void store_close(struct store *s)
{
	if (s)
		s->ops->close(s);
}

/*
 * For backends: a store with ops and priv, the default deadline, and no
 * contact made; store_free() releases what store_new() made (not priv).
 */
struct store *store_new(const struct store_ops *ops, void *priv, int flags);
void store_free(struct store *s);
/* Replace s->detail with one sentence (no secret in it). */
void store_set_detail(struct store *s, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/*
 * What store_open needs to know beyond the kind: the settings of the
 * read-only sources.  token_command comes from global or system config
 * only (a repository must not choose what runs); NULL when unset.
 */
struct store_config {
	enum store_kind kind;
	int flags;
	const char *token_command;
	int token_command_timeout_ms;	/* 0: SOURCES_COMMAND_TIMEOUT_MS */
};

/*
 * The one door.  Opens the store the config names, with the read-only
 * sources in front: find and list return their tokens first (t->source
 * set), and when a source has a token for the host asked, the store
 * behind is not consulted at all.  put, mark and remove go to the store
 * behind; a token from a source is refused with STORE_ERR_READONLY.
 * With STORE_AUTO the first operation decides: no session bus address at
 * all goes straight to the file store; a Secret Service that is absent or
 * does not answer in time falls back to it, s->fallback saying why.
 * Contacts and loads nothing itself, and returns STORE_OK: the backend
 * (and its module) is opened by the first operation that needs it, and
 * a module that cannot be loaded makes that operation return
 * STORE_ERR_MODULE, its reason already printed.
 */
int store_open(struct store **out, const struct store_config *c);

/*
 * Could a session bus be found here at all (DBUS_SESSION_BUS_ADDRESS,
 * $XDG_RUNTIME_DIR/bus, a display for autolaunch)?  Without one no
 * Secret Service can answer, and `auto` takes the file store at once.
 */
int store_bus_address_present(void);

/*
 * Could a person answer a keyring's unlock prompt here (STORE_PROMPT)?
 * Only inside a graphical session (DISPLAY or WAYLAND_DISPLAY); elsewhere
 * a prompt would wait for nobody.
 */
int store_prompt_answerable(void);

/* Parse "auto", "secretservice", "file"; -1 for anything else. */
int store_kind_parse(const char *name, enum store_kind *out);
const char *store_kind_name(enum store_kind kind);

/*
 * The libsecret backend (full module).  Like every backend, opening
 * contacts nothing and returns STORE_OK: the first operation reaches the
 * keyring, so that its failure comes back with a detail.
 */
int store_secretservice_open(struct store **out, int flags);

/*
 * The fast read-only backend for `get` (bbtoken-get-secretservice.so):
 * find only; the other operations return STORE_ERR_FAILED.
 */
int store_secretservice_get_open(struct store **out, int flags);

/*
 * The encrypted file store (lib/store/file.c, libcrypto only; in its own
 * module for `get`, linked into the full module for the rest).
 */
int store_file_open(struct store **out, int flags);

/* A phrase for a store_err. */
const char *store_strerror(int err);

#endif
