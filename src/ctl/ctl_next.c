/*
 * ctl_next: `triagectl next --agent NAME`, the pull queue: the most
 * urgent unassigned request of the agent's categories, assigned to the
 * agent (assign_next).
 *
 * It opens the store for writing and runs in one BEGIN IMMEDIATE
 * transaction: SQLite lets one writer in at a time (the others wait on
 * the busy timeout), so two agents pulling at once read the queue one
 * after the other and never take the same request.
 */
#include <getopt.h>
#include <stdint.h>
#include <stdio.h>

#include "assign.h"
#include "buf.h"
#include "clock.h"
#include "error.h"
#include "json.h"
#include "store.h"
#include "ticket.h"
#include "triagectl.h"

static int	ctl_next_run(struct triagectl *, int, char **);
static void	ctl_next_print(struct triagectl *, const char *agent,
		    int64_t id);

const struct triagectl_cmd ctl_next_cmd = {
	"next",
	"--agent NAME",
	"take the most urgent unassigned request of the agent's categories",
	ctl_next_run
};

static int
ctl_next_run(struct triagectl *ctl, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "agent",	required_argument,	NULL, 'a' },
		{ NULL,		0,			NULL, 0 }
	};
	const char *agent = NULL;
	struct store *st;
	struct error err;
	int64_t id;
	int ch;

	optind = 0;
	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (ch != 'a')
			return triagectl_usage(&ctl_next_cmd);
		agent = optarg;
	}
	if (agent == NULL || optind != argc)
		return triagectl_usage(&ctl_next_cmd);
	if ((st = triagectl_open(ctl, 0)) == NULL)
		return TRIAGECTL_ERROR;
	error_clear(&err);
	if (store_begin(st, &err) == -1)
		return triagectl_fail(&err);
	if (assign_next(st, ctl->cfg, agent, clock_now(), &id, &err) == -1 ||
	    store_commit(st, &err) == -1) {
		store_rollback(st);
		return triagectl_fail(&err);
	}
	ctl_next_print(ctl, agent, id);
	return TRIAGECTL_OK;
}

/* "#12 taken by anna: Subject", or that nothing waits. */
static void
ctl_next_print(struct triagectl *ctl, const char *agent, int64_t id)
{
	struct ticket_detail *d = NULL;
	struct error err;
	struct json j;

	/* Committed already: a failing read only costs the subject. */
	if (id != 0)
		d = ticket_show(ctl->store, id, &err);
	if (ctl->json) {
		json_init(&j, ctl->out);
		json_object_begin(&j);
		json_kv_string(&j, "agent", agent);
		json_key(&j, "request");
		if (id == 0)
			json_null(&j);
		else
			json_int(&j, id);
		json_kv_string(&j, "subject", d != NULL ? d->row.subject :
		    NULL);
		json_object_end(&j);
		buf_append_char(ctl->out, '\n');
	} else if (id == 0)
		buf_printf(ctl->out, "nothing waiting for %s\n", agent);
	else {
		buf_printf(ctl->out, "#%lld taken by %s: ", (long long)id,
		    agent);
		triagectl_text(ctl->out, d != NULL ? d->row.subject : NULL, 0);
		buf_append_char(ctl->out, '\n');
	}
	ticket_detail_free(d);
}
