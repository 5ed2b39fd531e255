/*
 * web_login: rows of agent_passwords and web_sessions (web_login.h).
 */
#include <stdint.h>

#include "error.h"
#include "store_db.h"
#include "web_login.h"

int
web_login_set_password(struct store *st, const char *agent,
    const char *hash, time_t now, struct error *err)
{
	static const char sql[] = "INSERT INTO agent_passwords (agent, hash,"
	    " changed_at) VALUES (?1, ?2, ?3) ON CONFLICT (agent) DO UPDATE"
	    " SET hash = excluded.hash, changed_at = excluded.changed_at";
	static const char drop[] = "DELETE FROM web_sessions"
	    " WHERE agent = ?1";
	struct store_q *q;

	if ((q = store_q(st, sql, err)) == NULL)
		return -1;
	store_q_text(q, 1, agent);
	store_q_text(q, 2, hash);
	store_q_int(q, 3, (int64_t)now);
	if (store_q_exec(q, err) == -1)
		return -1;
	if ((q = store_q(st, drop, err)) == NULL)
		return -1;
	store_q_text(q, 1, agent);
	return store_q_exec(q, err);
}

int
web_login_password(struct store *st, const char *agent, char **hash_out,
    struct error *err)
{
	static const char sql[] = "SELECT hash FROM agent_passwords"
	    " WHERE agent = ?1";
	struct store_q *q;

	*hash_out = NULL;
	if ((q = store_q(st, sql, err)) == NULL)
		return -1;
	store_q_text(q, 1, agent);
	return store_q_one_text(q, hash_out, err);
}

int
web_login_session_add(struct store *st, const char *id_hash,
    const char *agent, time_t now, time_t expires, struct error *err)
{
	static const char purge[] = "DELETE FROM web_sessions"
	    " WHERE expires_at <= ?1";
	static const char sql[] = "INSERT INTO web_sessions (id_hash, agent,"
	    " created_at, expires_at) VALUES (?1, ?2, ?3, ?4)";
	struct store_q *q;

	if ((q = store_q(st, purge, err)) == NULL)
		return -1;
	store_q_int(q, 1, (int64_t)now);
	if (store_q_exec(q, err) == -1)
		return -1;
	if ((q = store_q(st, sql, err)) == NULL)
		return -1;
	store_q_text(q, 1, id_hash);
	store_q_text(q, 2, agent);
	store_q_int(q, 3, (int64_t)now);
	store_q_int(q, 4, (int64_t)expires);
	return store_q_exec(q, err);
}

int
web_login_session_find(struct store *st, const char *id_hash, time_t now,
    char **agent_out, struct error *err)
{
	static const char sql[] = "SELECT agent FROM web_sessions"
	    " WHERE id_hash = ?1 AND expires_at > ?2";
	struct store_q *q;

	*agent_out = NULL;
	if ((q = store_q(st, sql, err)) == NULL)
		return -1;
	store_q_text(q, 1, id_hash);
	store_q_int(q, 2, (int64_t)now);
	return store_q_one_text(q, agent_out, err);
}

int
web_login_session_drop(struct store *st, const char *id_hash,
    struct error *err)
{
	static const char sql[] = "DELETE FROM web_sessions"
	    " WHERE id_hash = ?1";
	struct store_q *q;

	if ((q = store_q(st, sql, err)) == NULL)
		return -1;
	store_q_text(q, 1, id_hash);
	return store_q_exec(q, err);
}
