/*
 * rule_hit: the write side of the rule_hits table, what each matching
 * rule did to a request (routing.c writes one row per hit in the intake
 * transaction; `triagectl explain` reads them back with
 * ticket_rule_hits).  -1 + err (ERR_TEMP for a busy or broken database).
 */
#ifndef TRIAGED_RULE_HIT_H
#define TRIAGED_RULE_HIT_H

#include <stdint.h>
#include <time.h>

struct error;
struct store;

/*
 * Records that rule matched message row message_row (0: none) of ticket
 * at at, doing actions (its description, for people).
 */
int	rule_hit_add(struct store *, int64_t ticket, int64_t message_row,
	    time_t at, const char *rule, const char *actions,
	    struct error *err);

#endif
