#!/bin/bash
# SPDX-License-Identifier: MIT
# The daemon through busctl, the tool people type: the calls of the README, error names, and the
# introspection busctl shows. TAP output.
set -u
. "$(dirname "$0")/lib/world.sh"

n=0
failed=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
not_ok() { n=$((n + 1)); failed=$((failed + 1)); echo "not ok $n - $1"; shift; printf '#   %s\n' "$@"; }

# expect NAME EXPECTED-OUTPUT COMMAND…: stdout (or stderr on failure) must equal EXPECTED.
expect() {
        local name=$1 want=$2 got
        shift 2
        got=$("$@" 2>&1)
        if [ "$got" = "$want" ]; then ok "$name"; else not_ok "$name" "expected: $want" "got:      $got"; fi
}

# expect_error NAME ERROR-NAME COMMAND…: the call fails and busctl names the D-Bus error.
expect_error() {
        local name=$1 want=$2 got
        shift 2
        got=$(SYSTEMD_LOG_LEVEL=debug "$@" 2>&1)
        if [ $? -ne 0 ] && grep -qF "$want" <<<"$got"; then ok "$name"; else not_ok "$name" "expected error $want" "got: $got"; fi
}

store() { busctl --system call org.example.Store /org/example/Store org.example.Store "$@"; }

world_start_bus || exit 1
world_start_daemon || exit 1

expect "Set returns the revision" "t 1" store Set sss config theme dark
expect "Get returns the value" 's "dark"' store Get ss config theme
expect "identical Set is a no-op (revision unchanged)" "t 1" store Set sss config theme dark
expect "GetAll lists the group" 'a{ss} 1 "theme" "dark"' store GetAll s config
expect "Count" "t 1" store Count s config
expect "Groups" 'as 1 "config"' store Groups s ""
expect "GetFields splits on white space" 'as 3 "a" "b" "c"' sh -c 'busctl --system call org.example.Store /org/example/Store org.example.Store Set sss f k "a  b	c" >/dev/null && busctl --system call org.example.Store /org/example/Store org.example.Store GetFields ss f k'
expect "Delete of a missing key keeps the revision" "t 2" store Delete ss config missing
expect_error "Get of a missing key is NotFound" org.example.Store.Error.NotFound store Get ss config missing
expect_error "SetWithTTL of 0 is InvalidArgs" org.freedesktop.DBus.Error.InvalidArgs store SetWithTTL ssst config k v 0
expect_error "a wrong signature is InvalidArgs" org.freedesktop.DBus.Error.InvalidArgs store Get s config
expect "Render fills a template from the group" 's "theme=dark"' store Render ss "theme={{ .theme }}" config
expect_error "Render of a broken template is a Template error" org.example.Store.Error.Template store Render ss "{{ .x" config
expect "the daemon still serves after bad input" 's "dark"' store Get ss config theme
expect "Revision property" "t 2" busctl --system get-property org.example.Store /org/example/Store org.example.Store.Manager Revision
expect_error "another uid is denied" org.freedesktop.DBus.Error.AccessDenied \
        setpriv --reuid=65534 --regid=65534 --clear-groups busctl --system call org.example.Store /org/example/Store org.example.Store Get ss config theme
expect "another uid may read Version" "s \"$("$STORED_BINARY" --version | cut -d' ' -f2)\"" \
        setpriv --reuid=65534 --regid=65534 --clear-groups busctl --system get-property org.example.Store /org/example/Store org.example.Store.Manager Version

world_stop_daemon
world_start_daemon --max-value-bytes=16 --max-key-bytes=8 || exit 1
expect "data persists across a restart" 's "dark"' store Get ss config theme
expect "a value at the configured limit fits" "t 3" store Set sss config limit 0123456789abcdef
expect_error "a value over the configured limit is TooLarge" org.example.Store.Error.TooLarge \
        store Set sss config limit 0123456789abcdefg
expect_error "a key over the configured limit is TooLarge" org.example.Store.Error.TooLarge \
        store Set sss config 123456789 v
expect "nothing was written by the refused calls" 't 3' busctl --system get-property org.example.Store /org/example/Store org.example.Store.Manager Revision

members=$(busctl --system introspect --list org.example.Store /org/example/Store org.example.Store | awk '$2 == "method" || $2 == "signal" { print $1 }' | sort | tr '\n' ' ')
want=$(sed -n '/<interface name="org.example.Store">/,/<\/interface>/p' "$STORED_SOURCE_DIR/dbus/org.example.Store.xml" |
        grep -oE '<(method|signal) name="[A-Za-z]+"' | sed -E 's/.*name="([A-Za-z]+)"/.\1/' | sort | tr '\n' ' ')
if [ "$members" = "$want" ]; then ok "busctl introspect shows every member of the XML's org.example.Store"; else not_ok "introspection" "want: $want" "got:  $members"; fi

echo "1..$n"
exit $((failed > 0))
