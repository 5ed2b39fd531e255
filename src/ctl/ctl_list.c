/*
 * ctl_list: `triagectl list`, the requests newest first (or by deadline,
 * priority or age), filtered by status, assignment (--mine,
 * --unassigned), category (with its subcategories, or none), tags,
 * priority, deadlines (--overdue, --due-within) or customer.  Spam is
 * listed only with --hidden.  Each request shows how many of its tasks
 * are overdue; --tasks-overdue lists only those that have such tasks
 * (issue 19).
 */
#include <ctype.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "clock.h"
#include "error.h"
#include "json.h"
#include "routing.h"
#include "sla.h"
#include "task.h"
#include "ticket.h"
#include "ticket_tag.h"
#include "triagectl.h"
#include "xmalloc.h"

/* Subjects are cut here: a table row should fit a terminal. */
#define CTL_LIST_SUBJECT_MAX	60

static int	ctl_list_run(struct triagectl *, int, char **);
static int	ctl_list_parse(struct ticket_filter *, bool *, int, char **);
static int	ctl_list_tasks(struct store *, struct ticket_row *, size_t *,
		    bool, size_t, int64_t **, struct error *);
static int	ctl_list_levels(struct triagectl *, struct ticket_filter *,
		    const char ***levels_out);
static long long ctl_list_duration(const char *);
static int	ctl_list_sort(const char *, enum ticket_sort *);
static int	ctl_list_json(struct buf *, struct store *,
		    const struct ticket_row *, size_t, const int64_t *,
		    struct error *);
static void	ctl_list_text(struct buf *, const struct calendar *,
		    const struct ticket_row *, size_t, const int64_t *);

const struct triagectl_cmd ctl_list_cmd = {
	"list",
	"[--status S] [--mine AGENT | --unassigned] [--category PATH | "
	    "--uncategorized] [--untagged] [--priority P] [--overdue | "
	    "--due-within 1h] [--tasks-overdue] [--customer ADDR] [--hidden] "
	    "[--sort deadline|priority|age] [--limit N]",
	"list requests, newest first (or sorted)",
	ctl_list_run
};

static int
ctl_list_run(struct triagectl *ctl, int argc, char **argv)
{
	struct ticket_filter f;
	struct ticket_row *rows;
	struct store *st;
	struct error err;
	const char **levels = NULL;
	int64_t *overdue = NULL;
	bool tasks_overdue = false;
	size_t n, all, limit;
	int rc;

	if ((rc = ctl_list_parse(&f, &tasks_overdue, argc, argv)) !=
	    TRIAGECTL_OK)
		return rc;
	/* with --tasks-overdue the limit counts the requests kept */
	limit = f.limit;
	if (tasks_overdue)
		f.limit = 0;
	if ((st = triagectl_store(ctl)) == NULL)
		return TRIAGECTL_ERROR;
	if ((rc = ctl_list_levels(ctl, &f, &levels)) != TRIAGECTL_OK)
		return rc;
	error_clear(&err);
	rc = ticket_list(st, &f, &rows, &n, &err);
	free(levels);
	if (rc == -1)
		return triagectl_fail(&err);
	all = n;
	if (ctl_list_tasks(st, rows, &n, tasks_overdue, limit, &overdue,
	    &err) == -1) {
		ticket_rows_free(rows, all);
		return triagectl_fail(&err);
	}
	if (ctl->json)
		rc = ctl_list_json(ctl->out, st, rows, n, overdue, &err);
	else
		ctl_list_text(ctl->out, ctl->zone, rows, n, overdue);
	free(overdue);
	ticket_rows_free(rows, all);
	return rc == -1 ? triagectl_fail(&err) : TRIAGECTL_OK;
}

/*
 * The overdue tasks of each request into a new *overdue_out (one
 * indexed count per row listed).  only: the rows without any are moved
 * behind *n (still freed with the others) and *n cut to limit (0: all).
 */
static int
ctl_list_tasks(struct store *st, struct ticket_row *rows, size_t *n,
    bool only, size_t limit, int64_t **overdue_out, struct error *err)
{
	struct ticket_row tmp;
	int64_t *overdue, c;
	time_t now = clock_now();
	size_t i, kept = 0;

	overdue = xcalloc(*n + 1, sizeof(*overdue));
	for (i = 0; i < *n && (!only || limit == 0 || kept < limit); i++) {
		if (task_overdue_count(st, rows[i].id, now, &c, err) == -1) {
			free(overdue);
			return -1;
		}
		if (only && c == 0)
			continue;
		if (kept != i) {
			tmp = rows[kept];
			rows[kept] = rows[i];
			rows[i] = tmp;
		}
		overdue[kept++] = c;
	}
	*n = kept;
	*overdue_out = overdue;
	return 0;
}

static int
ctl_list_parse(struct ticket_filter *f, bool *tasks_overdue, int argc,
    char **argv)
{
	static const struct option opts[] = {
		{ "status",	required_argument,	NULL, 's' },
		{ "unassigned",	no_argument,		NULL, 'u' },
		{ "category",	required_argument,	NULL, 'C' },
		{ "customer",	required_argument,	NULL, 'a' },
		{ "limit",	required_argument,	NULL, 'n' },
		{ "mine",	required_argument,	NULL, 'm' },
		{ "untagged",	no_argument,		NULL, 'T' },
		{ "uncategorized", no_argument,		NULL, 'U' },
		{ "priority",	required_argument,	NULL, 'p' },
		{ "overdue",	no_argument,		NULL, 'o' },
		{ "due-within",	required_argument,	NULL, 'w' },
		{ "sort",	required_argument,	NULL, 'S' },
		{ "hidden",	no_argument,		NULL, 'H' },
		{ "tasks-overdue", no_argument,		NULL, 'K' },
		{ NULL,		0,			NULL, 0 }
	};
	long long limit, within;
	int ch;

	memset(f, 0, sizeof(*f));
	optind = 0;
	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (ch) {
		case 's':
			if (triagectl_status_option(&ctl_list_cmd, optarg,
			    &f->status) != TRIAGECTL_OK)
				return TRIAGECTL_USAGE;
			break;
		case 'u':
			f->unassigned = true;
			break;
		case 'C':
			f->category = optarg;
			break;
		case 'a':
			f->customer = optarg;
			break;
		case 'n':
			if ((limit = triagectl_number(optarg)) == -1)
				return triagectl_bad_usage(&ctl_list_cmd,
				    "--limit wants a positive number, not '%s'",
				    optarg);
			f->limit = (size_t)limit;
			break;
		case 'm':
			f->assignee = optarg;
			break;
		case 'T':
			f->untagged = true;
			break;
		case 'U':
			f->uncategorized = true;
			break;
		case 'p':
			f->priority = optarg;
			break;
		case 'o':
			/* Overdue: a deadline before now, i.e. within 0s. */
			f->due_before = clock_now();
			break;
		case 'w':
			if ((within = ctl_list_duration(optarg)) == -1)
				return triagectl_bad_usage(&ctl_list_cmd,
				    "--due-within wants a duration such as "
				    "30m, 1h or 2d, not '%s'", optarg);
			f->due_before = clock_now() + (time_t)within;
			break;
		case 'S':
			if (ctl_list_sort(optarg, &f->sort) == -1)
				return triagectl_bad_usage(&ctl_list_cmd,
				    "--sort wants deadline, priority or age, "
				    "not '%s'", optarg);
			break;
		case 'H':
			f->hidden = true;
			break;
		case 'K':
			*tasks_overdue = true;
			break;
		default:
			return triagectl_usage(&ctl_list_cmd);
		}
	}
	if (optind != argc)
		return triagectl_bad_usage(&ctl_list_cmd,
		    "unexpected argument '%s'", argv[optind]);
	if (f->assignee != NULL && f->unassigned)
		return triagectl_bad_usage(&ctl_list_cmd,
		    "--mine and --unassigned exclude each other");
	if (f->category != NULL && f->uncategorized)
		return triagectl_bad_usage(&ctl_list_cmd,
		    "--category and --uncategorized exclude each other");
	return TRIAGECTL_OK;
}

/*
 * The config's priority levels into f (for sorting), once the config is
 * loaded; --priority must name one of them.
 */
static int
ctl_list_levels(struct triagectl *ctl, struct ticket_filter *f,
    const char ***levels_out)
{
	const char **levels;
	size_t i, n;

	n = config_routing_priority_count(ctl->cfg);
	if (f->priority != NULL &&
	    config_routing_priority_rank(ctl->cfg, f->priority) == -1)
		return triagectl_bad_usage(&ctl_list_cmd,
		    "unknown priority '%s'", f->priority);
	levels = xcalloc(n == 0 ? 1 : n, sizeof(*levels));
	for (i = 0; i < n; i++)
		levels[i] = config_routing_priority_at(ctl->cfg, i);
	f->levels = levels;
	f->nlevels = n;
	*levels_out = levels;
	return TRIAGECTL_OK;
}

/* "90", "90s", "30m", "1h", "2d", "1w" in seconds; -1 if malformed. */
static long long
ctl_list_duration(const char *s)
{
	static const struct {
		char		unit;
		long long	secs;
	} units[] = {
		{ 's', 1 }, { 'm', 60 }, { 'h', 3600 }, { 'd', 86400 },
		{ 'w', 7 * 86400 }
	};
	long long v = 0;
	size_t i;

	if (!isdigit((unsigned char)*s))
		return -1;
	for (; isdigit((unsigned char)*s); s++) {
		if (v > 100LL * 366 * 86400)
			return -1;
		v = v * 10 + (*s - '0');
	}
	if (*s == '\0')
		return v;
	for (i = 0; i < sizeof(units) / sizeof(units[0]); i++)
		if (s[0] == units[i].unit && s[1] == '\0')
			return v * units[i].secs;
	return -1;
}

static int
ctl_list_sort(const char *s, enum ticket_sort *out)
{
	if (strcmp(s, "deadline") == 0)
		*out = TICKET_SORT_DEADLINE;
	else if (strcmp(s, "priority") == 0)
		*out = TICKET_SORT_PRIORITY;
	else if (strcmp(s, "age") == 0)
		*out = TICKET_SORT_AGE;
	else
		return -1;
	return 0;
}

/* The rows with their tags (one indexed lookup each: a page of rows). */
static int
ctl_list_json(struct buf *out, struct store *st, const struct ticket_row *rows,
    size_t n, const int64_t *overdue, struct error *err)
{
	struct json j;
	char left[48], **tags;
	time_t now = clock_now();
	size_t i, k, ntags;

	json_init(&j, out);
	json_object_begin(&j);
	json_key(&j, "requests");
	json_array_begin(&j);
	for (i = 0; i < n; i++) {
		json_object_begin(&j);
		json_kv_int(&j, "id", rows[i].id);
		json_kv_string(&j, "subject", rows[i].subject);
		json_kv_string(&j, "status", rows[i].status);
		json_kv_string(&j, "priority", rows[i].priority);
		json_kv_string(&j, "category", rows[i].category);
		json_kv_string(&j, "assignee", rows[i].assignee);
		triagectl_json_customer(&j, "customer", &rows[i].customer);
		triagectl_json_time(&j, "created_at", rows[i].created_at);
		triagectl_json_time(&j, "updated_at", rows[i].updated_at);
		json_kv_int(&j, "messages", rows[i].nmessages);
		if (ticket_tag_list(st, rows[i].id, &tags, &ntags, err) == -1)
			return -1;
		json_key(&j, "tags");
		json_array_begin(&j);
		for (k = 0; k < ntags; k++)
			json_string(&j, tags[k]);
		json_array_end(&j);
		ticket_tag_list_free(tags, ntags);
		if (rows[i].due != 0) {
			triagectl_json_time(&j, "due", rows[i].due);
			sla_format_left(rows[i].due, now, left, sizeof(left));
			json_kv_string(&j, "due_left", left);
		} else {
			json_key(&j, "due");
			json_null(&j);
			json_key(&j, "due_left");
			json_null(&j);
		}
		json_kv_int(&j, "tasks_overdue", overdue[i]);
		json_object_end(&j);
	}
	json_array_end(&j);
	json_object_end(&j);
	buf_append_char(out, '\n');
	return 0;
}

static void
ctl_list_text(struct buf *out, const struct calendar *zone,
    const struct ticket_row *rows, size_t n, const int64_t *overdue)
{
	static const char *const headers[] = { "ID", "STATUS", "PRIORITY",
	    "DUE", "TASKS", "ASSIGNEE", "CUSTOMER", "UPDATED", "SUBJECT" };
	static const size_t max[] = { 0, 0, 0, 0, 0, 20, 40, 0,
	    CTL_LIST_SUBJECT_MAX };
	struct triagectl_table *t;
	const char *cells[9];
	char id[24], due[48], tasks[32], updated[TRIAGECTL_TIME_MAX];
	time_t now = clock_now();
	size_t i;

	if (n == 0) {
		buf_append_str(out, "no requests\n");
		return;
	}
	t = triagectl_table_new(headers, max, 9);
	for (i = 0; i < n; i++) {
		(void)snprintf(id, sizeof(id), "%lld", (long long)rows[i].id);
		cells[0] = id;
		cells[1] = rows[i].status;
		cells[2] = rows[i].priority;
		/* what a person acts on: how long is left, or how late */
		if (rows[i].due != 0)
			sla_format_left(rows[i].due, now, due, sizeof(due));
		cells[3] = rows[i].due == 0 ? NULL : due;
		(void)snprintf(tasks, sizeof(tasks), "%lld overdue",
		    (long long)overdue[i]);
		cells[4] = overdue[i] == 0 ? NULL : tasks;
		cells[5] = rows[i].assignee;
		/* The address identifies; the name may be empty or shared. */
		cells[6] = rows[i].customer.address != NULL ?
		    rows[i].customer.address : rows[i].customer.name;
		cells[7] = triagectl_time_text(zone, rows[i].updated_at,
		    updated, sizeof(updated));
		cells[8] = rows[i].subject;
		triagectl_table_add(t, cells);
	}
	triagectl_table_print(t, out);
	triagectl_table_free(t);
}
