/*
 * assign: the assignment strategies, the pull queue and the absences
 * set with triagectl (see assign.h for the rules).  Candidates are
 * always walked in config order, so round-robin and the ties of
 * least-open are the same on every run for the same config.
 *
 * When nobody is available the request stays unassigned and the
 * category's managers get one mail; an events row (kind
 * "nobody_available") both records it in the request's history and
 * makes the mail once per request.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "agents.h"
#include "assign.h"
#include "buf.h"
#include "calendar.h"
#include "compose.h"
#include "config.h"
#include "error.h"
#include "history.h"
#include "log.h"
#include "mailout.h"
#include "outbox.h"
#include "routing.h"
#include "sla.h"
#include "store.h"
#include "ticket_ops.h"
#include "xmalloc.h"

/* The statuses of an open request, as SQL. */
#define ASSIGN_OPEN_SQL		"('new', 'open', 'pending')"
/* The events kind and outbox kind of the managers' notice. */
#define ASSIGN_NOBODY_KIND	"nobody_available"

/* The available agents of a category, in config order. */
struct assign_cands {
	const struct agent	**a;
	size_t			  n;
};

static int	assign_candidates(struct store *, const struct config *,
		    const char *category, time_t now, struct assign_cands *,
		    struct error *);
static int	assign_away_now(struct store *, const char *agent, time_t now,
		    time_t *until_out, struct error *);
static int	assign_round_robin(struct store *, const struct config *,
		    const char *category, const struct assign_cands *,
		    const char **agent_out, struct error *);
static int	assign_least_open(struct store *, const struct assign_cands *,
		    const char **agent_out, struct error *);
static int	assign_sticky(struct store *, int64_t ticket,
		    const struct assign_cands *, const char **agent_out,
		    struct error *);
static int	assign_open_count(struct store *, const char *agent,
		    int64_t *count_out, struct error *);
static size_t	assign_config_index(const struct config *, const char *name);
static int	assign_nobody(struct store *, const struct config *,
		    int64_t ticket, const char *category, time_t now,
		    struct error *);
static int	assign_tell_managers(struct store *, const struct config *,
		    int64_t ticket, const char *category, time_t now,
		    struct error *);
static int	assign_tell(struct store *, const struct config *,
		    const struct agent *, int64_t ticket, const char *subject,
		    const char *category, time_t now, struct error *);
static char	*assign_levels(const struct config *);
static char	*assign_join(char **v, size_t n);

bool
assign_strategy_valid(const char *s)
{
	return s != NULL && (strcmp(s, ASSIGN_ROUND_ROBIN) == 0 ||
	    strcmp(s, ASSIGN_LEAST_OPEN) == 0 ||
	    strcmp(s, ASSIGN_STICKY) == 0 || strcmp(s, ASSIGN_POOL) == 0);
}

int
assign_pick(struct store *st, const struct config *cfg, int64_t ticket,
    const char *category, const char *strategy, time_t now,
    const char **agent_out, struct error *err)
{
	const struct routing_category *rc;
	struct assign_cands c;
	int rc_pick;

	*agent_out = NULL;
	if (strategy == NULL) {
		rc = category != NULL ? routing_category_find(cfg, category) :
		    NULL;
		strategy = rc != NULL && rc->strategy != NULL ? rc->strategy :
		    ASSIGN_ROUND_ROBIN;
	}
	if (!assign_strategy_valid(strategy))
		return error_set(err, ERR_PERM, "unknown strategy %s",
		    strategy);
	/* Without agents there is nobody to pick and nobody to tell. */
	if (strcmp(strategy, ASSIGN_POOL) == 0 || category == NULL ||
	    agents_count(cfg) == 0)
		return 0;
	if (assign_candidates(st, cfg, category, now, &c, err) == -1)
		return -1;
	rc_pick = 0;
	if (c.n > 0 && strcmp(strategy, ASSIGN_LEAST_OPEN) == 0)
		rc_pick = assign_least_open(st, &c, agent_out, err);
	else if (c.n > 0) {
		/* sticky falls back to round-robin */
		if (strcmp(strategy, ASSIGN_STICKY) == 0)
			rc_pick = assign_sticky(st, ticket, &c, agent_out, err);
		if (rc_pick == 0 && *agent_out == NULL)
			rc_pick = assign_round_robin(st, cfg, category, &c,
			    agent_out, err);
	}
	free(c.a);
	if (rc_pick == -1)
		return -1;
	if (*agent_out == NULL)
		return assign_nobody(st, cfg, ticket, category, now, err);
	return 0;
}

int
assign_available(struct store *st, const struct config *cfg,
    const struct agent *a, const char *category, time_t now,
    struct error *err)
{
	const struct routing_category *rc;
	const struct calendar *cal;
	time_t until;
	int away;

	if (category == NULL || !agents_serves(a, category) ||
	    agents_absent(a, now))
		return 0;
	if ((away = assign_away_now(st, a->name, now, &until, err)) != 0)
		return away == 1 ? 0 : -1;
	rc = routing_category_find(cfg, category);
	if (rc != NULL && rc->working_hours && a->calendar != NULL &&
	    (cal = sla_calendar(cfg, a->calendar)) != NULL &&
	    !calendar_is_open(cal, now))
		return 0;
	return 1;
}

int
assign_next(struct store *st, const struct config *cfg, const char *agent,
    time_t now, int64_t *ticket_out, struct error *err)
{
	/*
	 * The earliest running deadline first (none last), then the higher
	 * priority (its position in ?1, ",low,normal,...,"), then the older.
	 * Categories are matched in C: agents_serves owns what "serves"
	 * means (sub-categories included).
	 */
	static const char sql[] = "SELECT id, category FROM tickets"
	    " WHERE (assignee IS NULL OR assignee = '')"
	    " AND status IN " ASSIGN_OPEN_SQL
	    " AND hidden = 0 AND merged_into IS NULL AND category IS NOT NULL"
	    " ORDER BY min(coalesce(first_response_due, 9e18),"
	    "  coalesce(next_response_due, 9e18),"
	    "  coalesce(resolution_due, 9e18)),"
	    " instr(?1, ',' || priority || ',') DESC, created_at, id";
	const struct agent *a;
	sqlite3_stmt *stmt;
	char *levels;
	int64_t id = 0;
	int rc;

	*ticket_out = 0;
	if ((a = agents_find(cfg, agent)) == NULL)
		return error_set(err, ERR_PERM, "no agent %s", agent);
	if ((stmt = store_stmt(st, sql, err)) == NULL)
		return -1;
	levels = assign_levels(cfg);
	sqlite3_bind_text(stmt, 1, levels, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		if (agents_serves(a,
		    (const char *)sqlite3_column_text(stmt, 1))) {
			id = sqlite3_column_int64(stmt, 0);
			break;
		}
	}
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		(void)store_error(st, "pull queue", err);
	sqlite3_reset(stmt);
	sqlite3_clear_bindings(stmt);
	free(levels);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return -1;
	if (id == 0)
		return 0;
	if (ticket_ops_assign(st, cfg, id, a->name, a->name, now, err) == -1)
		return -1;
	*ticket_out = id;
	return 0;
}

int
assign_away(struct store *st, const struct config *cfg, const char *agent,
    time_t since, time_t until, struct error *err)
{
	static const char sql[] = "INSERT INTO agent_away (agent, since, until)"
	    " VALUES (?1, ?2, ?3) ON CONFLICT (agent) DO UPDATE"
	    " SET since = excluded.since, until = excluded.until";
	sqlite3_stmt *stmt;

	if (agents_find(cfg, agent) == NULL)
		return error_set(err, ERR_PERM, "no agent %s", agent);
	if (until <= since)
		return error_set(err, ERR_PERM,
		    "the absence must end after it starts");
	if ((stmt = store_stmt(st, sql, err)) == NULL)
		return -1;
	sqlite3_bind_text(stmt, 1, agent, -1, SQLITE_STATIC);
	sqlite3_bind_int64(stmt, 2, since);
	sqlite3_bind_int64(stmt, 3, until);
	return store_step_done(st, stmt, err);
}

int
assign_back(struct store *st, const struct config *cfg, const char *agent,
    struct error *err)
{
	static const char sql[] = "DELETE FROM agent_away WHERE agent = ?1";
	sqlite3_stmt *stmt;

	if (agents_find(cfg, agent) == NULL)
		return error_set(err, ERR_PERM, "no agent %s", agent);
	if ((stmt = store_stmt(st, sql, err)) == NULL)
		return -1;
	sqlite3_bind_text(stmt, 1, agent, -1, SQLITE_STATIC);
	return store_step_done(st, stmt, err);
}

int
assign_agents(struct store *st, const struct config *cfg, time_t now,
    struct assign_agent_row **rows_out, size_t *n_out, struct error *err)
{
	struct assign_agent_row *rows, *r;
	const struct agent *a;
	size_t i, j, n;
	int away;

	*rows_out = NULL;
	*n_out = 0;
	n = agents_count(cfg);
	rows = xcalloc(n == 0 ? 1 : n, sizeof(*rows));
	for (i = 0; i < n; i++) {
		a = agents_at(cfg, i);
		r = &rows[i];
		r->name = a->name;
		r->display_name = a->display_name;
		r->manager = a->manager;
		r->categories = assign_join(a->categories, a->ncategories);
		if (assign_open_count(st, a->name, &r->open, err) == -1 ||
		    (away = assign_away_now(st, a->name, now, &r->away_until,
		    err)) == -1) {
			assign_agent_rows_free(rows, i + 1);
			return -1;
		}
		r->away = away == 1;
		for (j = 0; !r->away && j < a->nabsences; j++)
			if (a->absences[j].since <= now &&
			    now < a->absences[j].until) {
				r->away = true;
				r->away_until = a->absences[j].until;
			}
	}
	*rows_out = rows;
	*n_out = n;
	return 0;
}

void
assign_agent_rows_free(struct assign_agent_row *rows, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(rows[i].categories);
	free(rows);
}

/* The agents available for category at now, in config order. */
static int
assign_candidates(struct store *st, const struct config *cfg,
    const char *category, time_t now, struct assign_cands *c,
    struct error *err)
{
	const struct agent *a;
	size_t i, n;
	int ok;

	n = agents_count(cfg);
	c->a = xcalloc(n == 0 ? 1 : n, sizeof(*c->a));
	c->n = 0;
	for (i = 0; i < n; i++) {
		a = agents_at(cfg, i);
		if ((ok = assign_available(st, cfg, a, category, now,
		    err)) == -1) {
			free(c->a);
			c->a = NULL;
			return -1;
		}
		if (ok)
			c->a[c->n++] = a;
	}
	return 0;
}

/* 1 and *until_out if triagectl marked agent away at now, else 0. */
static int
assign_away_now(struct store *st, const char *agent, time_t now,
    time_t *until_out, struct error *err)
{
	static const char sql[] = "SELECT until FROM agent_away"
	    " WHERE agent = ?1 AND since <= ?2 AND until > ?2";
	sqlite3_stmt *stmt;
	int rc;

	*until_out = 0;
	if ((stmt = store_stmt(st, sql, err)) == NULL)
		return -1;
	sqlite3_bind_text(stmt, 1, agent, -1, SQLITE_STATIC);
	sqlite3_bind_int64(stmt, 2, now);
	rc = sqlite3_step(stmt);
	if (rc == SQLITE_ROW)
		*until_out = (time_t)sqlite3_column_int64(stmt, 0);
	else if (rc != SQLITE_DONE)
		(void)store_error(st, "agent_away", err);
	sqlite3_reset(stmt);
	sqlite3_clear_bindings(stmt);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return -1;
	return rc == SQLITE_ROW;
}

/*
 * The first candidate after the category's cursor in config order,
 * wrapping around; the cursor names an agent, not a position, so adding
 * or removing agents in the config never skips anyone twice.
 */
static int
assign_round_robin(struct store *st, const struct config *cfg,
    const char *category, const struct assign_cands *c,
    const char **agent_out, struct error *err)
{
	static const char get[] = "SELECT last_agent FROM assign_cursor"
	    " WHERE category = ?1";
	static const char put[] = "INSERT INTO assign_cursor"
	    " (category, last_agent) VALUES (?1, ?2) ON CONFLICT (category)"
	    " DO UPDATE SET last_agent = excluded.last_agent";
	sqlite3_stmt *stmt;
	size_t i, last = SIZE_MAX;
	int rc;

	if ((stmt = store_stmt(st, get, err)) == NULL)
		return -1;
	sqlite3_bind_text(stmt, 1, category, -1, SQLITE_STATIC);
	if ((rc = sqlite3_step(stmt)) == SQLITE_ROW)
		last = assign_config_index(cfg,
		    (const char *)sqlite3_column_text(stmt, 0));
	else if (rc != SQLITE_DONE)
		(void)store_error(st, "assign_cursor", err);
	sqlite3_reset(stmt);
	sqlite3_clear_bindings(stmt);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return -1;
	*agent_out = c->a[0]->name;
	for (i = 0; last != SIZE_MAX && i < c->n; i++)
		if (assign_config_index(cfg, c->a[i]->name) > last) {
			*agent_out = c->a[i]->name;
			break;
		}
	if ((stmt = store_stmt(st, put, err)) == NULL)
		return -1;
	sqlite3_bind_text(stmt, 1, category, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 2, *agent_out, -1, SQLITE_STATIC);
	return store_step_done(st, stmt, err);
}

/* Fewest open requests; ties go to the earlier agent in the config. */
static int
assign_least_open(struct store *st, const struct assign_cands *c,
    const char **agent_out, struct error *err)
{
	int64_t best = INT64_MAX, count;
	size_t i;

	for (i = 0; i < c->n; i++) {
		if (assign_open_count(st, c->a[i]->name, &count, err) == -1)
			return -1;
		if (count < best) {
			best = count;
			*agent_out = c->a[i]->name;
		}
	}
	return 0;
}

/*
 * The assignee of the customer's most recent other request, if that
 * agent is a candidate; else *agent_out stays NULL (round-robin then).
 */
static int
assign_sticky(struct store *st, int64_t ticket, const struct assign_cands *c,
    const char **agent_out, struct error *err)
{
	static const char sql[] = "SELECT p.assignee FROM tickets t"
	    " JOIN tickets p ON p.customer_id = t.customer_id"
	    " WHERE t.id = ?1 AND p.id <> t.id"
	    " AND p.assignee IS NOT NULL AND p.assignee <> ''"
	    " ORDER BY p.created_at DESC, p.id DESC LIMIT 1";
	sqlite3_stmt *stmt;
	const char *prev;
	size_t i;
	int rc;

	if ((stmt = store_stmt(st, sql, err)) == NULL)
		return -1;
	sqlite3_bind_int64(stmt, 1, ticket);
	if ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		prev = (const char *)sqlite3_column_text(stmt, 0);
		for (i = 0; i < c->n; i++)
			if (strcmp(c->a[i]->name, prev) == 0)
				*agent_out = c->a[i]->name;
	} else if (rc != SQLITE_DONE)
		(void)store_error(st, "sticky", err);
	sqlite3_reset(stmt);
	sqlite3_clear_bindings(stmt);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : -1;
}

static int
assign_open_count(struct store *st, const char *agent, int64_t *count_out,
    struct error *err)
{
	static const char sql[] = "SELECT count(*) FROM tickets"
	    " WHERE assignee = ?1 AND status IN " ASSIGN_OPEN_SQL;
	sqlite3_stmt *stmt;
	int rc;

	*count_out = 0;
	if ((stmt = store_stmt(st, sql, err)) == NULL)
		return -1;
	sqlite3_bind_text(stmt, 1, agent, -1, SQLITE_STATIC);
	if ((rc = sqlite3_step(stmt)) == SQLITE_ROW)
		*count_out = sqlite3_column_int64(stmt, 0);
	else
		(void)store_error(st, "open count", err);
	sqlite3_reset(stmt);
	sqlite3_clear_bindings(stmt);
	return rc == SQLITE_ROW ? 0 : -1;
}

/* The agent's position in the config; SIZE_MAX if it left the config. */
static size_t
assign_config_index(const struct config *cfg, const char *name)
{
	size_t i, n;

	n = agents_count(cfg);
	for (i = 0; name != NULL && i < n; i++)
		if (strcmp(agents_at(cfg, i)->name, name) == 0)
			return i;
	return SIZE_MAX;
}

/*
 * Nobody can take ticket: tell the category's managers, once per
 * request (the event marks it told).
 */
static int
assign_nobody(struct store *st, const struct config *cfg, int64_t ticket,
    const char *category, time_t now, struct error *err)
{
	bool told;

	if (history_has(st, ticket, ASSIGN_NOBODY_KIND, &told, err) == -1)
		return -1;
	if (told)
		return 0;
	if (assign_tell_managers(st, cfg, ticket, category, now, err) == -1)
		return -1;
	return history_add(st, ticket, now, ASSIGN_NOBODY_KIND, "assign",
	    category, err);
}

/*
 * The category's configured managers, else the manager agents serving
 * it, each get a notice.
 */
static int
assign_tell_managers(struct store *st, const struct config *cfg,
    int64_t ticket, const char *category, time_t now, struct error *err)
{
	static const char subj[] = "SELECT subject FROM tickets WHERE id = ?1";
	const struct routing_category *rc;
	const struct agent *a;
	sqlite3_stmt *stmt;
	char *subject = NULL;
	size_t i, n, told = 0;
	int ret = 0;

	if ((stmt = store_stmt(st, subj, err)) == NULL)
		return -1;
	sqlite3_bind_int64(stmt, 1, ticket);
	if (sqlite3_step(stmt) == SQLITE_ROW)
		subject = xstrdup((const char *)sqlite3_column_text(stmt, 0));
	sqlite3_reset(stmt);
	rc = routing_category_find(cfg, category);
	n = rc != NULL && rc->nmanagers > 0 ? rc->nmanagers : agents_count(cfg);
	for (i = 0; i < n && ret == 0; i++) {
		if (rc != NULL && rc->nmanagers > 0)
			a = agents_find(cfg, rc->managers[i]);
		else if (!(a = agents_at(cfg, i))->manager ||
		    !agents_serves(a, category))
			a = NULL;
		if (a == NULL)
			continue;
		ret = assign_tell(st, cfg, a, ticket, subject, category, now,
		    err);
		told++;
	}
	/* Worth a line: the request waits and nobody hears of it. */
	if (ret == 0 && told == 0)
		log_warnx("assign ticket=%lld category=%s: nobody available "
		    "and no manager to tell", (long long)ticket, category);
	free(subject);
	return ret;
}

/* One notice to manager a, queued in the outbox. */
static int
assign_tell(struct store *st, const struct config *cfg,
    const struct agent *a, int64_t ticket, const char *subject,
    const char *category, time_t now, struct error *err)
{
	struct compose_addr to;
	struct mailout m;
	char *title, *body;
	int ret;

	if (a->naddresses == 0)
		return 0;
	xasprintf(&title, "Request #%lld: nobody available in %s",
	    (long long)ticket, category);
	xasprintf(&body, "Request #%lld (\"%s\") arrived in %s, but none of "
	    "its agents\nis available now (absent or outside working hours), "
	    "so it stays\nunassigned.  Assign it with:\n\n"
	    "    triagectl assign %lld AGENT\n",
	    (long long)ticket, subject != NULL ? subject : "", category,
	    (long long)ticket);
	to = (struct compose_addr){ a->display_name, a->addresses[0] };
	memset(&m, 0, sizeof(m));
	m.kind = MAILOUT_NOBODY;
	m.ticket_id = ticket;
	m.to = &to;
	m.nto = 1;
	m.subject = title;
	m.text = body;
	m.now = now;
	/* A notice that cannot be sent must not lose the request. */
	if ((ret = mailout_queue(st, cfg, &m, NULL, err)) == 1)
		ret = 0;
	free(body);
	free(title);
	return ret;
}

/* ",low,normal,high,urgent,": a level's offset grows with its rank. */
static char *
assign_levels(const struct config *cfg)
{
	struct buf b;
	size_t i, n;

	buf_init(&b);
	buf_append_char(&b, ',');
	n = routing_priority_count(cfg);
	for (i = 0; i < n; i++) {
		buf_append_str(&b, routing_priority_at(cfg, i));
		buf_append_char(&b, ',');
	}
	return buf_steal(&b, NULL);
}

static char *
assign_join(char **v, size_t n)
{
	struct buf b;
	size_t i;
	char *p;

	buf_init(&b);
	for (i = 0; i < n; i++) {
		if (i > 0)
			buf_append_str(&b, ", ");
		buf_append_str(&b, v[i]);
	}
	/* An empty buf has no data yet. */
	p = buf_steal(&b, NULL);
	return p != NULL ? p : xstrdup("");
}
