/*
 * ctl_task: `triagectl task add|list|done`, the tasks on requests (issue
 * 19) from the command line, through task_ops.c as "#task" and "#done"
 * in agents' mail.  A task added here has no assignee unless --agent
 * names one (its reminder then goes to the request's assignee, else the
 * team); --due is read in that agent's zone, else the default calendar's.
 *
 * Exit codes as ctl_ops.c: 65 for a refusal (no such request, task or
 * agent, a due time that is no due time), 75 when the database was busy.
 */
#include <getopt.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include "buf.h"
#include "clock.h"
#include "error.h"
#include "json.h"
#include "store.h"
#include "task.h"
#include "task_ops.h"
#include "triagectl.h"
#include "xmalloc.h"

static int	ctl_task_run(struct triagectl *, int, char **);
static int	ctl_task_add(struct triagectl *, int, char **);
static int	ctl_task_list(struct triagectl *, int, char **);
static int	ctl_task_done(struct triagectl *, int, char **);
static int	ctl_task_write(struct triagectl *, int64_t ticket,
		    const char *agent, const char *due, const char *text,
		    int64_t done, int64_t *id_out);
static void	ctl_task_json(struct json *, const struct task *, time_t);
static const char *ctl_task_state(const struct task *, time_t);

const struct triagectl_cmd ctl_task_cmd = {
	"task", "add N [--agent A] [--due WHEN] TEXT | list [--mine AGENT] "
	"[--overdue] [--all] | done ID",
	"tasks on requests: add one, list them, mark one done", ctl_task_run
};

static int
ctl_task_run(struct triagectl *ctl, int argc, char **argv)
{
	if (argc < 2)
		return triagectl_usage(&ctl_task_cmd);
	/* the subcommand's arguments, its name in argv[0] for getopt */
	if (strcmp(argv[1], "add") == 0)
		return ctl_task_add(ctl, argc - 1, argv + 1);
	if (strcmp(argv[1], "list") == 0)
		return ctl_task_list(ctl, argc - 1, argv + 1);
	if (strcmp(argv[1], "done") == 0)
		return ctl_task_done(ctl, argc - 1, argv + 1);
	return triagectl_bad_usage(&ctl_task_cmd, "unknown subcommand '%s'",
	    argv[1]);
}

/* task add N [--agent A] [--due WHEN] TEXT... */
static int
ctl_task_add(struct triagectl *ctl, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "agent",	required_argument,	NULL, 'a' },
		{ "due",	required_argument,	NULL, 'd' },
		{ NULL,		0,			NULL, 0 }
	};
	const char *agent = NULL, *due = NULL;
	struct buf text;
	struct json j;
	long long n;
	int64_t id = 0;
	int ch, i, rc;

	optind = 0;
	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (ch == 'a')
			agent = optarg;
		else if (ch == 'd')
			due = optarg;
		else
			return triagectl_usage(&ctl_task_cmd);
	}
	if (argc - optind < 2)
		return triagectl_bad_usage(&ctl_task_cmd, "task add needs a "
		    "request number and the text of the task");
	if ((n = triagectl_number(argv[optind])) <= 0)
		return triagectl_bad_usage(&ctl_task_cmd, "'%s' is not a "
		    "request number", argv[optind]);
	buf_init(&text);
	for (i = optind + 1; i < argc; i++) {
		if (i > optind + 1)
			buf_append_char(&text, ' ');
		buf_append_str(&text, argv[i]);
	}
	buf_append_char(&text, '\0');
	rc = ctl_task_write(ctl, (int64_t)n, agent, due, text.data, 0, &id);
	buf_release(&text);
	if (rc != TRIAGECTL_OK)
		return rc;
	if (!ctl->json) {
		buf_printf(ctl->out, "request #%lld: task #%lld added\n", n,
		    (long long)id);
		return TRIAGECTL_OK;
	}
	json_init(&j, ctl->out);
	json_object_begin(&j);
	json_kv_int(&j, "request", (int64_t)n);
	json_kv_int(&j, "task", id);
	json_object_end(&j);
	buf_append_char(ctl->out, '\n');
	return TRIAGECTL_OK;
}

/* task done ID */
static int
ctl_task_done(struct triagectl *ctl, int argc, char **argv)
{
	struct json j;
	long long n;
	int rc;

	if (argc != 2)
		return triagectl_usage(&ctl_task_cmd);
	if ((n = triagectl_number(argv[1])) <= 0)
		return triagectl_bad_usage(&ctl_task_cmd, "'%s' is not a task "
		    "number", argv[1]);
	if ((rc = ctl_task_write(ctl, 0, NULL, NULL, NULL, (int64_t)n,
	    NULL)) != TRIAGECTL_OK)
		return rc;
	if (!ctl->json) {
		buf_printf(ctl->out, "task #%lld: done\n", n);
		return TRIAGECTL_OK;
	}
	json_init(&j, ctl->out);
	json_object_begin(&j);
	json_kv_int(&j, "task", (int64_t)n);
	json_kv_string(&j, "action", "done");
	json_object_end(&j);
	buf_append_char(ctl->out, '\n');
	return TRIAGECTL_OK;
}

/* One change in a transaction of our own: an add, or done (done > 0). */
static int
ctl_task_write(struct triagectl *ctl, int64_t ticket, const char *agent,
    const char *due, const char *text, int64_t done, int64_t *id_out)
{
	static const char me[] = "triagectl";
	struct store *st;
	struct error err;
	time_t now = clock_now(), at = 0;
	int rc;

	if ((st = triagectl_open(ctl, 0)) == NULL)
		return TRIAGECTL_ERROR;
	error_clear(&err);
	if (store_begin(st, &err) == -1)
		rc = -1;
	else if (done > 0)
		rc = task_ops_done(st, ctl->cfg, done, me, now, &err);
	else
		rc = (due == NULL || task_ops_due(st, ctl->cfg, ticket, agent,
		    due, now, &at, &err) == 0) ? task_ops_add(st, ctl->cfg,
		    ticket, agent, at, text, me, now, id_out, &err) : -1;
	if (rc == -1 || store_commit(st, &err) == -1) {
		store_rollback(st);
		(void)triagectl_fail(&err);
		return err.kind == ERR_PERM ? EX_DATAERR : EX_TEMPFAIL;
	}
	return TRIAGECTL_OK;
}

/* task list [--mine AGENT] [--overdue] [--all] */
static int
ctl_task_list(struct triagectl *ctl, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "mine",	required_argument,	NULL, 'm' },
		{ "overdue",	no_argument,		NULL, 'o' },
		{ "all",	no_argument,		NULL, 'A' },
		{ NULL,		0,			NULL, 0 }
	};
	static const char *const headers[] = { "TASK", "REQUEST", "ASSIGNEE",
	    "DUE", "STATE", "TEXT" };
	static const size_t max[] = { 0, 0, 0, 0, 0, 60 };
	struct task_filter f;
	struct triagectl_table *t;
	struct task *v;
	struct error err;
	struct json j;
	const char *cells[6];
	char id[24], req[24], due[TRIAGECTL_TIME_MAX];
	time_t now = clock_now();
	size_t i, n;
	int ch;

	memset(&f, 0, sizeof(f));
	f.open_only = true;
	optind = 0;
	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (ch == 'm')
			f.assignee = optarg;
		else if (ch == 'o')
			f.overdue_at = now;
		else if (ch == 'A')
			f.open_only = false;
		else
			return triagectl_usage(&ctl_task_cmd);
	}
	if (optind != argc)
		return triagectl_usage(&ctl_task_cmd);
	if (triagectl_store(ctl) == NULL)
		return TRIAGECTL_ERROR;
	if (task_list(ctl->store, &f, &v, &n, &err) == -1)
		return triagectl_fail(&err);
	if (ctl->json) {
		json_init(&j, ctl->out);
		json_array_begin(&j);
		for (i = 0; i < n; i++)
			ctl_task_json(&j, &v[i], now);
		json_array_end(&j);
		buf_append_char(ctl->out, '\n');
		task_list_free(v, n);
		return TRIAGECTL_OK;
	}
	t = triagectl_table_new(headers, max, 6);
	for (i = 0; i < n; i++) {
		(void)snprintf(id, sizeof(id), "%lld", (long long)v[i].id);
		(void)snprintf(req, sizeof(req), "#%lld",
		    (long long)v[i].ticket_id);
		cells[0] = id;
		cells[1] = req;
		cells[2] = v[i].assignee;
		cells[3] = v[i].due_at == 0 ? NULL : triagectl_time_text(
		    ctl->zone, v[i].due_at, due, sizeof(due));
		cells[4] = ctl_task_state(&v[i], now);
		cells[5] = v[i].text;
		triagectl_table_add(t, cells);
	}
	triagectl_table_print(t, ctl->out);
	triagectl_table_free(t);
	task_list_free(v, n);
	return TRIAGECTL_OK;
}

static void
ctl_task_json(struct json *j, const struct task *t, time_t now)
{
	const struct {
		const char	*key;
		time_t		 at;
	} times[] = {
		{ "due", t->due_at }, { "created_at", t->created_at },
		{ "done_at", t->done_at }, { "reminded_at", t->reminded_at },
	};
	size_t i;

	json_object_begin(j);
	json_kv_int(j, "id", t->id);
	json_kv_int(j, "request", t->ticket_id);
	json_kv_string(j, "assignee", t->assignee);
	json_kv_string(j, "text", t->text);
	json_kv_string(j, "created_by", t->created_by);
	json_kv_string(j, "done_by", t->done_by);
	json_kv_string(j, "state", ctl_task_state(t, now));
	for (i = 0; i < sizeof(times) / sizeof(times[0]); i++) {
		if (times[i].at != 0)
			triagectl_json_time(j, times[i].key, times[i].at);
		else {
			json_key(j, times[i].key);
			json_null(j);
		}
	}
	json_object_end(j);
}

/* open, overdue, done, done late */
static const char *
ctl_task_state(const struct task *t, time_t now)
{
	if (t->done_at != 0)
		return t->due_at != 0 && t->done_at > t->due_at ? "done late" :
		    "done";
	return t->due_at != 0 && t->due_at < now ? "overdue" : "open";
}
