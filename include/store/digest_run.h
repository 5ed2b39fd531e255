/*
 * digest_run: the digest_runs table, the end of the last period each
 * scheduled digest was sent for, keyed by the digest's name.  Written in
 * the transaction that queues the digest's mail, so a period is sent
 * once, even across restarts (digest.c decides the periods).  -1 + err
 * (ERR_TEMP for a busy or broken database).
 */
#ifndef TRIAGED_DIGEST_RUN_H
#define TRIAGED_DIGEST_RUN_H

#include <stdbool.h>
#include <time.h>

struct error;
struct store;

/* The end of the last period sent for schedule, in *end_out; 0: never. */
int	digest_run_last(struct store *, const char *schedule, time_t *end_out,
	    struct error *err);
/* Records that schedule's period ending at end was sent. */
int	digest_run_done(struct store *, const char *schedule, time_t end,
	    struct error *err);
/*
 * Claims schedule's period ending at end for the caller's transaction,
 * before its mail is queued there: *won_out true when this call moved
 * the record to end, false when end (or a later period) was recorded
 * already, by another instance on the same database meanwhile too (the
 * row's lock serialises the two; the second sees the first's record).
 */
int	digest_run_claim(struct store *, const char *schedule, time_t end,
	    bool *won_out, struct error *err);

#endif
