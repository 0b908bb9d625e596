/* SPDX-License-Identifier: MIT */
/*
 * The encrypted file store, for machines where no keyring runs: one file
 * of records (filefmt.h) sealed with AES-256-GCM under a key from a
 * passphrase or a key file (filecrypt.h), in a directory of our own.
 *
 * Reading needs no lock: a writer never changes the file in place, it
 * renames a complete new one over it, so a reader sees the old file or
 * the new one.  Writers take an flock on tokens.lock, read the current
 * file and authenticate it under the lock, apply their change, and
 * write tokens.tmp, fsync it, rename it over tokens and fsync the
 * directory: a writer killed at any point leaves the old file or the
 * new one, never a mix, and a stale tokens.tmp that the next writer
 * removes.  Only the lock holder touches tokens.tmp.
 *
 * A file that does not authenticate is never written over: each write
 * reads and authenticates first, and stops at the first failure.
 *
 * The key is looked for in this order: the kernel keyring, where
 * `unlock` caches it (keycache.h); BBTOKEN_PASSPHRASE; a prompt on
 * /dev/tty when the caller allows one (STORE_TTY) and GIT_TERMINAL_PROMPT
 * does not forbid it.  Once found it is kept for the life of the store,
 * so that a find then a put derive it once.
 */
#include "../store.h"
#include "../term.h"
#include "file.h"
#include "filecrypt.h"
#include "filefmt.h"
#include "keycache.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* scrypt at N = 2^14, r = 8, p = 1: 16 MiB and about 50 ms here. */
#define SCRYPT_LOG2_N 14
#define SCRYPT_R 8
#define SCRYPT_P 1

/* How long a writer waits for another to finish. */
#define LOCK_WAIT_MS 10000
#define LOCK_POLL_MS 10

#define STORE_NAME "tokens"
#define LOCK_NAME "tokens.lock"
#define TEMP_NAME "tokens.tmp"

struct fstore {
	struct buf dir, path;
	int dirfd;		/* the store directory, once opened */
	/* The file last read, authenticated: its header and plaintext. */
	int exists;
	struct filefmt_header hdr;
	struct buf plain;
	/* The key, once found, and the header fields it belongs to. */
	int have_key;
	unsigned char key_id[FILEFMT_ID_LEN], key_check[FILEFMT_CHECK_LEN];
	unsigned char master[FILECRYPT_KEY_LEN], enc[FILECRYPT_KEY_LEN];
};

static struct fstore *P(struct store *s)
{
	return s->priv;
}

/* ---- paths and their safety ---- */

/*
 * $VAR when it is an absolute path, else $HOME/fallback; -1 without HOME.
 * Linux passes no environment string over 128 KiB (MAX_ARG_STRLEN), far
 * under out's cap, so neither can reach it.
 */
static int base_dir(const char *var, const char *fallback, struct buf *out)
{
	const char *v = getenv(var), *home = getenv("HOME");

	if (v && v[0] == '/') {
		buf_set(out, v);
		return 0;
	}
	if (!home || home[0] != '/')
		return -1;
	buf_set_empty(out);
	buf_addf(out, "%s/%s", home, fallback);
	return 0;
}

static int no_home(struct store *s)
{
	store_set_detail(s, "neither XDG_DATA_HOME nor HOME is set to an absolute "
			 "path, so the file store has no place; set HOME");
	return STORE_ERR_FAILED;
}

/* Refuse what another user could read, change, or swap under us. */
static int check_stat(struct store *s, const struct stat *st, const char *path,
		      int is_dir)
{
	if (is_dir ? !S_ISDIR(st->st_mode) : !S_ISREG(st->st_mode)) {
		store_set_detail(s, "%s is not a %s; move it aside", path,
				 is_dir ? "directory" : "regular file");
		return STORE_ERR_UNSAFE;
	}
	if (st->st_uid != geteuid()) {
		store_set_detail(s, "%s is owned by another user (uid %lu), so the "
				 "file store will not use it; make it yours with "
				 "`chown %lu %s`", path, (unsigned long)st->st_uid,
				 (unsigned long)geteuid(), path);
		return STORE_ERR_UNSAFE;
	}
	if (st->st_mode & 077) {
		store_set_detail(s, "%s is open to other users (mode %03o), so the "
				 "file store will not use it; fix it with `chmod %s %s`",
				 path, (unsigned)(st->st_mode & 0777),
				 is_dir ? "700" : "600", path);
		return STORE_ERR_UNSAFE;
	}
	return STORE_OK;
}

/* After an open refused with ELOOP or ENOTDIR: say what is there. */
static int refused(struct store *s, const char *path, int is_dir)
{
	struct stat st;

	if (!lstat(path, &st) && S_ISLNK(st.st_mode))
		store_set_detail(s, "%s is a symlink, and the file store follows "
				 "none; put the real %s there", path,
				 is_dir ? "directory" : "file");
	else
		store_set_detail(s, "%s is not a %s; move it aside", path,
				 is_dir ? "directory" : "regular file");
	return STORE_ERR_UNSAFE;
}

static int io_error(struct store *s, const char *doing, const char *path)
{
	store_set_detail(s, "%s %s failed: %s", doing, path, strerror(errno));
	return STORE_ERR_FAILED;
}

/* mkdir -p, each directory made 0700. */
static int make_dirs(const char *path)
{
	char *p = xstrdup(path), *slash;
	int ret = 0;

	for (slash = strchr(p + 1, '/'); ; slash = strchr(slash + 1, '/')) {
		if (slash)
			*slash = '\0';
		if (mkdir(p, 0700) && errno != EEXIST)
			ret = -1;
		if (!slash || ret)
			break;
		*slash = '/';
	}
	free(p);
	return ret;
}

/*
 * Open the directory path and check it: *fd set, STORE_OK; or
 * STORE_ERR_NOT_FOUND when it does not exist and create is unset.
 */
static int open_safe_dir(struct store *s, const char *path, int create, int *fd)
{
	struct stat st;
	int err;

	*fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (*fd < 0 && errno == ENOENT && create) {
		if (make_dirs(path))
			return io_error(s, "creating the directory", path);
		*fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	}
	if (*fd < 0) {
		if (errno == ENOENT)
			return STORE_ERR_NOT_FOUND;
		if (errno == ELOOP || errno == ENOTDIR)
			return refused(s, path, 1);
		return io_error(s, "opening", path);
	}
	if (fstat(*fd, &st))
		err = io_error(s, "reading the mode of", path);
	else
		err = check_stat(s, &st, path, 1);
	if (err) {
		close(*fd);
		*fd = -1;
	}
	return err;
}

/*
 * Open name in the directory dirfd (shown as path) and check it;
 * STORE_ERR_NOT_FOUND when it does not exist (without O_CREAT).
 */
static int open_safe_file(struct store *s, int dirfd, const char *name,
			  const char *path, int flags, int *fd)
{
	struct stat st;
	int err;

	*fd = openat(dirfd, name, flags | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (*fd < 0) {
		if (errno == ENOENT)
			return STORE_ERR_NOT_FOUND;
		if (errno == ELOOP)
			return refused(s, path, 0);
		return io_error(s, "opening", path);
	}
	if (fstat(*fd, &st))
		err = io_error(s, "reading the mode of", path);
	else
		err = check_stat(s, &st, path, 0);
	if (err) {
		close(*fd);
		*fd = -1;
	}
	return err;
}

/* The whole of fd into out (capped at max); -1 on error, -2 too big. */
static int read_all(int fd, struct buf *out, size_t max)
{
	char chunk[8192];
	ssize_t n;
	int ret = 0;

	buf_reset(out);
	while ((n = read(fd, chunk, sizeof(chunk))) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			ret = -1;
			break;
		}
		if (out->len + n > max || buf_try_add(out, chunk, n) < 0) {
			ret = -2;
			break;
		}
	}
	wipe(chunk, sizeof(chunk));
	if (ret == 0 && !buf_isset(out))
		buf_set_empty(out);
	return ret;
}

static int write_all(int fd, const char *p, size_t len)
{
	while (len) {
		ssize_t n = write(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		p += n;
		len -= n;
	}
	return 0;
}

/* ---- the key file ---- */

/* Split path at its last slash into dir and base (both set). */
static void split_path(const char *path, struct buf *dir, struct buf *base)
{
	const char *slash = strrchr(path, '/');

	buf_setn(dir, path, slash == path ? 1 : (size_t)(slash - path));
	buf_set(base, slash + 1);
}

static int bad_keyfile(struct store *s, const char *keyfile, const char *why)
{
	struct fstore *p = P(s);

	store_set_detail(s, "the key file %s %s, so it does not open the file "
			 "store %s; put back the key file the store was made with",
			 keyfile, why, p->path.buf);
	return STORE_ERR_BAD_KEY;
}

/* Read the 32 bytes of the key file at the absolute path keyfile. */
static int keyfile_read(struct store *s, const char *keyfile,
			unsigned char key[FILECRYPT_KEY_LEN])
{
	struct buf dir = BUF_INIT, base = BUF_INIT, data = BUF_INIT;
	int dirfd = -1, fd = -1, err;

	split_path(keyfile, &dir, &base);
	err = open_safe_dir(s, dir.buf, 0, &dirfd);
	if (!err)
		err = open_safe_file(s, dirfd, base.buf, keyfile, O_RDONLY, &fd);
	if (err == STORE_ERR_NOT_FOUND)
		err = bad_keyfile(s, keyfile, "does not exist");
	if (!err && read_all(fd, &data, 4096))
		err = io_error(s, "reading", keyfile);
	if (!err && data.len != FILECRYPT_KEY_LEN)
		err = bad_keyfile(s, keyfile, "is not 32 bytes long");
	if (!err)
		memcpy(key, data.buf, FILECRYPT_KEY_LEN);
	if (fd >= 0)
		close(fd);
	if (dirfd >= 0)
		close(dirfd);
	buf_release(&data);
	buf_release(&dir);
	buf_release(&base);
	return err;
}

/*
 * The key file at keyfile: read when it exists, else made with a random
 * key.  A new one is written aside and linked into place, so that no
 * process ever reads half a key.  *made tells which.
 */
static int keyfile_make(struct store *s, const char *keyfile,
			unsigned char key[FILECRYPT_KEY_LEN], int *made)
{
	struct buf dir = BUF_INIT, base = BUF_INIT, tmp = BUF_INIT;
	struct stat st;
	int dirfd = -1, fd = -1, err;

	*made = 0;
	split_path(keyfile, &dir, &base);
	buf_addf(&tmp, ".%s.%ld.tmp", base.buf, (long)getpid());
	err = open_safe_dir(s, dir.buf, 1, &dirfd);
	if (err)
		goto out;
	if (!fstatat(dirfd, base.buf, &st, AT_SYMLINK_NOFOLLOW) || errno != ENOENT) {
		err = keyfile_read(s, keyfile, key);
		goto out;
	}
	if (filecrypt_random(key, FILECRYPT_KEY_LEN)) {
		store_set_detail(s, "no random bytes for a key file");
		err = STORE_ERR_FAILED;
		goto out;
	}
	unlinkat(dirfd, tmp.buf, 0);
	fd = openat(dirfd, tmp.buf, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW |
		    O_CLOEXEC, 0600);
	if (fd < 0 || write_all(fd, (const char *)key, FILECRYPT_KEY_LEN) ||
	    fsync(fd)) {
		err = io_error(s, "writing the key file", keyfile);
	} else if (linkat(dirfd, tmp.buf, dirfd, base.buf, 0)) {
		/* Another process made it first: that one is the key. */
		err = errno == EEXIST ? keyfile_read(s, keyfile, key)
				      : io_error(s, "writing the key file", keyfile);
	} else {
		*made = 1;
		fsync(dirfd);
	}
	if (fd >= 0)
		close(fd);
	unlinkat(dirfd, tmp.buf, 0);
out:
	if (err)
		wipe(key, FILECRYPT_KEY_LEN);
	if (dirfd >= 0)
		close(dirfd);
	buf_release(&dir);
	buf_release(&base);
	buf_release(&tmp);
	return err;
}

/*
 * The default key file, or path made absolute; -1 without HOME or a
 * working directory, or when path passes out's cap (the caller refuses
 * one over FILEFMT_PATH_MAX all the same).
 */
static int keyfile_path(const char *path, struct buf *out)
{
	char cwd[4096];

	if (!path) {
		if (base_dir("XDG_CONFIG_HOME", ".config", out))
			return -1;
		buf_addf(out, "/%s/key", FILE_STORE_DIRNAME);
		return 0;
	}
	if (path[0] == '/')
		return buf_try_setn(out, path, strlen(path));
	if (!getcwd(cwd, sizeof(cwd)))
		return -1;
	buf_set(out, cwd);
	if (buf_try_adds(out, "/") < 0 || buf_try_adds(out, path) < 0)
		return -1;
	return 0;
}

/* ---- finding the key ---- */

static void cache_name(const unsigned char *id, char out[8 + 2 * FILEFMT_ID_LEN + 1])
{
	size_t i;

	memcpy(out, "bbtoken:", 8);
	for (i = 0; i < FILEFMT_ID_LEN; i++)
		sprintf(out + 8 + 2 * i, "%02x", id[i]);
}

/*
 * Take master as the store's key if its check value matches the
 * header's: 1 when it does, 0 when not, -1 when OpenSSL failed.
 */
static int try_master(struct fstore *p, const struct filefmt_header *h,
		      const unsigned char *master)
{
	unsigned char enc[FILECRYPT_KEY_LEN], check[FILECRYPT_KEY_LEN];
	int ok;

	if (filecrypt_subkeys(master, h->salt, FILEFMT_SALT_LEN, enc, check))
		return -1;
	ok = filecrypt_check_eq(check, h->check);
	if (ok) {
		memcpy(p->master, master, FILECRYPT_KEY_LEN);
		memcpy(p->enc, enc, FILECRYPT_KEY_LEN);
		memcpy(p->key_id, h->id, FILEFMT_ID_LEN);
		memcpy(p->key_check, h->check, FILEFMT_CHECK_LEN);
		p->have_key = 1;
	}
	wipe(enc, sizeof(enc));
	wipe(check, sizeof(check));
	return ok;
}

static int crypto_failed(struct store *s)
{
	store_set_detail(s, "OpenSSL failed to derive the file store's key");
	return STORE_ERR_FAILED;
}

/* Check a passphrase against the header; takes the key when right. */
static int try_passphrase(struct store *s, const struct filefmt_header *h,
			  const char *pass, size_t len, const char *from)
{
	struct fstore *p = P(s);
	unsigned char master[FILECRYPT_KEY_LEN];
	int ok;

	if (filecrypt_scrypt(pass, len, h->salt, FILEFMT_SALT_LEN, h->log2_n,
			     h->r, h->p, master))
		return crypto_failed(s);
	ok = try_master(p, h, master);
	wipe(master, sizeof(master));
	if (ok < 0)
		return crypto_failed(s);
	if (!ok) {
		store_set_detail(s, "wrong passphrase for the file store %s (it came "
				 "from %s); give the one the store was made with",
				 p->path.buf, from);
		return STORE_ERR_BAD_KEY;
	}
	return STORE_OK;
}

/* May we ask on /dev/tty?  The caller's flag, then git's own switch. */
static int tty_allowed(const struct store *s)
{
	const char *v = getenv("GIT_TERMINAL_PROMPT");

	if (!(s->flags & STORE_TTY))
		return 0;
	return !v || (strcmp(v, "0") && strcasecmp(v, "false"));
}

static int locked(struct store *s)
{
	store_set_detail(s, "the file store %s is locked; unlock it with "
			 "`git credential-bbtoken unlock`", P(s)->path.buf);
	return STORE_ERR_LOCKED;
}

static int passphrase_key(struct store *s, const struct filefmt_header *h)
{
	struct fstore *p = P(s);
	unsigned char master[FILECRYPT_KEY_LEN];
	char name[8 + 2 * FILEFMT_ID_LEN + 1];
	const char *env = getenv("BBTOKEN_PASSPHRASE");
	struct buf prompt = BUF_INIT, pass = BUF_INIT;
	int ok, err;

	cache_name(h->id, name);
	if (!keycache_get(name, master, sizeof(master))) {
		/* A stale key of that name is ignored, not an error. */
		ok = try_master(p, h, master);
		wipe(master, sizeof(master));
		if (ok > 0)
			return STORE_OK;
	}
	if (env && *env)
		return try_passphrase(s, h, env, strlen(env), "BBTOKEN_PASSPHRASE");
	if (!tty_allowed(s))
		return locked(s);
	buf_addf(&prompt, "Passphrase for the file store %s: ", p->path.buf);
	err = term_read_passphrase(prompt.buf, 0, &pass);
	buf_release(&prompt);
	if (err == TERM_NO_TTY)
		return locked(s);
	if (err || !pass.len) {
		buf_release(&pass);
		store_set_detail(s, "no passphrase was given for the file store %s, "
				 "so it stays locked", p->path.buf);
		return STORE_ERR_LOCKED;
	}
	err = try_passphrase(s, h, pass.buf, pass.len, "the terminal");
	buf_release(&pass);
	return err;
}

/* Find the key of the store whose header is h, unless we hold it. */
static int need_key(struct store *s, const struct filefmt_header *h)
{
	struct fstore *p = P(s);
	unsigned char master[FILECRYPT_KEY_LEN];
	int ok, err;

	if (p->have_key && !memcmp(p->key_id, h->id, FILEFMT_ID_LEN) &&
	    !memcmp(p->key_check, h->check, FILEFMT_CHECK_LEN))
		return STORE_OK;
	p->have_key = 0;
	if (h->mode == FILEFMT_MODE_PASSPHRASE)
		return passphrase_key(s, h);
	if ((err = keyfile_read(s, h->keyfile, master)))
		return err;
	ok = try_master(p, h, master);
	wipe(master, sizeof(master));
	if (ok < 0)
		return crypto_failed(s);
	if (!ok) {
		store_set_detail(s, "the key file %s does not match the file store "
				 "%s; put back the key file the store was made with",
				 h->keyfile, p->path.buf);
		return STORE_ERR_BAD_KEY;
	}
	return STORE_OK;
}

/* ---- reading ---- */

static int damaged(struct store *s, const char *why)
{
	store_set_detail(s, "the file store %s %s; it was left untouched: restore "
			 "it from a backup, or move it aside to start a new one",
			 P(s)->path.buf, why);
	return STORE_ERR_DAMAGED;
}

static int read_header(struct store *s, const struct buf *raw,
		       struct filefmt_header *h)
{
	int ret = filefmt_header_decode(h, (const unsigned char *)raw->buf, raw->len);

	if (ret == FILEFMT_VERSION_NEW) {
		store_set_detail(s, "the file store %s was written by a newer "
				 "git-credential-bbtoken (format %u); it was left "
				 "untouched: upgrade to use it", P(s)->path.buf,
				 (unsigned)(unsigned char)raw->buf[8]);
		return STORE_ERR_FAILED;
	}
	if (ret)
		return damaged(s, "has a damaged header");
	return STORE_OK;
}

/*
 * Open the store directory, creating it when asked; STORE_ERR_NOT_FOUND
 * when it is not there and create is unset.
 */
static int open_store_dir(struct store *s, int create)
{
	struct fstore *p = P(s);

	if (p->dirfd >= 0)
		return STORE_OK;
	if (!p->dir.len)
		return no_home(s);
	return open_safe_dir(s, p->dir.buf, create, &p->dirfd);
}

/* Read the raw file and its header; p->exists = 0 when there is none. */
static int load_raw(struct store *s, struct buf *raw, struct filefmt_header *h)
{
	struct fstore *p = P(s);
	int fd, err, r;

	p->exists = 0;
	err = open_store_dir(s, 0);
	if (!err)
		err = open_safe_file(s, p->dirfd, STORE_NAME, p->path.buf,
				     O_RDONLY, &fd);
	if (err == STORE_ERR_NOT_FOUND)
		return STORE_OK;
	if (err)
		return err;
	r = read_all(fd, raw, FILEFMT_FILE_MAX);
	close(fd);
	if (r == -2)
		return damaged(s, "is larger than any file store");
	if (r)
		return io_error(s, "reading", p->path.buf);
	p->exists = 1;
	return read_header(s, raw, h);
}

/*
 * Read, authenticate and decrypt the store into p->hdr and p->plain;
 * p->exists = 0 (and STORE_OK) when there is none yet.
 */
static int load(struct store *s)
{
	struct fstore *p = P(s);
	struct buf raw = BUF_INIT;
	struct filefmt_header *h = &p->hdr;
	int err;

	buf_init(&raw, FILEFMT_FILE_MAX);
	buf_reset(&p->plain);
	err = load_raw(s, &raw, h);
	if (err || !p->exists)
		goto out;
	if ((err = need_key(s, h)))
		goto out;
	if (filecrypt_open(p->enc, h->nonce, raw.buf, h->len, raw.buf + h->len,
			   raw.len - h->len, &p->plain)) {
		err = damaged(s, "fails authentication, so it is damaged or was "
			      "changed by something else");
		goto out;
	}
	if (filefmt_records_check(p->plain.buf, p->plain.len)) {
		buf_reset(&p->plain);
		err = damaged(s, "authenticates but its records do not parse");
	}
out:
	buf_release(&raw);
	return err;
}

static int file_find(struct store *s, const char *host, struct token_list *out)
{
	struct fstore *p = P(s);
	struct filefmt_record r;
	size_t first = out->nr, pos = 0;
	int err = load(s);

	if (err || !p->exists)
		return err;
	while (filefmt_record_next(p->plain.buf, p->plain.len, &pos, &r) == 1) {
		struct token *t = token_new();

		if (token_decode(t, r.payload, r.len) ||
		    (host && !buf_eq(&t->host, host))) {
			token_free(t);
			continue;
		}
		buf_set(&t->id, r.id);
		if (token_list_add(out, t)) {
			store_set_detail(s, "out of memory reading the file store");
			err = STORE_ERR_FAILED;
			break;
		}
	}
	buf_reset(&p->plain);
	token_list_sort_newest(out, first);
	return err;
}

static int file_list(struct store *s, struct token_list *out)
{
	return file_find(s, NULL, out);
}

/* ---- writing ---- */

/* Hold the writers' lock: *fd set, or STORE_ERR_TIMEOUT after 10 s. */
static int take_lock(struct store *s, int *fd)
{
	struct fstore *p = P(s);
	struct buf path = BUF_INIT;
	struct timespec nap = { 0, LOCK_POLL_MS * 1000000L };
	int err, waited = 0;

	buf_addf(&path, "%s/%s", p->dir.buf, LOCK_NAME);
	err = open_safe_file(s, p->dirfd, LOCK_NAME, path.buf, O_RDWR | O_CREAT, fd);
	while (!err && flock(*fd, LOCK_EX | LOCK_NB)) {
		if (errno != EWOULDBLOCK && errno != EINTR) {
			err = io_error(s, "locking", path.buf);
		} else if (waited >= LOCK_WAIT_MS) {
			store_set_detail(s, "another process has held %s for over %d "
					 "seconds; try again, or see who holds it with "
					 "`fuser %s`", path.buf, LOCK_WAIT_MS / 1000,
					 path.buf);
			err = STORE_ERR_TIMEOUT;
		} else {
			nanosleep(&nap, NULL);
			waited += LOCK_POLL_MS;
			continue;
		}
		close(*fd);
		*fd = -1;
	}
	buf_release(&path);
	return err;
}

/* Seal plain under h (a fresh nonce) and put it in place of the store. */
static int write_store(struct store *s, struct filefmt_header *h,
		       const struct buf *plain)
{
	struct fstore *p = P(s);
	struct buf out = BUF_INIT, tmp = BUF_INIT;
	size_t aad;
	int fd = -1, err = STORE_OK;

	buf_init(&out, FILEFMT_FILE_MAX);
	buf_addf(&tmp, "%s/%s", p->dir.buf, TEMP_NAME);
	if (filecrypt_random(h->nonce, FILEFMT_NONCE_LEN) ||
	    filefmt_header_encode(h, &out)) {
		store_set_detail(s, "could not make the header of the file store");
		err = STORE_ERR_FAILED;
		goto out;
	}
	aad = out.len;
	if (filecrypt_seal(p->enc, h->nonce, out.buf, aad, plain->buf, plain->len,
			   &out)) {
		store_set_detail(s, "OpenSSL failed to encrypt the file store");
		err = STORE_ERR_FAILED;
		goto out;
	}
	/* Under the lock a tmp file is a dead writer's: ours to replace. */
	unlinkat(p->dirfd, TEMP_NAME, 0);
	fd = openat(p->dirfd, TEMP_NAME, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW |
		    O_CLOEXEC, 0600);
	if (fd < 0 || write_all(fd, out.buf, out.len) || fsync(fd)) {
		err = io_error(s, "writing", tmp.buf);
		unlinkat(p->dirfd, TEMP_NAME, 0);
	} else if (renameat(p->dirfd, TEMP_NAME, p->dirfd, STORE_NAME)) {
		err = io_error(s, "renaming into place", tmp.buf);
		unlinkat(p->dirfd, TEMP_NAME, 0);
	} else if (fsync(p->dirfd)) {
		err = io_error(s, "syncing the directory", p->dir.buf);
	}
	if (fd >= 0)
		close(fd);
out:
	buf_release(&out);
	buf_release(&tmp);
	return err;
}

/*
 * A new store's header and key: with pass (non-empty), else with the
 * key file keyfile.  Sets the note saying which.
 */
static int fresh_store(struct store *s, const struct buf *pass,
		       const char *keyfile, const char *pass_from)
{
	struct fstore *p = P(s);
	struct filefmt_header *h = &p->hdr;
	unsigned char master[FILECRYPT_KEY_LEN];
	struct buf kpath = BUF_INIT;
	int err = STORE_OK, made = 0;

	memset(h, 0, sizeof(*h));
	if (filecrypt_random(h->salt, FILEFMT_SALT_LEN) ||
	    filecrypt_random(h->id, FILEFMT_ID_LEN)) {
		store_set_detail(s, "no random bytes for a new file store");
		return STORE_ERR_FAILED;
	}
	if (pass) {
		h->mode = FILEFMT_MODE_PASSPHRASE;
		h->kdf = FILEFMT_KDF_SCRYPT;
		h->log2_n = SCRYPT_LOG2_N;
		h->r = SCRYPT_R;
		h->p = SCRYPT_P;
		if (filecrypt_scrypt(pass->buf, pass->len, h->salt,
				     FILEFMT_SALT_LEN, h->log2_n, h->r, h->p, master))
			return crypto_failed(s);
	} else {
		if (keyfile_path(keyfile, &kpath) || kpath.len > FILEFMT_PATH_MAX) {
			buf_release(&kpath);
			store_set_detail(s, "no usable path for the key file");
			return STORE_ERR_FAILED;
		}
		if ((err = keyfile_make(s, kpath.buf, master, &made))) {
			buf_release(&kpath);
			return err;
		}
		h->mode = FILEFMT_MODE_KEYFILE;
		memcpy(h->keyfile, kpath.buf, kpath.len + 1);
		h->keyfile_len = kpath.len;
	}
	if (filecrypt_subkeys(master, h->salt, FILEFMT_SALT_LEN, p->enc,
			      h->check))
		err = crypto_failed(s);
	else
		p->have_key = try_master(p, h, master) > 0;
	wipe(master, sizeof(master));
	buf_set_empty(&s->note);
	if (!err && pass)
		buf_addf(&s->note, "made the encrypted file store %s, locked with the "
			 "passphrase from %s; `git credential-bbtoken unlock` keeps "
			 "it unlocked for a while", p->path.buf, pass_from);
	else if (!err)
		buf_addf(&s->note, "made the encrypted file store %s, locked with %s "
			 "key file %s; keep a copy of the key file apart from the "
			 "store: without it the tokens are lost", p->path.buf,
			 made ? "the new" : "the existing", kpath.buf);
	buf_release(&kpath);
	return err;
}

/*
 * The first write without `init` picks the key mode: a new passphrase
 * asked twice on the terminal, an empty one meaning a key file; without
 * a terminal, BBTOKEN_PASSPHRASE when it is set, else a key file.
 */
static int first_store(struct store *s)
{
	struct buf pass = BUF_INIT, again = BUF_INIT;
	const char *env = getenv("BBTOKEN_PASSPHRASE");
	int err = TERM_NO_TTY;

	if (tty_allowed(s))
		err = term_read_passphrase("New passphrase for the file store "
					   "(empty for a key file): ", 0, &pass);
	if (!err && pass.len)
		err = term_read_passphrase("The same passphrase again: ", 0, &again);
	if (err == TERM_NO_TTY) {
		buf_release(&pass);
		if (env && *env)
			buf_set(&pass, env);
		err = fresh_store(s, pass.len ? &pass : NULL, NULL,
				  "BBTOKEN_PASSPHRASE");
	} else if (err) {
		store_set_detail(s, "no new passphrase could be read from the "
				 "terminal, so nothing was stored");
		err = STORE_ERR_FAILED;
	} else if (pass.len && !secret_eq(pass.buf, pass.len, again.buf, again.len)) {
		store_set_detail(s, "the two passphrases differ, so nothing was "
				 "stored; try again");
		err = STORE_ERR_FAILED;
	} else {
		err = fresh_store(s, pass.len ? &pass : NULL, NULL, "the terminal");
	}
	buf_release(&pass);
	buf_release(&again);
	return err;
}

enum change_kind { CHANGE_PUT, CHANGE_MARK, CHANGE_REMOVE };

struct change {
	enum change_kind kind;
	struct token *t;	/* put: the token; mark/remove: t->id */
	int rejected;
	char new_id[FILEFMT_RECORD_ID_LEN + 1];	/* put of a new token */
};

static int id_in_use(const struct buf *plain, const char *id)
{
	struct filefmt_record r;
	size_t pos = 0;

	while (filefmt_record_next(plain->buf, plain->len, &pos, &r) == 1)
		if (!strcmp(r.id, id))
			return 1;
	return 0;
}

static int new_id(const struct buf *plain, char out[FILEFMT_RECORD_ID_LEN + 1])
{
	unsigned char raw[FILEFMT_RECORD_ID_LEN / 2];
	size_t i;

	do {
		if (filecrypt_random(raw, sizeof(raw)))
			return -1;
		for (i = 0; i < sizeof(raw); i++)
			sprintf(out + 2 * i, "%02x", raw[i]);
	} while (id_in_use(plain, out));
	return 0;
}

/* The record r as the change leaves it, appended to out. */
static int apply_one(struct change *c, const struct filefmt_record *r,
		     const struct buf *payload, struct buf *out, int *hit)
{
	struct token t;
	struct buf enc = BUF_INIT;
	int ret;

	if (!buf_eq(&c->t->id, r->id))
		return filefmt_record_add(out, r->id, r->payload, r->len);
	*hit = 1;
	if (c->kind == CHANGE_REMOVE)
		return 0;
	if (c->kind == CHANGE_PUT)
		return filefmt_record_add(out, r->id, payload->buf, payload->len);
	token_init(&t);
	ret = token_decode(&t, r->payload, r->len);
	if (!ret) {
		t.rejected = !!c->rejected;
		ret = token_encode(&t, &enc);
	}
	if (!ret)
		ret = filefmt_record_add(out, r->id, enc.buf, enc.len);
	token_release(&t);
	buf_release(&enc);
	return ret;
}

/* The plaintext p->plain with the change applied, into out. */
static int apply(struct store *s, struct change *c, struct buf *out)
{
	struct fstore *p = P(s);
	struct buf payload = BUF_INIT;
	struct filefmt_record r;
	size_t pos = 0;
	int hit = 0, bad = 0, fresh = c->kind == CHANGE_PUT && !buf_isset(&c->t->id);

	if (c->kind == CHANGE_PUT && token_encode(c->t, &payload)) {
		store_set_detail(s, "a field of the token holds a line break or NUL");
		return STORE_ERR_FAILED;
	}
	filefmt_records_begin(out);
	if (p->exists)
		while (!bad && filefmt_record_next(p->plain.buf, p->plain.len,
						   &pos, &r) == 1)
			bad = fresh ? filefmt_record_add(out, r.id, r.payload, r.len)
				    : apply_one(c, &r, &payload, out, &hit);
	if (!bad && fresh)
		bad = new_id(&p->plain, c->new_id) ||
		      filefmt_record_add(out, c->new_id, payload.buf, payload.len);
	buf_release(&payload);
	if (bad) {
		store_set_detail(s, "the token is too large for the file store "
				 "%s, or the store is full (16 MiB); remove tokens "
				 "you no longer use with `git credential-bbtoken "
				 "remove`", p->path.buf);
		return STORE_ERR_FAILED;
	}
	if (!fresh && !hit) {
		store_set_detail(s, "the token is no longer in the file store %s",
				 p->path.buf);
		return STORE_ERR_NOT_FOUND;
	}
	return STORE_OK;
}

/*
 * Every write: under the lock, read and authenticate what is there,
 * apply the change, and put the result in place.  A put finding no
 * store makes one (first_store); mark and remove find nothing to change.
 */
static int mutate(struct store *s, struct change *c)
{
	struct fstore *p = P(s);
	struct buf out = BUF_INIT;
	int lock = -1, err;

	buf_init(&out, FILEFMT_FILE_MAX);
	err = open_store_dir(s, c->kind == CHANGE_PUT);
	if (err == STORE_ERR_NOT_FOUND) {
		store_set_detail(s, "the token is no longer in the file store %s, "
				 "which does not exist", p->path.buf);
		return err;
	}
	if (!err)
		err = take_lock(s, &lock);
	if (!err)
		err = load(s);
	if (!err && !p->exists) {
		if (c->kind != CHANGE_PUT) {
			store_set_detail(s, "the token is no longer in the file store "
					 "%s, which does not exist", p->path.buf);
			err = STORE_ERR_NOT_FOUND;
		} else {
			err = first_store(s);
		}
	}
	if (!err)
		err = apply(s, c, &out);
	if (!err)
		err = write_store(s, &p->hdr, &out);
	buf_release(&out);
	buf_reset(&p->plain);
	if (lock >= 0)
		close(lock);
	return err;
}

static int file_put(struct store *s, struct token *t)
{
	struct change c = { CHANGE_PUT, t, 0, "" };
	long long created = t->created;
	int err;

	if (!buf_isset(&t->id) && !t->created)
		t->created = time(NULL);
	err = mutate(s, &c);
	if (err)
		t->created = created;
	else if (c.new_id[0])
		buf_set(&t->id, c.new_id);
	return err;
}

static int no_record(struct store *s)
{
	store_set_detail(s, "the token has no record in the file store");
	return STORE_ERR_NOT_FOUND;
}

static int file_mark(struct store *s, const struct token *t, int rejected)
{
	struct change c = { CHANGE_MARK, (struct token *)t, rejected, "" };

	return buf_isset(&t->id) ? mutate(s, &c) : no_record(s);
}

static int file_remove(struct store *s, const struct token *t)
{
	struct change c = { CHANGE_REMOVE, (struct token *)t, 0, "" };

	return buf_isset(&t->id) ? mutate(s, &c) : no_record(s);
}

static void file_close(struct store *s)
{
	struct fstore *p = P(s);

	if (p->dirfd >= 0)
		close(p->dirfd);
	buf_release(&p->dir);
	buf_release(&p->path);
	buf_release(&p->plain);
	wipe(p, sizeof(*p));
	free(p);
	store_free(s);
}

static const struct store_ops file_ops = {
	.name = "file",
	.find = file_find,
	.put = file_put,
	.mark = file_mark,
	.remove = file_remove,
	.list = file_list,
	.close = file_close,
};

/* Nothing is touched here: the first operation reads or makes the store. */
int store_file_open(struct store **out, int flags)
{
	struct fstore *p = xcalloc(1, sizeof(*p));
	struct store *s;

	p->dirfd = -1;
	buf_init(&p->plain, FILEFMT_FILE_MAX);
	*out = s = store_new(&file_ops, p, flags);
	if (!base_dir("XDG_DATA_HOME", ".local/share", &p->dir)) {
		buf_addf(&p->dir, "/%s", FILE_STORE_DIRNAME);
		buf_addf(&p->path, "%s/%s", p->dir.buf, STORE_NAME);
		buf_addf(&s->where, "the encrypted file store %s", p->path.buf);
	} else {
		buf_release(&p->dir);
		buf_set(&s->where, "the encrypted file store");
	}
	return STORE_OK;
}

/* ---- init, unlock, lock (file.h) ---- */

const char *file_store_path(struct store *s)
{
	return buf_str(&P(s)->path);
}

void file_info_release(struct file_info *info)
{
	buf_release(&info->keyfile);
}

static int header_only(struct store *s, struct filefmt_header *h)
{
	struct fstore *p = P(s);
	struct buf raw = BUF_INIT;
	int err;

	buf_init(&raw, FILEFMT_FILE_MAX);
	err = load_raw(s, &raw, h);
	buf_release(&raw);
	if (!err && !p->exists) {
		store_set_detail(s, "there is no file store at %s yet; make one with "
				 "`git credential-bbtoken init`", buf_str(&p->path));
		err = STORE_ERR_NOT_FOUND;
	}
	return err;
}

int file_store_info(struct store *s, struct file_info *info)
{
	struct filefmt_header *h = xmalloc(sizeof(*h));
	char name[8 + 2 * FILEFMT_ID_LEN + 1];
	unsigned char master[FILECRYPT_KEY_LEN];
	int err = header_only(s, h);

	memset(info, 0, sizeof(*info));
	if (!err) {
		info->mode = h->mode;
		if (h->mode == FILEFMT_MODE_KEYFILE)
			buf_set(&info->keyfile, h->keyfile);
		cache_name(h->id, name);
		info->cached = !keycache_get(name, master, sizeof(master));
		wipe(master, sizeof(master));
	}
	free(h);
	return err;
}

int file_store_create(struct store *s, const struct buf *passphrase,
		      const char *keyfile)
{
	struct fstore *p = P(s);
	struct buf empty = BUF_INIT;
	struct stat st;
	int lock = -1, err;

	err = open_store_dir(s, 1);
	if (!err)
		err = take_lock(s, &lock);
	if (!err && !fstatat(p->dirfd, STORE_NAME, &st, AT_SYMLINK_NOFOLLOW)) {
		store_set_detail(s, "the file store %s exists already; use it as it "
				 "is, or remove it with `rm %s` (its tokens go with it) "
				 "and run init again", p->path.buf, p->path.buf);
		err = STORE_ERR_FAILED;
	}
	if (!err)
		err = fresh_store(s, passphrase, keyfile, "the passphrase given");
	if (!err) {
		filefmt_records_begin(&empty);
		err = write_store(s, &p->hdr, &empty);
	}
	buf_release(&empty);
	if (lock >= 0)
		close(lock);
	return err;
}

/* Is err from the kernel keyring one of a system without it? */
static int keyring_missing(struct store *s, int err)
{
	store_set_detail(s, "the kernel keyring cannot be used here (%s), so the "
			 "key cannot be cached; give the passphrase with "
			 "BBTOKEN_PASSPHRASE or on the terminal each time",
			 strerror(-err));
	return STORE_ERR_UNAVAILABLE;
}

int file_store_unlock(struct store *s, const struct buf *passphrase,
		      unsigned seconds)
{
	struct fstore *p = P(s);
	struct filefmt_header *h = xmalloc(sizeof(*h));
	char name[8 + 2 * FILEFMT_ID_LEN + 1];
	int err = header_only(s, h), kerr;

	if (!err && h->mode != FILEFMT_MODE_PASSPHRASE) {
		store_set_detail(s, "the file store %s opens with the key file %s "
				 "and needs no unlocking", p->path.buf, h->keyfile);
		err = STORE_ERR_FAILED;
	}
	if (!err)
		err = try_passphrase(s, h, passphrase->buf, passphrase->len,
				     "the passphrase given");
	if (!err) {
		cache_name(h->id, name);
		kerr = keycache_put(name, p->master, FILECRYPT_KEY_LEN, seconds);
		if (kerr && keycache_missing(kerr))
			err = keyring_missing(s, kerr);
		else if (kerr) {
			store_set_detail(s, "the kernel keyring refused the key: %s",
					 strerror(-kerr));
			err = STORE_ERR_FAILED;
		}
	}
	free(h);
	return err;
}

int file_store_lock(struct store *s, int *dropped)
{
	struct filefmt_header *h = xmalloc(sizeof(*h));
	char name[8 + 2 * FILEFMT_ID_LEN + 1];
	int err = header_only(s, h), kerr;

	*dropped = 0;
	if (!err) {
		cache_name(h->id, name);
		kerr = keycache_drop(name);
		if (!kerr)
			*dropped = 1;
		else if (keycache_missing(kerr))
			err = keyring_missing(s, kerr);
		else if (kerr != -ENOKEY) {
			store_set_detail(s, "the kernel keyring refused to drop the "
					 "key: %s", strerror(-kerr));
			err = STORE_ERR_FAILED;
		}
	}
	free(h);
	return err;
}
