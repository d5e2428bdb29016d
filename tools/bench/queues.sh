#!/usr/bin/env bash
# queues.sh — how fast the staff console's lists are with many submissions:
# runs eseal-bench-queues (tools/bench/queues.c), which loads COUNT
# synthetic submissions straight into a new issuer store through the library
# (progress on stderr; a few seconds to a minute), has the issuer build its
# index at open, and prints pages per second of a state page, a deep page, a
# filtered page, searches, an agent's scoped list and the work queues, each
# with its ratio to a raw RocksDB prefix scan of as many index keys (the
# baseline, measured in the same run on the same store). A benchmark, not a
# test: it prints numbers and judges nothing; never run in CI.
#
# usage: tools/bench/queues.sh [BUILD_DIR]
#   BUILD_DIR   default: build/normal
#   BENCH_DIR   where the data goes (default: a new directory under $TMPDIR)
#   COUNT       submissions (default 100000)
set -euo pipefail

here=$(cd "$(dirname "$0")/../.." && pwd)
build=$(cd "${1:-$here/build/normal}" && pwd)
bin=$build/tools/eseal-bench-queues
[ -x "$bin" ] || { echo "queues.sh: no $bin (build first, or pass the build directory)" >&2; exit 2; }
if [ -n "${BENCH_DIR:-}" ]; then
    mkdir -p "$BENCH_DIR"
    work=$(mktemp -d "$BENCH_DIR/eseal-bench.XXXXXX")
else
    work=$(mktemp -d "${TMPDIR:-/tmp}/eseal-bench.XXXXXX")
fi
trap 'rm -rf "$work"' EXIT
"$bin" "$work" "${COUNT:-100000}"
