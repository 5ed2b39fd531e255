/*
 * threading: finds the request a message belongs to (DESIGN "Thread").
 * The token wins because it survives clients that drop In-Reply-To; the
 * message-id table covers clients that drop the subject token.  A token
 * naming a request that does not exist is ignored (a typo, or another
 * system's ticket number), and threading falls through to the headers.
 */
#include <stdbool.h>
#include <stddef.h>

#include "error.h"
#include "mime.h"
#include "store.h"
#include "subject_token.h"
#include "threading.h"

static int	threading_ticket_exists(struct store *, int64_t id, bool *out,
		    struct error *err);
static int	threading_lookup_id(struct store *, const char *message_id,
		    int64_t *ticket_out, struct error *err);

int
threading_find(struct store *st, const struct subject_token *tok,
    const struct parsed_message *pm, int64_t *ticket_out,
    enum threading_how *how_out, struct error *err)
{
	uint64_t id;
	bool exists = false;
	size_t i;

	*ticket_out = 0;
	*how_out = THREADING_NONE;
	if (tok != NULL && subject_token_find(tok, pm->subject, &id) &&
	    id <= INT64_MAX) {
		if (threading_ticket_exists(st, (int64_t)id, &exists, err) == -1)
			return -1;
		if (exists) {
			*ticket_out = (int64_t)id;
			*how_out = THREADING_TOKEN;
			return 0;
		}
	}
	if (pm->in_reply_to != NULL) {
		if (threading_lookup_id(st, pm->in_reply_to, ticket_out,
		    err) == -1)
			return -1;
		if (*ticket_out != 0) {
			*how_out = THREADING_IN_REPLY_TO;
			return 0;
		}
	}
	/* Newest reference first: the most specific message in the thread. */
	for (i = pm->nreferences; i > 0; i--) {
		if (threading_lookup_id(st, pm->references[i - 1], ticket_out,
		    err) == -1)
			return -1;
		if (*ticket_out != 0) {
			*how_out = THREADING_REFERENCES;
			return 0;
		}
	}
	return 0;
}

const char *
threading_how_name(enum threading_how how)
{
	switch (how) {
	case THREADING_NONE:
		return "new";
	case THREADING_TOKEN:
		return "token";
	case THREADING_IN_REPLY_TO:
		return "in-reply-to";
	case THREADING_REFERENCES:
		return "references";
	}
	return "unknown";
}

int
threading_remember(struct store *st, const char *message_id, int64_t ticket,
    struct error *err)
{
	static const char sql[] = "INSERT OR IGNORE INTO message_ids"
	    " (message_id, ticket_id) VALUES (?, ?)";
	sqlite3_stmt *stmt;

	if (message_id == NULL || *message_id == '\0')
		return 0;
	if ((stmt = store_stmt(st, sql, err)) == NULL)
		return -1;
	sqlite3_bind_text(stmt, 1, message_id, -1, SQLITE_STATIC);
	sqlite3_bind_int64(stmt, 2, ticket);
	return store_step_done(st, stmt, err);
}

static int
threading_ticket_exists(struct store *st, int64_t id, bool *out,
    struct error *err)
{
	static const char sql[] = "SELECT 1 FROM tickets WHERE id = ?";
	sqlite3_stmt *stmt;
	int rc;

	if ((stmt = store_stmt(st, sql, err)) == NULL)
		return -1;
	sqlite3_bind_int64(stmt, 1, id);
	rc = sqlite3_step(stmt);
	*out = rc == SQLITE_ROW;
	sqlite3_reset(stmt);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return store_error(st, "ticket lookup", err);
	return 0;
}

static int
threading_lookup_id(struct store *st, const char *message_id,
    int64_t *ticket_out, struct error *err)
{
	static const char sql[] = "SELECT ticket_id FROM message_ids"
	    " WHERE message_id = ?";
	sqlite3_stmt *stmt;
	int rc;

	*ticket_out = 0;
	if ((stmt = store_stmt(st, sql, err)) == NULL)
		return -1;
	sqlite3_bind_text(stmt, 1, message_id, -1, SQLITE_STATIC);
	rc = sqlite3_step(stmt);
	if (rc == SQLITE_ROW)
		*ticket_out = sqlite3_column_int64(stmt, 0);
	sqlite3_reset(stmt);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return store_error(st, "message-id lookup", err);
	return 0;
}
