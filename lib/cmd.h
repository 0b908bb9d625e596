/* SPDX-License-Identifier: MIT */
#ifndef BBTOKEN_CMD_H
#define BBTOKEN_CMD_H

#include "credential.h"
#include "options.h"
#include "store.h"

/* The commands, all in bbtoken-full.so (git's actions: action.h). */
int cmd_add(int argc, const char **argv, struct bb_options *o);
int cmd_check(int argc, const char **argv, struct bb_options *o);
int cmd_doctor(int argc, const char **argv, struct bb_options *o);
int cmd_migrate(int argc, const char **argv, struct bb_options *o);
int cmd_list(int argc, const char **argv, struct bb_options *o);
int cmd_move(int argc, const char **argv, struct bb_options *o);
/* The encrypted file store's own commands (lib/cmd-file.c). */
int cmd_init(int argc, const char **argv, struct bb_options *o);
int cmd_unlock(int argc, const char **argv, struct bb_options *o);
int cmd_lock(int argc, const char **argv, struct bb_options *o);
int cmd_remove(int argc, const char **argv, struct bb_options *o);
int cmd_rotate(int argc, const char **argv, struct bb_options *o);
int cmd_setup(int argc, const char **argv, struct bb_options *o);

/*
 * Long options of a command: "--name=value" or "--name value" for those
 * taking a value, "--name" for flags.  -h and --help print usage to
 * stdout.  Returns the index of the first operand, CMD_HELP after -h, or
 * -1 on a usage error (message and usage printed on stderr).
 */
struct cmd_opt {
	const char *name;
	const char **value;	/* for options taking a value */
	int *flag;		/* for flags */
};
#define CMD_HELP (-2)
int cmd_parse(int argc, const char **argv, const struct cmd_opt *opts,
	      const char *usage);

/*
 * The host given before the command word (`git credential-bbtoken
 * --host=H add`), which cmd_parse gives a command's own --host when it
 * has none: one meaning per option.  NULL for none.
 */
void cmd_default_host(const char *host);

/*
 * Open the store o names (store_open, after git's config is read), with
 * the flags of cmd_store_flags().  On failure prints why and returns
 * EXIT_KEYRING.
 */
int cmd_open_store(struct bb_options *o, struct store **s);

/*
 * The flags a command opens stores with: a graphical prompt when a
 * person can answer one, a passphrase on the terminal when there is one.
 */
int cmd_store_flags(void);

/*
 * Say in one line on stdout which store s used, and why when `auto` fell
 * back to the file store: "WHAT in the Secret Service."  Call after the
 * store's first operation.
 */
void cmd_say_store(struct store *s, const char *what);

/* Canonical host of --host (default bitbucket.org); -1 with a message. */
int cmd_host(const char *arg, struct buf *out);

/* Read and check the expiry of --expires; -1 with a message. */
int cmd_expiry(const char *arg, long long now, long long *out);

/* Find a stored token by label or fingerprint, optionally on one host. */
int cmd_find_token(const struct token_list *all, const char *name,
		   const char *host, struct token **out);

/*
 * Open the keyring and read the tokens of host (every host when NULL)
 * into all.  Returns EXIT_OK, or the exit code after printing why; *s
 * must be closed by the caller either way.
 */
int cmd_open_tokens(struct bb_options *o, const char *host, struct store **s,
		    struct token_list *all);

/*
 * Open the keyring, list every token into all, and find the one named by
 * label or fingerprint (host may be NULL).  Returns EXIT_OK, or the exit
 * code after printing why; *s must be closed by the caller either way.
 */
int cmd_open_named(struct bb_options *o, const char *name, const char *host,
		   struct store **s, struct token_list *all, struct token **t);

/*
 * What verify_token found, for people: "fetch: yes", "push: no (missing
 * ...)", "identity: NAME (DISPLAY)" lines on stdout (add and rotate).
 */
struct verify_report;
void cmd_print_verify(const struct verify_report *v);

/*
 * check's verdict on one stored token, asking Bitbucket (lib/cmd-check.c),
 * for doctor --online: status ("ok", "rejected", ...) and one sentence
 * into message, the rejected mark set or cleared as check does.  Returns
 * 1 when the token is fine, 0 otherwise.  Prints nothing.
 */
int check_token(struct bb_options *o, struct store *s, struct token *t,
		long long now, struct buf *status, struct buf *message);

/*
 * Make git ask bbtoken, and only bbtoken, for https://HOST/, as `setup`
 * does for bitbucket.org (lib/cmd-setup.c); for another host the helper
 * line carries --host=HOST, and nothing is saved for --unset.  Says what
 * it changed on stdout.  EXIT_OK or EXIT_FAIL.
 */
int setup_host(const char *host);

struct doctor_finding;
/*
 * Apply the fix of one doctor finding (lib/cmd-doctor.c), saying on
 * stdout what was changed, or why not on stderr.  0 or -1.
 */
int doctor_apply(const struct doctor_finding *f);

struct doctor_report;
/*
 * Apply the fixes of r's findings that want accepts (all when NULL),
 * asking on the terminal before each unless yes.  Returns how many
 * errors and warnings are left unfixed.
 */
size_t doctor_fix_all(const struct doctor_report *r, int yes,
		      int (*want)(const struct doctor_finding *));

#endif
