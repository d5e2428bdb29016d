#!/usr/bin/env bash
# verify.sh — detached-signature verifications per second on one core with a
# warm cache (`eseal verify --batch --jobs 1` over N signed documents made
# with one seal: the seal-maker signature and the chains are verified once,
# each document costs its digest and its own SM2 signature), next to the SM2
# verify rate of `openssl speed -seconds 3 sm2` measured in the same run.
# Both rates are per CPU second, as openssl speed counts them. A benchmark,
# not a test: it prints numbers and judges only the target (>= 0.8 x the
# SM2 verify rate).
#
# usage: tools/bench/verify.sh [ESEAL_BINARY]
#   ESEAL_BINARY  default $ESEAL, else build/normal/tools/eseal
#   COUNT         signed documents (default 3000)
#   REPEAT        runs (default 3; the best is kept)
#   DOC_BYTES     size of each document (default 4096)
set -euo pipefail

here=$(cd "$(dirname "$0")/../.." && pwd)
eseal=${1:-${ESEAL:-$here/build/normal/tools/eseal}}
[ -x "$eseal" ] || { echo "verify.sh: no eseal binary at $eseal (build first, or pass its path)" >&2; exit 2; }
count=${COUNT:-3000}
repeat=${REPEAT:-3}
doc_bytes=${DOC_BYTES:-4096}
command -v openssl >/dev/null || { echo "verify.sh: needs openssl" >&2; exit 2; }
[ -x /usr/bin/time ] || { echo "verify.sh: needs /usr/bin/time (apt-get install time)" >&2; exit 2; }

work=$(mktemp -d "${TMPDIR:-/tmp}/eseal-bench-verify.XXXXXX")
trap 'rm -rf "$work"' EXIT
cd "$work"
export ESEAL_PASSPHRASE='benchmark passphrase' ESEAL_PIN='123456'

# one seal in a token, N documents each stamped with it
# shellcheck source=lib/seal.bash
. "$here/tools/bench/lib/seal.bash"
bench_make_seal
mkdir docs
echo "making $count signed documents of $doc_bytes bytes ..." >&2
# Stamping costs a process each: make 50 distinct ones and copy them, so
# every document still has its own digest check and signature to verify.
for i in $(seq 1 50); do
    head -c "$doc_bytes" /dev/urandom >"docs/d$i"
    "$eseal" stamp --token tok "docs/d$i" -o "docs/d$i.ses" >/dev/null
done
for i in $(seq 51 "$count"); do
    j=$(((i % 50) + 1))
    cp "docs/d$j" "docs/d$i"
    cp "docs/d$j.ses" "docs/d$i.ses"
done

echo "eseal verify benchmark — $(date -u +%Y-%m-%dT%H:%M:%SZ)"
echo "machine: $(nproc) CPUs, $(uname -sr), $(openssl version)"
echo "$count detached signatures over $doc_bytes-byte documents, one seal, --jobs 1, --no-status"
echo

best=0
for run in $(seq 1 "$repeat"); do
    sm2=$(openssl speed -seconds 3 sm2 2>/dev/null | awk '/SM2/ { print $NF }')
    rc=0
    /usr/bin/time -f '%e %U %S' -o time.txt \
        "$eseal" verify --batch docs --jobs 1 --trust ca/root.pem --no-status --quiet >out.txt 2>err.txt || rc=$?
    [ "$rc" = 0 ] || { cat err.txt >&2; echo "verify.sh: the batch did not pass (exit $rc)" >&2; exit 1; }
    grep -q "^$count verified" err.txt || { cat err.txt >&2; echo "verify.sh: not every document was verified" >&2; exit 1; }
    # openssl speed counts operations per second of CPU time (user time),
    # so the batch is measured the same way: per CPU second it used (user +
    # system), which a loaded machine does not distort; wall time is shown.
    read -r wall user sys <time.txt
    rate=$(echo "$count $user $sys" | awk '{ printf "%.0f", $1 / ($2 + $3) }')
    wrate=$(echo "$count $wall" | awk '{ printf "%.0f", $1 / $2 }')
    ratio=$(echo "$rate $sm2" | awk '{ printf "%.2f", $1 / $2 }')
    echo "run $run: $rate verifications per CPU second ($wrate/s wall); openssl speed sm2 verify: $sm2/s; ratio $ratio"
    best=$(echo "$best $ratio" | awk '{ print ($2 > $1) ? $2 : $1 }')
done
echo
if awk -v r="$best" 'BEGIN { exit !(r >= 0.8) }'; then
    echo "target met: best ratio $best >= 0.8 x the SM2 verify rate"
else
    echo "target NOT met: best ratio $best < 0.8 x the SM2 verify rate"
fi
