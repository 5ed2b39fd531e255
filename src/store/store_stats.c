/*
 * store_stats: the database's figures for /metrics (store_stats.h).
 */
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "store.h"
#include "store_db.h"
#include "store_stats.h"
#include "xmalloc.h"

static int	store_stats_counts(struct store *, const char *sql,
		    struct store_stats_count **, size_t *, struct error *);
static int	store_stats_outbox(struct store *, struct store_stats *,
		    struct error *);
static int	store_stats_sla(struct store *, struct store_stats *,
		    struct error *);
static int	store_stats_mailboxes(struct store *, struct store_stats *,
		    struct error *);

static const char store_stats_status_sql[] =
    "SELECT status, count(*) FROM tickets GROUP BY status ORDER BY status";
static const char store_stats_sources_sql[] =
    "SELECT source, count(*) FROM messages WHERE direction = 'in'"
    " GROUP BY source ORDER BY source";

int
store_stats_read(struct store *st, struct store_stats *out,
    struct error *err)
{
	memset(out, 0, sizeof(*out));
	if (store_stats_counts(st, store_stats_status_sql, &out->status,
	    &out->nstatus, err) == -1 ||
	    store_stats_counts(st, store_stats_sources_sql, &out->sources,
	    &out->nsources, err) == -1 ||
	    store_stats_outbox(st, out, err) == -1 ||
	    store_stats_sla(st, out, err) == -1 ||
	    store_stats_mailboxes(st, out, err) == -1)
		return -1;
	return 0;
}

void
store_stats_clear(struct store_stats *s)
{
	size_t i;

	for (i = 0; i < s->nstatus; i++)
		free(s->status[i].key);
	for (i = 0; i < s->nsources; i++)
		free(s->sources[i].key);
	for (i = 0; i < s->nmailboxes; i++) {
		free(s->mailboxes[i].name);
		free(s->mailboxes[i].state);
	}
	free(s->status);
	free(s->sources);
	free(s->mailboxes);
	memset(s, 0, sizeof(*s));
}

/* Rows of (text, count); a NULL text reads as "". */
static int
store_stats_counts(struct store *st, const char *sql,
    struct store_stats_count **out, size_t *n, struct error *err)
{
	struct store_q *q;
	enum store_step rc;
	const char *key;

	if ((q = store_q(st, sql, err)) == NULL)
		return -1;
	while ((rc = store_q_step(q, err)) == STORE_ROW) {
		*out = xreallocarray(*out, *n + 1, sizeof(**out));
		key = store_q_col_text(q, 0);
		(*out)[*n].key = xstrdup(key != NULL ? key : "");
		(*out)[*n].n = store_q_col_int(q, 1);
		(*n)++;
	}
	return rc == STORE_ERROR ? -1 : 0;
}

/* Both by the outbox_due index (status first). */
static int
store_stats_outbox(struct store *st, struct store_stats *out,
    struct error *err)
{
	static const char queued_sql[] = "SELECT count(*), min(created_at)"
	    " FROM outbox WHERE status = 'queued'";
	static const char failed_sql[] = "SELECT count(*) FROM outbox"
	    " WHERE status = 'failed'";
	struct store_q *q;

	if ((q = store_q(st, queued_sql, err)) == NULL)
		return -1;
	if (store_q_step(q, err) != STORE_ROW)
		return -1;
	out->outbox_queued = store_q_col_int(q, 0);
	out->outbox_oldest = store_q_col_int(q, 1);
	store_q_reset(q);
	if ((q = store_q(st, failed_sql, err)) == NULL)
		return -1;
	return store_q_one_int(q, &out->outbox_failed, err) == -1 ? -1 : 0;
}

/* One mark per deadline and stage, ever (sla_marks): warnings, breaches. */
static int
store_stats_sla(struct store *st, struct store_stats *out,
    struct error *err)
{
	static const char sql[] = "SELECT stage, count(*) FROM sla_marks"
	    " GROUP BY stage";
	struct store_q *q;
	enum store_step rc;
	const char *stage;

	if ((q = store_q(st, sql, err)) == NULL)
		return -1;
	while ((rc = store_q_step(q, err)) == STORE_ROW) {
		stage = store_q_col_text(q, 0);
		if (stage != NULL && strcmp(stage, "warning") == 0)
			out->sla_warnings = store_q_col_int(q, 1);
		else if (stage != NULL && strcmp(stage, "breach") == 0)
			out->sla_breaches = store_q_col_int(q, 1);
	}
	return rc == STORE_ERROR ? -1 : 0;
}

static int
store_stats_mailboxes(struct store *st, struct store_stats *out,
    struct error *err)
{
	static const char sql[] = "SELECT name, state, backlog,"
	    " last_success FROM mailbox_state ORDER BY name";
	struct store_stats_mailbox *mb;
	struct store_q *q;
	enum store_step rc;

	if ((q = store_q(st, sql, err)) == NULL)
		return -1;
	while ((rc = store_q_step(q, err)) == STORE_ROW) {
		out->mailboxes = xreallocarray(out->mailboxes,
		    out->nmailboxes + 1, sizeof(*out->mailboxes));
		mb = &out->mailboxes[out->nmailboxes++];
		mb->name = store_q_col_strdup(q, 0);
		mb->state = store_q_col_strdup(q, 1);
		mb->backlog = store_q_col_int(q, 2);
		mb->last_success = store_q_col_int(q, 3);
	}
	return rc == STORE_ERROR ? -1 : 0;
}

int
store_stats_probe(struct store *st, struct error *err)
{
	static const char sql[] = "UPDATE store_info SET value = value"
	    " WHERE key = 'id'";
	struct store_q *q;

	if ((q = store_q(st, sql, err)) == NULL)
		return -1;
	return store_q_exec(q, err);
}
