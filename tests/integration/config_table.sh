#!/bin/sh
#
# config_table.sh (issue 12 stage 5): the schema table (`triaged
# --settings`, config_schema.c), the shipped conf/triaged.conf and
# README's settings table agree.  Every setting of the table appears in
# conf/triaged.conf, set or in a commented example, at its place (inside
# its group or list); README's table between its markers is exactly the
# table's output, and a setting missing from either side is named.
# The files may be given instead (CONF_FILE, README_FILE), which is how
# the test is shown to fail on a file with one setting removed.

. "${top_srcdir:-$(dirname "$0")/../..}/tests/integration/lib.sh"

CONF_FILE=${CONF_FILE:-$top_srcdir/conf/triaged.conf}
README_FILE=${README_FILE:-$top_srcdir/README.md}

"$TRIAGED" --settings >"$WORK/table.md" ||
	fail "triaged --settings failed"

# compare TABLE CONF README: prints one line per disagreement.
compare() {
	"$PYTHON" - "$1" "$2" "$3" <<'EOF'
import re, sys

table = [l for l in open(sys.argv[1], encoding="utf-8").read().splitlines()
         if l.startswith("| `")]
schema = [re.match(r"\| `([^`]+)`", l).group(1) for l in table]
problems = []

# conf/triaged.conf: its settings and its commented examples (a "#"
# line alone, then commented code up to a blank line, as config_check.sh
# reads them), read as libconfig (names, groups, lists) into dotted paths
# like the table's.
text = open(sys.argv[2], encoding="utf-8").read()
code = [l for l in text.splitlines() if not l.lstrip().startswith("#")]
for block in text.split("\n\n"):
    lines = block.strip("\n").split("\n")
    if "#" not in lines:
        continue
    ex = lines[lines.index("#") + 1:]
    if ex and all(l.startswith("#") for l in ex):
        code += [l[2:] if l.startswith("# ") else l[1:] for l in ex]
# a commented alternative, "# secret = ...;", counts as shown
code = [re.sub(r"^(\s*)#+\s*(?=[a-z_][a-z0-9_]* = .*;\s*$)", r"\1", l)
        for l in code]
text = "\n".join(code)
text = re.sub(r'"(\\.|[^"\\])*"', '""', text)
text = re.sub(r"#[^\n]*|//[^\n]*", "", text)
found = set()
stack = []          # (name or None, kind)
name = None
for tok in re.findall(r"[A-Za-z_*][-A-Za-z0-9_*]*\s*[=:]|[{}()\[\];,]", text):
    if tok[-1] in "=:":
        name = tok[:-1].strip()
        path = [n for n, _ in stack if n is not None] + [name]
        found.add(".".join(path))
        continue
    if tok in "{([":
        stack.append((name, tok))
        name = None
    elif tok in "})]":
        if stack:
            stack.pop()
        name = None
    else:
        name = None

def present(path):
    if path in found:
        return True
    if path.endswith(".*"):         # a group of any names (canned)
        return any(f.startswith(path[:-1]) for f in found)
    if path.startswith("rules.if.field"):  # inside a condition
        leaf = path[len("rules.if.field"):]
        return any(f.startswith("rules.if.") and
                   (leaf == "" or f.endswith(leaf)) for f in found)
    return False

for p in schema:
    if not present(p):
        problems.append("%s: not in %s" % (p, sys.argv[2]))

# README: the block between the markers is the table, row for row.
readme = open(sys.argv[3], encoding="utf-8").read()
m = re.search(r"<!-- settings: begin[^\n]*-->\n(.*?)<!-- settings: end -->",
              readme, re.S)
if m is None:
    problems.append("README: no settings table between "
                    "<!-- settings: begin --> and <!-- settings: end -->")
else:
    rows = [l for l in m.group(1).splitlines() if l.startswith("| `")]
    documented = [re.match(r"\| `([^`]+)`", l).group(1) for l in rows]
    for p in schema:
        if p not in documented:
            problems.append("%s: not in README's settings table" % p)
    for p in documented:
        if p not in schema:
            problems.append("%s: in README's settings table, not in the "
                            "schema" % p)
    if not problems and rows != table:
        for a, b in zip(rows, table):
            if a != b:
                problems.append("README's row differs from the table: "
                                "%s (regenerate: triaged --settings)" % b)
for p in problems:
    print(p)
EOF
}

OUT=$(compare "$WORK/table.md" "$CONF_FILE" "$README_FILE")
if [ -n "$OUT" ]; then
	printf '%s\n' "$OUT" >&2
	fail "the settings table, $CONF_FILE and $README_FILE disagree"
fi

# The check can fail: one setting taken out of each file is named.
sed '/attach_max = /d' "$CONF_FILE" >"$WORK/less.conf"
OUT=$(compare "$WORK/table.md" "$WORK/less.conf" "$README_FILE")
assert_contains "a setting missing from the config" "$OUT" \
    "notifications.attach_max: not in $WORK/less.conf"
sed '/^| `agents.calendar`/d' "$README_FILE" >"$WORK/less.md"
OUT=$(compare "$WORK/table.md" "$CONF_FILE" "$WORK/less.md")
assert_contains "a setting missing from README" "$OUT" \
    "agents.calendar: not in README's settings table"
echo "PASS: $(grep -c '^| `' "$WORK/table.md") settings agree"
