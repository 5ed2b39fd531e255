/*
 * store_schema: the schema, created at version 1 and migrated forward by
 * PRAGMA user_version (OpenSMTPD's envelope version idea).  A migration is
 * appended, never edited, once released.
 *
 * Times are seconds since the epoch (UTC).  Addresses are stored lowercased.
 */
#include <stddef.h>

#include "store_schema.h"

static const char *const migrations[] = {
	/* version 1 */
	"CREATE TABLE customers ("
	"  id INTEGER PRIMARY KEY,"
	"  name TEXT NOT NULL DEFAULT '',"
	"  company TEXT,"
	"  created_at INTEGER NOT NULL);"
	"CREATE TABLE customer_addresses ("
	"  address TEXT PRIMARY KEY,"
	"  customer_id INTEGER NOT NULL REFERENCES customers(id),"
	"  added_at INTEGER NOT NULL) WITHOUT ROWID;"
	"CREATE INDEX customer_addresses_customer ON customer_addresses(customer_id);"
	/* status: new, open, pending, resolved, closed */
	"CREATE TABLE tickets ("
	"  id INTEGER PRIMARY KEY,"
	"  subject TEXT NOT NULL DEFAULT '',"
	"  customer_id INTEGER REFERENCES customers(id),"
	"  status TEXT NOT NULL DEFAULT 'new',"
	"  priority TEXT NOT NULL DEFAULT 'normal',"
	"  category TEXT,"
	"  assignee TEXT,"
	"  source TEXT NOT NULL DEFAULT '',"
	"  created_at INTEGER NOT NULL,"
	"  updated_at INTEGER NOT NULL);"
	"CREATE INDEX tickets_customer ON tickets(customer_id, id);"
	"CREATE INDEX tickets_status ON tickets(status, id);"
	"CREATE INDEX tickets_assignee ON tickets(assignee, id);"
	"CREATE INDEX tickets_category ON tickets(category, id);"
	"CREATE TABLE ticket_cc ("
	"  ticket_id INTEGER NOT NULL REFERENCES tickets(id),"
	"  address TEXT NOT NULL,"
	"  name TEXT,"
	"  PRIMARY KEY (ticket_id, address)) WITHOUT ROWID;"
	/*
	 * direction: in (from a customer), out (relayed to a customer),
	 * auto (our automatic mail: acknowledgements), note (internal).
	 * dedupe_key is UNIQUE: promise 2 is enforced by the database.
	 */
	"CREATE TABLE messages ("
	"  id INTEGER PRIMARY KEY,"
	"  ticket_id INTEGER NOT NULL REFERENCES tickets(id),"
	"  direction TEXT NOT NULL,"
	"  dedupe_key TEXT UNIQUE,"
	"  message_id TEXT,"
	"  from_addr TEXT,"
	"  from_name TEXT,"
	"  subject TEXT,"
	"  body TEXT,"
	"  body_from_html INTEGER NOT NULL DEFAULT 0,"
	"  envelope_from TEXT,"
	"  envelope_rcpts TEXT,"
	"  source TEXT,"
	"  auto_reason TEXT,"
	"  parse_warning TEXT,"
	"  token_flag TEXT,"
	"  created_at INTEGER NOT NULL,"
	"  raw BLOB);"
	"CREATE INDEX messages_ticket ON messages(ticket_id, id);"
	/* every Message-ID we received or sent, for In-Reply-To/References */
	"CREATE TABLE message_ids ("
	"  message_id TEXT PRIMARY KEY,"
	"  ticket_id INTEGER NOT NULL REFERENCES tickets(id)) WITHOUT ROWID;"
	"CREATE TABLE attachments ("
	"  id INTEGER PRIMARY KEY,"
	"  message_id INTEGER NOT NULL REFERENCES messages(id),"
	"  filename TEXT,"
	"  content_type TEXT,"
	"  size INTEGER NOT NULL);"
	"CREATE INDEX attachments_message ON attachments(message_id);"
	"CREATE TABLE events ("
	"  id INTEGER PRIMARY KEY,"
	"  ticket_id INTEGER NOT NULL REFERENCES tickets(id),"
	"  at INTEGER NOT NULL,"
	"  kind TEXT NOT NULL,"
	"  actor TEXT,"
	"  detail TEXT);"
	"CREATE INDEX events_ticket ON events(ticket_id, id);"
	/*
	 * status: queued, sent, failed (permanent, kept for the admin).
	 * rcpts: space-separated list.  The sender claims due rows by
	 * (status, next_attempt_at).
	 */
	"CREATE TABLE outbox ("
	"  id INTEGER PRIMARY KEY,"
	"  ticket_id INTEGER REFERENCES tickets(id),"
	"  kind TEXT NOT NULL,"
	"  mail_from TEXT NOT NULL,"
	"  rcpts TEXT NOT NULL,"
	"  message_id TEXT,"
	"  data BLOB NOT NULL,"
	"  status TEXT NOT NULL DEFAULT 'queued',"
	"  attempts INTEGER NOT NULL DEFAULT 0,"
	"  created_at INTEGER NOT NULL,"
	"  next_attempt_at INTEGER NOT NULL,"
	"  sent_at INTEGER,"
	"  last_error TEXT);"
	"CREATE INDEX outbox_due ON outbox(status, next_attempt_at);"
	"CREATE INDEX outbox_rcpt ON outbox(rcpts, kind, created_at);",

	/*
	 * version 2: IMAP intake.  One state row per configured mailbox
	 * (state: connecting, connected, idle, error), written by its
	 * poller; last_uid is informational, the store's dedupe is what
	 * keeps a message from becoming a second request.  ticket_tags holds
	 * the tags a request carries (a mailbox's defaults, later rules).
	 */
	"CREATE TABLE mailbox_state ("
	"  name TEXT PRIMARY KEY,"
	"  uidvalidity INTEGER,"
	"  last_uid INTEGER,"
	"  state TEXT NOT NULL DEFAULT 'connecting',"
	"  last_success INTEGER,"
	"  last_error TEXT,"
	"  last_error_at INTEGER,"
	"  backlog INTEGER NOT NULL DEFAULT 0,"
	"  taken INTEGER NOT NULL DEFAULT 0);"
	"CREATE TABLE ticket_tags ("
	"  ticket_id INTEGER NOT NULL REFERENCES tickets(id),"
	"  tag TEXT NOT NULL,"
	"  PRIMARY KEY (ticket_id, tag)) WITHOUT ROWID;"
	"CREATE INDEX ticket_tags_tag ON ticket_tags(tag, ticket_id);",

	/*
	 * version 3: the data model of agents, rules, SLAs and reports,
	 * laid down at once so those parts share one meaning per column.
	 *
	 * tickets: first_response_at is the first agent reply relayed to the
	 * customer; last_customer_at / last_agent_at the latest of each
	 * (next-response SLA); resolved_at / closed_at the latest such
	 * status change, reopen_count how often it came back; company from
	 * the customer (rules); hidden = 1 for mail dropped as spam (stored,
	 * never answered, not listed); merged_into the surviving request;
	 * sla_policy as rules/category/company chose it (NULL: by priority
	 * or the default); the three *_due deadlines (NULL: none running)
	 * and sla_check_at, the next moment the SLA timer must look at the
	 * row (a warning or a deadline), indexed so the timer reads only due
	 * rows; paused_at / paused_secs the resolution clock's pause while
	 * pending; rating 1-5 from the customer; thread_root the Message-ID
	 * that starts the agents' notification thread of the request.
	 */
	"ALTER TABLE tickets ADD COLUMN first_response_at INTEGER;"
	"ALTER TABLE tickets ADD COLUMN last_customer_at INTEGER;"
	"ALTER TABLE tickets ADD COLUMN last_agent_at INTEGER;"
	"ALTER TABLE tickets ADD COLUMN resolved_at INTEGER;"
	"ALTER TABLE tickets ADD COLUMN closed_at INTEGER;"
	"ALTER TABLE tickets ADD COLUMN reopen_count INTEGER NOT NULL DEFAULT 0;"
	"ALTER TABLE tickets ADD COLUMN company TEXT;"
	"ALTER TABLE tickets ADD COLUMN hidden INTEGER NOT NULL DEFAULT 0;"
	"ALTER TABLE tickets ADD COLUMN merged_into INTEGER;"
	"ALTER TABLE tickets ADD COLUMN sla_policy TEXT;"
	"ALTER TABLE tickets ADD COLUMN first_response_due INTEGER;"
	"ALTER TABLE tickets ADD COLUMN next_response_due INTEGER;"
	"ALTER TABLE tickets ADD COLUMN resolution_due INTEGER;"
	"ALTER TABLE tickets ADD COLUMN sla_check_at INTEGER;"
	"ALTER TABLE tickets ADD COLUMN paused_at INTEGER;"
	"ALTER TABLE tickets ADD COLUMN paused_secs INTEGER NOT NULL DEFAULT 0;"
	"ALTER TABLE tickets ADD COLUMN rating INTEGER;"
	"ALTER TABLE tickets ADD COLUMN rated_at INTEGER;"
	"ALTER TABLE tickets ADD COLUMN thread_root TEXT;"
	"CREATE INDEX tickets_sla_check ON tickets(sla_check_at)"
	"  WHERE sla_check_at IS NOT NULL;"
	"CREATE INDEX tickets_created ON tickets(created_at);"
	/* the agent who wrote an out or note message */
	"ALTER TABLE messages ADD COLUMN agent TEXT;"
	/*
	 * events.kind: created, message, reopened, assigned, status,
	 * priority, category, tag, untag, cc, note, reply, merged,
	 * sla_warning, sla_breach, escalated, rated, rule.  actor: an agent
	 * name, a customer address, "rule:NAME", "sla" or "triagectl".
	 */
	"CREATE INDEX events_kind ON events(kind, at);"
	/* promise 2 for SLA mail: one row per deadline and stage, ever */
	"CREATE TABLE sla_marks ("
	"  ticket_id INTEGER NOT NULL REFERENCES tickets(id),"
	"  target TEXT NOT NULL,"	/* first_response, next_response, resolution */
	"  due INTEGER NOT NULL,"
	"  stage TEXT NOT NULL,"	/* warning, breach */
	"  at INTEGER NOT NULL,"
	"  PRIMARY KEY (ticket_id, target, due, stage)) WITHOUT ROWID;"
	/* triagectl explain: what each rule did to a request */
	"CREATE TABLE rule_hits ("
	"  id INTEGER PRIMARY KEY,"
	"  ticket_id INTEGER NOT NULL REFERENCES tickets(id),"
	"  message_row INTEGER,"
	"  at INTEGER NOT NULL,"
	"  rule TEXT NOT NULL,"
	"  actions TEXT NOT NULL);"
	"CREATE INDEX rule_hits_ticket ON rule_hits(ticket_id, id);"
	/* absences set with triagectl (the config's dates live there) */
	"CREATE TABLE agent_away ("
	"  agent TEXT PRIMARY KEY,"
	"  since INTEGER NOT NULL,"
	"  until INTEGER NOT NULL);"
	/* round-robin position per category */
	"CREATE TABLE assign_cursor ("
	"  category TEXT PRIMARY KEY,"
	"  last_agent TEXT NOT NULL);"
	/* scheduled digests: the last period sent, so each is sent once */
	"CREATE TABLE digest_runs ("
	"  schedule TEXT PRIMARY KEY,"
	"  period_end INTEGER NOT NULL);",

	/* versions 4 to 7: one slot per part, filled by that part's work */
	/* version 4: agents (issue 4) */
	"SELECT 1;",
	/* version 5: rules (issue 5) */
	"SELECT 1;",
	/* version 6: SLA (issue 6) */
	"SELECT 1;",
	/*
	 * version 7: reports (issue 7).  Message counts per request and
	 * direction read the index alone; the backlog and load views read
	 * only the open requests (tickets_open: with a million closed ones
	 * the planner otherwise walks them all); the survey timer reads only
	 * the resolved requests not yet asked (survey_sent_at: when the
	 * rating survey was queued).
	 */
	"CREATE INDEX messages_direction ON messages(ticket_id, direction);"
	"CREATE INDEX tickets_open ON tickets(created_at)"
	"  WHERE status IN ('new', 'open', 'pending');"
	"ALTER TABLE tickets ADD COLUMN survey_sent_at INTEGER;"
	"CREATE INDEX tickets_survey ON tickets(resolved_at)"
	"  WHERE survey_sent_at IS NULL AND status = 'resolved';",

	/*
	 * version 8: the outbox delivers exactly once (issue 20).
	 * store_info holds the store's random identity ('id', 16 hex
	 * digits), part of the name of every file we put into a Maildir, so
	 * two databases delivering into one Maildir never share a name.
	 * origin_sender and origin_client are the envelope sender and the
	 * SMTP/LMTP client address of the message that made us write an
	 * acknowledgement, counted by its rate limits (only ack rows carry
	 * them, hence the partial indexes).
	 */
	"CREATE TABLE store_info ("
	"  key TEXT PRIMARY KEY,"
	"  value TEXT NOT NULL);"
	"INSERT INTO store_info (key, value)"
	"  VALUES ('id', lower(hex(randomblob(8))));"
	"ALTER TABLE outbox ADD COLUMN origin_sender TEXT;"
	"ALTER TABLE outbox ADD COLUMN origin_client TEXT;"
	"CREATE INDEX outbox_origin_sender ON outbox(origin_sender, kind,"
	"  created_at) WHERE origin_sender IS NOT NULL;"
	"CREATE INDEX outbox_origin_client ON outbox(origin_client, kind,"
	"  created_at) WHERE origin_client IS NOT NULL;",

	/*
	 * version 9: tasks on a request (issue 19).  due_at NULL: no time
	 * and no reminder; done_at NULL: open.  tasks_remind holds only the
	 * open tasks not yet reminded, so the reminder timer reads what is
	 * due and nothing else; tasks_open serves the overdue views.
	 */
	"CREATE TABLE tasks ("
	"  id INTEGER PRIMARY KEY,"
	"  ticket_id INTEGER NOT NULL REFERENCES tickets(id),"
	"  assignee TEXT,"
	"  due_at INTEGER,"
	"  text TEXT NOT NULL,"
	"  created_by TEXT NOT NULL,"
	"  created_at INTEGER NOT NULL,"
	"  done_at INTEGER,"
	"  done_by TEXT,"
	"  reminded_at INTEGER);"
	"CREATE INDEX tasks_ticket ON tasks(ticket_id, id);"
	"CREATE INDEX tasks_remind ON tasks(due_at)"
	"  WHERE done_at IS NULL AND reminded_at IS NULL"
	"  AND due_at IS NOT NULL;"
	"CREATE INDEX tasks_open ON tasks(due_at) WHERE done_at IS NULL;"
	"CREATE INDEX tasks_done ON tasks(done_at) WHERE done_at IS NOT NULL;",

	/*
	 * version 10: retention and erasure (issue 14, purge.c).
	 * tickets.purged_at: when the request's personal data was removed
	 * (the row and its figures stay).  The two partial indexes let the
	 * retention timer read only what is still to purge: requests
	 * resolved or closed and not purged, by age; messages that still
	 * hold raw bytes, by age.  erasures records each `triagectl forget`
	 * (when, by whom, how much), never whom.
	 */
	"ALTER TABLE tickets ADD COLUMN purged_at INTEGER;"
	"CREATE INDEX tickets_unpurged ON tickets"
	"  (COALESCE(closed_at, resolved_at))"
	"  WHERE status IN ('resolved', 'closed') AND purged_at IS NULL;"
	"CREATE INDEX messages_raw_kept ON messages(created_at)"
	"  WHERE raw IS NOT NULL;"
	"CREATE TABLE erasures ("
	"  id INTEGER PRIMARY KEY,"
	"  at INTEGER NOT NULL,"
	"  actor TEXT NOT NULL,"
	"  requests INTEGER NOT NULL,"
	"  messages INTEGER NOT NULL,"
	"  outbox INTEGER NOT NULL);",

	/*
	 * version 11: safe onboarding of a mailbox (issue 19).  import_uid
	 * is the highest UID that was already in the folder at the first
	 * connection (under that UIDVALIDITY): mail up to it is "existing"
	 * (mailboxes.existing).  NULL: a mailbox connected before this
	 * version, whose mail is all handled normally.
	 */
	"ALTER TABLE mailbox_state ADD COLUMN import_uid INTEGER;",

	/*
	 * version 12: the customer's language (issue 19), a lowercase
	 * ISO 639-1 code ("pl"); NULL: not known yet.  Set from the first
	 * message that tells (Content-Language), or by an admin.
	 */
	"ALTER TABLE customers ADD COLUMN language TEXT;",

	/*
	 * version 13: full-text search (issue 17) and the knowledge base
	 * (issue 19).  SQLite-only: FTS5 virtual tables and triggers; a
	 * PostgreSQL store skips it (STORE_SCHEMA_SQLITE_ONLY) until
	 * search_index.h and kb_index.h get the same meaning there with
	 * tsvector columns and GIN indexes.
	 *
	 * message_search indexes the customers' mail, the agents' relays and
	 * notes (not our automatic mail: every acknowledgement would match)
	 * with the text kept once, in messages (external content).  Triggers
	 * keep it in step rather than calls in the pipeline: every path that
	 * writes messages (intake, notes, merges, a later retention or
	 * forget) then updates the index in its own statement, inside the
	 * one writer's transaction, and none can forget to.  Text goes in
	 * through SEARCH_FOLD (see there) and the same folding is done to
	 * the words of a query (search_index.c).
	 *
	 * kb_articles holds the knowledge base's articles as read from
	 * their files; kb_search indexes them the same way.
	 */
	STORE_SCHEMA_SQLITE_ONLY
	"CREATE VIRTUAL TABLE message_search USING fts5(subject, body,"
	"  from_name, from_addr, content='messages', content_rowid='id',"
	"  tokenize='unicode61 remove_diacritics 2');"
	"CREATE TRIGGER message_search_insert AFTER INSERT ON messages"
	"  WHEN new.direction <> 'auto' BEGIN"
	"  INSERT INTO message_search (rowid, subject, body, from_name,"
	"    from_addr) VALUES (new.id, " SEARCH_FOLD("new.subject") ", "
	SEARCH_FOLD("new.body") ", " SEARCH_FOLD("new.from_name") ", "
	SEARCH_FOLD("new.from_addr") ");"
	"  END;"
	"CREATE TRIGGER message_search_delete AFTER DELETE ON messages"
	"  WHEN old.direction <> 'auto' BEGIN"
	"  INSERT INTO message_search (message_search, rowid, subject, body,"
	"    from_name, from_addr) VALUES ('delete', old.id, "
	SEARCH_FOLD("old.subject") ", " SEARCH_FOLD("old.body") ", "
	SEARCH_FOLD("old.from_name") ", " SEARCH_FOLD("old.from_addr") ");"
	"  END;"
	"CREATE TRIGGER message_search_update AFTER UPDATE OF subject, body,"
	"  from_name, from_addr, direction ON messages BEGIN"
	"  INSERT INTO message_search (message_search, rowid, subject, body,"
	"    from_name, from_addr) SELECT 'delete', old.id, "
	SEARCH_FOLD("old.subject") ", " SEARCH_FOLD("old.body") ", "
	SEARCH_FOLD("old.from_name") ", " SEARCH_FOLD("old.from_addr")
	"    WHERE old.direction <> 'auto';"
	"  INSERT INTO message_search (rowid, subject, body, from_name,"
	"    from_addr) SELECT new.id, " SEARCH_FOLD("new.subject") ", "
	SEARCH_FOLD("new.body") ", " SEARCH_FOLD("new.from_name") ", "
	SEARCH_FOLD("new.from_addr") " WHERE new.direction <> 'auto';"
	"  END;"
	/* the store as it was: built once, here */
	"INSERT INTO message_search (rowid, subject, body, from_name,"
	"  from_addr) SELECT id, " SEARCH_FOLD("subject") ", "
	SEARCH_FOLD("body") ", " SEARCH_FOLD("from_name") ", "
	SEARCH_FOLD("from_addr") " FROM messages WHERE direction <> 'auto';"
	/* kind: article (a file of the directory) or canned (an answer) */
	"CREATE TABLE kb_articles ("
	"  id INTEGER PRIMARY KEY,"
	"  kind TEXT NOT NULL DEFAULT 'article',"
	"  path TEXT NOT NULL,"
	"  title TEXT NOT NULL,"
	"  url TEXT,"
	"  body TEXT NOT NULL);"
	"CREATE VIRTUAL TABLE kb_search USING fts5(title, body,"
	"  content='kb_articles', content_rowid='id',"
	"  tokenize='unicode61 remove_diacritics 2');",

	/*
	 * version 14: /metrics counts the messages taken in by source
	 * (issue 18) from this index alone, never from the table's rows.
	 */
	"CREATE INDEX messages_source ON messages(direction, source);",

	/*
	 * version 15: search finds a request by the names of its files
	 * (issue 17).  SQLite-only, as version 13.  The names of the
	 * customers' and agents' files, folded as message_search's text,
	 * kept in step by triggers: retention and forget clear a name
	 * (UPDATE ... filename = NULL), which takes it out of the index.
	 */
	STORE_SCHEMA_SQLITE_ONLY
	"CREATE VIRTUAL TABLE attachment_search USING fts5(filename,"
	"  content='attachments', content_rowid='id',"
	"  tokenize='unicode61 remove_diacritics 2');"
	"CREATE TRIGGER attachment_search_insert AFTER INSERT ON attachments"
	"  WHEN new.filename IS NOT NULL BEGIN"
	"  INSERT INTO attachment_search (rowid, filename)"
	"    VALUES (new.id, " SEARCH_FOLD("new.filename") ");"
	"  END;"
	"CREATE TRIGGER attachment_search_delete AFTER DELETE ON attachments"
	"  WHEN old.filename IS NOT NULL BEGIN"
	"  INSERT INTO attachment_search (attachment_search, rowid, filename)"
	"    VALUES ('delete', old.id, " SEARCH_FOLD("old.filename") ");"
	"  END;"
	"CREATE TRIGGER attachment_search_update AFTER UPDATE OF filename"
	"  ON attachments BEGIN"
	"  INSERT INTO attachment_search (attachment_search, rowid, filename)"
	"    SELECT 'delete', old.id, " SEARCH_FOLD("old.filename")
	"    WHERE old.filename IS NOT NULL;"
	"  INSERT INTO attachment_search (rowid, filename)"
	"    SELECT new.id, " SEARCH_FOLD("new.filename")
	"    WHERE new.filename IS NOT NULL;"
	"  END;"
	"INSERT INTO attachment_search (rowid, filename)"
	"  SELECT id, " SEARCH_FOLD("filename") " FROM attachments"
	"  WHERE filename IS NOT NULL;",

	/*
	 * version 16: prefix indexes of 3 and 4 characters, so "zam*" reads
	 * one list instead of merging those of every word it expands to
	 * (1.1 s of CPU for "bog*" on 100,000 requests before, 0.05 s
	 * after; the index doubles in size).  Shorter prefixes are refused
	 * by search_index.c.  SQLite-only, as version 13; the index is built
	 * again, which takes about a minute per 200,000 messages (once, at
	 * the first start of this version).  The triggers of version 13
	 * name the table, not its options, and stay.
	 */
	STORE_SCHEMA_SQLITE_ONLY
	"DROP TABLE message_search;"
	"CREATE VIRTUAL TABLE message_search USING fts5(subject, body,"
	"  from_name, from_addr, content='messages', content_rowid='id',"
	"  tokenize='unicode61 remove_diacritics 2', prefix='3 4');"
	"INSERT INTO message_search (rowid, subject, body, from_name,"
	"  from_addr) SELECT id, " SEARCH_FOLD("subject") ", "
	SEARCH_FOLD("body") ", " SEARCH_FOLD("from_name") ", "
	SEARCH_FOLD("from_addr") " FROM messages WHERE direction <> 'auto';",

	/*
	 * version 17: the dashboard's logins (issue 18).  agent_passwords
	 * holds each agent's password hash (yescrypt, triagectl passwd);
	 * web_sessions the sessions, by the SHA-256 of their id (hex), so
	 * that a copy of the database opens no session; expired rows are
	 * deleted when a new session is written.  tickets_queue covers the
	 * queue page's counts and its deadlines (queue_view.c): the open
	 * requests alone, in the order of its GROUP BY, so the page reads
	 * the index and never the rows of a million-request store.
	 */
	"CREATE TABLE agent_passwords ("
	"  agent TEXT PRIMARY KEY,"
	"  hash TEXT NOT NULL,"
	"  changed_at INTEGER NOT NULL);"
	"CREATE TABLE web_sessions ("
	"  id_hash TEXT PRIMARY KEY,"
	"  agent TEXT NOT NULL,"
	"  created_at INTEGER NOT NULL,"
	"  expires_at INTEGER NOT NULL);"
	"CREATE INDEX web_sessions_agent ON web_sessions(agent);"
	"CREATE INDEX web_sessions_expires ON web_sessions(expires_at);"
	"CREATE INDEX tickets_queue ON tickets(status, category, assignee,"
	"  first_response_due, next_response_due, resolution_due)"
	"  WHERE status IN ('new', 'open', 'pending') AND hidden = 0;",

	/*
	 * version 18: several instances on one database (issue 15).  An
	 * outbox row is delivered by the instance that claimed it
	 * (claimed_by: its instance id) until lease_until; a row whose
	 * lease ran out is anybody's again (outbox.c).  NULL: unclaimed.
	 * SQLite's one writer is its only sender and never claims.
	 * mailbox_leases: the instance (holder) that polls each IMAP
	 * mailbox, until lease_until (mailbox_lease.c).
	 */
	"ALTER TABLE outbox ADD COLUMN claimed_by TEXT;"
	"ALTER TABLE outbox ADD COLUMN lease_until INTEGER;"
	"CREATE TABLE mailbox_leases ("
	"  name TEXT PRIMARY KEY,"
	"  holder TEXT NOT NULL,"
	"  lease_until INTEGER NOT NULL);",

	/*
	 * version 19: the search index merges its segments eight at a time
	 * instead of four (FTS5's automerge).  Every commit adds a segment
	 * and merging rewrites each word's list once per level: with four
	 * that was a third of intake's cost of the index (1.0 ms of CPU for
	 * a 600-word message, 0.63 ms with eight); a search reads at most
	 * seven segments a level instead of three, which the newest-N window
	 * keeps small.  SQLite-only, as version 13.
	 */
	STORE_SCHEMA_SQLITE_ONLY
	"INSERT INTO message_search (message_search, rank)"
	"  VALUES ('automerge', 8);",

	/*
	 * version 20: the queue page's running deadlines, earliest first
	 * (queue_view.c), read from an index in that order: the first 50
	 * (or 2,000 for an agent's filter) entries instead of every open
	 * request's deadlines sorted per page (4-8 ms of the page's 11 ms
	 * on the million-request store of bench/reports).  The expression
	 * is queue_view.c's QUEUE_VIEW_DUE, the WHERE its query's, both
	 * word for word: an engine uses an index on an expression, and a
	 * partial one, only for a query that spells them the same.
	 */
	"CREATE INDEX tickets_due ON tickets(("
	"  CASE WHEN first_response_due <= coalesce(next_response_due,"
	"  9223372036854775807) AND first_response_due <= coalesce("
	"  resolution_due, 9223372036854775807) THEN first_response_due"
	"  WHEN next_response_due <= coalesce(resolution_due,"
	"  9223372036854775807) THEN next_response_due ELSE resolution_due"
	"  END), id, category, assignee)"
	"  WHERE status IN ('new', 'open', 'pending') AND hidden = 0"
	"  AND (first_response_due IS NOT NULL OR next_response_due IS"
	"  NOT NULL OR resolution_due IS NOT NULL);",

	/*
	 * version 21: full-text search and the knowledge base on PostgreSQL
	 * (issues 15, 17, 19): what versions 13, 15 and 16 are to SQLite.
	 * PostgreSQL only: tsvector documents under GIN indexes, written by
	 * the store (search_pg.h) with the words SQLite's unicode61 makes of
	 * the same text (search_tok.h), in the transaction that writes the
	 * message or file.  Weights as the bm25() of search_index.c: A the
	 * subject and a file's name, B the sender's name and address, D the
	 * body.  A message or file deleted takes its document with it (ON
	 * DELETE CASCADE); one whose words change (retention and forget set
	 * them to NULL) loses it by the triggers below: the words of a new
	 * text are not SQL's to make, and a store function that ever writes
	 * new words into a message indexes them again.  kb_articles as in
	 * version 13; kb_tsv holds their documents with their lengths in
	 * words (bm25's, kb_index.c).  The index of a store that already
	 * had messages is filled at the first start after this version
	 * (search_pg_fill, asked for by store_info's 'search_fill').
	 */
	STORE_SCHEMA_PG_ONLY
	"CREATE TABLE message_tsv ("
	"  id BIGINT PRIMARY KEY REFERENCES messages(id) ON DELETE CASCADE,"
	"  doc TSVECTOR NOT NULL);"
	"CREATE INDEX message_tsv_doc ON message_tsv USING gin (doc);"
	"CREATE TABLE attachment_tsv ("
	"  id BIGINT PRIMARY KEY REFERENCES attachments(id)"
	"    ON DELETE CASCADE,"
	"  message_id BIGINT NOT NULL,"
	"  doc TSVECTOR NOT NULL);"
	"CREATE INDEX attachment_tsv_doc ON attachment_tsv"
	"  USING gin (doc);"
	"CREATE FUNCTION message_tsv_clear() RETURNS trigger"
	"  LANGUAGE plpgsql AS $$ BEGIN"
	"  DELETE FROM message_tsv WHERE id = OLD.id; RETURN NULL;"
	"  END $$;"
	"CREATE TRIGGER message_tsv_clear AFTER UPDATE OF subject, body,"
	"  from_name, from_addr, direction ON messages FOR EACH ROW"
	"  WHEN (OLD.subject IS DISTINCT FROM NEW.subject"
	"  OR OLD.body IS DISTINCT FROM NEW.body"
	"  OR OLD.from_name IS DISTINCT FROM NEW.from_name"
	"  OR OLD.from_addr IS DISTINCT FROM NEW.from_addr"
	"  OR OLD.direction IS DISTINCT FROM NEW.direction)"
	"  EXECUTE FUNCTION message_tsv_clear();"
	"CREATE FUNCTION attachment_tsv_clear() RETURNS trigger"
	"  LANGUAGE plpgsql AS $$ BEGIN"
	"  DELETE FROM attachment_tsv WHERE id = OLD.id; RETURN NULL;"
	"  END $$;"
	"CREATE TRIGGER attachment_tsv_clear AFTER UPDATE OF filename"
	"  ON attachments FOR EACH ROW"
	"  WHEN (OLD.filename IS DISTINCT FROM NEW.filename)"
	"  EXECUTE FUNCTION attachment_tsv_clear();"
	"CREATE TABLE kb_articles ("
	"  id INTEGER PRIMARY KEY,"
	"  kind TEXT NOT NULL DEFAULT 'article',"
	"  path TEXT NOT NULL,"
	"  title TEXT NOT NULL,"
	"  url TEXT,"
	"  body TEXT NOT NULL);"
	"CREATE TABLE kb_tsv ("
	"  id BIGINT PRIMARY KEY REFERENCES kb_articles(id) ON DELETE CASCADE,"
	"  words INTEGER NOT NULL,"
	"  doc TSVECTOR NOT NULL);"
	"CREATE INDEX kb_tsv_doc ON kb_tsv USING gin (doc);"
	"INSERT INTO store_info (key, value) VALUES ('search_fill', '1');",

	/*
	 * version 22: which of its customer's requests a request is (1 for
	 * the first), set when it is created.  A notice's "Earlier
	 * requests" counted the customer's requests below it on every
	 * notice, a walk over all of them: a mailing system or a big
	 * customer with 20,000 requests made that 8 % of the writer's time
	 * at intake.  Requests deleted later (retention, forget) leave the
	 * numbers as they were: the customer did write them.  And the
	 * outbox by request: a notice looks up the last one an agent got
	 * about the request (its threading ids) and whether one went out
	 * this second, which walked every mail to that agent since (the
	 * index by recipient), and `show` read the whole outbox.
	 */
	"CREATE INDEX outbox_ticket ON outbox(ticket_id, rcpts, kind,"
	"  created_at);"
	"ALTER TABLE tickets ADD COLUMN customer_seq INTEGER;"
	"UPDATE tickets SET customer_seq = s.n FROM (SELECT id, row_number()"
	"  OVER (PARTITION BY customer_id ORDER BY id) AS n FROM tickets"
	"  WHERE customer_id IS NOT NULL) AS s WHERE s.id = tickets.id;",

	/*
	 * version 23: room in the outbox's pages (PostgreSQL only).  Every
	 * row is written three times: queued, claimed by a sender (its
	 * lease) and marked sent.  The claim touches no indexed column, so
	 * PostgreSQL can keep it on the row's page without a new entry in
	 * each of the six indexes (a HOT update), but only where the page
	 * has room; packed full, as rows are inserted, it had none.  Half
	 * the page free: measured on a private cluster, the claim's and the
	 * mark's server time per message fell from 0.12 to 0.03 ms.  New
	 * pages only; the marks (status is indexed) still write entries.
	 */
	STORE_SCHEMA_PG_ONLY
	"ALTER TABLE outbox SET (fillfactor = 50);",

	/*
	 * version 24: the search index filled in bulk (SQLite only).  FTS5
	 * writes what a statement indexed as a new segment at every
	 * savepoint, and the writer gives each message one: a segment per
	 * message, merged again and again, a quarter of the writer's time
	 * at intake.  Now a new message's id waits in search_pending and
	 * search_index_catch_up (search_index.h) indexes hundreds at once,
	 * one segment for all of them: in the daemon a timer's unit, a
	 * second at most after the intake (desk_timers.c); everywhere else
	 * message_insert at once.  The index holds exactly the searched
	 * messages not pending, so a change to a pending message touches
	 * only search_pending (its text is read when it is indexed), and
	 * one to an indexed message the index as before.
	 * search_pending_docs is the text to index, folded as version 13
	 * folds it.  INSERT OR IGNORE: a pending id whose message was
	 * deleted as automatic mail (no trigger of ours fired) may be
	 * taken again by a new message.
	 */
	STORE_SCHEMA_SQLITE_ONLY
	"CREATE TABLE search_pending (id INTEGER PRIMARY KEY);"
	"CREATE VIEW search_pending_docs AS SELECT m.id AS id, "
	SEARCH_FOLD("m.subject") " AS subject, "
	SEARCH_FOLD("m.body") " AS body, "
	SEARCH_FOLD("m.from_name") " AS from_name, "
	SEARCH_FOLD("m.from_addr") " AS from_addr"
	"  FROM search_pending p JOIN messages m ON m.id = p.id"
	"  WHERE m.direction <> 'auto';"
	"DROP TRIGGER message_search_insert;"
	"CREATE TRIGGER message_search_insert AFTER INSERT ON messages"
	"  WHEN new.direction <> 'auto' BEGIN"
	"  INSERT OR IGNORE INTO search_pending (id) VALUES (new.id);"
	"  END;"
	"DROP TRIGGER message_search_delete;"
	"CREATE TRIGGER message_search_delete AFTER DELETE ON messages BEGIN"
	"  INSERT INTO message_search (message_search, rowid, subject, body,"
	"    from_name, from_addr) SELECT 'delete', old.id, "
	SEARCH_FOLD("old.subject") ", " SEARCH_FOLD("old.body") ", "
	SEARCH_FOLD("old.from_name") ", " SEARCH_FOLD("old.from_addr")
	"    WHERE old.direction <> 'auto' AND NOT EXISTS (SELECT 1"
	"    FROM search_pending WHERE id = old.id);"
	"  DELETE FROM search_pending WHERE id = old.id;"
	"  END;"
	"DROP TRIGGER message_search_update;"
	"CREATE TRIGGER message_search_update AFTER UPDATE OF subject, body,"
	"  from_name, from_addr, direction ON messages"
	"  WHEN NOT EXISTS (SELECT 1 FROM search_pending WHERE id = old.id)"
	"  BEGIN"
	"  INSERT INTO message_search (message_search, rowid, subject, body,"
	"    from_name, from_addr) SELECT 'delete', old.id, "
	SEARCH_FOLD("old.subject") ", " SEARCH_FOLD("old.body") ", "
	SEARCH_FOLD("old.from_name") ", " SEARCH_FOLD("old.from_addr")
	"    WHERE old.direction <> 'auto';"
	"  INSERT INTO message_search (rowid, subject, body, from_name,"
	"    from_addr) SELECT new.id, " SEARCH_FOLD("new.subject") ", "
	SEARCH_FOLD("new.body") ", " SEARCH_FOLD("new.from_name") ", "
	SEARCH_FOLD("new.from_addr") " WHERE new.direction <> 'auto';"
	"  END;",
};

size_t
store_schema_version(void)
{
	return sizeof(migrations) / sizeof(migrations[0]);
}

const char *
store_schema_migration(size_t version)
{
	if (version < 1 || version > store_schema_version())
		return NULL;
	return migrations[version - 1];
}
