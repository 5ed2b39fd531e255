#!/bin/sh
#
# language.sh (issue 19, "Language"): the acknowledgement is written in
# the customer's language, from the shipped example templates
# (contrib/templates: en, pl, ru), with language.default = "en".
#   - Polish in ISO-8859-2 quoted-printable, Russian in KOI8-R base64 and
#     in Windows-1251 quoted-printable, English in UTF-8: each long
#     enough, detected by libexttextcat, answered in its language, and
#     the language remembered on the customer (triagectl customer, show;
#     English only where libexttextcat names it alone).
#   - A short text ("Спасибо!") and a text mixing three languages get
#     the default (English), and nothing is remembered.
#   - Content-Language: pl on a short text wins: Polish, remembered.
#   - A remembered language holds for a later short English mail, and
#     `triagectl customer ADDR --language ru` sets one (bad codes are
#     refused, exit 1).
#   - language.templates naming a template with an unknown variable is
#     a config error naming the file.

. "${top_srcdir:-$(dirname "$0")/../..}/tests/integration/lib.sh"

write_config
cat >>"$CONF" <<EOF
language = { default = "en"; templates = "$top_srcdir/contrib/templates"; };
EOF
start_triaged

"$PYTHON" - <<'EOF'
from email.mime.text import MIMEText
from email import charset as C

def make(name, sender, subject, text, cs, enc, extra=None):
    c = C.Charset(cs)
    c.body_encoding = enc
    c.header_encoding = C.BASE64
    m = MIMEText(text, "plain", None)
    m.set_charset(c)
    del m["Content-Transfer-Encoding"]
    m["Content-Transfer-Encoding"] = "base64" if enc == C.BASE64 else "quoted-printable"
    payload = text.encode(cs)
    import base64, quopri
    m.set_payload((base64.encodebytes(payload) if enc == C.BASE64 else
                   quopri.encodestring(payload)).decode("ascii"))
    m["From"] = sender
    m["To"] = "support@example.test"
    m["Subject"] = subject
    m["Message-ID"] = "<%s@customers.example>" % name
    m["Date"] = "Mon, 30 Nov 2026 10:00:00 +0100"
    for k, v in (extra or {}).items():
        m[k] = v
    with open(name + ".eml", "wb") as f:
        f.write(m.as_bytes())

make("pl", "Agnieszka <agnieszka@klient.example.pl>", "Faktura za listopad",
     "Dzień dobry,\n\nprzesyłam w załączeniu pytanie dotyczące faktury za "
     "listopad. Kwota na fakturze nie zgadza się z umową, którą podpisaliśmy "
     "w zeszłym miesiącu. Proszę o sprawdzenie i korektę.\n\n"
     "Z poważaniem,\nAgnieszka Nowak\n", "iso-8859-2", C.QP)
make("ru1", "Ivan <ivan@klient.example.ru>", "Не работает принтер",
     "Здравствуйте!\n\nУ нас в бухгалтерии с утра не работает принтер: "
     "он не печатает ни одной страницы и показывает ошибку. Пожалуйста, "
     "помогите нам как можно скорее, нам нужно отправить документы.\n\n"
     "С уважением,\nИван Петров\n", "koi8-r", C.BASE64)
make("ru2", "Olga <olga@klient.example.ru>", "Вопрос по договору",
     "Добрый день!\n\nПодскажите, пожалуйста, когда будет готов новый "
     "договор на обслуживание? Мы ждём его уже вторую неделю, а старый "
     "договор заканчивается в конце месяца.\n\nСпасибо,\nОльга\n",
     "windows-1251", C.QP)
make("en", "Fiona <fiona@customer.example.org>", "Printer broken",
     "Hello,\n\nthe printer in the accounting office stopped working this "
     "morning: it does not print a single page and shows an error. Could "
     "you please help us as soon as possible?\n\nThanks,\nFiona\n",
     "utf-8", C.QP)
make("short", "Pavel <pavel@klient.example.ru>", "Спасибо", "Спасибо!\n",
     "koi8-r", C.BASE64)
make("mixed", "Mix <mix@customer.example.org>", "Hello / Привет / Cześć",
     "Hello, the printer does not work.\nПринтер не работает.\n"
     "Drukarka nie działa.\n", "utf-8", C.BASE64)
make("header", "Jan <jan@klient.example.pl>", "Dzięki", "Dzięki!\n",
     "utf-8", C.QP, {"Content-Language": "pl-PL"})
EOF

ack_of() {	# ADDRESS: the body of the newest mail to it in the Maildir
	"$PYTHON" - "$OUT_MAILDIR" "$1" <<'EOF'
import email, email.policy, os, sys
d, addr = sys.argv[1], sys.argv[2]
best = None
for n in sorted(os.listdir(os.path.join(d, "new"))):
    with open(os.path.join(d, "new", n), "rb") as f:
        m = email.message_from_binary_file(f, policy=email.policy.default)
    if addr in str(m["To"]):
        best = m
print(best.get_body(("plain",)).get_content() if best else "")
EOF
}

for n in pl ru1 ru2 en short mixed header; do
	out=$(lmtp_send "$n.eml")
	assert_contains "LMTP $n" "$(reply_of "$out")" "250 2.0.0"
done
wait_for '[ "$(sink_count "$OUT_MAILDIR")" -ge 7 ] && outbox_idle' 30 ||
    fail "only $(sink_count "$OUT_MAILDIR") acknowledgements"

lang_of() { ctl customer "$1" | json_get 'd["language"]'; }
check_contains() {	# what haystack needle (soft)
	case $2 in *"$3"*) echo "ok: $1" ;;
	*) check_eq "$1" "$3 in it" "$2" ;; esac
}
check_contains "Polish ISO-8859-2 QP: Polish ack" \
    "$(ack_of agnieszka@klient.example.pl)" "Dzień dobry,"
check_eq "Polish remembered" pl "$(lang_of agnieszka@klient.example.pl)"
check_contains "Russian KOI8-R base64: Russian ack" \
    "$(ack_of ivan@klient.example.ru)" "Здравствуйте!"
check_eq "Russian remembered" ru "$(lang_of ivan@klient.example.ru)"
check_contains "Russian Windows-1251 QP: Russian ack" \
    "$(ack_of olga@klient.example.ru)" "Спасибо за обращение"
check_contains "English: English ack" \
    "$(ack_of fiona@customer.example.org)" "thank you for writing"
# (English is often a near tie with Scots in libexttextcat: then the
# default answers, which is English here too.)
check_contains "short Russian text: the default (English)" \
    "$(ack_of pavel@klient.example.ru)" "thank you for writing"
check_eq "short text: nothing remembered" null \
    "$(lang_of pavel@klient.example.ru)"
check_contains "mixed text: the default (English)" \
    "$(ack_of mix@customer.example.org)" "thank you for writing"
check_eq "mixed text: nothing remembered" null \
    "$(lang_of mix@customer.example.org)"
check_contains "Content-Language pl-PL on a short text: Polish" \
    "$(ack_of jan@klient.example.pl)" "Dzień dobry,"
check_eq "Content-Language remembered" pl "$(lang_of jan@klient.example.pl)"
pl_ticket=$(ctl customer agnieszka@klient.example.pl | json_get 'd["requests"][0]["id"]')
check_eq "triagectl show: the customer's language" pl \
    "$(ctl show "$pl_ticket" | json_get 'd["customer_language"]')"

# Remembered beats a later English text; the admin sets one.
make_msg again.eml --from 'Agnieszka <agnieszka@klient.example.pl>' \
    --subject 'Another thing' --message-id '<pl-again@klient.example.pl>' \
    --body 'Hello, one more question about the printer in our office, it is broken again and prints nothing at all since this morning.\n'
rc=0
"$TRIAGECTL" -c "$CONF" customer pavel@klient.example.ru --language ru >/dev/null || rc=$?
check_eq "triagectl customer --language ru" 0 "$rc"
check_eq "set by the admin" ru "$(lang_of pavel@klient.example.ru)"
rc=0
"$TRIAGECTL" -c "$CONF" customer pavel@klient.example.ru --language Russian \
    >/dev/null 2>&1 || rc=$?
check_eq "a bad language code is refused" 1 "$rc"
make_msg pavel2.eml --from 'Pavel <pavel@klient.example.ru>' \
    --subject 'Ok' --message-id '<pavel2@klient.example.ru>' --body 'Ok\n'
before=$(sink_count "$OUT_MAILDIR")
lmtp_send again.eml >/dev/null
lmtp_send pavel2.eml >/dev/null
wait_for '[ "$(sink_count "$OUT_MAILDIR")" -ge $((before + 2)) ] && outbox_idle' 30 ||
    fail "no acknowledgements for the later mail"
check_contains "remembered Polish beats an English text" \
    "$(ack_of agnieszka@klient.example.pl)" "Dzień dobry,"
check_contains "the admin's Russian" \
    "$(ack_of pavel@klient.example.ru)" "Здравствуйте!"
stop_triaged

# A broken template is a config error naming the file.
mkdir -p bad/pl
printf 'Subject: {{subject}}\n\nDzień dobry {{nobody}}\n' >bad/pl/acknowledgement.txt
cat >bad.conf <<EOF
language = { templates = "$WORK/bad"; };
EOF
rc=0
out=$("$TRIAGED" -t -c bad.conf 2>&1) || rc=$?
check_eq "exit status for a broken template" 1 "$rc"
check_contains "the error names the template file" "$out" \
    "bad/pl/acknowledgement.txt"
check_contains "the error names the setting" "$out" "language.templates"
