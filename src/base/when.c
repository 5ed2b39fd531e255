/*
 * when: see when.h.  Dates are handled as "wall seconds" (the local
 * fields written as if the zone were UTC, timegm-style), so calendar
 * arithmetic never touches the process's TZ; calendar_from_local turns
 * the result into an instant.
 */
#include <ctype.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "calendar.h"
#include "error.h"
#include "when.h"

/* Longest relative WHEN: the calendar's own limit (ten years). */
#define WHEN_MAX_SECONDS	CALENDAR_MAX_SECONDS

static size_t	when_word(const char *);
static bool	when_blank(char);
static int	when_clock(const char *, size_t, long *, struct error *);
static int	when_date(const char *, size_t, int64_t *, struct error *);
static int64_t	when_days(int y, int m, int d);
static int	when_relative(const char *, size_t, time_t,
		    const struct calendar *, time_t *, struct error *);
static int64_t	when_today(const struct calendar *, time_t);
static time_t	when_instant(const struct calendar *, int64_t wall);

int
when_parse(const char *s, time_t now, const struct calendar *zone,
    const struct calendar *business, time_t *out, size_t *len_out,
    struct error *err)
{
	const char *p = s, *t;
	size_t n, tn;
	int64_t day = 0;
	long secs = 0;
	int rc;

	*len_out = 0;
	while (when_blank(*p))
		p++;
	n = when_word(p);
	if (n > 1 && p[0] == '+' && isdigit((unsigned char)p[1]))
		rc = when_relative(p, n, now, business, out, err);
	else if ((n == 5 && strncasecmp(p, "today", 5) == 0) ||
	    (n == 8 && strncasecmp(p, "tomorrow", 8) == 0) ||
	    (n > 4 && isdigit((unsigned char)p[0]) && memchr(p, '-', n))) {
		t = p + n;
		while (when_blank(*t))
			t++;
		tn = when_word(t);
		if (isdigit((unsigned char)p[0])) {
			if (when_date(p, n, &day, err) == -1)
				return -1;
		} else
			day = when_today(zone, now) + (n == 8 ? 86400 : 0);
		if (tn == 0)
			return error_set(err, ERR_PERM, "\"%.*s\" needs a time "
			    "of day after it, like 10:00", (int)n, p);
		if (when_clock(t, tn, &secs, err) == -1)
			return -1;
		*out = when_instant(zone, day + secs);
		n = (size_t)(t + tn - p);
		rc = 1;
	} else
		return 0;
	if (rc == -1)
		return -1;
	if (*out < now)
		return error_set(err, ERR_PERM, "\"%.*s\" is in the past",
		    (int)n, p);
	p += n;
	while (when_blank(*p))
		p++;
	*len_out = (size_t)(p - s);
	return 1;
}

/* Bytes up to the next blank or the end. */
static size_t
when_word(const char *s)
{
	size_t n = 0;

	while (s[n] != '\0' && !when_blank(s[n]))
		n++;
	return n;
}

static bool
when_blank(char c)
{
	return c == ' ' || c == '\t';
}

/* "H:MM" / "HH:MM", 00:00..23:59 or 24:00, into seconds of the day. */
static int
when_clock(const char *s, size_t n, long *secs, struct error *err)
{
	int h, m;

	if ((n != 4 && n != 5) || s[n - 3] != ':' ||
	    !isdigit((unsigned char)s[0]) ||
	    (n == 5 && !isdigit((unsigned char)s[1])) ||
	    !isdigit((unsigned char)s[n - 2]) ||
	    !isdigit((unsigned char)s[n - 1]))
		return error_set(err, ERR_PERM, "\"%.*s\" is not a time of "
		    "day (HH:MM)", (int)(n > 32 ? 32 : n), s);
	h = n == 5 ? (s[0] - '0') * 10 + (s[1] - '0') : s[0] - '0';
	m = (s[n - 2] - '0') * 10 + (s[n - 1] - '0');
	if (h > 24 || m > 59 || (h == 24 && m != 0))
		return error_set(err, ERR_PERM, "\"%.*s\" is not a time of "
		    "day (00:00 to 24:00)", (int)n, s);
	*secs = h * 3600L + m * 60L;
	return 0;
}

/* "YYYY-MM-DD" (1970..9999) into the wall seconds of its midnight. */
static int
when_date(const char *s, size_t n, int64_t *wall, struct error *err)
{
	static const int mdays[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30,
	    31, 30, 31 };
	int y, m, d, dim;
	size_t i;

	for (i = 0; i < n; i++)
		if (i == 4 || i == 7 ? s[i] != '-' :
		    !isdigit((unsigned char)s[i]))
			break;
	if (n != 10 || i != 10)
		return error_set(err, ERR_PERM, "\"%.*s\" is not a date "
		    "(YYYY-MM-DD)", (int)(n > 32 ? 32 : n), s);
	y = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 +
	    (s[3] - '0');
	m = (s[5] - '0') * 10 + (s[6] - '0');
	d = (s[8] - '0') * 10 + (s[9] - '0');
	if (m < 1 || m > 12)
		dim = 0;
	else
		dim = mdays[m - 1] + (m == 2 && y % 4 == 0 &&
		    (y % 100 != 0 || y % 400 == 0));
	if (y < 1970 || d < 1 || d > dim)
		return error_set(err, ERR_PERM, "%.10s is not a date", s);
	*wall = when_days(y, m, d) * 86400;
	return 0;
}

/* Days from 1970-01-01 to y-m-d (proleptic Gregorian). */
static int64_t
when_days(int y, int m, int d)
{
	int64_t era, yoe, doy, doe;

	y -= m <= 2;
	era = y / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

/* "+N" and a unit: m, h, d (real time) or bh (business hours). */
static int
when_relative(const char *s, size_t n, time_t now,
    const struct calendar *business, time_t *out, struct error *err)
{
	struct error e;
	const char *p = s + 1, *unit;
	long long v = 0;
	long secs = 0;

	while (p < s + n && isdigit((unsigned char)*p)) {
		v = v * 10 + (*p++ - '0');
		if (v > WHEN_MAX_SECONDS)
			v = WHEN_MAX_SECONDS + 1;	/* refused below */
	}
	unit = p;
	if (unit == s + n || (strncasecmp(unit, "m", 1) != 0 &&
	    strncasecmp(unit, "h", 1) != 0 && strncasecmp(unit, "d", 1) != 0 &&
	    strncasecmp(unit, "bh", 2) != 0) ||
	    (size_t)(s + n - unit) != (strncasecmp(unit, "bh", 2) == 0 ?
	    2 : 1))
		return error_set(err, ERR_PERM, "\"%.*s\" is not a delay "
		    "(+30m, +2h, +1d or +3bh)", (int)(n > 32 ? 32 : n), s);
	if (v == 0)
		return error_set(err, ERR_PERM, "\"%.*s\" is no delay at all",
		    (int)n, s);
	switch (tolower((unsigned char)*unit)) {
	case 'm':
		v *= 60;
		break;
	case 'd':
		v *= 86400;
		break;
	default:
		v *= 3600;
		break;
	}
	if (v > WHEN_MAX_SECONDS)
		return error_set(err, ERR_PERM, "\"%.*s\" is too far ahead",
		    (int)n, s);
	secs = (long)v;
	if (tolower((unsigned char)*unit) != 'b' || business == NULL) {
		*out = now + secs;
		return 0;
	}
	if ((*out = calendar_add_business(business, now, secs,
	    &e)) == CALENDAR_NEVER)
		return error_set(err, ERR_PERM, "\"%.*s\": %s", (int)n, s,
		    e.msg);
	return 0;
}

/* The wall seconds of the midnight that starts now's date in zone. */
static int64_t
when_today(const struct calendar *zone, time_t now)
{
	struct tm tm;

	if (zone != NULL)
		calendar_localtime(zone, now, &tm);
	else
		(void)gmtime_r(&now, &tm);
	return when_days(tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday) *
	    86400;
}

static time_t
when_instant(const struct calendar *zone, int64_t wall)
{
	if (zone == NULL)
		return (time_t)wall;
	return calendar_from_local(zone, (time_t)wall);
}
