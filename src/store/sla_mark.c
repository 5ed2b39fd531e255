/*
 * sla_mark: rows of sla_marks (see sla_mark.h).  The insert is an
 * upsert that does nothing on a conflict, so "was it new?" is the row
 * count of the statement, not a second query.
 */
#include "error.h"
#include "sla_mark.h"
#include "store_db.h"

int
sla_mark_add(struct store *st, int64_t ticket, const char *target,
    time_t due, const char *stage, time_t at, bool *new_out,
    struct error *err)
{
	static const char sql[] = "INSERT INTO sla_marks"
	    " (ticket_id, target, due, stage, at) VALUES (?1, ?2, ?3, ?4, ?5)"
	    " ON CONFLICT DO NOTHING";
	struct store_q *q;

	*new_out = false;
	if ((q = store_q(st, sql, err)) == NULL)
		return -1;
	store_q_int(q, 1, ticket);
	store_q_text(q, 2, target);
	store_q_int(q, 3, (int64_t)due);
	store_q_text(q, 4, stage);
	store_q_int(q, 5, (int64_t)at);
	if (store_q_exec(q, err) == -1)
		return -1;
	*new_out = store_q_changes(st) > 0;
	return 0;
}

int
sla_mark_since(struct store *st, int64_t ticket, const char *target,
    const char *stage, time_t since, bool *found_out, struct error *err)
{
	static const char sql[] = "SELECT 1 FROM sla_marks WHERE"
	    " ticket_id = ?1 AND target = ?2 AND at >= ?3 AND stage = ?4"
	    " LIMIT 1";
	struct store_q *q;
	enum store_step rc;

	*found_out = false;
	if ((q = store_q(st, sql, err)) == NULL)
		return -1;
	store_q_int(q, 1, ticket);
	store_q_text(q, 2, target);
	store_q_int(q, 3, (int64_t)since);
	store_q_text(q, 4, stage);
	if ((rc = store_q_step(q, err)) == STORE_ERROR)
		return -1;
	*found_out = rc == STORE_ROW;
	store_q_reset(q);
	return 0;
}
