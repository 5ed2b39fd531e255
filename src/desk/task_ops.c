/*
 * task_ops: tasks on a request (task_ops.h).  The task row and its
 * history event are written together; the reminder is task_remind.c's.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "buf.h"
#include "calendar.h"
#include "config.h"
#include "config_agents.h"
#include "config_sla.h"
#include "error.h"
#include "history.h"
#include "sla.h"
#include "task.h"
#include "task_ops.h"
#include "ticket.h"
#include "when.h"
#include "xmalloc.h"

/* Longest task text kept (bytes); the rest of a long line is cut. */
#define TASK_OPS_TEXT_MAX	1000

static int	task_ops_ticket(struct store *, int64_t, struct ticket *,
		    struct error *);
static const struct calendar *task_ops_business(const struct config *,
		    const struct ticket *);
static bool	task_ops_blank(const char *);

int
task_ops_add(struct store *st, const struct config *cfg, int64_t ticket,
    const char *assignee, time_t due, const char *text, const char *actor,
    time_t now, int64_t *id_out, struct error *err)
{
	const struct agent *a = NULL;
	struct ticket t;
	struct task row;
	struct buf b;
	char when[64];
	int64_t id;
	int rc;

	if (assignee != NULL && (a = config_agents_find(cfg,
	    assignee)) == NULL)
		return error_set(err, ERR_PERM, "no agent %s", assignee);
	if (text == NULL || task_ops_blank(text))
		return error_set(err, ERR_PERM, "the task has no text");
	if (strlen(text) > TASK_OPS_TEXT_MAX)
		return error_set(err, ERR_PERM, "the task's text is longer "
		    "than %d bytes", TASK_OPS_TEXT_MAX);
	if (due != 0 && due < now)
		return error_set(err, ERR_PERM, "the due time is in the past");
	if (task_ops_ticket(st, ticket, &t, err) == -1)
		return -1;
	ticket_clear(&t);
	memset(&row, 0, sizeof(row));
	row.ticket_id = ticket;
	row.assignee = a != NULL ? a->name : NULL;
	row.due_at = due;
	row.text = (char *)(uintptr_t)text;
	row.created_by = (char *)(uintptr_t)actor;
	row.created_at = now;
	if (task_insert(st, &row, &id, err) == -1)
		return -1;
	/* "#3 for anna due Thursday 03 Dec 2026 10:00 CET: call back" */
	buf_init(&b);
	buf_printf(&b, "#%lld", (long long)id);
	if (a != NULL)
		buf_printf(&b, " for %s", a->name);
	if (due != 0) {
		sla_format_time(task_ops_zone(cfg, a != NULL ? a->name :
		    actor), due, when, sizeof(when));
		buf_printf(&b, " due %s", when);
	}
	buf_printf(&b, ": %s", text);
	buf_append_char(&b, '\0');
	rc = history_add(st, ticket, now, "task", actor, b.data, err);
	buf_release(&b);
	if (rc == 0 && id_out != NULL)
		*id_out = id;
	return rc;
}

int
task_ops_command(struct store *st, const struct config *cfg, int64_t ticket,
    const char *agent, const char *line, time_t now, int64_t *id_out,
    struct error *err)
{
	const char *p = line, *who;
	char *name = NULL;
	const struct calendar *zone;
	struct ticket t;
	time_t due = 0;
	size_t n;
	int rc;

	while (*p == ' ' || *p == '\t')
		p++;
	if (*p == '@') {
		n = strcspn(p + 1, " \t");
		name = xstrndup(p + 1, n);
		p += 1 + n;
	}
	who = name != NULL ? name : agent;
	if (who == NULL || *who == '\0') {
		rc = error_set(err, ERR_PERM, "@ needs an agent name");
		goto out;
	}
	if (config_agents_find(cfg, who) == NULL) {
		rc = error_set(err, ERR_PERM, "no agent %s", who);
		goto out;
	}
	/* the request first: its calendar counts "+3bh" */
	if ((rc = task_ops_ticket(st, ticket, &t, err)) == -1)
		goto out;
	zone = task_ops_zone(cfg, agent);
	rc = when_parse(p, now, zone, task_ops_business(cfg, &t), &due, &n,
	    err);
	ticket_clear(&t);
	if (rc == -1)
		goto out;
	p += n;
	while (*p == ' ' || *p == '\t')
		p++;
	rc = task_ops_add(st, cfg, ticket, config_agents_find(cfg, who)->name,
	    due, p, agent, now, id_out, err);
out:
	free(name);
	return rc;
}

int
task_ops_due(struct store *st, const struct config *cfg, int64_t ticket,
    const char *writer, const char *when, time_t now, time_t *due_out,
    struct error *err)
{
	struct ticket t;
	size_t n;
	int rc;

	if (task_ops_ticket(st, ticket, &t, err) == -1)
		return -1;
	rc = when_parse(when, now, task_ops_zone(cfg, writer),
	    task_ops_business(cfg, &t), due_out, &n, err);
	ticket_clear(&t);
	if (rc == -1)
		return -1;
	if (rc == 0 || when[n] != '\0')
		return error_set(err, ERR_PERM, "\"%s\" is not a due time "
		    "(today 15:00, tomorrow 10:00, 2026-12-01 09:30, +2h, "
		    "+30m, +3bh)", when);
	return 0;
}

int
task_ops_done(struct store *st, const struct config *cfg, int64_t id,
    const char *actor, time_t now, struct error *err)
{
	struct task t;
	char *detail;
	bool done;
	int rc;

	(void)cfg;
	if (task_load(st, id, &t, err) == -1)
		return -1;
	rc = task_mark_done(st, id, now, actor, &done, err);
	if (rc == 0 && done) {
		xasprintf(&detail, "#%lld: %s", (long long)id, t.text);
		rc = history_add(st, t.ticket_id, now, "task_done", actor,
		    detail, err);
		free(detail);
	}
	task_clear(&t);
	return rc;
}

const struct calendar *
task_ops_zone(const struct config *cfg, const char *agent)
{
	const struct agent *a;

	if (agent != NULL && (a = config_agents_find(cfg, agent)) != NULL &&
	    a->zone != NULL)
		return a->zone;
	return config_sla_calendar(cfg, NULL);
}

/* The request, refused when it was merged away (its tasks moved on). */
static int
task_ops_ticket(struct store *st, int64_t ticket, struct ticket *t,
    struct error *err)
{
	if (ticket_load(st, ticket, t, err) == -1)
		return -1;
	if (t->merged_into != 0) {
		error_set(err, ERR_PERM, "request #%lld was merged into #%lld",
		    (long long)ticket, (long long)t->merged_into);
		ticket_clear(t);
		return -1;
	}
	return 0;
}

/* The calendar of the request's SLA policy, else the default one. */
static const struct calendar *
task_ops_business(const struct config *cfg, const struct ticket *t)
{
	const struct sla_policy *p;

	p = config_sla_policy_for(cfg, t->sla_policy, t->priority);
	if (p != NULL && p->calendar != NULL)
		return p->calendar;
	return config_sla_calendar(cfg, NULL);
}

static bool
task_ops_blank(const char *s)
{
	return s[strspn(s, " \t\r\n")] == '\0';
}
