/*
 * ctl_ops: the actions on a request from the command line -- `assign`,
 * `take`, `status`, `priority`, `category`, `tag`, `note`, `reply` and
 * `merge` -- each one call of ticket_ops.c (what agents' mail commands
 * call too) in a transaction of triagectl's own.  The daemon's sender
 * then delivers whatever mail the action queued.
 *
 * Exit codes follow sysexits for the refusals an admin can fix: 65
 * (EX_DATAERR: no such request, agent, status ...), 75 (EX_TEMPFAIL: the
 * database was busy), 2 for usage.
 */
#include <getopt.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

#include "buf.h"
#include "clock.h"
#include "error.h"
#include "json.h"
#include "store.h"
#include "ticket_ops.h"
#include "triagectl.h"

/* Longest text read from stdin for a note or a reply. */
#define CTL_OPS_TEXT_MAX	(1024 * 1024)

enum ctl_ops_kind {
	CTL_OPS_ASSIGN,
	CTL_OPS_TAKE,
	CTL_OPS_STATUS,
	CTL_OPS_PRIORITY,
	CTL_OPS_CATEGORY,
	CTL_OPS_TAG,
	CTL_OPS_NOTE,
	CTL_OPS_REPLY,
	CTL_OPS_MERGE
};

/* One parsed command line. */
struct ctl_ops_args {
	enum ctl_ops_kind	 kind;
	const struct triagectl_cmd *cmd;
	int64_t			 ticket;
	const char		*arg;		/* AGENT, STATUS, ... or NULL */
	int64_t			 into;
	const char		*agent;		/* --agent / --from */
	bool			 remove;
	char			*text;		/* from stdin */
};

static int	ctl_ops_run(enum ctl_ops_kind, const struct triagectl_cmd *,
		    struct triagectl *, int, char **);
static int	ctl_ops_parse(struct ctl_ops_args *, int, char **);
static int	ctl_ops_read(struct ctl_ops_args *);
static int	ctl_ops_apply(struct triagectl *, const struct ctl_ops_args *,
		    struct error *);
static int	ctl_ops_exit(const struct error *);
static void	ctl_ops_report(struct triagectl *, const struct ctl_ops_args *);
static int	ctl_ops_assign(struct triagectl *, int, char **);
static int	ctl_ops_take(struct triagectl *, int, char **);
static int	ctl_ops_status(struct triagectl *, int, char **);
static int	ctl_ops_priority(struct triagectl *, int, char **);
static int	ctl_ops_category(struct triagectl *, int, char **);
static int	ctl_ops_tag(struct triagectl *, int, char **);
static int	ctl_ops_note(struct triagectl *, int, char **);
static int	ctl_ops_reply(struct triagectl *, int, char **);
static int	ctl_ops_merge(struct triagectl *, int, char **);

const struct triagectl_cmd ctl_assign_cmd = {
	"assign", "N AGENT|-", "give request N to AGENT (- unassigns)",
	ctl_ops_assign
};
const struct triagectl_cmd ctl_take_cmd = {
	"take", "N --agent NAME", "NAME takes request N", ctl_ops_take
};
const struct triagectl_cmd ctl_status_cmd = {
	"status", "N new|open|pending|resolved|closed",
	"set the status of request N", ctl_ops_status
};
const struct triagectl_cmd ctl_priority_cmd = {
	"priority", "N LEVEL", "set the priority of request N",
	ctl_ops_priority
};
const struct triagectl_cmd ctl_category_cmd = {
	"category", "N PATH|-", "set (- clears) the category of request N",
	ctl_ops_category
};
const struct triagectl_cmd ctl_tag_cmd = {
	"tag", "N NAME [--remove]", "tag request N (or remove the tag)",
	ctl_ops_tag
};
const struct triagectl_cmd ctl_note_cmd = {
	"note", "N --agent NAME < text",
	"add an internal note to request N (never sent to the customer)",
	ctl_ops_note
};
const struct triagectl_cmd ctl_reply_cmd = {
	"reply", "N --from AGENT < text",
	"send the customer of request N an answer as AGENT", ctl_ops_reply
};
const struct triagectl_cmd ctl_merge_cmd = {
	"merge", "N INTO", "merge request N into request INTO",
	ctl_ops_merge
};

static int
ctl_ops_assign(struct triagectl *ctl, int argc, char **argv)
{
	return ctl_ops_run(CTL_OPS_ASSIGN, &ctl_assign_cmd, ctl, argc, argv);
}

static int
ctl_ops_take(struct triagectl *ctl, int argc, char **argv)
{
	return ctl_ops_run(CTL_OPS_TAKE, &ctl_take_cmd, ctl, argc, argv);
}

static int
ctl_ops_status(struct triagectl *ctl, int argc, char **argv)
{
	return ctl_ops_run(CTL_OPS_STATUS, &ctl_status_cmd, ctl, argc, argv);
}

static int
ctl_ops_priority(struct triagectl *ctl, int argc, char **argv)
{
	return ctl_ops_run(CTL_OPS_PRIORITY, &ctl_priority_cmd, ctl, argc,
	    argv);
}

static int
ctl_ops_category(struct triagectl *ctl, int argc, char **argv)
{
	return ctl_ops_run(CTL_OPS_CATEGORY, &ctl_category_cmd, ctl, argc,
	    argv);
}

static int
ctl_ops_tag(struct triagectl *ctl, int argc, char **argv)
{
	return ctl_ops_run(CTL_OPS_TAG, &ctl_tag_cmd, ctl, argc, argv);
}

static int
ctl_ops_note(struct triagectl *ctl, int argc, char **argv)
{
	return ctl_ops_run(CTL_OPS_NOTE, &ctl_note_cmd, ctl, argc, argv);
}

static int
ctl_ops_reply(struct triagectl *ctl, int argc, char **argv)
{
	return ctl_ops_run(CTL_OPS_REPLY, &ctl_reply_cmd, ctl, argc, argv);
}

static int
ctl_ops_merge(struct triagectl *ctl, int argc, char **argv)
{
	return ctl_ops_run(CTL_OPS_MERGE, &ctl_merge_cmd, ctl, argc, argv);
}

static int
ctl_ops_run(enum ctl_ops_kind kind, const struct triagectl_cmd *cmd,
    struct triagectl *ctl, int argc, char **argv)
{
	struct ctl_ops_args	 a;
	struct store		*st;
	struct error		 err;
	int			 rc;

	memset(&a, 0, sizeof(a));
	a.kind = kind;
	a.cmd = cmd;
	if ((rc = ctl_ops_parse(&a, argc, argv)) != TRIAGECTL_OK)
		return rc;
	if ((kind == CTL_OPS_NOTE || kind == CTL_OPS_REPLY) &&
	    (rc = ctl_ops_read(&a)) != TRIAGECTL_OK)
		return rc;
	if ((st = triagectl_open(ctl, 0)) == NULL) {
		free(a.text);
		return TRIAGECTL_ERROR;
	}
	error_clear(&err);
	if (store_begin(st, &err) == -1 || ctl_ops_apply(ctl, &a,
	    &err) == -1 || store_commit(st, &err) == -1) {
		store_rollback(st);
		free(a.text);
		(void)triagectl_fail(&err);
		return ctl_ops_exit(&err);
	}
	ctl_ops_report(ctl, &a);
	free(a.text);
	return TRIAGECTL_OK;
}

static int
ctl_ops_parse(struct ctl_ops_args *a, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "agent",	required_argument,	NULL, 'a' },
		{ "from",	required_argument,	NULL, 'a' },
		{ "remove",	no_argument,		NULL, 'r' },
		{ NULL,		0,			NULL, 0 }
	};
	bool	 wants_agent, wants_arg;
	long long n;
	int	 ch;

	optind = 0;
	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (ch == 'a')
			a->agent = optarg;
		else if (ch == 'r' && a->kind == CTL_OPS_TAG)
			a->remove = true;
		else
			return triagectl_usage(a->cmd);
	}
	wants_agent = a->kind == CTL_OPS_TAKE || a->kind == CTL_OPS_NOTE ||
	    a->kind == CTL_OPS_REPLY;
	wants_arg = !wants_agent;
	if (argc - optind != (wants_arg ? 2 : 1))
		return triagectl_usage(a->cmd);
	if ((wants_agent && a->agent == NULL) ||
	    (!wants_agent && a->agent != NULL))
		return triagectl_usage(a->cmd);
	if ((n = triagectl_number(argv[optind])) <= 0)
		return triagectl_bad_usage(a->cmd, "'%s' is not a request "
		    "number", argv[optind]);
	a->ticket = (int64_t)n;
	if (!wants_arg)
		return TRIAGECTL_OK;
	a->arg = argv[optind + 1];
	if ((a->kind == CTL_OPS_ASSIGN || a->kind == CTL_OPS_CATEGORY) &&
	    strcmp(a->arg, "-") == 0)
		a->arg = NULL;
	if (a->kind == CTL_OPS_MERGE) {
		if ((n = triagectl_number(a->arg)) <= 0)
			return triagectl_bad_usage(a->cmd, "'%s' is not a "
			    "request number", a->arg);
		a->into = (int64_t)n;
	}
	return TRIAGECTL_OK;
}

/* The text on stdin, up to CTL_OPS_TEXT_MAX bytes, without a NUL. */
static int
ctl_ops_read(struct ctl_ops_args *a)
{
	struct buf	 b;
	char		 chunk[8192];
	size_t		 n;

	buf_init(&b);
	while ((n = fread(chunk, 1, sizeof(chunk), stdin)) > 0) {
		buf_append(&b, chunk, n);
		if (b.len > CTL_OPS_TEXT_MAX) {
			buf_release(&b);
			return triagectl_failx("the text on stdin is longer "
			    "than %d bytes", CTL_OPS_TEXT_MAX);
		}
	}
	if (ferror(stdin) || (b.len > 0 && memchr(b.data, '\0', b.len))) {
		buf_release(&b);
		return triagectl_failx("cannot read text from stdin");
	}
	while (b.len > 0 && (b.data[b.len - 1] == '\n' ||
	    b.data[b.len - 1] == '\r'))
		b.data[--b.len] = '\0';
	buf_append_char(&b, '\0');
	a->text = buf_steal(&b, NULL);
	return TRIAGECTL_OK;
}

static int
ctl_ops_apply(struct triagectl *ctl, const struct ctl_ops_args *a,
    struct error *err)
{
	static const char me[] = "triagectl";
	struct store		*st = ctl->store;
	const struct config	*cfg = ctl->cfg;
	time_t			 now = clock_now();

	switch (a->kind) {
	case CTL_OPS_ASSIGN:
		return ticket_ops_assign(st, cfg, a->ticket, a->arg, me, now,
		    err);
	case CTL_OPS_TAKE:
		/* the agent's own doing: no notice to himself */
		return ticket_ops_assign(st, cfg, a->ticket, a->agent,
		    a->agent, now, err);
	case CTL_OPS_STATUS:
		return ticket_ops_status(st, cfg, a->ticket, a->arg, me, now,
		    err);
	case CTL_OPS_PRIORITY:
		return ticket_ops_priority(st, cfg, a->ticket, a->arg, me, now,
		    err);
	case CTL_OPS_CATEGORY:
		return ticket_ops_category(st, cfg, a->ticket, a->arg, me, now,
		    err);
	case CTL_OPS_TAG:
		return ticket_ops_tag(st, cfg, a->ticket, a->arg, !a->remove,
		    me, now, err);
	case CTL_OPS_NOTE:
		return ticket_ops_note(st, cfg, a->ticket, a->agent, a->text,
		    now, err);
	case CTL_OPS_REPLY:
		return ticket_ops_reply(st, cfg, a->ticket, a->agent, a->text,
		    now, err);
	case CTL_OPS_MERGE:
		return ticket_ops_merge(st, cfg, a->ticket, a->into, me, now,
		    err);
	}
	return error_set(err, ERR_INTERNAL, "unknown action");
}

static int
ctl_ops_exit(const struct error *err)
{
	if (err->kind == ERR_PERM)
		return EX_DATAERR;
	return EX_TEMPFAIL;
}

static void
ctl_ops_report(struct triagectl *ctl, const struct ctl_ops_args *a)
{
	struct json	 j;
	const char	*value = a->agent != NULL ? a->agent : a->arg;

	if (!ctl->json) {
		buf_printf(ctl->out, "request #%lld: %s", (long long)a->ticket,
		    a->cmd->name);
		if (a->kind == CTL_OPS_TAG && a->remove)
			buf_append_str(ctl->out, " removed");
		if (value != NULL) {
			buf_append_char(ctl->out, ' ');
			triagectl_text(ctl->out, value, 0);
		} else if (a->kind == CTL_OPS_ASSIGN ||
		    a->kind == CTL_OPS_CATEGORY)
			buf_append_str(ctl->out, " cleared");
		buf_append_char(ctl->out, '\n');
		return;
	}
	json_init(&j, ctl->out);
	json_object_begin(&j);
	json_kv_int(&j, "request", a->ticket);
	json_kv_string(&j, "action", a->cmd->name);
	json_kv_string(&j, "value", value);
	if (a->kind == CTL_OPS_TAG) {
		json_key(&j, "removed");
		json_bool(&j, a->remove);
	}
	json_object_end(&j);
	buf_append_char(ctl->out, '\n');
}
