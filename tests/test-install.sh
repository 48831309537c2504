#!/bin/bash
# SPDX-License-Identifier: MIT
# What `meson install` ships, checked in a DESTDIR tree: every file where Debian's own services put
# theirs, and each one validated with the tool that reads it here (dbus-daemon, xmllint and polkit's
# DTD, gdbus-codegen, systemd-analyze verify, systemd-sysusers and systemd-tmpfiles on the tree,
# groff, bash). TAP output.
#
# Usage: test-install.sh BUILD-DIR
set -u
BUILD=${1:?usage: test-install.sh BUILD-DIR}
: "${STORED_SOURCE_DIR:=$(cd "$(dirname "$0")/.." && pwd)}"
PY=/usr/bin/python3

n=0
failed=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
not_ok() { n=$((n + 1)); failed=$((failed + 1)); echo "not ok $n - $1"; shift; printf '#   %s\n' "$@"; }
skip() { n=$((n + 1)); echo "ok $n - $1 # SKIP $2"; }
check() { if eval "$2"; then ok "$1"; else not_ok "$1" "failed: $2"; fi; }
# run_ok NAME COMMAND…: the command succeeds; its output is shown if it does not.
run_ok() {
        local name=$1 out
        shift
        if out=$("$@" 2>&1); then ok "$name"; else not_ok "$name" "$*" "$out"; fi
}

DEST=$(mktemp -d -t stored-install-XXXXXX)
BUS_PID=
cleanup() {
        [ -z "$BUS_PID" ] || { kill "$BUS_PID" 2>/dev/null; wait "$BUS_PID" 2>/dev/null; }
        rm -rf "$DEST"
}
trap cleanup EXIT

option() {
        meson introspect --buildoptions "$BUILD" | $PY -c "import json, sys
print(next(o['value'] for o in json.load(sys.stdin) if o['name'] == '$1'))"
}
prefix=$(option prefix)
libexecdir=$prefix/$(option libexecdir)
bindir=$prefix/$(option bindir)
datadir=$prefix/$(option datadir)
mandir=$prefix/$(option mandir)
unitdir=$(pkg-config --variable=systemdsystemunitdir systemd 2>/dev/null) || unitdir=$prefix/lib/systemd/system
sysusersdir=$(pkg-config --variable=sysusersdir systemd 2>/dev/null) || sysusersdir=$prefix/lib/sysusers.d
tmpfilesdir=$(pkg-config --variable=tmpfilesdir systemd 2>/dev/null) || tmpfilesdir=$prefix/lib/tmpfiles.d
completionsdir=$(pkg-config --variable=completionsdir bash-completion 2>/dev/null) || completionsdir=$datadir/bash-completion/completions

run_ok "meson install --destdir into an empty tree" meson install -C "$BUILD" --destdir "$DEST" --no-rebuild --quiet
echo "# installed:"
(cd "$DEST" && find . -type f -o -type l | sort | sed 's|^\.|#   |')

# ---- the tree ----
check "the daemon, in libexecdir" '[ -x "$DEST$libexecdir/stored" ]'
check "storectl, in bindir" '[ -x "$DEST$bindir/storectl" ]'
check "the bus policy, in share/dbus-1/system.d" '[ -f "$DEST$datadir/dbus-1/system.d/org.example.Store.conf" ]'
check "the activation file, in share/dbus-1/system-services" '[ -f "$DEST$datadir/dbus-1/system-services/org.example.Store.service" ]'
check "the introspection XML, in share/dbus-1/interfaces" '[ -f "$DEST$datadir/dbus-1/interfaces/org.example.Store.xml" ]'
check "the polkit actions, in share/polkit-1/actions" '[ -f "$DEST$datadir/polkit-1/actions/org.example.Store.policy" ]'
check "the polkit rules, in share/polkit-1/rules.d" '[ -f "$DEST$datadir/polkit-1/rules.d/50-org.example.Store.rules" ]'
check "the unit, in systemd's unit directory ($unitdir)" '[ -f "$DEST$unitdir/stored.service" ]'
check "the sysusers.d snippet" '[ -f "$DEST$sysusersdir/stored.conf" ]'
check "the tmpfiles.d snippet" '[ -f "$DEST$tmpfilesdir/stored.conf" ]'
check "the example configuration, with the documentation" '[ -f "$DEST$datadir/doc/stored/stored.conf.example" ]'
check "nothing in /etc: the configuration file is the administrator's" '[ ! -e "$DEST${prefix%/usr}/etc" ] && [ ! -e "$DEST/etc" ]'
check "the man pages stored(8), storectl(1), stored.conf(5)" \
        '[ -f "$DEST$mandir/man8/stored.8" ] && [ -f "$DEST$mandir/man1/storectl.1" ] && [ -f "$DEST$mandir/man5/stored.conf.5" ]'
check "the bash completion" '[ -f "$DEST$completionsdir/storectl" ]'
check "installed files are the sources (bus policy, XML, policy, rules)" '
        cmp -s "$STORED_SOURCE_DIR/dbus/org.example.Store.conf" "$DEST$datadir/dbus-1/system.d/org.example.Store.conf" &&
        cmp -s "$STORED_SOURCE_DIR/dbus/org.example.Store.xml" "$DEST$datadir/dbus-1/interfaces/org.example.Store.xml" &&
        cmp -s "$STORED_SOURCE_DIR/polkit/org.example.Store.policy" "$DEST$datadir/polkit-1/actions/org.example.Store.policy" &&
        cmp -s "$STORED_SOURCE_DIR/polkit/org.example.Store.rules" "$DEST$datadir/polkit-1/rules.d/50-org.example.Store.rules"'

# ---- they agree with each other ----
unit=$DEST$unitdir/stored.service
activation=$DEST$datadir/dbus-1/system-services/org.example.Store.service
check "the unit starts the installed daemon" 'grep -qx "ExecStart=$libexecdir/stored" "$unit"'
check "the unit and the activation file name the same bus name and unit" '
        grep -qx "BusName=org.example.Store" "$unit" && grep -qx "Name=org.example.Store" "$activation" &&
        grep -qx "SystemdService=stored.service" "$activation"'
check "the unit runs as the user sysusers.d creates, which owns the polkit actions" '
        grep -qx "User=stored" "$unit" && grep -q "^u stored " "$DEST$sysusersdir/stored.conf" &&
        grep -q "unix-user:stored" "$DEST$datadir/polkit-1/actions/org.example.Store.policy"'
run_ok "the installed daemon runs" "$DEST$libexecdir/stored" --version
run_ok "the installed storectl runs" "$DEST$bindir/storectl" --version

# ---- each file passes the tool that reads it ----
for f in "$DEST$datadir/dbus-1/system.d/org.example.Store.conf" "$DEST$datadir/dbus-1/interfaces/org.example.Store.xml" \
        "$DEST$datadir/polkit-1/actions/org.example.Store.policy"; do
        run_ok "xmllint: $(basename "$f") is well-formed" xmllint --noout --nonet "$f"
done
if [ -f /usr/share/polkit-1/policyconfig-1.dtd ]; then
        run_ok "xmllint: the actions are valid against polkit's DTD" \
                xmllint --noout --nonet --dtdvalid /usr/share/polkit-1/policyconfig-1.dtd "$DEST$datadir/polkit-1/actions/org.example.Store.policy"
else
        skip "xmllint: the actions against polkit's DTD" "no /usr/share/polkit-1/policyconfig-1.dtd here"
fi
busconfig_dtd=$(ls /usr/share/xml/dbus-1/busconfig.dtd 2>/dev/null)
if [ -n "$busconfig_dtd" ]; then
        run_ok "xmllint: the bus policy is valid against D-Bus's DTD" \
                xmllint --noout --nonet --dtdvalid "$busconfig_dtd" "$DEST$datadir/dbus-1/system.d/org.example.Store.conf"
else
        skip "xmllint: the bus policy against D-Bus's DTD" "D-Bus's busconfig.dtd is not installed here; dbus-daemon reads it below"
fi

# dbus-daemon itself parses the installed policy: a system bus that includes it must start.
sed -e "s|@RUNTIME_DIR@|$DEST|" -e "s|<include>@SOURCE_DIR@/dbus/org.example.Store.conf</include>|<include>$DEST$datadir/dbus-1/system.d/org.example.Store.conf</include>|" \
        "$STORED_SOURCE_DIR/tests/bus/system-bus.conf.in" >"$DEST/bus.conf"
dbus-daemon --nofork --config-file="$DEST/bus.conf" --print-address=1 >"$DEST/bus.address" 2>"$DEST/bus.log" &
BUS_PID=$!
for _ in $(seq 200); do [ -s "$DEST/bus.address" ] && break; kill -0 "$BUS_PID" 2>/dev/null || break; sleep 0.02; done
check "dbus-daemon accepts the installed bus policy" \
        'grep -q "<include>$DEST$datadir/dbus-1/system.d/org.example.Store.conf</include>" "$DEST/bus.conf" && [ -s "$DEST/bus.address" ]'
[ -s "$DEST/bus.address" ] || echo "#   $(cat "$DEST/bus.log")"
kill "$BUS_PID" 2>/dev/null; wait "$BUS_PID" 2>/dev/null; BUS_PID=

mkdir -p "$DEST/codegen"
run_ok "gdbus-codegen reads the introspection XML" \
        gdbus-codegen --interface-prefix org.example. --output-directory "$DEST/codegen" --generate-c-code store \
        "$DEST$datadir/dbus-1/interfaces/org.example.Store.xml"
check "…which has the three interfaces" '[ "$(grep -c "<interface name=\"org.example.Store" "$DEST$datadir/dbus-1/interfaces/org.example.Store.xml")" = 3 ]'

# systemd-analyze verify needs the unit's command to exist where it says, and looks for the units it
# depends on on this machine (not in the tree): so a copy that points at the daemon in the tree is
# verified, with MANPATH pointing at the tree so that Documentation=man:stored(8) is checked too.
if command -v systemd-analyze >/dev/null && { [ -e /lib/systemd/system/dbus.socket ] || [ -e /usr/lib/systemd/system/dbus.socket ]; }; then
        mkdir -p "$DEST/verify"
        sed "s|^ExecStart=$libexecdir/stored|ExecStart=$DEST$libexecdir/stored|" "$unit" >"$DEST/verify/stored.service"
        run_ok "systemd-analyze verify: the unit" env MANPATH="$DEST$mandir" systemd-analyze verify "$DEST/verify/stored.service"
else
        skip "systemd-analyze verify: the unit" "systemd-analyze or dbus.socket is missing here"
fi

mkdir -p "$DEST/etc"
run_ok "systemd-sysusers creates the user in the tree" systemd-sysusers --root="$DEST"
check "…stored, with its home in /var/lib/stored" 'grep -q "^stored:x:[0-9]*:[0-9]*:.*:/var/lib/stored:" "$DEST/etc/passwd"'
run_ok "systemd-tmpfiles creates the state directory in the tree" systemd-tmpfiles --root="$DEST" --create "$DEST$tmpfilesdir/stored.conf"
check "…/var/lib/stored, 0700, owned by stored" \
        '[ "$(stat -c "%a %u" "$DEST/var/lib/stored")" = "700 $(grep "^stored:" "$DEST/etc/passwd" | cut -d: -f3)" ]'

for page in man8/stored.8 man1/storectl.1 man5/stored.conf.5; do
        if ! command -v groff >/dev/null; then
                skip "groff: $page renders without warnings" "no groff here"
                continue
        fi
        out=$(LC_ALL=C.UTF-8 groff -man -ww -z -Tutf8 "$DEST$mandir/$page" 2>&1)
        if [ -z "$out" ]; then ok "groff: $page renders without warnings"; else not_ok "groff: $page" "$out"; fi
done
if command -v man >/dev/null; then
        check "man finds the pages in the tree" 'MANPATH="$DEST$mandir" man -w storectl stored stored.conf >/dev/null 2>&1'
else
        skip "man finds the pages in the tree" "no man here"
fi
commands=$("$DEST$bindir/storectl" --help | sed -n 's/^  \([a-z-]*\) .*/\1/p' | sort -u | tr '\n' ' ')
missing=$($PY - "$DEST$mandir/man1/storectl.1" $commands <<'EOF'
import re, sys
page = open(sys.argv[1]).read().replace("\\-", "-")
documented = set(re.findall(r'^\.(?:B|BI|BR) "?([a-z-]+)', page, re.M))
print(" ".join(c for c in sys.argv[2:] if c not in documented))
EOF
)
check "the storectl page documents every command of --help" '[ -n "$commands" ] && [ -z "$missing" ] || { echo "#   missing: $missing"; false; }'

run_ok "bash -n: the completion" bash -n "$DEST$completionsdir/storectl"
check "the completion registers itself for storectl" \
        '[ "$(bash -c ". \"$DEST$completionsdir/storectl\"; complete -p storectl")" = "complete -F _storectl storectl" ]'

echo "1..$n"
exit $((failed > 0))
