#!/bin/sh
#
# attachments.sh (issue 17): `triagectl attachments N` lists the files of
# request N and `triagectl attachment N ID [-o FILE]` writes one out byte
# for byte; the agents' notice lists them with those command lines.  The customer's message carries a binary file (every byte
# value, base64), a text file with a hostile name (quoted-printable) and an
# HTML body with an inline picture (multipart/related), which is not a
# file.  Without -o the file lands in the current directory under its name
# made safe and never over an existing file; -o - writes to stdout.
# A forwarded mail (message/rfc822, no name) is a file too: written out
# as the message's bytes as sent, as attachment-ID.eml.

. "${top_srcdir:-$(dirname "$0")/../..}/tests/integration/lib.sh"

write_config
cat >>"$CONF" <<EOF
agents = ( { name = "anna"; addresses = [ "anna@example.com" ]; } );
notifications = { attach_max = 1000; };
EOF
pg_agent_mail

"$PYTHON" - "$WORK" <<'PY'
import sys
from email.message import EmailMessage
work = sys.argv[1]
binary = bytes(range(256)) * 12 + b"\0\r\n\r" * 50
with open(work + "/file.bin", "wb") as f:
    f.write(binary)
text = "Zażółć gęślą jaźń\n=== line ===\n".encode() * 20
with open(work + "/notes.txt", "wb") as f:
    f.write(text)
m = EmailMessage()
m["From"] = "Fiona Green <fiona@customer.example.org>"
m["To"] = "support@example.test"
m["Subject"] = "Invoice and logs"
m["Message-ID"] = "<att1@customer.example.org>"
m.set_content("See the files.")
m.add_alternative('<p>See the files. <img src="cid:logo@x"></p>',
                  subtype="html")
m.get_payload()[1].add_related(b"GIF89a\x01\x00\x01\x00fake", "image",
                               "gif", cid="<logo@x>", filename="logo.gif",
                               disposition="inline")
m.add_attachment(binary, "application", "pdf",
                 filename="счёт №5.pdf")
m.add_attachment(text, "text", "plain", cte="quoted-printable",
                 filename="..\\..\\evil:name?.txt")
with open(work + "/m1.eml", "wb") as f:
    f.write(bytes(m))
PY

"$TRIAGED" inject -c "$CONF" -f fiona@customer.example.org -r "$SUPPORT" \
    <m1.eml 2>inject.log || fail "inject failed: $(cat inject.log)"

list=$(ctl attachments 1)
assert_eq "files of #1 (the inline picture is none)" \
    '[["счёт №5.pdf", "application/pdf", 3272], ["..\\..\\evil:name?.txt", "text/plain", 800]]' \
    "$(printf '%s' "$list" | json_get '[[a["filename"], a["content_type"], a["size"]] for a in d]')"
pdf=$(printf '%s' "$list" | json_get 'd[0]["id"]')
txt=$(printf '%s' "$list" | json_get 'd[1]["id"]')
assert_contains "text listing" "$("$TRIAGECTL" -c "$CONF" attachments 1)" \
    "счёт №5.pdf"

"$TRIAGECTL" -c "$CONF" attachment 1 "$pdf" -o out.pdf >out.log 2>&1 ||
    fail "attachment -o failed: $(cat out.log)"
cmp -s out.pdf file.bin || fail "the PDF written out differs from what was sent"
"$TRIAGECTL" -c "$CONF" attachment '#1' "$pdf" -o - >stdout.pdf ||
    fail "attachment -o - failed"
cmp -s stdout.pdf file.bin || fail "the PDF on stdout differs from what was sent"

mkdir here
(cd here && "$TRIAGECTL" -c "$CONF" attachment 1 "$txt") >here.log 2>&1 ||
    fail "attachment without -o failed: $(cat here.log)"
assert_eq "the safe name, in the current directory only" "evil_name_.txt" \
    "$(ls here)"
cmp -s here/evil_name_.txt notes.txt || fail "the text file differs"
rc=0
(cd here && "$TRIAGECTL" -c "$CONF" attachment 1 "$txt") >again.log 2>&1 ||
    rc=$?
assert_eq "exit status when the file exists" 1 "$rc"
assert_contains "why" "$(cat again.log)" "exists"
cmp -s here/evil_name_.txt notes.txt || fail "an existing file was overwritten"

rc=0
"$TRIAGECTL" -c "$CONF" attachment 1 999999 -o x >/dev/null 2>&1 || rc=$?
assert_eq "exit status for an unknown attachment" 1 "$rc"
rc=0
"$TRIAGECTL" -c "$CONF" attachments 99 >/dev/null 2>&1 || rc=$?
assert_eq "exit status for an unknown request" 1 "$rc"
rc=0
"$TRIAGECTL" -c "$CONF" attachment 1 >/dev/null 2>&1 || rc=$?
assert_eq "exit status without an ID" 2 "$rc"

# The notice of the new request lists the two files, not the inline
# picture; the text file fits notifications.attach_max (1000 bytes) and
# goes along byte for byte, the PDF does not and is listed with the
# command line that writes it out.
start_triaged
wait_for 'outbox_idle' 30 || fail "the notice was not delivered"
notice=$(sink_json "$OUT_MAILDIR" | json_get \
    '[m["body"] for m in d if "anna@example.com" in m["headers"]["to"][0]][0]')
assert_contains "the PDF in the notice" "$notice" \
    "- счёт №5.pdf (application/pdf, 3.2 KB): triagectl attachment 1 $pdf"
assert_contains "the text file in the notice" "$notice" \
    "(text/plain, 800 bytes): attached"
assert_not_contains "the inline picture in the notice" "$notice" "logo.gif"
"$PYTHON" - "$OUT_MAILDIR" "$WORK/notes.txt" <<'PY' || fail "the notice does not carry the text file as sent"
import email, email.policy, glob, sys
want = open(sys.argv[2], "rb").read()
for path in glob.glob(sys.argv[1] + "/new/*"):
    m = email.message_from_binary_file(open(path, "rb"),
                                       policy=email.policy.default)
    if "anna@example.com" not in str(m["To"]):
        continue
    files = [(p.get_filename(), p.get_payload(decode=True))
             for p in m.iter_attachments()]
    sys.exit(0 if files == [("..\\..\\evil:name?.txt", want)] else 1)
sys.exit(1)
PY
stop_triaged

# --- a forwarded mail is a file: the message's bytes as sent ---------------
printf '%s\r\n' "From: Old Sender <old@example.org>" \
    "Subject: =?UTF-8?B?5bm05pyr?=" "Message-ID: <inner@example.org>" \
    "Content-Type: text/plain; charset=utf-8" "" \
    "The original text, line 1." "line 2" >inner.eml
printf '%s\r\n' "From: fiona@customer.example.org" \
    "To: $SUPPORT" "Subject: Forwarding what I got" \
    "Message-ID: <fwd@customer.example.org>" "MIME-Version: 1.0" \
    'Content-Type: multipart/mixed; boundary="b1"' "" "--b1" \
    "Content-Type: text/plain" "" "See below." "--b1" \
    "Content-Type: message/rfc822" "Content-Disposition: attachment" "" \
    >fwd.eml
cat inner.eml >>fwd.eml
printf '\r\n--b1--\r\n' >>fwd.eml
"$TRIAGED" inject -c "$CONF" -f fiona@customer.example.org -r "$SUPPORT" \
    <fwd.eml 2>inject2.log || fail "inject failed: $(cat inject2.log)"
list=$(ctl attachments 2)
assert_eq "the forwarded mail listed" \
    "[[null, \"message/rfc822\", $(wc -c <inner.eml | tr -d ' ')]]" \
    "$(printf '%s' "$list" | json_get '[[a["filename"], a["content_type"], a["size"]] for a in d]')"
eml=$(printf '%s' "$list" | json_get 'd[0]["id"]')
"$TRIAGECTL" -c "$CONF" attachment 2 "$eml" -o - >out.eml 2>out2.log ||
    fail "the forwarded mail cannot be written out: $(cat out2.log)"
cmp -s inner.eml out.eml || fail "the forwarded mail is not written as sent"
(cd here && "$TRIAGECTL" -c "$CONF" attachment 2 "$eml") >here2.log 2>&1 ||
    fail "attachment without -o failed: $(cat here2.log)"
cmp -s inner.eml "here/attachment-$eml.eml" ||
    fail "the forwarded mail is not saved as attachment-$eml.eml"

