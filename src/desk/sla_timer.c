/*
 * sla_timer: warnings, breaches and escalations (see sla_timer.h).  Each
 * pass reads the due rows by the tickets_sla_check index, so its cost
 * follows the deadlines that pass, not the number of requests.  The
 * sla_marks row is inserted before anything is sent: its primary key
 * (ticket, target, due, stage) is what makes a warning or breach happen
 * once ever, across crashes, restarts and concurrent passes (promise 2).
 * A deadline that moves (the policy changed, a pause) is a new deadline
 * and may warn again; the same deadline never does.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "assign.h"
#include "buf.h"
#include "clock.h"
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
#include "sla_mark.h"
#include "sla_timer.h"
#include "store.h"
#include "subject_token.h"
#include "template.h"
#include "ticket.h"
#include "ticket_ops.h"
#include "xmalloc.h"

/* Most recipients of one SLA mail (assignee, managers, notify list). */
#define SLA_TIMER_RCPTS	64

struct sla_timer {
	struct config	*seen;		/* deadlines computed for it */
	struct config	*target;	/* being recomputed for (NULL: none) */
	int64_t		 after;		/* recompute: last request committed */
	struct config	*cfg;		/* of the step in flight */
	int64_t		 step_after;	/* its recompute cursor */
	bool		 step_recompute;
	bool		 step_finished;	/* it recomputed the last batch */
};

/* One pass. */
struct sla_pass {
	struct store		*st;
	const struct config	*cfg;
	struct subject_token	*tok;
	time_t			 now;
	int			 queued;
};

/* What the mail and the escalation need of a request. */
struct sla_ticket {
	struct ticket		 row;
	char			*customer;	/* its first address */
	const struct sla_policy	*policy;
};

struct sla_rcpts {
	const char	*addr[SLA_TIMER_RCPTS];
	size_t		 n;
};

static int	sla_timer_due(struct sla_pass *, size_t max,
		    int64_t **ids_out, size_t *n_out, struct error *err);
static int	sla_timer_ticket(struct sla_pass *, int64_t id,
		    struct error *err);
static int	sla_timer_target(struct sla_pass *, struct sla_ticket *,
		    enum sla_target, const struct sla_deadlines *,
		    struct error *err);
static int	sla_timer_load(struct sla_pass *, int64_t id,
		    struct sla_ticket *, struct error *err);
static void	sla_timer_ticket_release(struct sla_ticket *);
static int	sla_timer_mark(struct sla_pass *, int64_t id,
		    enum sla_target, time_t due, const char *stage,
		    bool *new_out, struct error *err);
static int	sla_timer_fire(struct sla_pass *, struct sla_ticket *,
		    enum sla_target, time_t due, bool breach,
		    struct error *err);
static void	sla_timer_rcpts(const struct config *,
		    const struct sla_ticket *, bool breach, struct sla_rcpts *);
static void	sla_timer_rcpt_add(struct sla_rcpts *, const char *addr);
static void	sla_timer_agent_add(const struct config *,
		    struct sla_rcpts *, const char *name);
static int	sla_timer_mail(struct sla_pass *, const struct sla_ticket *,
		    enum sla_target, time_t due, bool breach,
		    const struct sla_rcpts *, struct error *err);
static int	sla_timer_event(struct sla_pass *, int64_t id,
		    const char *kind, const char *detail, struct error *err);
static int	sla_timer_hand_over(struct sla_pass *, struct sla_ticket *,
		    const char *, struct error *);
static int	sla_timer_escalate(struct sla_pass *, struct sla_ticket *,
		    struct error *err);
static const char *sla_timer_raise(const struct config *, const char *cur,
		    const char *how);
static int	sla_timer_done(struct sla_pass *, int64_t id,
		    const char *what, int rc, struct error *err);

int
sla_timer_check(struct store *st, const struct config *cfg, time_t now,
    size_t max, int *queued, struct error *err)
{
	struct sla_pass pass;
	int64_t *ids = NULL;
	size_t i, n = 0;
	int rc = 0;

	*queued = 0;
	memset(&pass, 0, sizeof(pass));
	pass.st = st;
	pass.cfg = cfg;
	pass.now = now;
	if ((pass.tok = subject_token_new(cfg->token_format, err)) == NULL)
		return -1;
	if (sla_timer_due(&pass, max, &ids, &n, err) == -1)
		rc = -1;
	for (i = 0; rc == 0 && i < n; i++)
		rc = sla_timer_ticket(&pass, ids[i], err);
	free(ids);
	subject_token_free(pass.tok);
	*queued = pass.queued;
	return rc;
}

/* Read first, handled after: sla_update rewrites the rows scanned. */
static int
sla_timer_due(struct sla_pass *pass, size_t max, int64_t **ids_out,
    size_t *n_out, struct error *err)
{
	*ids_out = xcalloc(max + 1, sizeof(**ids_out));
	return ticket_sla_due(pass->st, pass->now, max, *ids_out, n_out, err);
}

/*
 * The row is recomputed first: a request resolved or paused by a path
 * that did not call sla_update must not breach.  Then every stage whose
 * instant has come fires, and the row is recomputed again so that
 * sla_check_at moves past the marks just written.
 */
static int
sla_timer_ticket(struct sla_pass *pass, int64_t id, struct error *err)
{
	struct sla_deadlines d;
	struct sla_ticket t;
	int i, rc = 0;

	if (sla_update(pass->st, pass->cfg, id, pass->now, err) == -1 ||
	    sla_timer_load(pass, id, &t, err) == -1)
		return -1;
	if (sla_deadlines(pass->st, pass->cfg, id, &t.policy, &d, err) == -1)
		rc = -1;
	for (i = 0; rc == 0 && t.policy != NULL && i < SLA_NTARGETS; i++) {
		if (d.due[i] != 0)
			rc = sla_timer_target(pass, &t, (enum sla_target)i,
			    &d, err);
	}
	sla_timer_ticket_release(&t);
	if (rc == -1)
		return -1;
	return sla_update(pass->st, pass->cfg, id, pass->now, err);
}

/*
 * The stage checks by clock start come first (one warning and breach per
 * start, see sla.h); the mark's primary key is the last word, so two
 * passes racing over one deadline still send one mail.
 */
static int
sla_timer_target(struct sla_pass *pass, struct sla_ticket *t,
    enum sla_target target, const struct sla_deadlines *d,
    struct error *err)
{
	time_t due = d->due[target], warn = d->warn[target];
	bool fresh, ignored, breached, warned;

	if (sla_stage_done(pass->st, t->row.id, target, d->start[target],
	    "breach", &breached, err) == -1 ||
	    sla_stage_done(pass->st, t->row.id, target, d->start[target],
	    "warning", &warned, err) == -1)
		return -1;
	if (breached)
		return 0;
	if (pass->now >= due) {
		if (sla_timer_mark(pass, t->row.id, target, due, "breach",
		    &fresh, err) == -1)
			return -1;
		if (!fresh)
			return 0;
		/* a warning after the breach would only be noise */
		if (sla_timer_mark(pass, t->row.id, target, due, "warning",
		    &ignored, err) == -1)
			return -1;
		return sla_timer_fire(pass, t, target, due, true, err);
	}
	if (warned || warn == 0 || pass->now < warn)
		return 0;
	if (sla_timer_mark(pass, t->row.id, target, due, "warning", &fresh,
	    err) == -1)
		return -1;
	return fresh ? sla_timer_fire(pass, t, target, due, false, err) : 0;
}

static int
sla_timer_load(struct sla_pass *pass, int64_t id, struct sla_ticket *t,
    struct error *err)
{
	memset(t, 0, sizeof(*t));
	if (ticket_load(pass->st, id, &t->row, err) == -1)
		return -1;
	if (ticket_customer_address(pass->st, id, &t->customer, err) == -1) {
		ticket_clear(&t->row);
		return -1;
	}
	return 0;
}

static void
sla_timer_ticket_release(struct sla_ticket *t)
{
	ticket_clear(&t->row);
	free(t->customer);
}

/* *new_out: this pass wrote the mark (nobody did it before). */
static int
sla_timer_mark(struct sla_pass *pass, int64_t id, enum sla_target target,
    time_t due, const char *stage, bool *new_out, struct error *err)
{
	return sla_mark_add(pass->st, id, sla_target_name(target), due, stage,
	    pass->now, new_out, err);
}

static int
sla_timer_fire(struct sla_pass *pass, struct sla_ticket *t,
    enum sla_target target, time_t due, bool breach, struct error *err)
{
	struct sla_rcpts r;
	char detail[160], when[64];

	sla_format_time(t->policy->calendar, due, when, sizeof(when));
	(void)snprintf(detail, sizeof(detail), "%s due %s (policy %s)",
	    sla_target_name(target), when, t->policy->name);
	log_info("sla %s ticket=%lld target=%s due=%lld",
	    breach ? "breach" : "warning", (long long)t->row.id,
	    sla_target_name(target), (long long)due);
	if (sla_timer_event(pass, t->row.id, breach ? "sla_breach" :
	    "sla_warning", detail, err) == -1)
		return -1;
	sla_timer_rcpts(pass->cfg, t, breach, &r);
	if (r.n == 0)
		log_warnx("sla %s ticket=%lld: nobody to tell (no assignee, "
		    "agents or managers)", breach ? "breach" : "warning",
		    (long long)t->row.id);
	else if (sla_timer_mail(pass, t, target, due, breach, &r, err) == -1)
		return -1;
	return breach ? sla_timer_escalate(pass, t, err) : 0;
}

/*
 * A warning goes to the assignee, else the agents of the category, else
 * the managers (somebody must hear of it); a breach to the assignee and
 * the managers (agents with manager = true serving the category, and the
 * category's own managers) and the policy's notify list.
 */
static void
sla_timer_rcpts(const struct config *cfg, const struct sla_ticket *t,
    bool breach, struct sla_rcpts *r)
{
	const struct routing_category *cat = NULL;
	const struct sla_escalation *e = &t->policy->escalate;
	const struct agent *a;
	size_t i;

	memset(r, 0, sizeof(*r));
	if (t->row.assignee != NULL)
		sla_timer_agent_add(cfg, r, t->row.assignee);
	if (t->row.category != NULL)
		cat = config_routing_category_find(cfg, t->row.category);
	for (i = 0; !breach && t->row.assignee == NULL &&
	    t->row.category != NULL && i < config_agents_count(cfg); i++) {
		a = config_agents_at(cfg, i);
		if (config_agents_serves(a, t->row.category))
			sla_timer_agent_add(cfg, r, a->name);
	}
	if (!breach && r->n > 0)
		return;
	for (i = 0; i < config_agents_count(cfg); i++) {
		a = config_agents_at(cfg, i);
		if (a->manager && (t->row.category == NULL ||
		    config_agents_serves(a, t->row.category)))
			sla_timer_agent_add(cfg, r, a->name);
	}
	for (i = 0; cat != NULL && i < cat->nmanagers; i++)
		sla_timer_agent_add(cfg, r, cat->managers[i]);
	for (i = 0; breach && i < e->nnotify; i++)
		sla_timer_rcpt_add(r, e->notify[i]);
}

static void
sla_timer_agent_add(const struct config *cfg, struct sla_rcpts *r,
    const char *name)
{
	const struct agent *a = config_agents_find(cfg, name);

	if (a != NULL && a->naddresses > 0)
		sla_timer_rcpt_add(r, a->addresses[0]);
}

static void
sla_timer_rcpt_add(struct sla_rcpts *r, const char *addr)
{
	size_t i;

	for (i = 0; i < r->n; i++) {
		if (strcasecmp(r->addr[i], addr) == 0)
			return;
	}
	if (r->n < SLA_TIMER_RCPTS)
		r->addr[r->n++] = addr;
}

/* One mail to everyone told, all of them in To: they are colleagues. */
static int
sla_timer_mail(struct sla_pass *pass, const struct sla_ticket *t,
    enum sla_target target, time_t due, bool breach,
    const struct sla_rcpts *r, struct error *err)
{
	const struct config *cfg = pass->cfg;
	struct template_var vars[12];
	struct compose_addr to[SLA_TIMER_RCPTS];
	struct mailout m;
	char id[24], when[64], left[48];
	char *token, *subj, *subject, *body;
	size_t i;
	int rc = -1;

	(void)snprintf(id, sizeof(id), "%lld", (long long)t->row.id);
	sla_format_time(t->policy->calendar, due, when, sizeof(when));
	sla_format_left(due, pass->now, left, sizeof(left));
	token = subject_token_format(pass->tok, (uint64_t)t->row.id);
	vars[0] = (struct template_var){ "id", id };
	vars[1] = (struct template_var){ "token", token };
	vars[2] = (struct template_var){ "subject", t->row.subject };
	vars[3] = (struct template_var){ "target", sla_target_label(target) };
	vars[4] = (struct template_var){ "due", when };
	vars[5] = (struct template_var){ "left", left };
	vars[6] = (struct template_var){ "policy", t->policy->name };
	vars[7] = (struct template_var){ "assignee",
	    t->row.assignee != NULL ? t->row.assignee : "(nobody)" };
	vars[8] = (struct template_var){ "priority", t->row.priority };
	vars[9] = (struct template_var){ "category",
	    t->row.category != NULL ? t->row.category : "(none)" };
	vars[10] = (struct template_var){ "customer_email",
	    t->customer != NULL ? t->customer : "(unknown)" };
	vars[11] = (struct template_var){ "status", t->row.status };
	subj = template_render(config_sla_mail_subject(cfg, breach), vars, 12);
	subject = subject_token_apply(pass->tok, subj, (uint64_t)t->row.id);
	body = template_render(config_sla_mail_body(cfg, breach), vars, 12);
	for (i = 0; i < r->n; i++)
		to[i] = (struct compose_addr){ NULL, r->addr[i] };
	memset(&m, 0, sizeof(m));
	m.kind = breach ? MAILOUT_SLA_BREACH : MAILOUT_SLA_WARNING;
	m.ticket_id = t->row.id;
	m.to = to;
	m.nto = r->n;
	m.subject = subject;
	m.text = body;
	m.now = pass->now;
	/* a config address compose refuses is logged there, not retried */
	if ((rc = mailout_queue(pass->st, cfg, &m, NULL, err)) == 0)
		pass->queued++;
	else if (rc == 1)
		rc = 0;
	free(body);
	free(subject);
	free(subj);
	free(token);
	return rc;
}

static int
sla_timer_event(struct sla_pass *pass, int64_t id, const char *kind,
    const char *detail, struct error *err)
{
	return history_add(pass->st, id, pass->now, kind, "sla", detail, err);
}

/*
 * Each action in its own savepoint: one that cannot be done (an agent
 * removed from the config, a category renamed) is logged and skipped, and
 * the others still happen.  Only database trouble fails the pass.
 */
static int
sla_timer_escalate(struct sla_pass *pass, struct sla_ticket *t,
    struct error *err)
{
	const struct sla_escalation *e = &t->policy->escalate;
	const struct config *cfg = pass->cfg;
	const char *prio = NULL;
	int rc;

	if (e->priority != NULL && t->row.priority != NULL &&
	    (prio = sla_timer_raise(cfg, t->row.priority,
	    e->priority)) != NULL && strcmp(prio, t->row.priority) != 0) {
		if (store_savepoint(pass->st, err) == -1)
			return -1;
		rc = ticket_ops_priority(pass->st, cfg, t->row.id, prio, "sla",
		    pass->now, err);
		if (sla_timer_done(pass, t->row.id, "priority", rc, err) == -1)
			return -1;
	}
	if (e->tag != NULL) {
		if (store_savepoint(pass->st, err) == -1)
			return -1;
		rc = ticket_ops_tag(pass->st, cfg, t->row.id, e->tag, true,
		    "sla", pass->now, err);
		if (sla_timer_done(pass, t->row.id, "tag", rc, err) == -1)
			return -1;
	}
	if (e->category != NULL && (t->row.category == NULL ||
	    strcmp(t->row.category, e->category) != 0)) {
		if (store_savepoint(pass->st, err) == -1)
			return -1;
		rc = ticket_ops_category(pass->st, cfg, t->row.id, e->category,
		    "sla", pass->now, err);
		if (sla_timer_done(pass, t->row.id, "category", rc, err) == -1)
			return -1;
	}
	if (e->assign != NULL && (t->row.assignee == NULL ||
	    strcmp(t->row.assignee, e->assign) != 0)) {
		if (store_savepoint(pass->st, err) == -1)
			return -1;
		rc = ticket_ops_assign(pass->st, cfg, t->row.id, e->assign,
		    "sla", pass->now, err);
		if (sla_timer_done(pass, t->row.id, "assign", rc, err) == -1)
			return -1;
	} else if (e->assign == NULL && e->category != NULL)
		return sla_timer_hand_over(pass, t, e->category, err);
	return 0;
}

/*
 * Escalated to a category without a named agent: the request goes to
 * that category's people, picked by its strategy; the one who let the
 * deadline pass keeps it only if the strategy picks him.  Pool, or
 * nobody available: it is left unassigned for them to pull (assign_pick
 * has told the category's managers).
 */
static int
sla_timer_hand_over(struct sla_pass *pass, struct sla_ticket *t,
    const char *category, struct error *err)
{
	const char *agent = NULL;
	int rc;

	if (store_savepoint(pass->st, err) == -1)
		return -1;
	rc = assign_pick(pass->st, pass->cfg, t->row.id, category, NULL,
	    pass->now, &agent, err);
	if (rc == 0 && (agent == NULL ? t->row.assignee != NULL :
	    t->row.assignee == NULL || strcmp(agent, t->row.assignee) != 0))
		rc = ticket_ops_assign(pass->st, pass->cfg, t->row.id, agent,
		    "sla", pass->now, err);
	return sla_timer_done(pass, t->row.id, "hand over", rc, err);
}

/* "+N": N levels up, capped at the highest; else the level named. */
static const char *
sla_timer_raise(const struct config *cfg, const char *cur, const char *how)
{
	size_t count = config_routing_priority_count(cfg), to;
	int rank;

	if (how[0] != '+')
		return config_routing_priority_rank(cfg, how) == -1 ? NULL :
		    how;
	if ((rank = config_routing_priority_rank(cfg, cur)) == -1 || count == 0)
		return NULL;
	to = (size_t)rank + (size_t)atoi(how + 1);
	if (to >= count)
		to = count - 1;
	return config_routing_priority_at(cfg, to);
}

static int
sla_timer_done(struct sla_pass *pass, int64_t id, const char *what, int rc,
    struct error *err)
{
	if (rc == 0)
		return store_release(pass->st, err);
	store_rollback_to(pass->st);
	if (err->kind == ERR_TEMP)
		return -1;
	log_warnx("sla escalation ticket=%lld %s: %s", (long long)id, what,
	    err->msg);
	error_clear(err);
	return 0;
}

struct sla_timer *
sla_timer_new(void)
{
	return xcalloc(1, sizeof(struct sla_timer));
}

void
sla_timer_free(struct sla_timer *tm)
{
	if (tm == NULL)
		return;
	config_unref(tm->seen);
	config_unref(tm->target);
	config_unref(tm->cfg);
	free(tm);
}

/*
 * A config not seen before (the start, a reload) first has every open
 * request's deadlines recomputed, a batch per step: the writer holds
 * other units back for one batch at most, not for the whole store.
 * Recomputing is idempotent, so a step that did not commit is simply
 * done again.  The cursor moves in sla_timer_committed only.
 */
int
sla_timer_step(struct sla_timer *tm, struct store *st, time_t now,
    int *queued, bool *again, struct error *err)
{
	struct config *cfg = config_current();
	int n;

	*queued = 0;
	*again = false;
	config_unref(tm->cfg);
	if ((tm->cfg = cfg) == NULL)
		return 0;
	tm->step_recompute = cfg != tm->seen;
	if (!tm->step_recompute)
		return sla_timer_check(st, cfg, now, SLA_TIMER_BATCH, queued,
		    err);
	if (cfg != tm->target) {	/* a new reload: start over */
		config_unref(tm->target);
		tm->target = config_ref(cfg);
		tm->after = 0;
	}
	tm->step_after = tm->after;
	if ((n = sla_recompute_some(st, cfg, now, &tm->step_after,
	    err)) == -1)
		return -1;
	tm->step_finished = n < SLA_RECOMPUTE_BATCH;
	*again = true;		/* the next batch, or the pass, at once */
	return 0;
}

void
sla_timer_committed(struct sla_timer *tm)
{
	if (tm->cfg == NULL || !tm->step_recompute || tm->cfg != tm->target)
		return;
	tm->after = tm->step_after;
	if (!tm->step_finished)
		return;
	config_unref(tm->seen);
	tm->seen = tm->target;		/* keeps the reference */
	tm->target = NULL;
	tm->after = 0;
}
