/*
 * ctl_explain: `triagectl explain N`, what the rules decided for request
 * N and why: the fields the routing stage sets (category, priority, SLA
 * policy, company, assignee, hidden, tags) and every rule that matched
 * one of its messages, in order, with the actions it carried (the
 * rule_hits rows routing.c writes in the intake transaction), all read
 * through the store (ticket.h, ticket_tag.h).
 */
#include <getopt.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "error.h"
#include "json.h"
#include "ticket.h"
#include "ticket_tag.h"
#include "triagectl.h"

struct ctl_explain {
	struct ticket		 t;
	const char		*fields[6];	/* ctl_explain_fields order */
	char			**tags;
	size_t			 ntags;
	struct ticket_rule_hit	*hits;
	size_t			 nhits;
};

static const char *const ctl_explain_fields[] = {
	"category", "priority", "sla_policy", "company", "assignee", "status"
};
#define CTL_EXPLAIN_NFIELDS \
	(sizeof(ctl_explain_fields) / sizeof(ctl_explain_fields[0]))

static int	ctl_explain_run(struct triagectl *, int, char **);
static int	ctl_explain_read(struct store *, int64_t, struct ctl_explain *,
		    struct error *);
static void	ctl_explain_free(struct ctl_explain *);
static void	ctl_explain_text(struct buf *, const struct calendar *,
		    const struct ctl_explain *);
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
	error_clear(&err);
	rc = ctl_explain_read(st, id, &x, &err);
	if (rc == 0 && ctl->json)
		ctl_explain_json(ctl->out, &x);
	else if (rc == 0)
		ctl_explain_text(ctl->out, ctl->zone, &x);
	ctl_explain_free(&x);
	return rc == 0 ? TRIAGECTL_OK : triagectl_fail(&err);
}

/* On -1, x holds nothing to free. */
static int
ctl_explain_read(struct store *st, int64_t id, struct ctl_explain *x,
    struct error *err)
{
	memset(x, 0, sizeof(*x));
	if (ticket_load(st, id, &x->t, err) == -1)
		return -1;
	x->fields[0] = x->t.category;
	x->fields[1] = x->t.priority;
	x->fields[2] = x->t.sla_policy;
	x->fields[3] = x->t.company;
	x->fields[4] = x->t.assignee;
	x->fields[5] = x->t.status;
	if (ticket_tag_list(st, id, &x->tags, &x->ntags, err) == -1 ||
	    ticket_rule_hits(st, id, &x->hits, &x->nhits, err) == -1) {
		ctl_explain_free(x);
		return -1;
	}
	return 0;
}

static void
ctl_explain_free(struct ctl_explain *x)
{
	ticket_clear(&x->t);
	ticket_tag_list_free(x->tags, x->ntags);
	ticket_rule_hits_free(x->hits, x->nhits);
	memset(x, 0, sizeof(*x));
}

static void
ctl_explain_text(struct buf *out, const struct calendar *zone,
    const struct ctl_explain *x)
{
	char when[TRIAGECTL_TIME_MAX];
	size_t i;

	buf_printf(out, "Request #%lld\n", (long long)x->t.id);
	for (i = 0; i < CTL_EXPLAIN_NFIELDS; i++) {
		buf_printf(out, "  %-11s ", ctl_explain_fields[i]);
		triagectl_text(out, x->fields[i], 0);
		buf_append_char(out, '\n');
	}
	buf_printf(out, "  %-11s %s\n", "hidden", x->t.hidden ? "yes (spam)" :
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
		buf_printf(out, "  %s  ", triagectl_time_text(zone,
		    x->hits[i].at, when, sizeof(when)));
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
	json_kv_int(&j, "id", x->t.id);
	for (i = 0; i < CTL_EXPLAIN_NFIELDS; i++)
		json_kv_string(&j, ctl_explain_fields[i], x->fields[i]);
	json_key(&j, "hidden");
	json_bool(&j, x->t.hidden);
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
