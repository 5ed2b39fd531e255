/*
 * ctl_show: `triagectl show N`, one request with its cc list, its SLA
 * deadlines with the time left, every message (oldest first, body and
 * attachment metadata), its outbox, its tasks and (JSON) its history.
 * Several numbers show each in turn (JSON: one document per line), from
 * one process and one database connection: a script comparing thousands
 * of requests (pg_migrate.sh) does not start thousands of triagectl.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "clock.h"
#include "error.h"
#include "json.h"
#include "message.h"
#include "history.h"
#include "sla.h"
#include "task.h"
#include "ticket.h"
#include "triagectl.h"

#define CTL_SHOW_INDENT	"    "

/* What show reads besides ticket_show: tasks and history (issue 19). */
struct ctl_show_more {
	struct task		*tasks;
	size_t			 ntasks;
	struct history_event	*events;
	size_t			 nevents;
	time_t			 now;
};

static int	ctl_show_run(struct triagectl *, int, char **);
static int	ctl_show_one(struct triagectl *, struct store *, long long);
static void	ctl_show_json(struct buf *, const struct ticket_detail *,
		    const struct sla_view *, const struct ctl_show_more *);
static void	ctl_show_json_more(struct json *,
		    const struct ctl_show_more *);
static void	ctl_show_text_tasks(struct buf *, const struct calendar *,
		    const struct ctl_show_more *);
static int	ctl_show_more_load(struct store *, int64_t,
		    struct ctl_show_more *, struct error *);
static void	ctl_show_more_free(struct ctl_show_more *);
static void	ctl_show_json_sla(struct json *, const struct sla_view *);
static void	ctl_show_text_sla(struct buf *, const struct calendar *,
		    const struct sla_view *);
static void	ctl_show_json_message(struct json *,
		    const struct ticket_message *);
static void	ctl_show_json_outbox(struct json *,
		    const struct ticket_outbox *);
static void	ctl_show_text(struct buf *, const struct calendar *,
		    const struct ticket_detail *, const struct sla_view *,
		    const struct ctl_show_more *);
static void	ctl_show_text_header(struct buf *, const struct calendar *,
		    const struct ticket_detail *);
static void	ctl_show_text_message(struct buf *, const struct calendar *,
		    const struct ticket_message *);
static void	ctl_show_text_outbox(struct buf *, const struct calendar *,
		    const struct ticket_detail *);
static void	ctl_show_field(struct buf *, const char *label, const char *);

const struct triagectl_cmd ctl_show_cmd = {
	"show",
	"N [N...]",
	"show request N with its messages and outgoing mail",
	ctl_show_run
};

static int
ctl_show_run(struct triagectl *ctl, int argc, char **argv)
{
	static const struct option opts[] = { { NULL, 0, NULL, 0 } };
	struct store *st;
	long long id;
	int i, rc;

	optind = 0;
	if (getopt_long(argc, argv, "", opts, NULL) != -1)
		return triagectl_usage(&ctl_show_cmd);
	if (argc - optind < 1)
		return triagectl_usage(&ctl_show_cmd);
	for (i = optind; i < argc; i++) {
		/* "#42" is how people write request numbers. */
		if (argv[i][0] == '#')
			argv[i]++;
		if (triagectl_number(argv[i]) == -1)
			return triagectl_bad_usage(&ctl_show_cmd,
			    "'%s' is not a request number", argv[i]);
	}
	if ((st = triagectl_store(ctl)) == NULL)
		return TRIAGECTL_ERROR;
	for (i = optind; i < argc; i++) {
		id = triagectl_number(argv[i]);
		if (i > optind && !ctl->json)
			buf_append_char(ctl->out, '\n');
		if ((rc = ctl_show_one(ctl, st, id)) != TRIAGECTL_OK)
			return rc;
	}
	return TRIAGECTL_OK;
}

static int
ctl_show_one(struct triagectl *ctl, struct store *st, long long id)
{
	struct ticket_detail *d;
	struct sla_view sv;
	struct ctl_show_more more;
	struct error err;

	error_clear(&err);
	if ((d = ticket_show(st, id, &err)) == NULL)
		return triagectl_fail(&err);
	if (sla_view_load(st, ctl->cfg, id, &sv, &err) == -1) {
		ticket_detail_free(d);
		return triagectl_fail(&err);
	}
	if (ctl_show_more_load(st, id, &more, &err) == -1) {
		sla_view_release(&sv);
		ticket_detail_free(d);
		return triagectl_fail(&err);
	}
	if (ctl->json)
		ctl_show_json(ctl->out, d, &sv, &more);
	else
		ctl_show_text(ctl->out, ctl->zone, d, &sv, &more);
	ctl_show_more_free(&more);
	sla_view_release(&sv);
	ticket_detail_free(d);
	return TRIAGECTL_OK;
}

static void
ctl_show_json(struct buf *out, const struct ticket_detail *d,
    const struct sla_view *sv, const struct ctl_show_more *more)
{
	struct json j;
	size_t i;

	json_init(&j, out);
	json_object_begin(&j);
	json_kv_int(&j, "id", d->row.id);
	json_kv_string(&j, "subject", d->row.subject);
	json_kv_string(&j, "status", d->row.status);
	json_kv_string(&j, "priority", d->row.priority);
	json_kv_string(&j, "category", d->row.category);
	json_kv_string(&j, "assignee", d->row.assignee);
	triagectl_json_time(&j, "created_at", d->row.created_at);
	triagectl_json_time(&j, "updated_at", d->row.updated_at);
	triagectl_json_customer(&j, "customer", &d->row.customer);
	json_kv_string(&j, "customer_language", d->customer_language);
	ctl_show_json_sla(&j, sv);
	json_key(&j, "cc");
	json_array_begin(&j);
	for (i = 0; i < d->ncc; i++) {
		json_object_begin(&j);
		json_kv_string(&j, "address", d->cc[i].address);
		json_kv_string(&j, "name", d->cc[i].name);
		json_object_end(&j);
	}
	json_array_end(&j);
	json_key(&j, "messages");
	json_array_begin(&j);
	for (i = 0; i < d->nmessages; i++)
		ctl_show_json_message(&j, &d->messages[i]);
	json_array_end(&j);
	json_key(&j, "outbox");
	json_array_begin(&j);
	for (i = 0; i < d->noutbox; i++)
		ctl_show_json_outbox(&j, &d->outbox[i]);
	json_array_end(&j);
	ctl_show_json_more(&j, more);
	json_object_end(&j);
	buf_append_char(out, '\n');
}

static void
ctl_show_json_message(struct json *j, const struct ticket_message *m)
{
	size_t i;

	json_object_begin(j);
	json_kv_int(j, "id", m->id);
	json_kv_string(j, "direction", m->direction);
	json_kv_string(j, "message_id", m->message_id);
	json_key(j, "from");
	json_object_begin(j);
	json_kv_string(j, "name", m->from_name);
	json_kv_string(j, "address", m->from_addr);
	json_object_end(j);
	json_kv_string(j, "subject", m->subject);
	json_key(j, "body");
	if (m->body == NULL)
		json_null(j);
	else
		json_string_len(j, m->body, m->body_len);
	triagectl_json_time(j, "created_at", m->created_at);
	json_kv_string(j, "source", m->source);
	json_kv_string(j, "auto_reason", m->auto_reason);
	json_kv_string(j, "parse_warning", m->parse_warning);
	json_kv_string(j, "token_flag", m->token_flag);
	json_key(j, "attachments");
	json_array_begin(j);
	for (i = 0; i < m->nattachments; i++) {
		json_object_begin(j);
		json_kv_string(j, "filename", m->attachments[i].filename);
		json_kv_string(j, "content_type",
		    m->attachments[i].content_type);
		json_kv_int(j, "size", m->attachments[i].size);
		json_object_end(j);
	}
	json_array_end(j);
	json_object_end(j);
}

static void
ctl_show_json_outbox(struct json *j, const struct ticket_outbox *o)
{
	json_object_begin(j);
	json_kv_int(j, "id", o->id);
	json_kv_string(j, "kind", o->kind);
	json_kv_string(j, "rcpts", o->rcpts);
	json_kv_string(j, "status", o->status);
	json_kv_int(j, "attempts", o->attempts);
	json_kv_string(j, "last_error", o->last_error);
	json_object_end(j);
}

/*
 * "sla": { "policy": ..., "<target>_due": ISO or null, "<target>_left":
 * "due in 1h20m" / "overdue by 35m" or null, "paused_since": ISO or
 * null, "paused_secs": business seconds paused before }.
 */
static void
ctl_show_json_sla(struct json *j, const struct sla_view *sv)
{
	char key[48], left[48];
	time_t now = clock_now();
	int i;

	json_key(j, "sla");
	json_object_begin(j);
	json_kv_string(j, "policy", sv->policy);
	for (i = 0; i < SLA_NTARGETS; i++) {
		(void)snprintf(key, sizeof(key), "%s_due",
		    sla_target_name((enum sla_target)i));
		if (sv->due[i] == 0) {
			json_key(j, key);
			json_null(j);
		} else
			triagectl_json_time(j, key, sv->due[i]);
		(void)snprintf(key, sizeof(key), "%s_left",
		    sla_target_name((enum sla_target)i));
		sla_format_left(sv->due[i], now, left, sizeof(left));
		json_kv_string(j, key, sv->due[i] != 0 ? left : NULL);
	}
	if (sv->paused_at == 0) {
		json_key(j, "paused_since");
		json_null(j);
	} else
		triagectl_json_time(j, "paused_since", sv->paused_at);
	json_kv_int(j, "paused_secs", sv->paused_secs);
	json_object_end(j);
}

/* One line per running deadline, with the time left or overdue. */
static void
ctl_show_text_sla(struct buf *out, const struct calendar *zone,
    const struct sla_view *sv)
{
	char when[TRIAGECTL_TIME_MAX], left[48];
	time_t now = clock_now();
	int i;

	if (sv->policy == NULL)
		return;
	ctl_show_field(out, "SLA", sv->policy);
	for (i = 0; i < SLA_NTARGETS; i++) {
		if (sv->due[i] == 0)
			continue;
		sla_format_left(sv->due[i], now, left, sizeof(left));
		buf_printf(out, "Due:       %s %s (%s)\n",
		    sla_target_label((enum sla_target)i),
		    triagectl_time_text(zone, sv->due[i], when, sizeof(when)),
		    left);
	}
	if (sv->paused_at != 0)
		ctl_show_field(out, "Paused", triagectl_time_text(zone,
		    sv->paused_at, when, sizeof(when)));
}

static void
ctl_show_text(struct buf *out, const struct calendar *zone,
    const struct ticket_detail *d, const struct sla_view *sv,
    const struct ctl_show_more *more)
{
	size_t i;

	ctl_show_text_header(out, zone, d);
	ctl_show_text_sla(out, zone, sv);
	for (i = 0; i < d->nmessages; i++)
		ctl_show_text_message(out, zone, &d->messages[i]);
	ctl_show_text_outbox(out, zone, d);
	ctl_show_text_tasks(out, zone, more);
}

static void
ctl_show_text_header(struct buf *out, const struct calendar *zone,
    const struct ticket_detail *d)
{
	char when[TRIAGECTL_TIME_MAX];
	size_t i;

	buf_printf(out, "Request #%lld: ", (long long)d->row.id);
	triagectl_text(out, d->row.subject, 0);
	buf_append_char(out, '\n');
	ctl_show_field(out, "Status", d->row.status);
	ctl_show_field(out, "Priority", d->row.priority);
	ctl_show_field(out, "Category", d->row.category);
	ctl_show_field(out, "Assignee", d->row.assignee);
	buf_append_str(out, "Customer:  ");
	triagectl_person(out, d->row.customer.name, d->row.customer.address);
	if (d->row.customer.id != 0)
		buf_printf(out, " (customer %lld)",
		    (long long)d->row.customer.id);
	buf_append_char(out, '\n');
	if (d->customer_language != NULL)
		ctl_show_field(out, "Language", d->customer_language);
	if (d->ncc > 0) {
		buf_append_str(out, "Cc:        ");
		for (i = 0; i < d->ncc; i++) {
			if (i > 0)
				buf_append_str(out, ", ");
			triagectl_person(out, d->cc[i].name, d->cc[i].address);
		}
		buf_append_char(out, '\n');
	}
	ctl_show_field(out, "Source", d->source);
	ctl_show_field(out, "Created", triagectl_time_text(zone,
	    d->row.created_at, when, sizeof(when)));
	ctl_show_field(out, "Updated", triagectl_time_text(zone,
	    d->row.updated_at, when, sizeof(when)));
}

static void
ctl_show_text_message(struct buf *out, const struct calendar *zone,
    const struct ticket_message *m)
{
	char when[TRIAGECTL_TIME_MAX];
	size_t i;

	buf_printf(out, "\n--- %s  ", triagectl_time_text(zone,
	    m->created_at, when, sizeof(when)));
	triagectl_text(out, m->direction, 0);
	buf_append_str(out, "  ");
	triagectl_person(out, m->from_name, m->from_addr);
	buf_printf(out, "  (message %lld)\n", (long long)m->id);
	ctl_show_field(out, "Subject", m->subject);
	if (m->auto_reason != NULL)
		ctl_show_field(out, "Automatic", m->auto_reason);
	if (m->parse_warning != NULL)
		ctl_show_field(out, "Warning", m->parse_warning);
	if (m->token_flag != NULL)
		ctl_show_field(out, "Suspect",
		    message_flag_text(m->token_flag));
	for (i = 0; i < m->nattachments; i++) {
		buf_append_str(out, "Attached:  ");
		triagectl_text(out, m->attachments[i].filename, 0);
		buf_append_str(out, " (");
		triagectl_text(out, m->attachments[i].content_type, 0);
		buf_printf(out, ", %lld bytes)\n",
		    (long long)m->attachments[i].size);
	}
	buf_append_char(out, '\n');
	if (m->body != NULL)
		triagectl_block(out, m->body, m->body_len, CTL_SHOW_INDENT);
}

static void
ctl_show_text_outbox(struct buf *out, const struct calendar *zone,
    const struct ticket_detail *d)
{
	static const char *const headers[] = { "ID", "KIND", "STATUS",
	    "ATTEMPTS", "CREATED", "RCPTS", "LAST ERROR" };
	static const size_t max[] = { 0, 0, 0, 0, 0, 40, 60 };
	struct triagectl_table *t;
	const char *cells[7];
	char id[24], attempts[24], when[TRIAGECTL_TIME_MAX];
	size_t i;

	if (d->noutbox == 0)
		return;
	buf_append_str(out, "\nOutgoing mail:\n");
	t = triagectl_table_new(headers, max, 7);
	for (i = 0; i < d->noutbox; i++) {
		(void)snprintf(id, sizeof(id), "%lld",
		    (long long)d->outbox[i].id);
		(void)snprintf(attempts, sizeof(attempts), "%lld",
		    (long long)d->outbox[i].attempts);
		cells[0] = id;
		cells[1] = d->outbox[i].kind;
		cells[2] = d->outbox[i].status;
		cells[3] = attempts;
		cells[4] = triagectl_time_text(zone, d->outbox[i].created_at,
		    when, sizeof(when));
		cells[5] = d->outbox[i].rcpts;
		cells[6] = d->outbox[i].last_error;
		triagectl_table_add(t, cells);
	}
	triagectl_table_print(t, out);
	triagectl_table_free(t);
}

/* "Label:    value", values aligned after the longest label. */
static void
ctl_show_field(struct buf *out, const char *label, const char *value)
{
	buf_printf(out, "%s:%*s", label, (int)(10 - strlen(label)), "");
	triagectl_text(out, value != NULL && *value != '\0' ? value : NULL, 0);
	buf_append_char(out, '\n');
}

static int
ctl_show_more_load(struct store *st, int64_t id, struct ctl_show_more *more,
    struct error *err)
{
	struct task_filter f;

	memset(more, 0, sizeof(*more));
	memset(&f, 0, sizeof(f));
	f.ticket = id;
	more->now = clock_now();
	if (task_list(st, &f, &more->tasks, &more->ntasks, err) == -1)
		return -1;
	if (history_list(st, id, &more->events, &more->nevents, err) == -1) {
		task_list_free(more->tasks, more->ntasks);
		return -1;
	}
	return 0;
}

static void
ctl_show_more_free(struct ctl_show_more *more)
{
	task_list_free(more->tasks, more->ntasks);
	history_list_free(more->events, more->nevents);
}

/* "tasks" (as `task list --json` shows them) and "events". */
static void
ctl_show_json_more(struct json *j, const struct ctl_show_more *more)
{
	const struct task *t;
	size_t i;

	json_key(j, "tasks");
	json_array_begin(j);
	for (i = 0; i < more->ntasks; i++) {
		t = &more->tasks[i];
		json_object_begin(j);
		json_kv_int(j, "id", t->id);
		json_kv_string(j, "assignee", t->assignee);
		json_kv_string(j, "text", t->text);
		if (t->due_at != 0)
			triagectl_json_time(j, "due", t->due_at);
		else {
			json_key(j, "due");
			json_null(j);
		}
		json_kv_string(j, "created_by", t->created_by);
		json_kv_string(j, "done_by", t->done_by);
		json_key(j, "overdue");
		json_bool(j, t->done_at == 0 && t->due_at != 0 &&
		    t->due_at < more->now);
		json_object_end(j);
	}
	json_array_end(j);
	json_key(j, "events");
	json_array_begin(j);
	for (i = 0; i < more->nevents; i++) {
		json_object_begin(j);
		triagectl_json_time(j, "at", more->events[i].at);
		json_kv_string(j, "kind", more->events[i].kind);
		json_kv_string(j, "actor", more->events[i].actor);
		json_kv_string(j, "detail", more->events[i].detail);
		json_object_end(j);
	}
	json_array_end(j);
}

/* The tasks, then their events ("task", "task_done") in time order. */
static void
ctl_show_text_tasks(struct buf *out, const struct calendar *zone,
    const struct ctl_show_more *more)
{
	const struct history_event *e;
	const struct task *t;
	char when[TRIAGECTL_TIME_MAX];
	size_t i;

	if (more->ntasks == 0)
		return;
	buf_append_str(out, "\nTasks:\n");
	for (i = 0; i < more->ntasks; i++) {
		t = &more->tasks[i];
		buf_printf(out, "  #%lld  %s  ", (long long)t->id,
		    t->done_at != 0 ? "done" : t->due_at != 0 &&
		    t->due_at < more->now ? "OVERDUE" : "open");
		triagectl_text(out, t->assignee != NULL ? t->assignee :
		    "(the request's assignee)", 0);
		if (t->due_at != 0)
			buf_printf(out, "  due %s", triagectl_time_text(zone,
			    t->due_at, when, sizeof(when)));
		buf_append_str(out, "  ");
		triagectl_text(out, t->text, 0);
		buf_append_char(out, '\n');
	}
	for (i = 0; i < more->nevents; i++) {
		e = &more->events[i];
		if (e->kind == NULL || strncmp(e->kind, "task", 4) != 0)
			continue;
		buf_printf(out, "  %s  %s  ", triagectl_time_text(zone, e->at,
		    when, sizeof(when)), e->kind);
		triagectl_text(out, e->actor, 0);
		buf_append_str(out, "  ");
		triagectl_text(out, e->detail, 0);
		buf_append_char(out, '\n');
	}
}
