/* SPDX-License-Identifier: MIT */
/*
 * doctor's looking (see doctor.h).  git's config is read once, with
 * `git config --get-regexp --show-scope --show-origin`, and the helper
 * chain is worked out here the way git's credential.c does it: every
 * credential.helper and credential.<url>.helper whose URL matches, in
 * the order git reads them (system, global, local, command line), an
 * empty value forgetting those before it.  `git config --get-urlmatch`
 * cannot tell that: it answers one value, the most specific.
 */
#include "doctor.h"
#include "cmd.h"
#include "date.h"
#include "fingerprint.h"
#include "pick.h"
#include "run.h"
#include "store.h"
#include "store/foreign.h"

#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* One entry of git's config, as --show-scope --show-origin gives it. */
/*
 * What doctor takes from outside (git config, a credentials file,
 * another program's keyring item) is held to 64 KiB a value, git's own
 * limit on a line of its credential protocol: nothing longer is a URL or
 * helper git would use with us.  An action quotes a few such values, so
 * it stays far under a buf's cap and is composed with the plain buf
 * functions.  A finding's text may also quote our own store (a label,
 * a store's detail, each up to the cap): add() takes it with buf_try_*.
 */
#define DOCTOR_VALUE_MAX (64 * 1024)

struct entry {
	const char *scope, *origin, *key, *value;	/* value NULL: none */
};

struct config {
	struct buf raw;
	struct entry *v;
	size_t nr;
};

/* Parts of an https URL; user and pass percent-decoded. */
struct url {
	struct buf scheme, user, pass, host, path;
	int has_pass;
};

static void url_init(struct url *u)
{
	memset(u, 0, sizeof(*u));
}

static void url_release(struct url *u)
{
	buf_release(&u->scheme);
	buf_release(&u->user);
	buf_release(&u->pass);
	buf_release(&u->host);
	buf_release(&u->path);
}

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static void decode(struct buf *out, const char *s, size_t len)
{
	size_t i;

	buf_set_empty(out);
	for (i = 0; i < len; i++) {
		if (s[i] == '%' && i + 2 < len && hexval(s[i + 1]) >= 0 &&
		    hexval(s[i + 2]) >= 0) {
			buf_addch(out, hexval(s[i + 1]) * 16 + hexval(s[i + 2]));
			i += 2;
		} else {
			buf_addch(out, s[i]);
		}
	}
}

/* scheme://[user[:pass]@]host[/path]; -1 when it is not such a URL. */
static int url_parse(const char *s, struct url *u)
{
	const char *p = strstr(s, "://"), *auth, *at, *colon, *slash;

	if (!p || p == s)
		return -1;
	buf_setn(&u->scheme, s, p - s);
	auth = p + 3;
	slash = auth + strcspn(auth, "/?#");
	at = memchr(auth, '@', slash - auth);
	/* The last '@' before the path ends the userinfo. */
	while (at && memchr(at + 1, '@', slash - at - 1))
		at = memchr(at + 1, '@', slash - at - 1);
	if (at) {
		colon = memchr(auth, ':', at - auth);
		decode(&u->user, auth, (colon ? colon : at) - auth);
		if (colon) {
			decode(&u->pass, colon + 1, at - colon - 1);
			u->has_pass = 1;
		}
		auth = at + 1;
	}
	{
		struct buf raw = BUF_INIT;
		int ret;

		/* git credential-store writes the port's colon as %3a. */
		decode(&raw, auth, slash - auth);
		ret = bb_host_canonical(raw.buf, &u->host);
		buf_release(&raw);
		if (ret < 0)
			return -1;
	}
	buf_set(&u->path, slash);
	return 0;
}

/* "host:port" against a host pattern of git's (a '*' per label). */
static int host_matches(const char *pattern, const char *host)
{
	const char *pc = strrchr(pattern, ':'), *hc = strrchr(host, ':');
	char pl[256], hl[256];
	const char *p = pattern, *h = host;
	const char *pend = pc ? pc : pattern + strlen(pattern);
	const char *hend = hc ? hc : host + strlen(host);

	if (strcmp(pc ? pc : "", hc ? hc : ""))
		return 0;
	while (p < pend && h < hend) {
		size_t pn = strcspn(p, ".:"), hn = strcspn(h, ".:");

		if (pn >= sizeof(pl) || hn >= sizeof(hl))
			return 0;
		memcpy(pl, p, pn);
		pl[pn] = '\0';
		memcpy(hl, h, hn);
		hl[hn] = '\0';
		if (fnmatch(pl, hl, 0))
			return 0;
		p += pn;
		h += hn;
		if ((*p == '.') != (*h == '.'))
			return 0;
		if (*p == '.') {
			p++;
			h++;
		}
	}
	return p >= pend && h >= hend;
}

/*
 * Does the URL of a credential.<url>.* key apply to https://host/?  As
 * git's urlmatch: same scheme and port, host with wildcards, no user,
 * no path beyond "/"; a URL without a scheme is matched as git's
 * partial URLs are, by host alone.
 */
static int config_url_matches(const char *cfg, const char *host)
{
	struct url u;
	struct buf h = BUF_INIT;
	int ok = 0;

	url_init(&u);
	if (!strstr(cfg, "://")) {
		size_t n = strcspn(cfg, "/");

		buf_setn(&h, cfg, n);
		ok = (!cfg[n] || !strcmp(cfg + n, "/")) &&
		     !bb_host_canonical(h.buf, &u.host) &&
		     !strcmp(u.host.buf, host);
	} else if (!url_parse(cfg, &u)) {
		ok = !strcasecmp(u.scheme.buf, "https") && !buf_isset(&u.user) &&
		     (!u.path.len || !strcmp(u.path.buf, "/")) &&
		     host_matches(u.host.buf, host);
	}
	buf_release(&h);
	url_release(&u);
	return ok;
}

/* ---- git's config ---- */

static int config_read(struct config *c)
{
	static const char *const argv[] = {
		"git", "config", "-z", "--show-scope", "--show-origin",
		"--get-regexp",
		"^(credential\\..*|remote\\..*\\.(url|pushurl)|"
		"url\\..*\\.(insteadof|pushinsteadof)|http\\..*extraheader|"
		"transfer\\.credentialsinurl|bbtoken\\.host)$", NULL
	};
	size_t pos, alloc = 0;
	int ret;

	memset(c, 0, sizeof(*c));
	ret = run_git(argv, &c->raw);
	/* 1: no key matched; anything above means git failed. */
	if (ret < 0 || ret > 1)
		return -1;
	for (pos = 0; c->raw.buf && pos < c->raw.len;) {
		struct entry e;
		char *nl;

		e.scope = c->raw.buf + pos;
		pos += strlen(e.scope) + 1;
		if (pos >= c->raw.len)
			break;
		e.origin = c->raw.buf + pos;
		pos += strlen(e.origin) + 1;
		if (pos >= c->raw.len)
			break;
		e.key = c->raw.buf + pos;
		pos += strlen(e.key) + 1;
		nl = strchr(e.key, '\n');
		e.value = NULL;
		if (nl) {
			*nl = '\0';
			e.value = nl + 1;
		}
		if (strlen(e.origin) > DOCTOR_VALUE_MAX ||
		    strlen(e.key) > DOCTOR_VALUE_MAX ||
		    (e.value && strlen(e.value) > DOCTOR_VALUE_MAX))
			continue;
		if (c->nr == alloc) {
			struct entry *v = xcalloc(alloc = alloc ? 2 * alloc : 16,
						  sizeof(*v));

			if (c->nr)
				memcpy(v, c->v, c->nr * sizeof(*v));
			free(c->v);
			c->v = v;
		}
		c->v[c->nr++] = e;
	}
	return 0;
}

static void config_release(struct config *c)
{
	buf_release(&c->raw);
	free(c->v);
}

/*
 * Split "section.sub.section.var" into its subsection (NULL when none)
 * and var.  The subsection of a URL holds dots, so var is after the last
 * one and the section before the first.
 */
static int key_split(const char *key, const char *section, struct buf *sub,
		     const char **var)
{
	size_t n = strlen(section);
	const char *last = strrchr(key, '.');

	buf_release(sub);
	if (strncmp(key, section, n) || key[n] != '.' || !last)
		return 0;
	*var = last + 1;
	if (last > key + n)
		buf_setn(sub, key + n + 1, last - key - n - 1);
	return 1;
}

/* "file:/home/u/.gitconfig" as people read it. */
static const char *origin_file(const char *origin)
{
	return strncmp(origin, "file:", 5) ? origin : origin + 5;
}

/* ---- findings ---- */

static struct doctor_finding *add(struct doctor_report *r,
				  enum doctor_severity sev, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static struct doctor_finding *add(struct doctor_report *r,
				  enum doctor_severity sev, const char *fmt, ...)
{
	struct doctor_finding *f;
	va_list ap;

	if (r->nr == r->alloc) {
		size_t n = r->alloc ? 2 * r->alloc : 8;
		struct doctor_finding *v = xcalloc(n, sizeof(*v));

		if (r->nr)
			memcpy(v, r->v, r->nr * sizeof(*v));
		free(r->v);
		r->v = v;
		r->alloc = n;
	}
	f = &r->v[r->nr++];
	memset(f, 0, sizeof(*f));
	f->severity = sev;
	va_start(ap, fmt);
	if (buf_try_vaddf(&f->text, fmt, ap) < 0)
		buf_set(&f->text, "a finding too long to show: it quotes a value "
			"over 1 MiB; fix: look at the labels of your tokens with "
			"git credential-bbtoken list");
	va_end(ap);
	return f;
}

static void set_fix(struct doctor_finding *f, enum doctor_fix fix,
		    const char *where, const char *name, const char *value)
{
	f->fix = fix;
	if (where)
		buf_set(&f->where, where);
	if (name)
		buf_set(&f->name, name);
	if (value)
		buf_set(&f->value, value);
}

/* ---- the helper chain ---- */

struct helper {
	const char *value, *scope, *origin;
};

static int helper_is_ours(const char *value)
{
	size_t n = strcspn(value, " \t");

	if (*value == '!')
		return 0;
	return (n == 7 && !strncmp(value, "bbtoken", 7)) ||
	       (n >= 22 && !strncmp(value + n - 22, "git-credential-bbtoken", 22));
}

/* The helper's name: "store" of "store --file x", the base of a path. */
static void helper_name(const char *value, struct buf *out)
{
	size_t n = strcspn(value, " \t");
	const char *slash;

	buf_setn(out, value, n);
	if (*value == '!') {
		buf_set(out, "a shell command");
		return;
	}
	slash = strrchr(out->buf, '/');
	if (slash)
		buf_set(out, slash + 1);
	if (!strncmp(out->buf, "git-credential-", 15))
		buf_set(out, out->buf + 15);
}

/* Helpers that keep what git gives them: a second copy of each token. */
static int helper_keeps(const char *name)
{
	static const char *const keepers[] = {
		"store", "libsecret", "manager", "manager-core", "osxkeychain",
		"gnome-keyring", "wincred", "oauth", NULL
	};
	size_t i;

	for (i = 0; keepers[i]; i++)
		if (!strcmp(name, keepers[i]))
			return 1;
	return 0;
}

static size_t helper_chain(const struct config *c, const char *host,
			   struct helper *out, size_t max)
{
	struct buf sub = BUF_INIT;
	size_t i, n = 0;
	const char *var;

	for (i = 0; i < c->nr; i++) {
		const struct entry *e = &c->v[i];

		if (!key_split(e->key, "credential", &sub, &var) ||
		    strcmp(var, "helper"))
			continue;
		if (buf_isset(&sub) && !config_url_matches(sub.buf, host))
			continue;
		if (!e->value || !*e->value) {
			n = 0;	/* git: an empty value forgets those before */
			continue;
		}
		if (n < max) {
			out[n].value = e->value;
			out[n].scope = e->scope;
			out[n].origin = e->origin;
			n++;
		}
	}
	buf_release(&sub);
	return n;
}

static int chain_fixable(const struct helper *h)
{
	/* setup writes the global config: it can reset what comes before. */
	return !strcmp(h->scope, "system") || !strcmp(h->scope, "global");
}

static void look_chain(const struct config *c, const char *host,
		       struct doctor_report *r, int *gcm)
{
	struct helper chain[32];
	struct buf name = BUF_INIT, fix = BUF_INIT;
	size_t n = helper_chain(c, host, chain, 32), i, ours = n;
	struct doctor_finding *f;

	if (!strcmp(host, BB_DEFAULT_HOST))
		buf_set(&fix, "git credential-bbtoken setup");
	else
		buf_addf(&fix, "git credential-bbtoken doctor --fix --host=%s", host);
	for (i = 0; i < n && ours == n; i++)
		if (helper_is_ours(chain[i].value))
			ours = i;
	for (i = 0; i < n; i++) {
		helper_name(chain[i].value, &name);
		if (!strncmp(name.buf, "manager", 7))
			*gcm = 1;
	}
	if (ours == n) {
		f = add(r, DOCTOR_ERROR, "git runs no bbtoken helper for https://%s/ "
			"(%zu other helper%s), so no stored token is ever sent; "
			"fix: %s", host, n, n == 1 ? "" : "s", fix.buf);
		set_fix(f, DOCTOR_FIX_HELPERS, NULL, host, NULL);
		buf_addf(&f->action, "make git ask only bbtoken for https://%s/", host);
	}
	for (i = 0; i < n; i++) {
		if (i == ours)
			continue;
		helper_name(chain[i].value, &name);
		if (i < ours && ours < n)
			f = add(r, DOCTOR_ERROR, "credential helper '%s' (%s) runs "
				"before bbtoken for https://%s/ and answers first, so "
				"git sends what it keeps (maybe a dead app password) "
				"instead of the token; fix: %s", name.buf,
				origin_file(chain[i].origin), host,
				chain_fixable(&chain[i]) ? fix.buf :
				"remove it from that file with git config --edit");
		else if (i > ours && helper_keeps(name.buf))
			f = add(r, DOCTOR_WARNING, "credential helper '%s' (%s) runs "
				"after bbtoken for https://%s/ and keeps a second "
				"copy of every token git uses, which outlives a rotate; "
				"fix: %s", name.buf, origin_file(chain[i].origin), host,
				chain_fixable(&chain[i]) ? fix.buf :
				"remove it from that file with git config --edit");
		else
			continue;
		if (chain_fixable(&chain[i]) && ours < n) {
			set_fix(f, DOCTOR_FIX_HELPERS, NULL, host, NULL);
			buf_addf(&f->action, "make git ask only bbtoken for "
				 "https://%s/ (as setup does)", host);
		}
	}
	buf_release(&name);
	buf_release(&fix);
}

/* ---- credentials other programs keep ---- */

/*
 * What is wrong with a username and secret kept for a Bitbucket host;
 * NULL when nothing.  *sev and *dead say how bad.
 */
static const char *judge_secret(const char *user, const struct buf *pass,
				enum doctor_severity *sev, int *dead)
{
	enum bb_kind kind = bb_token_kind(pass->buf, pass->len);

	*dead = 0;
	*sev = DOCTOR_ERROR;
	if (kind == BB_KIND_APP_PASSWORD) {
		*dead = 1;
		return "an app password, which Bitbucket refuses since 28 July 2026 "
		       "(git sees HTTP 410)";
	}
	if (kind == BB_KIND_OPAQUE) {
		if (user && !strcmp(user, BB_USER_ACCESS_TOKEN)) {
			*sev = DOCTOR_NOTE;
			return "an OAuth token, which lives an hour; bbtoken keeps "
			       "API and access tokens instead";
		}
		*dead = 1;
		return "a password that is not a Bitbucket token, and Bitbucket "
		       "takes only API and access tokens over git";
	}
	if (bb_is_email(user))
		return "a token with an email as the username, which Bitbucket "
		       "refuses over git (401)";
	if (kind == BB_KIND_API_TOKEN && user && !strcmp(user, BB_USER_ACCESS_TOKEN))
		return "an API token with the username x-token-auth, which "
		       "Bitbucket refuses for API tokens";
	if (kind == BB_KIND_ACCESS_TOKEN && user && *user &&
	    strcmp(user, BB_USER_ACCESS_TOKEN))
		return "an access token with a username other than x-token-auth, "
		       "which Bitbucket refuses";
	*sev = DOCTOR_WARNING;
	return "a token outside bbtoken, which nothing warns about before it "
	       "expires and which rotate cannot replace";
}

static const char *tilde(const char *path, struct buf *out)
{
	const char *home = getenv("HOME");
	size_t n = home ? strlen(home) : 0;

	buf_release(out);
	if (n && !strncmp(path, home, n) && path[n] == '/')
		buf_addf(out, "~%s", path + n);
	else
		buf_set(out, path);
	return out->buf;
}

static void look_cred_file(const char *file, const struct bb_hosts *hosts,
			   struct doctor_report *r)
{
	FILE *fp = fopen(file, "r");
	struct buf line = BUF_INIT, shown = BUF_INIT;
	char chunk[1024];
	int lineno = 0, too_long = 0;

	if (!fp)
		return;
	tilde(file, &shown);
	buf_init(&line, DOCTOR_VALUE_MAX);
	buf_set_empty(&line);
	while (fgets(chunk, sizeof(chunk), fp)) {
		size_t n = strlen(chunk), k;
		int whole = n && chunk[n - 1] == '\n';
		struct url u;

		/* A longer line is not one git credential-store wrote: skip it. */
		if (!too_long && buf_try_add(&line, chunk, n) < 0)
			too_long = 1;
		wipe(chunk, sizeof(chunk));
		if (!whole && !feof(fp))
			continue;
		lineno++;
		if (too_long) {
			too_long = 0;
			buf_set_empty(&line);
			continue;
		}
		while (line.len && (line.buf[line.len - 1] == '\n' ||
				    line.buf[line.len - 1] == '\r'))
			line.buf[--line.len] = '\0';
		url_init(&u);
		if (!url_parse(line.buf, &u) && !strcasecmp(u.scheme.buf, "https"))
			for (k = 0; k < hosts->nr; k++) {
				enum doctor_severity sev;
				struct doctor_finding *f;
				const char *why;
				int dead;

				if (strcmp(u.host.buf, hosts->v[k]) || !u.has_pass)
					continue;
				why = judge_secret(u.user.buf, &u.pass, &sev, &dead);
				f = add(r, sev, "line %d of %s (git credential-store) "
					"holds, for %s and user '%s', %s; fix: %s",
					lineno, shown.buf, u.host.buf, buf_str(&u.user), why,
					dead ? "git credential-bbtoken doctor --fix" :
					"git credential-bbtoken migrate");
				f->dead = dead;
				if (dead) {
					set_fix(f, DOCTOR_FIX_CRED_LINE, file, NULL, NULL);
					buf_set(&f->secret, line.buf);
					buf_addf(&f->action, "remove line %d of %s",
						 lineno, shown.buf);
				}
			}
		url_release(&u);
		buf_set_empty(&line);
	}
	fclose(fp);
	buf_release(&line);
	buf_release(&shown);
}

static void look_cred_files(const struct bb_hosts *hosts, struct doctor_report *r)
{
	const char *home = getenv("HOME"), *xdg = getenv("XDG_CONFIG_HOME");
	struct buf path = BUF_INIT;

	if (home) {
		buf_addf(&path, "%s/.git-credentials", home);
		look_cred_file(path.buf, hosts, r);
	}
	buf_release(&path);
	if (xdg && *xdg)
		buf_addf(&path, "%s/git/credentials", xdg);
	else if (home)
		buf_addf(&path, "%s/.config/git/credentials", home);
	if (buf_isset(&path))
		look_cred_file(path.buf, hosts, r);
	buf_release(&path);
}

static void look_foreign(const struct bb_hosts *hosts, struct doctor_report *r)
{
	struct buf detail = BUF_INIT;
	size_t k, i;

	/* No session bus: nobody's items to look at, and nothing to wait for. */
	if (!getenv("DBUS_SESSION_BUS_ADDRESS"))
		return;
	for (k = 0; k < hosts->nr; k++) {
		struct foreign_list l = FOREIGN_LIST_INIT;
		size_t locked = 0;
		int err = foreign_find(hosts->v[k], &l, &detail);

		if (err == STORE_ERR_UNAVAILABLE) {
			foreign_list_release(&l);
			break;
		}
		if (err)
			/* detail may quote the bus's error: held to a value's size. */
			add(r, DOCTOR_WARNING, "other helpers' keyring items for %s "
			    "could not be read (%.*s), so dead ones may hide there; "
			    "fix: restart the keyring and run git credential-bbtoken "
			    "doctor again", hosts->v[k], DOCTOR_VALUE_MAX, detail.buf);
		for (i = 0; i < l.nr; i++) {
			const struct foreign_item *it = &l.v[i];
			enum doctor_severity sev;
			struct doctor_finding *f;
			const char *why;
			int dead;

			if (it->locked) {
				locked++;
				continue;
			}
			/* Another program's item: its values may be any size. */
			if (it->username.len > DOCTOR_VALUE_MAX ||
			    it->path.len > DOCTOR_VALUE_MAX)
				continue;
			why = judge_secret(it->username.buf, &it->password, &sev, &dead);
			f = add(r, sev, "a keyring item of %s holds, for %s and user "
				"'%s', %s; fix: %s", foreign_kind_name(it->kind),
				hosts->v[k], it->username.buf, why,
				dead ? "git credential-bbtoken doctor --fix" :
				"git credential-bbtoken migrate");
			f->dead = dead;
			if (dead) {
				set_fix(f, DOCTOR_FIX_FOREIGN, it->path.buf,
					hosts->v[k], NULL);
				buf_addf(&f->action, "delete the keyring item of %s for "
					 "%s and user '%s'", foreign_kind_name(it->kind),
					 hosts->v[k], it->username.buf);
			}
		}
		if (locked)
			add(r, DOCTOR_WARNING, "%zu keyring item%s of other helpers for "
			    "%s %s locked and could not be checked; fix: unlock the "
			    "keyring and run git credential-bbtoken doctor again",
			    locked, locked == 1 ? "" : "s", hosts->v[k],
			    locked == 1 ? "is" : "are");
		foreign_list_release(&l);
	}
	buf_release(&detail);
}

/* ---- URLs in the repository and in git's config ---- */

static int host_listed(const struct bb_hosts *hosts, const char *host)
{
	size_t k;

	for (k = 0; k < hosts->nr; k++)
		if (!strcmp(hosts->v[k], host))
			return 1;
	return 0;
}

/* The URL without password, and without a username Bitbucket refuses. */
static void clean_url(const char *url, const struct url *u, struct buf *out)
{
	const char *auth = strstr(url, "://") + 3;
	const char *end = auth + strcspn(auth, "/?#"), *at, *rest = auth;

	for (at = auth; at < end && (at = memchr(at, '@', end - at)); at++)
		rest = at + 1;
	buf_release(out);
	buf_addf(out, "%s://", u->scheme.buf);
	/* An account username picks the account; anything else goes. */
	if (bb_is_account_user(u->user.buf))
		buf_addf(out, "%s@", u->user.buf);
	buf_adds(out, rest);
}

/* What is wrong with the userinfo of u; NULL when nothing. */
static const char *judge_url(const struct url *u, enum doctor_severity *sev)
{
	*sev = DOCTOR_ERROR;
	if (u->has_pass)
		return "carries a password or token, which lands in .git/config "
		       "and logs and is sent instead of bbtoken's";
	if (bb_is_email(u->user.buf)) {
		*sev = DOCTOR_WARNING;
		return "has an email as the username, which Bitbucket refuses "
		       "over git (bbtoken drops it, with a warning each time)";
	}
	return NULL;
}

static void look_remotes(const struct config *c, struct doctor_report *r)
{
	struct buf sub = BUF_INIT, clean = BUF_INIT, key = BUF_INIT;
	size_t i, j;
	const char *var;

	for (i = 0; i < c->nr; i++) {
		const struct entry *e = &c->v[i];
		enum doctor_severity sev;
		struct doctor_finding *f;
		const char *why;
		int push, count = 0;
		struct url u;

		if (!key_split(e->key, "remote", &sub, &var) || !buf_isset(&sub) ||
		    !e->value)
			continue;
		push = !strcmp(var, "pushurl");
		url_init(&u);
		if (url_parse(e->value, &u) || strcasecmp(u.scheme.buf, "https") ||
		    !host_listed(&r->hosts, u.host.buf))
			goto next;
		if (!buf_isset(&r->repo)) {
			struct buf ws = BUF_INIT, repo = BUF_INIT;

			if (!bb_parse_path(u.path.buf + (u.path.buf[0] == '/'), &ws,
					   &repo)) {
				buf_addf(&r->repo, "%s/%s", ws.buf, repo.buf);
				buf_set(&r->repo_host, u.host.buf);
			}
			buf_release(&ws);
			buf_release(&repo);
		}
		if (!(why = judge_url(&u, &sev)))
			goto next;
		for (j = 0; j < c->nr; j++)
			count += !strcmp(c->v[j].key, e->key);
		clean_url(e->value, &u, &clean);
		if (count == 1) {
			f = add(r, sev, "remote '%s' %s %s; fix: git remote "
				"set-url%s %s %s", sub.buf, push ? "pushurl" : "URL",
				why, push ? " --push" : "", sub.buf, clean.buf);
			set_fix(f, DOCTOR_FIX_REMOTE_URL, NULL, sub.buf, clean.buf);
			f->push = push;
			f->carried = 1;
			buf_addf(&f->action, "git remote set-url%s %s %s",
				 push ? " --push" : "", sub.buf, clean.buf);
		} else {
			buf_release(&key);
			buf_addf(&key, "remote.%s.%s", sub.buf, var);
			add(r, sev, "one of the %d values of %s %s; fix: edit it to "
			    "%s with git config --edit", count, key.buf, why, clean.buf);
		}
next:
		url_release(&u);
	}
	buf_release(&sub);
	buf_release(&clean);
	buf_release(&key);
}

static const char *scope_option(const char *scope)
{
	if (!strcmp(scope, "global"))
		return "--global";
	if (!strcmp(scope, "system"))
		return "--system";
	if (!strcmp(scope, "worktree"))
		return "--worktree";
	return "--local";
}

static void look_insteadof(const struct config *c, struct doctor_report *r)
{
	struct buf sub = BUF_INIT, clean = BUF_INIT;
	const char *var;
	size_t i;

	for (i = 0; i < c->nr; i++) {
		const struct entry *e = &c->v[i];
		enum doctor_severity sev;
		const char *why;
		struct url u;

		if (!key_split(e->key, "url", &sub, &var) || !buf_isset(&sub))
			continue;
		url_init(&u);
		if (!url_parse(sub.buf, &u) && !strcasecmp(u.scheme.buf, "https") &&
		    host_listed(&r->hosts, u.host.buf) && (why = judge_url(&u, &sev))) {
			clean_url(sub.buf, &u, &clean);
			/* The secret is in the key: no git command may name it. */
			add(r, sev, "url.<base>.%s in %s rewrites URLs to a base that "
			    "%s; fix: git config %s --edit, and make that base %s",
			    strcmp(var, "insteadof") ? "pushInsteadOf" : "insteadOf",
			    origin_file(e->origin), why, scope_option(e->scope),
			    clean.buf);
		}
		url_release(&u);
	}
	buf_release(&sub);
	buf_release(&clean);
}

static void look_headers(const struct config *c, struct doctor_report *r)
{
	size_t i;

	for (i = 0; i < c->nr; i++) {
		const struct entry *e = &c->v[i];
		const char *v = e->value;

		if (strncmp(e->key, "http.", 5) || !v)
			continue;
		while (*v == ' ')
			v++;
		if (strncasecmp(v, "authorization:", 14))
			continue;
		add(r, DOCTOR_ERROR, "%s in %s sends an Authorization header of its "
		    "own, so Bitbucket never asks and bbtoken's token is never "
		    "used, and the secret sits in the config; fix: git config %s "
		    "--unset-all %s", e->key, origin_file(e->origin),
		    scope_option(e->scope), e->key);
	}
}

/* The last value git takes for credential[.<url>].var, or NULL. */
static const char *credential_value(const struct config *c, const char *host,
				    const char *var)
{
	struct buf sub = BUF_INIT;
	const char *value = NULL, *v;
	size_t i;

	for (i = 0; i < c->nr; i++)
		if (key_split(c->v[i].key, "credential", &sub, &v) &&
		    !strcmp(v, var) &&
		    (!buf_isset(&sub) || config_url_matches(sub.buf, host)))
			value = c->v[i].value ? c->v[i].value : "true";
	buf_release(&sub);
	return value;
}

static int is_true(const char *v)
{
	return v && (!strcasecmp(v, "true") || !strcasecmp(v, "yes") ||
		     !strcasecmp(v, "on") || !strcmp(v, "1"));
}

static void look_gcm(const struct config *c, const char *host, int gcm,
		     struct doctor_report *r)
{
	const char *validate = credential_value(c, host, "bitbucketvalidatestoredcredentials");
	const char *modes = credential_value(c, host, "bitbucketauthmodes");
	struct doctor_finding *f;

	if ((validate && is_true(validate)) || (gcm && !validate)) {
		f = add(r, DOCTOR_WARNING, "Git Credential Manager validates stored "
			"Bitbucket credentials for %s against the REST API with the "
			"git username, which refuses API tokens, so it asks again on "
			"every operation; fix: git config --global "
			"credential.bitbucketValidateStoredCredentials false", host);
		set_fix(f, DOCTOR_FIX_CONFIG, NULL,
			"credential.bitbucketValidateStoredCredentials", "false");
		buf_set(&f->action, "git config --global "
			"credential.bitbucketValidateStoredCredentials false");
	}
	if (modes)
		add(r, DOCTOR_NOTE, "credential.bitbucketAuthModes is '%s': only Git "
		    "Credential Manager reads it, and API tokens go as its 'basic' "
		    "mode; fix: nothing, unless GCM still asks for OAuth", modes);
}

/* ---- our own store ---- */

static int bound(const struct token *t)
{
	return t->workspace.len || t->repository.len;
}

static void look_store(struct bb_options *o, const struct config *c,
		       int online, struct doctor_report *r)
{
	struct token_list all = TOKEN_LIST_INIT;
	struct store_config sc;
	struct store *s = NULL;
	struct buf day = BUF_INIT, status = BUF_INIT, message = BUF_INIT;
	long long now = time(NULL);
	int err, warn = options_warn_days(o);
	size_t i, k;

	options_store_config(o, cmd_store_flags() & ~STORE_PROMPT, &sc);
	err = store_open(&s, &sc);
	if (!err)
		err = store_list(s, &all);
	if (err) {
		add(r, DOCTOR_ERROR, "the token store (%s) failed: %s%s%s, so git "
		    "gets no token from bbtoken; fix: %s", s && s->where.len ?
		    s->where.buf : "the Secret Service", store_strerror(err),
		    s && s->detail.len ? ": " : "", s ? buf_str(&s->detail) : "",
		    err == STORE_ERR_LOCKED ? "unlock the keyring (log in to the "
		    "desktop, or gnome-keyring-daemon --replace --unlock)" :
		    "start the keyring, or choose the file store with "
		    "git credential-bbtoken init");
		goto out;
	}
	for (k = 0; k < r->hosts.nr; k++) {
		const char *host = r->hosts.v[k];
		int any = 0, binding = 0;

		for (i = 0; i < all.nr; i++) {
			struct token *t = all.v[i];
			long long days;

			if (!buf_eq(&t->host, host) || !token_is_bitbucket(t))
				continue;
			any = 1;
			binding |= bound(t);
			days = t->expires ? (t->expires - now) / 86400 : 0;
			date_format_day(t->expires, &day);
			if (t->expires && t->expires <= now)
				add(r, DOCTOR_ERROR, "token '%s' for %s expired on %s, so "
				    "Bitbucket refuses it; fix: make a new one at %s and "
				    "run git credential-bbtoken rotate %s", t->label.buf,
				    host, day.buf, BB_TOKEN_PAGE, t->label.buf);
			else if (t->rejected)
				add(r, DOCTOR_ERROR, "token '%s' for %s was refused by "
				    "Bitbucket and is held back from git; fix: git "
				    "credential-bbtoken check %s, or rotate %s",
				    t->label.buf, host, t->label.buf, t->label.buf);
			else if (t->expires && days <= warn)
				add(r, DOCTOR_WARNING, "token '%s' for %s expires on %s "
				    "(in %lld day%s), and git will fail from then on; fix: "
				    "git credential-bbtoken rotate %s", t->label.buf, host,
				    day.buf, days, days == 1 ? "" : "s", t->label.buf);
			else if (online && !t->source.len &&
				 !check_token(o, s, t, now, &status, &message))
				add(r, DOCTOR_ERROR, "token '%s' for %s: %s: %s",
				    t->label.buf, host, status.buf, message.buf);
		}
		if (!any)
			add(r, DOCTOR_NOTE, "no Bitbucket token is stored for %s, so "
			    "git will be asked for a password; fix: git "
			    "credential-bbtoken migrate%s%s", host,
			    strcmp(host, BB_DEFAULT_HOST) ? " --host=" : "",
			    strcmp(host, BB_DEFAULT_HOST) ? host : "");
		if (binding && !is_true(credential_value(c, host, "usehttppath"))) {
			struct doctor_finding *f = add(r, DOCTOR_WARNING,
				"tokens for %s are bound to a workspace or repository, "
				"but git sends no path (credential.useHttpPath is off), "
				"so bbtoken cannot choose them; fix: git config --global "
				"credential.https://%s.useHttpPath true", host, host);

			set_fix(f, DOCTOR_FIX_USE_HTTP_PATH, NULL, host, NULL);
			buf_addf(&f->action, "git config --global "
				 "credential.https://%s.useHttpPath true", host);
		}
	}
out:
	token_list_release(&all);
	store_close(s);
	buf_release(&day);
	buf_release(&status);
	buf_release(&message);
}

static void look_ciu(const struct config *c, struct doctor_report *r)
{
	const char *v = NULL;
	struct doctor_finding *f;
	size_t i;

	for (i = 0; i < c->nr; i++)
		if (!strcmp(c->v[i].key, "transfer.credentialsinurl"))
			v = c->v[i].value;
	if (v && (!strcmp(v, "warn") || !strcmp(v, "die")))
		return;
	f = add(r, DOCTOR_NOTE, "transfer.credentialsInUrl is %s, so git says "
		"nothing when a URL carries a token; fix: git config --global "
		"transfer.credentialsInUrl warn", v ? v : "unset");
	set_fix(f, DOCTOR_FIX_CONFIG, NULL, "transfer.credentialsInUrl", "warn");
	buf_set(&f->action, "git config --global transfer.credentialsInUrl warn");
}

/* ---- the whole look ---- */

static void add_host(struct bb_hosts *hosts, const char *host)
{
	struct buf canon = BUF_INIT;

	if (!bb_host_canonical(host, &canon) && !host_listed(hosts, canon.buf))
		bb_hosts_add(hosts, canon.buf);
	buf_release(&canon);
}

/* --host=H on every bbtoken helper line of git's config. */
static void helper_hosts(const struct config *c, struct bb_hosts *hosts)
{
	struct buf sub = BUF_INIT, h = BUF_INIT;
	const char *var, *p;
	size_t i;

	for (i = 0; i < c->nr; i++) {
		const struct entry *e = &c->v[i];

		if (!strcmp(e->key, "bbtoken.host") && e->value)
			add_host(hosts, e->value);
		if (!key_split(e->key, "credential", &sub, &var) ||
		    strcmp(var, "helper") || !e->value || !helper_is_ours(e->value))
			continue;
		for (p = e->value; (p = strstr(p, "--host=")); p += 7) {
			buf_setn(&h, p + 7, strcspn(p + 7, " \t"));
			add_host(hosts, h.buf);
		}
	}
	buf_release(&sub);
	buf_release(&h);
}

int doctor_look(struct bb_options *o, const struct bb_hosts *extra,
		int online, struct doctor_report *r)
{
	struct config c;
	size_t k;

	if (config_read(&c) < 0) {
		config_release(&c);
		return -1;
	}
	options_load_config(o, 0);
	add_host(&r->hosts, BB_DEFAULT_HOST);
	for (k = 0; k < o->hosts.nr; k++)
		add_host(&r->hosts, o->hosts.v[k]);
	for (k = 0; extra && k < extra->nr; k++)
		add_host(&r->hosts, extra->v[k]);
	helper_hosts(&c, &r->hosts);
	for (k = 0; k < r->hosts.nr; k++) {
		int gcm = 0;

		look_chain(&c, r->hosts.v[k], r, &gcm);
		look_gcm(&c, r->hosts.v[k], gcm, r);
	}
	look_cred_files(&r->hosts, r);
	look_foreign(&r->hosts, r);
	look_remotes(&c, r);
	look_insteadof(&c, r);
	look_headers(&c, r);
	look_ciu(&c, r);
	look_store(o, &c, online, r);
	config_release(&c);
	return 0;
}

/* ---- the report ---- */

void doctor_report_init(struct doctor_report *r)
{
	memset(r, 0, sizeof(*r));
}

void doctor_report_release(struct doctor_report *r)
{
	size_t i;

	for (i = 0; i < r->nr; i++) {
		struct doctor_finding *f = &r->v[i];

		buf_release(&f->text);
		buf_release(&f->action);
		buf_release(&f->where);
		buf_release(&f->name);
		buf_release(&f->value);
		buf_release(&f->secret);
	}
	free(r->v);
	bb_hosts_release(&r->hosts);
	buf_release(&r->repo);
	buf_release(&r->repo_host);
	memset(r, 0, sizeof(*r));
}

size_t doctor_wrong(const struct doctor_report *r)
{
	size_t i, n = 0;

	for (i = 0; i < r->nr; i++)
		n += r->v[i].severity != DOCTOR_NOTE;
	return n;
}

const char *doctor_severity_name(enum doctor_severity s)
{
	return s == DOCTOR_ERROR ? "error" : s == DOCTOR_WARNING ? "warning" : "note";
}

/* ---- rewriting a credential-store file ---- */

static int write_all(int fd, const char *p, size_t n)
{
	while (n) {
		ssize_t w = write(fd, p, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		p += w;
		n -= w;
	}
	return 0;
}

int doctor_drop_line(const char *file, const char *line)
{
	struct buf in = BUF_INIT, tmp = BUF_INIT;
	char chunk[4096];
	size_t pos, n, want = strlen(line);
	int fd, dropped = 0, ret = -1;
	ssize_t got;

	if ((fd = open(file, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)) < 0)
		return -1;
	buf_set_empty(&in);
	while ((got = read(fd, chunk, sizeof(chunk))) > 0 ||
	       (got < 0 && errno == EINTR))
		if (got > 0 && buf_try_add(&in, chunk, got) < 0)
			break;
	wipe(chunk, sizeof(chunk));
	close(fd);
	/* Cut short at the cap, the rewrite would lose the rest of it. */
	if (got > 0)
		errno = EFBIG;
	if (got != 0)
		goto out;
	buf_addf(&tmp, "%s.bbtoken.XXXXXX", file);
	/* mkstemp makes it 0600, what git credential-store uses too. */
	if ((fd = mkostemp(tmp.buf, O_CLOEXEC)) < 0)
		goto out;
	for (pos = 0; pos < in.len; pos += n) {
		const char *p = in.buf + pos, *nl = memchr(p, '\n', in.len - pos);
		size_t len;

		n = nl ? (size_t)(nl - p) + 1 : in.len - pos;
		len = n - (nl != NULL);
		if (len && p[len - 1] == '\r')
			len--;
		if (!dropped && len == want && !memcmp(p, line, want)) {
			dropped = 1;
			continue;
		}
		if (write_all(fd, p, n) < 0)
			break;
	}
	if (pos < in.len || fchmod(fd, 0600) < 0 || fsync(fd) < 0) {
		close(fd);
		unlink(tmp.buf);
		goto out;
	}
	close(fd);
	if (!dropped) {
		unlink(tmp.buf);
		ret = 1;
		goto out;
	}
	if (rename(tmp.buf, file) < 0) {
		unlink(tmp.buf);
		goto out;
	}
	ret = 0;
out:
	buf_release(&in);
	buf_release(&tmp);
	return ret;
}
