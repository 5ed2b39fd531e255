/*
 * report: the figures support leads ask for, computed with SQL over the
 * indexed tables and aggregated here: how fast requests are answered and
 * resolved (wall and business time), how well the SLAs are kept, who
 * carries the load, and what customers think (ratings).
 *
 * Meaning of every figure, in one place.  The requests of a report are
 * those opened in [from, to) that are not hidden (spam) nor merged away;
 * each figure of a group is about those requests ("cohort" figures):
 *   opened       how many were opened
 *   resolved     how many are resolved or closed now
 *   reopened     how many came back at least once (reopen_count > 0)
 *   first response  first_response_at - created_at, over those answered;
 *                business: the calendar's business seconds in between
 *   resolution   resolved_at - created_at less the paused time, over
 *                the resolved ones.  Paused: each stretch in status
 *                pending (from the status event that entered it to the
 *                one that left it, a resolution or close included), cut
 *                to [created_at, resolved_at].  Wall: less the pauses'
 *                wall seconds; business: the calendar's business
 *                seconds in between less the pauses' business seconds
 *                (never below 0)
 *   SLA          per target (first response, resolution): breached if
 *                the answer came after its due time, or no answer and
 *                the due time has passed, or a breach mark exists in
 *                sla_marks; met if answered and not breached; in
 *                progress otherwise.  Due times are those the request's
 *                policy (as configured now) gives from created_at; the
 *                resolution's clock runs in the policy's calendar while
 *                the request is not paused, and its due time is the
 *                first instant it reaches the target (a pause that
 *                begins at or after it does not move it); without a
 *                config or policy, the
 *                running deadline stored on the row.  Marks only add
 *                breaches: the daemon may have been down at a deadline
 *   messages     customer messages (direction in) and agent replies
 *                (direction out) on those requests
 *   rating       average and count of the customers' 1-5 ratings
 * Tasks (issue 19) are not cohort figures either: the tasks with a due
 * time done in [from, to), how many of them by their due time, and the
 * open tasks overdue at now, of every request.
 * The backlog is not a cohort figure: it is every request open now (new,
 * open or pending, any creation date) of the group, with its age at now.
 * Percentiles: the median is the middle value (the mean of the two middle
 * ones for an even count, rounded down); p90 is the nearest rank, the
 * value at position ceil(0.9 n) of the sorted durations.
 *
 * Days, hours and weekdays are those of the calendar's time zone (UTC
 * without a calendar).  A NULL calendar means 24/7: business time equals
 * wall time.
 */
#ifndef TRIAGED_REPORT_H
#define TRIAGED_REPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "config_reports.h"	/* the reports section, digests */

struct calendar;
struct config;
struct error;
struct store;

enum report_by {
	REPORT_BY_NONE,		/* one group: the total */
	REPORT_BY_AGENT,
	REPORT_BY_CATEGORY,
	REPORT_BY_COMPANY,
	REPORT_BY_PRIORITY,
	REPORT_BY_DAY,		/* YYYY-MM-DD */
	REPORT_BY_HOUR,		/* 00..23 */
	REPORT_BY_WEEKDAY	/* Mon..Sun */
};

/* A set of durations in seconds. */
struct report_durations {
	long	n;
	long	avg;		/* rounded down */
	long	median;
	long	p90;
	long	max;
};

/* Met / breached / in progress for one SLA target. */
struct report_sla {
	long	met;
	long	breached;
	long	running;
};

struct report_row {
	char			*group;		/* "(none)" for NULL */
	long			 opened;
	long			 resolved;
	long			 reopened;
	struct report_durations	 first_wall;
	struct report_durations	 first_business;
	struct report_durations	 resolution_wall;
	struct report_durations	 resolution_business;
	struct report_sla	 sla_first;
	struct report_sla	 sla_resolution;
	long			 customer_messages;
	long			 agent_replies;
	long			 backlog;
	long			 backlog_age_avg;	/* seconds */
	long			 backlog_age_max;
	long			 rated;
	double			 rating_avg;		/* 0 when none */
};

struct report {
	time_t			 from, to, now;
	enum report_by		 by;
	struct report_row	*rows;		/* sorted by group */
	size_t			 nrows;
	struct report_row	 total;		/* group "total" */
	long			 tasks_done;	/* see the top of this file */
	long			 tasks_on_time;
	long			 tasks_overdue;
};

/*
 * Computes the report of [from, to) grouped by `by`, with ages at now,
 * business time on cal (NULL: 24/7) and the SLA policies of cfg (NULL:
 * the stored deadlines only; cfg must outlive the call).  0 and *out
 * filled (free with report_free), or -1 + err for database trouble.
 */
int		 report_build(struct store *, const struct config *cfg,
		    const struct calendar *cal, time_t from, time_t to,
		    enum report_by by, time_t now, struct report *out,
		    struct error *err);
void		 report_free(struct report *);

/* "agent" ... "weekday" (and "none"); -1 for an unknown name. */
int		 report_by_parse(const char *name, enum report_by *out);
const char	*report_by_name(enum report_by);

/*
 * The period named name ("today", "week" from Monday 00:00, "month"
 * from the 1st 00:00, each up to now) in cal's time zone (UTC if NULL).
 * -1 for an unknown name.
 */
int		 report_period(const char *name, const struct calendar *cal,
		    time_t now, time_t *from, time_t *to);
/*
 * Local midnight of date "YYYY-MM-DD" in cal's zone (UTC if NULL);
 * -1 for a malformed date.
 */
int		 report_date(const char *date, const struct calendar *cal,
		    time_t *out);
/* Local midnight starting the day of t in cal's zone (UTC if NULL). */
time_t		 report_day_start(const struct calendar *cal, time_t t);
/*
 * "YYYY-MM-DD HH:MM" of t in cal's zone (UTC if NULL), into out; out.
 * Times people read are in the reports' zone, named with
 * report_zone_name.
 */
const char	*report_time_text(const struct calendar *cal, time_t t,
		    char *out, size_t size);
/* The IANA name of cal's zone, or "UTC" without a calendar. */
const char	*report_zone_name(const struct calendar *cal);
/*
 * A business duration for people: "27h30m", "45m10s", "12s": hours
 * never gather into days, whose business length is the calendar's own
 * (a "1d" of 24 business hours would be three working days).
 */
const char	*report_business_text(long secs, char *out, size_t size);
/* Tasks done on time, in percent of those done; -1 if none. */
int		 report_tasks_percent(const struct report *);
/* The SLA compliance in percent (met of met + breached); -1 if none. */
int		 report_sla_percent(const struct report_sla *);

/* The load view: open requests per agent, and when requests arrive. */
struct report_load_agent {
	char	*agent;		/* "(unassigned)" for NULL */
	long	 open;
	long	 overdue;	/* a deadline has passed */
	long	 due_soon;	/* the next deadline within the hour */
};

struct report_load {
	struct report_load_agent	*agents;	/* sorted by name */
	size_t				 nagents;
	/* requests opened in [from, to), by weekday (0 = Monday) and hour */
	long				 opened[7][24];
};

/*
 * Fills *out from the open requests at now and those opened in
 * [from, to).  0, or -1 + err.  Free with report_load_free.
 */
int		 report_load_build(struct store *, const struct calendar *cal,
		    time_t from, time_t to, time_t now,
		    struct report_load *out, struct error *err);
void		 report_load_free(struct report_load *);

#endif
