/*
 * ticket_tag: rows of the ticket_tags table (ticket_tag.h).  The primary
 * key (ticket_id, tag) makes a tag set twice one row.
 */
#include <stdlib.h>

#include "error.h"
#include "store_db.h"
#include "ticket_tag.h"
#include "xmalloc.h"

int
ticket_tag_add(struct store *st, int64_t ticket, const char *tag,
    bool *added_out, struct error *err)
{
	static const char sql[] = "INSERT INTO ticket_tags (ticket_id, tag)"
	    " VALUES (?1, ?2) ON CONFLICT DO NOTHING";
	struct store_q *q;

	if ((q = store_q(st, sql, err)) == NULL)
		return -1;
	store_q_int(q, 1, ticket);
	store_q_text(q, 2, tag);
	if (added_out == NULL)	/* nobody asks: a deferred write */
		return store_q_exec_later(q, err);
	if (store_q_exec(q, err) == -1)
		return -1;
	*added_out = store_q_changes(st) > 0;
	return 0;
}

int
ticket_tag_remove(struct store *st, int64_t ticket, const char *tag,
    bool *removed_out, struct error *err)
{
	static const char sql[] = "DELETE FROM ticket_tags"
	    " WHERE ticket_id = ?1 AND tag = ?2";
	struct store_q *q;

	if ((q = store_q(st, sql, err)) == NULL)
		return -1;
	store_q_int(q, 1, ticket);
	store_q_text(q, 2, tag);
	if (store_q_exec(q, err) == -1)
		return -1;
	if (removed_out != NULL)
		*removed_out = store_q_changes(st) > 0;
	return 0;
}

int
ticket_tag_list(struct store *st, int64_t ticket, char ***tags_out,
    size_t *n_out, struct error *err)
{
	static const char sql[] = "SELECT tag FROM ticket_tags"
	    " WHERE ticket_id = ?1 ORDER BY tag";
	struct store_q *q;
	enum store_step rc;
	char **tags = NULL;
	size_t n = 0;

	*tags_out = NULL;
	*n_out = 0;
	if ((q = store_q(st, sql, err)) == NULL)
		return -1;
	store_q_int(q, 1, ticket);
	while ((rc = store_q_step(q, err)) == STORE_ROW) {
		tags = xreallocarray(tags, n + 1, sizeof(*tags));
		tags[n++] = store_q_col_strdup(q, 0);
	}
	if (rc == STORE_ERROR) {
		ticket_tag_list_free(tags, n);
		return -1;
	}
	*tags_out = tags;
	*n_out = n;
	return 0;
}

void
ticket_tag_list_free(char **tags, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(tags[i]);
	free(tags);
}

int
ticket_tag_move(struct store *st, int64_t from, int64_t into,
    struct error *err)
{
	/* the WHERE keeps SQLite from reading ON CONFLICT as a join's ON */
	static const char copy[] = "INSERT INTO ticket_tags (ticket_id, tag)"
	    " SELECT ?2, tag FROM ticket_tags WHERE ticket_id = ?1"
	    " ON CONFLICT DO NOTHING";
	static const char drop[] = "DELETE FROM ticket_tags"
	    " WHERE ticket_id = ?1";
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
