/*
 * mailbox_state: one row per IMAP mailbox in the store (schema version
 * 2): its UIDVALIDITY and last UID taken, its connection state, last
 * success and last error, and counters.  The pollers write it through
 * the store writer (units of work, in the writer's transaction); triagectl
 * reads it.  No other module writes SQL for it.
 */
#ifndef TRIAGED_MAILBOX_STATE_H
#define TRIAGED_MAILBOX_STATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

struct error;
struct store;

/* States a poller reports. */
#define MAILBOX_STATE_CONNECTING	"connecting"
#define MAILBOX_STATE_CONNECTED		"connected"
#define MAILBOX_STATE_IDLE		"idle"
#define MAILBOX_STATE_ERROR		"error"

struct mailbox_state {
	char		*name;
	int64_t		 uidvalidity;	/* -1: not known yet */
	int64_t		 last_uid;	/* -1: not known yet */
	char		*state;
	time_t		 last_success;	/* 0: never */
	char		*last_error;	/* NULL: none */
	time_t		 last_error_at;	/* 0: never */
	int64_t		 backlog;	/* found but not taken, last round */
	int64_t		 taken;		/* messages committed, ever */
	/*
	 * The highest UID in the folder at the first connection under
	 * uidvalidity: mail up to it was there before us (onboarding,
	 * mailboxes.existing).  -1: none recorded (a mailbox first
	 * connected by an older version: all its mail is new).
	 */
	int64_t		 import_uid;
};

/*
 * The row of mailbox name into *out (free with mailbox_state_clear);
 * *found is false, and out holds the "not known" values, if there is
 * none.  0, or -1 + err.
 */
int	mailbox_state_get(struct store *, const char *name,
	    struct mailbox_state *out, bool *found, struct error *err);
void	mailbox_state_clear(struct mailbox_state *);

/*
 * Records a state change at now.  state MAILBOX_STATE_ERROR needs why
 * (kept as last_error, which later states leave in place for the admin).
 */
int	mailbox_state_set(struct store *, const char *name, const char *state,
	    const char *why, time_t now, struct error *err);
/* A new UIDVALIDITY: stored, and last_uid starts again from 0. */
int	mailbox_state_set_uidvalidity(struct store *, const char *name,
	    int64_t uidvalidity, struct error *err);
/*
 * The first connection to a folder (or a new UIDVALIDITY of one that
 * was onboarded): uidvalidity stored, last_uid back to 0 and import_uid
 * recorded, in one statement, so a crash cannot separate them.
 */
int	mailbox_state_onboard(struct store *, const char *name,
	    int64_t uidvalidity, int64_t import_uid, struct error *err);
/*
 * After a round whose commits held: taken is added to the counter,
 * last_uid raised to at least last_uid, backlog replaced, last_success
 * set to now, and the state set.
 */
int	mailbox_state_round(struct store *, const char *name,
	    const char *state, int64_t last_uid, int64_t taken,
	    int64_t backlog, time_t now, struct error *err);

/*
 * Every row, by name, into a new array (free with mailbox_state_free).
 * A database from before schema version 2 has none.
 */
int	mailbox_state_list(struct store *, struct mailbox_state **rows_out,
	    size_t *n_out, struct error *err);
void	mailbox_state_free(struct mailbox_state *, size_t n);

#endif
