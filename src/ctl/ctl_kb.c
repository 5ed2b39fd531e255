/*
 * ctl_kb: `triagectl kb search TEXT`, what the knowledge base finds for
 * a text as it would for a customer's mail (issue 19): the articles and
 * canned answers, best first, with their scores and whether they reach
 * knowledge_base.min_score (only those are suggested), so an admin can
 * tune the threshold.  The index is the daemon's (filled at its start
 * and on SIGHUP).
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "config.h"
#include "error.h"
#include "json.h"
#include "kb.h"
#include "triagectl.h"

#define CTL_KB_DEFAULT_LIMIT	10

static int	ctl_kb_run(struct triagectl *, int, char **);
static void	ctl_kb_json(struct buf *, const struct kb_hit *, size_t, int);
static void	ctl_kb_text(struct buf *, const struct kb_hit *, size_t, int);

const struct triagectl_cmd ctl_kb_cmd = {
	"kb",
	"search TEXT [--limit N]",
	"what the knowledge base suggests for TEXT, with scores",
	ctl_kb_run
};

static int
ctl_kb_run(struct triagectl *ctl, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "limit",	required_argument,	NULL, 'n' },
		{ NULL,		0,			NULL, 0 }
	};
	struct kb_hit *hits;
	struct error err;
	struct buf text;
	long long limit = CTL_KB_DEFAULT_LIMIT;
	size_t n;
	int ch, rc;

	optind = 0;
	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (ch != 'n')
			return triagectl_usage(&ctl_kb_cmd);
		if ((limit = triagectl_number(optarg)) == -1)
			return triagectl_bad_usage(&ctl_kb_cmd, "--limit wants"
			    " a positive number, not '%s'", optarg);
	}
	if (optind >= argc || strcmp(argv[optind], "search") != 0)
		return triagectl_bad_usage(&ctl_kb_cmd, "kb search TEXT");
	if (++optind >= argc)
		return triagectl_bad_usage(&ctl_kb_cmd, "what to search for "
		    "is missing");
	if (triagectl_store(ctl) == NULL)
		return TRIAGECTL_ERROR;
	buf_init(&text);
	for (; optind < argc; optind++) {
		buf_append_str(&text, argv[optind]);
		buf_append_char(&text, ' ');
	}
	error_clear(&err);
	rc = kb_suggest(ctl->store, NULL, NULL, text.data, NULL, 0, (size_t)limit,
	    &hits, &n, &err);
	buf_release(&text);
	if (rc == -1)
		return triagectl_fail(&err);
	if (ctl->json)
		ctl_kb_json(ctl->out, hits, n, ctl->cfg->kb_min_score);
	else
		ctl_kb_text(ctl->out, hits, n, ctl->cfg->kb_min_score);
	kb_index_hits_free(hits, n);
	return TRIAGECTL_OK;
}

static void
ctl_kb_json(struct buf *out, const struct kb_hit *hits, size_t n,
    int min_score)
{
	struct json j;
	size_t i;

	json_init(&j, out);
	json_object_begin(&j);
	json_kv_int(&j, "min_score", min_score);
	json_key(&j, "found");
	json_array_begin(&j);
	for (i = 0; i < n; i++) {
		json_object_begin(&j);
		json_kv_string(&j, "kind", hits[i].kind);
		json_kv_string(&j, "name", hits[i].path);
		json_kv_string(&j, "title", hits[i].title);
		json_kv_string(&j, "url", hits[i].url);
		json_kv_int(&j, "score", hits[i].score);
		json_key(&j, "suggested");
		json_bool(&j, hits[i].score >= min_score);
		json_object_end(&j);
	}
	json_array_end(&j);
	json_object_end(&j);
	buf_append_char(out, '\n');
}

static void
ctl_kb_text(struct buf *out, const struct kb_hit *hits, size_t n,
    int min_score)
{
	static const char *const headers[] = { "SCORE", "KIND", "NAME",
	    "TITLE", "URL" };
	static const size_t max[] = { 0, 0, 40, 60, 0 };
	struct triagectl_table *t;
	const char *cells[5];
	char score[32];
	size_t i;

	if (n == 0) {
		buf_append_str(out, "nothing found\n");
		return;
	}
	t = triagectl_table_new(headers, max, 5);
	for (i = 0; i < n; i++) {
		/* "*": reaches min_score, would be suggested */
		(void)snprintf(score, sizeof(score), "%d%s", hits[i].score,
		    hits[i].score >= min_score ? "*" : "");
		cells[0] = score;
		cells[1] = hits[i].kind;
		cells[2] = hits[i].path;
		cells[3] = hits[i].title;
		cells[4] = hits[i].url;
		triagectl_table_add(t, cells);
	}
	triagectl_table_print(t, out);
	triagectl_table_free(t);
	buf_printf(out, "* reaches knowledge_base.min_score (%d): suggested\n",
	    min_score);
}
