/*
 * store_stats: the figures of /metrics that live in the database (issue
 * 18), read in one go so they agree with each other and with triagectl:
 * requests by status, messages taken in by source (the daemon's and
 * `triaged inject`'s alike), the outbox's depth, oldest unsent mail and
 * permanent failures, SLA warnings and breaches, IMAP mailbox states.
 * Every query reads an index or a small table, so a scrape stays cheap
 * on a big store (tickets_status, messages_source, outbox_due).
 */
#ifndef TRIAGED_STORE_STATS_H
#define TRIAGED_STORE_STATS_H

#include <stddef.h>
#include <stdint.h>

struct error;
struct store;

struct store_stats_count {
	char		*key;		/* a status, a source */
	int64_t		 n;
};

struct store_stats_mailbox {
	char		*name;
	char		*state;		/* connecting ... error */
	int64_t		 backlog;
	int64_t		 last_success;	/* 0: never */
};

struct store_stats {
	struct store_stats_count	*status;	/* tickets */
	size_t				 nstatus;
	struct store_stats_count	*sources;	/* messages in */
	size_t				 nsources;
	int64_t				 outbox_queued;
	int64_t				 outbox_oldest; /* 0: none */
	int64_t				 outbox_failed;
	int64_t				 sla_warnings;
	int64_t				 sla_breaches;
	struct store_stats_mailbox	*mailboxes;
	size_t				 nmailboxes;
};

/*
 * Fills out (free with store_stats_clear, also after a failure): 0, or
 * -1 + err.  Reads only; any connection (the daemon runs it on the
 * writer's, between batches).
 */
int	store_stats_read(struct store *, struct store_stats *out,
	    struct error *err);
void	store_stats_clear(struct store_stats *);
/*
 * Writes one row back unchanged (store_info's id): inside a writer's
 * batch, proof for /healthz that the store takes writes.  0, or -1 +
 * err.
 */
int	store_stats_probe(struct store *, struct error *err);

#endif
