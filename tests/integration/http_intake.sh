#!/bin/sh
#
# http_intake.sh (issue 18): POST /api/v1/requests.  A request posted
# with curl (and one with Python's urllib) is stored after the commit
# (201 {"request": N, "new": true}) with its attachment, source
# "http:CHANNEL" and an acknowledgement mailed to the sender; the same
# idempotency key again answers 200 "duplicate" and stores nothing; a
# subject with [#N] joins request N ("new": false).  Each bad input is
# refused with its 4xx JSON error and stores nothing: no or a wrong
# token (401), malformed JSON, an unknown field, a bad address, bad
# base64 (400), a foreign Origin (403), a body over max_body_size
# (413), the source's rate limit (429), GET (405).  POST /form/contact
# (urlencoded, as a browser sends it) opens a request from the mapped
# fields and redirects (303); a filled honeypot is answered the same and
# stores nothing; a foreign origin (403), a bad address (400), an
# oversized form (413) and the per-client rate limit (429) are refused.

. "${top_srcdir:-$(dirname "$0")/../..}/tests/integration/lib.sh"

TOKEN=web-token-0123456789abcdef
printf '%s\n' "$TOKEN" >"$WORK/web.token"
write_config
cat >>"$CONF" <<CONF
http = {
  address = "127.0.0.1"; port = 0; max_body_size = 4096;
  sources = (
    { name = "web"; token_file = "$WORK/web.token";
      origins = [ "https://shop.example.com" ]; },
    { name = "slow"; token = "slow-token-0123456789abcdef";
      rate_limit = 2; }
  );
  forms = (
    { name = "contact"; from = "email"; name_field = "fullname";
      subject = "topic"; text = "message"; honeypot = "website";
      origins = [ "https://www.example.com" ]; rate_limit = 3;
      max_size = 2048; redirect = "https://www.example.com/thanks"; }
  );
};
CONF
start_triaged
HTTP_PORT=$(grep '[ >]ready ' "$TRIAGED_LOG" | head -n 1 |
    sed -n 's/.* http=[^ ]*:\([0-9][0-9]*\).*/\1/p')
[ -n "$HTTP_PORT" ] || fail "no http port in the ready line"
URL=http://127.0.0.1:$HTTP_PORT/api/v1/requests

# post BODY [curl options]: prints the answer's body; its status goes
# to $WORK/code (post runs in $(...): a variable would not come back).
post() {
	p_body=$1
	shift
	curl -s -o "$WORK/answer" -w '%{http_code}' --max-time 30 \
	    -H 'Content-Type: application/json' "$@" --data-binary "$p_body" \
	    "$URL" >"$WORK/code" || echo 000 >"$WORK/code"
	cat "$WORK/answer"
}
code() {
	cat "$WORK/code"
}
AUTH="Authorization: Bearer $TOKEN"

out=$(post '{"from": "ann@customer.example.org", "name": "Ann Lee",
  "subject": "Order 1234 is late", "text": "Hello,\nwhere is it?",
  "channel": "webshop", "idempotency_key": "order-1234",
  "attachments": [ { "name": "receipt.txt", "type": "text/plain",
    "content": "cmVjZWlwdCAxMjM0Cg==" } ] }' -H "$AUTH")
assert_eq "first post: status" 201 "$(code)"
assert_eq "first post: answer" '{"request": 1, "new": true}' "$out"
assert_eq "request #1's source" "http:webshop" \
    "$(ctl show 1 | json_get 'd["messages"][0]["source"]')"
assert_eq "request #1's customer" ann@customer.example.org \
    "$(ctl show 1 | json_get 'd["customer"]["address"]')"
assert_eq "request #1's attachment" receipt.txt "$(ctl show 1 | json_get \
    '[a["filename"] for m in d["messages"] for a in m["attachments"]][0]')"
wait_for '[ "$(sink_count "$OUT_MAILDIR")" -ge 1 ]' 30 ||
    fail "no acknowledgement in $OUT_MAILDIR"
grep -rlq 'To: .*ann@customer.example.org' "$OUT_MAILDIR/new" ||
    fail "the acknowledgement is not to the sender"

# the same key: nothing new; the token in the subject: threaded
out=$(post '{"from": "ann@customer.example.org", "text": "again",
  "subject": "Order 1234 is late", "idempotency_key": "order-1234"}' \
    -H "$AUTH")
assert_eq "repeat: status" 200 "$(code)"
assert_eq "repeat: answer" \
    '{"request": 1, "new": false, "duplicate": true}' "$out"
assert_eq "messages of #1 after the repeat" 1 "$(in_messages 1)"
out=$(post '{"from": "ann@customer.example.org", "text": "Any news?",
  "subject": "Re: [#1] Order 1234 is late"}' -H "$AUTH")
assert_eq "follow-up: status" 201 "$(code)"
assert_eq "follow-up: answer" '{"request": 1, "new": false}' "$out"
assert_eq "messages of #1 after the follow-up" 2 "$(in_messages 1)"

# Python's urllib (Debian's), from the allowed origin
"$PYTHON" - "$URL" "$TOKEN" >"$WORK/py.out" <<'PY' || fail "urllib post failed"
import json, sys, urllib.request
req = urllib.request.Request(sys.argv[1], method="POST",
    data=json.dumps({"from": "bo@customer.example.org", "name": "Bo",
                     "subject": "Question", "text": "Hi"}).encode(),
    headers={"Authorization": "Bearer " + sys.argv[2],
             "Content-Type": "application/json",
             "Origin": "https://shop.example.com"})
with urllib.request.urlopen(req, timeout=30) as r:
    print(r.status, json.loads(r.read())["request"])
PY
assert_eq "urllib post" "201 2" "$(cat "$WORK/py.out")"

# refusals: each stores nothing
refuse() {	# what code body [curl options]
	r_what=$1 r_code=$2 r_body=$3
	shift 3
	out=$(post "$r_body" "$@")
	assert_eq "$r_what: status" "$r_code" "$(code)"
	assert_contains "$r_what: a JSON error" "$out" '"error"'
}
GOOD='{"from": "eve@customer.example.org", "text": "x"}'
refuse "no token" 401 "$GOOD"
refuse "wrong token" 401 "$GOOD" -H 'Authorization: Bearer nope-0123456789abcdef'
refuse "malformed JSON" 400 '{"from": "eve@' -H "$AUTH"
refuse "not an object" 400 '["x"]' -H "$AUTH"
refuse "unknown field" 400 \
    '{"from": "eve@customer.example.org", "text": "x", "subjetc": "y"}' \
    -H "$AUTH"
refuse "bad address" 400 '{"from": "eve at home", "text": "x"}' -H "$AUTH"
refuse "no text" 400 '{"from": "eve@customer.example.org"}' -H "$AUTH"
refuse "header injection" 400 \
    '{"from": "eve@customer.example.org", "text": "x", "subject": "a\r\nBcc: x@y.z"}' \
    -H "$AUTH"
refuse "bad base64" 400 '{"from": "eve@customer.example.org", "text": "x",
  "attachments": [ { "name": "a", "content": "!!!" } ] }' -H "$AUTH"
refuse "foreign origin" 403 "$GOOD" -H "$AUTH" \
    -H 'Origin: https://evil.example.net'
big=$(head -c 6000 /dev/zero | tr '\0' a)
out=$(post "{\"from\": \"eve@customer.example.org\", \"text\": \"$big\"}" \
    -H "$AUTH")
assert_eq "oversized body: status" 413 "$(code)"
SLOW="Authorization: Bearer slow-token-0123456789abcdef"
post '{"from": "sue@customer.example.org", "text": "1"}' -H "$SLOW" >/dev/null
post '{"from": "sue@customer.example.org", "text": "2"}' -H "$SLOW" >/dev/null
refuse "rate limit" 429 '{"from": "sue@customer.example.org", "text": "3"}' \
    -H "$SLOW"
assert_eq "GET" 405 "$(curl -s -o /dev/null -w '%{http_code}' "$URL")"
assert_eq "requests after the refusals (and sue's two)" 4 "$(requests_count)"
assert_eq "nobody named eve was stored" 0 "$(ctl list --limit 1000 |
    json_get 'len([r for r in d["requests"] if "eve" in str(r)])')"

# the web form
FORM=http://127.0.0.1:$HTTP_PORT/form/contact
form() {	# curl options...: prints "CODE LOCATION"
	curl -s -o /dev/null -w '%{http_code} %{redirect_url}' --max-time 30 \
	    "$@" "$FORM"
}
before=$(requests_count)
assert_eq "form post" "303 https://www.example.com/thanks" "$(form \
    -H 'Origin: https://www.example.com' \
    --data-urlencode 'email=kim@customer.example.org' \
    --data-urlencode 'fullname=Kim Park' \
    --data-urlencode 'topic=Broken link [on] the page' \
    --data-urlencode 'message=The link+button does not work.' \
    --data-urlencode 'website=')"
n=$((before + 1))
assert_eq "the form's request" "$n" "$(requests_count)"
assert_eq "the form's subject" "Broken link [on] the page" \
    "$(ctl show "$n" | json_get 'd["subject"]')"
assert_contains "the form's text ('+' kept)" \
    "$(ctl show "$n" | json_get 'd["messages"][0]["body"]')" \
    "The link+button does not work."
assert_eq "the form's source" "http:contact" \
    "$(ctl show "$n" | json_get 'd["messages"][0]["source"]')"
assert_eq "honeypot: answered as a success" \
    "303 https://www.example.com/thanks" "$(form \
    --data-urlencode 'email=bot@spam.example.net' \
    --data-urlencode 'message=buy' --data-urlencode 'website=http://x')"
assert_eq "foreign origin" "403 " "$(form -H 'Origin: https://evil.example' \
    --data-urlencode 'email=eve@customer.example.org' \
    --data-urlencode 'message=x')"
assert_eq "bad address" "400 " "$(form --data-urlencode 'email=eve' \
    --data-urlencode 'message=x')"
assert_eq "oversized form" "413 " "$(form --data-urlencode 'email=eve@customer.example.org' \
    --data-urlencode "message=$(head -c 3000 /dev/zero | tr '\0' a)")"
assert_eq "rate limit per client" "429 " "$(form \
    --data-urlencode 'email=eve@customer.example.org' \
    --data-urlencode 'message=x')"
assert_eq "requests after the form refusals" "$n" "$(requests_count)"
stop_triaged
