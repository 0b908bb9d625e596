/* SPDX-License-Identifier: MIT */
#include "msg.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void vmsg(const char *prefix, const char *fmt, va_list ap)
{
	fputs("bbtoken: ", stderr);
	fputs(prefix, stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

void msg_error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmsg("error: ", fmt, ap);
	va_end(ap);
}

void msg_warning(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmsg("warning: ", fmt, ap);
	va_end(ap);
}

void msg_note(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmsg("", fmt, ap);
	va_end(ap);
}

static int trace_on(void)
{
	const char *v = getenv("BBTOKEN_TRACE");

	return v && (!strcmp(v, "1") || !strcmp(v, "true"));
}

void msg_trace(const char *fmt, ...)
{
	va_list ap;

	if (!trace_on())
		return;
	va_start(ap, fmt);
	vmsg("trace: ", fmt, ap);
	va_end(ap);
}
