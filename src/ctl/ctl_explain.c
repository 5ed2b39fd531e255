/*
 * ctl_explain: `triagectl explain N`, what the rules decided for request
 * N and why: the fields the routing stage sets (category, priority, SLA
 * policy, company, assignee, hidden, tags) and every rule that matched
 * one of its messages, in order, with the actions it carried (the
 * rule_hits rows routing.c writes in the intake transaction).  Reads
 * only rule_hits, which no other module reads, so the queries live here.
 */
#include <getopt.h>
#include <sqlite3.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "error.h"
#include "json.h"
#include "store.h"
#include "triagectl.h"
#include "xmalloc.h"

/* One matching rule. */
struct ctl_explain_hit {
	time_t	 at;
	int64_t	 message_row;	/* 0: not tied to a message */
	char	*rule;
	char	*actions;
};

struct ctl_explain {
	int64_t			 id;
	char			*fields[6];	/* ctl_explain_fields order */
	bool			 hidden;
	char			**tags;
	size_t			 ntags;
	struct ctl_explain_hit	*hits;
	size_t			 nhits;
};

static const char *const ctl_explain_fields[] = {
	"category", "priority", "sla_policy", "company", "assignee", "status"
};
#define CTL_EXPLAIN_NFIELDS \
	(sizeof(ctl_explain_fields) / sizeof(ctl_explain_fields[0]))

static int	ctl_explain_run(struct triagectl *, int, char **);
static int	ctl_explain_read(struct store *, struct ctl_explain *,
		    struct error *);
static int	ctl_explain_tags(struct store *, struct ctl_explain *,
		    struct error *);
static int	ctl_explain_hits(struct store *, struct ctl_explain *,
		    struct error *);
static void	ctl_explain_free(struct ctl_explain *);
static void	ctl_explain_text(struct buf *, const struct ctl_explain *);
static void	ctl_explain_json(struct buf *, const struct ctl_explain *);

const struct triagectl_cmd ctl_explain_cmd = {
	"explain",
	"N",
	"show which rules matched request N and what each did",
	ctl_explain_run
};

static int
ctl_explain_run(struct triagectl *ctl, int argc, char **argv)
{
	static const struct option opts[] = { { NULL, 0, NULL, 0 } };
	struct ctl_explain x;
	struct store *st;
	struct error err;
	long long id;
	int rc;

	optind = 0;
	if (getopt_long(argc, argv, "", opts, NULL) != -1 ||
	    argc - optind != 1)
		return triagectl_usage(&ctl_explain_cmd);
	if (argv[optind][0] == '#')
		argv[optind]++;
	if ((id = triagectl_number(argv[optind])) == -1)
		return triagectl_bad_usage(&ctl_explain_cmd,
		    "'%s' is not a request number", argv[optind]);
	if ((st = triagectl_store(ctl)) == NULL)
		return TRIAGECTL_ERROR;
	memset(&x, 0, sizeof(x));
	x.id = id;
	error_clear(&err);
	rc = ctl_explain_read(st, &x, &err);
	if (rc == 0 && ctl->json)
		ctl_explain_json(ctl->out, &x);
	else if (rc == 0)
		ctl_explain_text(ctl->out, &x);
	ctl_explain_free(&x);
	return rc == 0 ? TRIAGECTL_OK : triagectl_fail(&err);
}

static int
ctl_explain_read(struct store *st, struct ctl_explain *x, struct error *err)
{
	static const char sql[] = "SELECT category, priority, sla_policy,"
	    " company, assignee, status, hidden FROM tickets WHERE id = ?";
	sqlite3_stmt *stmt;
	size_t i;
	int rc;

	if ((stmt = store_stmt(st, sql, err)) == NULL)
		return -1;
	sqlite3_bind_int64(stmt, 1, x->id);
	if ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		for (i = 0; i < CTL_EXPLAIN_NFIELDS; i++)
			x->fields[i] = store_column_text(stmt, (int)i);
		x->hidden = sqlite3_column_int(stmt, 6) != 0;
	}
	sqlite3_reset(stmt);
	if (rc == SQLITE_DONE)
		return error_set(err, ERR_PERM, "no request #%lld",
		    (long long)x->id);
	if (rc != SQLITE_ROW)
		return store_error(st, "explain", err);
	if (ctl_explain_tags(st, x, err) == -1)
		return -1;
	return ctl_explain_hits(st, x, err);
}

static int
ctl_explain_tags(struct store *st, struct ctl_explain *x, struct error *err)
{
	static const char sql[] = "SELECT tag FROM ticket_tags"
	    " WHERE ticket_id = ? ORDER BY tag";
	sqlite3_stmt *stmt;
	int rc;

	if ((stmt = store_stmt(st, sql, err)) == NULL)
		return -1;
	sqlite3_bind_int64(stmt, 1, x->id);
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		x->tags = xreallocarray(x->tags, x->ntags + 1,
		    sizeof(*x->tags));
		x->tags[x->ntags++] = store_column_text(stmt, 0);
	}
	sqlite3_reset(stmt);
	return rc == SQLITE_DONE ? 0 : store_error(st, "explain tags", err);
}

static int
ctl_explain_hits(struct store *st, struct ctl_explain *x, struct error *err)
{
	static const char sql[] = "SELECT at, message_row, rule, actions"
	    " FROM rule_hits WHERE ticket_id = ? ORDER BY id";
	struct ctl_explain_hit *h;
	sqlite3_stmt *stmt;
	int rc;

	if ((stmt = store_stmt(st, sql, err)) == NULL)
		return -1;
	sqlite3_bind_int64(stmt, 1, x->id);
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		x->hits = xreallocarray(x->hits, x->nhits + 1,
		    sizeof(*x->hits));
		h = &x->hits[x->nhits++];
		h->at = (time_t)sqlite3_column_int64(stmt, 0);
		h->message_row = sqlite3_column_int64(stmt, 1);
		h->rule = store_column_text(stmt, 2);
		h->actions = store_column_text(stmt, 3);
	}
	sqlite3_reset(stmt);
	return rc == SQLITE_DONE ? 0 : store_error(st, "explain rules", err);
}

static void
ctl_explain_free(struct ctl_explain *x)
{
	size_t i;

	for (i = 0; i < CTL_EXPLAIN_NFIELDS; i++)
		free(x->fields[i]);
	for (i = 0; i < x->ntags; i++)
		free(x->tags[i]);
	free(x->tags);
	for (i = 0; i < x->nhits; i++) {
		free(x->hits[i].rule);
		free(x->hits[i].actions);
	}
	free(x->hits);
}

static void
ctl_explain_text(struct buf *out, const struct ctl_explain *x)
{
	char when[TRIAGECTL_TIME_MAX];
	size_t i;

	buf_printf(out, "Request #%lld\n", (long long)x->id);
	for (i = 0; i < CTL_EXPLAIN_NFIELDS; i++) {
		buf_printf(out, "  %-11s ", ctl_explain_fields[i]);
		triagectl_text(out, x->fields[i], 0);
		buf_append_char(out, '\n');
	}
	buf_printf(out, "  %-11s %s\n", "hidden", x->hidden ? "yes (spam)" :
	    "no");
	buf_printf(out, "  %-11s ", "tags");
	for (i = 0; i < x->ntags; i++) {
		if (i > 0)
			buf_append_str(out, ", ");
		triagectl_text(out, x->tags[i], 0);
	}
	buf_append_str(out, x->ntags == 0 ? "-\n" : "\n");
	if (x->nhits == 0) {
		buf_append_str(out, "No rule matched.\n");
		return;
	}
	buf_append_str(out, "Rules that matched, in order:\n");
	for (i = 0; i < x->nhits; i++) {
		buf_printf(out, "  %s  ", triagectl_time_text(x->hits[i].at,
		    when, sizeof(when)));
		if (x->hits[i].message_row != 0)
			buf_printf(out, "message %lld  ",
			    (long long)x->hits[i].message_row);
		triagectl_text(out, x->hits[i].rule, 0);
		buf_append_str(out, ": ");
		triagectl_text(out, x->hits[i].actions, 0);
		buf_append_char(out, '\n');
	}
}

static void
ctl_explain_json(struct buf *out, const struct ctl_explain *x)
{
	struct json j;
	size_t i;

	json_init(&j, out);
	json_object_begin(&j);
	json_kv_int(&j, "id", x->id);
	for (i = 0; i < CTL_EXPLAIN_NFIELDS; i++)
		json_kv_string(&j, ctl_explain_fields[i], x->fields[i]);
	json_key(&j, "hidden");
	json_bool(&j, x->hidden);
	json_key(&j, "tags");
	json_array_begin(&j);
	for (i = 0; i < x->ntags; i++)
		json_string(&j, x->tags[i]);
	json_array_end(&j);
	json_key(&j, "rules");
	json_array_begin(&j);
	for (i = 0; i < x->nhits; i++) {
		json_object_begin(&j);
		triagectl_json_time(&j, "at", x->hits[i].at);
		json_key(&j, "message");
		if (x->hits[i].message_row != 0)
			json_int(&j, x->hits[i].message_row);
		else
			json_null(&j);
		json_kv_string(&j, "rule", x->hits[i].rule);
		json_kv_string(&j, "actions", x->hits[i].actions);
		json_object_end(&j);
	}
	json_array_end(&j);
	json_object_end(&j);
	buf_append_char(out, '\n');
}
