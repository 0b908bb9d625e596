/* SPDX-License-Identifier: MIT */
/*
 * What the commands share (cmd.h): their option parser, and opening the
 * store and finding tokens in it with the failures said.
 */
#include "cmd.h"
#include "date.h"
#include "fingerprint.h"
#include "msg.h"
#include "pick.h"
#include "report.h"
#include "verify.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const char *host_before_command;

void cmd_default_host(const char *host)
{
	host_before_command = host;
}


/* The option named by arg ("--name" or "--name=v"), and whether negated. */
static const struct cmd_opt *find_opt(const struct cmd_opt *opts,
				      const char *arg, int *negated)
{
	const struct cmd_opt *opt;
	const char *eq = strchr(arg, '=');
	size_t nlen = eq ? (size_t)(eq - arg - 2) : strlen(arg + 2);

	*negated = 0;
	for (opt = opts; opt->name; opt++)
		if (strlen(opt->name) == nlen && !strncmp(opt->name, arg + 2, nlen))
			return opt;
	if (eq)
		return NULL;
	/* --no-NAME undoes NAME, and --NAME undoes a flag called no-NAME. */
	for (opt = opts; opt->name; opt++) {
		if (!strncmp(arg + 2, "no-", 3) && !strcmp(opt->name, arg + 5))
			break;
		if (opt->flag && !strncmp(opt->name, "no-", 3) &&
		    !strcmp(opt->name + 3, arg + 2))
			break;
	}
	if (opt->name)
		*negated = 1;
	return opt->name ? opt : NULL;
}

static int parse_error(const char *usage, const char *fmt, const char *what)
{
	msg_error(fmt, what);
	fputs(usage, stderr);
	return -1;
}

int cmd_parse(int argc, const char **argv, const struct cmd_opt *opts,
	      const char *usage)
{
	const char **operands = xcalloc(argc + 1, sizeof(*operands));
	const struct cmd_opt *opt;
	int i, n = 0, w = 1, negated, ret, dashdash = 0;

	for (i = 1; i < argc; i++) {
		const char *arg = argv[i], *eq = strchr(arg, '=');

		if (!strcmp(arg, "--")) {
			dashdash = 1;
			while (++i < argc)
				operands[n++] = argv[i];
			break;
		}
		if (!strcmp(arg, "-h") || !strcmp(arg, "--help")) {
			fputs(usage, stdout);
			free(operands);
			return CMD_HELP;
		}
		/* An operand, wherever it stands, as git's parse-options. */
		if (arg[0] != '-' || !arg[1]) {
			operands[n++] = arg;
			continue;
		}
		opt = strncmp(arg, "--", 2) ? NULL : find_opt(opts, arg, &negated);
		if (!opt) {
			free(operands);
			return parse_error(usage, "unknown option '%s'", arg);
		}
		argv[w++] = arg;
		if (opt->flag) {
			if (eq) {
				free(operands);
				return parse_error(usage, "option '--%s' takes no value",
						   opt->name);
			}
			*opt->flag = !negated;
		} else if (negated) {
			*opt->value = NULL;
		} else if (eq) {
			*opt->value = eq + 1;
		} else if (i + 1 < argc) {
			*opt->value = argv[++i];
			argv[w++] = argv[i];
		} else {
			free(operands);
			return parse_error(usage, "option '--%s' needs a value",
					   opt->name);
		}
	}
	/*
	 * `git credential-bbtoken --host=H add` means what
	 * `git credential-bbtoken add --host=H` does: one meaning per option.
	 */
	for (opt = opts; host_before_command && opt->name; opt++)
		if (!strcmp(opt->name, "host") && opt->value && !*opt->value)
			*opt->value = host_before_command;
	/* Options first, then "--", then the operands: argv[ret..argc). */
	if (dashdash)
		argv[w++] = "--";
	ret = w;
	for (i = 0; i < n; i++)
		argv[w++] = operands[i];
	free(operands);
	return ret;
}

int cmd_store_flags(void)
{
	const char *p = getenv("GIT_TERMINAL_PROMPT");
	int tty = !p || (strcmp(p, "0") && strcasecmp(p, "false"));

	return (store_prompt_answerable() ? STORE_PROMPT : 0) |
	       (tty ? STORE_TTY : 0);
}

int cmd_open_store(struct bb_options *o, struct store **s)
{
	struct store_config c;
	int err;

	options_load_config(o, 0);
	options_store_config(o, cmd_store_flags(), &c);
	err = store_open(s, &c);
	if (err) {
		report_store_error(*s, err);
		store_close(*s);
		*s = NULL;
		return EXIT_KEYRING;
	}
	return EXIT_OK;
}

void cmd_say_store(struct store *s, const char *what)
{
	if (!s->where.len)
		return;
	printf("%s in %s", what, s->where.buf);
	if (s->fallback.len)
		printf(", since %s", s->fallback.buf);
	printf(".\n");
}

int cmd_host(const char *arg, struct buf *out)
{
	if (bb_host_canonical(arg ? arg : BB_DEFAULT_HOST, out) < 0) {
		msg_error("--host=%s is not a host name; write it as HOST or HOST:PORT",
			  arg);
		return -1;
	}
	return 0;
}

int cmd_expiry(const char *arg, long long now, long long *out)
{
	struct buf day = BUF_INIT;

	*out = 0;
	if (!arg)
		return 0;
	if (date_parse(arg, out) < 0) {
		msg_error("--expires=%s is not a date; write YYYY-MM-DD as shown when "
			  "the token was created, for example --expires=2027-03-01", arg);
		return -1;
	}
	if (*out <= now) {
		date_format_day(*out, &day);
		msg_error("--expires=%s is not in the future: a token expiring %s "
			  "no longer works; create a new one at %s", arg, day.buf,
			  BB_TOKEN_PAGE);
		buf_release(&day);
		return -1;
	}
	return 0;
}

int cmd_find_token(const struct token_list *all, const char *name,
		   const char *host, struct token **out)
{
	struct buf fp = BUF_INIT;
	size_t i, found = 0;

	*out = NULL;
	for (i = 0; i < all->nr; i++) {
		struct token *t = all->v[i];
		int hit = buf_eq(&t->label, name);

		if (host && !buf_eq(&t->host, host))
			continue;
		if (!hit && token_is_bitbucket(t) && strlen(name) == FINGERPRINT_LEN &&
		    !fingerprint(t->password.buf, t->password.len, &fp))
			hit = !strcmp(fp.buf, name);
		if (hit) {
			*out = t;
			found++;
		}
	}
	buf_release(&fp);
	if (!found) {
		msg_error("no stored token is labelled or fingerprinted '%s'; "
			  "`git credential-bbtoken list` shows them", name);
		return -1;
	}
	if (found > 1) {
		msg_error("%zu stored tokens are labelled '%s'; name one by its "
			  "fingerprint or add --host (see `git credential-bbtoken list`)",
			  found, name);
		*out = NULL;
		return -1;
	}
	return 0;
}

int cmd_open_tokens(struct bb_options *o, const char *host, struct store **s,
		    struct token_list *all)
{
	int ret, err;

	size_t i, kept = 0;

	if ((ret = cmd_open_store(o, s)))
		return ret;
	/*
	 * A listing, narrowed here rather than by find: find is git's and
	 * stops at a read-only source that fails, which must not keep a
	 * person from the store (store_list notes the failure instead).
	 */
	err = store_list(*s, all);
	if ((*s)->note.len)
		msg_warning("%s", (*s)->note.buf);
	if (err) {
		report_store_error(*s, err);
		return EXIT_KEYRING;
	}
	for (i = 0; host && i < all->nr; i++) {
		if (buf_eq(&all->v[i]->host, host))
			all->v[kept++] = all->v[i];
		else
			token_free(all->v[i]);
	}
	if (host)
		all->nr = kept;
	return EXIT_OK;
}

int cmd_open_named(struct bb_options *o, const char *name, const char *host,
		   struct store **s, struct token_list *all, struct token **t)
{
	int ret;

	*t = NULL;
	if ((ret = cmd_open_tokens(o, NULL, s, all)))
		return ret;
	return cmd_find_token(all, name, host, t) < 0 ? EXIT_FAIL : EXIT_OK;
}

static void print_answer(const char *what, const struct api_result *r)
{
	if (r->answer == API_YES)
		printf("%s: yes\n", what);
	else if (r->missing_scopes.len)
		printf("%s: %s (missing %s)\n", what,
		       r->answer == API_NO ? "no" : "unknown", r->missing_scopes.buf);
	else
		printf("%s: %s (%s)\n", what, r->answer == API_NO ? "no" : "unknown",
		       buf_str(&r->message));
}

void cmd_print_verify(const struct verify_report *v)
{
	print_answer("fetch", &v->fetch);
	if (v->fetch.answer == API_YES)
		print_answer("push", &v->push);
	if (!v->have_user)
		return;
	if (v->user.answer == API_YES)
		printf("identity: %s%s%s%s\n", v->user.username.buf,
		       v->user.display_name.len ? " (" : "",
		       buf_str(&v->user.display_name),
		       v->user.display_name.len ? ")" : "");
	else
		print_answer("identity", &v->user);
}
