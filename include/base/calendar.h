/*
 * calendar: business hours in a time zone.  A calendar is weekly working
 * hours (several intervals a day), public holidays, extra working days and
 * an IANA time zone; it answers "is the office open at t", "when does it
 * open next", "how much business time lies between a and b" and "when
 * will n business seconds have passed after t".  SLA deadlines (sla.c)
 * and the out-of-hours acknowledgement are built on these four questions.
 *
 * Semantics, in one place:
 *   - Working hours are local wall-clock times of a local date.  A working
 *     interval [open, close) of a date runs from the first instant whose
 *     local time lies in [open, close) to the last such instant: it opens
 *     when the clock first reaches `open` and closes when it last reaches
 *     `close` from below.  Business time is real elapsed seconds inside
 *     those intervals, each second counted once even where two intervals
 *     share a repeated wall-clock hour.  So on a spring-forward day an
 *     interval 02:00-03:00 is empty and 00:00-24:00 lasts 23 hours; on a
 *     fall-back day 02:00-03:00 lasts two hours and 00:00-24:00 lasts 25.
 *   - A holiday has no working hours.  An extra working day (a Saturday
 *     worked to bridge a holiday) has the "extra day hours" set with
 *     calendar_add_workday_hours(); while none are set it has the hours of
 *     Monday.  A date cannot be both.
 *   - Times of day are "H:MM" or "HH:MM", 00:00 to 23:59; "24:00" is
 *     allowed as a closing time (the end of the day).  Intervals crossing
 *     midnight are written as two (22:00-24:00, then 00:00-06:00 of the
 *     next weekday); an interval ending at 24:00 and one starting at 00:00
 *     the next day join without a gap.
 *   - The time zone is read from the TZif file under
 *     CALENDAR_ZONEINFO_DIR (version 1 to 4; the 64-bit data and the POSIX
 *     TZ footer for instants after the last transition).  The process's TZ
 *     and localtime() are never used, so calendars are safe to use from
 *     several threads at once; leap-second ("right/") zones are refused.
 *
 * Thread rules: building (calendar_new, calendar_add_*) is single-threaded;
 * once built a calendar is immutable and every const function may be
 * called concurrently.  Nothing here logs; failures fill `struct error`.
 */
#ifndef TRIAGED_CALENDAR_H
#define TRIAGED_CALENDAR_H

#include <stdbool.h>
#include <time.h>

#ifndef CALENDAR_ZONEINFO_DIR
#define CALENDAR_ZONEINFO_DIR	"/usr/share/zoneinfo"
#endif

/* Most working intervals in one day (per weekday, or for extra days). */
#define CALENDAR_DAY_INTERVALS	16
/*
 * How far the searches look for the next working time: a calendar with no
 * working time in this many consecutive days is treated as never open.
 */
#define CALENDAR_SEARCH_DAYS	(3 * 366)
/* Largest business-seconds argument of calendar_add_business (10 years). */
#define CALENDAR_MAX_SECONDS	(10L * 366 * 86400)
/* What the searching functions return when no answer exists. */
#define CALENDAR_NEVER		((time_t)-1)

struct error;
struct calendar;

/*
 * A new calendar without working hours in time zone tz_name, an IANA name
 * such as "Europe/Moscow", "Europe/Warsaw" or "UTC".  The name is checked
 * before any file is opened: relative, made of letters, digits and
 * "/_-+.", no "." or ".." component, at most 255 bytes.  NULL + err
 * (ERR_PERM) for a bad or unknown name or a damaged zone file
 * (ERR_INTERNAL for an unexpected I/O error).  Free with calendar_free().
 */
struct calendar	*calendar_new(const char *tz_name, struct error *err);
/* Frees cal and all it holds; NULL is a no-op. */
void		 calendar_free(struct calendar *cal);
/* The time zone name given to calendar_new (borrowed, lives with cal). */
const char	*calendar_tz_name(const struct calendar *cal);

/*
 * Adds the working interval [open, close) to weekday (0 = Sunday .. 6 =
 * Saturday).  0, or -1 + err (ERR_PERM) for a bad weekday, a bad time, an
 * empty or inverted interval, one overlapping an interval already on that
 * day (touching is fine: 09:00-13:00 and 13:00-18:00), or more than
 * CALENDAR_DAY_INTERVALS intervals.  Intervals may be added in any order.
 */
int		 calendar_add_hours(struct calendar *cal, int weekday,
		    const char *open, const char *close, struct error *err);
/*
 * Adds [open, close) to the hours of extra working days (see the top of
 * this file); same rules and errors as calendar_add_hours.
 */
int		 calendar_add_workday_hours(struct calendar *cal,
		    const char *open, const char *close, struct error *err);
/*
 * Makes date ("YYYY-MM-DD", years 1900-9999) a holiday or an extra
 * working day.  Adding the same date twice is harmless; -1 + err
 * (ERR_PERM) for a malformed or impossible date, or a date already listed
 * as the other kind.
 */
int		 calendar_add_holiday(struct calendar *cal, const char *date,
		    struct error *err);
int		 calendar_add_workday(struct calendar *cal, const char *date,
		    struct error *err);

/* Is t inside a working interval? */
bool		 calendar_is_open(const struct calendar *cal, time_t t);
/*
 * The instant the business clock starts for something arriving at t: t
 * itself when the calendar is open at t, else the start of the next
 * working interval (the "we answer from Monday 9:00" of the out-of-hours
 * acknowledgement).  CALENDAR_NEVER + err (ERR_PERM) when there is no
 * working time within CALENDAR_SEARCH_DAYS of t.
 */
time_t		 calendar_next_open(const struct calendar *cal, time_t t,
		    struct error *err);
/*
 * The earliest instant at which `seconds` of business time have passed
 * since start; outside working hours the clock starts at the next
 * opening, so 0 seconds gives calendar_next_open(start).  A deadline that
 * fills an interval exactly falls on its closing instant (Friday 17:00,
 * not Monday 9:00).  CALENDAR_NEVER + err (ERR_PERM) when seconds is
 * negative or above CALENDAR_MAX_SECONDS, or when the calendar has a gap
 * of CALENDAR_SEARCH_DAYS without working time.  The cost grows with the
 * days crossed, never with the seconds.
 * Inverse of calendar_business_between: between(start, add(start, s)) = s.
 */
time_t		 calendar_add_business(const struct calendar *cal,
		    time_t start, long seconds, struct error *err);
/*
 * Seconds of business time in [a, b); 0 when b <= a.  The cost grows with
 * the days between a and b, so callers pass spans of real deadlines
 * (years at most), not arbitrary ranges.
 */
long		 calendar_business_between(const struct calendar *cal,
		    time_t a, time_t b);
/*
 * t in the calendar's time zone, as localtime_r() would give it with TZ
 * set to the calendar's zone (tm_gmtoff, tm_isdst and tm_zone included;
 * tm_zone points into cal).  For showing deadlines and the out-of-hours
 * opening ("Monday 09:00 CET") without touching the process's TZ.
 */
void		 calendar_localtime(const struct calendar *cal, time_t t,
		    struct tm *tm_out);
/*
 * The first instant at which cal's clock shows wall, a local date and
 * time written as seconds since the epoch as if the zone were UTC
 * (timegm of the local fields).  A wall time skipped by a spring-forward
 * maps to the transition.  For dates people give in their own zone
 * ("away until 2026-12-31").
 */
time_t		 calendar_from_local(const struct calendar *cal, time_t wall);

#endif
