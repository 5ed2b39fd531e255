/*
 * metrics: atomic counters and their Prometheus text (metrics.h).  The
 * label values are fixed tables, so a hostile client cannot grow the
 * series: an unknown acknowledgement reason counts as "other", an HTTP
 * status outside the table as its class ("2xx" ...).
 */
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "metrics.h"
#include "xmalloc.h"

static const char *const metrics_intake_names[METRICS_IN_COUNT] = {
	"lmtp", "smtp", "imap", "inject", "http", "other"
};
static const char *const metrics_result_names[METRICS_RES_COUNT] = {
	"new", "joined", "duplicate", "tempfail", "permfail"
};
/*
 * ack.c's and pipeline.c's reasons; an automatic-mail verdict (RFC 3834
 * and friends: many words) counts as "automatic".
 */
static const char *const metrics_ack_reasons[] = {
	"disabled", "automatic", "no-address", "our-address",
	"unauthenticated", "rate-limited", "rate-limited-sender",
	"rate-limited-client", "spam", "rule", "other"
};
#define METRICS_ACK_REASONS \
	(sizeof(metrics_ack_reasons) / sizeof(metrics_ack_reasons[0]))
static const int metrics_http_codes[] = {
	200, 201, 204, 301, 302, 304, 400, 401, 403, 404, 405, 408, 409,
	411, 413, 415, 422, 429, 431, 500, 501, 503
};
#define METRICS_HTTP_CODES \
	(sizeof(metrics_http_codes) / sizeof(metrics_http_codes[0]))

struct metrics {
	atomic_ullong	intake[METRICS_IN_COUNT][METRICS_RES_COUNT];
	atomic_ullong	ack_sent;
	atomic_ullong	ack_skipped[METRICS_ACK_REASONS];
	atomic_ullong	http[METRICS_HTTP_CODES];
	atomic_ullong	http_class[6];	/* off the table: 1xx.. */
};

static size_t	metrics_ack_index(const char *);

struct metrics *
metrics_new(void)
{
	struct metrics *m = xcalloc(1, sizeof(*m));
	size_t i, j;

	for (i = 0; i < METRICS_IN_COUNT; i++)
		for (j = 0; j < METRICS_RES_COUNT; j++)
			atomic_init(&m->intake[i][j], 0);
	atomic_init(&m->ack_sent, 0);
	for (i = 0; i < METRICS_ACK_REASONS; i++)
		atomic_init(&m->ack_skipped[i], 0);
	for (i = 0; i < METRICS_HTTP_CODES; i++)
		atomic_init(&m->http[i], 0);
	for (i = 0; i < 6; i++)
		atomic_init(&m->http_class[i], 0);
	return m;
}

void
metrics_free(struct metrics *m)
{
	free(m);
}

enum metrics_intake
metrics_intake_of(const char *source)
{
	size_t i, n;

	if (source == NULL)
		return METRICS_IN_OTHER;
	for (i = 0; i < METRICS_IN_OTHER; i++) {
		n = strlen(metrics_intake_names[i]);
		if (strncmp(source, metrics_intake_names[i], n) == 0 &&
		    (source[n] == '\0' || source[n] == ':'))
			return (enum metrics_intake)i;
	}
	return METRICS_IN_OTHER;
}

void
metrics_count_intake(struct metrics *m, enum metrics_intake in,
    enum metrics_result res, const char *ack)
{
	if (m == NULL)
		return;
	atomic_fetch_add(&m->intake[in][res], 1);
	if (ack == NULL)
		return;
	if (*ack == '\0')
		atomic_fetch_add(&m->ack_sent, 1);
	else
		atomic_fetch_add(&m->ack_skipped[metrics_ack_index(ack)], 1);
}

/* Any reason not in the table is an automatic-mail verdict or "other". */
static size_t
metrics_ack_index(const char *reason)
{
	size_t i;

	for (i = 0; i < METRICS_ACK_REASONS; i++)
		if (strcmp(reason, metrics_ack_reasons[i]) == 0)
			return i;
	return METRICS_ACK_REASONS - 1;
}

void
metrics_count_http(struct metrics *m, int status)
{
	size_t i;

	if (m == NULL)
		return;
	for (i = 0; i < METRICS_HTTP_CODES; i++) {
		if (metrics_http_codes[i] == status) {
			atomic_fetch_add(&m->http[i], 1);
			return;
		}
	}
	atomic_fetch_add(&m->http_class[status >= 100 && status < 600 ?
	    status / 100 : 0], 1);
}

void
metrics_print(struct metrics *m, struct buf *out)
{
	size_t i, j;

	buf_append_str(out, "# HELP triaged_intake_messages_total Messages "
	    "handed to the pipeline since the start, by intake and result.\n"
	    "# TYPE triaged_intake_messages_total counter\n");
	for (i = 0; i < METRICS_IN_COUNT; i++)
		for (j = 0; j < METRICS_RES_COUNT; j++)
			buf_printf(out, "triaged_intake_messages_total{intake="
			    "\"%s\",result=\"%s\"} %llu\n",
			    metrics_intake_names[i], metrics_result_names[j],
			    atomic_load(&m->intake[i][j]));
	buf_printf(out, "# HELP triaged_acks_sent_total Acknowledgements "
	    "queued for new requests since the start.\n"
	    "# TYPE triaged_acks_sent_total counter\n"
	    "triaged_acks_sent_total %llu\n", atomic_load(&m->ack_sent));
	buf_append_str(out, "# HELP triaged_acks_skipped_total New requests "
	    "that got no acknowledgement since the start, by reason.\n"
	    "# TYPE triaged_acks_skipped_total counter\n");
	for (i = 0; i < METRICS_ACK_REASONS; i++)
		buf_printf(out, "triaged_acks_skipped_total{reason=\"%s\"} "
		    "%llu\n", metrics_ack_reasons[i],
		    atomic_load(&m->ack_skipped[i]));
	buf_append_str(out, "# HELP triaged_http_requests_total HTTP "
	    "requests answered since the start, by status.\n"
	    "# TYPE triaged_http_requests_total counter\n");
	for (i = 0; i < METRICS_HTTP_CODES; i++)
		buf_printf(out, "triaged_http_requests_total{code=\"%d\"} "
		    "%llu\n", metrics_http_codes[i],
		    atomic_load(&m->http[i]));
	for (i = 1; i < 6; i++)
		buf_printf(out, "triaged_http_requests_total{code=\"%zuxx\"} "
		    "%llu\n", i, atomic_load(&m->http_class[i]));
}
