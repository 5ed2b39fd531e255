# dash_lib.sh: what the dashboard tests share (sourced after lib.sh):
# a config with the http listener and three agents (anna serves Billing,
# bob Support, boss is a manager), their passwords, and a python3 helper
# ($DASH_PY) that logs in and fetches pages with urllib, keeping cookies.

dash_config() {
	write_config
	cat >>"$CONF" <<'EOF'
http = { address = "127.0.0.1"; port = 0; timeout = 10; };
agents = (
  { name = "anna"; addresses = [ "anna@example.test" ];
    categories = [ "Billing" ]; },
  { name = "bob"; addresses = [ "bob@example.test" ];
    categories = [ "Support" ]; },
  { name = "boss"; display_name = "The Boss";
    addresses = [ "boss@example.test" ]; manager = true; }
);
categories = ( { path = "Billing"; }, { path = "Support"; } );
rules = (
  { name = "billing"; if = { subject = { contains = "invoice"; }; };
    then = { category = "Billing"; }; },
  { name = "support"; if = { subject = { contains = "printer"; }; };
    then = { category = "Support"; assign = "bob"; }; }
);
EOF
	pg_agent_mail
}

# dash_passwords: every agent's password is NAME-secret-pw.
dash_passwords() {
	for dp_a in anna bob boss; do
		printf '%s-secret-pw\n' "$dp_a" |
		    "$TRIAGECTL" -c "$CONF" passwd "$dp_a" >/dev/null ||
		    fail "triagectl passwd $dp_a failed"
	done
}

# dash_url: sets URL from the http port of the ready line.
dash_url() {
	du_port=$(grep '[ >]ready ' "$TRIAGED_LOG" | head -n 1 |
	    sed -n 's/.* http=[^ ]*:\([0-9][0-9]*\).*/\1/p')
	[ -n "$du_port" ] || fail "no http port in the ready line"
	URL=http://127.0.0.1:$du_port
}

DASH_PY=$WORK/dash.py
cat >"$DASH_PY" <<'EOF'
# dash.py URL JAR COMMAND...: a browser's part with urllib, cookies in
# the Mozilla file JAR.  Commands:
#   get PATH             prints "CODE LOCATION" then the body
#   login AGENT PASSWORD GET /login, POST the form with its CSRF token;
#                        prints "CODE LOCATION" then the body
#   post PATH K=V...     a form post; prints "CODE LOCATION" and the body
#   cookie NAME          prints the cookie's value ("" if none)
#   set NAME VALUE       sets a cookie for the host
import http.cookiejar, re, sys, urllib.error, urllib.parse, urllib.request

url, jar_path, cmd, args = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4:]
jar = http.cookiejar.MozillaCookieJar(jar_path)
try:
    jar.load(ignore_discard=True, ignore_expires=True)
except FileNotFoundError:
    pass

class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *a, **k):
        return None

opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar),
                                     NoRedirect)

def fetch(path, data=None):
    req = urllib.request.Request(url + path, data=data)
    try:
        r = opener.open(req, timeout=30)
    except urllib.error.HTTPError as e:
        r = e
    body = r.read().decode("utf-8", "replace")
    return r.status if hasattr(r, "status") else r.code, \
        r.headers.get("Location", ""), body, r.headers

out = []

def show(code, loc, body):
    out.append("%s %s\n%s\n" % (code, loc, body))

if cmd == "get":
    c, l, b, h = fetch(args[0])
    show(c, l, b)
elif cmd == "headers":
    c, l, b, h = fetch(args[0])
    out.append("%s\n" % c)
    for k, v in h.items():
        out.append("%s: %s\n" % (k, v))
elif cmd == "login":
    c, l, b, h = fetch("/login")
    m = re.search(r'name="csrf" value="([0-9a-f]+)"', b)
    token = m.group(1) if m else ""
    form = {"csrf": token, "agent": args[0], "password": args[1]}
    c, l, b, h = fetch("/login", urllib.parse.urlencode(form).encode())
    show(c, l, b)
elif cmd == "post":
    form = dict(a.split("=", 1) for a in args[1:])
    c, l, b, h = fetch(args[0], urllib.parse.urlencode(form).encode())
    show(c, l, b)
elif cmd == "cookie":
    out.append(next((c.value for c in jar if c.name == args[0]), "") + "\n")
elif cmd == "set":
    host = urllib.parse.urlparse(url).hostname
    jar.set_cookie(http.cookiejar.Cookie(0, args[0], args[1], None, False,
        host, False, False, "/", True, False, None, False, None, None, {}))
# the jar first: a reader that stops early (head -n 1) must not lose it
jar.save(ignore_discard=True, ignore_expires=True)
try:
    sys.stdout.write("".join(out))
    sys.stdout.flush()
except BrokenPipeError:
    pass
EOF

# dash JAR COMMAND...: dash.py on $URL with cookie jar $WORK/JAR.
dash() {
	dj=$1
	shift
	"$PYTHON" "$DASH_PY" "$URL" "$WORK/$dj.jar" "$@"
}
