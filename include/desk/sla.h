/*
 * sla: calendars and SLA policies (config_sla.c loads them), the
 * deadlines they give each request, and the timer that sends warnings
 * and breach mail and escalates.
 *
 * The config part: three top-level sections, all optional.
 *
 *	calendars = ( { name = "office"; timezone = "Europe/Warsaw";
 *	    hours = { mon = [ "9:00-17:00" ]; ... sat = []; };
 *	    holidays = [ "2026-12-25" ]; workdays = [ "2026-12-27" ]; } );
 *	    (the first calendar is the default; with none, a built-in 24/7
 *	    UTC calendar named "24x7")
 *	sla_policies = ( { name = "standard"; calendar = "office";
 *	    first_response = 180; next_response = 240; resolution = 2400;
 *	    priorities = [ "normal" ]; warn_at = 80;
 *	    escalate = { priority = "+1"; tag = "breached"; assign = "boss";
 *	    category = "Escalations"; notify = [ "lead@example.test" ]; };
 *	    } );
 *	    (targets in business minutes of the calendar, 0 or absent: none)
 *	sla = { default_policy = "standard"; warning = { subject; body; };
 *	    breach = { ... }; out_of_hours_ack = { ... }; };
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

struct calendar;
struct config;
struct config_loader;
struct config_setting_t;
struct error;
struct pipeline_view;
struct store;
struct template;

/* The three targets, in the order of struct sla_deadlines' arrays. */
enum sla_target {
	SLA_FIRST_RESPONSE,
	SLA_NEXT_RESPONSE,
	SLA_RESOLUTION,
	SLA_NTARGETS
};

struct sla_escalation {
	char	*priority;	/* "+1" (levels up) or a level; NULL */
	char	*tag;
	char	*assign;	/* an agent name */
	char	*category;
	char	**notify;	/* extra addresses told of the breach */
	size_t	 nnotify;
};

struct sla_policy {
	char			*name;
	char			*calendar_name;	/* NULL: default */
	const struct calendar	*calendar;	/* resolved at check */
	long			 target[SLA_NTARGETS]; /* secs; 0: none */
	char			**priorities;
	size_t			 npriorities;
	int			 warn_at;	/* %; 0 or 100: none */
	struct sla_escalation	 escalate;
};

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
/* The calendar named name; NULL name: the default one.  NULL if none. */
const struct calendar *sla_calendar(const struct config *, const char *name);

/* "first_response", "next_response", "resolution". */
const char	*sla_target_name(enum sla_target);
/* "first response", ... for people. */
const char	*sla_target_label(enum sla_target);

/* The policy named name, or NULL. */
const struct sla_policy *sla_policy_find(const struct config *,
		    const char *name);
/*
 * How many policies sla_policies defines.  With none, SLAs are off and
 * a policy named by a category, company or rule is not checked: it waits
 * for the policies (config_sla_check, config_routing_check).
 */
size_t		 sla_policy_count(const struct config *);
/*
 * The policy of a request whose sla_policy column is chosen (may be NULL)
 * and whose priority is priority (see the top of this file); NULL: none.
 */
const struct sla_policy *sla_policy_for(const struct config *,
		    const char *chosen, const char *priority);

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
 * The out-of-hours decision for a new request (after routing and
 * sla_update in pipeline_ingest): when the calendar of its policy is
 * closed at v->now, v->ack_kind becomes "out_of_hours", v->clock_starts
 * the next opening and *cal_out that calendar (for showing the time).
 * Otherwise v is untouched and *cal_out NULL.  -1 + err on database
 * trouble.
 */
int	sla_out_of_hours(struct store *, struct pipeline_view *v,
	    const struct calendar **cal_out, struct error *err);
/* The out-of-hours acknowledgement templates (never NULL). */
const struct template *sla_ooh_subject(const struct config *);
const struct template *sla_ooh_body(const struct config *);

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

/* The mail templates of warnings and breaches (never NULL). */
const struct template *sla_mail_subject(const struct config *, bool breach);
const struct template *sla_mail_body(const struct config *, bool breach);
/* The default policy's name, or NULL. */
const char	*sla_default_policy(const struct config *);

/*
 * The config sections' hooks (config_section.h), listed in
 * config_sections[]: init and free on "calendars", the cross-reference
 * check (calendars, priorities, agents, categories) on "sla".
 */
void	config_sla_init(struct config *);
void	config_sla_free(struct config *);
void	config_sla_load_calendars(struct config_loader *,
	    struct config_setting_t *);
void	config_sla_load_policies(struct config_loader *,
	    struct config_setting_t *);
void	config_sla_load_sla(struct config_loader *,
	    struct config_setting_t *);
void	config_sla_check(struct config_loader *);

#endif
