/*
 * test_calendar: business-hour arithmetic on fixed instants (no clock, no
 * sleeps).  The Friday example in Moscow and Warsaw; nights,
 * weekends, holidays, extra working days and split days; both DST changes
 * in Warsaw and none in Moscow; add_business and business_between as
 * inverses over many start points; the zone reader against glibc's
 * localtime_r; and the errors for bad zones, times, dates and intervals.
 *
 * Expected instants are written as local wall time plus the UTC offset
 * the reader knows from the calendar ("2026-03-09 10:00", +3 for MSK), so
 * they do not depend on the code under test.
 */

#include <check.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "calendar.h"
#include "error.h"

#define H	3600L

/* Calendars the tables refer to. */
enum cal_kind {
	OFFICE,		/* Mon-Fri 09-17, holidays, an extra Saturday */
	OFFICE_EXTRA,	/* OFFICE, extra working days 10:00-14:00 */
	SPLIT,		/* Mon-Fri 09-13 and 14-18 */
	ALWAYS,		/* 00:00-24:00 every day */
	NIGHT,		/* Mon 22:00-24:00 + Tue 00:00-06:00, Sat 10-12 */
	EARLY,		/* 02:00-03:00 every day: the DST hour itself */
	LATE_FALL,	/* 02:30-05:00 every day */
	HALVES,		/* 00:00-02:30 and 02:30-05:00 every day */
	CAL_KINDS
};

static time_t	 at(const char *, int);
static struct calendar *cal_make(enum cal_kind, const char *);
static void	 add_week(struct calendar *, int, int, const char *,
		    const char *);

/*
 * Local wall time "YYYY-MM-DD HH:MM[:SS]" at UTC offset off_hours.
 * timegm() works in UTC only, so it does not depend on TZ.
 */
static time_t
at(const char *local, int off_hours)
{
	struct tm	tm;
	int		sec = 0, n;

	memset(&tm, 0, sizeof(tm));
	n = sscanf(local, "%d-%d-%d %d:%d:%d", &tm.tm_year, &tm.tm_mon,
	    &tm.tm_mday, &tm.tm_hour, &tm.tm_min, &sec);
	ck_assert_msg(n >= 5, "bad test time %s", local);
	tm.tm_sec = sec;
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	return timegm(&tm) - (time_t)off_hours * 3600;
}

static void
add_week(struct calendar *cal, int from, int to, const char *open,
    const char *close)
{
	struct error	err;
	int		d;

	for (d = from; d <= to; d++)
		ck_assert_msg(calendar_add_hours(cal, d, open, close, &err) ==
		    0, "%s", err.msg);
}

static struct calendar *
cal_make(enum cal_kind kind, const char *tz)
{
	static const char *const holidays[] = { "2026-01-01", "2026-01-02",
	    "2026-01-07", "2026-05-01", "2026-12-25" };
	struct calendar	*cal;
	struct error	 err;
	size_t		 i;

	cal = calendar_new(tz, &err);
	ck_assert_msg(cal != NULL, "%s", err.msg);
	switch (kind) {
	case OFFICE_EXTRA:
		ck_assert_int_eq(calendar_add_workday_hours(cal, "10:00",
		    "14:00", &err), 0);
		/* FALLTHROUGH */
	case OFFICE:
		add_week(cal, 1, 5, "09:00", "17:00");
		for (i = 0; i < sizeof(holidays) / sizeof(holidays[0]); i++)
			ck_assert_int_eq(calendar_add_holiday(cal, holidays[i],
			    &err), 0);
		ck_assert_int_eq(calendar_add_workday(cal, "2026-05-09", &err),
		    0);
		break;
	case SPLIT:
		/* Added out of order on purpose. */
		add_week(cal, 1, 5, "14:00", "18:00");
		add_week(cal, 1, 5, "9:00", "13:00");
		break;
	case ALWAYS:
		add_week(cal, 0, 6, "00:00", "24:00");
		break;
	case NIGHT:
		add_week(cal, 1, 1, "22:00", "24:00");
		add_week(cal, 2, 2, "00:00", "06:00");
		add_week(cal, 6, 6, "10:00", "12:00");
		break;
	case EARLY:
		add_week(cal, 0, 6, "02:00", "03:00");
		break;
	case LATE_FALL:
		add_week(cal, 0, 6, "02:30", "05:00");
		break;
	case HALVES:
		add_week(cal, 0, 6, "02:30", "05:00");
		add_week(cal, 0, 6, "00:00", "02:30");
		break;
	case CAL_KINDS:
		break;
	}
	return cal;
}

/* --- add_business on fixed instants -------------------------------- */

struct add_case {
	enum cal_kind	 kind;
	const char	*tz;
	const char	*start;
	int		 start_off;
	long		 seconds;
	const char	*want;
	int		 want_off;
};

#define MSK	"Europe/Moscow"
#define WAW	"Europe/Warsaw"

static const struct add_case add_cases[] = {
	/* The example: 3 business hours from Friday 15:00. */
	{ OFFICE, MSK, "2026-03-06 15:00", 3, 3 * H, "2026-03-09 10:00", 3 },
	{ OFFICE, WAW, "2026-03-06 15:00", 1, 3 * H, "2026-03-09 10:00", 1 },
	{ OFFICE, "UTC", "2026-03-06 15:00", 0, 3 * H, "2026-03-09 10:00", 0 },
	/* Inside one day, across a night, before and after hours. */
	{ OFFICE, MSK, "2026-03-03 10:00", 3, 2 * H, "2026-03-03 12:00", 3 },
	{ OFFICE, MSK, "2026-03-03 16:00", 3, 2 * H, "2026-03-04 10:00", 3 },
	{ OFFICE, MSK, "2026-03-03 07:00", 3, 1 * H, "2026-03-03 10:00", 3 },
	{ OFFICE, MSK, "2026-03-03 18:30", 3, 1 * H, "2026-03-04 10:00", 3 },
	{ OFFICE, MSK, "2026-03-03 16:59:59", 3, 1, "2026-03-03 17:00", 3 },
	{ OFFICE, MSK, "2026-03-03 16:59:59", 3, 2, "2026-03-04 09:00:01", 3 },
	/* Weekend start; zero seconds is the next opening. */
	{ OFFICE, MSK, "2026-03-07 12:00", 3, 0, "2026-03-09 09:00", 3 },
	{ OFFICE, MSK, "2026-03-07 12:00", 3, 30 * 60, "2026-03-09 09:30", 3 },
	{ OFFICE, MSK, "2026-03-03 12:00", 3, 0, "2026-03-03 12:00", 3 },
	/* Filling a day exactly ends at its close, not the next opening. */
	{ OFFICE, MSK, "2026-03-06 15:00", 3, 2 * H, "2026-03-06 17:00", 3 },
	{ OFFICE, MSK, "2026-03-02 09:00", 3, 40 * H, "2026-03-06 17:00", 3 },
	/* Holiday Friday 2026-05-01, then the weekend. */
	{ OFFICE, MSK, "2026-04-30 16:00", 3, 2 * H, "2026-05-04 10:00", 3 },
	/* Extra working Saturday 2026-05-09 with Monday's hours... */
	{ OFFICE, MSK, "2026-05-08 16:00", 3, 2 * H, "2026-05-09 10:00", 3 },
	{ OFFICE, MSK, "2026-05-08 16:00", 3, 9 * H, "2026-05-09 17:00", 3 },
	{ OFFICE, MSK, "2026-05-08 16:00", 3, 10 * H, "2026-05-11 10:00", 3 },
	{ OFFICE, MSK, "2026-05-09 08:00", 3, 0, "2026-05-09 09:00", 3 },
	/* ...or with the hours set for extra days. */
	{ OFFICE_EXTRA, MSK, "2026-05-08 16:00", 3, 2 * H,
	    "2026-05-09 11:00", 3 },
	{ OFFICE_EXTRA, MSK, "2026-05-08 16:00", 3, 5 * H,
	    "2026-05-09 14:00", 3 },
	{ OFFICE_EXTRA, MSK, "2026-05-08 16:00", 3, 6 * H,
	    "2026-05-11 10:00", 3 },
	/* New year: Jan 1-2 holidays, weekend, Jan 7 holiday. */
	{ OFFICE, MSK, "2025-12-31 16:00", 3, 20 * H, "2026-01-08 12:00", 3 },
	/* Months ahead: 10 weeks of 40 hours, no holidays in between. */
	{ OFFICE, MSK, "2026-06-01 09:00", 3, 400 * H, "2026-08-07 17:00", 3 },
	/* Warsaw across both DST weekends: wall clock hours still count. */
	{ OFFICE, WAW, "2026-03-27 15:00", 1, 3 * H, "2026-03-30 10:00", 2 },
	{ OFFICE, WAW, "2026-10-23 15:00", 2, 3 * H, "2026-10-26 10:00", 1 },
	/* Several intervals a day. */
	{ SPLIT, MSK, "2026-03-02 12:00", 3, 2 * H, "2026-03-02 15:00", 3 },
	{ SPLIT, MSK, "2026-03-02 13:30", 3, 0, "2026-03-02 14:00", 3 },
	{ SPLIT, MSK, "2026-03-02 12:00", 3, 1 * H, "2026-03-02 13:00", 3 },
	{ SPLIT, MSK, "2026-03-02 17:00", 3, 2 * H, "2026-03-03 10:00", 3 },
	{ SPLIT, MSK, "2026-03-06 17:00", 3, 9 * H, "2026-03-09 18:00", 3 },
	/* 24/7 in Warsaw: 24 business hours are 24 real hours, 25 or 23
	 * on the wall clock across the changes. */
	{ ALWAYS, WAW, "2026-03-28 12:00", 1, 24 * H, "2026-03-29 13:00", 2 },
	{ ALWAYS, WAW, "2026-10-24 12:00", 2, 24 * H, "2026-10-25 11:00", 1 },
	{ ALWAYS, WAW, "2026-03-29 01:59:59", 1, 1, "2026-03-29 03:00", 2 },
	/* Moscow has had no DST since 2014: a plain 24 hours. */
	{ ALWAYS, MSK, "2026-03-28 12:00", 3, 24 * H, "2026-03-29 12:00", 3 },
	{ ALWAYS, MSK, "2026-10-24 12:00", 3, 24 * H, "2026-10-25 12:00", 3 },
	/* A night shift split at midnight joins without a gap. */
	{ NIGHT, MSK, "2026-03-02 23:00", 3, 2 * H, "2026-03-03 01:00", 3 },
	{ NIGHT, MSK, "2026-03-02 12:00", 3, 8 * H, "2026-03-03 06:00", 3 },
	{ NIGHT, MSK, "2026-03-03 05:00", 3, 2 * H, "2026-03-07 11:00", 3 },
	/* The DST hour: empty on spring-forward day, doubled on fall-back. */
	{ EARLY, WAW, "2026-03-28 12:00", 1, 0, "2026-03-30 02:00", 2 },
	{ EARLY, WAW, "2026-03-28 02:30", 1, 1 * H, "2026-03-30 02:30", 2 },
	{ EARLY, WAW, "2026-10-25 00:00", 2, 1 * H, "2026-10-25 02:00", 1 },
	{ EARLY, WAW, "2026-10-25 00:00", 2, 2 * H, "2026-10-25 03:00", 1 },
	{ EARLY, WAW, "2026-10-25 02:30", 2, 1 * H, "2026-10-25 02:30", 1 },
	{ HALVES, WAW, "2026-10-25 00:00", 2, 6 * H, "2026-10-25 05:00", 1 },
	{ HALVES, WAW, "2026-10-25 02:00", 2, 2 * H, "2026-10-25 03:00", 1 },
	{ LATE_FALL, WAW, "2026-10-25 00:00", 2, 3 * H + 1800,
	    "2026-10-25 05:00", 1 },
	{ LATE_FALL, WAW, "2026-03-29 00:00", 1, 1800, "2026-03-29 03:30", 2 },
};

START_TEST(test_add_table)
{
	const struct add_case	*c = &add_cases[_i];
	struct calendar		*cal = cal_make(c->kind, c->tz);
	struct error		 err;
	time_t			 start = at(c->start, c->start_off);
	time_t			 want = at(c->want, c->want_off), got;

	error_clear(&err);
	got = calendar_add_business(cal, start, c->seconds, &err);
	ck_assert_msg(got == want, "case %d %s %s + %lds: got %lld want "
	    "%lld (%+lld s) %s", _i, c->tz, c->start, c->seconds,
	    (long long)got, (long long)want, (long long)(got - want),
	    err.msg);
	ck_assert_int_eq(calendar_business_between(cal, start, got),
	    c->seconds);
	if (c->seconds == 0)
		ck_assert(calendar_next_open(cal, start, NULL) == want);
	calendar_free(cal);
}
END_TEST

/* --- business_between and is_open --------------------------------- */

struct between_case {
	enum cal_kind	 kind;
	const char	*tz;
	const char	*a;
	int		 a_off;
	const char	*b;
	int		 b_off;
	long		 want;
};

static const struct between_case between_cases[] = {
	/* Whole local days in a 24/7 calendar: 23, 24 and 25 hours. */
	{ ALWAYS, WAW, "2026-03-29 00:00", 1, "2026-03-30 00:00", 2, 23 * H },
	{ ALWAYS, WAW, "2026-03-28 00:00", 1, "2026-03-29 00:00", 1, 24 * H },
	{ ALWAYS, WAW, "2026-10-25 00:00", 2, "2026-10-26 00:00", 1, 25 * H },
	{ ALWAYS, MSK, "2026-03-29 00:00", 3, "2026-03-30 00:00", 3, 24 * H },
	/* Moscow's last change, 2014-10-26 02:00 MSK+4 -> 01:00 MSK+3. */
	{ ALWAYS, MSK, "2014-10-26 00:00", 4, "2014-10-27 00:00", 3, 25 * H },
	/* Havana changes at midnight: Nov 1 repeats 00:00-01:00, Mar 8
	 * skips it. */
	{ ALWAYS, "America/Havana", "2026-10-31 00:00", -4, "2026-11-02 00:00",
	    -5, 49 * H },
	{ ALWAYS, "America/Havana", "2026-11-01 00:00", -4, "2026-11-02 00:00",
	    -5, 25 * H },
	{ ALWAYS, "America/Havana", "2026-03-07 00:00", -5, "2026-03-09 00:00",
	    -4, 47 * H },
	{ NIGHT, "America/Havana", "2026-11-02 00:00", -5, "2026-11-04 00:00",
	    -5, 8 * H },
	/* The DST hour alone. */
	{ EARLY, WAW, "2026-03-29 00:00", 1, "2026-03-30 00:00", 2, 0 },
	{ EARLY, WAW, "2026-03-28 00:00", 1, "2026-03-29 00:00", 1, 1 * H },
	{ EARLY, WAW, "2026-10-25 00:00", 2, "2026-10-26 00:00", 1, 2 * H },
	{ LATE_FALL, WAW, "2026-10-25 00:00", 2, "2026-10-26 00:00", 1,
	    3 * H + 1800 },
	{ LATE_FALL, WAW, "2026-03-29 00:00", 1, "2026-03-30 00:00", 2,
	    2 * H },
	/* 02:30 lies inside the repeated hour: the first half ends at its
	 * second occurrence, the second half starts at its first; the
	 * hour they share counts once (00:00 CEST to 05:00 CET is 6 h). */
	{ HALVES, WAW, "2026-10-25 00:00", 2, "2026-10-26 00:00", 1, 6 * H },
	{ HALVES, WAW, "2026-10-24 00:00", 2, "2026-10-25 00:00", 2, 5 * H },
	{ HALVES, WAW, "2026-03-29 00:00", 1, "2026-03-30 00:00", 2, 4 * H },
	/* Office weeks, holidays and the extra Saturday. */
	{ OFFICE, MSK, "2026-03-02 00:00", 3, "2026-03-09 00:00", 3, 40 * H },
	{ OFFICE, MSK, "2026-04-27 00:00", 3, "2026-05-04 00:00", 3, 32 * H },
	{ OFFICE, MSK, "2026-05-04 00:00", 3, "2026-05-11 00:00", 3, 48 * H },
	{ OFFICE_EXTRA, MSK, "2026-05-04 00:00", 3, "2026-05-11 00:00", 3,
	    44 * H },
	{ OFFICE, WAW, "2026-03-23 00:00", 1, "2026-04-06 00:00", 2, 80 * H },
	{ OFFICE, MSK, "2026-03-03 10:00", 3, "2026-03-03 10:00", 3, 0 },
	{ OFFICE, MSK, "2026-03-04 10:00", 3, "2026-03-03 10:00", 3, 0 },
	{ OFFICE, MSK, "2026-03-03 16:30", 3, "2026-03-04 09:15", 3, 2700 },
	/* 2026: 261 weekdays, 5 of them holidays, one extra Saturday. */
	{ OFFICE, MSK, "2026-01-01 00:00", 3, "2027-01-01 00:00", 3,
	    (261 - 5 + 1) * 8 * H },
	{ SPLIT, MSK, "2026-03-02 12:30", 3, "2026-03-02 14:30", 3, 1 * H },
	{ NIGHT, MSK, "2026-03-02 21:00", 3, "2026-03-03 07:00", 3, 8 * H },
};

START_TEST(test_between_table)
{
	const struct between_case	*c = &between_cases[_i];
	struct calendar			*cal = cal_make(c->kind, c->tz);
	long				 got;

	got = calendar_business_between(cal, at(c->a, c->a_off),
	    at(c->b, c->b_off));
	ck_assert_msg(got == c->want, "case %d %s %s..%s: got %ld want %ld",
	    _i, c->tz, c->a, c->b, got, c->want);
	calendar_free(cal);
}
END_TEST

struct open_case {
	enum cal_kind	 kind;
	const char	*tz;
	const char	*t;
	int		 off;
	bool		 open;
};

static const struct open_case open_cases[] = {
	{ OFFICE, MSK, "2026-03-03 09:00", 3, true },
	{ OFFICE, MSK, "2026-03-03 08:59:59", 3, false },
	{ OFFICE, MSK, "2026-03-03 16:59:59", 3, true },
	{ OFFICE, MSK, "2026-03-03 17:00", 3, false },
	{ OFFICE, MSK, "2026-03-07 12:00", 3, false },
	{ OFFICE, MSK, "2026-05-01 12:00", 3, false },
	{ OFFICE, MSK, "2026-05-09 12:00", 3, true },
	{ OFFICE_EXTRA, MSK, "2026-05-09 09:30", 3, false },
	{ OFFICE_EXTRA, MSK, "2026-05-09 13:30", 3, true },
	{ OFFICE, WAW, "2026-03-30 09:00", 2, true },
	{ OFFICE, WAW, "2026-03-30 08:30", 2, false },
	{ SPLIT, MSK, "2026-03-02 12:59:59", 3, true },
	{ SPLIT, MSK, "2026-03-02 13:00", 3, false },
	{ SPLIT, MSK, "2026-03-02 14:00", 3, true },
	{ NIGHT, MSK, "2026-03-02 23:59:59", 3, true },
	{ NIGHT, MSK, "2026-03-03 00:00", 3, true },
	{ NIGHT, MSK, "2026-03-03 06:00", 3, false },
	{ EARLY, WAW, "2026-10-25 02:30", 2, true },
	{ EARLY, WAW, "2026-10-25 02:30", 1, true },
	{ EARLY, WAW, "2026-10-25 03:00", 1, false },
	{ EARLY, WAW, "2026-03-29 01:59:59", 1, false },
	{ EARLY, WAW, "2026-03-29 03:00", 2, false },
	{ ALWAYS, WAW, "2026-03-29 03:00", 2, true },
	{ ALWAYS, WAW, "2026-10-25 02:00", 1, true },
};

START_TEST(test_open_table)
{
	const struct open_case	*c = &open_cases[_i];
	struct calendar		*cal = cal_make(c->kind, c->tz);

	ck_assert_msg(calendar_is_open(cal, at(c->t, c->off)) == c->open,
	    "case %d %s %s%+d", _i, c->tz, c->t, c->off);
	calendar_free(cal);
}
END_TEST

/* --- properties over many start points ---------------------------- */

static const long prop_seconds[] = { 0, 1, 59, 1800, H, 3 * H, 8 * H,
    27 * H + 17, 300 * H };

/*
 * Check's assertions record their location through a pipe on every call;
 * the loops below make millions of checks, so they test first and only
 * fail through Check.
 */
#define EXPECT(cond, ...)	do {					\
	if (!(cond))							\
		ck_abort_msg(__VA_ARGS__);				\
} while (0)

static void	 inverse_check(const struct calendar *, const char *,
		    time_t);

/*
 * For every calendar, zone and start point: add_business and
 * business_between are inverses, the deadline is the earliest such
 * instant, and the clock starts at calendar_next_open.
 */
START_TEST(test_inverse_property)
{
	static const char *const zones[] = { MSK, WAW, "UTC",
	    "America/New_York", "Australia/Sydney", "America/Havana" };
	struct calendar	*cal;
	time_t		 start;
	size_t		 z;
	int		 n;

	for (z = 0; z < sizeof(zones) / sizeof(zones[0]); z++) {
		cal = cal_make((enum cal_kind)_i, zones[z]);
		/* Every 7h13m through 2026, DST changes included. */
		for (n = 0, start = at("2026-01-01 00:00", 0); n < 1200;
		    n++, start += 7 * H + 13 * 60)
			inverse_check(cal, zones[z], start);
		calendar_free(cal);
	}
}
END_TEST

static void
inverse_check(const struct calendar *cal, const char *zone, time_t start)
{
	struct error	err;
	time_t		open, end;
	long		secs;
	size_t		k;

	open = calendar_next_open(cal, start, &err);
	EXPECT(open != CALENDAR_NEVER, "%s", err.msg);
	EXPECT(open >= start && calendar_is_open(cal, open) &&
	    (open == start) == calendar_is_open(cal, start) &&
	    calendar_business_between(cal, start, open) == 0,
	    "%s: next_open(%lld) = %lld", zone, (long long)start,
	    (long long)open);
	for (k = 0; k < sizeof(prop_seconds) / sizeof(prop_seconds[0]); k++) {
		secs = prop_seconds[k];
		end = calendar_add_business(cal, start, secs, &err);
		EXPECT(end != CALENDAR_NEVER, "%s", err.msg);
		EXPECT(calendar_business_between(cal, start, end) == secs,
		    "%s: start %lld + %ld s = %lld, between says %ld", zone,
		    (long long)start, secs, (long long)end,
		    calendar_business_between(cal, start, end));
		/* Earliest: one second less is not enough, and was open. */
		EXPECT(secs == 0 ? end == open :
		    calendar_business_between(cal, start, end - 1) ==
		    secs - 1 && calendar_is_open(cal, end - 1),
		    "%s: start %lld + %ld s = %lld is not the earliest", zone,
		    (long long)start, secs, (long long)end);
	}
}

/*
 * business_between against a count of is_open samples: every working
 * boundary here (and every DST change) lies on a full 5 minutes, so
 * sampling every 300 s gives the exact business time.
 */
START_TEST(test_between_sampled)
{
	static const char *const zones[] = { MSK, WAW };
	struct calendar	*cal;
	time_t		 a, t;
	long		 sampled;
	size_t		 z;
	int		 w;

	for (z = 0; z < sizeof(zones) / sizeof(zones[0]); z++) {
		cal = cal_make((enum cal_kind)_i, zones[z]);
		/* Weeks around both Warsaw changes and the holidays. */
		for (w = 0; w < 6; w++) {
			a = at(w < 2 ? "2026-03-23 00:00" : w < 4 ?
			    "2026-10-19 00:00" : "2026-04-27 00:00", 0) +
			    (w % 2) * 3 * 86400;
			sampled = 0;
			for (t = a; t < a + 8 * 86400; t += 300)
				sampled += calendar_is_open(cal, t) ? 300 : 0;
			ck_assert_int_eq(calendar_business_between(cal, a,
			    a + 8 * 86400), sampled);
		}
		calendar_free(cal);
	}
}
END_TEST

/* --- the zone reader against glibc -------------------------------- */

static void	 tm_compare(const struct calendar *, const char *, time_t);
static bool	 same_type(const struct tm *, const struct tm *);

/*
 * calendar_localtime must agree with localtime_r under TZ=zone.  setenv
 * is fine here: each Check test runs in its own forked process with one
 * thread; the library itself never touches TZ.  Samples every few hours
 * (an odd step, so they drift across the hours of the day); wherever
 * glibc's offset changes between two samples the exact transition is
 * found by bisection and both of its sides are compared, so a transition
 * off by one second would fail.  Years after 2037 exercise the footer's
 * POSIX rule.
 */
START_TEST(test_zone_vs_glibc)
{
	static const struct {
		const char	*zone;
		const char	*from;
		int		 years;
	} zones[] = {
		{ WAW, "1900-01-01 00:00", 200 },
		{ MSK, "1900-01-01 00:00", 200 },
		{ "America/New_York", "1900-01-01 00:00", 200 },
		{ "Australia/Sydney", "1900-01-01 00:00", 200 },
		{ "Australia/Lord_Howe", "1960-01-01 00:00", 120 },
		{ "America/Santiago", "1960-01-01 00:00", 120 },
		{ "Antarctica/Troll", "2000-01-01 00:00", 100 },
		{ "Asia/Kolkata", "1900-01-01 00:00", 200 },
		{ "America/Havana", "1900-01-01 00:00", 200 },
		{ "UTC", "1970-01-01 00:00", 100 },
	};
	struct calendar	*cal;
	struct tm	 prev, cur;
	time_t		 t, end, lo, hi, mid, step = 5 * H + 17 * 60 + 7;
	size_t		 z = (size_t)_i;
	int		 changes = 0;

	cal = cal_make(ALWAYS, zones[z].zone);
	ck_assert_int_eq(setenv("TZ", zones[z].zone, 1), 0);
	tzset();
	t = at(zones[z].from, 0);
	end = t + (time_t)zones[z].years * 365 * 86400;
	EXPECT(localtime_r(&t, &prev) != NULL, "localtime_r");
	for (; t < end; t += step, prev = cur) {
		tm_compare(cal, zones[z].zone, t);
		EXPECT(localtime_r(&t, &cur) != NULL, "localtime_r");
		if (same_type(&prev, &cur))
			continue;
		/* The first instant of cur's type lies in (t - step, t]. */
		for (lo = t - step, hi = t; hi - lo > 1;) {
			mid = lo + (hi - lo) / 2;
			EXPECT(localtime_r(&mid, &cur) != NULL,
			    "localtime_r");
			if (same_type(&prev, &cur))
				lo = mid;
			else
				hi = mid;
		}
		tm_compare(cal, zones[z].zone, lo);
		tm_compare(cal, zones[z].zone, hi);
		EXPECT(localtime_r(&t, &cur) != NULL, "localtime_r");
		changes++;
	}
	/* Zones with DST must have shown transitions, or we tested little. */
	if (strcmp(zones[z].zone, "UTC") != 0)
		ck_assert_int_gt(changes, 2);
	calendar_free(cal);
}
END_TEST

static bool
same_type(const struct tm *a, const struct tm *b)
{
	return a->tm_gmtoff == b->tm_gmtoff && a->tm_isdst == b->tm_isdst &&
	    strcmp(a->tm_zone, b->tm_zone) == 0;
}

static void
tm_compare(const struct calendar *cal, const char *zone, time_t t)
{
	struct tm	mine, ref;

	calendar_localtime(cal, t, &mine);
	EXPECT(localtime_r(&t, &ref) != NULL, "localtime_r");
	EXPECT(same_type(&mine, &ref) && mine.tm_hour == ref.tm_hour &&
	    mine.tm_mday == ref.tm_mday && mine.tm_mon == ref.tm_mon &&
	    mine.tm_year == ref.tm_year && mine.tm_wday == ref.tm_wday &&
	    mine.tm_yday == ref.tm_yday && mine.tm_min == ref.tm_min &&
	    mine.tm_sec == ref.tm_sec,
	    "%s at %lld: mine %+ld %s isdst %d %02d:%02d, glibc %+ld %s "
	    "isdst %d %02d:%02d", zone, (long long)t, mine.tm_gmtoff,
	    mine.tm_zone, mine.tm_isdst, mine.tm_hour, mine.tm_min,
	    ref.tm_gmtoff, ref.tm_zone, ref.tm_isdst, ref.tm_hour,
	    ref.tm_min);
}

START_TEST(test_localtime)
{
	struct calendar	*cal = cal_make(OFFICE, WAW);
	struct tm	 tm;

	/* The first instant of CEST in 2026. */
	calendar_localtime(cal, at("2026-03-29 01:00", 0), &tm);
	ck_assert_int_eq(tm.tm_hour, 3);
	ck_assert_int_eq(tm.tm_isdst, 1);
	ck_assert_int_eq(tm.tm_gmtoff, 7200);
	ck_assert_str_eq(tm.tm_zone, "CEST");
	ck_assert_int_eq(tm.tm_wday, 0);
	calendar_localtime(cal, at("2026-03-29 00:59:59", 0), &tm);
	ck_assert_int_eq(tm.tm_hour, 1);
	ck_assert_str_eq(tm.tm_zone, "CET");
	ck_assert_str_eq(calendar_tz_name(cal), WAW);
	calendar_free(cal);
}
END_TEST

/* A local date and time to the instant: winter, summer, Moscow, DST gaps. */
START_TEST(test_from_local)
{
	static const struct {
		const char	*zone;
		const char	*wall;
		const char	*utc;
	} cases[] = {
		{ WAW, "2026-12-24 00:00", "2026-12-23 23:00" },	/* CET */
		{ WAW, "2026-07-01 00:00", "2026-06-30 22:00" },	/* CEST */
		{ MSK, "2026-12-24 00:00", "2026-12-23 21:00" },
		{ MSK, "2026-07-01 00:00", "2026-06-30 21:00" },
		/* 02:30 does not exist on 29 March: the transition */
		{ WAW, "2026-03-29 02:30", "2026-03-29 01:00" },
		/* 02:30 on 25 October comes twice: the first one */
		{ WAW, "2026-10-25 02:30", "2026-10-25 00:30" },
	};
	struct calendar	*cal;
	size_t		 i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		cal = cal_make(OFFICE, cases[i].zone);
		ck_assert_msg(calendar_from_local(cal, at(cases[i].wall, 0)) ==
		    at(cases[i].utc, 0), "%s %s", cases[i].zone, cases[i].wall);
		calendar_free(cal);
	}
}
END_TEST

/* --- errors --------------------------------------------------------- */

static const char *const bad_zones[] = {
	"", "/etc/passwd", "../../etc/passwd", "Europe/../../etc/passwd",
	"Europe/..", "./UTC", "Europe//Warsaw", "Europe/Warsaw/",
	"Europe/Nowhere", "Europe", "zone.tab", "tzdata.zi",
	"Europe/Warsaw;id", "Europe/Warsaw ", "Europe\\Warsaw", "Мск",
	"right/UTC",
};

START_TEST(test_bad_zone)
{
	struct error	err;

	error_clear(&err);
	ck_assert_msg(calendar_new(bad_zones[_i], &err) == NULL, "%s",
	    bad_zones[_i]);
	ck_assert_int_eq(err.kind, ERR_PERM);
	ck_assert_msg(strstr(err.msg, "calendar") != NULL, "%s", err.msg);
	ck_assert(calendar_new(bad_zones[_i], NULL) == NULL);
}
END_TEST

START_TEST(test_null_zone)
{
	struct error	err;

	ck_assert(calendar_new(NULL, &err) == NULL);
	ck_assert_int_eq(err.kind, ERR_PERM);
}
END_TEST

START_TEST(test_zone_names)
{
	static const char *const good[] = { "UTC", "Etc/GMT+3", "Etc/GMT-14",
	    "America/Argentina/Buenos_Aires", "Europe/Kyiv", "Poland",
	    "America/Port-au-Prince" };
	struct calendar	*cal;
	struct error	 err;
	size_t		 i;

	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		cal = calendar_new(good[i], &err);
		ck_assert_msg(cal != NULL, "%s: %s", good[i], err.msg);
		calendar_free(cal);
	}
	calendar_free(NULL);
}
END_TEST

struct bad_hours {
	int		 weekday;
	const char	*open;
	const char	*close;
	const char	*why;		/* substring of the message */
};

static const struct bad_hours bad_hours[] = {
	{ -1, "09:00", "17:00", "weekday" },
	{ 7, "09:00", "17:00", "weekday" },
	{ 1, "25:00", "26:00", "bad time" },
	{ 1, "09:60", "17:00", "bad time" },
	{ 1, "24:00", "24:00", "bad time" },
	{ 1, "09:00", "24:01", "bad time" },
	{ 1, "9", "17:00", "bad time" },
	{ 1, "09:00x", "17:00", "bad time" },
	{ 1, "", "17:00", "bad time" },
	{ 1, "-1:00", "17:00", "bad time" },
	{ 1, "009:00", "17:00", "bad time" },
	{ 1, "09:0", "17:00", "bad time" },
	{ 1, " 09:00", "17:00", "bad time" },
	{ 1, NULL, "17:00", "missing" },
	{ 1, "17:00", "09:00", "inverted" },
	{ 1, "09:00", "09:00", "inverted" },
	/* Monday already holds 09:00-13:00 and 14:00-18:00 here. */
	{ 1, "12:00", "15:00", "overlaps" },
	{ 1, "08:00", "09:01", "overlaps" },
	{ 1, "10:00", "11:00", "overlaps" },
	{ 1, "00:00", "24:00", "overlaps" },
	{ 1, "17:59", "19:00", "overlaps" },
};

START_TEST(test_bad_hours)
{
	const struct bad_hours	*c = &bad_hours[_i];
	struct calendar		*cal = cal_make(SPLIT, MSK);
	struct error		 err;

	error_clear(&err);
	ck_assert_int_eq(calendar_add_hours(cal, c->weekday, c->open,
	    c->close, &err), -1);
	ck_assert_int_eq(err.kind, ERR_PERM);
	ck_assert_msg(strstr(err.msg, c->why) != NULL, "case %d: %s", _i,
	    err.msg);
	ck_assert_int_eq(calendar_add_workday_hours(cal, c->open, "00:00",
	    NULL), -1);
	calendar_free(cal);
}
END_TEST

START_TEST(test_hours_limits)
{
	struct calendar	*cal = cal_make(SPLIT, MSK);
	struct error	 err;
	char		 open[8], close[8];
	int		 i;

	/* Touching intervals are fine. */
	ck_assert_int_eq(calendar_add_hours(cal, 1, "13:00", "14:00", &err),
	    0);
	ck_assert_int_eq(calendar_add_hours(cal, 1, "18:00", "24:00", &err),
	    0);
	ck_assert_int_eq(calendar_add_hours(cal, 1, "0:00", "9:00", &err), 0);
	ck_assert_int_eq(calendar_business_between(cal,
	    at("2026-03-02 00:00", 3), at("2026-03-03 00:00", 3)), 24 * H);
	/* At most CALENDAR_DAY_INTERVALS a day. */
	for (i = 0; i < CALENDAR_DAY_INTERVALS; i++) {
		(void)snprintf(open, sizeof(open), "%02d:00", i);
		(void)snprintf(close, sizeof(close), "%02d:30", i);
		ck_assert_int_eq(calendar_add_hours(cal, 0, open, close, &err),
		    0);
	}
	ck_assert_int_eq(calendar_add_hours(cal, 0, "20:00", "21:00", &err),
	    -1);
	ck_assert_ptr_nonnull(strstr(err.msg, "more than"));
	calendar_free(cal);
}
END_TEST

static const char *const bad_dates[] = {
	"2026-02-29", "2026-13-01", "2026-00-10", "2026-04-31", "2026-1-01",
	"1899-12-31", "2026-12-25x", "2026/12/25", "", "26-12-25",
	"2026-12-2", "2026-12-32",
};

START_TEST(test_bad_date)
{
	struct calendar	*cal = cal_make(OFFICE, MSK);
	struct error	 err;

	error_clear(&err);
	ck_assert_int_eq(calendar_add_holiday(cal, bad_dates[_i], &err), -1);
	ck_assert_int_eq(err.kind, ERR_PERM);
	ck_assert_ptr_nonnull(strstr(err.msg, "bad date"));
	ck_assert_int_eq(calendar_add_workday(cal, bad_dates[_i], NULL), -1);
	calendar_free(cal);
}
END_TEST

START_TEST(test_dates)
{
	struct calendar	*cal = cal_make(OFFICE, MSK);
	struct error	 err;

	ck_assert_int_eq(calendar_add_holiday(cal, "2024-02-29", &err), 0);
	ck_assert_int_eq(calendar_add_holiday(cal, "2000-02-29", &err), 0);
	ck_assert_int_eq(calendar_add_holiday(cal, "2026-12-25", &err), 0);
	ck_assert_int_eq(calendar_add_holiday(cal, NULL, &err), -1);
	/* A date cannot be both. */
	ck_assert_int_eq(calendar_add_workday(cal, "2026-12-25", &err), -1);
	ck_assert_ptr_nonnull(strstr(err.msg, "already"));
	ck_assert_int_eq(calendar_add_holiday(cal, "2026-05-09", &err), -1);
	ck_assert_ptr_nonnull(strstr(err.msg, "already"));
	/* A holiday on a weekend changes nothing; many dates stay sorted. */
	ck_assert_int_eq(calendar_add_holiday(cal, "2026-03-07", &err), 0);
	ck_assert_int_eq(calendar_add_holiday(cal, "2026-03-05", &err), 0);
	ck_assert_int_eq(calendar_add_holiday(cal, "2026-03-03", &err), 0);
	ck_assert_int_eq(calendar_add_holiday(cal, "2026-03-04", &err), 0);
	ck_assert_int_eq(calendar_business_between(cal,
	    at("2026-03-02 00:00", 3), at("2026-03-09 00:00", 3)), 16 * H);
	calendar_free(cal);
}
END_TEST

START_TEST(test_no_working_time)
{
	struct calendar	*cal;
	struct error	 err;
	time_t		 t = at("2026-03-02 00:00", 3);

	cal = calendar_new(MSK, &err);
	ck_assert_ptr_nonnull(cal);
	error_clear(&err);
	ck_assert(calendar_add_business(cal, t, H, &err) == CALENDAR_NEVER);
	ck_assert_int_eq(err.kind, ERR_PERM);
	ck_assert_ptr_nonnull(strstr(err.msg, "no working time"));
	ck_assert(calendar_next_open(cal, t, NULL) == CALENDAR_NEVER);
	ck_assert(!calendar_is_open(cal, t));
	ck_assert_int_eq(calendar_business_between(cal, t, t + 400 * 86400),
	    0);
	/* One extra working day only: found within the bound, not beyond. */
	ck_assert_int_eq(calendar_add_workday(cal, "2028-01-03", &err), 0);
	ck_assert_int_eq(calendar_add_workday_hours(cal, "10:00", "12:00",
	    &err), 0);
	ck_assert(calendar_next_open(cal, t, &err) ==
	    at("2028-01-03 10:00", 3));
	ck_assert(calendar_add_business(cal, t, 2 * H, &err) ==
	    at("2028-01-03 12:00", 3));
	ck_assert(calendar_add_business(cal, t, 2 * H + 1, &err) ==
	    CALENDAR_NEVER);
	ck_assert(calendar_next_open(cal, at("2024-01-01 00:00", 3), &err) ==
	    CALENDAR_NEVER);
	calendar_free(cal);
}
END_TEST

START_TEST(test_bad_seconds)
{
	struct calendar	*cal = cal_make(ALWAYS, "UTC");
	struct error	 err;
	time_t		 t = at("2026-03-02 00:00", 0);

	error_clear(&err);
	ck_assert(calendar_add_business(cal, t, -1, &err) == CALENDAR_NEVER);
	ck_assert_int_eq(err.kind, ERR_PERM);
	ck_assert(calendar_add_business(cal, t, CALENDAR_MAX_SECONDS + 1,
	    NULL) == CALENDAR_NEVER);
	/* The largest allowed deadline is computed per day, quickly. */
	ck_assert(calendar_add_business(cal, t, CALENDAR_MAX_SECONDS, NULL) ==
	    t + CALENDAR_MAX_SECONDS);
	calendar_free(cal);
}
END_TEST

/* Deadlines far ahead through holidays and DST, checked by the inverse. */
START_TEST(test_far_deadline)
{
	struct calendar	*cal = cal_make(OFFICE, WAW);
	time_t		 t = at("2026-03-02 12:00", 1), end;

	end = calendar_add_business(cal, t, 2000 * H, NULL);
	ck_assert(end != CALENDAR_NEVER);
	ck_assert_int_eq(calendar_business_between(cal, t, end), 2000 * H);
	/* About 250 working days: into early 2027. */
	ck_assert(end > at("2027-01-01 00:00", 1));
	ck_assert(end < at("2027-04-01 00:00", 1));
	calendar_free(cal);
}
END_TEST

static Suite *
calendar_suite(void)
{
	Suite	*s = suite_create("calendar");
	TCase	*tc = tcase_create("core");
	TCase	*slow = tcase_create("properties");

	tcase_add_loop_test(tc, test_add_table, 0,
	    sizeof(add_cases) / sizeof(add_cases[0]));
	tcase_add_loop_test(tc, test_between_table, 0,
	    sizeof(between_cases) / sizeof(between_cases[0]));
	tcase_add_loop_test(tc, test_open_table, 0,
	    sizeof(open_cases) / sizeof(open_cases[0]));
	tcase_add_test(tc, test_localtime);
	tcase_add_test(tc, test_from_local);
	tcase_add_loop_test(tc, test_bad_zone, 0,
	    sizeof(bad_zones) / sizeof(bad_zones[0]));
	tcase_add_test(tc, test_null_zone);
	tcase_add_test(tc, test_zone_names);
	tcase_add_loop_test(tc, test_bad_hours, 0,
	    sizeof(bad_hours) / sizeof(bad_hours[0]));
	tcase_add_test(tc, test_hours_limits);
	tcase_add_loop_test(tc, test_bad_date, 0,
	    sizeof(bad_dates) / sizeof(bad_dates[0]));
	tcase_add_test(tc, test_dates);
	tcase_add_test(tc, test_no_working_time);
	tcase_add_test(tc, test_bad_seconds);
	tcase_add_test(tc, test_far_deadline);
	suite_add_tcase(s, tc);
	tcase_add_loop_test(slow, test_inverse_property, 0, CAL_KINDS);
	tcase_add_loop_test(slow, test_between_sampled, 0, CAL_KINDS);
	tcase_add_loop_test(slow, test_zone_vs_glibc, 0, 10);
	/* Seconds of work each under the sanitizers; Check's default is 4. */
	tcase_set_timeout(slow, 60);
	suite_add_tcase(s, slow);
	return s;
}

int
main(void)
{
	SRunner	*sr = srunner_create(calendar_suite());
	int	 failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
