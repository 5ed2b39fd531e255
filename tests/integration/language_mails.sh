#!/bin/sh
#
# language_mails.sh (issue 19, "Language"): every mail triaged writes to a
# customer on its own is in the customer's language, end to end through
# the daemon's sender to the aiosmtpd sink, with the shipped templates
# (contrib/templates: en, pl, ru) and language.default = "en":
#   - the out-of-hours answer (a Saturday on a fake clock, the office
#     calendar in Warsaw), with the Monday opening written in the
#     language ("poniedziałek, 23 listopada 2026, 09:00 CET");
#   - the reassignment notice (agent_mail.tell_customer_on_reassign,
#     triagectl assign from anna to boris);
#   - the satisfaction survey, with the opening and resolution dates and
#     the time taken in the language's plural ("5 dni", "2 дня", "1 day");
#   - each carries Content-Language (RFC 3282) naming its language;
#   - the acknowledgement's knowledge-base suggestions
#     (acknowledgement.suggest), introduced in the language of the
#     template around them;
#   for Polish mail in ISO-8859-2 quoted-printable, Russian in KOI8-R
#   base64 and English; a short Russian text and a text mixing three
#   languages get all of them in the default language (English).
# The rest of the acknowledgement is language.sh's.

. "${top_srcdir:-$(dirname "$0")/../..}/tests/integration/lib.sh"

# Saturday 21 November 2026, 10:00 UTC: the office (Mon-Fri) is closed.
TRIAGED_FAKE_TIME=2026-11-21T10:00:00Z
TRIAGED_FAKE_START=$(date +%s)
export TRIAGED_FAKE_TIME TRIAGED_FAKE_START
T0=1795255200		# that instant, as the requests' created_at below

start_sink
write_config sink
cat >>"$CONF" <<EOF
language = { default = "en"; templates = "$top_srcdir/contrib/templates"; };
agents = (
  { name = "anna"; display_name = "Anna Kowalska";
    addresses = [ "anna@agents.example.org" ]; },
  { name = "boris"; display_name = "Boris Iwanow";
    addresses = [ "boris@agents.example.org" ]; }
);
agent_mail = { $(pg_reply_key) tell_customer_on_reassign = true; };
reports = { survey = true;
  rating_key = "0123456789abcdef0123456789abcdef"; };
EOF
# the office's hours (the last part goes without: the knowledge base)
cp "$CONF" "$WORK/kb.conf"
cat >>"$CONF" <<EOF
calendars = (
  { name = "office"; timezone = "Europe/Warsaw";
    hours = { mon = [ "9:00-17:00" ]; tue = [ "9:00-17:00" ];
      wed = [ "9:00-17:00" ]; thu = [ "9:00-17:00" ];
      fri = [ "9:00-17:00" ]; }; }
);
EOF
start_triaged

"$PYTHON" - <<'EOF'
import base64, quopri
from email.mime.text import MIMEText
from email import charset as C

def make(name, sender, subject, text, cs, enc):
    c = C.Charset(cs)
    c.body_encoding = enc
    c.header_encoding = C.BASE64
    m = MIMEText(text, "plain", None)
    m.set_charset(c)
    del m["Content-Transfer-Encoding"]
    m["Content-Transfer-Encoding"] = ("base64" if enc == C.BASE64 else
                                      "quoted-printable")
    payload = text.encode(cs)
    m.set_payload((base64.encodebytes(payload) if enc == C.BASE64 else
                   quopri.encodestring(payload)).decode("ascii"))
    m["From"] = sender
    m["To"] = "support@example.test"
    m["Subject"] = subject
    m["Message-ID"] = "<%s@customers.example>" % name
    m["Date"] = "Sat, 21 Nov 2026 11:00:00 +0100"
    with open(name + ".eml", "wb") as f:
        f.write(m.as_bytes())

make("pl", "Zofia <zofia@klient.example.pl>", "Nie działa logowanie",
     "Dzień dobry,\n\nod wczoraj nie mogę zalogować się do panelu klienta. "
     "Po wpisaniu hasła strona wraca do ekranu logowania bez żadnego "
     "komunikatu. Hasło zmieniałam w zeszłym tygodniu. Bardzo proszę o "
     "pomoc, bo muszę pobrać faktury.\n\nPozdrawiam serdecznie,\n"
     "Zofia Wiśniewska\n", "iso-8859-2", C.QP)
make("ru", "Sergey <sergey@klient.example.ru>", "Не приходят счета",
     "Добрый день!\n\nУже второй месяц мы не получаем счета на "
     "электронную почту. Раньше они приходили каждого первого числа, "
     "а теперь ничего нет, даже в папке со спамом. Проверьте, "
     "пожалуйста, наш адрес в вашей системе.\n\nС уважением,\n"
     "Сергей Кузнецов\n", "koi8-r", C.BASE64)
make("en", "Harriet <harriet@customer.example.org>", "Cannot log in",
     "Hello,\n\nsince yesterday I cannot log in to the customer portal. "
     "After I type my password the page goes straight back to the login "
     "screen without any message. I changed my password last week. "
     "Could you please have a look? I need to download our invoices.\n\n"
     "Kind regards,\nHarriet\n", "utf-8", C.QP)
make("short", "Pavel <pavel@klient.example.ru>", "Спасибо", "Спасибо!\n",
     "koi8-r", C.BASE64)
make("mixed", "Mix <mix@customer.example.org>", "Hello / Привет / Cześć",
     "Hello, the printer does not work.\nПринтер не работает.\n"
     "Drukarka nie działa.\n", "utf-8", C.BASE64)
EOF

CUSTOMERS="zofia@klient.example.pl sergey@klient.example.ru
    harriet@customer.example.org pavel@klient.example.ru
    mix@customer.example.org"

: >"$WORK/seen"
# fresh ADDR: the body of the one mail to ADDR the sink got since the
# last `seen` (its Content-Language and subject on the first two lines);
# "" if none or several.
fresh() {
	"$PYTHON" - "$SINK_DIR" "$1" "$WORK/seen" <<'EOF'
import email, email.header, email.policy, os, sys
d, addr, seen = sys.argv[1], sys.argv[2], sys.argv[3]
old = set(open(seen).read().split())
got = []
for n in sorted(os.listdir(os.path.join(d, "new"))):
    if n in old:
        continue
    with open(os.path.join(d, "new", n), "rb") as f:
        m = email.message_from_binary_file(f, policy=email.policy.default)
    if "<%s>" % addr in m.get("X-Sink-Rcpt-To", ""):
        got.append(m)
if len(got) == 1:
    print("Content-Language: %s" % got[0].get("Content-Language", "-"))
    print(got[0]["Subject"])
    print(got[0].get_body(("plain",)).get_content())
EOF
}
seen() { ls "$SINK_DIR/new" >"$WORK/seen"; }
# wait_all: until every customer has one fresh mail and the outbox is idle
wait_all() {
	for wa in $CUSTOMERS; do
		wait_for '[ -n "$(fresh "$wa")" ] && outbox_idle' 30 ||
		    fail "$1: nothing for $wa"
	done
}
check_contains() {	# what haystack needle
	case $2 in *"$3"*) echo "ok: $1" ;;
	*) check_eq "$1" "$3 in it" "$2" ;; esac
}

# --- the out-of-hours answer ------------------------------------------
tickets=""
for n in pl ru en short mixed; do
	out=$(lmtp_send "$n.eml")
	assert_contains "LMTP $n" "$(reply_of "$out")" "250 2.0.0"
	tickets="$tickets $(ticket_of "$out")"
done
wait_all "out-of-hours answers"
m=$(fresh zofia@klient.example.pl)
check_contains "Polish: out of hours" "$m" "Biuro jest teraz zamknięte"
check_contains "Polish: Content-Language" "$m" "Content-Language: pl"
check_contains "Polish: the opening in Polish" "$m" \
    "poniedziałek, 23 listopada 2026, 09:00 CET"
m=$(fresh sergey@klient.example.ru)
check_contains "Russian: out of hours" "$m" "Сейчас мы не работаем"
check_contains "Russian: Content-Language" "$m" "Content-Language: ru"
check_contains "Russian: the opening in Russian" "$m" \
    "понедельник, 23 ноября 2026, 09:00 CET"
m=$(fresh harriet@customer.example.org)
check_contains "English: out of hours" "$m" "Our office is closed now"
check_contains "English: Content-Language" "$m" "Content-Language: en"
check_contains "English: the opening in English" "$m" \
    "Monday 23 Nov 2026 09:00 CET"
check_contains "short text: the default (English)" \
    "$(fresh pavel@klient.example.ru)" "Our office is closed now"
check_contains "mixed text: the default (English)" \
    "$(fresh mix@customer.example.org)" "Our office is closed now"
seen

# --- the reassignment notice ------------------------------------------
for t in $tickets; do
	"$TRIAGECTL" -c "$CONF" assign "$t" anna >/dev/null ||
	    fail "assign $t anna"
done
wait_for 'outbox_idle' 30 || fail "notices to anna not sent"
seen
for t in $tickets; do
	"$TRIAGECTL" -c "$CONF" assign "$t" boris >/dev/null ||
	    fail "assign $t boris"
done
wait_all "reassignment notices"
m=$(fresh zofia@klient.example.pl)
check_contains "Polish: reassigned" "$m" \
    "zajmuje się teraz Boris Iwanow"
check_contains "Polish reassigned: Content-Language" "$m" \
    "Content-Language: pl"
m=$(fresh sergey@klient.example.ru)
check_contains "Russian: reassigned" "$m" "теперь занимается Boris Iwanow"
check_contains "Russian reassigned: Content-Language" "$m" \
    "Content-Language: ru"
check_contains "English: reassigned" "$(fresh harriet@customer.example.org)" \
    "Boris Iwanow is now handling your request"
check_contains "short text: reassigned in English" \
    "$(fresh pavel@klient.example.ru)" "is now handling your request"
check_contains "mixed text: reassigned in English" \
    "$(fresh mix@customer.example.org)" "is now handling your request"
seen

# --- the survey -------------------------------------------------------
# Opened at T0 (Saturday 11:00 in Warsaw), resolved after 5 days, 2 days
# and 1 day (Polish, Russian, English), 3 hours and 30 minutes.
set -- $tickets
db_sql "UPDATE tickets SET created_at = $T0, status = 'resolved',
    resolved_at = $T0 + CASE id WHEN $1 THEN 5 * 86400 WHEN $2 THEN 2 * 86400
    WHEN $3 THEN 86400 WHEN $4 THEN 3 * 3600 ELSE 1800 END
    WHERE id IN ($1, $2, $3, $4, $5)" || fail "resolving the requests"
stop_triaged		# the survey pass runs at start: no tick to wait for
start_triaged
wait_all "surveys"
m=$(fresh zofia@klient.example.pl)
check_contains "Polish survey: subject" "$m" "Prosimy o ocenę"
check_contains "Polish survey: Content-Language" "$m" "Content-Language: pl"
check_contains "Polish survey: opened" "$m" \
    "Otwarte:      sobota, 21 listopada 2026, 11:00 CET"
check_contains "Polish survey: resolved" "$m" \
    "Rozwiązane:   czwartek, 26 listopada 2026, 11:00 CET"
check_contains "Polish survey: 5 dni" "$m" "Czas obsługi: 5 dni"
check_contains "Polish survey: a link" "$m" "1 (źle):           mailto:"
m=$(fresh sergey@klient.example.ru)
check_contains "Russian survey: subject" "$m" "Оцените, пожалуйста"
check_contains "Russian survey: Content-Language" "$m" "Content-Language: ru"
check_contains "Russian survey: opened" "$m" \
    "Открыта:       суббота, 21 ноября 2026, 11:00 CET"
check_contains "Russian survey: resolved" "$m" \
    "Решена:        понедельник, 23 ноября 2026, 11:00 CET"
check_contains "Russian survey: 2 дня" "$m" "Время решения: 2 дня"
m=$(fresh harriet@customer.example.org)
check_contains "English survey: subject" "$m" "How did we do?"
check_contains "English survey: opened" "$m" \
    "Opened:     Saturday 21 Nov 2026 11:00 CET"
check_contains "English survey: 1 day" "$m" "Time taken: 1 day"
m=$(fresh pavel@klient.example.ru)
check_contains "short text: survey in English" "$m" "How did we do?"
check_contains "short text: 3 hours" "$m" "Time taken: 3 hours"
m=$(fresh mix@customer.example.org)
check_contains "mixed text: survey in English" "$m" "How did we do?"
check_contains "mixed text: 30 minutes" "$m" "Time taken: 30 minutes"
seen
stop_triaged

# --- the acknowledgement's suggestions ----------------------------------
# Open every day (no calendar: 24/7), the knowledge base of test_kb; the
# customers write again (a new request each): their language is
# remembered, and the articles are introduced in it.
cat >>"$WORK/kb.conf" <<EOF
knowledge_base = { directory = "$top_srcdir/tests/fixtures/kb/articles"; };
acknowledgement = { suggest = 2; };
EOF
CONF=$WORK/kb.conf
# The knowledge base on PostgreSQL is being built (branch pgsearch): the
# articles are checked on SQLite for now, the language on both.
kb_contains() { on_pg || check_contains "$@"; }
start_triaged
for n in pl ru en short; do
	sed "s/^\(Message-I[Dd]: <\)$n@/\1again-$n@/" "$n.eml" >"again-$n.eml"
	out=$(lmtp_send "again-$n.eml")
	assert_contains "LMTP again $n" "$(reply_of "$out")" "250 2.0.0"
done
CUSTOMERS="zofia@klient.example.pl sergey@klient.example.ru
    harriet@customer.example.org pavel@klient.example.ru"
wait_all "acknowledgements with suggestions"
m=$(fresh zofia@klient.example.pl)
check_contains "Polish ack" "$m" "Otrzymaliśmy ją"
kb_contains "Polish ack: the articles introduced in Polish" "$m" \
    "Być może odpowiedź na Pani/Pana pytanie jest już w"
kb_contains "Polish ack: the article" "$m" "- Jak zresetować hasło"
m=$(fresh sergey@klient.example.ru)
check_contains "Russian ack" "$m" "Мы получили ваше письмо"
kb_contains "Russian ack: the articles introduced in Russian" "$m" \
    "Возможно, ответ на ваш вопрос уже есть в"
kb_contains "Russian ack: the article" "$m" "- Счета и реквизиты"
m=$(fresh harriet@customer.example.org)
kb_contains "English ack: the articles introduced in English" "$m" \
    "may already answer your question:"
m=$(fresh pavel@klient.example.ru)
check_contains "short text: English ack" "$m" "thank you for writing"
