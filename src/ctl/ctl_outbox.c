/*
 * ctl_outbox: `triagectl outbox`, the outgoing mail in queue order with
 * its delivery state: what is waiting, what was sent, what failed and why.
 * With several instances on one PostgreSQL database, a row being
 * delivered shows the instance that claimed it and the seconds its
 * lease has left (the column appears only when some row is claimed:
 * never on SQLite); a claim whose time has passed shows "expired": its
 * instance died, and the next sender to look takes the row over.
 */
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>

#include "buf.h"
#include "clock.h"
#include "error.h"
#include "json.h"
#include "ticket.h"
#include "triagectl.h"

static int	ctl_outbox_run(struct triagectl *, int, char **);
static void	ctl_outbox_json(struct buf *, const struct ticket_outbox *,
		    size_t);
static void	ctl_outbox_text(struct buf *, const struct calendar *,
		    const struct ticket_outbox *, size_t);

const struct triagectl_cmd ctl_outbox_cmd = {
	"outbox",
	"[--status S]",
	"list outgoing mail (S: queued, sent, failed), oldest first",
	ctl_outbox_run
};

static int
ctl_outbox_run(struct triagectl *ctl, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "status",	required_argument,	NULL, 's' },
		{ NULL,		0,			NULL, 0 }
	};
	struct ticket_outbox *rows;
	const char *status = NULL;
	struct store *st;
	struct error err;
	size_t n;
	int ch;

	optind = 0;
	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (ch != 's')
			return triagectl_usage(&ctl_outbox_cmd);
		if (!ticket_outbox_status_valid(optarg))
			return triagectl_bad_usage(&ctl_outbox_cmd,
			    "unknown status '%s' (queued, sent, failed)",
			    optarg);
		status = optarg;
	}
	if (optind != argc)
		return triagectl_bad_usage(&ctl_outbox_cmd,
		    "unexpected argument '%s'", argv[optind]);
	if ((st = triagectl_store(ctl)) == NULL)
		return TRIAGECTL_ERROR;
	error_clear(&err);
	if (ticket_outbox_list(st, status, &rows, &n, &err) == -1)
		return triagectl_fail(&err);
	if (ctl->json)
		ctl_outbox_json(ctl->out, rows, n);
	else
		ctl_outbox_text(ctl->out, ctl->zone, rows, n);
	ticket_outbox_free(rows, n);
	return TRIAGECTL_OK;
}

static void
ctl_outbox_json(struct buf *out, const struct ticket_outbox *rows, size_t n)
{
	struct json j;
	size_t i;

	json_init(&j, out);
	json_object_begin(&j);
	json_key(&j, "outbox");
	json_array_begin(&j);
	for (i = 0; i < n; i++) {
		json_object_begin(&j);
		json_kv_int(&j, "id", rows[i].id);
		json_key(&j, "ticket");
		if (rows[i].ticket_id == 0)
			json_null(&j);
		else
			json_int(&j, rows[i].ticket_id);
		json_kv_string(&j, "kind", rows[i].kind);
		json_kv_string(&j, "rcpts", rows[i].rcpts);
		json_kv_string(&j, "status", rows[i].status);
		json_kv_int(&j, "attempts", rows[i].attempts);
		triagectl_json_time(&j, "created_at", rows[i].created_at);
		json_kv_string(&j, "last_error", rows[i].last_error);
		json_kv_string(&j, "claimed_by", rows[i].claimed_by);
		if (rows[i].claimed_by != NULL)
			triagectl_json_time(&j, "lease_until",
			    rows[i].lease_until);
		else
			json_kv_string(&j, "lease_until", NULL);
		json_object_end(&j);
	}
	json_array_end(&j);
	json_object_end(&j);
	buf_append_char(out, '\n');
}

static void
ctl_outbox_text(struct buf *out, const struct calendar *zone,
    const struct ticket_outbox *rows, size_t n)
{
	static const char *const headers[] = { "ID", "TICKET", "KIND",
	    "STATUS", "ATTEMPTS", "CREATED", "RCPTS", "LAST ERROR",
	    "CLAIMED BY" };
	static const size_t max[] = { 0, 0, 0, 0, 0, 0, 40, 60, 0 };
	struct triagectl_table *t;
	const char *cells[9];
	char id[24], ticket[24], attempts[24], when[TRIAGECTL_TIME_MAX];
	char claim[300];
	time_t now = clock_now();
	size_t i, ncols = 8;

	if (n == 0) {
		buf_append_str(out, "no outgoing mail\n");
		return;
	}
	for (i = 0; i < n; i++)
		if (rows[i].claimed_by != NULL)
			ncols = 9;
	t = triagectl_table_new(headers, max, ncols);
	for (i = 0; i < n; i++) {
		(void)snprintf(id, sizeof(id), "%lld", (long long)rows[i].id);
		(void)snprintf(ticket, sizeof(ticket), "%lld",
		    (long long)rows[i].ticket_id);
		(void)snprintf(attempts, sizeof(attempts), "%lld",
		    (long long)rows[i].attempts);
		cells[0] = id;
		cells[1] = rows[i].ticket_id != 0 ? ticket : NULL;
		cells[2] = rows[i].kind;
		cells[3] = rows[i].status;
		cells[4] = attempts;
		cells[5] = triagectl_time_text(zone, rows[i].created_at, when,
		    sizeof(when));
		cells[6] = rows[i].rcpts;
		cells[7] = rows[i].last_error;
		cells[8] = NULL;
		if (rows[i].claimed_by != NULL) {
			/* a lease is seconds long: the minute would not do */
			if (rows[i].lease_until >= now)
				(void)snprintf(claim, sizeof(claim), "%s, %llds "
				    "left", rows[i].claimed_by,
				    (long long)(rows[i].lease_until - now));
			else
				(void)snprintf(claim, sizeof(claim), "%s, "
				    "expired %llds ago", rows[i].claimed_by,
				    (long long)(now - rows[i].lease_until));
			cells[8] = claim;
		}
		triagectl_table_add(t, cells);
	}
	triagectl_table_print(t, out);
	triagectl_table_free(t);
}
