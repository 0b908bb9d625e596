/* SPDX-License-Identifier: MIT */
#ifndef BBTOKEN_DATE_H
#define BBTOKEN_DATE_H

#include "buf.h"

/*
 * Expiry dates, in UTC.  "YYYY-MM-DD" means 00:00 UTC of that day: the
 * conservative reading of Atlassian's "expires on", so a token is never
 * offered on the day Bitbucket may already refuse it.  A full ISO 8601
 * time ("2027-03-01T12:00:00Z", "...+02:00") is taken as given.
 * Pure functions; the fuzz target is date_parse.
 */
int date_parse(const char *s, long long *out);

/* "2027-03-01" for a Unix time. */
void date_format_day(long long t, struct buf *out);

/* "2027-03-01T00:00:00Z" for a Unix time. */
void date_format_iso(long long t, struct buf *out);

/*
 * Calendar days (UTC) from now until t, as a person counts them: 0 when
 * t falls today, 1 for tomorrow, negative once the day has passed.
 */
long long date_days_until(long long t, long long now);

#endif
