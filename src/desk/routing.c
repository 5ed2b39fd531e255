/*
 * routing: the intake stage that runs the admin's rules (rules.h) on a
 * stored message and writes what they decided onto its request, inside
 * the intake transaction: company, category, tags, priority, SLA policy,
 * Cc, hidden (spam), and the assignee.  Each matching rule leaves a
 * rule_hits row (triagectl explain) and a "rule" event.
 *
 * Precedence on a new request:
 *   category   the last rule that set one, else the intake's default (an
 *              IMAP mailbox's, already on the row), else the category
 *              listing the support address it came in on (the first
 *              such recipient), else none;
 *   priority   the highest of: the rules' result (else the intake's
 *              default, else the configured default level), the
 *              category's default, the company's floor;
 *   sla_policy the rules', else the category's, else the company's
 *              (NULL: sla.c then maps the priority);
 *   assignee   a rule's assign, else assign_pick (assign.h) by the
 *              rules' strategy, else the category's, when the request
 *              has a category; never for spam.  The "assigned" event
 *              names its source ("rule:NAME" or "routing") and the agent
 *              is told (ticket_ops_assigned).
 * All of it, with the deadlines of its SLA policy, is written onto the
 * new request's row in one UPDATE (ticket_save_routed): the row has five
 * indexes over these columns, and three UPDATEs of it were a tenth of
 * the writer's time a message with every intake stage configured.
 * A follow-up runs the rules with new_request false and may only add
 * tags and raise the priority: the request's owner and category are
 * somebody's decision by then, not a rule's.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "assign.h"
#include "buf.h"
#include "calendar.h"
#include "config.h"
#include "error.h"
#include "history.h"
#include "mime.h"
#include "pipeline.h"
#include "routing.h"
#include "rule_hit.h"
#include "rules.h"
#include "sla.h"
#include "ticket.h"
#include "ticket_cc.h"
#include "ticket_ops.h"
#include "ticket_tag.h"
#include "xmalloc.h"

static char   **routing_mailboxes(const struct pipeline_view *, size_t *);
static const char *routing_address_category(const struct config *,
		    char *const *, size_t);
static int	routing_hits(struct store *, const struct pipeline_view *,
		    const struct rules *, const struct rules_result *,
		    struct error *);
static int	routing_new(struct store *, struct pipeline_view *,
		    const struct rules *, const struct rules_result *,
		    struct ticket *, const char *, const char *,
		    const char *, const char *, struct error *);
static void	routing_carry(struct ticket *, const struct ticket_route *);
static int	routing_follow_up(struct store *, const struct pipeline_view *,
		    const struct rules_result *, const struct ticket *,
		    struct error *);
static const char *routing_max(const struct config *, const char *,
		    const char *);
static int	routing_tags(struct store *, int64_t,
		    const struct rules_result *, struct error *);
static const char *routing_assigner(const struct rules *,
		    const struct rules_result *);
static const char *routing_strategist(const struct rules *,
		    const struct rules_result *);
static int	routing_assign(struct store *, const struct pipeline_view *,
		    const struct rules *, const struct rules_result *,
		    struct ticket *, bool, struct error *);

int
routing_apply(struct store *st, struct pipeline_view *v, struct error *err)
{
	const struct config *cfg = v->cfg;
	const struct calendar *cal;
	struct rules_message m;
	struct rules_result res;
	struct ticket loaded, *t = v->req;
	const char *company, *co_sla = NULL, *co_floor = NULL, *base;
	const char *addr_category = NULL, *admin_company = v->req_company;
	char **mailboxes, *read_company = NULL;
	size_t nmailboxes;
	int ret = -1;

	if (v->ticket_id == 0)
		return 0;
	/* the customer's company as the admin set it, unless the config's */
	if (t == NULL) {
		if (ticket_load_with_company(st, v->ticket_id, &loaded,
		    &read_company, err) == -1)
			return -1;
		t = &loaded;
		admin_company = read_company;
	}
	company = config_routing_company_of(cfg, v->sender, &co_sla, &co_floor);
	if (company == NULL)
		company = admin_company;
	mailboxes = routing_mailboxes(v, &nmailboxes);
	if (v->new_ticket && t->category == NULL)
		addr_category = routing_address_category(cfg, mailboxes,
		    nmailboxes);
	memset(&m, 0, sizeof(m));
	m.pm = v->pm;
	m.from = v->sender;
	m.mailboxes = mailboxes;
	m.nmailboxes = nmailboxes;
	m.company = company;
	/* no default calendar: every moment counts as business hours */
	cal = config_sla_calendar(cfg, NULL);
	m.business_hours = cal == NULL || calendar_is_open(cal, v->now);
	m.new_request = v->new_ticket;
	base = t->priority;
	if (config_routing_priority_rank(cfg, base) < 0)
		base = config_routing_priority_default(cfg);
	rules_run(config_routing_rules(cfg), &m,
	    config_routing_priority_levels(cfg),
	    config_routing_priority_count(cfg), base, &res);
	if (routing_hits(st, v, config_routing_rules(cfg), &res, err) == -1)
		goto out;
	if (v->new_ticket)
		ret = routing_new(st, v, config_routing_rules(cfg), &res, t,
		    addr_category, company, co_sla, co_floor, err);
	else
		ret = routing_follow_up(st, v, &res, t, err);
out:
	rules_result_free(&res);
	free(mailboxes);
	free(read_company);
	if (t == &loaded)
		ticket_clear(&loaded);
	return ret;
}

/*
 * Where the message came in: the intake source when it names a mailbox
 * ("imap:NAME"), and our support addresses among the envelope
 * recipients, or among To and Cc when there is no envelope (inject).
 * Borrowed strings in a new vector.
 */
static char **
routing_mailboxes(const struct pipeline_view *v, size_t *n)
{
	const struct pipeline_input *in = v->in;
	char **out;
	size_t i, max;

	max = 1 + in->nrcpts + (v->pm != NULL ? v->pm->nto + v->pm->ncc : 0);
	out = xcalloc(max, sizeof(*out));
	*n = 0;
	if (in->source != NULL && strncmp(in->source, "imap:", 5) == 0)
		out[(*n)++] = (char *)(uintptr_t)in->source;
	for (i = 0; i < in->nrcpts; i++) {
		if (config_is_support_address(v->cfg, in->rcpts[i]))
			out[(*n)++] = in->rcpts[i];
	}
	if (in->nrcpts > 0 || v->pm == NULL)
		return out;
	for (i = 0; i < v->pm->nto; i++) {
		if (v->pm->to[i].addr != NULL &&
		    config_is_support_address(v->cfg, v->pm->to[i].addr))
			out[(*n)++] = v->pm->to[i].addr;
	}
	for (i = 0; i < v->pm->ncc; i++) {
		if (v->pm->cc[i].addr != NULL &&
		    config_is_support_address(v->cfg, v->pm->cc[i].addr))
			out[(*n)++] = v->pm->cc[i].addr;
	}
	return out;
}

/*
 * A new request without the intake's category takes the one of the
 * first support address it came in on that a category lists (this, or
 * NULL); rules may still replace it.
 */
static const char *
routing_address_category(const struct config *cfg, char *const *mailboxes,
    size_t n)
{
	const struct routing_category *cat;
	size_t i;

	for (i = 0; i < n; i++) {
		if ((cat = config_routing_category_of_address(cfg,
		    mailboxes[i])) != NULL)
			return cat->path;
	}
	return NULL;
}

/* One rule_hits row and one "rule" event per matching rule. */
static int
routing_hits(struct store *st, const struct pipeline_view *v,
    const struct rules *rules, const struct rules_result *res,
    struct error *err)
{
	struct buf actions;
	char *actor;
	size_t i, r;
	int rc = 0;

	buf_init(&actions);
	for (i = 0; i < res->nhits && rc == 0; i++) {
		r = res->hits[i];
		buf_reset(&actions);
		rules_describe(rules_actions_at(rules, r), &actions);
		if (!v->new_ticket)
			buf_append_str(&actions, " (follow-up: tags and "
			    "raised priority only)");
		buf_append_char(&actions, '\0');
		if ((rc = rule_hit_add(st, v->ticket_id, v->message_row, v->now,
		    rules_name(rules, r), actions.data, err)) == -1)
			break;
		xasprintf(&actor, "rule:%s", rules_name(rules, r));
		rc = history_add(st, v->ticket_id, v->now, "rule", actor,
		    actions.data, err);
		free(actor);
	}
	buf_release(&actions);
	return rc;
}

static int
routing_new(struct store *st, struct pipeline_view *v,
    const struct rules *rules, const struct rules_result *res,
    struct ticket *t, const char *addr_category, const char *company,
    const char *co_sla, const char *co_floor, struct error *err)
{
	const struct config *cfg = v->cfg;
	const struct routing_category *cat;
	struct ticket_route route;
	const char *category, *prio, *sla;
	bool changed;
	size_t i;

	/* t as stored: what differs from it is written */
	category = res->category != NULL ? res->category :
	    t->category != NULL ? t->category : addr_category;
	cat = config_routing_category_find(cfg, category);
	prio = res->priority;
	if (prio == NULL)
		prio = config_routing_priority_rank(cfg, t->priority) >= 0 ?
		    t->priority : config_routing_priority_default(cfg);
	prio = routing_max(cfg, prio, cat != NULL ? cat->priority : NULL);
	prio = routing_max(cfg, prio, co_floor);
	sla = res->sla_policy;
	if (sla == NULL && cat != NULL)
		sla = cat->sla_policy;
	if (sla == NULL)
		sla = co_sla;
	route = (struct ticket_route){ company, category, prio, sla,
	    res->spam };
	/* unchanged (no rule, company or category said anything): no write */
	changed = !xstreq(route.company, t->company) ||
	    !xstreq(route.category, t->category) ||
	    !xstreq(route.priority, t->priority) ||
	    !xstreq(route.sla_policy, t->sla_policy) ||
	    route.hidden != t->hidden;
	if (changed)
		routing_carry(t, &route);
	if (routing_tags(st, v->ticket_id, res, err) == -1)
		return -1;
	for (i = 0; i < res->ncc; i++) {
		if (ticket_cc_add(st, v->ticket_id, res->cc[i], NULL, NULL,
		    err) == -1)
			return -1;
	}
	v->hidden = res->spam;
	v->skip_ack = v->skip_ack || res->skip_ack || res->spam;
	if (res->spam)
		return changed ? ticket_save_routed(st, t, err) : 0;
	return routing_assign(st, v, rules, res, t, changed, err);
}

/*
 * What the rules decided, onto the row in memory (written later).
 * r's strings may be t's own (a category the request had): xstrset
 * keeps those.
 */
static void
routing_carry(struct ticket *t, const struct ticket_route *r)
{
	xstrset(&t->company, r->company);
	xstrset(&t->category, r->category);
	xstrset(&t->priority, r->priority);
	xstrset(&t->sla_policy, r->sla_policy);
	t->hidden = r->hidden;
}

/* A follow-up: tags added, the priority raised (never lowered). */
static int
routing_follow_up(struct store *st, const struct pipeline_view *v,
    const struct rules_result *res, const struct ticket *t,
    struct error *err)
{
	const char *prio;

	if (routing_tags(st, v->ticket_id, res, err) == -1)
		return -1;
	if (res->priority == NULL)
		return 0;
	prio = routing_max(v->cfg, t->priority, res->priority);
	if (t->priority != NULL && strcmp(prio, t->priority) == 0)
		return 0;
	return ticket_raise_priority(st, v->ticket_id, prio, err);
}

/* The higher of two levels; an unknown or NULL one loses. */
static const char *
routing_max(const struct config *cfg, const char *a, const char *b)
{
	return config_routing_priority_rank(cfg, b) >
	    config_routing_priority_rank(cfg, a) ? b : a;
}

static int
routing_tags(struct store *st, int64_t ticket, const struct rules_result *res,
    struct error *err)
{
	size_t i;

	for (i = 0; i < res->ntags; i++) {
		if (ticket_tag_add(st, ticket, res->tags[i], NULL, err) == -1)
			return -1;
	}
	return 0;
}

/* The last matching rule that assigns; NULL if none. */
static const char *
routing_assigner(const struct rules *rules, const struct rules_result *res)
{
	size_t i;

	for (i = res->nhits; i > 0; i--) {
		if (rules_actions_at(rules, res->hits[i - 1])->assign != NULL)
			return rules_name(rules, res->hits[i - 1]);
	}
	return NULL;
}

/* The last matching rule that names a strategy; NULL if none. */
static const char *
routing_strategist(const struct rules *rules, const struct rules_result *res)
{
	size_t i;

	for (i = res->nhits; i > 0; i--) {
		if (rules_actions_at(rules, res->hits[i - 1])->strategy !=
		    NULL)
			return rules_name(rules, res->hits[i - 1]);
	}
	return NULL;
}

/*
 * A rule's agent, else a strategy (the rule's, else the category's):
 * the assignment helper picks.  The new request's row t (routed in
 * memory, changed: differing from the stored one) then gets the agent
 * and its deadlines (sla_fresh) and is written once; the agent's event
 * and notice follow (ticket_ops_assigned), or the managers hear that
 * nobody was free.
 */
static int
routing_assign(struct store *st, const struct pipeline_view *v,
    const struct rules *rules, const struct rules_result *res,
    struct ticket *t, bool changed, struct error *err)
{
	const char *name = NULL, *agent = NULL;
	char *actor = NULL;
	bool tell = false;
	int rc;

	if (res->assign != NULL) {
		agent = res->assign;
		name = routing_assigner(rules, res);
		xasprintf(&actor, "rule:%s", name != NULL ? name : "?");
	} else if (t->category != NULL) {
		/* a strategy needs a category to pick among its agents */
		if (assign_choose(st, v->cfg, v->ticket_id, t->category,
		    res->strategy, v->now, &agent, &tell, err) == -1)
			return -1;
		if (agent != NULL && (name = routing_strategist(rules,
		    res)) != NULL)
			xasprintf(&actor, "rule:%s", name);
		else if (agent != NULL)
			actor = xstrdup("routing");
	}
	if (agent != NULL) {
		xstrset(&t->assignee, agent);
		t->updated_at = v->now;
		changed = true;
	}
	if (sla_fresh(v->cfg, t, v->now, v->auto_reason == NULL ? v->now : 0))
		changed = true;
	rc = changed ? ticket_save_routed(st, t, err) : 0;
	if (rc == 0 && tell)
		rc = assign_tell_nobody(st, v->cfg, v->ticket_id,
		    t->category, v->now, err);
	if (rc == 0 && agent != NULL)
		rc = ticket_ops_assigned(st, v->cfg, v->ticket_id, agent,
		    actor, v->now, err);
	free(actor);
	return rc;
}
