/*
 * task_remind: reminders of due tasks (task_remind.h).
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "compose.h"
#include "config.h"
#include "config_agents.h"
#include "error.h"
#include "log.h"
#include "mailout.h"
#include "outbox.h"
#include "reply_address.h"
#include "sla.h"
#include "subject_token.h"
#include "task.h"
#include "task_ops.h"
#include "task_remind.h"
#include "ticket.h"
#include "xmalloc.h"

/* One pass. */
struct task_remind_pass {
	struct store		*st;
	const struct config	*cfg;
	struct subject_token	*tok;
	time_t			 now;
	int			 queued;
};

static int	task_remind_one(struct task_remind_pass *, int64_t,
		    struct error *);
static int	task_remind_agent(struct task_remind_pass *,
		    const struct task *, const struct ticket *,
		    const struct agent *, struct error *);
static char	*task_remind_body(struct task_remind_pass *,
		    const struct task *, const struct ticket *,
		    const struct agent *);

int
task_remind_run(struct store *st, const struct config *cfg, time_t now,
    size_t max, int *queued, bool *again, struct error *err)
{
	struct task_remind_pass pass;
	int64_t *ids;
	size_t i, n = 0;
	int rc = 0;

	*queued = 0;
	*again = false;
	memset(&pass, 0, sizeof(pass));
	pass.st = st;
	pass.cfg = cfg;
	pass.now = now;
	ids = xcalloc(max + 1, sizeof(*ids));
	if (task_due(st, now, max, ids, &n, err) == -1) {
		free(ids);
		return -1;
	}
	if (n > 0 && (pass.tok = subject_token_new(cfg->token_format,
	    err)) == NULL)
		rc = -1;
	for (i = 0; rc == 0 && i < n; i++)
		rc = task_remind_one(&pass, ids[i], err);
	subject_token_free(pass.tok);
	free(ids);
	*queued = pass.queued;
	*again = rc == 0 && n == max;
	return rc;
}

/*
 * The mark first: if another pass (a second daemon on the same
 * database) marked it, this one sends nothing.
 */
static int
task_remind_one(struct task_remind_pass *pass, int64_t id, struct error *err)
{
	const struct config *cfg = pass->cfg;
	const struct agent *a, *to[1];
	const struct agent **team = NULL;
	struct task t;
	struct ticket tk;
	size_t i, n = 0;
	bool marked;
	int rc = 0;

	if (task_load(pass->st, id, &t, err) == -1)
		return -1;
	if (task_mark_reminded(pass->st, id, pass->now, &marked,
	    err) == -1) {
		task_clear(&t);
		return -1;
	}
	if (!marked) {
		task_clear(&t);
		return 0;
	}
	if (ticket_load(pass->st, t.ticket_id, &tk, err) == -1) {
		task_clear(&t);
		return -1;
	}
	if ((t.assignee != NULL && (a = config_agents_find(cfg,
	    t.assignee)) != NULL) || (tk.assignee != NULL &&
	    (a = config_agents_find(cfg, tk.assignee)) != NULL)) {
		to[0] = a;
		team = to;
		n = 1;
	} else {
		/* the team: who serves its category, else everybody */
		team = xcalloc(config_agents_count(cfg) + 1, sizeof(*team));
		for (i = 0; tk.category != NULL &&
		    i < config_agents_count(cfg); i++) {
			a = config_agents_at(cfg, i);
			if (config_agents_serves(a, tk.category))
				team[n++] = a;
		}
		if (n == 0)
			for (i = 0; i < config_agents_count(cfg); i++)
				team[n++] = config_agents_at(cfg, i);
	}
	if (n == 0)
		log_warnx("task reminder task=%lld ticket=%lld: nobody to "
		    "tell (no agents)", (long long)id, (long long)t.ticket_id);
	for (i = 0; rc == 0 && i < n; i++)
		rc = task_remind_agent(pass, &t, &tk, team[i], err);
	if (team != to)
		free(team);
	ticket_clear(&tk);
	task_clear(&t);
	return rc;
}

static int
task_remind_agent(struct task_remind_pass *pass, const struct task *t,
    const struct ticket *tk, const struct agent *a, struct error *err)
{
	const struct config *cfg = pass->cfg;
	struct compose_addr to;
	struct mailout m;
	struct error e;
	const char *refs[2], *key;
	char *prev = NULL, *subj, *subject, *body, *reply_to = NULL;
	size_t keylen, nrefs = 0;
	int rc;

	if (outbox_latest_message_id(pass->st, tk->id,
	    mailout_kind_name(MAILOUT_NOTIFY), a->addresses[0],
	    tk->created_at, &prev, err) == -1)
		return -1;
	xasprintf(&subj, "Task #%lld due: %.100s", (long long)t->id, t->text);
	subject = subject_token_apply(pass->tok, subj, (uint64_t)tk->id);
	body = task_remind_body(pass, t, tk, a);
	key = config_agents_reply_key(cfg, &keylen);
	if (key != NULL && (reply_to = reply_address_make(key, keylen,
	    cfg->support_addresses[0], a->name, (uint64_t)tk->id,
	    &e)) == NULL)
		log_warnx("task reminder task=%lld agent=%s: no reply "
		    "address: %s", (long long)t->id, a->name, e.msg);
	to = (struct compose_addr){ a->display_name, a->addresses[0] };
	memset(&m, 0, sizeof(m));
	m.kind = MAILOUT_TASK_REMINDER;
	m.ticket_id = tk->id;
	m.to = &to;
	m.nto = 1;
	m.reply_to = reply_to;
	m.subject = subject;
	m.text = body;
	m.now = pass->now;
	/* on the agent's thread of the request, as notify.c threads */
	if (tk->thread_root != NULL)
		refs[nrefs++] = tk->thread_root;
	if (prev != NULL && (tk->thread_root == NULL ||
	    strcmp(prev, tk->thread_root) != 0))
		refs[nrefs++] = prev;
	m.in_reply_to = prev != NULL ? prev : tk->thread_root;
	m.references = nrefs > 0 ? refs : NULL;
	m.nreferences = nrefs;
	/* a bad agent address is the config's: logged there, not retried */
	if ((rc = mailout_queue(pass->st, cfg, &m, NULL, err)) == 0) {
		pass->queued++;
		log_info("task reminder task=%lld ticket=%lld agent=%s",
		    (long long)t->id, (long long)tk->id, a->name);
	} else if (rc == 1)
		rc = 0;
	free(reply_to);
	free(body);
	free(subject);
	free(subj);
	free(prev);
	return rc;
}

static char *
task_remind_body(struct task_remind_pass *pass, const struct task *t,
    const struct ticket *tk, const struct agent *a)
{
	const struct calendar *zone = task_ops_zone(pass->cfg, a->name);
	char due[64], made[64];
	struct buf b;

	sla_format_time(zone, t->due_at, due, sizeof(due));
	sla_format_time(zone, t->created_at, made, sizeof(made));
	buf_init(&b);
	/* above the text, as in every notice: the reply is cut there */
	buf_printf(&b, "%s\n\n", config_agents_reply_marker(pass->cfg));
	buf_printf(&b, "Task #%lld on request #%lld is due %s:\n\n",
	    (long long)t->id, (long long)tk->id, due);
	buf_printf(&b, "    %s\n\n", t->text);
	buf_printf(&b, "Request: %s\n", tk->subject != NULL ? tk->subject :
	    "");
	buf_printf(&b, "Assigned to: %s\n", t->assignee != NULL ?
	    t->assignee : tk->assignee != NULL ? tk->assignee : "(the team)");
	buf_printf(&b, "Created by %s, %s\n\n", t->created_by, made);
	buf_printf(&b, "Answer this mail with the line\n\n    #done %lld\n\n"
	    "to mark the task done.\n", (long long)t->id);
	buf_append_char(&b, '\0');
	return buf_steal(&b, NULL);
}
