/*
 * ticket_cc: rows of the ticket_cc table (ticket_cc.h).  The primary key
 * (ticket_id, address) makes an address copied twice one row.
 */
#include <stdlib.h>

#include "error.h"
#include "store_db.h"
#include "ticket.h"
#include "ticket_cc.h"
#include "xmalloc.h"

int
ticket_cc_add(struct store *st, int64_t ticket, const char *address,
    const char *name, bool *added_out, struct error *err)
{
	static const char sql[] = "INSERT INTO ticket_cc"
	    " (ticket_id, address, name) VALUES (?1, ?2, ?3)"
	    " ON CONFLICT DO NOTHING";
	struct store_q *q;

	if ((q = store_q(st, sql, err)) == NULL)
		return -1;
	store_q_int(q, 1, ticket);
	store_q_text(q, 2, address);
	store_q_text(q, 3, name);
	if (store_q_exec(q, err) == -1)
		return -1;
	if (added_out != NULL)
		*added_out = store_q_changes(st) > 0;
	return 0;
}

int
ticket_cc_list(struct store *st, int64_t ticket, struct ticket_cc **cc_out,
    size_t *n_out, struct error *err)
{
	static const char sql[] = "SELECT address, name FROM ticket_cc"
	    " WHERE ticket_id = ?1 ORDER BY address";
	struct ticket_cc *cc = NULL;
	struct store_q *q;
	enum store_step rc;
	size_t n = 0;

	*cc_out = NULL;
	*n_out = 0;
	if ((q = store_q(st, sql, err)) == NULL)
		return -1;
	store_q_int(q, 1, ticket);
	while ((rc = store_q_step(q, err)) == STORE_ROW) {
		cc = xreallocarray(cc, n + 1, sizeof(*cc));
		cc[n].address = store_q_col_strdup(q, 0);
		cc[n++].name = store_q_col_strdup(q, 1);
	}
	if (rc == STORE_ERROR) {
		ticket_cc_free(cc, n);
		return -1;
	}
	*cc_out = cc;
	*n_out = n;
	return 0;
}

void
ticket_cc_free(struct ticket_cc *cc, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(cc[i].address);
		free(cc[i].name);
	}
	free(cc);
}

int
ticket_cc_move(struct store *st, int64_t from, int64_t into,
    struct error *err)
{
	/* the WHERE keeps SQLite from reading ON CONFLICT as a join's ON */
	static const char copy[] = "INSERT INTO ticket_cc"
	    " (ticket_id, address, name) SELECT ?2, address, name"
	    " FROM ticket_cc WHERE ticket_id = ?1 ON CONFLICT DO NOTHING";
	static const char drop[] = "DELETE FROM ticket_cc WHERE ticket_id = ?1";
	struct store_q *q;

	if ((q = store_q(st, copy, err)) == NULL)
		return -1;
	store_q_int(q, 1, from);
	store_q_int(q, 2, into);
	if (store_q_exec(q, err) == -1 ||
	    (q = store_q(st, drop, err)) == NULL)
		return -1;
	store_q_int(q, 1, from);
	return store_q_exec(q, err);
}
