/*
 * ctl_search: `triagectl search TEXT`, the requests whose mail matches
 * TEXT, best first, each with the words around the match (issue 17).
 * The query syntax and the ranking are search_index.h's; this file reads
 * the options and prints.  Spam (hidden requests) is never listed.
 */
#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "error.h"
#include "json.h"
#include "report.h"
#include "search_index.h"
#include "ticket.h"
#include "triagectl.h"

static int	ctl_search_run(struct triagectl *, int, char **);
static void	ctl_search_pending(struct triagectl *);
static int	ctl_search_parse(struct triagectl *, struct search_filter *,
		    struct buf *, int, char **);
static void	ctl_search_json(struct buf *, const struct search_hit *,
		    size_t);
static void	ctl_search_text(struct buf *, const struct calendar *,
		    const struct search_hit *, size_t);

const struct triagectl_cmd ctl_search_cmd = {
	"search",
	"TEXT [--status S] [--agent A] [--customer A] [--since YYYY-MM-DD] "
	    "[--limit N]",
	"find requests by the words of their mail (\"phrase\", prefix*, "
	    "-word, OR)",
	ctl_search_run
};

static int
ctl_search_run(struct triagectl *ctl, int argc, char **argv)
{
	struct search_filter f;
	struct search_hit *hits;
	struct error err;
	struct buf text;
	size_t n;
	int rc;

	if (triagectl_store(ctl) == NULL)
		return TRIAGECTL_ERROR;
	buf_init(&text);
	if ((rc = ctl_search_parse(ctl, &f, &text, argc, argv)) !=
	    TRIAGECTL_OK) {
		buf_release(&text);
		return rc;
	}
	error_clear(&err);
	rc = search_index_find(ctl->store, text.data, &f, &hits, &n, &err);
	buf_release(&text);
	if (rc == -1) {
		if (err.kind == ERR_PERM)
			return triagectl_failx("search: %s", err.msg);
		return triagectl_fail(&err);
	}
	if (ctl->json)
		ctl_search_json(ctl->out, hits, n);
	else
		ctl_search_text(ctl->out, ctl->zone, hits, n);
	search_index_hits_free(hits, n);
	ctl_search_pending(ctl);
	return TRIAGECTL_OK;
}

/*
 * The daemon indexes new mail within a second (search_index.h): say how
 * much was not searched, rather than let a person take "nothing found"
 * for the last word.  On stderr, so --json's output keeps its shape.
 */
static void
ctl_search_pending(struct triagectl *ctl)
{
	struct error err;
	int64_t pending;

	error_clear(&err);
	if (search_index_pending(ctl->store, &pending, &err) == -1 ||
	    pending == 0)
		return;
	fprintf(stderr, "triagectl: search: %lld newest message%s not in the "
	    "index yet (the daemon adds them within a second)\n",
	    (long long)pending, pending == 1 ? " is" : "s are");
}

/* Options into f, the words into words (all arguments joined). */
static int
ctl_search_parse(struct triagectl *ctl, struct search_filter *f,
    struct buf *words, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "status",	required_argument,	NULL, 's' },
		{ "agent",	required_argument,	NULL, 'a' },
		{ "customer",	required_argument,	NULL, 'c' },
		{ "since",	required_argument,	NULL, 'S' },
		{ "limit",	required_argument,	NULL, 'n' },
		{ NULL,		0,			NULL, 0 }
	};
	long long limit;
	int ch;

	memset(f, 0, sizeof(*f));
	optind = 0;
	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (ch) {
		case 's':
			if (triagectl_status_option(&ctl_search_cmd, optarg,
			    &f->status) != TRIAGECTL_OK)
				return TRIAGECTL_USAGE;
			break;
		case 'a':
			f->agent = optarg;
			break;
		case 'c':
			if (optarg[0] == '\0' || strcmp(optarg, "@") == 0)
				return triagectl_bad_usage(&ctl_search_cmd,
				    "--customer wants an address or @domain");
			f->customer = optarg;
			break;
		case 'S':
			/* a local date: the day as the reports' zone has it */
			if (report_date(optarg, ctl->zone, &f->since) == -1)
				return triagectl_bad_usage(&ctl_search_cmd,
				    "bad date '%s' (YYYY-MM-DD)", optarg);
			break;
		case 'n':
			if ((limit = triagectl_number(optarg)) == -1)
				return triagectl_bad_usage(&ctl_search_cmd,
				    "--limit wants a positive number, not '%s'",
				    optarg);
			f->limit = (size_t)limit;
			break;
		default:
			return triagectl_usage(&ctl_search_cmd);
		}
	}
	if (optind == argc)
		return triagectl_bad_usage(&ctl_search_cmd, "what to search "
		    "for is missing");
	/* several arguments are one query: `search "late invoice" vat` */
	for (; optind < argc; optind++) {
		if (words->len > 0)
			buf_append_char(words, ' ');
		buf_append_str(words, argv[optind]);
	}
	return TRIAGECTL_OK;
}

static void
ctl_search_json(struct buf *out, const struct search_hit *hits, size_t n)
{
	struct json j;
	size_t i;

	json_init(&j, out);
	json_object_begin(&j);
	json_key(&j, "requests");
	json_array_begin(&j);
	for (i = 0; i < n; i++) {
		json_object_begin(&j);
		json_kv_int(&j, "id", hits[i].ticket);
		json_kv_int(&j, "rank", (int64_t)i + 1);
		json_kv_string(&j, "subject", hits[i].subject);
		json_kv_string(&j, "status", hits[i].status);
		json_kv_string(&j, "assignee", hits[i].assignee);
		json_kv_string(&j, "customer", hits[i].customer);
		triagectl_json_time(&j, "updated_at", hits[i].updated_at);
		json_kv_int(&j, "message", hits[i].message);
		json_key(&j, "internal");
		json_bool(&j, hits[i].internal);
		triagectl_json_time(&j, "message_at", hits[i].message_at);
		json_kv_string(&j, "snippet", hits[i].snippet);
		json_object_end(&j);
	}
	json_array_end(&j);
	json_object_end(&j);
	buf_append_char(out, '\n');
}

static void
ctl_search_text(struct buf *out, const struct calendar *zone,
    const struct search_hit *hits, size_t n)
{
	char when[TRIAGECTL_TIME_MAX];
	size_t i;

	if (n == 0) {
		buf_append_str(out, "no requests found\n");
		return;
	}
	for (i = 0; i < n; i++) {
		buf_printf(out, "#%lld  %s  ", (long long)hits[i].ticket,
		    hits[i].status != NULL ? hits[i].status : "-");
		triagectl_text(out, hits[i].subject, 60);
		buf_append_str(out, "\n    ");
		triagectl_text(out, hits[i].customer, 40);
		buf_printf(out, "  %s%s\n    ", triagectl_time_text(zone,
		    hits[i].message_at, when, sizeof(when)),
		    hits[i].internal ? "  (internal note)" : "");
		triagectl_text(out, hits[i].snippet, 200);
		buf_append_char(out, '\n');
	}
}
