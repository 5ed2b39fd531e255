/*
 * sla: the deadlines that SLA policies and calendars (config_sla.h:
 * loaded and looked up there) give each request, and the timer that
 * sends warnings and breach mail and escalates.
 *
 * A request's policy: its sla_policy column (set at intake by a rule,
 * else its category, else its company), else the policy listing its
 * priority, else the default policy (sla.default_policy; absent: the
 * first policy; "": none).  No policy: no deadlines.
 *
 * Everything returned from the config is part of an immutable struct
 * config: pointers stay valid while the caller holds its reference.
 */
#ifndef TRIAGED_SLA_H
#define TRIAGED_SLA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "config_sla.h"

struct calendar;
struct config;
struct error;
struct pipeline_view;
struct store;
struct ticket;

/* What the deadlines depend on: one request's row.  0 times: none. */
struct sla_state {
	const char	*status;
	time_t		 created_at;
	time_t		 first_response_at;
	time_t		 last_customer_at;
	time_t		 last_agent_at;
	time_t		 paused_at;
	long		 paused_secs;	/* business secs paused before */
};

/*
 * Deadlines and warning instants per target; 0: not running.  start is
 * when the target's clock started (created, or the customer message
 * that restarted the next response): a target warns and breaches at most
 * once per start, even when its deadline moves (a new policy after an
 * escalation raised the priority, a reload, a pause).
 */
struct sla_deadlines {
	time_t	due[SLA_NTARGETS];
	time_t	warn[SLA_NTARGETS];
	time_t	start[SLA_NTARGETS];
};

/*
 * Recomputes ticket's deadlines and sla_check_at from its row (policy,
 * status, first response, last customer and agent times, pause), in the
 * caller's transaction.  Called by whatever changed the request.
 */
int	sla_update(struct store *, const struct config *, int64_t ticket,
	    time_t now, struct error *err);

/* "first_response", "next_response", "resolution". */
const char	*sla_target_name(enum sla_target);
/* "first response", ... for people. */
const char	*sla_target_label(enum sla_target);

/*
 * The deadlines st gives under policy p (pure: no database, no clock).
 * A request pending now (st->paused_at set) has no running resolution
 * deadline.  Resolved and closed requests have none at all.
 */
void	sla_compute(const struct sla_policy *p, const struct sla_state *st,
	    struct sla_deadlines *out);

/*
 * The time left until due at now, for people: "due in 1h20m", "overdue
 * by 35m", "due in 2d3h".  Always NUL-terminates buf (len > 0).
 */
void	sla_format_left(time_t due, time_t now, char *buf, size_t len);
/* t in cal's zone: "Monday 23 Nov 2026 09:00 CET" (cal NULL: UTC). */
void	sla_format_time(const struct calendar *cal, time_t t, char *buf,
	    size_t len);

/*
 * sla_update for the request a message just joined (after routing in
 * pipeline_ingest), and for a new one the out-of-hours decision: when
 * the calendar of its policy is closed at v->now, v->ack_kind becomes
 * "out_of_hours", v->clock_starts the next opening and *cal_out that
 * calendar (for showing the time).  Otherwise v is untouched and
 * *cal_out NULL.  -1 + err on database trouble.
 */
int	sla_intake(struct store *, struct pipeline_view *v,
	    const struct calendar **cal_out, struct error *err);
/*
 * The deadlines and sla_check_at of t, a request made in this
 * transaction, onto its row in memory (nothing written: routing writes
 * them with its decisions, and sla_intake then finds nothing to change).
 * first_in: the time of its first customer message (0: automatic).
 * True if they changed (a policy applies).
 */
bool	sla_fresh(const struct config *c, struct ticket *t, time_t now,
	    time_t first_in);

/* Deadlines of one request as stored, for triagectl show. */
struct sla_view {
	char	*policy;		/* NULL: none */
	time_t	 due[SLA_NTARGETS];	/* 0: not running */
	time_t	 paused_at;		/* 0: not paused */
	long	 paused_secs;
};
/* 0 and *out filled (free with sla_view_release), -1 + err. */
int	sla_view_load(struct store *, const struct config *, int64_t ticket,
	    struct sla_view *out, struct error *err);
void	sla_view_release(struct sla_view *);

/*
 * The policy of request ticket (NULL: none, or hidden) and the deadlines
 * its row gives now, as sla_update last stored them (call it first).
 * 0, or -1 + err (ERR_PERM: no such request).
 */
int	sla_deadlines(struct store *, const struct config *, int64_t ticket,
	    const struct sla_policy **policy_out, struct sla_deadlines *out,
	    struct error *err);
/*
 * Whether stage ("warning", "breach") of target already happened for the
 * clock started at start (an sla_marks row written since).  0 and *out,
 * or -1 + err.
 */
int	sla_stage_done(struct store *, int64_t ticket, enum sla_target,
	    time_t start, const char *stage, bool *out, struct error *err);
/*
 * Recomputes the deadlines of up to SLA_RECOMPUTE_BATCH open requests
 * with ids above *after (after a config reload that may have changed
 * policies or calendars), in the caller's transaction, and moves *after
 * on.  Returns how many it did (fewer than the batch: the end), or -1 +
 * err.  A caller commits between batches so the intake is not held up
 * for the whole store.
 */
#define SLA_RECOMPUTE_BATCH	256
int	sla_recompute_some(struct store *, const struct config *, time_t now,
	    int64_t *after, struct error *err);
/* All of them, batch after batch, in the caller's one transaction. */
int	sla_recompute_all(struct store *, const struct config *, time_t now,
	    struct error *err);

#endif
