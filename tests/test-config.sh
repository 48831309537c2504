#!/bin/bash
# SPDX-License-Identifier: MIT
# The daemon's settings: the configuration file, its errors, and the command line over it. TAP.
set -u
. "$(dirname "$0")/lib/world.sh"

n=0
failed=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
not_ok() { n=$((n + 1)); failed=$((failed + 1)); echo "not ok $n - $1"; shift; printf '#   %s\n' "$@"; }

# refused NAME EXPECTED-MESSAGE-PART CONFIG-TEXT [ARGS…]: stored exits 2 at once, saying why.
refused() {
        local name=$1 want=$2 text=$3 out rc
        shift 3
        printf '%s\n' "$text" > "$WORLD_DIR/bad.conf"
        out=$(timeout 10 "$STORED_BINARY" --config="$WORLD_DIR/bad.conf" --database=:memory: "$@" 2>&1)
        rc=$?
        if [ $rc -eq 2 ] && grep -qF -- "$want" <<<"$out"; then ok "$name"; else not_ok "$name" "exit $rc, want 2 and: $want" "got: $out"; fi
}

world_start_bus || exit 1

refused "an unknown key names file, line and key" "bad.conf:3: unknown key Colour in section [Store]" \
        $'[Store]\n# a comment\nColour=blue'
refused "an unknown section is refused" "unknown key DefaultMaxKeys in section [Nope]" $'[Nope]\nDefaultMaxKeys=5'
refused "a bad number names the key and what is expected" 'bad.conf:2: bad value for DefaultMaxKeys: "many"' \
        $'[Namespaces]\nDefaultMaxKeys=many'
refused "a bad durability is refused" 'bad value for Durability: "sometimes" (expected full or normal)' \
        $'[Store]\nDurability=sometimes'
refused "a key outside a section is refused" "bad.conf:1: key Database is outside any [section]" 'Database=/x'
refused "a line without = is refused" "bad.conf:2: expected KEY=VALUE" $'[Store]\nDatabase'
refused "a bad command-line value is refused" 'bad value for --personal-namespaces: "maybe"' '' --personal-namespaces=maybe
refused "a zero size limit is refused" 'bad value for MaxValueBytes: "0"' $'[Store]\nMaxValueBytes=0'

out=$(timeout 10 "$STORED_BINARY" --config="$WORLD_DIR/does-not-exist.conf" 2>&1)
if [ $? -eq 2 ] && grep -q "does-not-exist.conf" <<<"$out"; then ok "a missing --config file is an error"; else not_ok "a missing --config file is an error" "$out"; fi

if "$STORED_BINARY" --help | grep -q -- "--default-max-keys"; then ok "--help lists the options"; else not_ok "--help lists the options"; fi
if "$STORED_BINARY" --version | grep -qE '^stored [0-9]'; then ok "--version prints the version"; else not_ok "--version"; fi

# A file sets the default quota; the command line overrides one key of it.
cat > "$WORLD_DIR/good.conf" <<'CONF'
# comments and blank lines are fine

[Namespaces]
DefaultMaxKeys = 5
DefaultMaxGroups=2K
[Store]
MaxValueBytes=8
CONF
world_start_daemon --config="$WORLD_DIR/good.conf" --default-max-keys=7 || exit 1
got=$(busctl --system call org.example.Store /org/example/Store org.example.Store.Manager GetQuota s tenant-x 2>&1)
if [ "$got" = "ttt 7 2048 67108864" ]; then ok "file and command line combine, the command line wins"; else not_ok "file and command line combine" "got: $got"; fi
got=$(busctl --system call org.example.Store /org/example/Store org.example.Store Set sss g k 123456789 2>&1)
if grep -q "over the limit of 8 bytes" <<<"$got"; then ok "MaxValueBytes from the file applies"; else not_ok "MaxValueBytes from the file applies" "got: $got"; fi
world_stop_daemon

# The shipped example, all commented out, is a valid configuration.
world_start_daemon --config="$STORED_SOURCE_DIR/service/stored.conf.example" || exit 1
got=$(busctl --system call org.example.Store /org/example/Store org.example.Store.Manager GetQuota s tenant-x 2>&1)
if [ "$got" = "ttt 10000 1000 67108864" ]; then ok "the example configuration loads and gives the built-in defaults"; else not_ok "example config" "got: $got"; fi

echo "1..$n"
exit $((failed > 0))
