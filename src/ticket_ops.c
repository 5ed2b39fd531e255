/* PLACEHOLDER: ticket operations (issue 4) replace this file. */
#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "error.h"
#include "ticket_ops.h"

int
ticket_ops_assign(struct store *st, const struct config *c, int64_t t,
    const char *agent, const char *actor, time_t now, struct error *err)
{
	(void)st;
	(void)c;
	(void)t;
	(void)agent;
	(void)actor;
	(void)now;
	return error_set(err, ERR_INTERNAL, "ticket_ops_assign: not built yet");
}

int
ticket_ops_status(struct store *st, const struct config *c, int64_t t,
    const char *status, const char *actor, time_t now, struct error *err)
{
	(void)st;
	(void)c;
	(void)t;
	(void)status;
	(void)actor;
	(void)now;
	return error_set(err, ERR_INTERNAL, "ticket_ops_status: not built yet");
}

int
ticket_ops_priority(struct store *st, const struct config *c, int64_t t,
    const char *priority, const char *actor, time_t now, struct error *err)
{
	(void)st;
	(void)c;
	(void)t;
	(void)priority;
	(void)actor;
	(void)now;
	return error_set(err, ERR_INTERNAL, "ticket_ops_priority: not built yet");
}

int
ticket_ops_category(struct store *st, const struct config *c, int64_t t,
    const char *category, const char *actor, time_t now, struct error *err)
{
	(void)st;
	(void)c;
	(void)t;
	(void)category;
	(void)actor;
	(void)now;
	return error_set(err, ERR_INTERNAL, "ticket_ops_category: not built yet");
}

int
ticket_ops_tag(struct store *st, const struct config *c, int64_t t,
    const char *tag, bool add, const char *actor, time_t now,
    struct error *err)
{
	(void)st;
	(void)c;
	(void)t;
	(void)tag;
	(void)add;
	(void)actor;
	(void)now;
	return error_set(err, ERR_INTERNAL, "ticket_ops_tag: not built yet");
}

int
ticket_ops_cc(struct store *st, const struct config *c, int64_t t,
    const char *address, const char *actor, time_t now, struct error *err)
{
	(void)st;
	(void)c;
	(void)t;
	(void)address;
	(void)actor;
	(void)now;
	return error_set(err, ERR_INTERNAL, "ticket_ops_cc: not built yet");
}

int
ticket_ops_note(struct store *st, const struct config *c, int64_t t,
    const char *agent, const char *text, time_t now, struct error *err)
{
	(void)st;
	(void)c;
	(void)t;
	(void)agent;
	(void)text;
	(void)now;
	return error_set(err, ERR_INTERNAL, "ticket_ops_note: not built yet");
}

int
ticket_ops_reply(struct store *st, const struct config *c, int64_t t,
    const char *agent, const char *text, time_t now, struct error *err)
{
	(void)st;
	(void)c;
	(void)t;
	(void)agent;
	(void)text;
	(void)now;
	return error_set(err, ERR_INTERNAL, "ticket_ops_reply: not built yet");
}

int
ticket_ops_merge(struct store *st, const struct config *c, int64_t t,
    int64_t into, const char *actor, time_t now, struct error *err)
{
	(void)st;
	(void)c;
	(void)t;
	(void)into;
	(void)actor;
	(void)now;
	return error_set(err, ERR_INTERNAL, "ticket_ops_merge: not built yet");
}
