#!/usr/bin/env bash
# verify_install.sh — libeseal-verify as a relying party gets it: `cmake
# --install` into a temporary prefix, the example compiled from the
# installed tree with nothing but `pkg-config --cflags --libs eseal-verify`,
# and run on a document stamped with the `eseal` command line (good,
# tampered, and a status source that cannot be reached). The example built
# in the build tree must say the same.
#
# Needs ESEAL, ESEAL_BUILD_DIR, ESEAL_VERIFY_EXAMPLE, cmake, cc and pkg-config.
set -euo pipefail
: "${ESEAL:?set ESEAL to the eseal binary}"
: "${ESEAL_BUILD_DIR:?set ESEAL_BUILD_DIR to the build directory}"
: "${ESEAL_VERIFY_EXAMPLE:?set ESEAL_VERIFY_EXAMPLE to the example built with the tree}"
for c in cmake cc pkg-config; do command -v "$c" >/dev/null; done

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
tmp=$(mktemp -d "${TMPDIR:-/tmp}/eseal-interop-verify-install.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
cd "$tmp"
fail() {
    echo "FAIL: $*" >&2
    exit 1
}
export ESEAL_PASSPHRASE='correct horse battery staple'
export ESEAL_PIN='123456'

# --- install and build against the installed tree --------------------------------------
cmake --install "$ESEAL_BUILD_DIR" --prefix "$tmp/prefix" >install.log || fail "cmake --install"
for f in lib/libeseal-verify.a lib/libeseal-core.a lib/pkgconfig/eseal-verify.pc \
    include/eseal/verify.h include/eseal/status.h bin/eseal-verifierd \
    share/doc/eseal/examples/verify_example.c; do
    [ -f "prefix/$f" ] || fail "not installed: $f"
done
export PKG_CONFIG_PATH="$tmp/prefix/lib/pkgconfig"
pkg-config --exists eseal-verify || fail "pkg-config does not find eseal-verify"
flags=()
# a sanitizer build installs instrumented archives: link the runtime too
grep -q '^ESEAL_SANITIZE:BOOL=ON' "$ESEAL_BUILD_DIR/CMakeCache.txt" &&
    flags=(-fsanitize=address,undefined)
# shellcheck disable=SC2046 # pkg-config's words are meant to split
cc -std=c11 -Wall -Wextra -Werror "${flags[@]}" prefix/share/doc/eseal/examples/verify_example.c \
    $(pkg-config --cflags --libs eseal-verify) -o verify_example 2>cc.err ||
    { cat cc.err >&2; fail "the example does not build against the installed tree"; }

# --- every installed header, linked with pkg-config only ----------------------------------
# installed_headers.c must include every installed header and call into it
# (a "calls: X.h" line): a new installed header without a call fails here.
src="$here/installed_headers.c"
n=0
for h in prefix/include/eseal/*.h; do
    b=$(basename "$h")
    grep -q "^#include \"eseal/$b\"" "$src" || fail "installed_headers.c does not include $b"
    grep -q "calls:.* $b" "$src" || fail "installed_headers.c calls nothing of $b"
    n=$((n + 1))
done
[ "$n" -ge 10 ] || fail "only $n headers installed"
# shellcheck disable=SC2046
cc -std=c11 -Wall -Wextra -Werror "${flags[@]}" "$src" $(pkg-config --cflags --libs eseal-verify) \
    -o installed_headers 2>cc.err ||
    { cat cc.err >&2; fail "a program calling every installed header does not build/link"; }
./installed_headers >hdr.out 2>&1 || { cat hdr.out >&2; fail "installed_headers failed"; }

# --- a stamped document, made with the command line ---------------------------------------
"$ESEAL" ca init --dir ca >/dev/null
"$ESEAL" token init --dir tok >/dev/null
"$ESEAL" token csr --dir tok --subject "/C=CN/O=福州市测试局/serialNumber=91350100M000100Y43" \
    --out unit.csr >/dev/null
"$ESEAL" ca issue --dir ca --csr unit.csr --profile unit --out unit.pem >/dev/null
printf '\x89PNG\r\n\x1a\nimpression' >seal.png
"$ESEAL" seal make --ca ca --cert unit.pem --esid 35010000000001 --name 福州市测试局 --type unit \
    --picture seal.png --width 40 --height 40 --out seal.esl >/dev/null
"$ESEAL" token import --dir tok --cert unit.pem --seal seal.esl >/dev/null
printf 'contract text / 合同正文\n' >contract.txt
"$ESEAL" stamp --token tok contract.txt -o contract.txt.ses >/dev/null
printf 'contract text / 合同正文 (changed)\n' >changed.txt

# want CODE WORD ARGS...: both examples exit CODE and print WORD
want() {
    local code=$1 word=$2 ex got
    shift 2
    for ex in ./verify_example "$ESEAL_VERIFY_EXAMPLE"; do
        got=0
        "$ex" "$@" >out.txt 2>&1 || got=$?
        [ "$got" = "$code" ] || { cat out.txt >&2; fail "$ex $*: exit $got, want $code"; }
        grep -q "$word" out.txt || { cat out.txt >&2; fail "$ex $*: no $word"; }
    done
}
want 0 TOTAL_PASSED contract.txt contract.txt.ses ca/root.pem
want 1 HASH_FAILURE changed.txt contract.txt.ses ca/root.pem
want 2 TRY_LATER contract.txt contract.txt.ses ca/root.pem http://127.0.0.1:1
want 3 usage contract.txt
echo "verify_install: passed"
