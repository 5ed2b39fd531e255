#!/bin/sh
#
# smtputf8.sh (issue 14): SMTPUTF8 (RFC 6531) end to end, with Python's
# smtplib as the client and the aiosmtpd sink as the smarthost.
#
# In: both listeners offer SMTPUTF8; a message from an internationalised
# address with raw UTF-8 headers (RFC 6532) is taken over SMTP and over
# LMTP (a UTF-8 `+` sub-address too) and its customer address, name and
# subject are stored and shown as they were written; a UTF-8 address
# without the SMTPUTF8 parameter gets 553 5.6.7, and 8-bit bytes that are
# not UTF-8 get 500 5.5.2.
# Out: the acknowledgement to the internationalised address leaves with
# SMTPUTF8 through a smarthost that offers it; through one that does not,
# it fails permanently with a reason in the outbox that says so, while
# mail to an ASCII address still goes out.

. "${top_srcdir:-$(dirname "$0")/../..}/tests/integration/lib.sh"

start_sink --smtputf8
write_config sink
start_triaged

# uclient.py PROTO PORT [WHO]: the SMTPUTF8 conversations, one result
# per line; over LMTP from WHO@exämple.test (default ana).
cat >uclient.py <<'EOF'
import smtplib, socket, sys

proto, port = sys.argv[1], int(sys.argv[2])
who = sys.argv[3] if len(sys.argv) > 3 else "ana"

def msg(frm, subject, mid):
    return ("From: %s\r\nTo: Support <support@example.test>\r\n"
            "Subject: %s\r\nMessage-ID: <%s>\r\n"
            "Date: Sat, 05 Dec 2026 06:00:00 +0000\r\n"
            "MIME-Version: 1.0\r\n"
            "Content-Type: text/plain; charset=utf-8\r\n"
            "Content-Transfer-Encoding: 8bit\r\n\r\n"
            "Grüße, der Drucker brennt.\r\n" % (frm, subject, mid)
            ).encode("utf-8")

def client():
    if proto == "lmtp":
        c = smtplib.LMTP("127.0.0.1", port)
        c.ehlo_or_helo_if_needed()
    else:
        c = smtplib.SMTP("127.0.0.1", port)
        c.ehlo()
    return c

c = client()
print("offered", "yes" if c.has_extn("smtputf8") else "no")
if proto == "smtp":
    refused = c.sendmail("jörg@bücher.example", ["support@example.test"],
                         msg("Jörg Müller <jörg@bücher.example>",
                             "Grüße – Drucker brennt 🔥",
                             "utf8-smtp@bücher.example"),
                         mail_options=["SMTPUTF8"])
    print("sent", "ok" if not refused else refused)
    # Without the parameter: 553 5.6.7 for a UTF-8 address.
    c.send("MAIL FROM:<jörg@bücher.example>\r\n".encode("utf-8"))
    code, text = c.getreply()
    print("mail-without", code, text.decode("utf-8", "replace").split()[0])
    c.rset()
    c.mail("ascii@customer.example.org")
    c.send("RCPT TO:<support+bücher@example.test>\r\n".encode("utf-8"))
    code, text = c.getreply()
    print("rcpt-without", code, text.decode("utf-8", "replace").split()[0])
    c.rset()
    c.send(b"MAIL FROM:<j\xf6rg@b\xfccher.example> SMTPUTF8\r\n")
    code, text = c.getreply()
    print("latin1", code, text.decode("utf-8", "replace").split()[0])
else:
    refused = c.sendmail(who + "@exämple.test",
                         ["support+bücher@example.test"],
                         msg("Ana Ñúñez <%s@exämple.test>" % who,
                             "Ошибка в счёте",
                             "utf8-lmtp-%s@exämple.test" % who),
                         mail_options=["SMTPUTF8"])
    print("sent", "ok" if not refused else refused)
c.quit()
EOF

out=$("$PYTHON" uclient.py smtp "$SMTP_PORT")
printf '%s\n' "$out"
assert_contains "SMTP offers SMTPUTF8" "$out" "offered yes"
assert_contains "SMTP takes a UTF-8 message with SMTPUTF8" "$out" "sent ok"
assert_contains "UTF-8 MAIL FROM without SMTPUTF8" "$out" \
    "mail-without 553 5.6.7"
assert_contains "UTF-8 RCPT TO without SMTPUTF8" "$out" \
    "rcpt-without 553 5.6.7"
assert_contains "Latin-1 bytes in an address" "$out" "latin1 500 5.5.2"

out=$("$PYTHON" uclient.py lmtp "$LMTP_PORT")
printf '%s\n' "$out"
assert_contains "LMTP offers SMTPUTF8" "$out" "offered yes"
assert_contains "LMTP takes a UTF-8 message to a UTF-8 sub-address" "$out" \
    "sent ok"

assert_eq "requests" 2 "$(requests_count)"
assert_eq "customer of #1" "jörg@bücher.example" \
    "$(ctl show 1 | json_get 'd["customer"]["address"]')"
assert_eq "customer name of #1" "Jörg Müller" \
    "$(ctl show 1 | json_get 'd["customer"]["name"]')"
assert_eq "subject of #1" "Grüße – Drucker brennt 🔥" \
    "$(ctl show 1 | json_get 'd["subject"]')"
assert_eq "customer of #2" "ana@exämple.test" \
    "$(ctl show 2 | json_get 'd["customer"]["address"]')"
assert_eq "subject of #2" "Ошибка в счёте" \
    "$(ctl show 2 | json_get 'd["subject"]')"
assert_contains "the text view shows the address" "$("$TRIAGECTL" -c \
    "$CONF" show 1)" "jörg@bücher.example"

# The acknowledgements leave with SMTPUTF8.
wait_for '[ "$(sink_count)" -ge 2 ] && outbox_idle' 30 ||
    fail "the acknowledgements to UTF-8 addresses were not delivered"
assert_eq "outbox of #1" '["sent"]' \
    "$(ctl show 1 | json_get '[o["status"] for o in d["outbox"]]')"
sink_env() {	# lines "RCPT SMTPUTF8" of the sink's mails
	"$PYTHON" -c '
import os, sys
new = os.path.join(sys.argv[1], "new")
for n in sorted(os.listdir(new)):
    head = open(os.path.join(new, n), "rb").read().split(b"\r\n\r\n")[0]
    env = {}
    for l in head.split(b"\r\n"):
        k, _, v = l.partition(b": ")
        env[k.decode()] = v.decode("utf-8")
    print(env.get("X-Sink-Rcpt-To"), env.get("X-Sink-SMTPUTF8", "no"))
' "$1"
}
env_out=$(sink_env "$SINK_DIR")
printf '%s\n' "$env_out"
assert_contains "acknowledgement of #1 sent with SMTPUTF8" "$env_out" \
    "<jörg@bücher.example> yes"
assert_contains "acknowledgement of #2 sent with SMTPUTF8" "$env_out" \
    "<ana@exämple.test> yes"
stop_triaged
stop_pid "$SINK_PID" || true

# A smarthost without SMTPUTF8: a permanent failure with its reason.
SINK_DIR=$WORK/sink-ascii
start_sink
write_config sink
start_triaged
out=$("$PYTHON" uclient.py lmtp "$LMTP_PORT" ana.maría)
assert_contains "LMTP takes the message" "$out" "sent ok"
make_msg ascii.eml --from 'Fiona <fiona@customer.example.org>' \
    --subject 'Plain' --message-id '<utf8-ascii@customer.example.org>'
lmtp_send ascii.eml >/dev/null
wait_for '[ "$(sink_count)" -ge 1 ] && outbox_idle' 30 ||
    fail "the outbox did not settle"
assert_eq "requests" 4 "$(requests_count)"
assert_eq "outbox of #3 (UTF-8 address, no SMTPUTF8)" '["failed"]' \
    "$(ctl show 3 | json_get '[o["status"] for o in d["outbox"]]')"
why=$(ctl show 3 | json_get 'd["outbox"][0]["last_error"]')
assert_contains "the reason names SMTPUTF8" "$why" \
    "needs SMTPUTF8 (RFC 6531), which the smarthost does not offer"
assert_contains "the reason names the address" "$why" \
    "ana.maría@exämple.test"
assert_eq "outbox of #4 (ASCII address)" '["sent"]' \
    "$(ctl show 4 | json_get '[o["status"] for o in d["outbox"]]')"
assert_eq "mails in the ASCII sink" 1 "$(sink_count)"
stop_triaged
