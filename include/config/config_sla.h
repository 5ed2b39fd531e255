/*
 * config_sla: calendars, SLA policies and the "sla" section of the
 * config file (config_sla.c), and their lookups; sla.h computes the
 * deadlines they give.
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
 * Everything returned is part of an immutable struct config: pointers
 * stay valid while the caller holds its config reference.
 */
#ifndef TRIAGED_CONFIG_SLA_H
#define TRIAGED_CONFIG_SLA_H

#include <stdbool.h>
#include <stddef.h>

struct calendar;
struct config;
struct config_loader;
struct config_setting_t;
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

/* The calendar named name; NULL name: the default one.  NULL if none. */
const struct calendar *config_sla_calendar(const struct config *,
		    const char *name);

/* The policy named name, or NULL. */
const struct sla_policy *config_sla_policy_find(const struct config *,
		    const char *name);
/*
 * How many policies sla_policies defines.  With none, SLAs are off and
 * a policy named by a category, company or rule is not checked: it waits
 * for the policies (config_sla_check, config_routing_check).
 */
size_t		 config_sla_policy_count(const struct config *);
/*
 * The policy of a request whose sla_policy column is chosen (may be NULL)
 * and whose priority is priority (the order at the top of sla.h); NULL: none.
 */
const struct sla_policy *config_sla_policy_for(const struct config *,
		    const char *chosen, const char *priority);

/* The out-of-hours acknowledgement templates (never NULL). */
const struct template *config_sla_ooh_subject(const struct config *);
const struct template *config_sla_ooh_body(const struct config *);

/* The mail templates of warnings and breaches (never NULL). */
const struct template *config_sla_mail_subject(const struct config *,
		    bool breach);
const struct template *config_sla_mail_body(const struct config *, bool breach);
/* The default policy's name, or NULL. */
const char	*config_sla_default_policy(const struct config *);

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
