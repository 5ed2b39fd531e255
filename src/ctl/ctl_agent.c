/*
 * ctl_agent: `triagectl agent away NAME --until DATE [--from DATE]` and
 * `triagectl agent back NAME`: absences kept in the database beside the
 * config's, skipped by assignment like them (assign_away, assign_back).
 *
 * Dates are the agent's local time (the zone of his calendar, else of the
 * default calendar, else UTC), as he would say them: "YYYY-MM-DD" or
 * "YYYY-MM-DDTHH:MM[:SS]" (a space for the T works too).  A bare date in
 * --until includes that whole day (away until Friday: back on Saturday);
 * in --from it starts at midnight.
 */
#include <getopt.h>
#include <stdbool.h>
#include <string.h>
#include <time.h>

#include "assign.h"
#include "calendar.h"
#include "buf.h"
#include "clock.h"
#include "config_agents.h"
#include "error.h"
#include "json.h"
#include "sla.h"
#include "store.h"
#include "triagectl.h"

static int	ctl_agent_run(struct triagectl *, int, char **);
static int	ctl_agent_away(struct triagectl *, int, char **);
static int	ctl_agent_back(struct triagectl *, int, char **);
static time_t	ctl_agent_date(const char *, bool end_of_day);

const struct triagectl_cmd ctl_agent_cmd = {
	"agent",
	"away NAME --until DATE [--from DATE] | back NAME",
	"mark an agent away (skipped by assignment) or back",
	ctl_agent_run
};

static int
ctl_agent_run(struct triagectl *ctl, int argc, char **argv)
{
	if (argc >= 2 && strcmp(argv[1], "away") == 0)
		return ctl_agent_away(ctl, argc - 1, argv + 1);
	if (argc >= 2 && strcmp(argv[1], "back") == 0)
		return ctl_agent_back(ctl, argc - 1, argv + 1);
	return triagectl_usage(&ctl_agent_cmd);
}

/* argv[0] is "away". */
static int
ctl_agent_away(struct triagectl *ctl, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "until",	required_argument,	NULL, 'u' },
		{ "from",	required_argument,	NULL, 'f' },
		{ NULL,		0,			NULL, 0 }
	};
	const struct calendar *cal;
	const struct agent *ag;
	time_t since, until = -1;
	bool local_since = false;
	struct store *st;
	struct error err;
	int ch;

	since = clock_now();
	optind = 0;
	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (ch == 'u' && (until = ctl_agent_date(optarg, true)) == -1)
			return triagectl_bad_usage(&ctl_agent_cmd,
			    "bad date '%s' (YYYY-MM-DD or YYYY-MM-DDTHH:MM)",
			    optarg);
		if (ch == 'f' && (since = ctl_agent_date(optarg, false)) == -1)
			return triagectl_bad_usage(&ctl_agent_cmd,
			    "bad date '%s' (YYYY-MM-DD or YYYY-MM-DDTHH:MM)",
			    optarg);
		if (ch == 'f')
			local_since = true;
		if (ch != 'u' && ch != 'f')
			return triagectl_usage(&ctl_agent_cmd);
	}
	if (until == -1 || optind + 1 != argc)
		return triagectl_usage(&ctl_agent_cmd);
	if ((st = triagectl_open(ctl, 0)) == NULL)
		return TRIAGECTL_ERROR;
	/* the config is loaded with the store */
	ag = config_agents_find(ctl->cfg, argv[optind]);
	if ((cal = config_sla_calendar(ctl->cfg,
	    ag != NULL ? ag->calendar : NULL)) != NULL) {
		until = calendar_from_local(cal, until);
		if (local_since)
			since = calendar_from_local(cal, since);
	}
	error_clear(&err);
	if (store_begin(st, &err) == -1)
		return triagectl_fail(&err);
	if (assign_away(st, ctl->cfg, argv[optind], since, until, &err) == -1 ||
	    store_commit(st, &err) == -1) {
		store_rollback(st);
		return triagectl_fail(&err);
	}
	if (!ctl->json) {
		char a[TRIAGECTL_TIME_MAX], b[TRIAGECTL_TIME_MAX];

		buf_printf(ctl->out, "%s away from %s until %s\n",
		    argv[optind], triagectl_time_text(ctl->zone, since, a,
		    sizeof(a)), triagectl_time_text(ctl->zone, until, b,
		    sizeof(b)));
	} else {
		struct json j;

		json_init(&j, ctl->out);
		json_object_begin(&j);
		json_kv_string(&j, "agent", argv[optind]);
		triagectl_json_time(&j, "from", since);
		triagectl_json_time(&j, "until", until);
		json_object_end(&j);
		buf_append_char(ctl->out, '\n');
	}
	return TRIAGECTL_OK;
}

/* argv[0] is "back". */
static int
ctl_agent_back(struct triagectl *ctl, int argc, char **argv)
{
	struct store *st;
	struct error err;
	struct json j;

	if (argc != 2)
		return triagectl_usage(&ctl_agent_cmd);
	if ((st = triagectl_open(ctl, 0)) == NULL)
		return TRIAGECTL_ERROR;
	error_clear(&err);
	if (store_begin(st, &err) == -1)
		return triagectl_fail(&err);
	if (assign_back(st, ctl->cfg, argv[1], &err) == -1 ||
	    store_commit(st, &err) == -1) {
		store_rollback(st);
		return triagectl_fail(&err);
	}
	if (!ctl->json) {
		buf_printf(ctl->out, "%s is back\n", argv[1]);
		return TRIAGECTL_OK;
	}
	json_init(&j, ctl->out);
	json_object_begin(&j);
	json_kv_string(&j, "agent", argv[1]);
	json_key(&j, "away");
	json_bool(&j, false);
	json_object_end(&j);
	buf_append_char(ctl->out, '\n');
	return TRIAGECTL_OK;
}

/* The local date and time as seconds, as if the zone were UTC; -1: bad. */
static time_t
ctl_agent_date(const char *s, bool end_of_day)
{
	struct tm tm;
	const char *end;

	memset(&tm, 0, sizeof(tm));
	if ((end = strptime(s, "%Y-%m-%d", &tm)) == NULL)
		return -1;
	if (*end == '\0')
		return timegm(&tm) + (end_of_day ? 86400 : 0);
	if (*end != 'T' && *end != ' ')
		return -1;
	s = end + 1;
	if ((end = strptime(s, "%H:%M", &tm)) == NULL)
		return -1;
	if (*end == ':' && (end = strptime(end + 1, "%S", &tm)) == NULL)
		return -1;
	if (*end != '\0')
		return -1;
	return timegm(&tm);
}
