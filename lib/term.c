/* SPDX-License-Identifier: MIT */
#include "term.h"
#include "credential.h"
#include "msg.h"

#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

/* A token is under 300 bytes; anything much longer is not one. */
#define SECRET_MAX 4096

static int read_line_fd(int fd, struct buf *out)
{
	char ch;
	ssize_t n;

	buf_set_empty(out);
	for (;;) {
		n = read(fd, &ch, 1);
		if (n < 0)
			return -1;
		if (n == 0 || ch == '\n')
			return n == 0 && !out->len ? -1 : 0;
		if (buf_try_add(out, &ch, 1) < 0)
			return -2;
	}
}

static int check_secret(struct buf *out)
{
	if (!out->len) {
		msg_error("no token was given; paste the token, or pipe it in with --stdin");
		return -1;
	}
	if (!credential_value_ok(out->buf, out->len)) {
		buf_release(out);
		msg_error("the token contains a NUL or carriage-return byte, which no "
			  "Bitbucket token has; copy it again without the line ending");
		return -1;
	}
	return 0;
}

/*
 * One line from stdin, or from /dev/tty with echo off and the prompt
 * shown there: 0, or a term_err with nothing printed.
 */
static int read_quiet(const char *prompt, int from_stdin, struct buf *out)
{
	struct termios old, quiet;
	int fd, ret;

	buf_init(out, SECRET_MAX);
	if (from_stdin) {
		ret = read_line_fd(0, out);
		return ret == -2 ? TERM_TOO_LONG : ret < 0 ? TERM_NO_INPUT : 0;
	}
	fd = open("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (fd < 0)
		return TERM_NO_TTY;
	if (tcgetattr(fd, &old) < 0) {
		close(fd);
		return TERM_NO_TTY;
	}
	quiet = old;
	quiet.c_lflag &= ~(ECHO | ECHONL);
	quiet.c_lflag |= ICANON;
	/*
	 * Echo goes off before the prompt shows: a token pasted the moment
	 * the prompt appears would otherwise be echoed, then flushed away.
	 */
	if (tcsetattr(fd, TCSAFLUSH, &quiet) < 0) {
		close(fd);
		return TERM_NO_TTY;
	}
	if (write(fd, prompt, strlen(prompt)) < 0) {
		tcsetattr(fd, TCSAFLUSH, &old);
		close(fd);
		return TERM_NO_TTY;
	}
	ret = read_line_fd(fd, out);
	tcsetattr(fd, TCSAFLUSH, &old);
	if (write(fd, "\n", 1) < 0)
		ret = ret ? ret : 0;
	close(fd);
	if (ret < 0) {
		buf_release(out);
		return ret == -2 ? TERM_TOO_LONG : TERM_NO_INPUT;
	}
	return 0;
}

int term_read_passphrase(const char *prompt, int from_stdin, struct buf *out)
{
	int ret = read_quiet(prompt, from_stdin, out);

	if (!ret && !credential_value_ok(out->buf, out->len))
		ret = TERM_BAD_BYTE;
	if (ret)
		buf_release(out);
	return ret;
}

int term_read_secret(const char *prompt, int from_stdin, struct buf *out)
{
	int ret = read_quiet(prompt, from_stdin, out);

	switch (ret) {
	case 0:
		return check_secret(out);
	case TERM_TOO_LONG:
		if (from_stdin)
			msg_error("the token read from stdin is over %d bytes: that "
				  "is not a token", SECRET_MAX);
		else
			msg_error("could not read the token from the terminal; pass "
				  "it on stdin with --stdin");
		break;
	case TERM_NO_TTY:
		msg_error("no terminal to read the token from; pass it on stdin "
			  "with --stdin");
		break;
	default:
		if (from_stdin)
			msg_error("no token on stdin; pipe it in, for example "
				  "`pass show bitbucket | git credential-bbtoken add --stdin`");
		else
			msg_error("could not read the token from the terminal; pass "
				  "it on stdin with --stdin");
	}
	return -1;
}

int term_read_line(const char *prompt, struct buf *out)
{
	int fd = open("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC), ret;

	if (fd < 0)
		return -1;
	if (write(fd, prompt, strlen(prompt)) < 0) {
		close(fd);
		return -1;
	}
	buf_init(out, 1024);
	ret = read_line_fd(fd, out);
	close(fd);
	return ret < 0 ? -1 : 0;
}
