/*
 * digest: the scheduled digest mail and the reports pass (see
 * digest.h).  The figures come from report.c; this file only picks the
 * period, reads the breaches and the slowest open requests, and writes
 * the two parts.  compose.c builds single-part mail only, so the
 * multipart is written here; every header value is ours or checked
 * (addresses without controls or specials, the subject made of printable
 * ASCII), and both bodies are base64, so no line of mail text can break
 * the structure.
 */
#include <openssl/evp.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "calendar.h"
#include "clock.h"
#include "compose.h"
#include "config.h"
#include "digest.h"
#include "digest_run.h"
#include "error.h"
#include "log.h"
#include "mailout.h"
#include "outbox.h"
#include "rating.h"
#include "report.h"
#include "report_query.h"
#include "sla.h"
#include "store.h"
#include "subject_token.h"
#include "task.h"
#include "xmalloc.h"

/* Rows of the breach and slowest-request lists. */
#define DIGEST_LIST_MAX	10
/* Width in pixels of the longest bar, and in characters in the text. */
#define DIGEST_BAR_PX	300
#define DIGEST_BAR_CHARS 40
/* The key figures: how many, and room for one value. */
#define DIGEST_NFIGURES	12
#define DIGEST_FIGLEN	64

/* A line of the breach or slowest lists. */
struct digest_item {
	long long	 ticket;
	char		*subject;
	char		*agent;
	char		*what;		/* breach: the target; slowest: "" */
	time_t		 at;
};

/* A list being filled from report_query rows. */
struct digest_list {
	struct digest_item	*items;		/* room for DIGEST_LIST_MAX */
	size_t			*n;
};

struct digest_data {
	struct report		 rep;
	struct report_load	 load;
	struct digest_item	 breaches[DIGEST_LIST_MAX];
	size_t			 nbreaches;
	struct digest_item	 slowest[DIGEST_LIST_MAX];
	size_t			 nslowest;
	struct task		*overdue;	/* open tasks past due */
	size_t			 noverdue;
	long			 hours[24];
	long			 hours_max;
	/* "YYYY-MM-DD HH:MM to YYYY-MM-DD HH:MM Zone/Name": the period */
	char			 period[128];
};

static time_t	digest_day_before(const struct calendar *, time_t midnight);
static int	digest_first(struct store *, const struct report_digest *,
		    const struct calendar *, time_t end, struct error *);
static void	digest_item_add(const struct report_query_item *, void *list);
static int	digest_collect(struct store *, const struct config *,
		    const struct calendar *, time_t from, time_t to,
		    time_t now, struct digest_data *, struct error *err);
static void	digest_data_free(struct digest_data *);
static const char *digest_dur(const struct report_durations *, long,
		    char *, size_t);
static const char *digest_pct(const struct report_sla *, char *, size_t);
static void	digest_figures(const struct report *, char [][DIGEST_FIGLEN],
		    const char **);
static void	digest_html_list(struct buf *, const char *,
		    const struct digest_item *, size_t, bool, time_t);
static void	digest_text(struct buf *, const struct report_digest *,
		    const struct digest_data *);
static void	digest_html(struct buf *, const struct report_digest *,
		    const struct digest_data *);
static void	digest_html_escape(struct buf *, const char *);
static void	digest_html_tasks(struct buf *, const struct digest_data *);
static int	digest_overdue(struct store *, time_t, struct digest_data *,
		    struct error *);
static int	digest_compose(struct store *, const struct config *,
		    const struct report_digest *, time_t, time_t, time_t,
		    char **, struct buf *, struct buf *, struct error *);
static int	digest_send(struct store *, const struct config *,
		    const struct report_digest *, time_t now, bool *sent,
		    struct error *err);

static time_t
digest_day_before(const struct calendar *cal, time_t midnight)
{
	return report_day_start(cal, midnight - 1);
}

void
digest_period(const struct report_digest *d, const struct calendar *cal,
    time_t now, time_t *from, time_t *to)
{
	time_t day = report_day_start(cal, now);
	struct tm tm;
	int i;

	/* the latest day the schedule fired on, at or before now */
	for (i = 0; i < 8; i++) {
		if (day + d->minute * 60 <= now) {
			if (!d->weekly)
				break;
			if (cal != NULL)
				calendar_localtime(cal, day, &tm);
			else
				gmtime_r(&day, &tm);
			if (tm.tm_wday == d->weekday)
				break;
		}
		day = digest_day_before(cal, day);
	}
	*to = day;
	*from = digest_day_before(cal, day);
	if (d->weekly)
		for (i = 1; i < 7; i++)
			*from = digest_day_before(cal, *from);
}

static void
digest_item_add(const struct report_query_item *q, void *list)
{
	struct digest_list *l = list;
	struct digest_item *it;

	if (*l->n == DIGEST_LIST_MAX)
		return;
	it = &l->items[(*l->n)++];
	it->ticket = q->ticket;
	it->subject = xstrdup(q->subject != NULL ? q->subject : "");
	it->agent = xstrdup(q->agent != NULL ? q->agent : "-");
	it->what = xstrdup(q->detail != NULL ? q->detail : "");
	it->at = q->at;
}

/*
 * The report of the period, its breaches (by the events index) and the
 * slowest requests open now (report_query.h).
 */
static int
digest_collect(struct store *st, const struct config *cfg,
    const struct calendar *cal, time_t from, time_t to, time_t now,
    struct digest_data *dd, struct error *err)
{
	struct digest_list breaches, slowest;
	int d, h;

	memset(dd, 0, sizeof(*dd));
	breaches = (struct digest_list){ dd->breaches, &dd->nbreaches };
	slowest = (struct digest_list){ dd->slowest, &dd->nslowest };
	if (report_build(st, cfg, cal, from, to, REPORT_BY_NONE, now,
	    &dd->rep, err) == -1)
		return -1;
	if (report_load_build(st, cal, from, to, now, &dd->load, err) == -1 ||
	    report_query_breaches(st, from, to, DIGEST_LIST_MAX,
	    digest_item_add, &breaches, err) == -1 ||
	    report_query_oldest_open(st, now + 1, DIGEST_LIST_MAX,
	    digest_item_add, &slowest, err) == -1 ||
	    digest_overdue(st, now, dd, err) == -1)
		return -1;
	for (h = 0; h < 24; h++) {
		for (d = 0; d < 7; d++)
			dd->hours[h] += dd->load.opened[d][h];
		if (dd->hours[h] > dd->hours_max)
			dd->hours_max = dd->hours[h];
	}
	return 0;
}

/* The open tasks whose due time has passed, the earliest first. */
static int
digest_overdue(struct store *st, time_t now, struct digest_data *dd,
    struct error *err)
{
	struct task_filter f;

	memset(&f, 0, sizeof(f));
	f.open_only = true;
	f.overdue_at = now;
	f.limit = DIGEST_LIST_MAX;
	return task_list(st, &f, &dd->overdue, &dd->noverdue, err);
}

static void
digest_data_free(struct digest_data *dd)
{
	size_t i;

	task_list_free(dd->overdue, dd->noverdue);
	report_free(&dd->rep);
	report_load_free(&dd->load);
	for (i = 0; i < dd->nbreaches; i++) {
		free(dd->breaches[i].subject);
		free(dd->breaches[i].agent);
		free(dd->breaches[i].what);
	}
	for (i = 0; i < dd->nslowest; i++) {
		free(dd->slowest[i].subject);
		free(dd->slowest[i].agent);
		free(dd->slowest[i].what);
	}
}

/* "3h05m" for people; "-" when there is nothing to measure. */
static const char *
digest_dur(const struct report_durations *d, long v, char *out, size_t size)
{
	if (d->n == 0)
		snprintf(out, size, "-");
	else if (v >= 3600)
		snprintf(out, size, "%ldh%02ldm", v / 3600, v % 3600 / 60);
	else
		snprintf(out, size, "%ldm%02lds", v / 60, v % 60);
	return out;
}

static const char *
digest_pct(const struct report_sla *s, char *out, size_t size)
{
	int p = report_sla_percent(s);

	if (p < 0)
		snprintf(out, size, "-");
	else
		snprintf(out, size, "%d%%", p);
	return out;
}

/* The key figures as label/value pairs, shared by both parts. */
static void
digest_figures(const struct report *rep, char v[][DIGEST_FIGLEN],
    const char **l)
{
	const struct report_row *t = &rep->total;
	static const char *const labels[DIGEST_NFIGURES] = {
		"Requests opened", "Resolved", "Reopened",
		"First response, median (business)", "First response, p90",
		"Resolution, median (business)", "SLA first response met",
		"SLA resolution met", "Open backlog", "Satisfaction",
		"Tasks done on time", "Tasks overdue now"
	};
	int i;

	for (i = 0; i < DIGEST_NFIGURES; i++)
		l[i] = labels[i];
	snprintf(v[0], DIGEST_FIGLEN, "%ld", t->opened);
	snprintf(v[1], DIGEST_FIGLEN, "%ld", t->resolved);
	snprintf(v[2], DIGEST_FIGLEN, "%ld", t->reopened);
	digest_dur(&t->first_business, t->first_business.median, v[3],
	    DIGEST_FIGLEN);
	digest_dur(&t->first_business, t->first_business.p90, v[4],
	    DIGEST_FIGLEN);
	digest_dur(&t->resolution_business, t->resolution_business.median,
	    v[5], DIGEST_FIGLEN);
	digest_pct(&t->sla_first, v[6], DIGEST_FIGLEN);
	digest_pct(&t->sla_resolution, v[7], DIGEST_FIGLEN);
	snprintf(v[8], DIGEST_FIGLEN, "%ld", t->backlog);
	if (t->rated > 0)
		snprintf(v[9], DIGEST_FIGLEN, "%.2f / 5 (%ld ratings)",
		    t->rating_avg, t->rated);
	else
		snprintf(v[9], DIGEST_FIGLEN, "-");
	if (report_tasks_percent(rep) >= 0)
		snprintf(v[10], DIGEST_FIGLEN, "%d%% (%ld of %ld)",
		    report_tasks_percent(rep), rep->tasks_on_time,
		    rep->tasks_done);
	else
		snprintf(v[10], DIGEST_FIGLEN, "-");
	snprintf(v[11], DIGEST_FIGLEN, "%ld", rep->tasks_overdue);
}

static void
digest_text(struct buf *b, const struct report_digest *d,
    const struct digest_data *dd)
{
	char v[DIGEST_NFIGURES][DIGEST_FIGLEN];
	const char *l[DIGEST_NFIGURES];
	size_t i;
	long n;
	int h;

	buf_printf(b, "Support digest \"%s\"\nRequests opened %s\n\n"
	    "Key figures\n\n", d->name, dd->period);
	digest_figures(&dd->rep, v, l);
	for (i = 0; i < DIGEST_NFIGURES; i++)
		buf_printf(b, "  %-36s %s\n", l[i], v[i]);
	buf_append_str(b, "\nSLA breaches\n\n");
	if (dd->nbreaches == 0)
		buf_append_str(b, "  none\n");
	for (i = 0; i < dd->nbreaches; i++)
		buf_printf(b, "  #%lld %s (%s) %s\n", dd->breaches[i].ticket,
		    dd->breaches[i].what, dd->breaches[i].agent,
		    dd->breaches[i].subject);
	buf_append_str(b, "\nSlowest open requests\n\n");
	if (dd->nslowest == 0)
		buf_append_str(b, "  none\n");
	for (i = 0; i < dd->nslowest; i++)
		buf_printf(b, "  #%lld %ldh open (%s) %s\n",
		    dd->slowest[i].ticket,
		    (long)(dd->rep.now - dd->slowest[i].at) / 3600,
		    dd->slowest[i].agent, dd->slowest[i].subject);
	buf_append_str(b, "\nOverdue tasks\n\n");
	if (dd->noverdue == 0)
		buf_append_str(b, "  none\n");
	for (i = 0; i < dd->noverdue; i++)
		buf_printf(b, "  task %lld on #%lld, %ldh late (%s) %s\n",
		    (long long)dd->overdue[i].id,
		    (long long)dd->overdue[i].ticket_id,
		    (long)(dd->rep.now - dd->overdue[i].due_at) / 3600,
		    dd->overdue[i].assignee != NULL ?
		    dd->overdue[i].assignee : "-", dd->overdue[i].text);
	buf_append_str(b, "\nRequests opened per hour\n\n");
	for (h = 0; h < 24; h++) {
		buf_printf(b, "  %02d %5ld ", h, dd->hours[h]);
		n = dd->hours_max > 0 ?
		    dd->hours[h] * DIGEST_BAR_CHARS / dd->hours_max : 0;
		while (n-- > 0)
			buf_append_char(b, '#');
		buf_append_char(b, '\n');
	}
}

static void
digest_html_escape(struct buf *b, const char *s)
{
	for (; *s != '\0'; s++) {
		switch (*s) {
		case '<':
			buf_append_str(b, "&lt;");
			break;
		case '>':
			buf_append_str(b, "&gt;");
			break;
		case '&':
			buf_append_str(b, "&amp;");
			break;
		case '"':
			buf_append_str(b, "&quot;");
			break;
		default:
			buf_append_char(b, *s);
		}
	}
}

static void
digest_html_list(struct buf *b, const char *title,
    const struct digest_item *items, size_t n, bool breach, time_t now)
{
	size_t i;

	buf_printf(b, "<h2>%s</h2>\n<table border=\"1\" cellpadding=\"4\""
	    " cellspacing=\"0\">\n<tr><th>Request</th><th>%s</th>"
	    "<th>Agent</th><th>Subject</th></tr>\n", title,
	    breach ? "Target" : "Open for");
	if (n == 0)
		buf_append_str(b, "<tr><td colspan=\"4\">none</td></tr>\n");
	for (i = 0; i < n; i++) {
		buf_printf(b, "<tr><td>#%lld</td><td>", items[i].ticket);
		if (breach)
			digest_html_escape(b, items[i].what);
		else
			buf_printf(b, "%ldh", (long)(now - items[i].at) / 3600);
		buf_append_str(b, "</td><td>");
		digest_html_escape(b, items[i].agent);
		buf_append_str(b, "</td><td>");
		digest_html_escape(b, items[i].subject);
		buf_append_str(b, "</td></tr>\n");
	}
	buf_append_str(b, "</table>\n");
}

static void
digest_html_tasks(struct buf *b, const struct digest_data *dd)
{
	const struct task *t;
	size_t i;

	buf_append_str(b, "<h2>Overdue tasks</h2>\n");
	if (dd->noverdue == 0) {
		buf_append_str(b, "<p>none</p>\n");
		return;
	}
	buf_append_str(b, "<table border=\"1\" cellpadding=\"4\" "
	    "cellspacing=\"0\">\n");
	for (i = 0; i < dd->noverdue; i++) {
		t = &dd->overdue[i];
		buf_printf(b, "<tr><td>task %lld</td><td>#%lld</td><td>%ldh "
		    "late</td><td>", (long long)t->id, (long long)t->ticket_id,
		    (long)(dd->rep.now - t->due_at) / 3600);
		digest_html_escape(b, t->assignee != NULL ? t->assignee : "-");
		buf_append_str(b, "</td><td>");
		digest_html_escape(b, t->text);
		buf_append_str(b, "</td></tr>\n");
	}
	buf_append_str(b, "</table>\n");
}

static void
digest_html(struct buf *b, const struct report_digest *d,
    const struct digest_data *dd)
{
	char v[DIGEST_NFIGURES][DIGEST_FIGLEN];
	const char *l[DIGEST_NFIGURES];
	size_t i;
	long w;
	int h;

	buf_append_str(b, "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\">"
	    "<title>Support digest</title></head>\n<body>\n<h1>Support "
	    "digest &quot;");
	digest_html_escape(b, d->name);
	buf_append_str(b, "&quot;</h1>\n<p>Requests opened ");
	digest_html_escape(b, dd->period);
	buf_append_str(b, "</p>\n<h2>Key figures</h2>\n<table border="
	    "\"1\" cellpadding=\"4\" cellspacing=\"0\">\n");
	digest_figures(&dd->rep, v, l);
	for (i = 0; i < DIGEST_NFIGURES; i++) {
		buf_printf(b, "<tr><td>%s</td><td align=\"right\">", l[i]);
		digest_html_escape(b, v[i]);
		buf_append_str(b, "</td></tr>\n");
	}
	buf_append_str(b, "</table>\n");
	digest_html_list(b, "SLA breaches", dd->breaches, dd->nbreaches, true,
	    dd->rep.now);
	digest_html_list(b, "Slowest open requests", dd->slowest,
	    dd->nslowest, false, dd->rep.now);
	digest_html_tasks(b, dd);
	buf_append_str(b, "<h2>Requests opened per hour</h2>\n<table "
	    "cellpadding=\"1\" cellspacing=\"1\">\n");
	for (h = 0; h < 24; h++) {
		w = dd->hours_max > 0 ?
		    dd->hours[h] * DIGEST_BAR_PX / dd->hours_max : 0;
		buf_printf(b, "<tr><td>%02d</td><td align=\"right\">%ld</td>"
		    "<td><table cellpadding=\"0\" cellspacing=\"0\"><tr>", h,
		    dd->hours[h]);
		if (w > 0)
			buf_printf(b, "<td width=\"%ld\" height=\"12\" "
			    "bgcolor=\"#3b7dd8\"></td>", w);
		buf_printf(b, "<td width=\"%ld\" height=\"12\"></td></tr>"
		    "</table></td></tr>\n", DIGEST_BAR_PX - w + 1);
	}
	buf_append_str(b, "</table>\n</body></html>\n");
}

/*
 * The subject, text and HTML of d's digest for [from, to); 0, or -1 + err
 * for database trouble.  The caller frees what it gets.
 */
static int
digest_compose(struct store *st, const struct config *cfg,
    const struct report_digest *d, time_t from, time_t to, time_t now,
    char **subject_out, struct buf *text, struct buf *html,
    struct error *err)
{
	const struct calendar *cal;
	struct digest_data dd;
	char day[16], a[32], b[32];
	struct tm tm;
	time_t last = to - 1;

	cal = config_sla_calendar(cfg, config_reports_calendar(cfg));
	if (digest_collect(st, cfg, cal, from, to, now, &dd, err) == -1) {
		digest_data_free(&dd);
		return -1;
	}
	snprintf(dd.period, sizeof(dd.period), "%s to %s %s",
	    report_time_text(cal, from, a, sizeof(a)),
	    report_time_text(cal, to, b, sizeof(b)), report_zone_name(cal));
	/* the last day of the period in its own zone, not UTC's */
	if (cal != NULL)
		calendar_localtime(cal, last, &tm);
	else
		gmtime_r(&last, &tm);
	strftime(day, sizeof(day), "%Y-%m-%d", &tm);
	xasprintf(subject_out, "Support digest %s: %s%s", d->name,
	    d->weekly ? "week to " : "", day);
	digest_text(text, d, &dd);
	digest_html(html, d, &dd);
	digest_data_free(&dd);
	return 0;
}

/*
 * The first time a schedule runs (the first start, or a digest newly
 * configured) no digest goes out: the periods before it are not the
 * install's, and the one running now is not full.  The schedule starts
 * with the first full period after now: the running one, [end, end + a
 * day or week), is recorded as done.  Local days are found by their
 * midnights, so a DST change inside the week does not shift them.
 */
static int
digest_first(struct store *st, const struct report_digest *d,
    const struct calendar *cal, time_t end, struct error *err)
{
	time_t next = end;
	int i;

	for (i = 0; i < (d->weekly ? 7 : 1); i++)
		next = report_day_start(cal, next + 30 * 3600);
	if (digest_run_done(st, d->name, next, err) == -1)
		return -1;
	log_info("digest %s first run: starts with the period after "
	    "period_end=%lld", d->name, (long long)next);
	return 0;
}

/* Queues d's latest period unless digest_runs says it went out. */
static int
digest_send(struct store *st, const struct config *cfg,
    const struct report_digest *d, time_t now, bool *sent,
    struct error *err)
{
	const struct calendar *cal;
	struct compose_addr *to;
	struct mailout m;
	struct buf text, html;
	char *subject = NULL;
	time_t from, end, last;
	size_t i;
	int rc, ret = -1;
	bool won;

	*sent = false;
	cal = config_sla_calendar(cfg, config_reports_calendar(cfg));
	digest_period(d, cal, now, &from, &end);
	if (digest_run_last(st, d->name, &last, err) == -1)
		return -1;
	if (last == 0)
		return digest_first(st, d, cal, end, err);
	if (last >= end)
		return 0;
	buf_init(&text);
	buf_init(&html);
	to = xcalloc(d->nto + 1, sizeof(*to));
	for (i = 0; i < d->nto; i++)
		to[i].addr = d->to[i];
	if (digest_compose(st, cfg, d, from, end, now, &subject, &text, &html,
	    err) == -1)
		goto out;
	memset(&m, 0, sizeof(m));
	m.kind = MAILOUT_DIGEST;
	m.to = to;
	m.nto = d->nto;
	m.subject = subject;
	m.text = text.data != NULL ? text.data : "";
	m.html = html.data != NULL ? html.data : "";
	m.now = now;
	/*
	 * The period is claimed first, in the transaction that queues its
	 * mail: another instance on the same database that got there
	 * meanwhile has queued it, and we queue nothing.  No usable
	 * recipient: logged there; the period counts as done.
	 */
	if (digest_run_claim(st, d->name, end, &won, err) == -1)
		goto out;
	if (!won) {
		log_info("digest %s period_end=%lld queued by another "
		    "instance", d->name, (long long)end);
		ret = 0;
		goto out;
	}
	if ((rc = mailout_queue(st, cfg, &m, NULL, err)) == -1)
		goto out;
	*sent = rc == 0;
	log_info("digest %s queued period_end=%lld", d->name,
	    (long long)end);
	ret = 0;
out:
	buf_release(&text);
	buf_release(&html);
	free(to);
	free(subject);
	return ret;
}

int
digest_run(struct store *st, const struct config *cfg, time_t now,
    int *queued, struct error *err)
{
	struct subject_token *tok;
	size_t i;
	bool sent;
	int n = 0, rc;

	*queued = 0;
	if (config_reports_survey(cfg)) {
		if ((tok = subject_token_new(cfg->token_format, err)) == NULL)
			return -1;
		rc = rating_survey_queue(st, cfg, tok, now, &n, err);
		subject_token_free(tok);
		if (rc == -1)
			return -1;
		*queued += n;
	}
	for (i = 0; i < config_reports_ndigests(cfg); i++) {
		if (digest_send(st, cfg, config_reports_digest_at(cfg, i), now,
		    &sent, err) == -1)
			return -1;
		*queued += sent;
	}
	return 0;
}
