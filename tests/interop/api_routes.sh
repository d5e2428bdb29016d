#!/usr/bin/env bash
# api_routes.sh — docs/api.md lists exactly the routes each daemon serves:
# the "Route tables" section is what `eseal-issuerd --routes`,
# `eseal-publisherd --routes` and `eseal-verifierd --routes` print (method,
# path, permission, body limit with the default configuration). With
# --update it rewrites that section instead of comparing.
#
# Needs ESEAL_ISSUERD, ESEAL_PUBLISHERD and ESEAL_VERIFIERD.
set -euo pipefail
: "${ESEAL_ISSUERD:?set ESEAL_ISSUERD to the eseal-issuerd binary}"
: "${ESEAL_PUBLISHERD:?set ESEAL_PUBLISHERD to the eseal-publisherd binary}"
: "${ESEAL_VERIFIERD:?set ESEAL_VERIFIERD to the eseal-verifierd binary}"
doc="$(cd "$(dirname "$0")/../.." && pwd)/docs/api.md"
fail() { echo "api_routes: $*" >&2; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

for bin in "$ESEAL_ISSUERD" "$ESEAL_PUBLISHERD" "$ESEAL_VERIFIERD"; do
    name=$(basename "$bin")
    "$bin" --routes >"$tmp/$name.md" || fail "$name --routes"
    # the table is not empty and every row has its four cells
    [ "$(grep -c '^| \(GET\|POST\|PUT\|DELETE\) | `/' "$tmp/$name.md")" -gt 0 ] || fail "$name: no routes"
    grep -q "<!-- routes: $name -->" "$doc" || fail "docs/api.md has no route table for $name"
    # the block between the markers, markers excluded
    awk -v m="<!-- routes: $name -->" '$0 == m {on = 1; next} on && /^<!-- end routes -->$/ {exit} on' \
        "$doc" >"$tmp/$name.doc"
    if [ "${1:-}" = --update ]; then
        awk -v m="<!-- routes: $name -->" -v f="$tmp/$name.md" '
            $0 == m {print; while ((getline l < f) > 0) print l; skip = 1; next}
            skip && /^<!-- end routes -->$/ {skip = 0}
            !skip' "$doc" >"$tmp/doc.new"
        cat "$tmp/doc.new" >"$doc"
    elif ! diff -u "$tmp/$name.doc" "$tmp/$name.md"; then
        fail "docs/api.md's table for $name differs from '$name --routes' (run $0 --update)"
    fi
done
echo "api_routes: docs/api.md lists every route of the three daemons"
