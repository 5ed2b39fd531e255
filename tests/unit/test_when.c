/*
 * test_when: the task due times of issue 19 (when.h) on fixed instants:
 * every form, in Warsaw (both DST changes) and in UTC, 24:00, business
 * hours across a weekend, past times and garbage.  Expected instants are
 * local wall time plus the UTC offset written by hand, so they do not
 * depend on the code under test.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "calendar.h"
#include "error.h"
#include "when.h"

/* "YYYY-MM-DD HH:MM" at UTC offset off_hours. */
static time_t
at(const char *local, int off_hours)
{
	struct tm tm;
	int n;

	memset(&tm, 0, sizeof(tm));
	n = sscanf(local, "%d-%d-%d %d:%d", &tm.tm_year, &tm.tm_mon,
	    &tm.tm_mday, &tm.tm_hour, &tm.tm_min);
	ck_assert_msg(n == 5, "bad test time %s", local);
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	return timegm(&tm) - off_hours * 3600L;
}

static struct calendar *
warsaw(void)
{
	struct calendar *c;
	struct error err;
	int d;

	c = calendar_new("Europe/Warsaw", &err);
	ck_assert_msg(c != NULL, "%s", err.msg);
	for (d = 1; d <= 5; d++)
		ck_assert_int_eq(calendar_add_hours(c, d, "09:00", "17:00",
		    &err), 0);
	return c;
}

struct ok_case {
	const char	*now;	/* Warsaw wall time */
	int		 now_off;
	const char	*in;
	const char	*want;	/* Warsaw wall time */
	int		 want_off;
	size_t		 len;	/* bytes taken */
};

static const struct ok_case ok_cases[] = {
	/* a Wednesday in winter (CET, +1) */
	{ "2026-12-02 11:00", 1, "today 15:00 call", "2026-12-02 15:00", 1, 12 },
	{ "2026-12-02 11:00", 1, "tomorrow 10:00", "2026-12-03 10:00", 1, 14 },
	{ "2026-12-02 11:00", 1, "TOMORROW 9:05 x", "2026-12-03 09:05", 1, 14 },
	{ "2026-12-02 11:00", 1, "today 24:00 x", "2026-12-03 00:00", 1, 12 },
	{ "2026-12-02 11:00", 1, "2026-12-24 09:30 a", "2026-12-24 09:30", 1,
	    17 },
	{ "2026-12-02 11:00", 1, "+30m ring", "2026-12-02 11:30", 1, 5 },
	{ "2026-12-02 11:00", 1, "+2h x", "2026-12-02 13:00", 1, 4 },
	{ "2026-12-02 11:00", 1, "+1d", "2026-12-03 11:00", 1, 3 },
	{ "2026-12-02 11:00", 1, "  +2H\tx", "2026-12-02 13:00", 1, 6 },
	/* business hours: Friday 15:00 + 3bh = Monday 10:00 */
	{ "2026-12-04 15:00", 1, "+3bh x", "2026-12-07 10:00", 1, 5 },
	/* out of hours: the clock starts at the next opening */
	{ "2026-12-05 12:00", 1, "+1bh", "2026-12-07 10:00", 1, 4 },
	/* today exactly now is not in the past */
	{ "2026-12-02 11:00", 1, "today 11:00", "2026-12-02 11:00", 1, 11 },
	/* spring forward (29 March 2026): tomorrow 10:00 is CEST (+2) */
	{ "2026-03-28 12:00", 1, "tomorrow 10:00", "2026-03-29 10:00", 2, 14 },
	/* 02:30 does not exist that night: the transition, 03:00 CEST */
	{ "2026-03-28 12:00", 1, "2026-03-29 02:30", "2026-03-29 03:00", 2,
	    16 },
	/* +1d is 24 real hours, so 13:00 by the clock after the change */
	{ "2026-03-28 12:00", 1, "+1d", "2026-03-29 13:00", 2, 3 },
	/* fall back (25 October 2026): 02:30 happens twice, the first */
	{ "2026-10-24 12:00", 2, "2026-10-25 02:30", "2026-10-25 02:30", 2,
	    16 },
	{ "2026-10-24 12:00", 2, "tomorrow 24:00", "2026-10-26 00:00", 1, 14 },
	/* leap day */
	{ "2028-02-01 12:00", 1, "2028-02-29 08:00", "2028-02-29 08:00", 1,
	    16 },
};

START_TEST(test_ok)
{
	const struct ok_case *c = &ok_cases[_i];
	struct calendar *cal = warsaw();
	struct error err;
	time_t got = 0;
	size_t len = 99;
	int rc;

	error_clear(&err);
	rc = when_parse(c->in, at(c->now, c->now_off), cal, cal, &got, &len,
	    &err);
	ck_assert_msg(rc == 1, "%s: rc %d %s", c->in, rc, err.msg);
	ck_assert_msg(got == at(c->want, c->want_off),
	    "%s: got %lld want %lld", c->in, (long long)got,
	    (long long)at(c->want, c->want_off));
	ck_assert_uint_eq(len, c->len);
	calendar_free(cal);
}
END_TEST

/* Text that is no WHEN at all: the task's text starts at once. */
static const char *const none_cases[] = {
	"call the customer back", "", "+", "+x2h", "2026", "12:00",
	"tomorrowland 10:00", "#done", "-2h",
};

START_TEST(test_none)
{
	struct error err;
	time_t got = 7;
	size_t len = 99;
	int rc;

	rc = when_parse(none_cases[_i], 1000000000, NULL, NULL, &got, &len,
	    &err);
	ck_assert_msg(rc == 0, "%s: rc %d", none_cases[_i], rc);
	ck_assert_uint_eq(len, 0);
	ck_assert_int_eq(got, 7);
}
END_TEST

/* Starts like a WHEN, is not one: an error for the writer. */
struct bad_case {
	const char	*in;
	const char	*msg;	/* part of the error */
};

static const struct bad_case bad_cases[] = {
	{ "today 25:00 x", "not a time of day" },
	{ "today 24:01", "not a time of day" },
	{ "today 10:60", "not a time of day" },
	{ "today 1000", "not a time of day" },
	{ "tomorrow call him", "not a time of day" },
	{ "tomorrow", "needs a time of day" },
	{ "today", "needs a time of day" },
	{ "today 09:00", "in the past" },
	{ "2026-12-01 09:00", "in the past" },
	{ "2026-02-30 10:00", "not a date" },
	{ "2026-13-01 10:00", "not a date" },
	{ "2026-1-01 10:00", "not a date" },
	{ "2026-12-31", "needs a time of day" },
	{ "+2x", "not a delay" },
	{ "+2hours", "not a delay" },
	{ "+0h", "no delay" },
	{ "+99999999999999999999h", "too far" },
	{ "+2bhx", "not a delay" },
};

START_TEST(test_bad)
{
	const struct bad_case *c = &bad_cases[_i];
	struct calendar *cal = warsaw();
	struct error err;
	time_t got = 0;
	size_t len = 99;

	error_clear(&err);
	ck_assert_msg(when_parse(c->in, at("2026-12-02 11:00", 1), cal, cal,
	    &got, &len, &err) == -1, "%s: accepted", c->in);
	ck_assert_int_eq(err.kind, ERR_PERM);
	ck_assert_msg(strstr(err.msg, c->msg) != NULL, "%s: \"%s\"", c->in,
	    err.msg);
	ck_assert_uint_eq(len, 0);
	calendar_free(cal);
}
END_TEST

/* No zone: UTC; no business calendar: every hour counts. */
START_TEST(test_utc)
{
	struct error err;
	time_t now = at("2026-12-02 23:30", 0), got;
	size_t len;

	ck_assert_int_eq(when_parse("tomorrow 00:15", now, NULL, NULL, &got,
	    &len, &err), 1);
	ck_assert_int_eq(got, at("2026-12-03 00:15", 0));
	ck_assert_int_eq(when_parse("+3bh", now, NULL, NULL, &got, &len,
	    &err), 1);
	ck_assert_int_eq(got, now + 3 * 3600);
}
END_TEST

static Suite *
when_suite(void)
{
	Suite *s = suite_create("when");
	TCase *tc = tcase_create("parse");

	tcase_add_loop_test(tc, test_ok, 0,
	    sizeof(ok_cases) / sizeof(ok_cases[0]));
	tcase_add_loop_test(tc, test_none, 0,
	    sizeof(none_cases) / sizeof(none_cases[0]));
	tcase_add_loop_test(tc, test_bad, 0,
	    sizeof(bad_cases) / sizeof(bad_cases[0]));
	tcase_add_test(tc, test_utc);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(when_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
