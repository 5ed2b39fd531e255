/*
 * calendar: business hours, holidays and extra working days in an IANA
 * time zone, and the arithmetic SLA deadlines need (see calendar.h for
 * the semantics).  It serves the SLA promises of issue 6; it does not know
 * about requests, policies, timers or the config file.
 *
 * Time zones: the process's TZ is never touched (setenv("TZ") + tzset()
 * is not thread-safe and would change every other thread's localtime).
 * Instead this file reads the zone's TZif file (RFC 8536) itself: the
 * 64-bit transition table of version 2+ files (the 32-bit one of version
 * 1 files), and the POSIX TZ string in the footer, which rules instants
 * after the last transition (a "slim" file ends its table early and leaves
 * every later year to the footer).  A parsed zone is immutable, so lookups
 * from several threads need no locks.
 *
 * Arithmetic: working intervals are generated one local date at a time
 * and turned into UTC spans [start, end); every query walks those spans,
 * so its cost is per day crossed, never per minute or per second.
 * Local-to-UTC conversion walks the few constant-offset segments of the
 * zone around the wall time, which makes the rules for skipped and
 * repeated wall times (DST changes) exact instead of guessed.
 */

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "calendar.h"
#include "error.h"
#include "xmalloc.h"

#define DAY_SECS		86400
/* Unix day 0 (1970-01-01) was a Thursday. */
#define EPOCH_WEEKDAY		4
/* Largest TZif file we read; real ones are below 4 KiB. */
#define TZIF_MAX_SIZE		(256 * 1024)
#define TZIF_HEADER_LEN		44
/* Longest zone abbreviation kept ("CEST", "+03", "<+0530>" -> "+0530"). */
#define TZ_ABBR_MAX		16
/* Largest UTC offset accepted from a zone file (RFC 8536: below 26 h). */
#define TZ_OFFSET_MAX		(26 * 3600)
/*
 * Distance around a wall time within which its UTC instants lie: the
 * largest offset plus slack, so the segment walks start on a segment
 * whose local times are all below the wall time.
 */
#define TZ_MARGIN		(3 * DAY_SECS)
/* Instants handled: about +-8700 years around 1970; inputs are clamped. */
#define CAL_TIME_LIMIT		((int64_t)1 << 38)
#define TZ_NAME_MAX		255

struct tz_type {
	int32_t	utoff;			/* seconds east of UTC */
	bool	isdst;
	char	abbr[TZ_ABBR_MAX];
};

/* A POSIX TZ transition date: "Jn", "n" or "Mm.w.d", then "/time". */
enum tz_rule_kind {
	TZ_RULE_JULIAN,		/* Jn: 1..365, no February 29 */
	TZ_RULE_ZERO,		/* n: 0..365, February 29 counted */
	TZ_RULE_MONTH		/* Mm.w.d: weekday d, week w, month m */
};

struct tz_rule {
	enum tz_rule_kind	kind;
	int			day;
	int			week;
	int			month;
	int32_t			time;	/* seconds after midnight */
};

/* The footer's TZ string, e.g. "CET-1CEST,M3.5.0,M10.5.0/3" or "MSK-3". */
struct tz_footer {
	bool		present;
	bool		has_dst;
	struct tz_type	std;
	struct tz_type	dst;
	/* std -> dst at a standard time; dst -> std at a daylight time */
	struct tz_rule	start;
	struct tz_rule	end;
};

struct tz {
	/* Transition instants (ascending) and the type each starts. */
	int64_t		*trans;
	uint8_t		*trans_type;
	size_t		 ntrans;
	struct tz_type	*types;
	size_t		 ntypes;
	struct tz_footer footer;
};

/* One transition computed from the footer's rule. */
struct tz_change {
	int64_t			 at;
	const struct tz_type	*type;
};

struct tzif_counts {
	uint32_t	isut;
	uint32_t	isstd;
	uint32_t	leap;
	uint32_t	time;
	uint32_t	type;
	uint32_t	chars;
};

/* A working interval in seconds after local midnight. */
struct calendar_interval {
	int32_t	open;
	int32_t	close;
};

struct calendar_hours {
	struct calendar_interval	iv[CALENDAR_DAY_INTERVALS];
	size_t				n;
};

/* Local dates as days since 1970-01-01, sorted, no duplicates. */
struct date_set {
	int64_t	*day;
	size_t	 n;
	size_t	 cap;
};

struct calendar {
	char			*tz_name;
	struct tz		 tz;
	struct calendar_hours	 week[7];
	struct calendar_hours	 extra;	/* of extra working days */
	struct date_set		 holidays;
	struct date_set		 workdays;
};

/* Walks the UTC spans of working time, date by date. */
struct span_iter {
	const struct calendar	*cal;
	int64_t			 day;	/* local date walked */
	size_t			 next;	/* its next interval */
	int64_t			 last_day; /* stop after it */
	int64_t			 prev_end; /* end of last span */
};

/* Calendar arithmetic on proleptic Gregorian dates. */
static int64_t	 floor_div(int64_t, int64_t);
static int64_t	 days_from_civil(int64_t, int, int);
static void	 civil_from_days(int64_t, int64_t *, int *, int *);
static bool	 is_leap(int64_t);
static int	 days_in_month(int64_t, int);
static int	 weekday_of(int64_t);
static int64_t	 year_of(int64_t);
/* Zone files. */
static int	 tz_name_check(const char *, struct error *);
static int	 tz_load(struct tz *, const char *, struct error *);
static int	 tz_read_file(const char *, unsigned char **, size_t *,
		    struct error *);
static int	 tzif_parse(struct tz *, const unsigned char *, size_t,
		    struct error *);
static int	 tzif_header(const unsigned char *, size_t,
		    struct tzif_counts *, struct error *);
static size_t	 tzif_data_len(const struct tzif_counts *, size_t);
static int	 tzif_block(struct tz *, const unsigned char *,
		    const struct tzif_counts *, size_t, struct error *);
static int	 tzif_types(struct tz *, const unsigned char *,
		    const struct tzif_counts *, struct error *);
static int	 tzif_footer(struct tz *, const unsigned char *, size_t,
		    struct error *);
static uint32_t	 be32(const unsigned char *);
static int64_t	 be64(const unsigned char *);
static void	 tz_free(struct tz *);
/* POSIX TZ strings. */
static int	 footer_parse(struct tz_footer *, const char *);
static const char *posix_name(const char *, char *);
static const char *posix_time(const char *, int, int32_t *);
static const char *posix_number(const char *, int, int, int *);
static const char *posix_rule(const char *, struct tz_rule *);
static int64_t	 rule_day(const struct tz_rule *, int64_t);
static void	 footer_changes(const struct tz_footer *, int64_t,
		    struct tz_change *);
static const struct tz_type *footer_lookup(const struct tz_footer *, int64_t);
static int64_t	 footer_next(const struct tz_footer *, int64_t);
/* Zone lookups. */
static size_t	 trans_upper(const struct tz *, int64_t);
static const struct tz_type *tz_lookup(const struct tz *, int64_t);
static int64_t	 tz_next_change(const struct tz *, int64_t);
static int64_t	 local_first(const struct tz *, int64_t);
static int64_t	 local_last(const struct tz *, int64_t);
/* Building. */
static int	 parse_clock(const char *, bool, int32_t *, struct error *);
static int	 parse_date(const char *, int64_t *, struct error *);
static int	 hours_add(struct calendar_hours *, const char *,
		    const char *, const char *, struct error *);
static bool	 date_set_has(const struct date_set *, int64_t);
static void	 date_set_add(struct date_set *, int64_t);
static int	 date_add(struct calendar *, const char *, bool,
		    struct error *);
/* Queries. */
static int64_t	 clamp_time(time_t);
static int64_t	 local_day(const struct calendar *, int64_t);
static const struct calendar_hours *day_hours(const struct calendar *,
		    int64_t);
static void	 span_begin(struct span_iter *, const struct calendar *,
		    int64_t, int64_t);
static bool	 span_next(struct span_iter *, int64_t *, int64_t *);

static const struct calendar_hours no_hours;

/* ------------------------------------------------------------------ */
/* Public API                                                          */

struct calendar *
calendar_new(const char *tz_name, struct error *err)
{
	struct calendar	*cal;

	if (tz_name_check(tz_name, err) == -1)
		return NULL;
	cal = xcalloc(1, sizeof(*cal));
	if (tz_load(&cal->tz, tz_name, err) == -1) {
		calendar_free(cal);
		return NULL;
	}
	cal->tz_name = xstrdup(tz_name);
	return cal;
}

void
calendar_free(struct calendar *cal)
{
	if (cal == NULL)
		return;
	tz_free(&cal->tz);
	free(cal->holidays.day);
	free(cal->workdays.day);
	free(cal->tz_name);
	free(cal);
}

const char *
calendar_tz_name(const struct calendar *cal)
{
	return cal->tz_name;
}

int
calendar_add_hours(struct calendar *cal, int weekday, const char *open,
    const char *close, struct error *err)
{
	static const char *const names[7] = { "Sunday", "Monday", "Tuesday",
	    "Wednesday", "Thursday", "Friday", "Saturday" };

	if (weekday < 0 || weekday > 6)
		return error_set(err, ERR_PERM,
		    "calendar: weekday %d out of range (0 = Sunday .. 6 = "
		    "Saturday)", weekday);
	return hours_add(&cal->week[weekday], names[weekday], open, close,
	    err);
}

int
calendar_add_workday_hours(struct calendar *cal, const char *open,
    const char *close, struct error *err)
{
	return hours_add(&cal->extra, "extra working days", open, close, err);
}

int
calendar_add_holiday(struct calendar *cal, const char *date,
    struct error *err)
{
	return date_add(cal, date, true, err);
}

int
calendar_add_workday(struct calendar *cal, const char *date,
    struct error *err)
{
	return date_add(cal, date, false, err);
}

bool
calendar_is_open(const struct calendar *cal, time_t t)
{
	struct span_iter	it;
	int64_t			at = clamp_time(t), s, e;

	span_begin(&it, cal, at, local_day(cal, at) + 1);
	while (span_next(&it, &s, &e)) {
		if (s > at)
			break;
		if (at < e)
			return true;
	}
	return false;
}

time_t
calendar_next_open(const struct calendar *cal, time_t t, struct error *err)
{
	return calendar_add_business(cal, t, 0, err);
}

time_t
calendar_add_business(const struct calendar *cal, time_t start,
    long seconds, struct error *err)
{
	struct span_iter	it;
	int64_t			from = clamp_time(start), s, e;
	int64_t			left = seconds;

	if (seconds < 0 || seconds > CALENDAR_MAX_SECONDS) {
		error_set(err, ERR_PERM, "calendar: business time %ld s out "
		    "of range (0 to %ld)", seconds, CALENDAR_MAX_SECONDS);
		return CALENDAR_NEVER;
	}
	span_begin(&it, cal, from, local_day(cal, from) + CALENDAR_SEARCH_DAYS);
	while (span_next(&it, &s, &e)) {
		if (e <= from)
			continue;
		if (s < from)
			s = from;
		if (left <= e - s)
			return (time_t)(s + left);
		left -= e - s;
		/* The bound is on a gap without working time, not on the
		 * length of the deadline. */
		it.last_day = it.day + CALENDAR_SEARCH_DAYS;
	}
	error_set(err, ERR_PERM, "calendar %s: no working time within %d "
	    "days", cal->tz_name, CALENDAR_SEARCH_DAYS);
	return CALENDAR_NEVER;
}

long
calendar_business_between(const struct calendar *cal, time_t a, time_t b)
{
	struct span_iter	it;
	int64_t			from = clamp_time(a), to = clamp_time(b);
	int64_t			s, e, total = 0;

	if (to <= from)
		return 0;
	span_begin(&it, cal, from, local_day(cal, to) + 1);
	while (span_next(&it, &s, &e)) {
		if (s >= to)
			break;
		if (e <= from)
			continue;
		total += (e < to ? e : to) - (s > from ? s : from);
	}
	return (long)total;
}

void
calendar_localtime(const struct calendar *cal, time_t t, struct tm *tm_out)
{
	const struct tz_type	*type;
	int64_t			 at = clamp_time(t), local, days, secs;
	int64_t			 year;
	int			 month, mday;

	type = tz_lookup(&cal->tz, at);
	local = at + type->utoff;
	days = floor_div(local, DAY_SECS);
	secs = local - days * DAY_SECS;
	civil_from_days(days, &year, &month, &mday);
	memset(tm_out, 0, sizeof(*tm_out));
	tm_out->tm_year = (int)(year - 1900);
	tm_out->tm_mon = month - 1;
	tm_out->tm_mday = mday;
	tm_out->tm_hour = (int)(secs / 3600);
	tm_out->tm_min = (int)(secs / 60 % 60);
	tm_out->tm_sec = (int)(secs % 60);
	tm_out->tm_wday = weekday_of(days);
	tm_out->tm_yday = (int)(days - days_from_civil(year, 1, 1));
	tm_out->tm_isdst = type->isdst;
	tm_out->tm_gmtoff = type->utoff;
	tm_out->tm_zone = type->abbr;
}

time_t
calendar_from_local(const struct calendar *cal, time_t wall)
{
	return (time_t)local_first(&cal->tz, clamp_time(wall));
}

/* ------------------------------------------------------------------ */
/* Dates                                                               */

static int64_t
floor_div(int64_t a, int64_t b)
{
	int64_t	q = a / b;

	return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

/*
 * Days since 1970-01-01 of a proleptic Gregorian date: years are counted
 * from March so the leap day is the last day of a "year", and 400-year
 * eras of 146097 days keep the arithmetic exact for negative years.
 */
static int64_t
days_from_civil(int64_t year, int month, int mday)
{
	int64_t	y = month <= 2 ? year - 1 : year;
	int64_t	era = floor_div(y, 400), yoe, doy, doe;

	yoe = y - era * 400;
	doy = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + mday - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

/* The inverse of days_from_civil. */
static void
civil_from_days(int64_t days, int64_t *year_out, int *month_out,
    int *mday_out)
{
	int64_t	z = days + 719468, era, doe, yoe, doy, mp;

	era = floor_div(z, 146097);
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*mday_out = (int)(doy - (153 * mp + 2) / 5 + 1);
	*month_out = (int)(mp < 10 ? mp + 3 : mp - 9);
	*year_out = yoe + era * 400 + (*month_out <= 2);
}

static bool
is_leap(int64_t year)
{
	return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
}

static int
days_in_month(int64_t year, int month)
{
	static const int	dim[12] = { 31, 28, 31, 30, 31, 30, 31, 31,
				    30, 31, 30, 31 };

	return month == 2 && is_leap(year) ? 29 : dim[month - 1];
}

/* 0 = Sunday .. 6 = Saturday. */
static int
weekday_of(int64_t days)
{
	return (int)((days % 7 + 7 + EPOCH_WEEKDAY) % 7);
}

/* The UTC year of instant t. */
static int64_t
year_of(int64_t t)
{
	int64_t	year;
	int	month, mday;

	civil_from_days(floor_div(t, DAY_SECS), &year, &month, &mday);
	return year;
}

/* ------------------------------------------------------------------ */
/* Zone files                                                          */

/*
 * The name becomes a path under CALENDAR_ZONEINFO_DIR, so it is checked
 * before anything is opened: no absolute path, no "." or ".." component,
 * no character outside those IANA names use.
 */
static int
tz_name_check(const char *name, struct error *err)
{
	const char	*p, *comp;
	size_t		 len;

	if (name == NULL || *name == '\0')
		return error_set(err, ERR_PERM, "calendar: empty time zone");
	if (strlen(name) > TZ_NAME_MAX)
		return error_set(err, ERR_PERM, "calendar: time zone name "
		    "too long");
	for (p = name; *p != '\0'; p++) {
		if (strchr("abcdefghijklmnopqrstuvwxyz"
		    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789/_-+.", *p) == NULL)
			return error_set(err, ERR_PERM, "calendar: bad "
			    "character in time zone \"%.64s\"", name);
	}
	for (comp = name; comp != NULL; comp = p == NULL ? NULL : p + 1) {
		p = strchr(comp, '/');
		len = p == NULL ? strlen(comp) : (size_t)(p - comp);
		if (len == 0 || (len == 1 && comp[0] == '.') ||
		    (len == 2 && comp[0] == '.' && comp[1] == '.'))
			return error_set(err, ERR_PERM, "calendar: time zone "
			    "\"%.64s\" is not an IANA name (Area/City)",
			    name);
	}
	return 0;
}

static int
tz_load(struct tz *tz, const char *name, struct error *err)
{
	unsigned char	*data = NULL;
	size_t		 len = 0;
	char		 path[512];
	int		 rc;

	rc = snprintf(path, sizeof(path), "%s/%s", CALENDAR_ZONEINFO_DIR,
	    name);
	if (rc < 0 || (size_t)rc >= sizeof(path))
		return error_set(err, ERR_PERM, "calendar: time zone name "
		    "too long");
	if (tz_read_file(path, &data, &len, err) == -1)
		return -1;
	rc = tzif_parse(tz, data, len, err);
	free(data);
	if (rc == -1 && err != NULL) {
		/* Name the zone: the parser only knows bytes. */
		char	msg[sizeof(err->msg)];

		(void)snprintf(msg, sizeof(msg), "%s", err->msg);
		error_set(err, ERR_PERM, "calendar: time zone \"%s\": %s",
		    name, msg);
	}
	return rc;
}

static int
tz_read_file(const char *path, unsigned char **data_out, size_t *len_out,
    struct error *err)
{
	struct stat	 st;
	unsigned char	*data;
	ssize_t		 n;
	size_t		 len = 0;
	int		 fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return error_set(err, errno == ENOENT || errno == ENOTDIR ||
		    errno == EACCES ? ERR_PERM : ERR_INTERNAL,
		    "calendar: unknown time zone (%s: %s)", path,
		    strerror(errno));
	if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode) ||
	    st.st_size > TZIF_MAX_SIZE) {
		close(fd);
		return error_set(err, ERR_PERM, "calendar: %s is not a time "
		    "zone file", path);
	}
	data = xmalloc((size_t)st.st_size + 1);
	while (len < (size_t)st.st_size) {
		n = read(fd, data + len, (size_t)st.st_size - len);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0) {
			close(fd);
			free(data);
			return error_set(err, ERR_INTERNAL, "calendar: read "
			    "%s: %s", path, n == 0 ? "short file" :
			    strerror(errno));
		}
		len += (size_t)n;
	}
	close(fd);
	*data_out = data;
	*len_out = len;
	return 0;
}

/*
 * RFC 8536: a version 1 block with 32-bit times, then (version 2+) a
 * second header and block with 64-bit times, then "\nTZ string\n".
 */
static int
tzif_parse(struct tz *tz, const unsigned char *p, size_t len,
    struct error *err)
{
	struct tzif_counts	c;
	size_t			off;

	if (tzif_header(p, len, &c, err) == -1)
		return -1;
	off = TZIF_HEADER_LEN + tzif_data_len(&c, 4);
	if (p[4] == '\0') {
		if (len < off)
			return error_set(err, ERR_PERM, "truncated file");
		return tzif_block(tz, p + TZIF_HEADER_LEN, &c, 4, err);
	}
	if (len < off || tzif_header(p + off, len - off, &c, err) == -1)
		return error_set(err, ERR_PERM, "truncated or bad version 2 "
		    "header");
	p += off;
	len -= off;
	off = TZIF_HEADER_LEN + tzif_data_len(&c, 8);
	if (len < off)
		return error_set(err, ERR_PERM, "truncated file");
	if (tzif_block(tz, p + TZIF_HEADER_LEN, &c, 8, err) == -1)
		return -1;
	return tzif_footer(tz, p + off, len - off, err);
}

static int
tzif_header(const unsigned char *p, size_t len, struct tzif_counts *c,
    struct error *err)
{
	if (len < TZIF_HEADER_LEN || memcmp(p, "TZif", 4) != 0)
		return error_set(err, ERR_PERM, "not a TZif file");
	c->isut = be32(p + 20);
	c->isstd = be32(p + 24);
	c->leap = be32(p + 28);
	c->time = be32(p + 32);
	c->type = be32(p + 36);
	c->chars = be32(p + 40);
	/* Bounds far above real zones keep the size sums from overflowing. */
	if (c->type == 0 || c->type > 256 || c->time > 65536 ||
	    c->chars > 65536 || c->leap > 65536 ||
	    (c->isut != 0 && c->isut != c->type) ||
	    (c->isstd != 0 && c->isstd != c->type))
		return error_set(err, ERR_PERM, "bad TZif header counts");
	/* Leap-second files count TAI-like seconds, not POSIX time. */
	if (c->leap != 0)
		return error_set(err, ERR_PERM, "leap-second zone files "
		    "(right/...) are not supported");
	return 0;
}

static size_t
tzif_data_len(const struct tzif_counts *c, size_t tsize)
{
	return c->time * tsize + c->time + c->type * 6 + c->chars +
	    c->leap * (tsize + 4) + c->isstd + c->isut;
}

static int
tzif_block(struct tz *tz, const unsigned char *p,
    const struct tzif_counts *c, size_t tsize, struct error *err)
{
	const unsigned char	*idx = p + c->time * tsize;
	size_t			 i;

	tz->ntrans = c->time;
	tz->trans = xcalloc(c->time + 1, sizeof(*tz->trans));
	tz->trans_type = xcalloc(c->time + 1, sizeof(*tz->trans_type));
	for (i = 0; i < c->time; i++) {
		tz->trans[i] = tsize == 8 ? be64(p + i * 8) :
		    (int64_t)(int32_t)be32(p + i * 4);
		tz->trans_type[i] = idx[i];
		if (idx[i] >= c->type)
			return error_set(err, ERR_PERM, "bad type index");
		if (i > 0 && tz->trans[i] <= tz->trans[i - 1])
			return error_set(err, ERR_PERM, "transitions out of "
			    "order");
	}
	return tzif_types(tz, idx + c->time, c, err);
}

/* The ttinfo records (utoff, isdst, abbreviation index), then the names. */
static int
tzif_types(struct tz *tz, const unsigned char *p,
    const struct tzif_counts *c, struct error *err)
{
	const unsigned char	*chars = p + c->type * 6, *q;
	struct tz_type		*type;
	size_t			 i, k, at;

	tz->ntypes = c->type;
	tz->types = xcalloc(c->type, sizeof(*tz->types));
	for (i = 0; i < c->type; i++) {
		type = &tz->types[i];
		type->utoff = (int32_t)be32(p + i * 6);
		type->isdst = p[i * 6 + 4] != 0;
		at = p[i * 6 + 5];
		if (type->utoff < -TZ_OFFSET_MAX ||
		    type->utoff > TZ_OFFSET_MAX || p[i * 6 + 4] > 1 ||
		    (at >= c->chars && c->chars > 0))
			return error_set(err, ERR_PERM, "bad local time type");
		q = chars + at;
		for (k = 0; k + 1 < TZ_ABBR_MAX && at + k < c->chars &&
		    q[k] != '\0'; k++)
			type->abbr[k] = (char)q[k];
	}
	return 0;
}

/* "\n" TZ-string "\n"; an empty string means "no rule after the table". */
static int
tzif_footer(struct tz *tz, const unsigned char *p, size_t len,
    struct error *err)
{
	const unsigned char	*nl;
	char			 buf[128];
	size_t			 n;

	if (len == 0)
		return 0;
	nl = len > 1 ? memchr(p + 1, '\n', len - 1) : NULL;
	if (p[0] != '\n' || nl == NULL)
		return error_set(err, ERR_PERM, "bad footer");
	n = (size_t)(nl - p - 1);
	if (n >= sizeof(buf))
		return error_set(err, ERR_PERM, "footer too long");
	memcpy(buf, p + 1, n);
	buf[n] = '\0';
	if (footer_parse(&tz->footer, buf) == -1)
		return error_set(err, ERR_PERM, "bad footer TZ string "
		    "\"%s\"", buf);
	return 0;
}

static uint32_t
be32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | p[3];
}

static int64_t
be64(const unsigned char *p)
{
	return (int64_t)((uint64_t)be32(p) << 32 | be32(p + 4));
}

static void
tz_free(struct tz *tz)
{
	free(tz->trans);
	free(tz->trans_type);
	free(tz->types);
}

/* ------------------------------------------------------------------ */
/* POSIX TZ strings (the footer)                                       */

/*
 * std offset [dst [offset] [,start[/time],end[/time]]].  Offsets count
 * west of Greenwich ("CET-1" is UTC+1).  Without an explicit dst offset
 * DST is one hour ahead; without a rule the US rule applies, as in glibc
 * (RFC 8536 footers always carry one, so this is only for completeness).
 */
static int
footer_parse(struct tz_footer *f, const char *s)
{
	const char	*p;
	int32_t		 west;

	memset(f, 0, sizeof(*f));
	if (*s == '\0')
		return 0;
	if ((p = posix_name(s, f->std.abbr)) == NULL ||
	    (p = posix_time(p, 24, &west)) == NULL)
		return -1;
	f->std.utoff = -west;
	f->present = true;
	if (*p == '\0')
		return 0;
	if ((p = posix_name(p, f->dst.abbr)) == NULL)
		return -1;
	f->has_dst = true;
	f->dst.isdst = true;
	f->dst.utoff = f->std.utoff + 3600;
	if (*p != ',' && *p != '\0') {
		if ((p = posix_time(p, 24, &west)) == NULL)
			return -1;
		f->dst.utoff = -west;
	}
	if (*p == '\0')
		p = ",M3.2.0,M11.1.0";
	if (*p++ != ',' || (p = posix_rule(p, &f->start)) == NULL ||
	    *p++ != ',' || (p = posix_rule(p, &f->end)) == NULL || *p != '\0')
		return -1;
	return 0;
}

/* "CET" (3+ letters) or "<+03>" (quoted: letters, digits, signs). */
static const char *
posix_name(const char *p, char *abbr)
{
	size_t	n = 0;

	if (*p == '<') {
		for (p++; *p != '>'; p++) {
			if (*p == '\0' || n + 1 >= TZ_ABBR_MAX ||
			    (strchr("+-0123456789", *p) == NULL &&
			    !((*p | 0x20) >= 'a' && (*p | 0x20) <= 'z')))
				return NULL;
			abbr[n++] = *p;
		}
		p++;
	} else {
		for (; (*p | 0x20) >= 'a' && (*p | 0x20) <= 'z'; p++) {
			if (n + 1 >= TZ_ABBR_MAX)
				return NULL;
			abbr[n++] = *p;
		}
	}
	abbr[n] = '\0';
	return n >= 3 ? p : NULL;
}

/* [+-]hh[:mm[:ss]] with hh <= max_hours; the result in seconds. */
static const char *
posix_time(const char *p, int max_hours, int32_t *secs_out)
{
	int	sign = 1, h, m = 0, s = 0;

	if (*p == '+' || *p == '-')
		sign = *p++ == '-' ? -1 : 1;
	if ((p = posix_number(p, 3, max_hours, &h)) == NULL)
		return NULL;
	if (*p == ':' && (p = posix_number(p + 1, 2, 59, &m)) != NULL &&
	    *p == ':')
		p = posix_number(p + 1, 2, 59, &s);
	if (p == NULL)
		return NULL;
	*secs_out = sign * (h * 3600 + m * 60 + s);
	return p;
}

/* 1 to max_digits decimal digits, value at most max. */
static const char *
posix_number(const char *p, int max_digits, int max, int *out)
{
	int	n = 0, v = 0;

	while (*p >= '0' && *p <= '9' && n < max_digits) {
		v = v * 10 + (*p++ - '0');
		n++;
	}
	if (n == 0 || v > max)
		return NULL;
	*out = v;
	return p;
}

/* Jn | n | Mm.w.d, then an optional /time (RFC 8536 allows -167..167 h). */
static const char *
posix_rule(const char *p, struct tz_rule *r)
{
	if (*p == 'J') {
		r->kind = TZ_RULE_JULIAN;
		p = posix_number(p + 1, 3, 365, &r->day);
		if (p != NULL && r->day == 0)
			return NULL;
	} else if (*p == 'M') {
		r->kind = TZ_RULE_MONTH;
		if ((p = posix_number(p + 1, 2, 12, &r->month)) == NULL ||
		    r->month == 0 || *p != '.' ||
		    (p = posix_number(p + 1, 1, 5, &r->week)) == NULL ||
		    r->week == 0 || *p != '.' ||
		    (p = posix_number(p + 1, 1, 6, &r->day)) == NULL)
			return NULL;
	} else {
		r->kind = TZ_RULE_ZERO;
		p = posix_number(p, 3, 365, &r->day);
	}
	if (p == NULL)
		return NULL;
	r->time = 2 * 3600;
	if (*p == '/')
		p = posix_time(p + 1, 167, &r->time);
	return p;
}

/* The local date (days since the epoch) a rule names in year. */
static int64_t
rule_day(const struct tz_rule *r, int64_t year)
{
	int64_t	first;
	int	d, dim;

	switch (r->kind) {
	case TZ_RULE_JULIAN:
		return days_from_civil(year, 1, 1) + r->day - 1 +
		    (is_leap(year) && r->day >= 60);
	case TZ_RULE_ZERO:
		return days_from_civil(year, 1, 1) + r->day;
	case TZ_RULE_MONTH:
		break;
	}
	first = days_from_civil(year, r->month, 1);
	d = (r->day - weekday_of(first) + 7) % 7 + (r->week - 1) * 7;
	/* Week 5 means "the last such weekday". */
	dim = days_in_month(year, r->month);
	while (d >= dim)
		d -= 7;
	return first + d;
}

/*
 * The two transitions of year: DST starts at a local standard time and
 * ends at a local daylight time.  Listed start first, so that when the end
 * of one year and the start of the next fall on one instant (DST all
 * year) the later-listed start wins in footer_lookup.
 */
static void
footer_changes(const struct tz_footer *f, int64_t year,
    struct tz_change *out)
{
	out[0].at = rule_day(&f->start, year) * DAY_SECS + f->start.time -
	    f->std.utoff;
	out[0].type = &f->dst;
	out[1].at = rule_day(&f->end, year) * DAY_SECS + f->end.time -
	    f->dst.utoff;
	out[1].type = &f->std;
}

/* The type in force at t: the latest rule transition at or before it. */
static const struct tz_type *
footer_lookup(const struct tz_footer *f, int64_t t)
{
	struct tz_change	 ch[2];
	const struct tz_type	*type = &f->std;
	int64_t			 best = INT64_MIN, year = year_of(t), y;
	int			 i;

	if (!f->has_dst)
		return &f->std;
	/* Works for both hemispheres: DST may span the new year. */
	for (y = year - 1; y <= year + 1; y++) {
		footer_changes(f, y, ch);
		for (i = 0; i < 2; i++) {
			if (ch[i].at <= t && ch[i].at >= best) {
				best = ch[i].at;
				type = ch[i].type;
			}
		}
	}
	return type;
}

/* The first rule transition after t, or INT64_MAX. */
static int64_t
footer_next(const struct tz_footer *f, int64_t t)
{
	struct tz_change	ch[2];
	int64_t			best = INT64_MAX, year = year_of(t), y;
	int			i;

	if (!f->has_dst)
		return INT64_MAX;
	for (y = year - 1; y <= year + 2; y++) {
		footer_changes(f, y, ch);
		for (i = 0; i < 2; i++)
			if (ch[i].at > t && ch[i].at < best)
				best = ch[i].at;
	}
	return best;
}

/* ------------------------------------------------------------------ */
/* Zone lookups                                                        */

/* Index of the first transition after t (ntrans if none). */
static size_t
trans_upper(const struct tz *tz, int64_t t)
{
	size_t	lo = 0, hi = tz->ntrans, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (tz->trans[mid] <= t)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/*
 * RFC 8536 §3.2: before the first transition the first type applies;
 * from the last transition on, the footer (when there is one).
 */
static const struct tz_type *
tz_lookup(const struct tz *tz, int64_t t)
{
	size_t	i;

	if (tz->ntrans == 0)
		return tz->footer.present ? footer_lookup(&tz->footer, t) :
		    &tz->types[0];
	if (t >= tz->trans[tz->ntrans - 1] && tz->footer.present)
		return footer_lookup(&tz->footer, t);
	i = trans_upper(tz, t);
	return i == 0 ? &tz->types[0] : &tz->types[tz->trans_type[i - 1]];
}

/* The first instant after t at which the offset may change. */
static int64_t
tz_next_change(const struct tz *tz, int64_t t)
{
	if (tz->ntrans > 0 && t < tz->trans[tz->ntrans - 1])
		return tz->trans[trans_upper(tz, t)];
	if (tz->footer.present)
		return footer_next(&tz->footer, t);
	return INT64_MAX;
}

/*
 * The first instant at which the local clock reads wall or later (wall is
 * local seconds since the epoch).  Walks the constant-offset segments
 * [s, next) from well before wall: the answer is the start of the first
 * segment already past wall (wall was skipped by a spring-forward), or
 * the instant inside a segment whose clock shows wall exactly (for a
 * repeated wall time, its first occurrence).
 */
static int64_t
local_first(const struct tz *tz, int64_t wall)
{
	int64_t	s = wall - TZ_MARGIN, next;
	int32_t	off;

	for (;;) {
		off = tz_lookup(tz, s)->utoff;
		if (s + off >= wall)
			return s;
		next = tz_next_change(tz, s);
		if (wall - off < next)
			return wall - off;
		s = next;
	}
}

/*
 * The last instant at which the local clock reaches wall: the supremum of
 * the instants whose local time is before wall.  For a repeated wall time
 * that is its second occurrence; for a skipped one, the transition.
 */
static int64_t
local_last(const struct tz *tz, int64_t wall)
{
	int64_t	s = wall - TZ_MARGIN, next, last = s, end;
	int32_t	off;

	while (s < wall + TZ_MARGIN) {
		off = tz_lookup(tz, s)->utoff;
		next = tz_next_change(tz, s);
		if (s + off < wall) {
			end = wall - off;
			last = end < next ? end : next;
		}
		s = next;
	}
	return last;
}

/* ------------------------------------------------------------------ */
/* Building                                                            */

/* "H:MM" or "HH:MM", 00:00..23:59, and 24:00 when allow_24. */
static int
parse_clock(const char *s, bool allow_24, int32_t *secs_out,
    struct error *err)
{
	const char	*p = s;
	int		 h = 0, m, n = 0;

	while (*p >= '0' && *p <= '9' && n < 3) {
		h = h * 10 + (*p++ - '0');
		n++;
	}
	if (n == 0 || n > 2 || p[0] != ':' || p[1] < '0' || p[1] > '9' ||
	    p[2] < '0' || p[2] > '9' || p[3] != '\0')
		goto bad;
	m = (p[1] - '0') * 10 + (p[2] - '0');
	if (m > 59 || h > 24 || (h == 24 && (m != 0 || !allow_24)))
		goto bad;
	*secs_out = h * 3600 + m * 60;
	return 0;
bad:
	return error_set(err, ERR_PERM, "calendar: bad time of day \"%.32s\" "
	    "(want HH:MM from 00:00 to 23:59, or 24:00 as a closing time)", s);
}

/* "YYYY-MM-DD", a real date of the years 1900-9999. */
static int
parse_date(const char *s, int64_t *day_out, struct error *err)
{
	int	i, year = 0, month, mday;

	for (i = 0; i < 10; i++) {
		if (i == 4 || i == 7) {
			if (s[i] != '-')
				goto bad;
		} else if (s[i] < '0' || s[i] > '9')
			goto bad;
	}
	if (s[10] != '\0')
		goto bad;
	for (i = 0; i < 4; i++)
		year = year * 10 + (s[i] - '0');
	month = (s[5] - '0') * 10 + (s[6] - '0');
	mday = (s[8] - '0') * 10 + (s[9] - '0');
	if (year < 1900 || month < 1 || month > 12 || mday < 1 ||
	    mday > days_in_month(year, month))
		goto bad;
	*day_out = days_from_civil(year, month, mday);
	return 0;
bad:
	return error_set(err, ERR_PERM, "calendar: bad date \"%.32s\" (want "
	    "YYYY-MM-DD, a real date from 1900 on)", s);
}

/* Adds [open, close) to h, keeping the intervals sorted and disjoint. */
static int
hours_add(struct calendar_hours *h, const char *what, const char *open,
    const char *close, struct error *err)
{
	int32_t	o, c;
	size_t	i;

	if (open == NULL || close == NULL)
		return error_set(err, ERR_PERM, "calendar: %s: missing time",
		    what);
	if (parse_clock(open, false, &o, err) == -1 ||
	    parse_clock(close, true, &c, err) == -1)
		return -1;
	if (o >= c)
		return error_set(err, ERR_PERM, "calendar: %s: interval "
		    "%s-%s is empty or inverted (split a night shift at "
		    "24:00)", what, open, close);
	for (i = 0; i < h->n; i++) {
		if (o < h->iv[i].close && h->iv[i].open < c)
			return error_set(err, ERR_PERM, "calendar: %s: "
			    "interval %s-%s overlaps %02d:%02d-%02d:%02d",
			    what, open, close, h->iv[i].open / 3600,
			    h->iv[i].open / 60 % 60, h->iv[i].close / 3600,
			    h->iv[i].close / 60 % 60);
	}
	if (h->n == CALENDAR_DAY_INTERVALS)
		return error_set(err, ERR_PERM, "calendar: %s: more than %d "
		    "intervals", what, CALENDAR_DAY_INTERVALS);
	for (i = h->n; i > 0 && h->iv[i - 1].open > o; i--)
		h->iv[i] = h->iv[i - 1];
	h->iv[i].open = o;
	h->iv[i].close = c;
	h->n++;
	return 0;
}

static bool
date_set_has(const struct date_set *set, int64_t day)
{
	size_t	lo = 0, hi = set->n, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (set->day[mid] == day)
			return true;
		if (set->day[mid] < day)
			lo = mid + 1;
		else
			hi = mid;
	}
	return false;
}

static void
date_set_add(struct date_set *set, int64_t day)
{
	size_t	i;

	if (date_set_has(set, day))
		return;
	if (set->n == set->cap) {
		set->cap = set->cap == 0 ? 16 : set->cap * 2;
		set->day = xreallocarray(set->day, set->cap,
		    sizeof(*set->day));
	}
	for (i = set->n; i > 0 && set->day[i - 1] > day; i--)
		set->day[i] = set->day[i - 1];
	set->day[i] = day;
	set->n++;
}

static int
date_add(struct calendar *cal, const char *date, bool holiday,
    struct error *err)
{
	struct date_set	*mine, *other;
	int64_t		 day = 0;

	if (date == NULL || parse_date(date, &day, err) == -1)
		return date == NULL ? error_set(err, ERR_PERM,
		    "calendar: missing date") : -1;
	mine = holiday ? &cal->holidays : &cal->workdays;
	other = holiday ? &cal->workdays : &cal->holidays;
	if (date_set_has(other, day))
		return error_set(err, ERR_PERM, "calendar: %s is already an "
		    "%s", date, holiday ? "extra working day" : "holiday");
	date_set_add(mine, day);
	return 0;
}

/* ------------------------------------------------------------------ */
/* Queries                                                             */

static int64_t
clamp_time(time_t t)
{
	int64_t	v = (int64_t)t;

	if (v < -CAL_TIME_LIMIT)
		return -CAL_TIME_LIMIT;
	return v > CAL_TIME_LIMIT ? CAL_TIME_LIMIT : v;
}

/* The local date (days since the epoch) of instant t. */
static int64_t
local_day(const struct calendar *cal, int64_t t)
{
	return floor_div(t + tz_lookup(&cal->tz, t)->utoff, DAY_SECS);
}

static const struct calendar_hours *
day_hours(const struct calendar *cal, int64_t day)
{
	if (date_set_has(&cal->holidays, day))
		return &no_hours;
	if (date_set_has(&cal->workdays, day))
		return cal->extra.n > 0 ? &cal->extra : &cal->week[1];
	return &cal->week[weekday_of(day)];
}

/*
 * Starts a walk at the date before t's local date (an interval of the
 * previous date may reach past t's local midnight when a repeated hour
 * straddles it) and stops after local date last_day.
 */
static void
span_begin(struct span_iter *it, const struct calendar *cal, int64_t t,
    int64_t last_day)
{
	it->cal = cal;
	it->day = local_day(cal, t) - 1;
	it->next = 0;
	it->last_day = last_day;
	it->prev_end = INT64_MIN;
}

/*
 * The next non-empty working span in UTC.  Spans never overlap: one that
 * starts before the previous one ended is cut to start where the previous
 * ended, so no second is counted twice.  That happens when two touching
 * intervals meet inside a repeated hour (00:00-02:30 and 02:30-05:00 on a
 * fall-back day: the first ends at the second 02:30, the next starts at
 * the first).
 */
static bool
span_next(struct span_iter *it, int64_t *start_out, int64_t *end_out)
{
	const struct calendar_hours	*h;
	const struct calendar_interval	*iv;
	int64_t				 midnight, s, e;

	for (;;) {
		h = day_hours(it->cal, it->day);
		if (it->next >= h->n) {
			if (it->day >= it->last_day)
				return false;
			it->day++;
			it->next = 0;
			continue;
		}
		iv = &h->iv[it->next++];
		midnight = it->day * DAY_SECS;
		s = local_first(&it->cal->tz, midnight + iv->open);
		e = local_last(&it->cal->tz, midnight + iv->close);
		if (s < it->prev_end)
			s = it->prev_end;
		if (e <= s)
			continue;
		it->prev_end = e;
		*start_out = s;
		*end_out = e;
		return true;
	}
}
