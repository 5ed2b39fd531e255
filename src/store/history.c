/*
 * history: rows of the events table.  Written by every part of the desk
 * that changes a request, so one statement here instead of one per part.
 */
#include <stdlib.h>

#include "error.h"
#include "history.h"
#include "store_db.h"
#include "xmalloc.h"

int
history_add(struct store *st, int64_t ticket, time_t at, const char *kind,
    const char *actor, const char *detail, struct error *err)
{
	static const char sql[] = "INSERT INTO events (ticket_id, at, kind,"
	    " actor, detail) VALUES (?1, ?2, ?3, ?4, ?5)";
	struct store_q *q;

	if ((q = store_q(st, sql, err)) == NULL)
		return -1;
	store_q_int(q, 1, ticket);
	store_q_int(q, 2, (int64_t)at);
	store_q_text(q, 3, kind);
	store_q_text(q, 4, actor);
	store_q_text(q, 5, detail);
	return store_q_exec_later(q, err);
}

int
history_has(struct store *st, int64_t ticket, const char *kind,
    bool *found_out, struct error *err)
{
	static const char sql[] = "SELECT 1 FROM events"
	    " WHERE ticket_id = ?1 AND kind = ?2 LIMIT 1";
	struct store_q *q;
	enum store_step rc;

	*found_out = false;
	if ((q = store_q(st, sql, err)) == NULL)
		return -1;
	store_q_int(q, 1, ticket);
	store_q_text(q, 2, kind);
	if ((rc = store_q_step(q, err)) == STORE_ERROR)
		return -1;
	*found_out = rc == STORE_ROW;
	store_q_reset(q);
	return 0;
}

int
history_move(struct store *st, int64_t from, int64_t into, struct error *err)
{
	static const char sql[] = "UPDATE events SET ticket_id = ?2"
	    " WHERE ticket_id = ?1";
	struct store_q *q;

	if ((q = store_q(st, sql, err)) == NULL)
		return -1;
	store_q_int(q, 1, from);
	store_q_int(q, 2, into);
	return store_q_exec(q, err);
}

int
history_list(struct store *st, int64_t ticket, struct history_event **out,
    size_t *n_out, struct error *err)
{
	static const char sql[] = "SELECT at, kind, actor, detail FROM events"
	    " WHERE ticket_id = ?1 ORDER BY at, id";
	struct store_q *q;
	enum store_step rc;
	struct history_event *v = NULL;
	size_t n = 0;

	*out = NULL;
	*n_out = 0;
	if ((q = store_q(st, sql, err)) == NULL)
		return -1;
	store_q_int(q, 1, ticket);
	while ((rc = store_q_step(q, err)) == STORE_ROW) {
		v = xreallocarray(v, n + 1, sizeof(*v));
		v[n].at = (time_t)store_q_col_int(q, 0);
		v[n].kind = store_q_col_strdup(q, 1);
		v[n].actor = store_q_col_strdup(q, 2);
		v[n++].detail = store_q_col_strdup(q, 3);
	}
	if (rc == STORE_ERROR) {
		history_list_free(v, n);
		return -1;
	}
	*out = v;
	*n_out = n;
	return 0;
}

void
history_list_free(struct history_event *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(v[i].kind);
		free(v[i].actor);
		free(v[i].detail);
	}
	free(v);
}
