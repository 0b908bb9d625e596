/* SPDX-License-Identifier: MIT */
#ifndef BBTOKEN_DOCTOR_H
#define BBTOKEN_DOCTOR_H

#include "bitbucket.h"
#include "buf.h"
#include "options.h"

/*
 * doctor's looking, for `doctor` and `migrate`: everything that stands
 * between git and a working Bitbucket token on this machine and in the
 * current repository, as findings.  Each finding is one sentence (what
 * is wrong, why it breaks git, the command that fixes it) and never
 * holds a secret; a finding that can be fixed safely says how, in data
 * the command applies.  Nothing here prints and nothing is changed.
 */
enum doctor_severity {
	DOCTOR_NOTE,
	DOCTOR_WARNING,
	DOCTOR_ERROR
};

enum doctor_fix {
	DOCTOR_FIX_NONE = 0,
	DOCTOR_FIX_CRED_LINE,	/* drop the line `secret` from the file `where` */
	DOCTOR_FIX_FOREIGN,	/* delete the Secret Service item `where` of host `name` */
	DOCTOR_FIX_REMOTE_URL,	/* git remote set-url [--push] `name` `value` */
	DOCTOR_FIX_HELPERS,	/* setup for the host `name` */
	DOCTOR_FIX_USE_HTTP_PATH, /* credential.https://`name`.useHttpPath true */
	DOCTOR_FIX_CONFIG	/* git config --global `name` `value` */
};

struct doctor_finding {
	enum doctor_severity severity;
	struct buf text;	/* one line, no secret */
	enum doctor_fix fix;
	struct buf action;	/* what the fix does, for the question; no secret */
	struct buf where, name, value;
	struct buf secret;	/* DOCTOR_FIX_CRED_LINE: the line itself (wiped) */
	int push;		/* DOCTOR_FIX_REMOTE_URL: a pushurl */
	int dead;		/* a credential Bitbucket refuses: migrate replaces it */
	int carried;		/* a remote URL that carried a secret or bad username */
};

struct doctor_report {
	struct doctor_finding *v;
	size_t nr, alloc;
	struct bb_hosts hosts;	/* the hosts looked at, bitbucket.org first */
	/* The first repository on one of them found in the remotes: "W/R". */
	struct buf repo;
	struct buf repo_host;
};

void doctor_report_init(struct doctor_report *r);
void doctor_report_release(struct doctor_report *r);

/*
 * Look at everything for bitbucket.org, the hosts o declares, those on
 * --host= of a bbtoken helper in git's config, and extra (may be NULL).
 * With online, ask Bitbucket about each stored token as check does.
 * Returns 0, or -1 when git itself could not be run.
 */
int doctor_look(struct bb_options *o, const struct bb_hosts *extra,
		int online, struct doctor_report *r);

/* How many findings are errors or warnings (what makes doctor exit 1). */
size_t doctor_wrong(const struct doctor_report *r);

const char *doctor_severity_name(enum doctor_severity s);

/*
 * Write the file without its first line equal to line, atomically
 * (a temporary file in the same directory, mode 0600, renamed over it).
 * Returns 0, or -1 with errno set (EFBIG past a buf's cap, 1 MiB), or 1
 * when the line is no longer there.
 */
int doctor_drop_line(const char *file, const char *line);

#endif
