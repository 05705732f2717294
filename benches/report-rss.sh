#!/bin/sh
# Peak memory (RSS) and wall time of `jixiao score -o FILE` in every streamed report format, on a
# generated corpus (issue 15 item 1: below 200 MB for 1,000,000 documents). Not a test: a
# measurement, recorded in docs/performance.md.
#
#   benches/report-rss.sh [COUNT] [RUNS] [FORMATS]
#
# COUNT documents (default 1000000) are generated once into $JIXIAO_BENCH_DIR (default
# /tmp/jixiao-rss, about 2.9 KB a document), then each format is scored RUNS times (default 3)
# with the release binary ($JIXIAO_BIN, default target/release/jixiao; build it first with
# `cargo build --release`). Peak RSS and wall time come from /usr/bin/time (`apt-get install
# time`); each run's report is deleted after it, so disk use stays about one corpus and one
# report. Prints every run, then the medians as a Markdown table.
set -eu
count=${1:-1000000}
runs=${2:-3}
formats=${3:-"jsonl csv xlsx html"}
bin=${JIXIAO_BIN:-${CARGO_TARGET_DIR:-target}/release/jixiao}
dir=${JIXIAO_BENCH_DIR:-/tmp/jixiao-rss}
[ -x "$bin" ] || { echo "没有 $bin：先运行 cargo build --release（或设 JIXIAO_BIN）" >&2; exit 2; }
[ -x /usr/bin/time ] || { echo "没有 /usr/bin/time：apt-get install time" >&2; exit 2; }
mkdir -p "$dir"
corpus="$dir/corpus-$count.jsonl"
[ -s "$corpus" ] || "$bin" generate --count "$count" --seed 7 -o "$corpus"

median() { sort -n | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

results=""
for format in $formats; do
    out="$dir/report.$format"
    : > "$dir/times"
    i=0
    while [ "$i" -lt "$runs" ]; do
        i=$((i + 1))
        /usr/bin/time -f "%e %M" -o "$dir/time" \
            "$bin" score "$corpus" --format "$format" -o "$out" --quiet --fail-on never
        read -r wall kb < "$dir/time"
        size=$(du -sk "$out" | cut -f1)
        [ -d "$out.d" ] && size=$((size + $(du -sk "$out.d" | cut -f1)))
        echo "$format 第 $i 次 / run $i: ${wall} s, peak RSS $((kb / 1024)) MB, report $((size / 1024)) MB" >&2
        echo "$wall $kb" >> "$dir/times"
        rm -rf "$out" "$out.d" "$out.manifest.json"
    done
    wall=$(cut -d' ' -f1 "$dir/times" | median)
    kb=$(cut -d' ' -f2 "$dir/times" | median)
    all=$(cut -d' ' -f1 "$dir/times" | tr '\n' '/' | sed 's#/$##')
    results="$results| $format | $all | $wall s | $(awk "BEGIN { printf \"%.1f\", $kb / 1024 }") MB |
"
done
echo
echo "$count 份文档，$runs 次 / $count documents, $runs runs"
echo
echo "| 格式 / format | 墙钟 / wall (s) | 中位 / median | 峰值内存中位 / median peak RSS |"
echo "|---|---|---|---|"
printf "%s" "$results"
