#!/bin/sh
#
# http_metrics.sh (issue 18): the HTTP listener's /healthz and /metrics.
# /healthz answers 200 "ok" (HEAD too); after a mixed load (LMTP, SMTP,
# triaged inject, a duplicate, a follow-up by token, an automatic mail)
# `promtool check metrics` (Debian's prometheus) passes on /metrics and
# its figures match triagectl's: requests by status, messages stored by
# intake, acknowledgements queued and skipped, the outbox, and the commit
# histogram counted the batches.  Then with a `metrics` section /metrics
# moves to its own listener (404 on the http one).

. "${top_srcdir:-$(dirname "$0")/../..}/tests/integration/lib.sh"

command -v promtool >/dev/null 2>&1 || {
	echo "SKIP: promtool (Debian prometheus) not installed"
	exit 77
}

write_config
printf '%s\n' 'http = { address = "127.0.0.1"; port = 0; timeout = 10; };' \
    >>"$CONF"
start_triaged

# http_port NAME: the port of listener NAME in the ready line.
http_port() {
	grep '[ >]ready ' "$TRIAGED_LOG" | head -n 1 |
	    sed -n "s/.* $1=[^ ]*:\([0-9][0-9]*\).*/\1/p"
}
HTTP_PORT=$(http_port http)
[ -n "$HTTP_PORT" ] || fail "no http port in the ready line"
URL=http://127.0.0.1:$HTTP_PORT

# get PATH: prints the body; sets CODE.
get() {
	CODE=$(curl -s -o "$WORK/body" -w '%{http_code}' --max-time 20 \
	    "$URL$1") || CODE=000
	cat "$WORK/body"
}

assert_eq "/healthz" ok "$(get /healthz)"
get /healthz >/dev/null
assert_eq "/healthz status" 200 "$CODE"
assert_eq "HEAD /healthz" 200 "$(curl -s -o /dev/null -I -w '%{http_code}' \
    "$URL/healthz")"

# The mixed load.
for i in 1 2 3; do
	make_msg "l$i.eml" --from "Lara $i <lara$i@customer.example.org>" \
	    --subject "LMTP question $i" --message-id "<l$i@customer.example.org>"
done
make_msg auto.eml --from 'Robot <robot@customer.example.org>' \
    --subject 'Out of office' --header 'Auto-Submitted: auto-replied' \
    --message-id '<auto@customer.example.org>'
lmtp_send l1.eml l2.eml l3.eml auto.eml >/dev/null
lmtp_send l1.eml >/dev/null			# a duplicate
for i in 1 2; do
	make_msg "s$i.eml" --from "Sam $i <sam$i@customer.example.org>" \
	    --subject "SMTP question $i" --message-id "<s$i@customer.example.org>"
done
make_msg s3.eml --from 'Lara 1 <lara1@customer.example.org>' \
    --subject 'Re: [#1] LMTP question 1' --message-id '<s3@customer.example.org>'
smtp_send s1.eml s2.eml s3.eml >/dev/null
make_msg i1.eml --from 'Ian <ian@customer.example.org>' \
    --subject 'Injected' --message-id '<i1@customer.example.org>'
"$TRIAGED" inject -c "$CONF" -f ian@customer.example.org <i1.eml ||
    fail "inject failed"
assert_eq "requests after the load" 7 "$(requests_count)"
wait_for outbox_idle 30 || fail "outbox not drained"

get /metrics >metrics.txt
assert_eq "/metrics status" 200 "$CODE"
promtool check metrics <metrics.txt || fail "promtool check metrics failed"

# metric 'NAME{LABELS}': its value in metrics.txt ("" if absent).
metric() {
	awk -v k="$1" '$1 == k { print $2 }' metrics.txt
}

# the store's figures, against triagectl
for status in new open pending resolved closed; do
	n=$(ctl list --limit 100000 --status "$status" |
	    json_get 'len(d["requests"])')
	m=$(metric "triaged_requests{status=\"$status\"}")
	assert_eq "requests with status $status" "$n" "${m:-0}"
done
assert_eq "messages stored over lmtp" 4 \
    "$(metric 'triaged_messages_stored_total{intake="lmtp"}')"
assert_eq "messages stored over smtp" 3 \
    "$(metric 'triaged_messages_stored_total{intake="smtp"}')"
assert_eq "messages stored by inject" 1 \
    "$(metric 'triaged_messages_stored_total{intake="inject"}')"
assert_eq "outbox queued" 0 "$(metric triaged_outbox_queued)"
assert_eq "outbox failed" "$(ctl outbox | json_get \
    'len([o for o in d["outbox"] if o["status"] == "failed"])')" \
    "$(metric triaged_outbox_failed)"

# the daemon's own counters (inject is another process: not in them)
assert_eq "lmtp new" 4 \
    "$(metric 'triaged_intake_messages_total{intake="lmtp",result="new"}')"
assert_eq "lmtp duplicate" 1 "$(metric \
    'triaged_intake_messages_total{intake="lmtp",result="duplicate"}')"
assert_eq "smtp new" 2 \
    "$(metric 'triaged_intake_messages_total{intake="smtp",result="new"}')"
assert_eq "smtp joined" 1 "$(metric \
    'triaged_intake_messages_total{intake="smtp",result="joined"}')"
acks=$(ctl outbox | json_get \
    'len([o for o in d["outbox"] if o["kind"] == "ack"])')
assert_eq "acknowledgements sent (triagectl's ack rows but inject's)" \
    "$((acks - 1))" "$(metric triaged_acks_sent_total)"
assert_eq "acknowledgements skipped: automatic" 1 \
    "$(metric 'triaged_acks_skipped_total{reason="automatic"}')"
batches=$(metric triaged_store_commit_seconds_count)
[ "${batches:-0}" -gt 0 ] || fail "no commit counted in the histogram"
assert_eq "the histogram's +Inf bucket is its count" "$batches" \
    "$(metric 'triaged_store_commit_seconds_bucket{le="+Inf"}')"
[ "$(metric 'triaged_http_requests_total{code="200"}')" -ge 2 ] ||
    fail "the 200 answers were not counted"
stop_triaged

# /metrics on a listener of its own
printf '%s\n' 'metrics = { address = "127.0.0.1"; port = 0; };' >>"$CONF"
start_triaged
HTTP_PORT=$(http_port http)
METRICS_PORT=$(http_port metrics)
[ -n "$METRICS_PORT" ] || fail "no metrics port in the ready line"
URL=http://127.0.0.1:$HTTP_PORT
get /metrics >/dev/null
# not served there: the dashboard takes the path, behind its login
assert_eq "/metrics on the http listener" 303 "$CODE"
assert_not_contains "no figures on the http listener" "$(get /metrics)" \
    triaged_
URL=http://127.0.0.1:$METRICS_PORT
get /metrics >metrics.txt
assert_eq "/metrics on the metrics listener" 200 "$CODE"
promtool check metrics <metrics.txt || fail "promtool (metrics listener)"
assert_eq "/healthz on the metrics listener" ok "$(get /healthz)"
stop_triaged
