#!/bin/sh
#
# http_dash.sh (issue 18): the dashboard's login and what is hostile to
# it, driven with python3's urllib (tests/integration/dash_lib.sh):
#   - triagectl passwd: a yescrypt hash in the store, short passwords and
#     unknown agents refused;
#   - without a session every path (pages, attachments, nonsense,
#     traversal) is a 303 to /login;
#   - a login's cookie is HttpOnly, SameSite=Strict, Path=/; the login
#     form's CSRF token is checked (none, or another browser's: 403 and
#     no session); an id planted before the login is not the one given
#     (fixation); logout needs its token and ends the session; an expired
#     session is refused;
#   - an agent sees his categories only (another's request: 404);
#   - XSS in the subject, the sender's name and an attachment's name
#     shows as text; the attachment downloads as octet-stream with a
#     safe Content-Disposition; traversal in attachment URLs is 404;
#   - brute force: five failures lock the account and the address (429,
#     logged at warning), while LMTP keeps taking mail.

. "${top_srcdir:-$(dirname "$0")/../..}/tests/integration/lib.sh"
. "$top_srcdir/tests/integration/dash_lib.sh"

dash_config
start_triaged
dash_url

# --- triagectl passwd ---------------------------------------------------
printf 'short\n' | "$TRIAGECTL" -c "$CONF" passwd anna 2>err.txt &&
    fail "a short password was taken"
assert_contains "short password" "$(cat err.txt)" "8 to"
printf 'long-enough-pw\n' | "$TRIAGECTL" -c "$CONF" passwd nobody \
    2>err.txt && fail "an unknown agent got a password"
assert_contains "unknown agent" "$(cat err.txt)" "no agent 'nobody'"
dash_passwords
assert_contains "yescrypt hash" \
    "$(db_sql "SELECT hash FROM agent_passwords WHERE agent = 'anna'")" '$y$'

# --- mail with hostile fields --------------------------------------------
make_msg x1.eml --from '"<img src=x onerror=alert(1)>" <eve@customer.example.org>' \
    --subject 'invoice <script>alert("subject")</script>' \
    --message-id '<x1@customer.example.org>'
cat >x2.eml <<'EOF'
From: Mallory <mallory@customer.example.org>
To: support@example.test
Subject: printer & <b>bold</b>
Message-ID: <x2@customer.example.org>
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="b1"

--b1
Content-Type: text/plain; charset=utf-8

See the file.
--b1
Content-Type: text/html; name="x.html"
Content-Disposition: attachment; filename="../../<svg onload=alert(2)>.html"

<script>alert(3)</script>
--b1--
EOF
lmtp_send x1.eml x2.eml >sent.txt
assert_contains "stored" "$(cat sent.txt)" "ticket #2"

# --- no session: everything goes to /login -------------------------------
for p in / /queue /agents /reports /request/1 /request/2 \
    '/customer?addr=eve@customer.example.org' /attachment/2/1 \
    /nonexistent /static/../../etc/passwd '/request/..%2f..%2fetc%2fpasswd' \
    /favicon.ico; do
	assert_eq "no session: $p" "303 /login" "$(dash anon get "$p" | head -n 1)"
done
assert_eq "no session: POST /queue" "303 /login" \
    "$(dash anon post /queue a=b | head -n 1)"

# --- CSRF on the login form ----------------------------------------------
assert_eq "login without a token" "403 " "$(dash anon post /login \
    agent=anna password=anna-secret-pw | head -n 1)"
dash other get /login >/dev/null	# another browser's token ...
token=$(dash other get /login | sed -n 's/.*name="csrf" value="\([0-9a-f]*\)".*/\1/p')
[ -n "$token" ] || fail "no CSRF token in the login form"
assert_eq "login with another browser's token" "403 " "$(dash anon post \
    /login csrf="$token" agent=anna password=anna-secret-pw | head -n 1)"
assert_eq "no session after a CSRF refusal" "" "$(dash anon cookie triaged_session)"

# --- fixation, cookie, logout, expiry ------------------------------------
planted=0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef
dash anna set triaged_session "$planted"
assert_eq "login" "303 /queue" "$(dash anna login anna anna-secret-pw | head -n 1)"
sid=$(dash anna cookie triaged_session)
[ -n "$sid" ] && [ "$sid" != "$planted" ] ||
    fail "the session id is the planted one (or none): [$sid]"
dash fix set triaged_session "$planted"
assert_eq "the planted id has no rights" "303 /login" \
    "$(dash fix get /queue | head -n 1)"
dash anna2 login anna anna-secret-pw >/dev/null
# the Set-Cookie line as the server wrote it
"$PYTHON" - "$URL" >setcookie.txt <<'EOF'
import re, sys, urllib.request, urllib.parse, http.cookiejar
url = sys.argv[1]
jar = http.cookiejar.CookieJar()
class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *a, **k): return None
op = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), NoRedirect)
body = op.open(url + "/login").read().decode()
tok = re.search(r'name="csrf" value="([0-9a-f]+)"', body).group(1)
try:
    op.open(url + "/login", urllib.parse.urlencode({"csrf": tok,
        "agent": "bob", "password": "bob-secret-pw"}).encode())
except urllib.error.HTTPError as e:
    for v in e.headers.get_all("Set-Cookie"):
        print(v)
EOF
line=$(grep '^triaged_session=' setcookie.txt)
for attr in "Path=/;" HttpOnly SameSite=Strict "Max-Age=28800"; do
	assert_contains "session cookie" "$line" "$attr"
done
assert_not_contains "no Secure without TLS" "$line" Secure

assert_eq "logout without its token" "403 " \
    "$(dash anna2 post /logout csrf=00 | head -n 1)"
logout=$(dash anna2 get /queue | sed -n 's/.*action="\/logout"><input type="hidden" name="csrf" value="\([0-9a-f]*\)".*/\1/p')
[ -n "$logout" ] || fail "no logout token on the page"
old=$(dash anna2 cookie triaged_session)
assert_eq "logout" "303 /login" "$(dash anna2 post /logout csrf="$logout" | head -n 1)"
dash anna3 set triaged_session "$old"
assert_eq "the session is gone after logout" "303 /login" \
    "$(dash anna3 get /queue | head -n 1)"
dash exp login boss boss-secret-pw >/dev/null
assert_eq "manager's session" "200 " "$(dash exp get /queue | head -n 1)"
db_sql "UPDATE web_sessions SET expires_at = 1 WHERE agent = 'boss'"
assert_eq "an expired session" "303 /login" "$(dash exp get /queue | head -n 1)"

# --- who sees what --------------------------------------------------------
dash anna get /request/1 >r1.html
assert_eq "anna's own request" "200 " "$(head -n 1 r1.html)"
assert_eq "bob's request is not anna's" "404 " \
    "$(dash anna get /request/2 | head -n 1)"
assert_eq "nor its attachment" "404 " \
    "$(dash anna get /attachment/2/1 | head -n 1)"
dash boss login boss boss-secret-pw >/dev/null
assert_eq "anna's queue" 1 "$(dash anna get /queue | sed -n 's/.*id="open">\([0-9]*\)<.*/\1/p')"
assert_eq "the manager's queue" 2 "$(dash boss get /queue | sed -n 's/.*id="open">\([0-9]*\)<.*/\1/p')"
assert_eq "reports are a manager's" "403 " "$(dash anna get /reports | head -n 1)"

# --- XSS shows as text ------------------------------------------------------
dash boss get /request/2 >r2.html
cat r1.html r2.html "$(true)" 2>/dev/null >pages.html || true
dash boss get /queue >>pages.html
dash boss get '/customer?addr=eve@customer.example.org' >>pages.html
for page in pages.html; do
	assert_not_contains "no script" "$(cat $page)" "<script"
	assert_not_contains "no img" "$(cat $page)" "<img"
	assert_not_contains "no svg onload" "$(cat $page)" "<svg onload"
	assert_not_contains "no bold" "$(cat $page)" "<b>bold"
done
assert_contains "the subject as text" "$(cat r1.html)" \
    '&lt;script&gt;alert(&quot;subject&quot;)&lt;/script&gt;'
assert_contains "the name as text" "$(cat r1.html)" \
    '&lt;img src=x onerror=alert(1)&gt;'
assert_contains "the attachment's name as text" "$(cat r2.html)" \
    '&lt;svg onload=alert(2)&gt;.html'
att=$(sed -n 's/.*href="\(\/attachment\/2\/[0-9]*\)".*/\1/p' r2.html | head -n 1)
[ -n "$att" ] || fail "no attachment link on request 2"
dash boss headers "$att" >att.txt
assert_contains "download" "$(cat att.txt)" "200"
assert_contains "octet-stream" "$(cat att.txt)" \
    "Content-Type: application/octet-stream"
assert_contains "disposition" "$(cat att.txt)" \
    "Content-Disposition: attachment; filename=\"_svg onload_alert(2)_.html\"; filename*=UTF-8''%3Csvg%20onload%3Dalert%282%29%3E.html"
assert_contains "CSP" "$(cat att.txt)" "default-src 'none'"
assert_eq "the bytes" '<script>alert(3)</script>' \
    "$(dash boss get "$att" | sed -n 2p)"
for p in /attachment/2/../../etc/passwd /attachment/2 /attachment/2/1/x \
    /attachment/02/1 /attachment/-2/1 '/attachment/2/%2e%2e' /attachment/2/999 \
    /request/2/../1 /request/01 /static/x; do
	assert_eq "traversal $p" "404 " "$(dash boss get "$p" | head -n 1)"
done

# --- brute force ----------------------------------------------------------
for i in 1 2 3 4 5; do
	assert_eq "wrong password $i" "403 " \
	    "$(dash brute login bob wrong-$i | head -n 1)"
done
assert_eq "locked: even the right password" "429 " \
    "$(dash brute login bob bob-secret-pw | head -n 1)"
assert_eq "the address is locked too" "429 " \
    "$(dash brute2 login anna anna-secret-pw | head -n 1)"
assert_contains "logged at warning" "$(cat "$TRIAGED_LOG")" \
    "5 failed logins of bob: locked"
make_msg after.eml --from 'Ann <ann@customer.example.org>' \
    --subject 'still taking mail' --message-id '<after@customer.example.org>'
assert_contains "mail meanwhile" "$(lmtp_send after.eml)" "250"
assert_eq "sessions still serve" "200 " "$(dash boss get /queue | head -n 1)"
stop_triaged
