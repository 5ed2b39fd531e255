/*
 * assign_state: the assign_cursor and agent_away tables (see
 * assign_state.h).  Both are keyed by name, so every write is one
 * upsert or delete and every read one primary-key lookup.  A lookup
 * resets its statement once it has the row, so no read stays open on
 * the connection after it returns.
 */
#include <stdlib.h>

#include "assign_state.h"
#include "error.h"
#include "store_db.h"

int
assign_state_cursor(struct store *st, const char *category, char **agent_out,
    struct error *err)
{
	static const char sql[] = "SELECT last_agent FROM assign_cursor"
	    " WHERE category = ?1";
	struct store_q *q;

	*agent_out = NULL;
	if ((q = store_q(st, sql, err)) == NULL)
		return -1;
	store_q_text(q, 1, category);
	return store_q_one_text(q, agent_out, err) == -1 ? -1 : 0;
}

/*
 * One upsert that changes nothing but takes the row lock, and returns
 * the value of the latest committed version (an ON CONFLICT update reads
 * it after waiting for the lock, whatever the statement's snapshot).  ''
 * is a cursor on nobody: a category locked before its first pick.
 */
int
assign_state_lock(struct store *st, const char *category, char **agent_out,
    struct error *err)
{
	static const char sql[] = "INSERT INTO assign_cursor"
	    " (category, last_agent) VALUES (?1, '') ON CONFLICT (category)"
	    " DO UPDATE SET last_agent = assign_cursor.last_agent"
	    " RETURNING last_agent";
	struct store_q *q;
	int rc;

	*agent_out = NULL;
	if ((q = store_q(st, sql, err)) == NULL)
		return -1;
	store_q_text(q, 1, category);
	if ((rc = store_q_one_text(q, agent_out, err)) == -1)
		return -1;
	if (rc == 0)
		return error_set(err, ERR_INTERNAL, "assign cursor: no row");
	if (*agent_out != NULL && **agent_out == '\0') {
		free(*agent_out);
		*agent_out = NULL;
	}
	return 0;
}

int
assign_state_cursor_set(struct store *st, const char *category,
    const char *agent, struct error *err)
{
	static const char sql[] = "INSERT INTO assign_cursor"
	    " (category, last_agent) VALUES (?1, ?2) ON CONFLICT (category)"
	    " DO UPDATE SET last_agent = excluded.last_agent";
	struct store_q *q;

	if ((q = store_q(st, sql, err)) == NULL)
		return -1;
	store_q_text(q, 1, category);
	store_q_text(q, 2, agent);
	return store_q_exec(q, err);
}

int
assign_state_away_set(struct store *st, const char *agent, time_t since,
    time_t until, struct error *err)
{
	static const char sql[] = "INSERT INTO agent_away (agent, since, until)"
	    " VALUES (?1, ?2, ?3) ON CONFLICT (agent) DO UPDATE"
	    " SET since = excluded.since, until = excluded.until";
	struct store_q *q;

	if ((q = store_q(st, sql, err)) == NULL)
		return -1;
	store_q_text(q, 1, agent);
	store_q_int(q, 2, (int64_t)since);
	store_q_int(q, 3, (int64_t)until);
	return store_q_exec(q, err);
}

int
assign_state_away_clear(struct store *st, const char *agent,
    struct error *err)
{
	static const char sql[] = "DELETE FROM agent_away WHERE agent = ?1";
	struct store_q *q;

	if ((q = store_q(st, sql, err)) == NULL)
		return -1;
	store_q_text(q, 1, agent);
	return store_q_exec(q, err);
}

int
assign_state_away_at(struct store *st, const char *agent, time_t now,
    time_t *until_out, struct error *err)
{
	static const char sql[] = "SELECT until FROM agent_away"
	    " WHERE agent = ?1 AND since <= ?2 AND until > ?2";
	struct store_q *q;

	*until_out = 0;
	if ((q = store_q(st, sql, err)) == NULL)
		return -1;
	store_q_text(q, 1, agent);
	store_q_int(q, 2, (int64_t)now);
	switch (store_q_step(q, err)) {
	case STORE_ROW:
		*until_out = (time_t)store_q_col_int(q, 0);
		store_q_reset(q);
		return 1;
	case STORE_DONE:
		return 0;
	default:
		return -1;
	}
}
