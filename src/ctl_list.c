/*
 * ctl_list: `triagectl list`, the requests newest first, filtered by
 * status, assignment, category (with its subcategories) or customer.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "error.h"
#include "json.h"
#include "ticket.h"
#include "triagectl.h"

/* Subjects are cut here: a table row should fit a terminal. */
#define CTL_LIST_SUBJECT_MAX	60

static int	ctl_list_run(struct triagectl *, int, char **);
static int	ctl_list_parse(struct ticket_filter *, int, char **);
static void	ctl_list_json(struct buf *, const struct ticket_row *, size_t);
static void	ctl_list_text(struct buf *, const struct ticket_row *, size_t);

const struct triagectl_cmd ctl_list_cmd = {
	"list",
	"[--status S] [--unassigned] [--category PATH] [--customer ADDR] "
	    "[--limit N]",
	"list requests, newest first",
	ctl_list_run
};

static int
ctl_list_run(struct triagectl *ctl, int argc, char **argv)
{
	struct ticket_filter f;
	struct ticket_row *rows;
	struct store *st;
	struct error err;
	size_t n;
	int rc;

	if ((rc = ctl_list_parse(&f, argc, argv)) != TRIAGECTL_OK)
		return rc;
	if ((st = triagectl_store(ctl)) == NULL)
		return TRIAGECTL_ERROR;
	error_clear(&err);
	if (ticket_list(st, &f, &rows, &n, &err) == -1)
		return triagectl_fail(&err);
	if (ctl->json)
		ctl_list_json(ctl->out, rows, n);
	else
		ctl_list_text(ctl->out, rows, n);
	ticket_rows_free(rows, n);
	return TRIAGECTL_OK;
}

static int
ctl_list_parse(struct ticket_filter *f, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "status",	required_argument,	NULL, 's' },
		{ "unassigned",	no_argument,		NULL, 'u' },
		{ "category",	required_argument,	NULL, 'C' },
		{ "customer",	required_argument,	NULL, 'a' },
		{ "limit",	required_argument,	NULL, 'n' },
		{ NULL,		0,			NULL, 0 }
	};
	long long limit;
	int ch;

	memset(f, 0, sizeof(*f));
	optind = 0;
	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (ch) {
		case 's':
			if (!ticket_status_valid(optarg))
				return triagectl_bad_usage(&ctl_list_cmd,
				    "unknown status '%s' (new, open, pending,"
				    " resolved, closed)", optarg);
			f->status = optarg;
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
		default:
			return triagectl_usage(&ctl_list_cmd);
		}
	}
	if (optind != argc)
		return triagectl_bad_usage(&ctl_list_cmd,
		    "unexpected argument '%s'", argv[optind]);
	return TRIAGECTL_OK;
}

static void
ctl_list_json(struct buf *out, const struct ticket_row *rows, size_t n)
{
	struct json j;
	size_t i;

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
		json_object_end(&j);
	}
	json_array_end(&j);
	json_object_end(&j);
	buf_append_char(out, '\n');
}

static void
ctl_list_text(struct buf *out, const struct ticket_row *rows, size_t n)
{
	static const char *const headers[] = { "ID", "STATUS", "PRIORITY",
	    "ASSIGNEE", "CUSTOMER", "UPDATED", "SUBJECT" };
	static const size_t max[] = { 0, 0, 0, 20, 40, 0,
	    CTL_LIST_SUBJECT_MAX };
	struct triagectl_table *t;
	const char *cells[7];
	char id[24], updated[TRIAGECTL_TIME_MAX];
	size_t i;

	if (n == 0) {
		buf_append_str(out, "no requests\n");
		return;
	}
	t = triagectl_table_new(headers, max, 7);
	for (i = 0; i < n; i++) {
		(void)snprintf(id, sizeof(id), "%lld", (long long)rows[i].id);
		cells[0] = id;
		cells[1] = rows[i].status;
		cells[2] = rows[i].priority;
		cells[3] = rows[i].assignee;
		/* The address identifies; the name may be empty or shared. */
		cells[4] = rows[i].customer.address != NULL ?
		    rows[i].customer.address : rows[i].customer.name;
		cells[5] = triagectl_time_text(rows[i].updated_at, updated,
		    sizeof(updated));
		cells[6] = rows[i].subject;
		triagectl_table_add(t, cells);
	}
	triagectl_table_print(t, out);
	triagectl_table_free(t);
}
