#!/bin/sh
#
# reports.sh (issue 7): reports, the digest mail and ratings end to end.
#  - The first start sends no digest (issue 16: yesterday was before the
#    install, today is not full); with the schedule's start moved two
#    days back (an install of the day before yesterday), a daily digest
#    scheduled at 00:00 fires as soon as the daemon runs (its latest
#    period, yesterday, was never sent): it reaches the sink
#    once, to the configured manager, as multipart/alternative with a
#    text/plain part holding the key figures and an HTML part that Debian
#    python's html.parser reads with balanced tables.  A restart sends
#    nothing more (digest_runs).
#  - A history is written into the store (requests, agent replies,
#    breach marks, ratings); `triagectl report --by agent` as a text
#    table, CSV and JSON give the same figures, and the JSON has the
#    hand-computed values; `triagectl load` agrees with the open requests.
#  - With the survey on, a resolved request gets the survey mail; a reply
#    to it with "5" on the first line rates the request (the message is
#    stored, rating and an event "rated" recorded), and mail to a signed
#    rating link (via inject) rates another one.

. "${top_srcdir:-$(dirname "$0")/../..}/tests/integration/lib.sh"

LEAD=lead@example.test
DB=$STATE/triaged.db

reports_settings() {
	cat >>"$CONF" <<EOF
reports = {
  survey = true;
  rating_key = "0123456789abcdef0123456789abcdef";
  digests = (
    { name = "daily"; every = "daily"; at = "00:00"; to = [ "$LEAD" ]; }
  );
};
EOF
}

# sql STATEMENT...: runs SQL on the store (either engine: db_sql).
sql() {
	db_sql "$@"
}

# mails_to ADDR: sink files whose envelope recipient is ADDR.
mails_to() {
	grep -l "^X-Sink-Rcpt-To:.*<$1>" "$SINK_DIR"/new/* 2>/dev/null || true
}

start_sink
write_config sink
reports_settings
start_triaged
wait_for '[ -n "$(sql "SELECT period_end FROM digest_runs")" ]' 30 ||
    fail "the first start recorded no digest schedule"
stop_triaged
check_eq "no digest at the first start" 0 \
    "$(mails_to $LEAD | wc -l | tr -d ' ')"
sql "UPDATE digest_runs SET period_end = period_end - 2 * 86400"
start_triaged

# --- the digest -----------------------------------------------------------
wait_for '[ -n "$(mails_to $LEAD)" ]' 30 || fail "no digest reached the sink"
digest=$(mails_to $LEAD)
check_eq "one digest" 1 "$(printf '%s\n' "$digest" | wc -l | tr -d ' ')"
"$PYTHON" - "$digest" <<'EOF' || fail "digest mail is not right"
import email, email.policy, sys
from html.parser import HTMLParser
msg = email.message_from_bytes(open(sys.argv[1], "rb").read(),
                               policy=email.policy.default)
assert msg.get_content_type() == "multipart/alternative", msg.get_content_type()
assert "Support digest daily" in msg["Subject"], msg["Subject"]
assert msg["Auto-Submitted"] == "auto-generated"
parts = {p.get_content_type(): p.get_content() for p in msg.iter_parts()}
text, html = parts["text/plain"], parts["text/html"]
for needle in ("Key figures", "Requests opened", "SLA breaches",
               "Slowest open requests", "Requests opened per hour"):
    assert needle in text, needle
    assert needle in html, needle

class Check(HTMLParser):
    void = {"meta", "br", "img", "hr"}
    def __init__(self):
        super().__init__()
        self.stack, self.cells = [], 0
    def handle_starttag(self, tag, attrs):
        if tag not in self.void:
            self.stack.append(tag)
        if tag == "td":
            self.cells += 1
    def handle_endtag(self, tag):
        assert self.stack and self.stack[-1] == tag, (tag, self.stack[-3:])
        self.stack.pop()
c = Check()
c.feed(html)
c.close()
assert c.stack == [], c.stack
assert c.cells > 24 * 3, c.cells      # the bar chart is made of cells
print("ok: digest multipart, text part, HTML parses (%d cells)" % c.cells)
EOF

# --- a history with known answers ---------------------------------------
NOW=$(date +%s)
T0=$((NOW - 86400))	# all requests a day old: inside "this month"
# (even on the 1st, --from/--to below name the days explicitly)
DAY_FROM=$(date -u -d "@$((T0 - 86400))" +%Y-%m-%d)
DAY_TO=$(date -u -d "@$NOW" +%Y-%m-%d)
sql "INSERT INTO tickets (id, subject, status, assignee, created_at,
      updated_at, first_response_at, resolved_at, reopen_count,
      first_response_due, rating)
    VALUES (101, 'a', 'resolved', 'alice', $T0, $T0, $((T0 + 600)),
      $((T0 + 3600)), 0, $((T0 + 1200)), 4),
     (102, 'b', 'closed', 'alice', $T0, $T0, $((T0 + 1800)),
      $((T0 + 7200)), 1, $((T0 + 1200)), 2),
     (103, 'c', 'open', 'bob', $T0, $T0, $((T0 + 300)), NULL, 0,
      NULL, NULL),
     (104, 'd', 'new', 'bob', $T0, $T0, NULL, NULL, 0,
      $((NOW - 60)), NULL),
     (105, 'e', 'resolved', 'carol', $((T0 - 50000)), $T0, NULL,
      $((NOW - 60)), 0, NULL, NULL)" \
    "INSERT INTO sla_marks VALUES (102, 'first_response', $((T0 + 1200)),
      'breach', $((T0 + 1200)))" \
    "INSERT INTO messages (ticket_id, direction, created_at) VALUES
      (101, 'in', $T0), (101, 'out', $T0), (102, 'in', $T0),
      (102, 'in', $T0), (102, 'out', $T0), (103, 'in', $T0),
      (103, 'out', $T0), (104, 'in', $T0)"

RANGE="--from $DAY_FROM --to $DAY_TO"
"$TRIAGECTL" -c "$CONF" report $RANGE --by agent >report.txt
"$TRIAGECTL" -c "$CONF" report $RANGE --by agent --csv >report.csv
"$TRIAGECTL" -c "$CONF" report $RANGE --by agent --json >report.json
cat report.txt
"$PYTHON" - <<'EOF' || fail "report outputs disagree"
import csv, json
rows = list(csv.DictReader(open("report.csv", newline="")))
j = json.load(open("report.json"))
jrows = {g["group"]: g for g in j["groups"]}
jrows["total"] = j["total"]
# The text comes in parts (a title, a header row starting "agent", the
# rows); together they hold every column, once.
body, head, cols = {}, ["agent"], None
for l in open("report.txt").read().splitlines()[1:]:
    f = l.split()
    if not f:
        cols = None
    elif f[0] == "agent":
        cols = f
        head += f[1:]
    elif cols is not None:
        body.setdefault(f[0], {}).update(zip(cols[1:], f[1:]))

def dur(s, col):
    s = int(s)
    # business hours never gather into days (issue 16): 37h52m
    business = col.startswith(("frt_", "res_")) and "_wall" not in col
    if s >= 86400 and not business: return "%dd%02dh" % (s // 86400, s % 86400 // 3600)
    if s >= 3600: return "%dh%02dm" % (s // 3600, s % 3600 // 60)
    if s >= 60: return "%dm%02ds" % (s // 60, s % 60)
    return "%ds" % s

assert sorted(rows[0].keys()) == sorted(head), (head, rows[0].keys())
assert len(head) == len(set(head)), head
for r in rows:
    g = r["agent"]
    t = body[g]
    for col in head[1:]:
        v, jv = r[col], jrows[g][col]
        if v == "":
            assert jv is None and t[col] == "-", (g, col, jv, t[col])
            continue
        if col == "rating_avg":
            assert abs(float(v) - jv) < 0.001 and t[col] == v, (g, col)
        elif col.startswith("backlog_age"):
            # ages run with the real clock between the three commands
            assert abs(int(v) - jv) <= 5, (g, col, v, jv)
        else:
            assert int(v) == jv, (g, col, v, jv)
            is_dur = col.endswith(("_avg", "_median", "_p90", "_max"))
            assert t[col] == (dur(v, col) if is_dur else v), (g, col, t[col], v)
a, b, tot = jrows["alice"], jrows["bob"], jrows["total"]
# alice: 101 (600 s, resolved 3600 s, met), 102 (1800 s breached, 7200 s)
assert (a["opened"], a["resolved"], a["reopened"]) == (2, 2, 1), a
assert (a["frt_wall_avg"], a["frt_wall_max"]) == (1200, 1800), a
assert (a["res_wall_avg"], a["res_wall_median"]) == (5400, 5400), a
assert (a["sla_frt_met"], a["sla_frt_breached"], a["sla_frt_pct"]) == (1, 1, 50), a
assert (a["customer_msgs"], a["agent_replies"]) == (3, 2), a
assert (a["rated"], a["rating_avg"]) == (2, 3.0), a
# bob: 103 answered in 300 s, open; 104 unanswered, due passed: breached
assert (b["opened"], b["resolved"], b["backlog"]) == (2, 0, 2), b
assert (b["sla_frt_met"], b["sla_frt_breached"]) == (1, 1), b
assert b["rating_avg"] is None and b["res_wall_avg"] is None, b
assert tot["frt_wall_median"] == 600 and tot["frt_wall_p90"] == 1800, tot
# carol: 105 resolved after 1d13h52m20s, in 24/7 business time 37h52m
c = jrows["carol"]
assert c["res_max"] == c["res_wall_max"] == 136340, c
assert (body["carol"]["res_max"], body["carol"]["res_wall_max"]) == \
    ("37h52m", "1d13h"), body["carol"]
head = open("report.txt").readline()
assert head.startswith("Requests opened ") and " UTC, by agent" in head, head
print("ok: report text, CSV and JSON agree; figures as computed")
EOF

load=$(ctl load $RANGE)
check_eq "load: bob open" 2 "$(printf '%s' "$load" | json_get \
    '[a["open"] for a in d["agents"] if a["agent"] == "bob"][0]')"
check_eq "load: bob overdue" 1 "$(printf '%s' "$load" | json_get \
    '[a["overdue"] for a in d["agents"] if a["agent"] == "bob"][0]')"
"$TRIAGECTL" -c "$CONF" load $RANGE --csv >load.csv
"$PYTHON" -c 'import csv; rows = list(csv.reader(open("load.csv")));
assert rows[0] == ["agent", "open", "overdue", "due_1h"], rows[0]' ||
    fail "load CSV"

# --- the survey and ratings ----------------------------------------------
make_msg r1.eml --from "Rita <rita@customer.example.org>" \
    --subject "Broken invoice" --message-id "<rate1@customer.example.org>"
make_msg r2.eml --from "Raul <raul@customer.example.org>" \
    --subject "Another one" --message-id "<rate2@customer.example.org>"
t1=$(ticket_of "$(lmtp_send r1.eml)")
t2=$(ticket_of "$(lmtp_send r2.eml)")
[ -n "$t1" ] && [ -n "$t2" ] || fail "no requests for the survey"
sql "UPDATE tickets SET status = 'resolved', resolved_at = $NOW
    WHERE id IN ($t1, $t2)"
stop_triaged		# the worker runs at start: no 30 s tick to wait for
start_triaged
wait_for '[ -n "$(mails_to rita@customer.example.org | xargs grep -l "How did we do" 2>/dev/null)" ]' 30 ||
    fail "no survey for rita"
wait_for '[ -n "$(mails_to raul@customer.example.org | xargs grep -l "How did we do" 2>/dev/null)" ]' 30 ||
    fail "no survey for raul"
check_eq "digest sent once across the restart" 1 \
    "$(mails_to $LEAD | wc -l | tr -d ' ')"
survey=$(mails_to rita@customer.example.org | xargs grep -l "How did we do")
sid=$("$PYTHON" -c 'import email, sys
m = email.message_from_bytes(open(sys.argv[1], "rb").read())
print(m["Message-ID"].strip())' "$survey")
make_msg answer.eml --from "Rita <rita@customer.example.org>" \
    --subject "Re: How did we do?" --in-reply-to "$sid" --references "$sid" \
    --message-id "<rate3@customer.example.org>" --body '5\n\nThanks!\n'
out=$(lmtp_send answer.eml)
printf '%s\n' "$out"
check_eq "rating by reply" "5|1" "$(sql "SELECT rating, (SELECT count(*)
    FROM events WHERE ticket_id = $t1 AND kind = 'rated') FROM tickets
    WHERE id = $t1")"
check_eq "the answer is stored" 1 "$(sql "SELECT count(*) FROM messages
    WHERE ticket_id = $t1 AND message_id = 'rate3@customer.example.org'")"

# raul clicks "3": the signed address of the link
survey2=$(mails_to raul@customer.example.org | xargs grep -l "How did we do")
link=$("$PYTHON" -c 'import email, re, sys
m = email.message_from_bytes(open(sys.argv[1], "rb").read())
body = m.get_payload(decode=True).decode()
print(re.search(r"3 \(good\): mailto:([^?\s]+)", body).group(1))' "$survey2")
printf 'rating link: %s\n' "$link"
make_msg click.eml --from "Raul <raul@customer.example.org>" \
    --subject "Rating 3" --message-id "<rate4@customer.example.org>"
"$TRIAGED" -c "$CONF" inject -f raul@customer.example.org -r "$link" \
    <click.eml 2>>"$WORK/inject.1.log" || fail "inject of the rating"
check_eq "rating by link" "3" "$(sql "SELECT rating FROM tickets
    WHERE id = $t2")"
forged=$(printf '%s' "$link" | sed 's/arate3/arate5/')
make_msg forged.eml --from "Raul <raul@customer.example.org>" \
    --subject "Rating 5" --message-id "<rate5@customer.example.org>"
"$TRIAGED" -c "$CONF" inject -f raul@customer.example.org -r "$forged" \
    <forged.eml 2>>"$WORK/inject.2.log" || true
check_eq "a forged link does not rate" "3" "$(sql "SELECT rating
    FROM tickets WHERE id = $t2")"
rep=$(ctl report $RANGE)
check_eq "report: rated (4 history + 2 surveyed)" 4 "$(printf '%s' "$rep" | json_get 'd["total"]["rated"]')"

stop_triaged
