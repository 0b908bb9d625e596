/* SPDX-License-Identifier: MIT */
/*
 * bench: run commands in turn, each with its own stdin file, and print
 * the median wall time of each and its ratio to the first of its group,
 * and the largest resident set any of its runs reached.
 * Alternating the commands spreads whatever else the machine is doing
 * over all of them alike; the median ignores the odd slow run.  The
 * first WARMUP rounds (5 unless -w says) warm the caches and are not
 * counted; a command that takes seconds needs fewer.
 *
 *   bench [-w WARMUP] RUNS NAME STDIN CMD [ARGS...] -- NAME STDIN CMD ...
 */
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

struct cmd {
	const char *name, *input;
	char **argv;
	double *ms;
	long max_rss_kib;
};

static double run_once(struct cmd *c)
{
	struct rusage ru;
	posix_spawn_file_actions_t fa;
	struct timespec a, b;
	int status;
	pid_t pid;

	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 0, c->input, O_RDONLY, 0);
	posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
	posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
	clock_gettime(CLOCK_MONOTONIC, &a);
	if (posix_spawn(&pid, c->argv[0], &fa, NULL, c->argv, environ)) {
		perror(c->argv[0]);
		exit(1);
	}
	wait4(pid, &status, 0, &ru);
	clock_gettime(CLOCK_MONOTONIC, &b);
	if (ru.ru_maxrss > c->max_rss_kib)
		c->max_rss_kib = ru.ru_maxrss;
	posix_spawn_file_actions_destroy(&fa);
	return (b.tv_sec - a.tv_sec) * 1e3 + (b.tv_nsec - a.tv_nsec) / 1e6;
}

static int cmp(const void *x, const void *y)
{
	double a = *(const double *)x, b = *(const double *)y;

	return a < b ? -1 : a > b;
}

int main(int argc, char **argv)
{
	struct cmd c[16];
	int warmup = 5, runs, n = 0, i, r;

	if (argc > 2 && !strcmp(argv[1], "-w")) {
		warmup = atoi(argv[2]);
		argv += 2;
		argc -= 2;
	}
	if (argc < 5 || warmup < 0) {
		fputs("usage: bench [-w WARMUP] RUNS NAME STDIN CMD [ARGS...] [-- NAME STDIN CMD ...]\n",
		      stderr);
		return 129;
	}
	runs = atoi(argv[1]);
	for (i = 2; i < argc && n < 16; n++) {
		c[n].name = argv[i];
		c[n].input = argv[i + 1];
		c[n].argv = argv + i + 2;
		c[n].ms = calloc(runs, sizeof(double));
		c[n].max_rss_kib = 0;
		while (i < argc && strcmp(argv[i], "--"))
			i++;
		if (i < argc)
			argv[i++] = NULL;
	}
	for (r = 0; r < runs + warmup; r++)
		for (i = 0; i < n; i++) {
			double ms = run_once(&c[i]);

			if (r >= warmup)
				c[i].ms[r - warmup] = ms;
		}
	for (i = 0; i < n; i++) {
		double med;

		qsort(c[i].ms, runs, sizeof(double), cmp);
		med = c[i].ms[runs / 2];
		printf("  %-36s %7.3f ms %6.1f MiB", c[i].name, med,
		       c[i].max_rss_kib / 1024.0);
		if (i)
			printf("   %.2fx %s", med / c[0].ms[runs / 2], c[0].name);
		printf("\n");
	}
	return 0;
}
