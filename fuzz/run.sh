#!/bin/sh
# Runs one fuzz target for a fixed time on a scratch copy of its committed seed corpus, so the
# grown corpus never lands in fuzz/corpus/ (see docs/fuzzing.md).
#   fuzz/run.sh TARGET SECONDS [extra cargo-fuzz flags, e.g. -s none]
set -eu
target=$1
secs=$2
shift 2
cd "$(dirname "$0")"
mkdir -p "corpus-run/$target" "artifacts/$target"
cp -n "corpus/$target"/* "corpus-run/$target/" 2>/dev/null || true
RUSTC_BOOTSTRAP=1 exec cargo fuzz run -O "$@" "$target" "corpus-run/$target" -- \
    -max_total_time="$secs" -print_final_stats=1 -rss_limit_mb=4096 -timeout=10 -max_len=65536
