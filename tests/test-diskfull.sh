#!/bin/bash
# SPDX-License-Identifier: MIT
# The database on a tiny file system (a 64 MiB tmpfs in a private mount namespace). When it fills,
# writes fail with org.example.Store.Error.Storage saying the disk is full and leave nothing behind;
# reads and deletes go on; writes work again as soon as there is room, without a restart. Both when
# stored filled the disk itself and when something else took the last byte. TAP.
set -u
. "$(dirname "$0")/lib/world.sh"
world_enter_private_mounts "$@"

n=0
failed=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
not_ok() { n=$((n + 1)); failed=$((failed + 1)); echo "not ok $n - $1"; shift; printf '#   %s\n' "$@"; }
check() { local name=$1; shift; if "$@"; then ok "$name"; else not_ok "$name" "failed: $*"; fi; }

world_start_bus || exit 1
DISK=$WORLD_DIR/disk
mkdir "$DISK"
mount -t tmpfs -o size=64M,mode=0755 stored-test "$DISK" || { echo "Bail out! cannot mount a tmpfs"; exit 1; }
# The mount must go before world_stop removes the directory.
trap 'world_stop_daemon; umount "$DISK" 2>/dev/null; world_stop' EXIT
DB=$DISK/store.db

# call METHOD SIGNATURE ARGS…: prints the reply, or "ERROR <name>: <message>" (exit 1).
call() {
        local out
        if out=$(SYSTEMD_LOG_LEVEL=debug busctl --system call org.example.Store /org/example/Store org.example.Store "$@" \
                2>"$WORLD_DIR/busctl.err"); then
                echo "$out"
                return 0
        fi
        echo "ERROR $(grep -o 'error-name=[^ ]*' "$WORLD_DIR/busctl.err" | tail -1 | cut -d= -f2):" \
                "$(grep '^Call failed: ' "$WORLD_DIR/busctl.err" | cut -d' ' -f3-)"
        return 1
}
revision() { busctl --system get-property org.example.Store /org/example/Store org.example.Store.Manager Revision; }
free_kib() { df -k --output=avail "$DISK" | tail -1 | tr -d ' '; }

BIG=$(head -c 49152 /dev/zero | tr '\0' 'x')     # 48 KiB
SMALL=$(head -c 4096 /dev/zero | tr '\0' 's')

world_start_daemon --database="$DB" || exit 1
for i in $(seq 20); do call Set sss keep "k$i" "kept-$i" >/dev/null || { echo "Bail out! first writes failed"; exit 1; }; done

# ---- stored fills the disk itself (beside a filler file that stands for everything else on it)
head -c $((32 * 1024 * 1024)) /dev/zero > "$DISK/filler"
written=0
err=
for i in $(seq 1000); do
        if ! err=$(call Set sss fill "f$i" "$BIG"); then break; fi
        written=$i
        err=
done
echo "# $written writes of 48 KiB were acknowledged before the disk was full ($(free_kib) KiB left free)"
check "writes fail once the disk is full" [ -n "$err" ]
check "with org.example.Store.Error.Storage" grep -q "^ERROR org.example.Store.Error.Storage:" <<<"$err"
check "saying the disk is full" grep -qi "disk is full" <<<"$err"
echo "# the error: $err"
rev_full=$(revision)

out=$(call Count s fill)
check "every acknowledged write is there, the failed one is not" [ "$out" = "t $written" ]
out=$(call Get ss fill "f$((written + 1))")
check "the failed write left no entry" grep -q "^ERROR org.example.Store.Error.NotFound" <<<"$out"
out=$(call SetAll 'sa{ss}' fill 3 a "$BIG" b "$BIG" c "$BIG")
check "a SetAll on the full disk fails as a whole" grep -q "^ERROR org.example.Store.Error.Storage" <<<"$out"
out=$(call Count s fill)
check "and writes none of its entries" [ "$out" = "t $written" ]
check "failed writes do not move the revision" [ "$(revision)" = "$rev_full" ]

out=$(call Get ss keep k7)
check "reads keep working on the full disk" [ "$out" = "s \"kept-7\"" ]
out=$(call Count s keep)
check "counts keep working on the full disk" [ "$out" = "t 20" ]

deleted=0
for i in $(seq 1 10); do call Delete ss keep "k$i" >/dev/null && deleted=$((deleted + 1)); done
check "deletes keep working on the full disk (10 of 10)" [ "$deleted" -eq 10 ]
out=$(call DeleteGroup s fill)
check "deleting a whole group works on the full disk" grep -q '^t ' <<<"$out"
out=$(call Count s fill)
check "and the group is gone" [ "$out" = "t 0" ]

rm "$DISK/filler"
out=$(call Set sss fill again "$BIG")
check "writes work again once space is freed, without a restart" grep -q '^t ' <<<"$out"
out=$(call Get ss keep k15)
check "what was kept is still there" [ "$out" = "s \"kept-15\"" ]

# ---- something else takes the last byte of the disk
for i in $(seq 100); do call Set sss fill "g$i" "$SMALL" >/dev/null; done
for i in $(seq 40); do call Set sss big "b$i" "$BIG" >/dev/null; done
check "before the filler: 100 small entries (and 'again') and 40 large ones written" \
        [ "$(call Count s fill) $(call Count s big)" = "t 101 t 40" ]
dd if=/dev/zero of="$DISK/filler" bs=64K status=none 2>/dev/null
echo "# the filler left $(free_kib) KiB free"
out=$(call Set sss fill after "$SMALL")
check "when another program fills the disk, writes fail with Storage" \
        grep -q "^ERROR org.example.Store.Error.Storage:.*disk is full" <<<"$out"
deleted=0
for i in $(seq 1 100); do call Delete ss fill "g$i" >/dev/null && deleted=$((deleted + 1)); done
check "deletes still work, on the reserve stored kept (100 of 100)" [ "$deleted" -eq 100 ]
check "and the 100 are gone" [ "$(call Count s fill)" = "t 1" ]
out=$(call DeleteGroup s big)
check "so does deleting 2 MiB of large values at once" grep -q '^t ' <<<"$out"
check "and the 40 are gone" [ "$(call Count s big)" = "t 0" ]
out=$(call Get ss keep k20)
check "reads still work" [ "$out" = "s \"kept-20\"" ]
rm "$DISK/filler"
out=$(call Set sss fill after "$SMALL")
check "writes work again once that program's file is gone" grep -q '^t ' <<<"$out"

world_stop_daemon
out=$(sqlite3 "$DB" "PRAGMA integrity_check" 2>&1)
check "the database passes integrity_check" [ "$out" = ok ]

echo "1..$n"
exit $((failed > 0))
