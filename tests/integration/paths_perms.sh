#!/bin/sh
#
# paths_perms.sh (issue 13, "Safe config handling", "Privileges"):
# - relative paths of a config (database, outgoing.maildir, the reply key
#   beside the database) are relative to the config file's directory,
#   whatever directory triaged, triagectl or `triaged inject` run in;
#   `triaged -t -v` prints them resolved;
# - a database, or its -wal, open to others is refused at start with one
#   clear line naming the file and the fix; 0640 starts.

. "${top_srcdir:-$(dirname "$0")/../..}/tests/integration/lib.sh"

write_config
mkdir -p "$WORK/etc" "$WORK/elsewhere"
sed -e 's|^database = .*|database = "./var/triaged.db";|' \
    -e "s|maildir = \".*\";|maildir = \"spool/outgoing\";|" \
    "$CONF" >"$WORK/etc/triaged.conf"
cat >>"$WORK/etc/triaged.conf" <<EOF
agents = ( { name = "anna"; addresses = [ "anna@example.test" ]; } );
EOF
grep -q '^database = "./var/triaged.db";' "$WORK/etc/triaged.conf" ||
    fail "test config not rewritten"
CONF=$WORK/etc/triaged.conf
DB=$WORK/etc/var/triaged.db

out=$(cd "$WORK/elsewhere" && "$TRIAGED" -t -v -c ../etc/triaged.conf) ||
    fail "triaged -t -v: $out"
printf '%s\n' "$out"
assert_contains "-t -v: the database" "$out" "database $DB"
assert_contains "-t -v: the reply key" "$out" "reply key $DB.reply-key"
assert_contains "-t -v: the maildir" "$out" \
    "outgoing maildir $WORK/etc/spool/outgoing"
[ ! -e "$WORK/etc/var" ] || fail "triaged -t -v made $WORK/etc/var"

# The daemon run from elsewhere puts everything beside its config.
cd "$WORK/elsewhere"
start_triaged "$CONF"
cd "$WORK"
[ -f "$DB" ] || fail "no database at $DB"
[ -f "$DB.reply-key" ] || fail "no reply key at $DB.reply-key"
make_msg m1.eml --from 'Karl <karl@customer.example.org>' --subject 'one'
out=$(lmtp_send m1.eml)
assert_contains "delivery" "$(reply_of "$out")" "ticket #1"
wait_for '[ -n "$(ls "$WORK/etc/spool/outgoing/new" 2>/dev/null)" ]' 30 ||
    fail "nothing in $WORK/etc/spool/outgoing/new"
make_msg m2.eml --from 'Lena <lena@customer.example.org>' --subject 'two'
rc=0
(cd / && "$TRIAGED" inject -c "$CONF" -f lena@customer.example.org \
    -r "$SUPPORT" <"$WORK/m2.eml") 2>"$WORK/inject.1.log" || rc=$?
assert_eq "inject from / with the config's relative paths" 0 "$rc"
n=$(cd / && "$TRIAGECTL" -c "$CONF" --json list | json_get 'len(d["requests"])')
assert_eq "triagectl from / lists both" 2 "$n"
[ ! -e "$WORK/elsewhere/var" ] && [ ! -e /var/triaged.db ] ||
    fail "a relative path was taken from the working directory"
stop_triaged

# Open to others: refused, one line; the WAL too.
chmod 0644 "$DB"
rc=0
"$TRIAGED" -c "$CONF" 2>refused.log </dev/null || rc=$?
cat refused.log
assert_eq "a database readable by others" 1 "$rc"
assert_eq "one line about it" 1 "$(grep -c 'open to others' refused.log)"
assert_contains "names the file and the fix" "$(cat refused.log)" \
    "database $DB is open to others (mode 0644)"
assert_contains "names the fix" "$(cat refused.log)" "chmod o-rwx $DB*"
chmod 0640 "$DB"
touch "$DB-wal"
chmod 0604 "$DB-wal"
rc=0
"$TRIAGED" -c "$CONF" 2>refused2.log </dev/null || rc=$?
assert_eq "a WAL readable by others" 1 "$rc"
assert_contains "names the WAL" "$(cat refused2.log)" "$DB-wal is open"
chmod 0640 "$DB-wal"
start_triaged "$CONF"
assert_eq "the requests after the refusals" 2 "$(requests_count)"
stop_triaged
