/*
 * ctl_mailboxes: `triagectl mailboxes`, each configured IMAP mailbox with
 * what its poller last recorded: connected or not, last success, last
 * error, backlog seen and messages taken.  Mailboxes come in config order;
 * one whose poller has not written yet shows "connecting" and nothing else.
 * With several instances on one PostgreSQL database, the instance that
 * holds each mailbox's lease (the one polling it) and the seconds the
 * lease has left; "expired" when its holder stopped renewing (another
 * takes the mailbox over at its next try).  The column appears only when
 * there is a lease: never on SQLite.
 */
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "config.h"
#include "error.h"
#include "clock.h"
#include "json.h"
#include "mailbox_lease.h"
#include "mailbox_state.h"
#include "triagectl.h"

static int	ctl_mailboxes_run(struct triagectl *, int, char **);
static const struct mailbox_state *ctl_mailboxes_find(
		    const struct mailbox_state *, size_t, const char *);
static const char *ctl_mailboxes_after(const struct config_mailbox *);
static const struct mailbox_lease *ctl_mailboxes_lease(
		    const struct mailbox_lease *, size_t, const char *);
static void	ctl_mailboxes_json(struct buf *, const struct config *,
		    const struct mailbox_state *, size_t,
		    const struct mailbox_lease *, size_t);
static void	ctl_mailboxes_text(struct buf *, const struct config *,
		    const struct calendar *, const struct mailbox_state *,
		    size_t, const struct mailbox_lease *, size_t);

const struct triagectl_cmd ctl_mailboxes_cmd = {
	"mailboxes",
	"",
	"show the IMAP mailboxes and their pollers' state",
	ctl_mailboxes_run
};

static int
ctl_mailboxes_run(struct triagectl *ctl, int argc, char **argv)
{
	static const struct option opts[] = {
		{ NULL,		0,			NULL, 0 }
	};
	struct mailbox_state *rows;
	struct mailbox_lease *leases;
	struct store *st;
	struct error err;
	size_t n, nleases;

	optind = 0;
	if (getopt_long(argc, argv, "", opts, NULL) != -1)
		return triagectl_usage(&ctl_mailboxes_cmd);
	if (optind != argc)
		return triagectl_bad_usage(&ctl_mailboxes_cmd,
		    "unexpected argument '%s'", argv[optind]);
	if ((st = triagectl_store(ctl)) == NULL)
		return TRIAGECTL_ERROR;
	error_clear(&err);
	if (mailbox_state_list(st, &rows, &n, &err) == -1)
		return triagectl_fail(&err);
	if (mailbox_lease_list(st, &leases, &nleases, &err) == -1) {
		mailbox_state_free(rows, n);
		return triagectl_fail(&err);
	}
	if (ctl->json)
		ctl_mailboxes_json(ctl->out, ctl->cfg, rows, n, leases,
		    nleases);
	else
		ctl_mailboxes_text(ctl->out, ctl->cfg, ctl->zone, rows, n,
		    leases, nleases);
	mailbox_lease_free(leases, nleases);
	mailbox_state_free(rows, n);
	return TRIAGECTL_OK;
}

static const struct mailbox_state *
ctl_mailboxes_find(const struct mailbox_state *rows, size_t n,
    const char *name)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (rows[i].name != NULL && strcmp(rows[i].name, name) == 0)
			return &rows[i];
	return NULL;
}

static const struct mailbox_lease *
ctl_mailboxes_lease(const struct mailbox_lease *rows, size_t n,
    const char *name)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(rows[i].name, name) == 0)
			return &rows[i];
	return NULL;
}

static const char *
ctl_mailboxes_after(const struct config_mailbox *mb)
{
	switch (mb->after) {
	case CONFIG_IMAP_AFTER_MOVE:
		return "move";
	case CONFIG_IMAP_AFTER_DELETE:
		return "delete";
	case CONFIG_IMAP_AFTER_SEEN:
		break;
	}
	return "seen";
}

static void
ctl_mailboxes_json(struct buf *out, const struct config *cfg,
    const struct mailbox_state *rows, size_t n,
    const struct mailbox_lease *leases, size_t nleases)
{
	const struct config_mailbox *mb;
	const struct mailbox_state *s;
	const struct mailbox_lease *l;
	struct json j;
	size_t i;

	json_init(&j, out);
	json_object_begin(&j);
	json_key(&j, "mailboxes");
	json_array_begin(&j);
	for (i = 0; i < cfg->nmailboxes; i++) {
		mb = &cfg->mailboxes[i];
		s = ctl_mailboxes_find(rows, n, mb->name);
		json_object_begin(&j);
		json_kv_string(&j, "name", mb->name);
		json_kv_string(&j, "host", mb->host);
		json_kv_int(&j, "port", mb->port);
		json_kv_string(&j, "folder", mb->folder);
		json_kv_string(&j, "after", ctl_mailboxes_after(mb));
		json_kv_string(&j, "state", s != NULL && s->state != NULL ?
		    s->state : MAILBOX_STATE_CONNECTING);
		if (s != NULL && s->last_success != 0)
			triagectl_json_time(&j, "last_success",
			    s->last_success);
		else
			json_kv_string(&j, "last_success", NULL);
		json_kv_string(&j, "last_error", s != NULL ? s->last_error :
		    NULL);
		if (s != NULL && s->last_error_at != 0)
			triagectl_json_time(&j, "last_error_at",
			    s->last_error_at);
		else
			json_kv_string(&j, "last_error_at", NULL);
		json_key(&j, "uidvalidity");
		if (s != NULL && s->uidvalidity >= 0)
			json_int(&j, s->uidvalidity);
		else
			json_null(&j);
		json_key(&j, "last_uid");
		if (s != NULL && s->last_uid >= 0)
			json_int(&j, s->last_uid);
		else
			json_null(&j);
		json_key(&j, "import_uid");
		if (s != NULL && s->import_uid >= 0)
			json_int(&j, s->import_uid);
		else
			json_null(&j);
		json_kv_int(&j, "backlog", s != NULL ? s->backlog : 0);
		json_kv_int(&j, "taken", s != NULL ? s->taken : 0);
		l = ctl_mailboxes_lease(leases, nleases, mb->name);
		json_kv_string(&j, "lease_holder", l != NULL ? l->holder :
		    NULL);
		if (l != NULL)
			triagectl_json_time(&j, "lease_until", l->until);
		else
			json_kv_string(&j, "lease_until", NULL);
		json_object_end(&j);
	}
	json_array_end(&j);
	json_object_end(&j);
	buf_append_char(out, '\n');
}

static void
ctl_mailboxes_text(struct buf *out, const struct config *cfg,
    const struct calendar *zone, const struct mailbox_state *rows, size_t n,
    const struct mailbox_lease *leases, size_t nleases)
{
	static const char *const headers[] = { "NAME", "SERVER", "FOLDER",
	    "AFTER", "STATE", "LAST SUCCESS", "BACKLOG", "TAKEN",
	    "LAST ERROR", "POLLED BY" };
	static const size_t max[] = { 0, 40, 30, 0, 0, 0, 0, 0, 60, 0 };
	const struct config_mailbox *mb;
	const struct mailbox_state *s;
	const struct mailbox_lease *l;
	struct triagectl_table *t;
	const char *cells[10];
	char server[300], backlog[24], taken[24], when[TRIAGECTL_TIME_MAX];
	char error[600], at[TRIAGECTL_TIME_MAX], lease[300];
	time_t now = clock_now();
	size_t i;

	if (cfg->nmailboxes == 0) {
		buf_append_str(out, "no mailboxes configured\n");
		return;
	}
	t = triagectl_table_new(headers, max, nleases > 0 ? 10 : 9);
	for (i = 0; i < cfg->nmailboxes; i++) {
		mb = &cfg->mailboxes[i];
		s = ctl_mailboxes_find(rows, n, mb->name);
		(void)snprintf(server, sizeof(server), "%s:%d", mb->host,
		    mb->port);
		(void)snprintf(backlog, sizeof(backlog), "%lld",
		    (long long)(s != NULL ? s->backlog : 0));
		(void)snprintf(taken, sizeof(taken), "%lld",
		    (long long)(s != NULL ? s->taken : 0));
		cells[0] = mb->name;
		cells[1] = server;
		cells[2] = mb->folder;
		cells[3] = ctl_mailboxes_after(mb);
		cells[4] = s != NULL && s->state != NULL ? s->state :
		    MAILBOX_STATE_CONNECTING;
		cells[5] = s != NULL && s->last_success != 0 ?
		    triagectl_time_text(zone, s->last_success, when,
		    sizeof(when)) : NULL;
		cells[6] = backlog;
		cells[7] = taken;
		cells[8] = NULL;
		if (s != NULL && s->last_error != NULL) {
			(void)snprintf(error, sizeof(error), "%s (%s)",
			    s->last_error, triagectl_time_text(zone,
			    s->last_error_at, at, sizeof(at)));
			cells[8] = error;
		}
		cells[9] = NULL;
		if ((l = ctl_mailboxes_lease(leases, nleases,
		    mb->name)) != NULL) {
			/* a lease is seconds long: the minute would not do */
			if (l->until >= now)
				(void)snprintf(lease, sizeof(lease), "%s, "
				    "%llds left", l->holder,
				    (long long)(l->until - now));
			else
				(void)snprintf(lease, sizeof(lease), "%s, "
				    "expired %llds ago", l->holder,
				    (long long)(now - l->until));
			cells[9] = lease;
		}
		triagectl_table_add(t, cells);
	}
	triagectl_table_print(t, out);
	triagectl_table_free(t);
}
