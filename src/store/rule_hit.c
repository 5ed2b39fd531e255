/*
 * rule_hit: rows of rule_hits (see rule_hit.h).
 */
#include "error.h"
#include "rule_hit.h"
#include "store_db.h"

int
rule_hit_add(struct store *st, int64_t ticket, int64_t message_row,
    time_t at, const char *rule, const char *actions, struct error *err)
{
	static const char sql[] = "INSERT INTO rule_hits (ticket_id,"
	    " message_row, at, rule, actions) VALUES (?1, ?2, ?3, ?4, ?5)";
	struct store_q *q;

	if ((q = store_q(st, sql, err)) == NULL)
		return -1;
	store_q_int(q, 1, ticket);
	store_q_id(q, 2, message_row);
	store_q_int(q, 3, (int64_t)at);
	store_q_text(q, 4, rule);
	store_q_text(q, 5, actions);
	return store_q_exec_later(q, err);
}
