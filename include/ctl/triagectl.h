/*
 * triagectl: the admin command line.  triagectl.c holds main, the command
 * table and what every command shares (the run's context, opening the
 * store read-only, usage and error reporting, time and text formatting,
 * aligned tables); each command lives in its own ctl_<name>.c and exports
 * one descriptor (tmux cmd-*.c, smtpctl).  Commands call ticket.c for
 * data and never write SQL.
 *
 * Output goes into ctl->out and is written to stdout only when the command
 * succeeds, so a failing command prints its one error line and nothing
 * half-done.  Exit codes: 0 ok, 1 error (message on stderr), 2 usage.
 */
#ifndef TRIAGED_TRIAGECTL_H
#define TRIAGED_TRIAGECTL_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

struct buf;
struct config;
struct error;
struct json;
struct store;
struct ticket_customer_ref;
struct calendar;

#define TRIAGECTL_OK		0
#define TRIAGECTL_ERROR		1
#define TRIAGECTL_USAGE		2

/* One run of triagectl: passed to the command, never global. */
struct triagectl {
	const char	*config_path;
	const char	*database;	/* -d: instead of the config's */
	bool		 json;		/* --json given */
	bool		 utc;		/* --utc: people's times in UTC */
	bool		 no_pager;	/* --no-pager, or raw bytes out */
	/*
	 * The zone times for people are in: the reports' calendar
	 * (reports.calendar, else the default one), NULL for UTC (none,
	 * or --utc); set by triagectl_store.  JSON keeps UTC ISO 8601.
	 */
	const struct calendar *zone;
	struct config	*cfg;		/* loaded by triagectl_store */
	struct store	*store;		/* opened by triagectl_store */
	struct buf	*out;		/* stdout, written on success */
};

/*
 * A command.  run gets argv[0] = "triagectl" and the command's own
 * arguments (global options already removed); it parses them with
 * getopt_long (optind = 0 first) and returns an exit code.
 */
struct triagectl_cmd {
	const char	*name;
	const char	*args;		/* usage after the name */
	const char	*summary;	/* one line for `help` */
	int		(*run)(struct triagectl *, int argc, char **argv);
};

/* The commands, one per ctl_*.c file. */
extern const struct triagectl_cmd ctl_list_cmd;
/* ctl_search.c: full-text search */
extern const struct triagectl_cmd ctl_search_cmd;
/* ctl_kb.c: the knowledge base */
extern const struct triagectl_cmd ctl_kb_cmd;
extern const struct triagectl_cmd ctl_next_cmd;
extern const struct triagectl_cmd ctl_reply_key_cmd;
extern const struct triagectl_cmd ctl_agent_cmd;
extern const struct triagectl_cmd ctl_agents_cmd;
extern const struct triagectl_cmd ctl_show_cmd;
/* ctl_attachment.c: the files of a request */
extern const struct triagectl_cmd ctl_attachments_cmd;
extern const struct triagectl_cmd ctl_attachment_cmd;
/* ctl_ops.c: the actions on a request (ticket_ops.h) */
extern const struct triagectl_cmd ctl_assign_cmd;
extern const struct triagectl_cmd ctl_take_cmd;
extern const struct triagectl_cmd ctl_status_cmd;
extern const struct triagectl_cmd ctl_priority_cmd;
extern const struct triagectl_cmd ctl_category_cmd;
extern const struct triagectl_cmd ctl_tag_cmd;
extern const struct triagectl_cmd ctl_note_cmd;
extern const struct triagectl_cmd ctl_reply_cmd;
extern const struct triagectl_cmd ctl_merge_cmd;
extern const struct triagectl_cmd ctl_customer_cmd;
extern const struct triagectl_cmd ctl_outbox_cmd;
extern const struct triagectl_cmd ctl_mailboxes_cmd;
extern const struct triagectl_cmd ctl_report_cmd;
extern const struct triagectl_cmd ctl_explain_cmd;
extern const struct triagectl_cmd ctl_load_cmd;
/* ctl_task.c: tasks on requests (task_ops.h) */
extern const struct triagectl_cmd ctl_task_cmd;
extern const struct triagectl_cmd ctl_backup_cmd;
/* ctl_migrate.c: SQLite to PostgreSQL */
extern const struct triagectl_cmd ctl_migrate_cmd;
extern const struct triagectl_cmd ctl_forget_cmd;
/* ctl_passwd.c: dashboard passwords */
extern const struct triagectl_cmd ctl_passwd_cmd;

/*
 * Loads the configuration and opens its database read-only (WAL readers
 * never block the daemon).  Borrowed: closed at exit.  NULL after
 * printing the reason on stderr (return TRIAGECTL_ERROR then).
 */
struct store	*triagectl_store(struct triagectl *);
/*
 * The same with store_open flags: 0 opens for writing, for the commands
 * that change something (through the core's functions, as the daemon).
 */
struct store	*triagectl_open(struct triagectl *, int flags);

/* Prints the command's usage line on stderr; returns TRIAGECTL_USAGE. */
int		 triagectl_usage(const struct triagectl_cmd *);
/* Prints "triagectl: <msg>" on stderr; returns TRIAGECTL_ERROR. */
int		 triagectl_fail(const struct error *);
int		 triagectl_failx(const char *, ...)
		    __attribute__((format(printf, 1, 2)));
/* "triagectl: CMD: <why>" plus usage; returns TRIAGECTL_USAGE. */
/*
 * A --status value of cmd: a request status into *out and
 * TRIAGECTL_OK, or the usage error printed and TRIAGECTL_USAGE.
 */
int		 triagectl_status_option(const struct triagectl_cmd *,
		    const char *arg, const char **out);
int		 triagectl_bad_usage(const struct triagectl_cmd *,
		    const char *, ...) __attribute__((format(printf, 2, 3)));
/* Parses a positive decimal number; -1 if s is not one. */
long long	 triagectl_number(const char *s);

/*
 * Times for people in zone (NULL: UTC), naming it: "2026-11-22 19:00
 * CET"; ISO 8601 in UTC for JSON.
 */
#define TRIAGECTL_TIME_MAX	48
const char	*triagectl_time_text(const struct calendar *zone, time_t,
		    char *out, size_t size);
const char	*triagectl_time_iso(time_t, char *out, size_t size);
/* An object member "key":"2026-11-22T18:00:00Z". */
void		 triagectl_json_time(struct json *, const char *key, time_t);

/*
 * The member "key":{"id":..,"name":..,"address":..}, or "key":null when
 * the request has no customer.
 */
void		 triagectl_json_customer(struct json *, const char *key,
		    const struct ticket_customer_ref *);

/*
 * Appends untrusted text (from mail) for a terminal: one line, control
 * characters shown as '?', tabs and newlines as spaces, invalid UTF-8 as
 * U+FFFD, and cut to maxchars characters with "..." (0: no limit).  NULL
 * appends "-".
 */
void		 triagectl_text(struct buf *, const char *s, size_t maxchars);
/*
 * Appends len bytes of multi-line text, each line prefixed with indent;
 * tabs and newlines kept, CR dropped, other controls '?'.  Ends with a
 * newline.
 */
void		 triagectl_block(struct buf *, const char *s, size_t len,
		    const char *indent);
/* Appends "Name <addr>", or whichever of the two there is, or "-". */
void		 triagectl_person(struct buf *, const char *name,
		    const char *addr);
/* How many characters (code points) s shows as. */
size_t		 triagectl_width(const char *s);

/*
 * An aligned text table: columns separated by two spaces, each as wide as
 * its widest cell, the last one not padded.  Cells are cleaned with
 * triagectl_text and cut to the column's max (0: no limit).
 */
struct triagectl_table;

struct triagectl_table *triagectl_table_new(const char *const *headers,
		    const size_t *max, size_t ncols);
/* Adds a row of ncols cells (NULL or "" shows "-"); copies them. */
void		 triagectl_table_add(struct triagectl_table *,
		    const char *const *cells);
void		 triagectl_table_print(const struct triagectl_table *,
		    struct buf *);
void		 triagectl_table_free(struct triagectl_table *);

#endif
