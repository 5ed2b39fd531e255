/*
 * http_pages: the dashboard's pages (http_pages.h).
 *
 * Each page reads through the store's typed functions (ticket.h,
 * queue_view.h, history.h, report.h) on the reader's own read-only
 * connection, and writes through html_printf only.  The figures of the
 * reports page are report_build's, the very function `triagectl report`
 * prints, and those of the agents page report_load_build's (`triagectl
 * load`): nothing is computed twice.
 */
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "calendar.h"
#include "compat.h"
#include "config.h"
#include "config_agents.h"
#include "config_reports.h"
#include "config_sla.h"
#include "error.h"
#include "history.h"
#include "html_out.h"
#include "message.h"
#include "mime.h"
#include "http_pages.h"
#include "queue_view.h"
#include "report.h"
#include "ticket.h"
#include "xmalloc.h"

/* The queue's "at risk": a deadline within this many hours. */
#define PAGES_RISK_HOURS	4
/* Requests listed on the queue page, most urgent first. */
#define PAGES_QUEUE_LIST	50
/*
 * Requests read to find them: an agent sees a part of them, so his list
 * is the first PAGES_QUEUE_LIST of his among the PAGES_QUEUE_SCAN most
 * urgent of all.
 */
#define PAGES_QUEUE_SCAN	2000
#define PAGES_TIME_MAX		32

/* One bar of a chart. */
struct pages_bar {
	const char	*label;
	long		 value;
};

static void	pages_begin(struct buf *, const struct http_viewer *,
		    const char *title);
static void	pages_end(struct buf *);
static void	pages_bars(struct buf *, const char *title,
		    const struct pages_bar *, size_t n);
static const char *pages_time(const struct http_viewer *, time_t,
		    char *, size_t);
static const struct calendar *pages_zone(const struct http_viewer *);
static void	pages_error(struct http_page *, const struct http_viewer *,
		    int code, const char *text);
static void	pages_queue(struct store *, const struct http_viewer *,
		    const struct evkeyvalq *, struct http_page *);
static void	pages_agents(struct store *, const struct http_viewer *,
		    const struct evkeyvalq *, struct http_page *);
static void	pages_request(struct store *, const struct http_viewer *,
		    const char *, struct http_page *);
static void	pages_customer(struct store *, const struct http_viewer *,
		    const struct evkeyvalq *, struct http_page *);
static void	pages_reports(struct store *, const struct http_viewer *,
		    const struct evkeyvalq *, struct http_page *);
static void	pages_attachment(struct store *, const struct http_viewer *,
		    const char *, struct http_page *);
static bool	pages_number(const char *, const char **, long long *);
static char	*pages_disposition(const struct message_attachment *);
static void	pages_rows(struct buf *, const struct http_viewer *,
		    const struct ticket_row *, size_t n, size_t max);
static long	pages_sum(struct queue_group *, size_t,
		    const struct http_viewer *, const char *status);

static const char pages_style[] =
	"body{font:14px/1.4 sans-serif;margin:0;color:#222}"
	"nav{background:#234;padding:8px 16px}nav a,nav button{color:#fff;"
	"margin-right:16px;text-decoration:none;font:inherit;background:none;"
	"border:0;cursor:pointer}nav form{display:inline;float:right}"
	"main{padding:8px 16px}table{border-collapse:collapse;margin:8px 0}"
	"td,th{border:1px solid #ccc;padding:3px 8px;text-align:left}"
	"th{background:#eef}.num{text-align:right}.card{display:inline-block;"
	"border:1px solid #ccc;padding:8px 16px;margin:4px;min-width:8em}"
	".card b{display:block;font-size:24px}.msg{border:1px solid #ccc;"
	"margin:8px 0;padding:4px 8px}.note{background:#ffd}"
	".msg pre{white-space:pre-wrap;font:inherit}.bad{color:#a00}";

void
http_pages_render(struct store *st, const struct http_viewer *v,
    const char *path, const struct evkeyvalq *query, struct http_page *page)
{
	page->code = 200;
	if (strcmp(path, "/") == 0 || strcmp(path, "/queue") == 0)
		pages_queue(st, v, query, page);
	else if (strcmp(path, "/agents") == 0)
		pages_agents(st, v, query, page);
	else if (strncmp(path, "/request/", 9) == 0)
		pages_request(st, v, path + 9, page);
	else if (strcmp(path, "/customer") == 0)
		pages_customer(st, v, query, page);
	else if (strcmp(path, "/reports") == 0)
		pages_reports(st, v, query, page);
	else if (strncmp(path, "/attachment/", 12) == 0)
		pages_attachment(st, v, path + 12, page);
	else
		pages_error(page, v, 404, "There is no such page.");
}

bool
http_pages_may_see(const struct agent *a, const char *category,
    const char *assignee)
{
	if (a->manager)
		return true;
	if (assignee != NULL && strcmp(assignee, a->name) == 0)
		return true;
	return config_agents_serves(a, category);
}

void
http_pages_login(struct buf *b, const char *message, const char *csrf)
{
	html_printf(b, "<!DOCTYPE html><html lang=\"en\"><head>"
	    "<meta charset=\"utf-8\"><title>triaged: log in</title>"
	    "<style>%s</style></head><body><nav><a href=\"/login\">"
	    "triaged</a></nav><main><h1>Log in</h1>", pages_style);
	if (message != NULL)
		html_printf(b, "<p class=\"bad\" id=\"message\">%s</p>",
		    message);
	html_printf(b, "<form method=\"post\" action=\"/login\">"
	    "<input type=\"hidden\" name=\"csrf\" value=\"%s\">"
	    "<p><label>Agent <input name=\"agent\" autocomplete=\"username\""
	    " required></label></p>"
	    "<p><label>Password <input name=\"password\" type=\"password\""
	    " autocomplete=\"current-password\" required></label></p>"
	    "<p><button type=\"submit\">Log in</button></p></form>"
	    "</main></body></html>\n", csrf);
}

void
http_pages_message(struct buf *b, const char *title, const char *text)
{
	html_printf(b, "<!DOCTYPE html><html lang=\"en\"><head>"
	    "<meta charset=\"utf-8\"><title>triaged: %s</title>"
	    "<style>%s</style></head><body><nav><a href=\"/queue\">"
	    "triaged</a></nav><main><h1>%s</h1><p id=\"message\">%s</p>"
	    "</main></body></html>\n", title, pages_style, title, text);
}

/* ------------------------------------------------------------------ */
/* Frame and pieces                                                   */

static void
pages_begin(struct buf *b, const struct http_viewer *v, const char *title)
{
	html_printf(b, "<!DOCTYPE html><html lang=\"en\"><head>"
	    "<meta charset=\"utf-8\"><title>triaged: %s</title>"
	    "<style>%s</style></head><body><nav>"
	    "<a href=\"/queue\">Queue</a>", title, pages_style);
	if (v->agent->manager)
		html_printf(b, "<a href=\"/agents\">Agents</a>"
		    "<a href=\"/reports\">Reports</a>");
	html_printf(b, "<form method=\"post\" action=\"/logout\">"
	    "<input type=\"hidden\" name=\"csrf\" value=\"%s\">"
	    "<span style=\"color:#fff\">%s</span> "
	    "<button type=\"submit\">Log out</button></form></nav><main>"
	    "<h1>%s</h1>", v->logout_token, v->agent->display_name != NULL ?
	    v->agent->display_name : v->agent->name, title);
}

static void
pages_end(struct buf *b)
{
	html_printf(b, "</main></body></html>\n");
}

static void
pages_error(struct http_page *page, const struct http_viewer *v, int code,
    const char *text)
{
	buf_reset(page->body);
	page->code = code;
	pages_begin(page->body, v, code == 404 ? "Not found" :
	    code == 403 ? "Not yours to see" : "Trouble");
	html_printf(page->body, "<p id=\"message\">%s</p>", text);
	pages_end(page->body);
}

/*
 * A horizontal bar chart in inline SVG: one row per bar, the label on
 * the left, the bar scaled to the largest value, the value after it.
 */
static void
pages_bars(struct buf *b, const char *title, const struct pages_bar *bars,
    size_t n)
{
	const int row = 18, label = 160, width = 360;
	long max = 1;
	size_t i;

	for (i = 0; i < n; i++)
		if (bars[i].value > max)
			max = bars[i].value;
	html_printf(b, "<figure><figcaption>%s</figcaption>"
	    "<svg xmlns=\"http://www.w3.org/2000/svg\" role=\"img\""
	    " width=\"%d\" height=\"%zu\" font-size=\"12\">", title,
	    label + width + 60, n * (size_t)row + 4);
	for (i = 0; i < n; i++) {
		html_printf(b, "<text x=\"%d\" y=\"%zu\" text-anchor=\"end\">"
		    "%s</text><rect x=\"%d\" y=\"%zu\" width=\"%ld\""
		    " height=\"%d\" fill=\"#48c\"/><text x=\"%ld\" y=\"%zu\">"
		    "%ld</text>", label - 4, i * (size_t)row + 14,
		    bars[i].label, label, i * (size_t)row + 3,
		    bars[i].value * width / max, row - 4,
		    label + bars[i].value * width / max + 4,
		    i * (size_t)row + 14, bars[i].value);
	}
	html_printf(b, "</svg></figure>");
}

/* Times people read: the reports' zone, as triagectl prints them. */
static const struct calendar *
pages_zone(const struct http_viewer *v)
{
	return config_sla_calendar(v->cfg, config_reports_calendar(v->cfg));
}

static const char *
pages_time(const struct http_viewer *v, time_t t, char *out, size_t size)
{
	if (t == 0) {
		strlcpy(out, "", size);
		return out;
	}
	return report_time_text(pages_zone(v), t, out, size);
}

/* Requests as a table; at most max rows the viewer may see. */
static void
pages_rows(struct buf *b, const struct http_viewer *v,
    const struct ticket_row *rows, size_t n, size_t max)
{
	char due[PAGES_TIME_MAX], created[PAGES_TIME_MAX];
	size_t i, shown = 0;

	html_printf(b, "<table class=\"requests\"><tr><th>#</th>"
	    "<th>Subject</th><th>Status</th><th>Category</th>"
	    "<th>Assignee</th><th>Customer</th><th>Opened</th>"
	    "<th>Due</th></tr>");
	for (i = 0; i < n && shown < max; i++) {
		if (!http_pages_may_see(v->agent, rows[i].category,
		    rows[i].assignee))
			continue;
		shown++;
		html_printf(b, "<tr><td><a href=\"/request/%" PRId64 "\">%"
		    PRId64 "</a></td><td>%s</td><td>%s</td><td>%s</td>"
		    "<td>%s</td><td><a href=\"/customer?addr=%s\">%s</a></td>"
		    "<td>%s</td>", rows[i].id, rows[i].id,
		    rows[i].subject, rows[i].status, rows[i].category,
		    rows[i].assignee != NULL ? rows[i].assignee : "-",
		    rows[i].customer.address, rows[i].customer.name != NULL &&
		    rows[i].customer.name[0] != '\0' ? rows[i].customer.name :
		    rows[i].customer.address,
		    pages_time(v, rows[i].created_at, created, sizeof(created)));
		html_printf(b, rows[i].due != 0 && rows[i].due < v->now ?
		    "<td class=\"bad\">%s</td></tr>" : "<td>%s</td></tr>",
		    pages_time(v, rows[i].due, due, sizeof(due)));
	}
	html_printf(b, "</table>");
}

/* ------------------------------------------------------------------ */
/* The queue                                                          */

/* Open requests of status (NULL: every open one) the viewer sees. */
static long
pages_sum(struct queue_group *g, size_t n, const struct http_viewer *v,
    const char *status)
{
	long sum = 0;
	size_t i;

	for (i = 0; i < n; i++)
		if ((status == NULL || strcmp(g[i].status, status) == 0) &&
		    http_pages_may_see(v->agent, g[i].category,
		    g[i].assignee))
			sum += g[i].open;
	return sum;
}

static void
pages_queue(struct store *st, const struct http_viewer *v,
    const struct evkeyvalq *query, struct http_page *page)
{
	static const char *const statuses[] = { "new", "open", "pending" };
	char opened[PAGES_TIME_MAX], due[PAGES_TIME_MAX];
	struct queue_group *g;
	struct queue_due *dues;
	struct queue_row r;
	struct pages_bar *bars;
	struct buf *b = page->body;
	struct error err;
	long unassigned = 0, risk = 0, breached = 0, total;
	size_t n, nrows, i, k, nbars;
	const char *key;

	error_clear(&err);
	if (queue_view_groups(st, v->now, v->now + PAGES_RISK_HOURS * 3600,
	    &g, &n, &err) == -1) {
		pages_error(page, v, 503, err.msg);
		return;
	}
	for (i = 0; i < n; i++) {
		if (!http_pages_may_see(v->agent, g[i].category,
		    g[i].assignee))
			continue;
		if (g[i].assignee == NULL)
			unassigned += g[i].open;
		risk += g[i].at_risk;
		breached += g[i].breached;
	}
	total = pages_sum(g, n, v, NULL);
	pages_begin(b, v, "Queue");
	html_printf(b, "<div class=\"card\">Open<b id=\"open\">%ld</b></div>"
	    "<div class=\"card\">Unassigned<b id=\"unassigned\">%ld</b></div>"
	    "<div class=\"card\">At risk (%dh)<b id=\"at-risk\">%ld</b></div>"
	    "<div class=\"card\">Breached<b id=\"breached\" class=\"bad\">%ld"
	    "</b></div>", total, unassigned, PAGES_RISK_HOURS, risk,
	    breached);

	/* by status, then by category and by assignee: one chart each */
	bars = xcalloc(n + 3, sizeof(*bars));
	for (k = 0; k < 3; k++) {
		bars[k].label = statuses[k];
		bars[k].value = pages_sum(g, n, v, statuses[k]);
	}
	html_printf(b, "<table id=\"by-status\"><tr><th>Status</th>"
	    "<th>Open</th></tr>");
	for (k = 0; k < 3; k++)
		html_printf(b, "<tr><td>%s</td><td class=\"num\">%ld</td>"
		    "</tr>", bars[k].label, bars[k].value);
	html_printf(b, "</table>");
	pages_bars(b, "Open by status", bars, 3);
	for (k = 0; k < 2; k++) {
		nbars = 0;
		for (i = 0; i < n; i++) {
			if (!http_pages_may_see(v->agent, g[i].category,
			    g[i].assignee))
				continue;
			key = k == 0 ? g[i].category : g[i].assignee;
			if (key == NULL)
				key = k == 0 ? "(none)" : "(unassigned)";
			for (size_t j = 0; j < nbars; j++)
				if (strcmp(bars[j].label, key) == 0) {
					bars[j].value += g[i].open;
					key = NULL;
					break;
				}
			if (key != NULL) {
				bars[nbars].label = key;
				bars[nbars++].value = g[i].open;
			}
		}
		pages_bars(b, k == 0 ? "Open by category" : "Open by assignee",
		    bars, nbars);
	}
	free(bars);
	queue_view_free(g, n);

	/*
	 * the most urgent requests, earliest deadline first: chosen on the
	 * index, then only the lines shown read from the table
	 */
	if (queue_view_deadlines(st, v->agent->manager ? PAGES_QUEUE_LIST :
	    PAGES_QUEUE_SCAN, &dues, &nrows, &err) == -1) {
		pages_error(page, v, 503, err.msg);
		return;
	}
	html_printf(b, "<h2>Running deadlines, earliest first</h2>"
	    "<table class=\"requests\"><tr><th>#</th><th>Subject</th>"
	    "<th>Status</th><th>Category</th><th>Assignee</th>"
	    "<th>Customer</th><th>Opened</th><th>Due</th></tr>");
	for (i = 0, k = 0; i < nrows && k < PAGES_QUEUE_LIST; i++) {
		if (!http_pages_may_see(v->agent, dues[i].category,
		    dues[i].assignee) ||
		    queue_view_row(st, dues[i].id, &r, &err) != 1)
			continue;
		k++;
		html_printf(b, "<tr><td><a href=\"/request/%" PRId64 "\">%"
		    PRId64 "</a></td><td>%s</td><td>%s</td><td>%s</td>"
		    "<td>%s</td><td><a href=\"/customer?addr=%s\">%s</a></td>"
		    "<td>%s</td>", r.id, r.id, r.subject, r.status,
		    r.category, r.assignee != NULL ? r.assignee : "-",
		    r.customer_address, r.customer_name != NULL &&
		    r.customer_name[0] != '\0' ? r.customer_name :
		    r.customer_address,
		    pages_time(v, r.created_at, opened, sizeof(opened)));
		html_printf(b, dues[i].due < v->now ?
		    "<td class=\"bad\">%s</td></tr>" : "<td>%s</td></tr>",
		    pages_time(v, dues[i].due, due, sizeof(due)));
		queue_view_row_clear(&r);
	}
	html_printf(b, "</table>");
	queue_view_dues_free(dues, nrows);
	pages_end(b);
}

/* ------------------------------------------------------------------ */
/* Agents' load                                                       */

static void
pages_agents(struct store *st, const struct http_viewer *v,
    const struct evkeyvalq *query, struct http_page *page)
{
	static const char *const days[] = { "Mon", "Tue", "Wed", "Thu", "Fri",
	    "Sat", "Sun" };
	static const char *const hours[] = { "00", "01", "02", "03", "04",
	    "05", "06", "07", "08", "09", "10", "11", "12", "13", "14", "15",
	    "16", "17", "18", "19", "20", "21", "22", "23" };
	struct pages_bar bars[24];
	struct report_load load;
	struct buf *b = page->body;
	struct error err;
	size_t i, d, h;

	if (!v->agent->manager) {
		pages_error(page, v, 403, "The team's figures are for managers.");
		return;
	}
	error_clear(&err);
	if (report_load_build(st, pages_zone(v), v->now - 28 * 86400,
	    v->now + 1, v->now, &load, &err) == -1) {
		pages_error(page, v, 503, err.msg);
		return;
	}
	pages_begin(b, v, "Agents");
	html_printf(b, "<table id=\"load\"><tr><th>Agent</th><th>Open</th>"
	    "<th>Overdue</th><th>Due within the hour</th></tr>");
	for (i = 0; i < load.nagents; i++)
		html_printf(b, "<tr><td>%s</td><td class=\"num\">%ld</td>"
		    "<td class=\"num\">%ld</td><td class=\"num\">%ld</td></tr>",
		    load.agents[i].agent, load.agents[i].open,
		    load.agents[i].overdue, load.agents[i].due_soon);
	html_printf(b, "</table>");
	for (i = 0; i < load.nagents && i < 24; i++) {
		bars[i].label = load.agents[i].agent;
		bars[i].value = load.agents[i].open;
	}
	pages_bars(b, "Open requests per agent", bars, i);
	html_printf(b, "<h2>Requests opened in the last 28 days</h2>");
	for (d = 0; d < 7; d++) {
		bars[d].label = days[d];
		bars[d].value = 0;
		for (h = 0; h < 24; h++)
			bars[d].value += load.opened[d][h];
	}
	pages_bars(b, "By weekday", bars, 7);
	for (h = 0; h < 24; h++) {
		bars[h].label = hours[h];
		bars[h].value = 0;
		for (d = 0; d < 7; d++)
			bars[h].value += load.opened[d][h];
	}
	pages_bars(b, "By hour", bars, 24);
	report_load_free(&load);
	pages_end(b);
}

/* ------------------------------------------------------------------ */
/* A request                                                          */

static void
pages_request(struct store *st, const struct http_viewer *v,
    const char *num, struct http_page *page)
{
	char when[PAGES_TIME_MAX];
	struct ticket_detail *d;
	struct history_event *ev;
	struct message_attachment *att;
	struct ticket_message *m;
	struct buf *b = page->body;
	struct error err;
	size_t i, k, nev, natt;
	char *end;
	long long id;

	id = strtoll(num, &end, 10);
	if (num[0] < '1' || num[0] > '9' || *end != '\0' || id <= 0) {
		pages_error(page, v, 404, "There is no such request.");
		return;
	}
	error_clear(&err);
	if ((d = ticket_show(st, (int64_t)id, &err)) == NULL) {
		pages_error(page, v, err.kind == ERR_PERM ? 404 : 503,
		    err.kind == ERR_PERM ? "There is no such request." :
		    err.msg);
		return;
	}
	/* not the viewer's: as if it did not exist (no probing of ids) */
	if (!http_pages_may_see(v->agent, d->row.category, d->row.assignee)) {
		ticket_detail_free(d);
		pages_error(page, v, 404, "There is no such request.");
		return;
	}
	if (history_list(st, (int64_t)id, &ev, &nev, &err) == -1) {
		ticket_detail_free(d);
		pages_error(page, v, 503, err.msg);
		return;
	}
	if (message_attachments(st, (int64_t)id, &att, &natt, &err) == -1) {
		history_list_free(ev, nev);
		ticket_detail_free(d);
		pages_error(page, v, 503, err.msg);
		return;
	}
	pages_begin(b, v, "Request");
	html_printf(b, "<h2 id=\"subject\">#%lld %s</h2><table>"
	    "<tr><th>Status</th><td id=\"status\">%s</td></tr>"
	    "<tr><th>Priority</th><td>%s</td></tr>"
	    "<tr><th>Category</th><td>%s</td></tr>"
	    "<tr><th>Assignee</th><td>%s</td></tr>"
	    "<tr><th>Customer</th><td><a href=\"/customer?addr=%s\">%s</a>"
	    " &lt;%s&gt;</td></tr>"
	    "<tr><th>Opened</th><td>%s</td></tr></table>",
	    id, d->row.subject, d->row.status, d->row.priority,
	    d->row.category, d->row.assignee != NULL ? d->row.assignee : "-",
	    d->row.customer.address, d->row.customer.name,
	    d->row.customer.address,
	    pages_time(v, d->row.created_at, when, sizeof(when)));
	html_printf(b, "<h2>Messages</h2>");
	for (i = 0; i < d->nmessages; i++) {
		m = &d->messages[i];
		html_printf(b, "<div class=\"msg%s\" id=\"message-%" PRId64
		    "\"><p><b>%s</b> &lt;%s&gt; %s%s</p><p><b>%s</b></p>",
		    strcmp(m->direction, "note") == 0 ? " note" : "", m->id,
		    m->from_name, m->from_addr,
		    pages_time(v, m->created_at, when, sizeof(when)),
		    strcmp(m->direction, "note") == 0 ? " (internal note)" :
		    strcmp(m->direction, "auto") == 0 ? " (automatic)" :
		    strcmp(m->direction, "out") == 0 ? " (reply)" : "",
		    m->subject);
		/* the body as text: NUL bytes become U+FFFD, not an end */
		buf_append_str(b, "<pre>");
		html_escape(b, m->body != NULL ? m->body : "", m->body != NULL ?
		    m->body_len : 0);
		buf_append_str(b, "</pre>");
		for (k = 0; k < natt; k++) {
			if (att[k].message != m->id)
				continue;
			html_printf(b, "<p class=\"attachment\"><a href=\""
			    "/attachment/%lld/%" PRId64 "\">%s</a> (%s, %"
			    PRId64 " bytes)</p>", id, att[k].id,
			    att[k].filename != NULL ? att[k].filename :
			    "(no name)", att[k].content_type, att[k].size);
		}
		html_printf(b, "</div>");
	}
	html_printf(b, "<h2>Events</h2><table id=\"events\"><tr><th>When</th>"
	    "<th>What</th><th>Who</th><th>Detail</th></tr>");
	for (i = 0; i < nev; i++)
		html_printf(b, "<tr><td>%s</td><td>%s</td><td>%s</td>"
		    "<td>%s</td></tr>", pages_time(v, ev[i].at, when,
		    sizeof(when)), ev[i].kind, ev[i].actor, ev[i].detail);
	html_printf(b, "</table>");
	history_list_free(ev, nev);
	message_attachments_free(att, natt);
	ticket_detail_free(d);
	pages_end(b);
}

/* ------------------------------------------------------------------ */
/* The customer card                                                  */

static void
pages_customer(struct store *st, const struct http_viewer *v,
    const struct evkeyvalq *query, struct http_page *page)
{
	const char *addr = query != NULL ? evhttp_find_header(query, "addr") :
	    NULL;
	char since[PAGES_TIME_MAX];
	struct ticket_customer *c;
	struct buf *b = page->body;
	struct error err;
	size_t i, seen = 0;

	error_clear(&err);
	if (addr == NULL || addr[0] == '\0' ||
	    (c = ticket_customer_load(st, addr, &err)) == NULL) {
		pages_error(page, v, addr == NULL || err.kind == ERR_PERM ?
		    404 : 503, addr == NULL || err.kind == ERR_PERM ?
		    "There is no such customer." : err.msg);
		return;
	}
	/* an agent sees a customer with at least one request of his */
	for (i = 0; i < c->nrequests; i++)
		if (http_pages_may_see(v->agent, c->requests[i].category,
		    c->requests[i].assignee))
			seen++;
	if (seen == 0 && !v->agent->manager) {
		ticket_customer_free(c);
		pages_error(page, v, 404, "There is no such customer.");
		return;
	}
	pages_begin(b, v, "Customer");
	html_printf(b, "<h2 id=\"name\">%s</h2><table>"
	    "<tr><th>Company</th><td>%s</td></tr>"
	    "<tr><th>Known since</th><td>%s</td></tr>"
	    "<tr><th>Addresses</th><td>", c->name, c->company,
	    pages_time(v, c->created_at, since, sizeof(since)));
	for (i = 0; i < c->naddresses; i++)
		html_printf(b, "%s%s", i > 0 ? ", " : "", c->addresses[i]);
	html_printf(b, "</td></tr><tr><th>Requests</th><td>%zu</td></tr>"
	    "</table>", c->nrequests);
	pages_rows(b, v, c->requests, c->nrequests, c->nrequests);
	ticket_customer_free(c);
	pages_end(b);
}

/* ------------------------------------------------------------------ */
/* Reports                                                            */

static void
pages_reports(struct store *st, const struct http_viewer *v,
    const struct evkeyvalq *query, struct http_page *page)
{
	static const enum report_by charts[] = { REPORT_BY_HOUR,
	    REPORT_BY_WEEKDAY };
	const struct calendar *cal = pages_zone(v);
	const char *from_s = NULL, *to_s = NULL, *by_s = NULL;
	char first[32], res[32], p90[32], a[PAGES_TIME_MAX];
	char z[PAGES_TIME_MAX];
	struct pages_bar bars[24];
	struct report rep, chart;
	struct buf *b = page->body;
	struct error err;
	enum report_by by = REPORT_BY_AGENT;
	time_t from, to;
	size_t i, k;
	int pct;

	if (!v->agent->manager) {
		pages_error(page, v, 403, "The team's figures are for managers.");
		return;
	}
	if (query != NULL) {
		from_s = evhttp_find_header(query, "from");
		to_s = evhttp_find_header(query, "to");
		by_s = evhttp_find_header(query, "by");
	}
	if (by_s != NULL && (report_by_parse(by_s, &by) == -1 ||
	    by == REPORT_BY_NONE)) {
		pages_error(page, v, 404, "Reports are by agent, category, "
		    "company, priority, day, hour or weekday.");
		return;
	}
	/* as triagectl report: this month, or from a day to a day */
	if (from_s == NULL || from_s[0] == '\0' || to_s == NULL ||
	    to_s[0] == '\0') {
		(void)report_period("month", cal, v->now, &from, &to);
	} else if (report_date(from_s, cal, &from) == -1 ||
	    report_date(to_s, cal, &to) == -1) {
		pages_error(page, v, 404, "Dates are YYYY-MM-DD.");
		return;
	} else
		to = report_day_start(cal, to + 36 * 3600);	/* the day after */
	if (to <= from) {
		pages_error(page, v, 404, "The period ends before it begins.");
		return;
	}
	error_clear(&err);
	if (report_build(st, v->cfg, cal, from, to, by, v->now, &rep,
	    &err) == -1) {
		pages_error(page, v, 503, err.msg);
		return;
	}
	pages_begin(b, v, "Reports");
	/* "YYYY-MM-DD HH:MM": the date alone */
	report_time_text(cal, from, a, sizeof(a));
	report_time_text(cal, to - 1, z, sizeof(z));
	a[strcspn(a, " ")] = '\0';
	z[strcspn(z, " ")] = '\0';
	html_printf(b, "<form method=\"get\" action=\"/reports\">"
	    "From <input name=\"from\" type=\"date\" value=\"%s\"> to "
	    "<input name=\"to\" type=\"date\" value=\"%s\"> by "
	    "<select name=\"by\">", a, z);
	for (k = REPORT_BY_AGENT; k <= REPORT_BY_WEEKDAY; k++)
		html_printf(b, "<option%s>%s</option>", k == by ?
		    " selected" : "", report_by_name((enum report_by)k));
	html_printf(b, "</select> <button type=\"submit\">Show</button>"
	    "</form><p>Times in %s; requests opened in the period.</p>",
	    report_zone_name(cal));
	html_printf(b, "<table id=\"report\"><tr><th>%s</th><th>Opened</th>"
	    "<th>Resolved</th><th>First response median</th>"
	    "<th>First response p90</th><th>Resolution median</th>"
	    "<th>SLA first response</th></tr>", report_by_name(by));
	for (i = 0; i <= rep.nrows; i++) {
		const struct report_row *r = i < rep.nrows ? &rep.rows[i] :
		    &rep.total;

		pct = report_sla_percent(&r->sla_first);
		html_printf(b, i == rep.nrows ? "<tr id=\"total\">" : "<tr>");
		html_printf(b, "<td>%s</td><td class=\"num\">%ld</td>"
		    "<td class=\"num\">%ld</td><td class=\"num\">%s</td>"
		    "<td class=\"num\">%s</td><td class=\"num\">%s</td>"
		    "<td class=\"num\">", r->group, r->opened, r->resolved,
		    r->first_business.n > 0 ? report_business_text(
		    r->first_business.median, first, sizeof(first)) : "-",
		    r->first_business.n > 0 ? report_business_text(
		    r->first_business.p90, p90, sizeof(p90)) : "-",
		    r->resolution_business.n > 0 ? report_business_text(
		    r->resolution_business.median, res, sizeof(res)) : "-");
		if (pct >= 0)
			html_printf(b, "%d%%", pct);
		else
			html_printf(b, "-");
		html_printf(b, "</td></tr>");
	}
	html_printf(b, "</table>");
	report_free(&rep);
	/* volume by hour and weekday: the same report, grouped so */
	for (k = 0; k < 2; k++) {
		if (report_build(st, v->cfg, cal, from, to, charts[k], v->now,
		    &chart, &err) == -1) {
			html_printf(b, "<p class=\"bad\">%s</p>", err.msg);
			break;
		}
		for (i = 0; i < chart.nrows && i < 24; i++) {
			bars[i].label = chart.rows[i].group;
			bars[i].value = chart.rows[i].opened;
		}
		pages_bars(b, k == 0 ? "Opened by hour" : "Opened by weekday",
		    bars, i);
		report_free(&chart);
	}
	pages_end(b);
}

/* ------------------------------------------------------------------ */
/* Attachments                                                        */

/*
 * A decimal number without sign or leading zero at s, ending at a '/'
 * or the end: true, *out and *end after it.
 */
static bool
pages_number(const char *s, const char **end, long long *out)
{
	char *e;

	if (s[0] < '1' || s[0] > '9')
		return false;
	*out = strtoll(s, &e, 10);
	if (*out <= 0 || (*e != '\0' && *e != '/'))
		return false;
	*end = e;
	return true;
}

/*
 * /attachment/REQUEST/ID: the bytes the customer attached, as a file to
 * save and never a page to show: application/octet-stream whatever the
 * sender declared (an HTML or SVG file would run in our origin), and a
 * Content-Disposition of attachment whose filename is the sender's name
 * cut to its last path element, letters, digits and " ._-()" only,
 * anything else made '_', in filename= and the whole UTF-8 name percent-encoded in filename*=
 * (RFC 6266, RFC 8187).  Only the numbers of the path are read; any
 * other shape (a "..", a slash too many) is 404.
 */
static void
pages_attachment(struct store *st, const struct http_viewer *v,
    const char *rest, struct http_page *page)
{
	struct message_attachment *att = NULL, *a = NULL;
	struct parsed_message *pm = NULL;
	struct ticket_detail *d;
	const struct mime_attachment *p;
	const char *end;
	struct error err;
	long long ticket, id;
	size_t i, natt = 0, rawlen = 0;
	char *raw = NULL;

	if (!pages_number(rest, &end, &ticket) || *end != '/' ||
	    !pages_number(end + 1, &end, &id) || *end != '\0') {
		pages_error(page, v, 404, "There is no such attachment.");
		return;
	}
	error_clear(&err);
	if ((d = ticket_show(st, (int64_t)ticket, &err)) == NULL) {
		pages_error(page, v, err.kind == ERR_PERM ? 404 : 503,
		    "There is no such attachment.");
		return;
	}
	if (!http_pages_may_see(v->agent, d->row.category, d->row.assignee)) {
		ticket_detail_free(d);
		pages_error(page, v, 404, "There is no such attachment.");
		return;
	}
	ticket_detail_free(d);
	if (message_attachments(st, (int64_t)ticket, &att, &natt, &err) == -1) {
		pages_error(page, v, 503, err.msg);
		return;
	}
	for (i = 0; i < natt; i++)
		if (att[i].id == (int64_t)id)
			a = &att[i];
	if (a == NULL || message_raw(st, a->message, &raw, &rawlen,
	    &err) == -1 || raw == NULL ||
	    (pm = mime_parse(raw, rawlen)) == NULL ||
	    a->index >= pm->nattachments) {
		pages_error(page, v, 404, "There is no such attachment.");
		goto out;
	}
	p = &pm->attachments[a->index];
	buf_reset(page->body);
	if (mime_attachment_decode(raw, rawlen, p, page->body) == -1) {
		pages_error(page, v, 404, "The attachment cannot be decoded.");
		goto out;
	}
	page->code = 200;
	page->content_type = "application/octet-stream";
	page->disposition = pages_disposition(a);
out:
	if (pm != NULL)
		mime_free(pm);
	free(raw);
	message_attachments_free(att, natt);
}

static char *
pages_disposition(const struct message_attachment *a)
{
	struct buf b;
	const char *name = a->filename, *p;
	char fallback[64];
	unsigned char c;
	size_t i;

	if (name != NULL) {
		for (p = name; *p != '\0'; p++)
			if (*p == '/' || *p == '\\')
				name = p + 1;
	}
	if (name == NULL || name[0] == '\0') {
		mime_attachment_fallback_name(a->content_type, a->id,
		    fallback, sizeof(fallback));
		name = fallback;
	}
	buf_init(&b);
	buf_append_str(&b, "attachment; filename=\"");
	for (i = 0; name[i] != '\0' && i < 128; i++) {
		c = (unsigned char)name[i];
		buf_append_char(&b, (c >= 'A' && c <= 'Z') ||
		    (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		    strchr(" ._-()", c) != NULL ? (char)c : '_');
	}
	buf_append_str(&b, "\"; filename*=UTF-8''");
	for (i = 0; name[i] != '\0' && i < 256; i++) {
		c = (unsigned char)name[i];
		if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		    (c >= '0' && c <= '9') || strchr("-._~", c) != NULL)
			buf_append_char(&b, (char)c);
		else
			buf_printf(&b, "%%%02X", c);
	}
	return buf_steal(&b, NULL);
}
