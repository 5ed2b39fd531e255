/*
 * ctl_report: `triagectl report` (how fast requests are answered and
 * resolved, SLA compliance, messages, backlog and ratings per group) and
 * `triagectl load` (open requests per agent with what is overdue or due
 * within the hour, and when requests arrive by weekday and hour).  The
 * figures come from report.c; this file only chooses the period and
 * writes them as an aligned table, CSV or JSON.  The three outputs have
 * the same columns under the same names: durations are seconds in CSV and
 * JSON, "27h30m" (business) or "2d03h" (wall) in the table; an empty
 * CSV cell or JSON null means "no value" (no request to measure), shown
 * "-" in the table.
 */
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "clock.h"
#include "config.h"
#include "error.h"
#include "json.h"
#include "report.h"
#include "sla.h"
#include "triagectl.h"
#include "xmalloc.h"

enum ctl_report_kind {
	CTL_REPORT_COUNT,
	CTL_REPORT_DURATION,
	CTL_REPORT_PERCENT,
	CTL_REPORT_RATING
};

/* One value of a row: -1 (or no rating) is "no value". */
struct ctl_report_cell {
	const char		*name;
	enum ctl_report_kind	 kind;
	long			 v;
	double			 d;
	bool			 none;
};

#define CTL_REPORT_NCOLS	36

enum ctl_report_format { CTL_REPORT_TEXT, CTL_REPORT_CSV, CTL_REPORT_JSON };

struct ctl_report_args;

static int	ctl_report_run(struct triagectl *, int, char **);
static int	ctl_report_args(const struct triagectl_cmd *,
		    struct triagectl *, int, char **,
		    struct ctl_report_args *);
static int	ctl_load_run(struct triagectl *, int, char **);
static int	ctl_report_next_day(const char *, const struct calendar *,
		    time_t *);
static void	ctl_report_json_rating(struct json *, double);
static int	ctl_report_range(const struct triagectl_cmd *,
		    const struct calendar *, const char *from_s,
		    const char *to_s, const char *period, time_t now,
		    time_t *from, time_t *to);
static size_t	ctl_report_cells(const struct report_row *,
		    struct ctl_report_cell *);
static void	ctl_report_durations(struct ctl_report_cell *, size_t *,
		    const char *prefix, const struct report_durations *);
static void	ctl_report_sla(struct ctl_report_cell *, size_t *,
		    const char *prefix, const struct report_sla *);
static void	ctl_report_cell_text(const struct ctl_report_cell *,
		    bool human, char *out, size_t size);
static bool	ctl_report_in_part(const char *, size_t);
static void	ctl_report_text(struct buf *, const struct report *,
		    const struct calendar *);
static void	ctl_report_text_part(struct buf *, const struct report *,
		    size_t);
static void	ctl_report_csv(struct buf *, const struct report *);
static void	ctl_report_csv_field(struct buf *, const char *);
static void	ctl_report_json(struct buf *, const struct report *);
static void	ctl_report_json_row(struct json *, const struct report_row *);
static void	ctl_load_text(struct buf *, const struct report_load *);
static void	ctl_load_csv(struct buf *, const struct report_load *);
static void	ctl_load_json(struct buf *, const struct report_load *,
		    time_t from, time_t to);

static const char *const ctl_report_weekdays[] = {
	"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"
};

const struct triagectl_cmd ctl_report_cmd = {
	"report",
	"[--from YYYY-MM-DD --to YYYY-MM-DD | --period today|week|month] "
	"[--by agent|category|company|priority|day|hour|weekday] "
	"[--csv|--json]",
	"response and resolution times, SLA compliance, backlog, ratings",
	ctl_report_run
};

const struct triagectl_cmd ctl_load_cmd = {
	"load",
	"[--from YYYY-MM-DD --to YYYY-MM-DD | --period today|week|month] "
	"[--csv|--json]",
	"open requests per agent, and requests opened per weekday and hour",
	ctl_load_run
};

/* Both commands take the same options; load ignores --by. */
struct ctl_report_args {
	const char		*from, *to, *period, *by;
	enum ctl_report_format	 format;
};

static int
ctl_report_args(const struct triagectl_cmd *cmd, struct triagectl *ctl,
    int argc, char **argv, struct ctl_report_args *a)
{
	static const struct option opts[] = {
		{ "from",	required_argument,	NULL, 'f' },
		{ "to",		required_argument,	NULL, 't' },
		{ "period",	required_argument,	NULL, 'p' },
		{ "by",		required_argument,	NULL, 'b' },
		{ "csv",	no_argument,		NULL, 'c' },
		{ "json",	no_argument,		NULL, 'j' },
		{ NULL,		0,			NULL, 0 }
	};
	int ch;

	memset(a, 0, sizeof(*a));
	a->format = ctl->json ? CTL_REPORT_JSON : CTL_REPORT_TEXT;
	optind = 0;
	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (ch) {
		case 'f':
			a->from = optarg;
			break;
		case 't':
			a->to = optarg;
			break;
		case 'p':
			a->period = optarg;
			break;
		case 'b':
			a->by = optarg;
			break;
		case 'c':
			a->format = CTL_REPORT_CSV;
			break;
		case 'j':
			a->format = CTL_REPORT_JSON;
			break;
		default:
			return triagectl_usage(cmd);
		}
	}
	if (optind != argc)
		return triagectl_bad_usage(cmd, "unexpected argument '%s'",
		    argv[optind]);
	if (a->period != NULL && (a->from != NULL || a->to != NULL))
		return triagectl_bad_usage(cmd, "--period excludes --from "
		    "and --to");
	if (a->by != NULL && cmd == &ctl_load_cmd)
		return triagectl_bad_usage(cmd, "--by is for report");
	return TRIAGECTL_OK;
}

/*
 * --from D alone runs to now, --to D alone from the start of time; D is a
 * local date and --to includes its whole day.  Nothing: this month.
 */
static int
ctl_report_range(const struct triagectl_cmd *cmd, const struct calendar *cal,
    const char *from_s, const char *to_s, const char *period, time_t now,
    time_t *from, time_t *to)
{
	if (from_s == NULL && to_s == NULL) {
		if (report_period(period != NULL ? period : "month", cal, now,
		    from, to) == -1)
			return triagectl_bad_usage(cmd, "unknown period '%s'",
			    period);
		return TRIAGECTL_OK;
	}
	*from = 0;
	*to = now + 1;
	if (from_s != NULL && report_date(from_s, cal, from) == -1)
		return triagectl_bad_usage(cmd, "bad date '%s' (YYYY-MM-DD)",
		    from_s);
	if (to_s != NULL) {
		if (ctl_report_next_day(to_s, cal, to) == -1)
			return triagectl_bad_usage(cmd, "bad date '%s'", to_s);
	}
	if (*to <= *from)
		return triagectl_bad_usage(cmd, "--to is before --from");
	return TRIAGECTL_OK;
}

/* Local midnight after date: --to includes its whole day. */
static int
ctl_report_next_day(const char *date, const struct calendar *cal,
    time_t *out)
{
	struct tm tm;
	char next[16];
	time_t t;

	memset(&tm, 0, sizeof(tm));
	if (report_date(date, NULL, &t) == -1)
		return -1;
	t += 86400;
	gmtime_r(&t, &tm);
	strftime(next, sizeof(next), "%Y-%m-%d", &tm);
	return report_date(next, cal, out);
}

/*
 * json.h writes integers only; a rating average is written as its
 * hundredths and the decimal point put into the digits json_int just
 * wrote (100..500: always three digits), so the writer's comma state
 * stays its own.
 */
static void
ctl_report_json_rating(struct json *j, double avg)
{
	long h = (long)(avg * 100.0 + 0.5);
	struct buf *out = j->out;

	json_int(j, h);
	buf_append_char(out, '0');	/* "425" -> "425?" -> "4.25" */
	memmove(out->data + out->len - 2, out->data + out->len - 3, 2);
	out->data[out->len - 3] = '.';
}

static int
ctl_report_run(struct triagectl *ctl, int argc, char **argv)
{
	struct ctl_report_args a;
	const struct calendar *cal;
	enum report_by by = REPORT_BY_NONE;
	struct report rep;
	struct store *st;
	struct error err;
	time_t now = clock_now(), from, to;
	int rc;

	if ((rc = ctl_report_args(&ctl_report_cmd, ctl, argc, argv, &a)) !=
	    TRIAGECTL_OK)
		return rc;
	if (a.by != NULL && report_by_parse(a.by, &by) == -1)
		return triagectl_bad_usage(&ctl_report_cmd, "unknown --by "
		    "'%s'", a.by);
	if ((st = triagectl_store(ctl)) == NULL)
		return TRIAGECTL_ERROR;
	cal = config_sla_calendar(ctl->cfg, config_reports_calendar(ctl->cfg));
	if ((rc = ctl_report_range(&ctl_report_cmd, cal, a.from, a.to,
	    a.period, now, &from, &to)) != TRIAGECTL_OK)
		return rc;
	error_clear(&err);
	if (report_build(st, ctl->cfg, cal, from, to, by, now, &rep,
	    &err) == -1)
		return triagectl_fail(&err);
	if (a.format == CTL_REPORT_JSON)
		ctl_report_json(ctl->out, &rep);
	else if (a.format == CTL_REPORT_CSV)
		ctl_report_csv(ctl->out, &rep);
	else
		ctl_report_text(ctl->out, &rep, cal);
	report_free(&rep);
	return TRIAGECTL_OK;
}

/* The row's values in column order; returns how many. */
static size_t
ctl_report_cells(const struct report_row *r, struct ctl_report_cell *c)
{
	size_t n = 0;

#define CELL(nm, k, val) do {						\
	c[n] = (struct ctl_report_cell){ nm, k, val, 0, false };	\
	n++;								\
} while (0)
	CELL("opened", CTL_REPORT_COUNT, r->opened);
	CELL("resolved", CTL_REPORT_COUNT, r->resolved);
	CELL("reopened", CTL_REPORT_COUNT, r->reopened);
	ctl_report_durations(c, &n, "frt", &r->first_business);
	ctl_report_durations(c, &n, "frt_wall", &r->first_wall);
	ctl_report_durations(c, &n, "res", &r->resolution_business);
	ctl_report_durations(c, &n, "res_wall", &r->resolution_wall);
	ctl_report_sla(c, &n, "sla_frt", &r->sla_first);
	ctl_report_sla(c, &n, "sla_res", &r->sla_resolution);
	CELL("customer_msgs", CTL_REPORT_COUNT, r->customer_messages);
	CELL("agent_replies", CTL_REPORT_COUNT, r->agent_replies);
	CELL("backlog", CTL_REPORT_COUNT, r->backlog);
	CELL("backlog_age_avg", CTL_REPORT_DURATION, r->backlog_age_avg);
	c[n - 1].none = r->backlog == 0;
	CELL("backlog_age_max", CTL_REPORT_DURATION, r->backlog_age_max);
	c[n - 1].none = r->backlog == 0;
	CELL("rated", CTL_REPORT_COUNT, r->rated);
	CELL("rating_avg", CTL_REPORT_RATING, 0);
	c[n - 1].d = r->rating_avg;
	c[n - 1].none = r->rated == 0;
#undef CELL
	return n;
}

static void
ctl_report_durations(struct ctl_report_cell *c, size_t *n,
    const char *prefix, const struct report_durations *d)
{
	static const char *const names[][4] = {
		{ "frt_avg", "frt_median", "frt_p90", "frt_max" },
		{ "frt_wall_avg", "frt_wall_median", "frt_wall_p90",
		    "frt_wall_max" },
		{ "res_avg", "res_median", "res_p90", "res_max" },
		{ "res_wall_avg", "res_wall_median", "res_wall_p90",
		    "res_wall_max" },
	};
	const long v[4] = { d->avg, d->median, d->p90, d->max };
	size_t i, k;

	k = strcmp(prefix, "frt") == 0 ? 0 : strcmp(prefix, "frt_wall") == 0 ?
	    1 : strcmp(prefix, "res") == 0 ? 2 : 3;
	for (i = 0; i < 4; i++)
		c[(*n)++] = (struct ctl_report_cell){ names[k][i],
		    CTL_REPORT_DURATION, v[i], 0, d->n == 0 };
}

static void
ctl_report_sla(struct ctl_report_cell *c, size_t *n, const char *prefix,
    const struct report_sla *s)
{
	bool frt = strcmp(prefix, "sla_frt") == 0;
	int pct = report_sla_percent(s);

	c[(*n)++] = (struct ctl_report_cell){ frt ? "sla_frt_met" :
	    "sla_res_met", CTL_REPORT_COUNT, s->met, 0, false };
	c[(*n)++] = (struct ctl_report_cell){ frt ? "sla_frt_breached" :
	    "sla_res_breached", CTL_REPORT_COUNT, s->breached, 0, false };
	c[(*n)++] = (struct ctl_report_cell){ frt ? "sla_frt_running" :
	    "sla_res_running", CTL_REPORT_COUNT, s->running, 0, false };
	c[(*n)++] = (struct ctl_report_cell){ frt ? "sla_frt_pct" :
	    "sla_res_pct", CTL_REPORT_PERCENT, pct, 0, pct < 0 };
}

/*
 * human: "2d03h" wall durations (days of 24 hours), "27h30m" business
 * ones (report_business_text), "-" for none; else seconds and "".
 */
static void
ctl_report_cell_text(const struct ctl_report_cell *c, bool human, char *out,
    size_t size)
{
	long s = c->v;

	if (c->none) {
		snprintf(out, size, "%s", human ? "-" : "");
		return;
	}
	if (c->kind == CTL_REPORT_RATING)
		snprintf(out, size, "%.2f", c->d);
	else if (c->kind != CTL_REPORT_DURATION || !human)
		snprintf(out, size, "%ld", s);
	else if ((strncmp(c->name, "frt_", 4) == 0 ||
	    strncmp(c->name, "res_", 4) == 0) &&
	    strstr(c->name, "_wall") == NULL)
		(void)report_business_text(s, out, size);
	else if (s >= 86400)
		snprintf(out, size, "%ldd%02ldh", s / 86400, s % 86400 / 3600);
	else if (s >= 3600)
		snprintf(out, size, "%ldh%02ldm", s / 3600, s % 3600 / 60);
	else if (s >= 60)
		snprintf(out, size, "%ldm%02lds", s / 60, s % 60);
	else
		snprintf(out, size, "%lds", s);
}

/*
 * The table for people comes in four parts of the same rows, so that it
 * fits a terminal: 36 columns side by side do not.  Columns keep the
 * names CSV and JSON use; a part takes those with its prefix (the first
 * part: the columns no other part takes).
 */
static const struct {
	const char	*title;
	const char	*prefix;
} ctl_report_parts[] = {
	{ "Volume, backlog and ratings", NULL },
	{ "First response (frt: business hours; frt_wall: wall-clock)",
	    "frt" },
	{ "Resolution (res: business hours; res_wall: wall-clock)", "res" },
	{ "SLA compliance (met, breached, still running, % met)", "sla" },
};

static bool
ctl_report_in_part(const char *col, size_t part)
{
	size_t i, len;

	for (i = 0; i < sizeof(ctl_report_parts) /
	    sizeof(ctl_report_parts[0]); i++) {
		if (ctl_report_parts[i].prefix == NULL)
			continue;
		len = strlen(ctl_report_parts[i].prefix);
		if (strncmp(col, ctl_report_parts[i].prefix, len) == 0 &&
		    col[len] == '_')
			return i == part;
	}
	return ctl_report_parts[part].prefix == NULL;
}

static void
ctl_report_text(struct buf *out, const struct report *rep,
    const struct calendar *cal)
{
	char a[TRIAGECTL_TIME_MAX], b[TRIAGECTL_TIME_MAX];
	size_t part;

	/* in the zone the period was asked in, as the days were meant */
	buf_printf(out, "Requests opened %s to %s %s",
	    report_time_text(cal, rep->from, a, sizeof(a)),
	    report_time_text(cal, rep->to, b, sizeof(b)),
	    report_zone_name(cal));
	if (rep->by != REPORT_BY_NONE)
		buf_printf(out, ", by %s", report_by_name(rep->by));
	buf_append_char(out, '\n');
	for (part = 0; part < sizeof(ctl_report_parts) /
	    sizeof(ctl_report_parts[0]); part++) {
		buf_printf(out, "\n%s\n", ctl_report_parts[part].title);
		ctl_report_text_part(out, rep, part);
	}
	/* tasks are not a cohort figure (report.h): a line of their own */
	buf_printf(out, "\nTasks\ndone in the period  %ld, on time %ld",
	    rep->tasks_done, rep->tasks_on_time);
	if (report_tasks_percent(rep) >= 0)
		buf_printf(out, " (%d %%)", report_tasks_percent(rep));
	buf_printf(out, "\noverdue now         %ld\n", rep->tasks_overdue);
}

static void
ctl_report_text_part(struct buf *out, const struct report *rep, size_t part)
{
	struct ctl_report_cell c[CTL_REPORT_NCOLS];
	const char *headers[CTL_REPORT_NCOLS + 1], *cells[CTL_REPORT_NCOLS + 1];
	char text[CTL_REPORT_NCOLS][32];
	size_t max[CTL_REPORT_NCOLS + 1], i, k, m, n;
	struct triagectl_table *t;

	n = ctl_report_cells(&rep->total, c);
	headers[0] = rep->by == REPORT_BY_NONE ? "group" :
	    report_by_name(rep->by);
	for (k = 0, m = 1; k < n; k++)
		if (ctl_report_in_part(c[k].name, part))
			headers[m++] = c[k].name;
	memset(max, 0, sizeof(max));
	t = triagectl_table_new(headers, max, m);
	for (i = 0; i <= rep->nrows; i++) {
		const struct report_row *r = i < rep->nrows ? &rep->rows[i] :
		    &rep->total;

		ctl_report_cells(r, c);
		cells[0] = r->group;
		for (k = 0, m = 1; k < n; k++) {
			if (!ctl_report_in_part(c[k].name, part))
				continue;
			ctl_report_cell_text(&c[k], true, text[k],
			    sizeof(text[k]));
			cells[m++] = text[k];
		}
		triagectl_table_add(t, cells);
	}
	triagectl_table_print(t, out);
	triagectl_table_free(t);
}

static void
ctl_report_csv_field(struct buf *out, const char *s)
{
	if (strpbrk(s, ",\"\r\n") == NULL) {
		buf_append_str(out, s);
		return;
	}
	buf_append_char(out, '"');
	for (; *s != '\0'; s++) {
		if (*s == '"')
			buf_append_char(out, '"');
		buf_append_char(out, *s);
	}
	buf_append_char(out, '"');
}

static void
ctl_report_csv(struct buf *out, const struct report *rep)
{
	struct ctl_report_cell c[CTL_REPORT_NCOLS];
	char text[32];
	size_t i, k, n;

	n = ctl_report_cells(&rep->total, c);
	buf_append_str(out, rep->by == REPORT_BY_NONE ? "group" :
	    report_by_name(rep->by));
	for (k = 0; k < n; k++)
		buf_printf(out, ",%s", c[k].name);
	buf_append_str(out, "\r\n");
	for (i = 0; i <= rep->nrows; i++) {
		const struct report_row *r = i < rep->nrows ? &rep->rows[i] :
		    &rep->total;

		ctl_report_cells(r, c);
		ctl_report_csv_field(out, r->group);
		for (k = 0; k < n; k++) {
			ctl_report_cell_text(&c[k], false, text,
			    sizeof(text));
			buf_printf(out, ",%s", text);
		}
		buf_append_str(out, "\r\n");
	}
}

static void
ctl_report_json_row(struct json *j, const struct report_row *r)
{
	struct ctl_report_cell c[CTL_REPORT_NCOLS];
	size_t k, n;

	n = ctl_report_cells(r, c);
	json_object_begin(j);
	json_kv_string(j, "group", r->group);
	for (k = 0; k < n; k++) {
		json_key(j, c[k].name);
		if (c[k].none)
			json_null(j);
		else if (c[k].kind == CTL_REPORT_RATING)
			ctl_report_json_rating(j, c[k].d);
		else
			json_int(j, c[k].v);
	}
	json_object_end(j);
}

static void
ctl_report_json(struct buf *out, const struct report *rep)
{
	struct json j;
	size_t i;

	json_init(&j, out);
	json_object_begin(&j);
	triagectl_json_time(&j, "from", rep->from);
	triagectl_json_time(&j, "to", rep->to);
	json_kv_string(&j, "by", report_by_name(rep->by));
	json_key(&j, "groups");
	json_array_begin(&j);
	for (i = 0; i < rep->nrows; i++)
		ctl_report_json_row(&j, &rep->rows[i]);
	json_array_end(&j);
	json_key(&j, "total");
	ctl_report_json_row(&j, &rep->total);
	json_key(&j, "tasks");
	json_object_begin(&j);
	json_kv_int(&j, "done", rep->tasks_done);
	json_kv_int(&j, "done_on_time", rep->tasks_on_time);
	json_key(&j, "on_time_percent");
	if (report_tasks_percent(rep) >= 0)
		json_int(&j, report_tasks_percent(rep));
	else
		json_null(&j);
	json_kv_int(&j, "overdue", rep->tasks_overdue);
	json_object_end(&j);
	json_object_end(&j);
	buf_append_char(out, '\n');
}

static int
ctl_load_run(struct triagectl *ctl, int argc, char **argv)
{
	struct ctl_report_args a;
	const struct calendar *cal;
	struct report_load load;
	struct store *st;
	struct error err;
	time_t now = clock_now(), from, to;
	int rc;

	if ((rc = ctl_report_args(&ctl_load_cmd, ctl, argc, argv, &a)) !=
	    TRIAGECTL_OK)
		return rc;
	if ((st = triagectl_store(ctl)) == NULL)
		return TRIAGECTL_ERROR;
	cal = config_sla_calendar(ctl->cfg, config_reports_calendar(ctl->cfg));
	if ((rc = ctl_report_range(&ctl_load_cmd, cal, a.from, a.to,
	    a.period, now, &from, &to)) != TRIAGECTL_OK)
		return rc;
	error_clear(&err);
	if (report_load_build(st, cal, from, to, now, &load, &err) == -1)
		return triagectl_fail(&err);
	if (a.format == CTL_REPORT_JSON)
		ctl_load_json(ctl->out, &load, from, to);
	else if (a.format == CTL_REPORT_CSV)
		ctl_load_csv(ctl->out, &load);
	else
		ctl_load_text(ctl->out, &load);
	report_load_free(&load);
	return TRIAGECTL_OK;
}

static void
ctl_load_text(struct buf *out, const struct report_load *l)
{
	static const char *const ah[] = { "agent", "open", "overdue",
	    "due_1h" };
	static const size_t amax[] = { 0, 0, 0, 0 };
	const char *hh[8], *cells[8];
	char num[8][24];
	size_t hmax[8], i, k;
	struct triagectl_table *t;

	t = triagectl_table_new(ah, amax, 4);
	for (i = 0; i < l->nagents; i++) {
		snprintf(num[0], sizeof(num[0]), "%ld", l->agents[i].open);
		snprintf(num[1], sizeof(num[1]), "%ld", l->agents[i].overdue);
		snprintf(num[2], sizeof(num[2]), "%ld",
		    l->agents[i].due_soon);
		cells[0] = l->agents[i].agent;
		cells[1] = num[0];
		cells[2] = num[1];
		cells[3] = num[2];
		triagectl_table_add(t, cells);
	}
	triagectl_table_print(t, out);
	triagectl_table_free(t);
	buf_append_str(out, "\nRequests opened per hour and weekday\n");
	hh[0] = "hour";
	memset(hmax, 0, sizeof(hmax));
	for (k = 0; k < 7; k++)
		hh[k + 1] = ctl_report_weekdays[k];
	t = triagectl_table_new(hh, hmax, 8);
	for (i = 0; i < 24; i++) {
		snprintf(num[0], sizeof(num[0]), "%02zu", i);
		cells[0] = num[0];
		for (k = 0; k < 7; k++) {
			snprintf(num[k + 1], sizeof(num[k + 1]), "%ld",
			    l->opened[k][i]);
			cells[k + 1] = num[k + 1];
		}
		triagectl_table_add(t, cells);
	}
	triagectl_table_print(t, out);
	triagectl_table_free(t);
}

static void
ctl_load_csv(struct buf *out, const struct report_load *l)
{
	size_t i, k;

	buf_append_str(out, "agent,open,overdue,due_1h\r\n");
	for (i = 0; i < l->nagents; i++) {
		ctl_report_csv_field(out, l->agents[i].agent);
		buf_printf(out, ",%ld,%ld,%ld\r\n", l->agents[i].open,
		    l->agents[i].overdue, l->agents[i].due_soon);
	}
	buf_append_str(out, "\r\nhour");
	for (k = 0; k < 7; k++)
		buf_printf(out, ",%s", ctl_report_weekdays[k]);
	buf_append_str(out, "\r\n");
	for (i = 0; i < 24; i++) {
		buf_printf(out, "%02zu", i);
		for (k = 0; k < 7; k++)
			buf_printf(out, ",%ld", l->opened[k][i]);
		buf_append_str(out, "\r\n");
	}
}

static void
ctl_load_json(struct buf *out, const struct report_load *l, time_t from,
    time_t to)
{
	struct json j;
	size_t i, k;

	json_init(&j, out);
	json_object_begin(&j);
	triagectl_json_time(&j, "from", from);
	triagectl_json_time(&j, "to", to);
	json_key(&j, "agents");
	json_array_begin(&j);
	for (i = 0; i < l->nagents; i++) {
		json_object_begin(&j);
		json_kv_string(&j, "agent", l->agents[i].agent);
		json_kv_int(&j, "open", l->agents[i].open);
		json_kv_int(&j, "overdue", l->agents[i].overdue);
		json_kv_int(&j, "due_1h", l->agents[i].due_soon);
		json_object_end(&j);
	}
	json_array_end(&j);
	json_key(&j, "opened");
	json_object_begin(&j);
	for (k = 0; k < 7; k++) {
		json_key(&j, ctl_report_weekdays[k]);
		json_array_begin(&j);
		for (i = 0; i < 24; i++)
			json_int(&j, l->opened[k][i]);
		json_array_end(&j);
	}
	json_object_end(&j);
	json_object_end(&j);
	buf_append_char(out, '\n');
}
