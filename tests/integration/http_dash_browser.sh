#!/bin/sh
#
# http_dash_browser.sh (issue 18): a real headless Chromium (Debian's
# chromium, started once, driven over its DevTools protocol by
# tests/peers/cdp.py) on a store of a few hundred requests:
#   - without a session every page ends on /login;
#   - it logs in through the form (the CSRF token the browser was given);
#   - it opens every page, saves a screenshot of each in the work
#     directory, and what the pages show is checked against triagectl
#     --json: the queue's counts, a request's messages (an internal note
#     marked), a customer's requests, the report's figures;
#   - a hostile request's subject, sender name and attachment name show
#     as text, and no script element is in the DOM;
#   - logout through its button ends the session;
#   - an agent (anna: Billing) sees only her categories.

. "${top_srcdir:-$(dirname "$0")/../..}/tests/integration/lib.sh"
. "$top_srcdir/tests/integration/dash_lib.sh"

CHROMIUM=${CHROMIUM:-/usr/bin/chromium}
[ -x "$CHROMIUM" ] || {
	echo "SKIP: $CHROMIUM (Debian chromium) not installed"
	exit 77
}
CDP="$PYTHON $top_srcdir/tests/peers/cdp.py $WORK/chrome"

dash_config
# every request gets a first-response deadline two hours on
cat >>"$CONF" <<'EOF'
calendars = ( { name = "always"; timezone = "UTC";
  hours = { sun = [ "0:00-24:00" ]; mon = [ "0:00-24:00" ];
    tue = [ "0:00-24:00" ]; wed = [ "0:00-24:00" ]; thu = [ "0:00-24:00" ];
    fri = [ "0:00-24:00" ]; sat = [ "0:00-24:00" ]; }; } );
sla_policies = ( { name = "std"; calendar = "always"; first_response = 120; } );
sla = { default_policy = "std"; };
EOF
start_triaged
dash_passwords
dash_url

# --- a few hundred requests ------------------------------------------------
N=300
"$PYTHON" - "$N" <<'EOF'
import sys
n = int(sys.argv[1])
topics = ["invoice", "printer", "question"]
for i in range(1, n + 1):
    t = topics[i % 3]
    with open("r%03d.eml" % i, "w") as f:
        f.write("From: Customer %d <c%d@customer%d.example.org>\n"
                "To: support@example.test\nSubject: %s number %d\n"
                "Message-ID: <r%d@customer.example.org>\n\n"
                "Hello,\nthis is about %s %d.\n" % (i, i, i % 7, t, i, i, t, i))
EOF
cat >hostile.eml <<'EOF'
From: "<img src=x onerror=alert(1)>" <evil@customer.example.org>
To: support@example.test
Subject: invoice <script>alert("xss")</script>
Message-ID: <hostile@customer.example.org>
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="b1"

--b1
Content-Type: text/plain; charset=utf-8

</pre><script>alert(2)</script>
--b1
Content-Type: text/plain; name="a.txt"
Content-Disposition: attachment; filename="<script>alert(3)</script>.txt"

hello
--b1--
EOF
lmtp_send r*.eml hostile.eml >sent.txt
assert_eq "all stored" $((N + 1)) "$(grep -c ' 250 ' sent.txt)"
hostile=$(ticket_of "$(tail -n 1 sent.txt)")
# some variety: states, an assignment, a note
"$TRIAGECTL" -c "$CONF" status 1 pending >/dev/null
"$TRIAGECTL" -c "$CONF" status 2 resolved >/dev/null
"$TRIAGECTL" -c "$CONF" assign 3 boss >/dev/null
printf 'Internal: call them back\n' |
    "$TRIAGECTL" -c "$CONF" note 3 --agent boss >/dev/null

# ten requests past their deadline (as if the daemon had been down)
db_sql "UPDATE tickets SET first_response_due = first_response_due - 86400
    WHERE id BETWEEN 20 AND 29"

# --- the browser, once ------------------------------------------------------
mkdir -p "$WORK/chrome"
"$CHROMIUM" --headless=new --no-sandbox --disable-gpu --no-first-run \
    --no-default-browser-check --disable-extensions --mute-audio \
    --remote-debugging-port=0 --user-data-dir="$WORK/chrome" \
    about:blank >"$WORK/chromium.log" 2>&1 &
CHROME_PID=$!
LIB_PIDS="$LIB_PIDS $CHROME_PID"
n=300
while [ ! -s "$WORK/chrome/DevToolsActivePort" ]; do
	kill -0 "$CHROME_PID" 2>/dev/null || fail "chromium exited"
	n=$((n - 1))
	[ "$n" -gt 0 ] || fail "chromium did not start"
	sleep 0.1
done

mkdir -p shots
# page NAME PATH: opens PATH, saves shots/NAME.{png,html,txt}; prints
# the address the browser ended on.
page() {
	$CDP page "$URL$2" "shots/$1"
}

# --- without a session --------------------------------------------------------
for p in /queue /agents /reports /request/1 "/request/$hostile" \
    '/customer?addr=c1@customer1.example.org' /attachment/1/1 /x; do
	assert_eq "no session: $p" "$URL/login" "$(page anon "$p")"
done
assert_contains "the login form" "$(cat shots/anon.txt)" "Log in"

# --- log in as the manager -----------------------------------------------------
assert_eq "login" "$URL/queue" "$($CDP login "$URL" boss boss-secret-pw)"
$CDP cookies "$URL" >cookies.json
assert_eq "HttpOnly, SameSite=Strict" "True Strict" "$(json_get \
    '" ".join(str(x) for c in d if c["name"] == "triaged_session"
      for x in (c["httpOnly"], c["sameSite"]))' <cookies.json)"

# the queue against triagectl list
page queue /queue >/dev/null
ctl list --limit 100000 >list.json
open=$(json_get 'len([r for r in d["requests"]
    if r["status"] in ("new", "open", "pending")])' <list.json)
unassigned=$(json_get 'len([r for r in d["requests"]
    if r["status"] in ("new", "open", "pending") and r["assignee"] is None])' \
    <list.json)
pending=$(json_get 'len([r for r in d["requests"] if r["status"] == "pending"])' \
    <list.json)
html_id() {	# FILE ID: the text of the element with that id
	sed -n "s/.*id=\"$2\"[^>]*>\([^<]*\)<.*/\1/p" "$1" | head -n 1
}
assert_eq "queue: open" "$open" "$(html_id shots/queue.html open)"
assert_eq "queue: unassigned" "$unassigned" "$(html_id shots/queue.html unassigned)"
assert_contains "queue: pending row" "$(cat shots/queue.txt)" "pending	$pending"
assert_contains "queue: the chart" "$(cat shots/queue.html)" "<svg"
overdue=$(ctl list --overdue --limit 100000 | json_get 'len(d["requests"])')
assert_eq "queue: breached = triagectl list --overdue" "$overdue" \
    "$(html_id shots/queue.html breached)"
first=$(ctl list --overdue --sort deadline --limit 1 |
    json_get 'd["requests"][0]["id"]')
assert_eq "queue: the earliest deadline first" "$first" "$(grep -o \
    '<tr><td><a href="/request/[0-9]*"' shots/queue.html | head -n 1 |
    sed 's/[^0-9]//g')"

# the agents' load against triagectl load
page agents /agents >/dev/null
assert_contains "agents: the table" "$(cat shots/agents.txt)" "anna"

# a request against triagectl show, the note marked
page request /request/3 >/dev/null
ctl show 3 >show.json
assert_eq "request: messages" \
    "$(json_get 'len(d["messages"])' <show.json)" \
    "$(grep -o 'class="msg[ "]' shots/request.html | wc -l | tr -d ' ')"
json_get '"\n".join(m["subject"] for m in d["messages"])' <show.json |
while IFS= read -r subject; do
	assert_contains "request: a message's subject" "$(cat shots/request.txt)" \
	    "$subject"
done
assert_contains "request: the note marked" "$(cat shots/request.txt)" \
    "(internal note)"
assert_contains "request: the note's text" "$(cat shots/request.txt)" \
    "Internal: call them back"
assert_contains "request: events" "$(cat shots/request.txt)" "assigned"

# the customer card
page customer '/customer?addr=c7@customer0.example.org' >/dev/null
assert_contains "customer: name" "$(cat shots/customer.txt)" "Customer 7"
assert_contains "customer: the request" "$(cat shots/customer.txt)" \
    "printer number 7"

# the report against triagectl report (this month, by agent)
page reports /reports >/dev/null
ctl report --by agent >report.json
assert_eq "report: opened" "$(json_get 'd["total"]["opened"]' <report.json)" \
    "$(sed -n 's/.*<tr id="total"><td>total<\/td><td class="num">\([0-9]*\)<.*/\1/p' \
    shots/reports.html)"
assert_contains "report: by hour" "$(cat shots/reports.html)" "Opened by hour"

# --- XSS as text ----------------------------------------------------------------
page hostile "/request/$hostile" >/dev/null
assert_contains "subject as text" "$(cat shots/hostile.txt)" \
    '<script>alert("xss")</script>'
assert_contains "name as text" "$(cat shots/hostile.txt)" \
    '<img src=x onerror=alert(1)>'
assert_contains "attachment name as text" "$(cat shots/hostile.txt)" \
    '<script>alert(3)</script>.txt'
assert_not_contains "no script element" "$(cat shots/hostile.html)" "<script"
assert_not_contains "no img element" "$(cat shots/hostile.html)" "<img"

# --- an agent sees her categories -------------------------------------------------
assert_eq "logout" "$URL/login" "$($CDP logout "$URL")"
assert_eq "no session after logout" "$URL/login" "$(page gone /queue)"
assert_eq "login as anna" "$URL/queue" "$($CDP login "$URL" anna anna-secret-pw)"
page queue-anna /queue >/dev/null
billing=$(json_get 'len([r for r in d["requests"]
    if r["status"] in ("new", "open", "pending") and
    (r["category"] == "Billing" or r["assignee"] == "anna")])' <list.json)
assert_eq "anna's queue" "$billing" "$(html_id shots/queue-anna.html open)"
assert_eq "a Support request is not anna's" "$URL/request/2" \
    "$(page notyours /request/2)"
assert_contains "404 text" "$(cat shots/notyours.txt)" "no such request"
assert_eq "reports are a manager's" "$URL/reports" "$(page noreports /reports)"
assert_contains "403 text" "$(cat shots/noreports.txt)" "for managers"

ls shots/*.png >/dev/null || fail "no screenshots"
# DASH_SHOTS=DIR keeps the screenshots (README's come from here)
if [ -n "${DASH_SHOTS:-}" ]; then
	mkdir -p "$DASH_SHOTS"
	cp shots/*.png "$DASH_SHOTS"/
fi
stop_pid "$CHROME_PID" >/dev/null || true
stop_triaged
