/*
 * triagectl: the admin command line's main.  Global options, the command
 * table, dispatch, and the helpers every command shares (see
 * triagectl.h).  It reads the daemon's configuration only to find the
 * database, which it opens read-only: SQLite WAL lets a reader run next to
 * the daemon's writer without either waiting.
 *
 *   triagectl [-c file] [-d database] [--json] command [args] [--json]
 */
#include <sys/ioctl.h>
#include <sys/stat.h>

#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "calendar.h"
#include "config.h"
#include "error.h"
#include "json.h"
#include "log.h"
#include "report.h"
#include "sla.h"
#include "reply_key.h"
#include "store.h"
#include "ticket.h"
#include "triagectl.h"
#include "xmalloc.h"

#define TRIAGECTL_DEFAULT_CONFIG	SYSCONFDIR "/triaged/triaged.conf"

struct triagectl_table {
	size_t	  ncols;
	size_t	 *max;		/* per column; 0: no limit */
	size_t	 *width;	/* widest cell so far, in characters */
	char	**cells;	/* nrows * ncols, row 0 the headers */
	size_t	  nrows;
	size_t	  cap;		/* rows */
};

static int	triagectl_help_run(struct triagectl *, int, char **);

static const struct triagectl_cmd triagectl_help_cmd = {
	"help", "[command]", "show the commands and their arguments",
	triagectl_help_run
};

/* The command table: `help` lists them in this order. */
static const struct triagectl_cmd *const triagectl_cmds[] = {
	&ctl_list_cmd,
	&ctl_search_cmd,
	&ctl_kb_cmd,
	&ctl_next_cmd,
	&ctl_agents_cmd,
	&ctl_agent_cmd,
	&ctl_show_cmd,
	&ctl_attachments_cmd,
	&ctl_attachment_cmd,
	&ctl_assign_cmd,
	&ctl_take_cmd,
	&ctl_status_cmd,
	&ctl_priority_cmd,
	&ctl_category_cmd,
	&ctl_tag_cmd,
	&ctl_note_cmd,
	&ctl_reply_cmd,
	&ctl_merge_cmd,
	&ctl_task_cmd,
	&ctl_customer_cmd,
	&ctl_outbox_cmd,
	&ctl_mailboxes_cmd,
	&ctl_report_cmd,
	&ctl_explain_cmd,
	&ctl_load_cmd,
	&ctl_reply_key_cmd,
	&ctl_backup_cmd,
	&ctl_migrate_cmd,
	&ctl_forget_cmd,
	&ctl_passwd_cmd,
	&triagectl_help_cmd,
};
#define TRIAGECTL_NCMDS	(sizeof(triagectl_cmds) / sizeof(triagectl_cmds[0]))

static void	triagectl_usage_all(FILE *);
static void	triagectl_times(const struct timespec *);
static const struct triagectl_cmd *triagectl_find(const char *name);
static char	**triagectl_globals(struct triagectl *, int argc, char **argv,
		    int *argc_out);
static int	triagectl_dispatch(struct triagectl *, int argc, char **argv);
static bool	triagectl_wants_help(int argc, char **argv);
static int	triagectl_flush(const struct triagectl *);
static bool	triagectl_wants_pager(const struct triagectl *);
static const char *triagectl_pager(void);
static int	triagectl_page(const struct buf *);
static void	triagectl_put_cp(struct buf *, uint32_t cp, bool multiline);
static void	triagectl_print_errors(const struct buf *);

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "config",	required_argument,	NULL, 'c' },
		{ "database",	required_argument,	NULL, 'd' },
		{ "json",	no_argument,		NULL, 'j' },
		{ "utc",	no_argument,		NULL, 'u' },
		{ "no-pager",	no_argument,		NULL, 'P' },
		{ "help",	no_argument,		NULL, 'h' },
		{ "version",	no_argument,		NULL, 'V' },
		{ NULL,		0,			NULL, 0 }
	};
	struct triagectl ctl;
	struct timespec t0;
	int ch, rc;

	/*
	 * TRIAGECTL_TIMES=1: the time from here to the exit on stderr, the
	 * command's own cost without the process start and the dynamic
	 * linking of its 40 libraries (bench/search prints both).
	 */
	(void)clock_gettime(CLOCK_MONOTONIC, &t0);
	umask(027);	/* a database triagectl creates is private too */
	memset(&ctl, 0, sizeof(ctl));
	ctl.config_path = TRIAGECTL_DEFAULT_CONFIG;
	log_init(0, LOG_LEVEL_WARN, "triagectl");
	/* "+": stop at the command; its arguments are its own. */
	while ((ch = getopt_long(argc, argv, "+c:d:h", opts, NULL)) != -1) {
		switch (ch) {
		case 'c':
			ctl.config_path = optarg;
			break;
		case 'd':
			ctl.database = optarg;
			break;
		case 'j':
			ctl.json = true;
			break;
		case 'u':
			ctl.utc = true;
			break;
		case 'P':
			ctl.no_pager = true;
			break;
		case 'h':
			triagectl_usage_all(stdout);
			return TRIAGECTL_OK;
		case 'V':
			printf("triagectl %s\n", PACKAGE_VERSION);
			return TRIAGECTL_OK;
		default:
			triagectl_usage_all(stderr);
			return TRIAGECTL_USAGE;
		}
	}
	argc -= optind;
	argv += optind;
	if (argc == 0) {
		triagectl_usage_all(stderr);
		return TRIAGECTL_USAGE;
	}
	ctl.out = buf_new();
	rc = triagectl_dispatch(&ctl, argc, argv);
	if (rc == TRIAGECTL_OK)
		rc = triagectl_flush(&ctl);
	buf_free(ctl.out);
	store_close(ctl.store);
	config_unref(ctl.cfg);
	triagectl_times(&t0);
	return rc;
}

/* TRIAGECTL_TIMES: milliseconds since t0, on stderr (see main). */
static void
triagectl_times(const struct timespec *t0)
{
	struct timespec t1;
	const char *on = getenv("TRIAGECTL_TIMES");

	if (on == NULL || strcmp(on, "1") != 0)
		return;
	(void)clock_gettime(CLOCK_MONOTONIC, &t1);
	fprintf(stderr, "triagectl: %.3f ms in the command\n",
	    (double)(t1.tv_sec - t0->tv_sec) * 1e3 +
	    (double)(t1.tv_nsec - t0->tv_nsec) / 1e6);
}

struct store *
triagectl_store(struct triagectl *ctl)
{
	return triagectl_open(ctl, STORE_READONLY);
}

struct store *
triagectl_open(struct triagectl *ctl, int flags)
{
	struct buf *errors;
	struct error err;

	if (ctl->store != NULL)
		return ctl->store;
	errors = buf_new();
	ctl->cfg = config_load(ctl->config_path, errors);
	if (ctl->cfg == NULL) {
		triagectl_print_errors(errors);
		if (errors->len == 0)
			(void)triagectl_failx("%s: cannot load the "
			    "configuration", ctl->config_path);
		buf_free(errors);
		return NULL;
	}
	buf_free(errors);
	/*
	 * -d FILE: another database (a backup) read under the same config;
	 * the reply key stays the config's, and nothing is created.
	 */
	if (ctl->database != NULL) {
		if (access(ctl->database, F_OK) == -1) {
			(void)triagectl_failx("%s: %s", ctl->database,
			    strerror(errno));
			return NULL;
		}
		free(ctl->cfg->database);
		ctl->cfg->database = xstrdup(ctl->database);
	}
	if (!ctl->utc)
		ctl->zone = config_sla_calendar(ctl->cfg,
		    config_reports_calendar(ctl->cfg));
	error_clear(&err);
	if (reply_key_load(ctl->cfg, true, &err) == -1) {
		(void)triagectl_fail(&err);
		return NULL;
	}
	ctl->store = store_open(ctl->cfg->database, flags, &err);
	if (ctl->store == NULL)
		(void)triagectl_fail(&err);
	return ctl->store;
}

int
triagectl_usage(const struct triagectl_cmd *cmd)
{
	fprintf(stderr, "usage: triagectl [-c file] [--json] %s %s\n",
	    cmd->name, cmd->args);
	return TRIAGECTL_USAGE;
}

int
triagectl_fail(const struct error *err)
{
	return triagectl_failx("%s", err->msg[0] != '\0' ? err->msg :
	    "unknown error");
}

int
triagectl_failx(const char *fmt, ...)
{
	va_list ap;

	fputs("triagectl: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return TRIAGECTL_ERROR;
}

int
triagectl_bad_usage(const struct triagectl_cmd *cmd, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "triagectl: %s: ", cmd->name);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return triagectl_usage(cmd);
}

long long
triagectl_number(const char *s)
{
	char *end;
	long long v;

	if (s == NULL || *s < '0' || *s > '9')
		return -1;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno != 0 || *end != '\0' || v <= 0)
		return -1;
	return v;
}

const char *
triagectl_time_text(const struct calendar *zone, time_t t, char *out,
    size_t size)
{
	struct tm tm;

	if (zone != NULL) {
		calendar_localtime(zone, t, &tm);
		if (strftime(out, size, "%Y-%m-%d %H:%M %Z", &tm) == 0)
			(void)strlcpy(out, "?", size);
	} else if (gmtime_r(&t, &tm) == NULL ||
	    strftime(out, size, "%Y-%m-%d %H:%M UTC", &tm) == 0)
		(void)strlcpy(out, "?", size);
	return out;
}

const char *
triagectl_time_iso(time_t t, char *out, size_t size)
{
	struct tm tm;

	if (gmtime_r(&t, &tm) == NULL ||
	    strftime(out, size, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		(void)strlcpy(out, "?", size);
	return out;
}

void
triagectl_json_time(struct json *j, const char *key, time_t t)
{
	char when[TRIAGECTL_TIME_MAX];

	json_kv_string(j, key, triagectl_time_iso(t, when, sizeof(when)));
}

void
triagectl_json_customer(struct json *j, const char *key,
    const struct ticket_customer_ref *c)
{
	json_key(j, key);
	if (c->id == 0) {
		json_null(j);
		return;
	}
	json_object_begin(j);
	json_kv_int(j, "id", c->id);
	json_kv_string(j, "name", c->name);
	json_kv_string(j, "address", c->address);
	json_object_end(j);
}

void
triagectl_text(struct buf *b, const char *s, size_t maxchars)
{
	size_t i, n, len, count, limit = SIZE_MAX;
	uint32_t cp;

	if (s == NULL) {
		buf_append_char(b, '-');
		return;
	}
	len = strlen(s);
	if (maxchars > 3 && triagectl_width(s) > maxchars)
		limit = maxchars - 3;
	for (i = 0, count = 0; i < len && count < limit; i += n, count++) {
		n = json_utf8_next(s + i, len - i, &cp);
		triagectl_put_cp(b, cp, false);
	}
	if (i < len)
		buf_append_str(b, "...");
}

void
triagectl_block(struct buf *b, const char *s, size_t len, const char *indent)
{
	size_t i, n;
	uint32_t cp;
	bool bol = true;

	for (i = 0; i < len; i += n) {
		n = json_utf8_next(s + i, len - i, &cp);
		if (cp == '\r')
			continue;
		/* No indent on blank lines: no trailing blanks. */
		if (bol && cp != '\n') {
			buf_append_str(b, indent);
			bol = false;
		}
		triagectl_put_cp(b, cp, true);
		if (cp == '\n')
			bol = true;
	}
	if (!bol)
		buf_append_char(b, '\n');
}

void
triagectl_person(struct buf *b, const char *name, const char *addr)
{
	bool has_name = name != NULL && *name != '\0';

	if (has_name)
		triagectl_text(b, name, 0);
	if (addr != NULL && *addr != '\0') {
		if (has_name)
			buf_append_str(b, " <");
		triagectl_text(b, addr, 0);
		if (has_name)
			buf_append_char(b, '>');
	} else if (!has_name)
		buf_append_char(b, '-');
}

size_t
triagectl_width(const char *s)
{
	size_t i, len, count = 0;
	uint32_t cp;

	len = strlen(s);
	for (i = 0; i < len; count++)
		i += json_utf8_next(s + i, len - i, &cp);
	return count;
}

struct triagectl_table *
triagectl_table_new(const char *const *headers, const size_t *max,
    size_t ncols)
{
	struct triagectl_table *t;

	t = xcalloc(1, sizeof(*t));
	t->ncols = ncols;
	t->max = xcalloc(ncols, sizeof(*t->max));
	memcpy(t->max, max, ncols * sizeof(*t->max));
	t->width = xcalloc(ncols, sizeof(*t->width));
	triagectl_table_add(t, headers);
	return t;
}

void
triagectl_table_add(struct triagectl_table *t, const char *const *cells)
{
	struct buf cell;
	size_t c, w;
	char **row;

	if (t->nrows == t->cap) {
		t->cap = t->cap == 0 ? 16 : t->cap * 2;
		t->cells = xreallocarray(t->cells, t->cap * t->ncols,
		    sizeof(*t->cells));
	}
	row = &t->cells[t->nrows++ * t->ncols];
	for (c = 0; c < t->ncols; c++) {
		buf_init(&cell);
		triagectl_text(&cell, cells[c] != NULL && *cells[c] != '\0' ?
		    cells[c] : NULL, t->max[c]);
		row[c] = buf_steal(&cell, NULL);
		if ((w = triagectl_width(row[c])) > t->width[c])
			t->width[c] = w;
	}
}

void
triagectl_table_print(const struct triagectl_table *t, struct buf *b)
{
	size_t r, c, pad;
	const char *cell;

	for (r = 0; r < t->nrows; r++) {
		for (c = 0; c < t->ncols; c++) {
			cell = t->cells[r * t->ncols + c];
			buf_append_str(b, cell);
			if (c + 1 == t->ncols)
				break;
			/* Pad by characters, not bytes (unlike %-*s). */
			for (pad = triagectl_width(cell); pad < t->width[c] + 2;
			    pad++)
				buf_append_char(b, ' ');
		}
		buf_append_char(b, '\n');
	}
}

void
triagectl_table_free(struct triagectl_table *t)
{
	size_t i;

	if (t == NULL)
		return;
	for (i = 0; i < t->nrows * t->ncols; i++)
		free(t->cells[i]);
	free(t->cells);
	free(t->width);
	free(t->max);
	free(t);
}

static int
triagectl_help_run(struct triagectl *ctl, int argc, char **argv)
{
	const struct triagectl_cmd *cmd;

	(void)ctl;
	if (argc > 2)
		return triagectl_usage(&triagectl_help_cmd);
	if (argc == 2) {
		if ((cmd = triagectl_find(argv[1])) == NULL)
			return triagectl_bad_usage(&triagectl_help_cmd,
			    "unknown command '%s'", argv[1]);
		printf("usage: triagectl [-c file] [--json] %s %s\n  %s\n",
		    cmd->name, cmd->args, cmd->summary);
		return TRIAGECTL_OK;
	}
	triagectl_usage_all(stdout);
	return TRIAGECTL_OK;
}

static void
triagectl_usage_all(FILE *fp)
{
	size_t i;

	fprintf(fp, "usage: triagectl [-c file] [-d database] [--json] "
	    "command [args]\n"
	    "       triagectl --help | --version | command --help\n"
	    "  -c file   configuration (default %s)\n"
	    "  -d file   read this database (a backup) instead of the "
	    "configured one\n"
	    "  --json    machine-readable output (also after the command)\n"
	    "  --utc     times in UTC (default: the reports' calendar zone)\n"
	    "  --no-pager  never page text taller than the terminal\n"
	    "exit status: 0 done, 1 error, 2 usage, 65 no such request or "
	    "agent,\n  75 database busy (try again)\n"
	    "commands:\n", TRIAGECTL_DEFAULT_CONFIG);
	for (i = 0; i < TRIAGECTL_NCMDS; i++)
		fprintf(fp, "  %s %s\n      %s\n", triagectl_cmds[i]->name,
		    triagectl_cmds[i]->args, triagectl_cmds[i]->summary);
}

static const struct triagectl_cmd *
triagectl_find(const char *name)
{
	size_t i;

	for (i = 0; i < TRIAGECTL_NCMDS; i++)
		if (strcmp(triagectl_cmds[i]->name, name) == 0)
			return triagectl_cmds[i];
	return NULL;
}

static int
triagectl_dispatch(struct triagectl *ctl, int argc, char **argv)
{
	const struct triagectl_cmd *cmd;
	char **args;
	int nargs, rc;

	if ((cmd = triagectl_find(argv[0])) == NULL) {
		(void)triagectl_failx("unknown command '%s'", argv[0]);
		triagectl_usage_all(stderr);
		return TRIAGECTL_USAGE;
	}
	if ((args = triagectl_globals(ctl, argc, argv, &nargs)) == NULL)
		return triagectl_usage(cmd);
	if (triagectl_wants_help(nargs, args)) {
		free(args);
		printf("usage: triagectl [-c file] [--json] %s %s\n  %s\n",
		    cmd->name, cmd->args, cmd->summary);
		return TRIAGECTL_OK;
	}
	rc = cmd->run(ctl, nargs, args);
	free(args);
	return rc;
}

/* "COMMAND --help" (or -h) anywhere before "--". */
static bool
triagectl_wants_help(int argc, char **argv)
{
	int i;

	for (i = 1; i < argc && strcmp(argv[i], "--") != 0; i++)
		if (strcmp(argv[i], "--help") == 0 ||
		    strcmp(argv[i], "-h") == 0)
			return true;
	return false;
}

/*
 * The command's argument vector with the global options that may follow
 * the command (--json, -c file, --config[=]file) taken out; "--" ends
 * the scan.  argv[0] becomes "triagectl" so getopt's own messages read
 * right.  NULL if -c lacks its file.
 */
static char **
triagectl_globals(struct triagectl *ctl, int argc, char **argv,
    int *argc_out)
{
	char **args;
	int i, n = 0;
	bool done = false;

	args = xcalloc((size_t)argc + 1, sizeof(*args));
	args[n++] = (char *)"triagectl";
	for (i = 1; i < argc; i++) {
		if (done)
			args[n++] = argv[i];
		else if (strcmp(argv[i], "--") == 0) {
			done = true;
			args[n++] = argv[i];
		} else if (strcmp(argv[i], "--json") == 0)
			ctl->json = true;
		else if (strcmp(argv[i], "--utc") == 0)
			ctl->utc = true;
		else if (strcmp(argv[i], "--no-pager") == 0)
			ctl->no_pager = true;
		else if (strcmp(argv[i], "-c") == 0 ||
		    strcmp(argv[i], "--config") == 0) {
			if (++i == argc) {
				free(args);
				return NULL;
			}
			ctl->config_path = argv[i];
		} else if (strncmp(argv[i], "--config=", 9) == 0)
			ctl->config_path = argv[i] + 9;
		else if (strncmp(argv[i], "-c", 2) == 0)
			ctl->config_path = argv[i] + 2;
		else
			args[n++] = argv[i];
	}
	*argc_out = n;
	return args;
}

int
triagectl_status_option(const struct triagectl_cmd *cmd, const char *arg,
    const char **out)
{
	if (!ticket_status_valid(arg))
		return triagectl_bad_usage(cmd, "unknown status '%s' (new, "
		    "open, pending, resolved, closed)", arg);
	*out = arg;
	return TRIAGECTL_OK;
}

static int
triagectl_flush(const struct triagectl *ctl)
{
	const struct buf *out = ctl->out;

	if (triagectl_wants_pager(ctl) && triagectl_page(out) == 0)
		return TRIAGECTL_OK;
	if (out->len > 0 && fwrite(out->data, 1, out->len, stdout) != out->len)
		return triagectl_failx("writing output: %s", strerror(errno));
	if (fflush(stdout) == EOF)
		return triagectl_failx("writing output: %s", strerror(errno));
	return TRIAGECTL_OK;
}

/*
 * Text for a person on a terminal that does not fit its height goes
 * through a pager, as git and systemctl do: $TRIAGECTL_PAGER, else
 * $PAGER, else less (with LESS=FRX unless set: quit if one screen, keep
 * colours and the screen).  Never for JSON, for raw bytes (a command
 * sets no_pager), with --no-pager, or with a pager of "" or "cat".
 */
static bool
triagectl_wants_pager(const struct triagectl *ctl)
{
	struct winsize ws;
	const char *p;
	size_t lines = 0, i;

	if (ctl->json || ctl->no_pager || !isatty(STDOUT_FILENO))
		return false;
	if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == -1 || ws.ws_row == 0)
		return false;
	for (i = 0; i < ctl->out->len; i++)
		lines += ctl->out->data[i] == '\n';
	if (lines < ws.ws_row)
		return false;
	p = triagectl_pager();
	return *p != '\0' && strcmp(p, "cat") != 0;
}

static const char *
triagectl_pager(void)
{
	const char *p;

	if ((p = getenv("TRIAGECTL_PAGER")) == NULL &&
	    (p = getenv("PAGER")) == NULL)
		p = "less";
	return p;
}

/*
 * Writes out into the pager and waits for it; -1 if it could not be
 * started (the caller writes to stdout instead).  A reader who quits
 * early closes the pipe: that is not an error.
 */
static int
triagectl_page(const struct buf *out)
{
	struct sigaction ign, old;
	FILE *fp;

	(void)setenv("LESS", "FRX", 0);
	fflush(stdout);
	if ((fp = popen(triagectl_pager(), "w")) == NULL)
		return -1;
	memset(&ign, 0, sizeof(ign));
	ign.sa_handler = SIG_IGN;
	(void)sigaction(SIGPIPE, &ign, &old);
	(void)fwrite(out->data, 1, out->len, fp);
	(void)pclose(fp);
	(void)sigaction(SIGPIPE, &old, NULL);
	return 0;
}

/*
 * One character of mail text for a terminal.  Controls (C0, DEL, C1)
 * could move the cursor or retitle the window, and bidi overrides can
 * make text read differently from what it is: all are shown as '?'.
 */
static void
triagectl_put_cp(struct buf *b, uint32_t cp, bool multiline)
{
	if (cp == '\n' || cp == '\t') {
		buf_append_char(b, multiline ? (char)cp : ' ');
		return;
	}
	if (cp == '\r' || cp < 0x20 || (cp >= 0x7f && cp < 0xa0) ||
	    cp == 0x2028 || cp == 0x2029 || (cp >= 0x202a && cp <= 0x202e) ||
	    (cp >= 0x2066 && cp <= 0x2069)) {
		buf_append_char(b, cp == '\r' ? ' ' : '?');
		return;
	}
	json_utf8_put(b, cp);
}

/* config_load's "file:line: setting: problem" lines, one per line. */
static void
triagectl_print_errors(const struct buf *errors)
{
	const char *p, *nl;

	for (p = errors->data; p != NULL && *p != '\0'; p = nl + 1) {
		if ((nl = strchr(p, '\n')) == NULL) {
			fprintf(stderr, "triagectl: %s\n", p);
			return;
		}
		fprintf(stderr, "triagectl: %.*s\n", (int)(nl - p), p);
	}
}
