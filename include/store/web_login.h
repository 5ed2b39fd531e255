/*
 * web_login: the dashboard's passwords and sessions (issue 18), the
 * agent_passwords and web_sessions tables.  A session is kept by the
 * SHA-256 of its id (hex, WEB_LOGIN_HASH_LEN digits), never the id
 * itself.  Writes run in the one writer's transaction (or triagectl's
 * own); reads on any connection.  -1 + err (ERR_TEMP for a busy or
 * broken database).
 */
#ifndef TRIAGED_WEB_LOGIN_H
#define TRIAGED_WEB_LOGIN_H

#include <stdbool.h>
#include <time.h>

struct error;
struct store;

#define WEB_LOGIN_HASH_LEN	64

/*
 * Sets agent's password hash (replacing one) and ends every session the
 * agent has: a new password logs out whoever had the old one.
 */
int	web_login_set_password(struct store *, const char *agent,
	    const char *hash, time_t now, struct error *err);
/* agent's hash into *hash_out (caller frees): 1, or 0 when none. */
int	web_login_password(struct store *, const char *agent,
	    char **hash_out, struct error *err);
/*
 * A new session of agent until expires; the expired sessions of every
 * agent are deleted with it.
 */
int	web_login_session_add(struct store *, const char *id_hash,
	    const char *agent, time_t now, time_t expires,
	    struct error *err);
/*
 * The agent of the session whose id hashes to id_hash, if it has not
 * expired at now, into *agent_out (caller frees): 1, or 0 when none.
 */
int	web_login_session_find(struct store *, const char *id_hash,
	    time_t now, char **agent_out, struct error *err);
/* Ends a session (logout); none: nothing done, 0. */
int	web_login_session_drop(struct store *, const char *id_hash,
	    struct error *err);

#endif
