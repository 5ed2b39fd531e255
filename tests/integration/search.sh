#!/bin/sh
#
# search.sh (issue 17): `triagectl search` finds requests by the words of
# their mail as the daemon stored them over LMTP (the index is kept by the
# one writer's transaction, nothing else writes).  From the corpus: the
# Russian mail (koi8-r, subject "Алфавит", body "Вопрос") by its words in
# any case, and the HTML-only mail by the text of its HTML.  Written here:
# a Polish mail in iso-8859-2 found by words typed without diacritics
# ("zolw" finds "żółw", "lodz" finds "Łódź"), and a mail by the name of
# its attachment, until the person is forgotten.  Also: phrases, prefix*,
# -word, the agent's note found and marked internal, --status/--agent/
# --customer/--since/--limit, JSON, and clear errors (exit 1, one line) for a query
# that is not one, never a crash.  Exit 77 when the corpus is missing.
# Under TRIAGED_TEST_DB=pg (search_pg.sh) the same on PostgreSQL, and its
# index filled at start for a store that had messages before it.

. "${top_srcdir:-$(dirname "$0")/../..}/tests/integration/lib.sh"

RU=$CORPUS_DIR/i18n/tb-sample04.eml
HTML=$CORPUS_DIR/i18n/enmime-testdata_mail_non-mime-missing-charset.raw
[ -f "$RU" ] && [ -f "$HTML" ] || {
	echo "SKIP: no corpus at $CORPUS_DIR"
	exit 77
}

# the reply key in a file: PostgreSQL (TRIAGED_TEST_DB=pg) asks for one
head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' >"$WORK/reply.key"
write_config
cat >>"$CONF" <<EOF
agents = ( { name = "anna"; addresses = [ "anna@example.com" ]; } );
agent_mail = { secret_file = "$WORK/reply.key"; };
EOF
start_triaged

"$PYTHON" - "$WORK" <<'PY'
import sys
from email.message import EmailMessage
m = EmailMessage()
m["From"] = "Zofia Łącka <zofia@klient.example.pl>"
m["To"] = "support@example.test"
m["Subject"] = "Żółw nie dotarł do Łodzi"
m["Message-ID"] = "<pl1@klient.example.pl>"
m.set_content("Dzień dobry,\nzamówiłam żółwia, przesyłka utknęła w Łódź.\n"
              "Proszę o pomoc.\n", charset="iso-8859-2", cte="8bit")
open(sys.argv[1] + "/pl.eml", "wb").write(bytes(m))
m = EmailMessage()
m["From"] = "Bob Invoice <bob@customer.example.org>"
m["To"] = "support@example.test"
m["Subject"] = "Late invoice for March"
m["Message-ID"] = "<inv1@customer.example.org>"
m.set_content("The invoice number 42 for March arrived late.\n")
open(sys.argv[1] + "/inv.eml", "wb").write(bytes(m))
m = EmailMessage()
m["From"] = "Piotr <piotr@klient.example.pl>"
m["To"] = "support@example.test"
m["Subject"] = "Dokumenty"
m["Message-ID"] = "<att1@klient.example.pl>"
m.set_content("W załączniku.\n")
m.add_attachment(b"%PDF-1.4 fake\n", maintype="application",
                 subtype="pdf", filename="Umowa_serwisowa-Głogów.pdf")
open(sys.argv[1] + "/att.eml", "wb").write(bytes(m))
PY
grep -q 'charset="iso-8859-2"' pl.eml || fail "the Polish mail is not iso-8859-2"

for f in pl.eml "$RU" "$HTML" inv.eml att.eml; do
	out=$(lmtp_send --from someone@example.org "$f")
	case $(reply_of "$out") in
	250*) ;;
	*) fail "$f not stored: $out" ;;
	esac
done
# SQLite: the daemon's writer leaves the words of its messages to the
# search index's timer (search_index.h), which takes them within a second;
# until then triagectl search says how many it could not search.
on_pg || wait_for '! "$TRIAGECTL" -c "$CONF" search zolw 2>&1 >/dev/null |
    grep -q "not in the index yet"' 10 ||
    fail "the search index did not catch up with the daemon's intake"
PL=$(ctl search żółw | json_get 'd["requests"][0]["id"]')
INV=$(ctl search invoice | json_get 'd["requests"][0]["id"]')
RUID=$(ctl search алфавит | json_get 'd["requests"][0]["id"]')
HTMLID=$(ctl search euro | json_get 'd["requests"][0]["id"]')

# ids "1 2" of what a search finds, best first
ids() {
	ctl search "$@" | json_get '" ".join(str(r["id"]) for r in d["requests"])'
}

assert_eq "zolw (no diacritics) finds the Polish mail" "$PL" "$(ids zolw)"
assert_eq "ZOLWIA* (prefix, capitals) finds it" "$PL" "$(ids 'ZOLWIA*')"
assert_eq "lodz finds Łódź" "$PL" "$(ids lodz)"
assert_eq "the sender's name folded" "$PL" "$(ids lacka)"
assert_eq "a phrase" "$PL" "$(ids '"utknela w lodz"')"
assert_eq "a phrase out of order finds nothing" "" "$(ids '"lodz w utknela"')"
assert_eq "АЛФАВИТ (capitals) finds the koi8-r subject" "$RUID" \
    "$(ids АЛФАВИТ)"
assert_eq "вопрос finds the koi8-r body" "$RUID" "$(ids вопрос)"
assert_eq "ВОП* as a prefix" "$RUID" "$(ids 'ВОП*')"
assert_eq "the HTML-only mail by its text" "$HTMLID" "$(ids unencoded euro)"
assert_eq "a sender's address" "$INV" "$(ids bob@customer.example.org)"
assert_eq "-word leaves out" "" "$(ids -- invoice -march)"
assert_eq "-word leaves out only what has it" "$INV" "$(ids -- invoice -zolw)"
assert_eq "OR" "$PL $INV" "$(ids zolw OR invoice | tr ' ' '\n' | sort -n |
    tr '\n' ' ' | sed 's/ $//')"

# The note an agent writes is found, marked internal.
printf 'Called the courier: parcel 7781 is in the depot.\n' |
    "$TRIAGECTL" -c "$CONF" note "$INV" --agent anna >note.log 2>&1 ||
    fail "note failed: $(cat note.log)"
assert_eq "the note marked internal" "True $INV" \
    "$(ctl search courier | json_get \
    '"%s %s" % (d["requests"][0]["internal"], d["requests"][0]["id"])')"
text=$("$TRIAGECTL" -c "$CONF" search courier)
assert_contains "text output: the snippet" "$text" "[courier]"
assert_contains "text output: internal" "$text" "(internal note)"
assert_contains "snippet with the match marked" \
    "$(ctl search zolwia | json_get 'd["requests"][0]["snippet"]')" "[żółwia]"

"$TRIAGECTL" -c "$CONF" status "$INV" pending >/dev/null 2>&1 ||
    fail "status failed"
assert_eq "--status" "$INV" "$(ids --status pending invoice OR zolw)"
assert_eq "--agent (nobody assigned)" "" "$(ids --agent anna invoice)"
"$TRIAGECTL" -c "$CONF" assign "$INV" anna >/dev/null 2>&1 ||
    fail "assign failed"
assert_eq "--agent" "$INV" "$(ids --agent anna invoice OR zolw)"
assert_eq "--since tomorrow" "" "$(ids --since \
    "$(date -u -d tomorrow +%Y-%m-%d)" invoice)"
assert_eq "--since yesterday" "$INV" "$(ids --since \
    "$(date -u -d yesterday +%Y-%m-%d)" invoice)"
assert_eq "--customer by address, any case" "$INV" \
    "$(ids --customer Bob@Customer.Example.ORG invoice OR zolw)"
assert_eq "--customer @domain" "$PL" \
    "$(ids --customer @klient.example.pl invoice OR zolw)"
assert_eq "--customer domain" "$PL" \
    "$(ids --customer klient.example.pl invoice OR zolw)"
assert_eq "--customer nobody" "" \
    "$(ids --customer nobody@klient.example.pl invoice OR zolw)"
assert_contains "--customer with the hit's address" \
    "$("$TRIAGECTL" -c "$CONF" search --customer bob@customer.example.org \
    invoice)" "bob@customer.example.org"
rc=0
"$TRIAGECTL" -c "$CONF" search --customer "" invoice >/dev/null 2>&1 || rc=$?
assert_eq "--customer empty: usage" 2 "$rc"
# TRIAGECTL_TIMES=1: the command's own time on stderr (bench/search)
assert_contains "TRIAGECTL_TIMES" "$(TRIAGECTL_TIMES=1 "$TRIAGECTL" \
    -c "$CONF" search invoice 2>&1 >/dev/null)" " ms in the command"
assert_eq "--limit" 1 "$(ctl search --limit 1 zolw OR invoice OR вопрос |
    json_get 'len(d["requests"])')"

# A request by the name of its customer's file (words of the name, folded),
# the snippet saying so; once the person is forgotten (the file's name
# cleared), the name finds nothing.
ATT=$(ctl search umowa | json_get 'd["requests"][0]["id"]')
[ -n "$ATT" ] || fail "no request found by its attachment's name"
assert_eq "a word of a file name, folded" "$ATT" "$(ids glogow)"
assert_eq "the file name with the body's word" "$ATT" "$(ids serwisowa)"
assert_contains "the snippet names the file" \
    "$(ctl search serwisowa | json_get 'd["requests"][0]["snippet"]')" \
    "attachment: Umowa_serwisowa-Głogów.pdf"
assert_eq "the body's word" "$ATT" "$(ids zalaczniku)"
"$TRIAGECTL" -c "$CONF" forget piotr@klient.example.pl --yes >/dev/null ||
    fail "forget failed"
assert_eq "a forgotten person's file name finds nothing" "" "$(ids glogow)"
assert_eq "nor the words of their mail" "" "$(ids zalaczniku)"

# PostgreSQL: a store whose messages were there before its search index
# (an upgrade from a version without it) gets the index filled at the
# daemon's start, as the migration that made the index asks
# (store_info 'search_fill'): emptied here and asked again, the next
# start fills it, a forgotten person's file name still left out.
if [ "${TRIAGED_TEST_DB:-sqlite}" = pg ]; then
	# documents go in in tsvector's binary form (search_tok.h): each as
	# PostgreSQL reads its own text form of it, the invoice's exactly
	docs_ok() {
		assert_eq "$1: documents as their text form reads them" 0 \
		    "$(db_sql "SELECT count(*) FROM message_tsv
		    WHERE doc <> doc::text::tsvector")"
		assert_eq "$1: the invoice's document" "$INV_DOC" \
		    "$(db_sql "SELECT t.doc::text FROM message_tsv t
		    JOIN messages m ON m.id = t.id
		    WHERE m.message_id = 'inv1@customer.example.org'")"
	}
	INV_DOC="'42':17 'arrived':20 'bob':6B,9B 'customer':10B 'example':11B"
	INV_DOC="$INV_DOC 'for':3A,18 'invoice':2A,7B,15 'late':1A,21"
	INV_DOC="$INV_DOC 'march':4A,19 'number':16 'org':12B 'the':14"
	docs_ok "stored"
	stop_triaged
	db_sql "DELETE FROM message_tsv" "DELETE FROM attachment_tsv" \
	    "INSERT INTO store_info (key, value) VALUES ('search_fill', '1')"
	assert_eq "the index emptied" "" "$(ids zolw)"
	start_triaged
	assert_eq "filled at start: zolw" "$PL" "$(ids zolw)"
	assert_eq "filled at start: the note" "$INV" "$(ids courier)"
	assert_eq "filled at start: the koi8-r body" "$RUID" "$(ids вопрос)"
	assert_eq "filled at start: no forgotten file name" "" "$(ids glogow)"
	docs_ok "filled"
	assert_eq "filled once" "" "$(db_sql "SELECT key FROM store_info
	    WHERE key = 'search_fill'")"
fi

# SQLite: a message left out of the index (written while the daemon was
# stopped, as its writer leaves one) is said to be missing from a search,
# and the daemon's timer indexes it after a start.
if ! on_pg; then
	stop_triaged
	db_sql "INSERT INTO messages (ticket_id, direction, from_addr, subject,
	    body, created_at) VALUES ($INV, 'in', 'bob@customer.example.org',
	    'Wombat', 'a wombat in the warehouse', 1)"
	assert_eq "pending: not found yet" "" "$(ids wombat)"
	assert_contains "pending: said so" "$("$TRIAGECTL" -c "$CONF" search 	    wombat 2>&1 >/dev/null)" "1 newest message is not in the index yet"
	start_triaged
	wait_for '[ "$(ids wombat)" = "$INV" ]' 10 ||
	    fail "the daemon did not index the pending message"
	assert_eq "indexed: nothing said" "" "$("$TRIAGECTL" -c "$CONF" 	    search wombat 2>&1 >/dev/null)"
fi

# Queries that are not: one clear line, exit 1, no crash.
for q in '"open quote' '-only' 'OR' 'a OR' '*'; do
	rc=0
	"$TRIAGECTL" -c "$CONF" search -- "$q" >err.out 2>err.log || rc=$?
	assert_eq "exit status for [$q]" 1 "$rc"
	assert_contains "why, for [$q]" "$(cat err.log)" "triagectl: search:"
	assert_eq "one line for [$q]" 1 "$(wc -l <err.log | tr -d ' ')"
done
# FTS5's syntax typed by a person is only words, never an error
for q in 'NEAR(invoice march)' 'subject:invoice' '{subject}: x' \
    'invoice AND NOT' '^invoice' 'a"b"' "it's"; do
	"$TRIAGECTL" -c "$CONF" search "$q" >ok.out 2>ok.log ||
	    fail "[$q] failed: $(cat ok.log)"
done
rc=0
"$TRIAGECTL" -c "$CONF" search >/dev/null 2>&1 || rc=$?
assert_eq "no words: usage" 2 "$rc"

stop_triaged
exit 0
