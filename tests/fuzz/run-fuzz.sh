#!/bin/sh
#
# run-fuzz.sh NAME.fuzz: one fuzz target's run for `make fuzz` (the test
# harness calls it once per tests/fuzz/*.fuzz, from the build directory).
#
# The descriptor NAME.fuzz (shell assignments) names the harness and
# where its seeds and dictionary are:
#   harness=fuzz_NAME          program in tests/fuzz/ of the build
#   dict=NAME.dict             in tests/fuzz/dict/ (optional)
#   corpus="mime replies"      folders of ../shared/corpus to seed from
#                              ("." for all of it; optional)
#   seeds="conf"               more seed folders of the source tree
#                              (optional)
#   seed_files="a.conf b.conf" more seed files of the source tree
#                              (optional)
#   options="-max_len=4096"    more libFuzzer options (optional)
# tests/fuzz/seeds/NAME/ always seeds it too.
#
# First every file of tests/fuzz/regressions/NAME/ is replayed (inputs
# that once crashed it; each must pass now), then the harness fuzzes for
# FUZZ_SECONDS (default 20) from tests/fuzz/work/NAME/corpus (kept
# between runs in the build directory: what a run learnt, the next starts
# from) plus the seeds.  Any crash, leak, timeout (FUZZ_TIMEOUT seconds
# for one input, default 10) or memory over FUZZ_RSS_MB (default 2048)
# fails the run; the input that did it is left in tests/fuzz/work/NAME/
# and named in the log, with how to replay it.
#
# Environment: top_srcdir, top_builddir, CORPUS_DIR (from
# AM_TESTS_ENVIRONMENT), FUZZ_SECONDS, FUZZ_TIMEOUT, FUZZ_RSS_MB.
set -u

desc=$1
name=$(basename "$desc" .fuzz)
srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
builddir=${top_builddir:-.}
seconds=${FUZZ_SECONDS:-20}
timeout=${FUZZ_TIMEOUT:-10}
rss=${FUZZ_RSS_MB:-2048}

harness= dict= corpus= seeds= seed_files= options=
. "$desc"

bin=$builddir/tests/fuzz/$harness
if [ ! -x "$bin" ]; then
	echo "run-fuzz: $bin is not built (configure CC=clang --enable-fuzzing)"
	exit 99
fi
work=$builddir/tests/fuzz/work/$name
mkdir -p "$work/corpus" "$work/artifacts" || exit 99

# Sanitizers: report leaks, stop at the first error; libFuzzer decides
# what is a crash.  A harness's own exit code 77 would read as SKIP to
# the test harness, so every failure is reported as 1 below.
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
LSAN_OPTIONS=suppressions=$srcdir/tests/fuzz/lsan.supp:print_suppressions=0
export ASAN_OPTIONS UBSAN_OPTIONS LSAN_OPTIONS

status=0
regressions=$srcdir/tests/fuzz/regressions/$name
if [ -d "$regressions" ] && [ -n "$(ls -A "$regressions")" ]; then
	echo "run-fuzz: $name: replaying $(ls "$regressions" | wc -l) regression input(s)"
	"$bin" -timeout="$timeout" -rss_limit_mb="$rss" "$regressions"/* ||
	    status=1
	if [ "$status" -ne 0 ]; then
		echo "run-fuzz: $name: a regression input fails again"
		exit 1
	fi
fi

set -- "$work/corpus"
[ -d "$srcdir/tests/fuzz/seeds/$name" ] && set -- "$@" "$srcdir/tests/fuzz/seeds/$name"
for d in $seeds; do
	[ -d "$srcdir/$d" ] && set -- "$@" "$srcdir/$d"
done
for d in $corpus; do
	if [ -n "${CORPUS_DIR:-}" ] && [ -d "$CORPUS_DIR/$d" ]; then
		set -- "$@" "$CORPUS_DIR/$d"
	else
		echo "run-fuzz: $name: no corpus folder ${CORPUS_DIR:-../shared/corpus}/$d; going on without it"
	fi
done
list=
for f in $seed_files; do
	[ -f "$srcdir/$f" ] && list=${list:+$list,}$srcdir/$f
done
[ -n "$list" ] && set -- -seed_inputs="$list" "$@"
if [ -n "$dict" ]; then
	set -- -dict="$srcdir/tests/fuzz/dict/$dict" "$@"
fi

echo "run-fuzz: $name: fuzzing for $seconds s: $bin $options $*"
# $options is a list of flags: split on blanks on purpose.
# shellcheck disable=SC2086
"$bin" -max_total_time="$seconds" -timeout="$timeout" \
    -rss_limit_mb="$rss" -print_final_stats=1 \
    -artifact_prefix="$work/artifacts/" $options "$@" || status=1

if [ "$status" -ne 0 ]; then
	echo
	echo "run-fuzz: $name FAILED; the input is in $work/artifacts/:"
	ls -l "$work/artifacts/"
	echo "Replay:   $bin FILE"
	echo "Minimise: $bin -minimize_crash=1 -runs=10000 FILE"
	echo "Fix the bug, then commit the input as"
	echo "tests/fuzz/regressions/$name/<short-name> so every run replays it."
	exit 1
fi
exit 0
