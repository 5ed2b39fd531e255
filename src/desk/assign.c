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

#include "assign.h"
#include "assign_state.h"
#include "buf.h"
#include "calendar.h"
#include "compose.h"
#include "config.h"
#include "config_agents.h"
#include "error.h"
#include "history.h"
#include "log.h"
#include "mailout.h"
#include "outbox.h"
#include "routing.h"
#include "sla.h"
#include "ticket.h"
#include "ticket_ops.h"
#include "xmalloc.h"

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
static int	assign_round_robin(struct store *, const struct config *,
		    const char *category, const struct assign_cands *,
		    const char **agent_out, struct error *);
static int	assign_least_open(struct store *, const char *category,
		    const struct assign_cands *, const char **agent_out,
		    struct error *);
static int	assign_sticky(struct store *, int64_t ticket,
		    const struct assign_cands *, const char **agent_out,
		    struct error *);
static bool	assign_serves(const char *category, void *agent);
static size_t	assign_config_index(const struct config *, const char *name);
static int	assign_tell_managers(struct store *, const struct config *,
		    int64_t ticket, const char *category, time_t now,
		    struct error *);
static int	assign_tell(struct store *, const struct config *,
		    const struct agent *, int64_t ticket, const char *subject,
		    const char *category, time_t now, struct error *);
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
	bool tell;

	if (assign_choose(st, cfg, ticket, category, strategy, now, agent_out,
	    &tell, err) == -1)
		return -1;
	return tell ? assign_tell_nobody(st, cfg, ticket, category, now, err) : 0;
}

int
assign_choose(struct store *st, const struct config *cfg, int64_t ticket,
    const char *category, const char *strategy, time_t now,
    const char **agent_out, bool *tell_out, struct error *err)
{
	const struct routing_category *rc;
	struct assign_cands c;
	int rc_pick;

	*agent_out = NULL;
	*tell_out = false;
	if (strategy == NULL) {
		rc = category != NULL ?
		    config_routing_category_find(cfg, category) : NULL;
		strategy = rc != NULL && rc->strategy != NULL ? rc->strategy :
		    ASSIGN_ROUND_ROBIN;
	}
	if (!assign_strategy_valid(strategy))
		return error_set(err, ERR_PERM, "unknown strategy %s",
		    strategy);
	/* Without agents there is nobody to pick and nobody to tell. */
	if (strcmp(strategy, ASSIGN_POOL) == 0 || category == NULL ||
	    config_agents_count(cfg) == 0)
		return 0;
	if (assign_candidates(st, cfg, category, now, &c, err) == -1)
		return -1;
	rc_pick = 0;
	if (c.n > 0 && strcmp(strategy, ASSIGN_LEAST_OPEN) == 0)
		rc_pick = assign_least_open(st, category, &c, agent_out,
		    err);
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
	*tell_out = *agent_out == NULL;
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

	if (category == NULL || !config_agents_serves(a, category) ||
	    config_agents_absent(a, now))
		return 0;
	if ((away = assign_state_away_at(st, a->name, now, &until,
	    err)) != 0)
		return away == 1 ? 0 : -1;
	rc = config_routing_category_find(cfg, category);
	if (rc != NULL && rc->working_hours && a->calendar != NULL &&
	    (cal = config_sla_calendar(cfg, a->calendar)) != NULL &&
	    !calendar_is_open(cal, now))
		return 0;
	return 1;
}

int
assign_next(struct store *st, const struct config *cfg, const char *agent,
    time_t now, int64_t *ticket_out, struct error *err)
{
	const struct agent *a;
	char *locked;
	int64_t id;

	*ticket_out = 0;
	if ((a = config_agents_find(cfg, agent)) == NULL)
		return error_set(err, ERR_PERM, "no agent %s", agent);
	/*
	 * One pull at a time across instances and triagectl processes: the
	 * lock of the row of the empty category (no category has that
	 * name), so two agents never pull the same request.
	 */
	if (assign_state_lock(st, "", &locked, err) == -1)
		return -1;
	free(locked);
	/* config_agents_serves owns what "serves" means (sub-categories too) */
	if (ticket_next_unassigned(st, config_routing_priority_levels(cfg),
	    config_routing_priority_count(cfg), assign_serves,
	    (void *)(uintptr_t)a,
	    &id, err) == -1)
		return -1;
	if (id == 0)
		return 0;
	if (ticket_ops_assign(st, cfg, id, a->name, a->name, now, err) == -1)
		return -1;
	*ticket_out = id;
	return 0;
}

/* ticket_next_unassigned's test: does agent (a struct agent) serve it? */
static bool
assign_serves(const char *category, void *agent)
{
	return config_agents_serves(agent, category);
}

int
assign_away(struct store *st, const struct config *cfg, const char *agent,
    time_t since, time_t until, struct error *err)
{
	if (config_agents_find(cfg, agent) == NULL)
		return error_set(err, ERR_PERM, "no agent %s", agent);
	if (until <= since)
		return error_set(err, ERR_PERM,
		    "the absence must end after it starts");
	return assign_state_away_set(st, agent, since, until, err);
}

int
assign_back(struct store *st, const struct config *cfg, const char *agent,
    struct error *err)
{
	if (config_agents_find(cfg, agent) == NULL)
		return error_set(err, ERR_PERM, "no agent %s", agent);
	return assign_state_away_clear(st, agent, err);
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
	n = config_agents_count(cfg);
	rows = xcalloc(n == 0 ? 1 : n, sizeof(*rows));
	for (i = 0; i < n; i++) {
		a = config_agents_at(cfg, i);
		r = &rows[i];
		r->name = a->name;
		r->display_name = a->display_name;
		r->manager = a->manager;
		r->categories = assign_join(a->categories, a->ncategories);
		if (ticket_open_count(st, a->name, &r->open, err) == -1 ||
		    (away = assign_state_away_at(st, a->name, now,
		    &r->away_until, err)) == -1) {
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

	n = config_agents_count(cfg);
	c->a = xcalloc(n == 0 ? 1 : n, sizeof(*c->a));
	c->n = 0;
	for (i = 0; i < n; i++) {
		a = config_agents_at(cfg, i);
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
	char *cursor;
	size_t i, last;

	/* the lock: several instances pick one after the other */
	if (assign_state_lock(st, category, &cursor, err) == -1)
		return -1;
	last = cursor != NULL ? assign_config_index(cfg, cursor) : SIZE_MAX;
	free(cursor);
	*agent_out = c->a[0]->name;
	for (i = 0; last != SIZE_MAX && i < c->n; i++)
		if (assign_config_index(cfg, c->a[i]->name) > last) {
			*agent_out = c->a[i]->name;
			break;
		}
	return assign_state_cursor_set(st, category, *agent_out, err);
}

/*
 * Fewest open requests; ties go to the earlier agent in the config.  The
 * category's cursor row is locked first, so another instance picking
 * for it meanwhile has committed its pick before we count.
 */
static int
assign_least_open(struct store *st, const char *category,
    const struct assign_cands *c, const char **agent_out, struct error *err)
{
	int64_t best = INT64_MAX, count;
	char *cursor;
	size_t i;

	if (assign_state_lock(st, category, &cursor, err) == -1)
		return -1;
	free(cursor);
	for (i = 0; i < c->n; i++) {
		if (ticket_open_count(st, c->a[i]->name, &count, err) == -1)
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
	char *prev;
	size_t i;

	if (ticket_previous_assignee(st, ticket, &prev, err) == -1)
		return -1;
	for (i = 0; prev != NULL && i < c->n; i++)
		if (strcmp(c->a[i]->name, prev) == 0)
			*agent_out = c->a[i]->name;
	free(prev);
	return 0;
}

/* The agent's position in the config; SIZE_MAX if it left the config. */
static size_t
assign_config_index(const struct config *cfg, const char *name)
{
	size_t i, n;

	n = config_agents_count(cfg);
	for (i = 0; name != NULL && i < n; i++)
		if (strcmp(config_agents_at(cfg, i)->name, name) == 0)
			return i;
	return SIZE_MAX;
}

/* The event marks the request told, so the managers hear it once. */
int
assign_tell_nobody(struct store *st, const struct config *cfg, int64_t ticket,
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
	const struct routing_category *rc;
	const struct agent *a;
	struct ticket t;
	struct error lerr;
	size_t i, n, told = 0;
	int ret = 0;

	/* the subject only decorates the notice (on failure t is empty) */
	(void)ticket_load(st, ticket, &t, &lerr);
	rc = config_routing_category_find(cfg, category);
	n = rc != NULL && rc->nmanagers > 0 ? rc->nmanagers :
	    config_agents_count(cfg);
	for (i = 0; i < n && ret == 0; i++) {
		if (rc != NULL && rc->nmanagers > 0)
			a = config_agents_find(cfg, rc->managers[i]);
		else if (!(a = config_agents_at(cfg, i))->manager ||
		    !config_agents_serves(a, category))
			a = NULL;
		if (a == NULL)
			continue;
		ret = assign_tell(st, cfg, a, ticket, t.subject, category, now,
		    err);
		told++;
	}
	/* Worth a line: the request waits and nobody hears of it. */
	if (ret == 0 && told == 0)
		log_warnx("assign ticket=%lld category=%s: nobody available "
		    "and no manager to tell", (long long)ticket, category);
	ticket_clear(&t);
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
