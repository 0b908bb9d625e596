/* SPDX-License-Identifier: MIT */
#include "run.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

int run_git(const char *const argv[], struct buf *out)
{
	posix_spawn_file_actions_t fa;
	int fds[2] = { -1, -1 }, status, too_much = 0;
	char chunk[4096];
	ssize_t n;
	pid_t pid;

	if (out && pipe2(fds, O_CLOEXEC) < 0)
		return -1;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	if (out)
		posix_spawn_file_actions_adddup2(&fa, fds[1], 1);
	if (posix_spawnp(&pid, "git", &fa, NULL, (char *const *)argv, environ)) {
		posix_spawn_file_actions_destroy(&fa);
		if (out) {
			close(fds[0]);
			close(fds[1]);
		}
		return -1;
	}
	posix_spawn_file_actions_destroy(&fa);
	if (out) {
		close(fds[1]);
		buf_set_empty(out);
		while ((n = read(fds[0], chunk, sizeof(chunk))) > 0 ||
		       (n < 0 && errno == EINTR))
			if (n > 0 && buf_try_add(out, chunk, n) < 0) {
				too_much = 1;
				break;
			}
		close(fds[0]);
	}
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -1;
	/* Cut short, git's answer would be read as a different one. */
	if (too_much)
		return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* How long a killed command has between SIGTERM and SIGKILL. */
#define RUN_GRACE_MS 500

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

static int is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\n';
}

/*
 * argv for cmd: "/bin/sh -c REST" for "!REST", else its blank-separated
 * words, which point into *copy.  NULL when there is nothing to run.
 */
static char **command_argv(const char *cmd, char **copy)
{
	size_t nr = 0;
	char **argv, *p;

	*copy = xstrdup(cmd + (*cmd == '!'));
	for (p = *copy; *p && is_blank(*p); p++)
		;
	if (!*p) {
		free(*copy);
		*copy = NULL;
		return NULL;
	}
	if (*cmd == '!') {
		argv = xcalloc(4, sizeof(*argv));
		argv[0] = "/bin/sh";
		argv[1] = "-c";
		argv[2] = *copy;
		return argv;
	}
	argv = xcalloc(strlen(*copy) / 2 + 2, sizeof(*argv));
	for (p = *copy; *p;) {
		while (*p && is_blank(*p))
			*p++ = '\0';
		if (!*p)
			break;
		argv[nr++] = p;
		while (*p && !is_blank(*p))
			p++;
	}
	argv[nr] = NULL;
	return argv;
}

static int env_dropped(const char *entry, const char *const drop[])
{
	size_t i, n;

	for (i = 0; drop && drop[i]; i++) {
		n = strlen(drop[i]);
		if (!strncmp(entry, drop[i], n) && entry[n] == '=')
			return 1;
	}
	return 0;
}

/* Our environment without the variables in drop; the strings are ours. */
static char **filtered_env(const char *const drop[])
{
	size_t nr = 0, i, j;
	char **env;

	while (environ[nr])
		nr++;
	env = xcalloc(nr + 1, sizeof(*env));
	for (i = j = 0; i < nr; i++)
		if (!env_dropped(environ[i], drop))
			env[j++] = environ[i];
	env[j] = NULL;
	return env;
}

/* Kill the child's whole group: SIGTERM, a moment, SIGKILL; reap it. */
static void stop_group(pid_t pid)
{
	long long end = now_ms() + RUN_GRACE_MS;
	int status;
	pid_t got;

	kill(-pid, SIGTERM);
	while ((got = waitpid(pid, &status, WNOHANG)) == 0 && now_ms() < end)
		poll(NULL, 0, 10);
	/* Even with the leader gone, what it started may linger. */
	kill(-pid, SIGKILL);
	if (got == 0)
		while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
			;
}

/* Read fd to its end into out, until deadline. */
static enum run_status collect(int fd, long long deadline, struct buf *out,
			       int *code)
{
	enum run_status ret = RUN_OK;
	struct pollfd p = { .fd = fd, .events = POLLIN };
	char chunk[4096];
	long long left;
	ssize_t n;
	int r;

	for (;;) {
		if ((left = deadline - now_ms()) <= 0) {
			ret = RUN_TIMED_OUT;
			break;
		}
		r = poll(&p, 1, left > INT_MAX ? INT_MAX : (int)left);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			*code = errno;
			ret = RUN_FAILED;
			break;
		}
		if (!r)
			continue;	/* the deadline check above ends it */
		n = read(fd, chunk, sizeof(chunk));
		if (n < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (n < 0) {
			*code = errno;
			ret = RUN_FAILED;
			break;
		}
		if (!n)
			break;
		if (buf_try_add(out, chunk, n) < 0) {
			ret = RUN_TOO_MUCH;
			break;
		}
	}
	wipe(chunk, sizeof(chunk));
	return ret;
}

/* Wait for pid to exit, until deadline; 0 and *status, or a status. */
static enum run_status reap(pid_t pid, long long deadline, int *status,
			    int *code)
{
	pid_t got;

	for (;;) {
		got = waitpid(pid, status, WNOHANG);
		if (got == pid)
			return RUN_OK;
		if (got < 0 && errno != EINTR) {
			*code = errno;
			return RUN_FAILED;
		}
		if (now_ms() >= deadline)
			return RUN_TIMED_OUT;
		poll(NULL, 0, 10);
	}
}

static int spawn_child(pid_t *pid, char **argv, char **env, int out_fd)
{
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t attr;
	sigset_t none, deflt;
	int err;

	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_adddup2(&fa, out_fd, 1);
#if defined(__GLIBC__) && (__GLIBC__ > 2 || __GLIBC_MINOR__ >= 34)
	/* git's pipes and anything else we hold are none of its business. */
	posix_spawn_file_actions_addclosefrom_np(&fa, 3);
#endif
	posix_spawnattr_init(&attr);
	sigemptyset(&none);
	sigemptyset(&deflt);
	sigaddset(&deflt, SIGPIPE);
	sigaddset(&deflt, SIGTERM);
	sigaddset(&deflt, SIGINT);
	sigaddset(&deflt, SIGHUP);
	posix_spawnattr_setsigmask(&attr, &none);
	posix_spawnattr_setsigdefault(&attr, &deflt);
	/* Its own group, so that a deadline kills all it started. */
	posix_spawnattr_setpgroup(&attr, 0);
	posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP |
				 POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
	err = posix_spawnp(pid, argv[0], &fa, &attr, argv, env);
	posix_spawnattr_destroy(&attr);
	posix_spawn_file_actions_destroy(&fa);
	return err;
}

enum run_status run_capture(const char *cmd, const char *const drop[],
			    int timeout_ms, struct buf *out, int *code)
{
	long long deadline = now_ms() + timeout_ms;
	enum run_status ret;
	char **argv, **env, *copy;
	int fds[2], status = 0, err;
	pid_t pid;

	*code = 0;
	buf_set_empty(out);
	if (!(argv = command_argv(cmd, &copy)))
		return RUN_NO_COMMAND;
	if (pipe2(fds, O_CLOEXEC) < 0) {
		*code = errno;
		free(argv);
		free(copy);
		return RUN_FAILED;
	}
	env = filtered_env(drop);
	err = spawn_child(&pid, argv, env, fds[1]);
	free(env);
	free(argv);
	free(copy);
	close(fds[1]);
	if (err) {
		close(fds[0]);
		*code = err;
		return RUN_NOT_STARTED;
	}
	ret = collect(fds[0], deadline, out, code);
	close(fds[0]);
	if (!ret)
		ret = reap(pid, deadline, &status, code);
	if (ret) {
		stop_group(pid);
		return ret;
	}
	if (WIFSIGNALED(status)) {
		*code = WTERMSIG(status);
		return RUN_SIGNALED;
	}
	if (WEXITSTATUS(status)) {
		*code = WEXITSTATUS(status);
		return RUN_EXITED;
	}
	return RUN_OK;
}
