#!/usr/bin/env bash
# help_examples.sh — issue #19's "usage lines match options": every --help
# of every `eseal` command is read as printed; each --option its usage lines
# name is one the command takes (getopt accepts it), and each "example:"
# line runs as printed and succeeds. The test's platform (platform.bash)
# stands in for the defaults an example names: its issuer and publisher for
# http://127.0.0.1:8441 and :8442, its seal for the esID 35000000000001.
#
# Needs ESEAL, ESEAL_ISSUERD, ESEAL_PUBLISHERD, curl, openssl and python3.
set -euo pipefail
ESEAL_TEST_NAME=help-examples
# shellcheck source=lib/platform.bash
. "$(dirname "$0")/lib/platform.bash"

export ESEAL_PASSPHRASE='correct horse battery staple'
mkdir examples
python3 - "$ESEAL" "$ibase" "$pbase" "$esid" <<'PY' || fail "--help of eseal"
import re, subprocess, sys

eseal, ibase, pbase, esid = sys.argv[1:]

def run(args, **kw):
    return subprocess.run(args, capture_output=True, text=True, **kw)

def listed(text):
    """The names a help text lists as commands: "  name   description"."""
    return re.findall(r"^  ([a-z][a-z-]*) {2,}\S", text, re.M)

commands = []
for group in listed(run([eseal, "--help"]).stdout):
    if group == "help":
        continue
    h = run([eseal, group, "--help"])
    assert h.returncode == 0, (group, h.stderr)
    if re.match(r"usage: eseal \S+ COMMAND", h.stdout):
        commands += [[group, sub] for sub in listed(h.stdout)]
    else:
        commands.append([group])

def synopsis(text):
    """The usage lines: "usage:" and the lines that continue it."""
    out, inside = [], False
    for line in text.splitlines():
        if line.startswith("usage:"):
            inside = True
        elif not re.match(r"\s+(\[|--|-[a-z] |\||eseal )", line):
            inside = False
        if inside:
            out.append(line)
    return "\n".join(out)

bad, examples = [], 0
for cmd in commands:
    h = run([eseal, *cmd, "--help"])
    assert h.returncode == 0 and h.stdout.startswith("usage: eseal " + " ".join(cmd)), (cmd, h)
    for opt in sorted(set(re.findall(r"--[a-z][a-z0-9-]*", synopsis(h.stdout)))):
        if opt == "--help":
            continue
        # with an argument, or as a switch: either way --help then prints the usage
        if all(run([eseal, *cmd, *form, "--help"]).returncode != 0
               for form in ([opt + "=x"], [opt])):
            bad.append("%s: the usage names %s, which it does not take" % (" ".join(cmd), opt))
    for ex in re.findall(r"^\s*example: (.+)$", h.stdout, re.M):
        examples += 1
        line = ex.replace("http://127.0.0.1:8441", ibase).replace("http://127.0.0.1:8442", pbase)
        line = line.replace("35000000000001", esid)
        assert line.startswith("eseal "), ex
        r = run(["bash", "-c", eseal + line[len("eseal"):]], cwd="examples")
        if r.returncode != 0:
            bad.append("%s: the example `%s` exits %d: %s" % (" ".join(cmd), ex, r.returncode,
                                                               r.stderr.strip()))
for b in bad:
    print("FAIL:", b, file=sys.stderr)
assert not bad
assert len(commands) > 30 and examples >= 2, (len(commands), examples)
print("%d commands, %d examples" % (len(commands), examples))
PY
ok
# the daemons' usage names the options as they are typed: --status-url, not --status_url
"$ESEAL_PUBLISHERD" --help | grep -E -- '--[a-z]+_[a-z]' && fail "eseal-publisherd --help names _ options"
"$ESEAL_ISSUERD" --help | grep -E -- '--[a-z]+_[a-z]' && fail "eseal-issuerd --help names _ options"
ok
echo "help_examples: $passed checks passed"
