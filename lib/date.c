/* SPDX-License-Identifier: MIT */
#include "date.h"

#include <string.h>

/* Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant). */
static long long days_from_civil(long long y, unsigned m, unsigned d)
{
	long long era;
	unsigned yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = (unsigned)(y - era * 400);
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (long long)doe - 719468;
}

static void civil_from_days(long long z, int *y, unsigned *m, unsigned *d)
{
	long long era;
	unsigned doe, yoe, doy, mp;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = (unsigned)(z - era * 146097);
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = doy - (153 * mp + 2) / 5 + 1;
	*m = mp < 10 ? mp + 3 : mp - 9;
	*y = (int)(yoe + era * 400 + (*m <= 2));
}

static int digits(const char *s, int n, int *out)
{
	int i, v = 0;

	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return 0;
}

static int days_in_month(int y, int m)
{
	static const int dm[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;

	return m == 2 && leap ? 29 : dm[m - 1];
}

int date_parse(const char *s, long long *out)
{
	int y, mo, d, h = 0, mi = 0, sec = 0, off = 0;
	size_t len = strlen(s);
	const char *p;

	if (len < 10 || digits(s, 4, &y) || s[4] != '-' ||
	    digits(s + 5, 2, &mo) || s[7] != '-' || digits(s + 8, 2, &d))
		return -1;
	if (y < 1970 || mo < 1 || mo > 12 || d < 1 || d > days_in_month(y, mo))
		return -1;
	p = s + 10;
	if (*p == 'T' || *p == 't' || *p == ' ') {
		if (digits(p + 1, 2, &h) || p[3] != ':' || digits(p + 4, 2, &mi))
			return -1;
		p += 6;
		if (*p == ':') {
			if (digits(p + 1, 2, &sec))
				return -1;
			p += 3;
		}
		if (h > 23 || mi > 59 || sec > 60)
			return -1;
		if (*p == 'Z' || *p == 'z') {
			p++;
		} else if (*p == '+' || *p == '-') {
			int oh, om;

			if (digits(p + 1, 2, &oh) || p[3] != ':' ||
			    digits(p + 4, 2, &om) || oh > 23 || om > 59)
				return -1;
			off = (oh * 60 + om) * 60 * (*p == '+' ? 1 : -1);
			p += 6;
		} else {
			/* A time without a zone could mean anything: refuse it. */
			return -1;
		}
	}
	if (*p)
		return -1;
	*out = days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + sec - off;
	return 0;
}

void date_format_day(long long t, struct buf *out)
{
	int y;
	unsigned m, d;
	long long days = t >= 0 ? t / 86400 : -((-t + 86399) / 86400);

	civil_from_days(days, &y, &m, &d);
	buf_set_empty(out);
	buf_addf(out, "%04d-%02u-%02u", y, m, d);
}

void date_format_iso(long long t, struct buf *out)
{
	long long secs = ((t % 86400) + 86400) % 86400;

	date_format_day(t, out);
	buf_addf(out, "T%02lld:%02lld:%02lldZ", secs / 3600, secs / 60 % 60,
		 secs % 60);
}

static long long day_number(long long t)
{
	return t >= 0 ? t / 86400 : -((-t + 86399) / 86400);
}

long long date_days_until(long long t, long long now)
{
	return day_number(t) - day_number(now);
}
