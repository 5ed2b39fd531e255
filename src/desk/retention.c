/*
 * retention: see retention.h.  Days count from a request's resolution
 * (or closing), and for raw bytes from the message's arrival on such a
 * request: an open request keeps everything, whatever its age, because
 * an agent may still need the customer's files.
 */
#include "config.h"
#include "error.h"
#include "purge.h"
#include "retention.h"

#define RETENTION_DAY	86400

bool
retention_wanted(const struct config *cfg)
{
	return cfg->retention_raw > 0 || cfg->retention_closed > 0;
}

int
retention_step(struct store *st, const struct config *cfg, time_t now,
    struct purge_counts *c, bool *again, struct error *err)
{
	struct purge_counts before = *c;

	*again = false;
	if (cfg->retention_closed > 0) {
		if (purge_closed_batch(st, now - (time_t)cfg->retention_closed *
		    RETENTION_DAY, RETENTION_REQUEST_BATCH, now, c, err) == -1)
			return -1;
		if (c->requests - before.requests >= RETENTION_REQUEST_BATCH)
			*again = true;
	}
	if (cfg->retention_raw > 0) {
		if (purge_raw_batch(st, now - (time_t)cfg->retention_raw *
		    RETENTION_DAY, RETENTION_RAW_BATCH, c, err) == -1)
			return -1;
		if (c->raw - before.raw >= RETENTION_RAW_BATCH)
			*again = true;
	}
	return 0;
}
