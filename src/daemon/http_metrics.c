/*
 * http_metrics: /healthz and /metrics (http_metrics.h).
 *
 * The names follow Prometheus' conventions: a _total suffix on
 * counters, base units (seconds), one metric per meaning with labels of
 * a fixed, small set of values (a mailbox name is the admin's, from the
 * config).  Figures read from the database are gauges or counters of
 * rows (they survive a restart); the in-process counters (metrics.h)
 * start at zero with the daemon, as Prometheus' rate() expects.
 */
#include <event2/http.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "clock.h"
#include "http_metrics.h"
#include "http_server.h"
#include "log.h"
#include "metrics.h"
#include "store_stats.h"
#include "store_writer.h"
#include "xmalloc.h"

#define HTTP_METRICS_TYPE	"text/plain; version=0.0.4; charset=utf-8"

struct http_metrics {
	struct metrics		*metrics;
	struct store_writer	*writer;
	bool			 ready;
};

/* One request waiting for the writer. */
struct http_metrics_job {
	struct http_metrics	*hm;
	struct http_server	*srv;
	struct evhttp_request	*req;
	bool			 scrape;	/* else /healthz */
	struct store_stats	 stats;
	struct store_work	 work;
};

static void	http_metrics_healthz(struct http_server *,
		    struct evhttp_request *, void *);
static void	http_metrics_scrape(struct http_server *,
		    struct evhttp_request *, void *);
static void	http_metrics_submit(struct http_metrics *,
		    struct http_server *, struct evhttp_request *, bool);
static int	http_metrics_run(struct store *, struct store_work *,
		    struct error *);
static void	http_metrics_done(struct store_work *);
static void	http_metrics_render(struct http_metrics_job *, struct buf *);
static void	http_metrics_store(const struct store_stats *, struct buf *);
static void	http_metrics_mailboxes(const struct store_stats *,
		    struct buf *);
static void	http_metrics_commits(struct store_writer *, struct buf *);
static void	http_metrics_label(struct buf *, const char *);

struct http_metrics *
http_metrics_new(struct metrics *metrics)
{
	struct http_metrics *hm = xcalloc(1, sizeof(*hm));

	hm->metrics = metrics;
	return hm;
}

void
http_metrics_set_writer(struct http_metrics *hm, struct store_writer *w)
{
	hm->writer = w;
}

void
http_metrics_set_ready(struct http_metrics *hm, bool ready)
{
	hm->ready = ready;
}

void
http_metrics_routes(struct http_metrics *hm, struct http_server *srv,
    bool with_metrics)
{
	http_server_route(srv, "/healthz", HTTP_GET, http_metrics_healthz,
	    hm);
	if (with_metrics)
		http_server_route(srv, "/metrics", HTTP_GET,
		    http_metrics_scrape, hm);
}

void
http_metrics_free(struct http_metrics *hm)
{
	free(hm);
}

static void
http_metrics_healthz(struct http_server *srv, struct evhttp_request *req,
    void *arg)
{
	struct http_metrics *hm = arg;

	if (!hm->ready || hm->writer == NULL) {
		http_server_reply(srv, req, 503, NULL, "not ready\n", 10);
		return;
	}
	http_metrics_submit(hm, srv, req, false);
}

static void
http_metrics_scrape(struct http_server *srv, struct evhttp_request *req,
    void *arg)
{
	struct http_metrics *hm = arg;

	if (hm->writer == NULL) {
		http_server_reply(srv, req, 503, NULL, "not ready\n", 10);
		return;
	}
	http_metrics_submit(hm, srv, req, true);
}

static void
http_metrics_submit(struct http_metrics *hm, struct http_server *srv,
    struct evhttp_request *req, bool scrape)
{
	struct http_metrics_job *job = xcalloc(1, sizeof(*job));

	job->hm = hm;
	job->srv = srv;
	job->req = req;
	job->scrape = scrape;
	job->work.run = http_metrics_run;
	job->work.done = http_metrics_done;
	store_writer_submit(hm->writer, &job->work);
}

static struct http_metrics_job *
http_metrics_job_of(struct store_work *work)
{
	return (struct http_metrics_job *)(void *)((char *)work -
	    offsetof(struct http_metrics_job, work));
}

/* On the writer's thread, in its batch: reads, or the probe's write. */
static int
http_metrics_run(struct store *st, struct store_work *work,
    struct error *err)
{
	struct http_metrics_job *job = http_metrics_job_of(work);

	if (job->scrape)
		return store_stats_read(st, &job->stats, err);
	return store_stats_probe(st, err);
}

/* On the loop thread, after the batch committed (or did not). */
static void
http_metrics_done(struct store_work *work)
{
	struct http_metrics_job *job = http_metrics_job_of(work);
	bool ok = work->status == STORE_WORK_COMMITTED;
	struct buf out;

	buf_init(&out);
	if (!job->scrape && ok)
		http_server_reply(job->srv, job->req, 200, NULL, "ok\n", 3);
	else if (!job->scrape) {
		log_warnx("http: /healthz: store: %s", work->err.msg);
		buf_printf(&out, "store: %s\n", work->err.msg);
		http_server_reply(job->srv, job->req, 503, NULL, out.data,
		    out.len);
	} else {
		if (!ok)
			log_warnx("http: /metrics: store: %s", work->err.msg);
		http_metrics_render(job, &out);
		http_server_reply(job->srv, job->req, 200,
		    HTTP_METRICS_TYPE, out.data, out.len);
	}
	buf_release(&out);
	store_stats_clear(&job->stats);
	free(job);
}

/*
 * The store's figures when it answered (triaged_store_up says whether),
 * then the in-process counters and the commit histogram, which need no
 * store.
 */
static void
http_metrics_render(struct http_metrics_job *job, struct buf *out)
{
	bool ok = job->work.status == STORE_WORK_COMMITTED;

	buf_printf(out, "# HELP triaged_store_up Whether the store answered "
	    "this scrape.\n# TYPE triaged_store_up gauge\n"
	    "triaged_store_up %d\n", ok ? 1 : 0);
	if (ok)
		http_metrics_store(&job->stats, out);
	if (job->hm->metrics != NULL)
		metrics_print(job->hm->metrics, out);
	http_metrics_commits(job->hm->writer, out);
}

static void
http_metrics_store(const struct store_stats *s, struct buf *out)
{
	unsigned long long by[METRICS_IN_COUNT];
	static const char *const kinds[METRICS_IN_COUNT] = {
		"lmtp", "smtp", "imap", "inject", "http", "other"
	};
	time_t now = clock_now();
	size_t i;

	buf_append_str(out, "# HELP triaged_requests Requests in the store "
	    "by status.\n# TYPE triaged_requests gauge\n");
	for (i = 0; i < s->nstatus; i++) {
		buf_append_str(out, "triaged_requests{status=");
		http_metrics_label(out, s->status[i].key);
		buf_printf(out, "} %lld\n", (long long)s->status[i].n);
	}
	memset(by, 0, sizeof(by));
	for (i = 0; i < s->nsources; i++)
		by[metrics_intake_of(s->sources[i].key)] +=
		    (unsigned long long)s->sources[i].n;
	buf_append_str(out, "# HELP triaged_messages_stored_total Customer "
	    "messages in the store by intake (triaged inject's included).\n"
	    "# TYPE triaged_messages_stored_total counter\n");
	for (i = 0; i < METRICS_IN_COUNT; i++)
		buf_printf(out, "triaged_messages_stored_total{intake=\"%s\"} "
		    "%llu\n", kinds[i], by[i]);
	buf_printf(out, "# HELP triaged_outbox_queued Outgoing mail not "
	    "sent yet.\n# TYPE triaged_outbox_queued gauge\n"
	    "triaged_outbox_queued %lld\n"
	    "# HELP triaged_outbox_oldest_age_seconds Age of the oldest "
	    "unsent mail (0: none).\n"
	    "# TYPE triaged_outbox_oldest_age_seconds gauge\n"
	    "triaged_outbox_oldest_age_seconds %lld\n"
	    "# HELP triaged_outbox_failed Outgoing mail that failed for good "
	    "(kept for the admin).\n# TYPE triaged_outbox_failed gauge\n"
	    "triaged_outbox_failed %lld\n",
	    (long long)s->outbox_queued, s->outbox_oldest > 0 &&
	    now > s->outbox_oldest ? (long long)(now - s->outbox_oldest) : 0,
	    (long long)s->outbox_failed);
	buf_printf(out, "# HELP triaged_sla_warnings_total SLA warnings "
	    "given.\n# TYPE triaged_sla_warnings_total counter\n"
	    "triaged_sla_warnings_total %lld\n"
	    "# HELP triaged_sla_breaches_total SLA deadlines missed.\n"
	    "# TYPE triaged_sla_breaches_total counter\n"
	    "triaged_sla_breaches_total %lld\n",
	    (long long)s->sla_warnings, (long long)s->sla_breaches);
	http_metrics_mailboxes(s, out);
}

/* One series per mailbox, its current state as a label set to 1. */
static void
http_metrics_mailboxes(const struct store_stats *s, struct buf *out)
{
	size_t i;

	buf_append_str(out, "# HELP triaged_imap_mailbox_state The state of "
	    "each IMAP mailbox (the series with value 1).\n"
	    "# TYPE triaged_imap_mailbox_state gauge\n");
	for (i = 0; i < s->nmailboxes; i++) {
		buf_append_str(out, "triaged_imap_mailbox_state{mailbox=");
		http_metrics_label(out, s->mailboxes[i].name);
		buf_append_str(out, ",state=");
		http_metrics_label(out, s->mailboxes[i].state);
		buf_append_str(out, "} 1\n");
	}
	buf_append_str(out, "# HELP triaged_imap_mailbox_backlog Messages "
	    "waiting in each IMAP mailbox at its last poll.\n"
	    "# TYPE triaged_imap_mailbox_backlog gauge\n");
	for (i = 0; i < s->nmailboxes; i++) {
		buf_append_str(out, "triaged_imap_mailbox_backlog{mailbox=");
		http_metrics_label(out, s->mailboxes[i].name);
		buf_printf(out, "} %lld\n", (long long)s->mailboxes[i].backlog);
	}
}

static void
http_metrics_commits(struct store_writer *w, struct buf *out)
{
	struct store_writer_stats st;
	unsigned long long cum = 0;
	size_t i;

	store_writer_stats(w, &st);
	buf_append_str(out, "# HELP triaged_store_commit_seconds Time of "
	    "each store transaction, BEGIN to COMMIT returned.\n"
	    "# TYPE triaged_store_commit_seconds histogram\n");
	for (i = 0; i < STORE_WRITER_BUCKETS - 1; i++) {
		cum += st.counts[i];
		buf_printf(out, "triaged_store_commit_seconds_bucket"
		    "{le=\"%g\"} %llu\n", store_writer_bucket_le[i], cum);
	}
	cum += st.counts[STORE_WRITER_BUCKETS - 1];
	buf_printf(out, "triaged_store_commit_seconds_bucket{le=\"+Inf\"} "
	    "%llu\ntriaged_store_commit_seconds_sum %.6f\n"
	    "triaged_store_commit_seconds_count %llu\n"
	    "# HELP triaged_store_batches_failed_total Store transactions "
	    "that did not commit.\n"
	    "# TYPE triaged_store_batches_failed_total counter\n"
	    "triaged_store_batches_failed_total %llu\n", cum, st.seconds,
	    st.batches, st.failed);
}

/* A label value in double quotes, escaped as the text format says. */
static void
http_metrics_label(struct buf *out, const char *v)
{
	buf_append_char(out, '"');
	for (; v != NULL && *v != '\0'; v++) {
		if (*v == '\\' || *v == '"')
			buf_append_char(out, '\\');
		if (*v == '\n')
			buf_append_str(out, "\\n");
		else
			buf_append_char(out, *v);
	}
	buf_append_char(out, '"');
}
