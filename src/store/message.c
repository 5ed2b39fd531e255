/*
 * message: inserting and finding rows of the messages table.  The
 * UNIQUE dedupe_key makes "stored once" a property of the database, not
 * of our code paths (promise 2).
 */
#include <stddef.h>

#include "error.h"
#include "message.h"
#include "mime.h"
#include "store.h"

static void	message_bind_text(sqlite3_stmt *, int col, const char *);

int
message_insert(struct store *st, const struct message_row *r, int64_t *id_out,
    struct error *err)
{
	static const char sql[] = "INSERT INTO messages (ticket_id, direction,"
	    " dedupe_key, message_id, from_addr, from_name, subject, body,"
	    " body_from_html, envelope_from, envelope_rcpts, source,"
	    " auto_reason, parse_warning, token_flag, created_at, raw, agent)"
	    " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)";
	sqlite3_stmt *stmt;

	if ((stmt = store_stmt(st, sql, err)) == NULL)
		return -1;
	sqlite3_bind_int64(stmt, 1, r->ticket_id);
	message_bind_text(stmt, 2, r->direction);
	message_bind_text(stmt, 3, r->dedupe_key);
	message_bind_text(stmt, 4, r->message_id);
	message_bind_text(stmt, 5, r->from_addr);
	message_bind_text(stmt, 6, r->from_name);
	message_bind_text(stmt, 7, r->subject);
	message_bind_text(stmt, 8, r->body);
	sqlite3_bind_int(stmt, 9, r->body_from_html);
	message_bind_text(stmt, 10, r->envelope_from);
	message_bind_text(stmt, 11, r->envelope_rcpts);
	message_bind_text(stmt, 12, r->source);
	message_bind_text(stmt, 13, r->auto_reason);
	message_bind_text(stmt, 14, r->parse_warning);
	message_bind_text(stmt, 15, r->token_flag);
	sqlite3_bind_int64(stmt, 16, (sqlite3_int64)r->created_at);
	if (r->raw != NULL)
		sqlite3_bind_blob64(stmt, 17, r->raw, r->raw_len, SQLITE_STATIC);
	message_bind_text(stmt, 18, r->agent);
	if (store_step_done(st, stmt, err) == -1)
		return -1;
	*id_out = sqlite3_last_insert_rowid(store_db(st));
	return 0;
}

int
message_insert_attachments(struct store *st, int64_t id,
    const struct parsed_message *pm, struct error *err)
{
	static const char sql[] = "INSERT INTO attachments (message_id,"
	    " filename, content_type, size) VALUES (?, ?, ?, ?)";
	sqlite3_stmt *stmt;
	size_t i;

	for (i = 0; i < pm->nattachments; i++) {
		const struct mime_attachment *a = &pm->attachments[i];

		if ((stmt = store_stmt(st, sql, err)) == NULL)
			return -1;
		sqlite3_bind_int64(stmt, 1, id);
		message_bind_text(stmt, 2, a->filename);
		message_bind_text(stmt, 3, a->content_type);
		sqlite3_bind_int64(stmt, 4, (sqlite3_int64)a->size);
		if (store_step_done(st, stmt, err) == -1)
			return -1;
	}
	return 0;
}

int
message_find_duplicate(struct store *st, const char *dedupe_key,
    int64_t *ticket_out, struct error *err)
{
	static const char sql[] = "SELECT ticket_id FROM messages"
	    " WHERE dedupe_key = ?";
	sqlite3_stmt *stmt;
	int rc;

	*ticket_out = 0;
	if ((stmt = store_stmt(st, sql, err)) == NULL)
		return -1;
	sqlite3_bind_text(stmt, 1, dedupe_key, -1, SQLITE_STATIC);
	rc = sqlite3_step(stmt);
	if (rc == SQLITE_ROW)
		*ticket_out = sqlite3_column_int64(stmt, 0);
	sqlite3_reset(stmt);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return store_error(st, "duplicate lookup", err);
	return 0;
}

static void
message_bind_text(sqlite3_stmt *stmt, int col, const char *s)
{
	if (s == NULL)
		sqlite3_bind_null(stmt, col);
	else
		sqlite3_bind_text(stmt, col, s, -1, SQLITE_STATIC);
}
