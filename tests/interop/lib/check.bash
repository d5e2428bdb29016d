# check.bash — the assertions the CLI interop scripts share. Source it after
# cd'ing into the test's temporary directory: outputs land in check.out and
# refused.out/.err there. Each assertion that holds adds one to $passed.
# shellcheck shell=bash

passed=0
fail() {
    echo "FAIL: $*" >&2
    exit 1
}
# check DESCRIPTION COMMAND...: COMMAND must succeed; stdout and stderr in check.out.
check() {
    local what=$1
    shift
    if "$@" >check.out 2>&1; then
        passed=$((passed + 1))
    else
        cat check.out >&2
        fail "$what"
    fi
}
# check_grep DESCRIPTION PATTERN FILE: FILE must contain the regex PATTERN.
check_grep() {
    grep -Eq -- "$2" "$3" || { echo "--- $3:" >&2; cat "$3" >&2; fail "$1: no /$2/ in $3"; }
    passed=$((passed + 1))
}
# check_eq DESCRIPTION GOT WANT
check_eq() {
    [ "$2" = "$3" ] || fail "$1: got '$2', want '$3'"
    passed=$((passed + 1))
}
# refused DESCRIPTION CODE OUTFILE COMMAND...: COMMAND must exit with CODE
# and leave no OUTFILE; on stderr, code 1 gives a one-line "eseal: " reason,
# code 2 (usage error) the usage text.
refused() {
    local what=$1 want=$2 out=$3
    shift 3
    local rc=0
    "$@" >refused.out 2>refused.err || rc=$?
    if [ "$rc" -ne "$want" ]; then
        cat refused.out refused.err >&2
        fail "$what: exit $rc, want $want"
    fi
    [ -s refused.err ] || fail "$what: nothing on stderr"
    if [ "$want" -eq 1 ]; then
        [ "$(wc -l <refused.err)" -eq 1 ] || { cat refused.err >&2; fail "$what: reason is not one line"; }
        grep -q '^eseal: ' refused.err || { cat refused.err >&2; fail "$what: stderr lacks 'eseal: '"; }
    else
        grep -q 'usage' refused.err || { cat refused.err >&2; fail "$what: no usage text"; }
    fi
    if [ -n "$out" ] && [ -e "$out" ]; then
        fail "$what: left $out behind"
    fi
    passed=$((passed + 1))
}
