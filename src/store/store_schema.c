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
	 * version N: /metrics counts the messages taken in by source
	 * (issue 18) from this index alone, never from the table's rows.
	 */
	"CREATE INDEX messages_source ON messages(direction, source);",
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
