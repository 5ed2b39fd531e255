/*
 * ctl_agents: `triagectl agents`, the configured agents with their
 * categories, open requests and absences (config or triagectl).
 */
#include <stdio.h>

#include "assign.h"
#include "buf.h"
#include "clock.h"
#include "error.h"
#include "json.h"
#include "triagectl.h"

static int	ctl_agents_run(struct triagectl *, int, char **);
static void	ctl_agents_json(struct buf *, const struct assign_agent_row *,
		    size_t);
static void	ctl_agents_text(struct buf *, const struct calendar *,
		    const struct assign_agent_row *, size_t);

const struct triagectl_cmd ctl_agents_cmd = {
	"agents",
	"",
	"list the agents: categories, open requests, absences",
	ctl_agents_run
};

static int
ctl_agents_run(struct triagectl *ctl, int argc, char **argv)
{
	struct assign_agent_row *rows;
	struct store *st;
	struct error err;
	size_t n;

	(void)argv;
	if (argc != 1)
		return triagectl_usage(&ctl_agents_cmd);
	if ((st = triagectl_store(ctl)) == NULL)
		return TRIAGECTL_ERROR;
	error_clear(&err);
	if (assign_agents(st, ctl->cfg, clock_now(), &rows, &n, &err) == -1)
		return triagectl_fail(&err);
	if (ctl->json)
		ctl_agents_json(ctl->out, rows, n);
	else
		ctl_agents_text(ctl->out, ctl->zone, rows, n);
	assign_agent_rows_free(rows, n);
	return TRIAGECTL_OK;
}

static void
ctl_agents_json(struct buf *out, const struct assign_agent_row *rows,
    size_t n)
{
	struct json j;
	size_t i;

	json_init(&j, out);
	json_object_begin(&j);
	json_key(&j, "agents");
	json_array_begin(&j);
	for (i = 0; i < n; i++) {
		json_object_begin(&j);
		json_kv_string(&j, "name", rows[i].name);
		json_kv_string(&j, "display_name", rows[i].display_name);
		json_kv_string(&j, "categories", rows[i].categories);
		json_kv_int(&j, "open", rows[i].open);
		json_key(&j, "manager");
		json_bool(&j, rows[i].manager);
		json_key(&j, "away");
		json_bool(&j, rows[i].away);
		if (rows[i].away && rows[i].away_until != 0)
			triagectl_json_time(&j, "away_until",
			    rows[i].away_until);
		else {
			json_key(&j, "away_until");
			json_null(&j);
		}
		json_object_end(&j);
	}
	json_array_end(&j);
	json_object_end(&j);
	buf_append_char(out, '\n');
}

static void
ctl_agents_text(struct buf *out, const struct calendar *zone,
    const struct assign_agent_row *rows, size_t n)
{
	static const char *const headers[] = { "AGENT", "OPEN", "AWAY UNTIL",
	    "MANAGER", "CATEGORIES" };
	static const size_t max[] = { 0, 0, 0, 0, 0 };
	struct triagectl_table *t;
	const char *cells[5];
	char open[24], until[TRIAGECTL_TIME_MAX];
	size_t i;

	if (n == 0) {
		buf_append_str(out, "no agents configured\n");
		return;
	}
	t = triagectl_table_new(headers, max, 5);
	for (i = 0; i < n; i++) {
		(void)snprintf(open, sizeof(open), "%lld",
		    (long long)rows[i].open);
		cells[0] = rows[i].name;
		cells[1] = open;
		cells[2] = !rows[i].away ? NULL : rows[i].away_until == 0 ?
		    "away" : triagectl_time_text(zone, rows[i].away_until,
		    until, sizeof(until));
		cells[3] = rows[i].manager ? "yes" : NULL;
		cells[4] = rows[i].categories;
		triagectl_table_add(t, cells);
	}
	triagectl_table_print(t, out);
	triagectl_table_free(t);
}
