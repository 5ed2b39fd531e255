/*
 * sla: the deadlines of one request.  sla_compute is the whole rule, pure
 * so it is unit-tested on a fake clock; sla_update applies it to a row in
 * the caller's transaction, keeps the pause bookkeeping (paused_at,
 * paused_secs) and sets sla_check_at, the next instant the timer
 * (sla_timer.c) must look at the row: the earliest warning or deadline
 * not yet marked in sla_marks.  Mail and escalation live in sla_timer.c.
 *
 * The times a deadline depends on are read from the row and, where a
 * writer has not filled them, from the messages themselves (the first
 * and latest agent answer, the latest customer message: ticket_load_sla),
 * so a request answered through any path gets the same deadlines.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "calendar.h"
#include "config.h"
#include "error.h"
#include "pipeline.h"
#include "sla.h"
#include "sla_mark.h"
#include "ticket.h"
#include "xmalloc.h"

static const char *const sla_target_names[SLA_NTARGETS] = {
	"first_response", "next_response", "resolution"
};
static const char *const sla_target_labels[SLA_NTARGETS] = {
	"first response", "next response", "resolution"
};

#define SLA_NCOLUMNS	6	/* the request's columns ticket_save_sla writes */

static time_t	sla_add(const struct calendar *, time_t start, long secs);
static void	sla_columns(const struct ticket *, int64_t out[SLA_NCOLUMNS]);
static const struct sla_policy *sla_policy_of(const struct config *,
		    const struct ticket *);
static void	sla_state_of(const struct ticket *, struct sla_state *);
static void	sla_pause(const struct sla_policy *, struct ticket *,
		    time_t now);
static int	sla_update_policy(struct store *, const struct config *,
		    int64_t ticket, time_t now, bool fresh, struct ticket *known,
		    time_t first_in, const struct sla_policy **,
		    struct error *err);
static int	sla_settle(struct store *, const struct config *,
		    struct ticket *, time_t now, bool fresh,
		    const struct sla_policy **, bool *changed, struct error *);
static void	sla_out_of_hours(struct pipeline_view *,
		    const struct sla_policy *, const struct calendar **);
static int	sla_check_at(struct store *, int64_t ticket, bool fresh,
		    const struct sla_deadlines *, time_t *at_out,
		    struct error *err);

const char *
sla_target_name(enum sla_target t)
{
	return sla_target_names[t];
}

const char *
sla_target_label(enum sla_target t)
{
	return sla_target_labels[t];
}

/* A deadline that cannot be computed (no working time ever) is none. */
static time_t
sla_add(const struct calendar *cal, time_t start, long secs)
{
	struct error err;
	time_t t;

	if (cal == NULL)
		return start + secs;
	t = calendar_add_business(cal, start, secs, &err);
	return t == CALENDAR_NEVER ? 0 : t;
}

void
sla_compute(const struct sla_policy *p, const struct sla_state *st,
    struct sla_deadlines *out)
{
	const long *target = p->target;
	const struct calendar *cal = p->calendar;
	bool warn = p->warn_at > 0 && p->warn_at < 100;
	time_t start;
	long ahead;
	int i;

	memset(out, 0, sizeof(*out));
	if (st->status != NULL && (strcmp(st->status, "resolved") == 0 ||
	    strcmp(st->status, "closed") == 0))
		return;
	for (i = 0; i < SLA_NTARGETS; i++) {
		if (target[i] <= 0)
			continue;
		ahead = 0;
		switch (i) {
		case SLA_FIRST_RESPONSE:
			if (st->first_response_at != 0)
				continue;
			start = st->created_at;
			break;
		case SLA_NEXT_RESPONSE:
			/* restarted by each customer message after an answer */
			if (st->first_response_at == 0 ||
			    st->last_customer_at <= st->last_agent_at)
				continue;
			start = st->last_customer_at;
			break;
		default:
			/* the clock stops while the customer is awaited */
			if (st->paused_at != 0)
				continue;
			start = st->created_at;
			ahead = st->paused_secs;
			break;
		}
		out->start[i] = start;
		out->due[i] = sla_add(cal, start, target[i] + ahead);
		if (warn && target[i] * p->warn_at / 100 > 0)
			out->warn[i] = sla_add(cal, start,
			    target[i] * p->warn_at / 100 + ahead);
	}
}

int
sla_update(struct store *st, const struct config *c, int64_t ticket,
    time_t now, struct error *err)
{
	const struct sla_policy *p;

	return sla_update_policy(st, c, ticket, now, false, NULL, 0, &p, err);
}

/*
 * sla_update, and the request's policy after it in *policy_out.  fresh:
 * the request was made in this transaction, so no warning or breach of
 * it is marked yet (four look-ups fewer for a new request), and known
 * (NULL: read it) is its row as the intake keeps it: the deadlines are
 * written onto it.
 */
static int
sla_update_policy(struct store *st, const struct config *c, int64_t ticket,
    time_t now, bool fresh, struct ticket *known, time_t first_in,
    const struct sla_policy **policy_out, struct error *err)
{
	struct ticket loaded, *t = known;
	bool changed;
	int rc = -1;

	/*
	 * The answer times (three look-ups in the messages) only feed the
	 * deadlines: without any policy, the request's row is enough (its
	 * pause and the cleared deadlines).  On PostgreSQL that read was a
	 * fifth of the statements' time for a message.
	 */
	if (t == NULL) {
		if ((config_sla_policy_count(c) > 0 ? ticket_load_sla(st,
		    ticket, &loaded, err) : ticket_load(st, ticket, &loaded,
		    err)) == -1)
			return -1;
		t = &loaded;
	} else if (config_sla_policy_count(c) > 0 &&
	    first_in > t->last_customer_at)
		t->last_customer_at = first_in;	/* as ticket_load_sla */
	/* as it was (no policy, nothing paused): no write */
	if (sla_settle(st, c, t, now, fresh, policy_out, &changed, err) == 0)
		rc = changed ? ticket_save_sla(st, t, err) : 0;
	if (t == &loaded)
		ticket_clear(&loaded);
	return rc;
}

bool
sla_fresh(const struct config *c, struct ticket *t, time_t now,
    time_t first_in)
{
	const struct sla_policy *p;
	struct error err;
	bool changed = false;

	if (config_sla_policy_count(c) > 0 && first_in > t->last_customer_at)
		t->last_customer_at = first_in;	/* as sla_update_policy */
	/* fresh: no marks to look up, so nothing can fail */
	(void)sla_settle(NULL, c, t, now, true, &p, &changed, &err);
	return changed;
}

/*
 * t's pause and SLA columns as its policy gives them at now (the row in
 * memory; the caller writes), and whether any of them changed.  fresh:
 * see sla_update_policy (st unused).
 */
static int
sla_settle(struct store *st, const struct config *c, struct ticket *t,
    time_t now, bool fresh, const struct sla_policy **policy_out,
    bool *changed, struct error *err)
{
	const struct sla_policy *p;
	struct sla_deadlines d;
	struct sla_state state;
	time_t check_at = 0;
	int64_t before[SLA_NCOLUMNS], after[SLA_NCOLUMNS];

	sla_columns(t, before);

	p = sla_policy_of(c, t);
	*policy_out = p;
	sla_pause(p, t, now);
	memset(&d, 0, sizeof(d));
	sla_state_of(t, &state);
	if (p != NULL)
		sla_compute(p, &state, &d);
	if (sla_check_at(st, t->id, fresh, &d, &check_at, err) == -1)
		return -1;
	t->first_response_due = d.due[SLA_FIRST_RESPONSE];
	t->next_response_due = d.due[SLA_NEXT_RESPONSE];
	t->resolution_due = d.due[SLA_RESOLUTION];
	t->sla_check_at = check_at;
	sla_columns(t, after);
	*changed = memcmp(before, after, sizeof(before)) != 0;
	return 0;
}

/* The columns ticket_save_sla writes, as numbers to compare. */
static void
sla_columns(const struct ticket *t, int64_t out[SLA_NCOLUMNS])
{
	out[0] = (int64_t)t->first_response_due;
	out[1] = (int64_t)t->next_response_due;
	out[2] = (int64_t)t->resolution_due;
	out[3] = (int64_t)t->sla_check_at;
	out[4] = (int64_t)t->paused_at;
	out[5] = t->paused_secs;
}

/* The policy of request t (see sla.h); hidden requests have none. */
static const struct sla_policy *
sla_policy_of(const struct config *c, const struct ticket *t)
{
	return t->hidden ? NULL : config_sla_policy_for(c, t->sla_policy,
	    t->priority);
}

/* What the deadlines of t depend on; borrows t's status. */
static void
sla_state_of(const struct ticket *t, struct sla_state *state)
{
	memset(state, 0, sizeof(*state));
	state->status = t->status;
	state->created_at = t->created_at;
	state->first_response_at = t->first_response_at;
	state->last_customer_at = t->last_customer_at;
	state->last_agent_at = t->last_agent_at;
	state->paused_at = t->paused_at;
	state->paused_secs = (long)t->paused_secs;
}

/*
 * Pending stops the resolution clock; leaving pending adds the business
 * time it stood still (in the policy's calendar: a weekend spent waiting
 * costs nothing either way).  Resolved and closed end any pause, and a
 * request resolved straight from pending ("the customer never came
 * back") keeps that stretch as paused, as the reports count it: should
 * it be reopened, its resolution deadline stays where it stood.
 */
static void
sla_pause(const struct sla_policy *p, struct ticket *t, time_t now)
{
	bool pending = strcmp(t->status, "pending") == 0;

	if (pending && t->paused_at == 0) {
		t->paused_at = now;
		return;
	}
	if (pending || t->paused_at == 0)
		return;
	if (p != NULL)
		t->paused_secs += p->calendar != NULL ?
		    calendar_business_between(p->calendar, t->paused_at,
		    now) : now - t->paused_at;
	t->paused_at = 0;
}

/*
 * The earliest stage not yet marked: the warning while neither it nor
 * the breach is marked (a warning after the breach would be noise), else
 * the deadline while its breach is not marked.  0: nothing left.
 */
static int
sla_check_at(struct store *st, int64_t ticket, bool fresh,
    const struct sla_deadlines *d, time_t *at_out, struct error *err)
{
	bool warned = false, breached = false;
	time_t t;
	int i;

	*at_out = 0;
	for (i = 0; i < SLA_NTARGETS; i++) {
		if (d->due[i] == 0)
			continue;
		if (!fresh && (sla_stage_done(st, ticket, (enum sla_target)i,
		    d->start[i], "breach", &breached, err) == -1 ||
		    sla_stage_done(st, ticket, (enum sla_target)i,
		    d->start[i], "warning", &warned, err) == -1))
			return -1;
		if (breached)
			continue;
		t = d->warn[i] != 0 && !warned ? d->warn[i] : d->due[i];
		if (*at_out == 0 || t < *at_out)
			*at_out = t;
	}
	return 0;
}

int
sla_stage_done(struct store *st, int64_t ticket, enum sla_target target,
    time_t start, const char *stage, bool *out, struct error *err)
{
	return sla_mark_since(st, ticket, sla_target_names[target], stage,
	    start, out, err);
}

int
sla_deadlines(struct store *st, const struct config *c, int64_t ticket,
    const struct sla_policy **policy_out, struct sla_deadlines *out,
    struct error *err)
{
	struct sla_state state;
	struct ticket t;

	memset(out, 0, sizeof(*out));
	*policy_out = NULL;
	if (ticket_load_sla(st, ticket, &t, err) == -1)
		return -1;
	*policy_out = sla_policy_of(c, &t);
	sla_state_of(&t, &state);
	if (*policy_out != NULL)
		sla_compute(*policy_out, &state, out);
	ticket_clear(&t);
	return 0;
}

int
sla_recompute_some(struct store *st, const struct config *c, time_t now,
    int64_t *after, struct error *err)
{
	int64_t ids[SLA_RECOMPUTE_BATCH];
	size_t i, n;

	/* ids first: sla_update reuses statements, so none stays open */
	if (ticket_open_ids(st, *after, SLA_RECOMPUTE_BATCH, ids, &n,
	    err) == -1)
		return -1;
	for (i = 0; i < n; i++) {
		if (sla_update(st, c, ids[i], now, err) == -1)
			return -1;
		*after = ids[i];
	}
	return (int)n;
}

int
sla_recompute_all(struct store *st, const struct config *c, time_t now,
    struct error *err)
{
	int64_t after = 0;
	int n;

	while ((n = sla_recompute_some(st, c, now, &after, err)) ==
	    SLA_RECOMPUTE_BATCH)
		;
	return n == -1 ? -1 : 0;
}

void
sla_format_left(time_t due, time_t now, char *buf, size_t len)
{
	long long d = (long long)due - (long long)now, a = d < 0 ? -d : d;
	char span[32];

	if (a >= 86400)
		(void)snprintf(span, sizeof(span), "%lldd%lldh", a / 86400,
		    a % 86400 / 3600);
	else if (a >= 3600)
		(void)snprintf(span, sizeof(span), "%lldh%02lldm", a / 3600,
		    a % 3600 / 60);
	else if (a >= 60)
		(void)snprintf(span, sizeof(span), "%lldm", a / 60);
	else
		(void)snprintf(span, sizeof(span), "%llds", a);
	(void)snprintf(buf, len, "%s %s", d < 0 ? "overdue by" : "due in",
	    span);
}

void
sla_format_time(const struct calendar *cal, time_t t, char *buf, size_t len)
{
	struct tm tm;

	if (cal != NULL)
		calendar_localtime(cal, t, &tm);
	else
		(void)gmtime_r(&t, &tm);
	if (len == 0)
		return;
	if (strftime(buf, len, cal != NULL ? "%A %d %b %Y %H:%M %Z" :
	    "%A %d %b %Y %H:%M UTC", &tm) == 0)
		buf[0] = '\0';
}

/*
 * One read of the request for both: the policy sla_update finds is the
 * one whose calendar decides (a hidden request has none, and no
 * acknowledgement either).
 */
int
sla_intake(struct store *st, struct pipeline_view *v,
    const struct calendar **cal_out, struct error *err)
{
	const struct sla_policy *p;
	struct ticket *known = v->new_ticket ? v->req : NULL;

	/*
	 * A request this message made has no answer yet and this message
	 * as its only one: the answer times ticket_load_sla would look up
	 * are its row's, and this message's time unless it is automatic.
	 */
	*cal_out = NULL;
	if (sla_update_policy(st, v->cfg, v->ticket_id, v->now, v->new_ticket,
	    known, v->auto_reason == NULL ? v->now : 0, &p, err) == -1)
		return -1;
	if (!v->new_ticket || v->hidden || v->skip_ack)
		return 0;
	sla_out_of_hours(v, p, cal_out);
	return 0;
}

/* The out-of-hours decision of sla_intake for a request of policy p. */
static void
sla_out_of_hours(struct pipeline_view *v, const struct sla_policy *p,
    const struct calendar **cal_out)
{
	const struct calendar *cal;
	struct error cerr;
	time_t starts;

	cal = p != NULL ? p->calendar : config_sla_calendar(v->cfg, NULL);
	if (cal == NULL || calendar_is_open(cal, v->now))
		return;
	if ((starts = calendar_next_open(cal, v->now, &cerr)) ==
	    CALENDAR_NEVER)
		return;		/* never open: the usual acknowledgement */
	v->ack_kind = "out_of_hours";
	v->clock_starts = starts;
	*cal_out = cal;
}

int
sla_view_load(struct store *st, const struct config *c, int64_t ticket,
    struct sla_view *out, struct error *err)
{
	const struct sla_policy *p;
	struct ticket t;

	memset(out, 0, sizeof(*out));
	if (ticket_load(st, ticket, &t, err) == -1)
		return -1;
	out->due[SLA_FIRST_RESPONSE] = t.first_response_due;
	out->due[SLA_NEXT_RESPONSE] = t.next_response_due;
	out->due[SLA_RESOLUTION] = t.resolution_due;
	out->paused_at = t.paused_at;
	out->paused_secs = (long)t.paused_secs;
	p = sla_policy_of(c, &t);
	out->policy = p != NULL ? xstrdup(p->name) : NULL;
	ticket_clear(&t);
	return 0;
}

void
sla_view_release(struct sla_view *v)
{
	free(v->policy);
	v->policy = NULL;
}
