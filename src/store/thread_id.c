/*
 * thread_id: rows of the message_ids table (thread_id.h).  The primary
 * key on message_id makes "first request wins" the database's rule.
 */
#include <stddef.h>

#include "error.h"
#include "store_db.h"
#include "thread_id.h"

int
thread_id_remember(struct store *st, const char *message_id, int64_t ticket,
    struct error *err)
{
	static const char sql[] = "INSERT INTO message_ids"
	    " (message_id, ticket_id) VALUES (?1, ?2) ON CONFLICT DO NOTHING";
	struct store_q *q;

	if ((q = store_q(st, sql, err)) == NULL)
		return -1;
	store_q_text(q, 1, message_id);
	store_q_int(q, 2, ticket);
	return store_q_exec_later(q, err);
}

int
thread_id_find(struct store *st, const char *message_id, int64_t *ticket_out,
    struct error *err)
{
	static const char sql[] = "SELECT ticket_id FROM message_ids"
	    " WHERE message_id = ?1";
	struct store_q *q;

	*ticket_out = 0;
	if ((q = store_q(st, sql, err)) == NULL)
		return -1;
	store_q_text(q, 1, message_id);
	return store_q_one_int(q, ticket_out, err) == -1 ? -1 : 0;
}

int
thread_id_move(struct store *st, int64_t from, int64_t into,
    struct error *err)
{
	static const char sql[] = "UPDATE message_ids SET ticket_id = ?2"
	    " WHERE ticket_id = ?1";
	struct store_q *q;

	if ((q = store_q(st, sql, err)) == NULL)
		return -1;
	store_q_int(q, 1, from);
	store_q_int(q, 2, into);
	return store_q_exec(q, err);
}
