/*
 * history: rows of the events table.  Written by every part of the desk
 * that changes a request, so one statement here instead of one per part.
 */
#include "error.h"
#include "history.h"
#include "store_db.h"

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
	return store_q_exec(q, err);
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
	return 0;
}
