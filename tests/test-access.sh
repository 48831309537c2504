#!/bin/bash
# SPDX-License-Identifier: MIT
# Who may do what, against the real polkitd evaluating the project's own .policy and .rules, with
# clients as other uids (setpriv). Runs in a private mount namespace (see tests/lib/world.sh). TAP.
set -u
. "$(dirname "$0")/lib/world.sh"
world_enter_private_mounts "$@"

n=0
failed=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
not_ok() { n=$((n + 1)); failed=$((failed + 1)); echo "not ok $n - $1"; shift; printf '#   %s\n' "$@"; }

NS=/org/example/Store/namespace
# call USER PATH INTERFACE METHOD SIGNATURE ARGS…
call() {
        local user=$1 path=$2 iface=$3
        shift 3
        world_as "$user" busctl --system call org.example.Store "$path" "$iface" "$@"
}
# allowed NAME USER ARGS…: the call succeeds.
allowed() {
        local name=$1 out
        shift
        if out=$(call "$@" 2>&1); then ok "$name"; else not_ok "$name" "expected success, got: $out"; fi
}
# denied NAME USER ARGS…: the call fails with AccessDenied.
denied() {
        local name=$1 out
        shift
        out=$(SYSTEMD_LOG_LEVEL=debug call "$@" 2>&1)
        if [ $? -ne 0 ] && grep -q "error-name=org.freedesktop.DBus.Error.AccessDenied" <<<"$out"; then
                ok "$name"
        else
                not_ok "$name" "expected AccessDenied, got: $(grep -o 'error-name=[^ ]*' <<<"$out" | tail -1) $(tail -1 <<<"$out")"
        fi
}

world_start_bus || exit 1
world_start_polkit || exit 1
world_start_daemon || exit 1

S=org.example.Store
M=org.example.Store.Manager
call root /org/example/Store $S Set sss tenant-b:data k secret-of-b >/dev/null
call root /org/example/Store $S Set sss tenant-a:data k value-of-a >/dev/null

# A plain uid: its own namespace, and nothing else.
allowed "a plain uid writes its self namespace" bob $NS/self $S Set sss notes k v
allowed "a plain uid reads its self namespace" bob $NS/self $S Get ss notes k
allowed "a plain uid reaches its namespace by name too" bob $NS/uid_2d61002 $S Get ss notes k
denied "a plain uid may not read the root object" bob /org/example/Store $S Get ss tenant-a:data k
denied "a plain uid may not write the root object" bob /org/example/Store $S Set sss x k v
denied "a plain uid may not read another namespace" bob $NS/tenant_2da $S Get ss data k
denied "a plain uid may not read another uid's namespace" bob $NS/uid_2d61001 $S Count s notes
denied "a plain uid may not list namespaces" bob /org/example/Store $M ListNamespaces
denied "a plain uid may not set quotas" bob /org/example/Store $M SetQuota sttt uid-61002 0 0 0
allowed "a plain uid may call GetNamespace" bob /org/example/Store $M GetNamespace s tenant-a
if out=$(world_as bob busctl --system get-property org.example.Store /org/example/Store $M Version Revision 2>&1); then
        ok "a plain uid may read Version and Revision"
else
        not_ok "a plain uid may read Version and Revision" "$out"
fi
if out=$(SYSTEMD_LOG_LEVEL=debug world_as bob busctl --system get-property org.example.Store $NS/tenant_2da org.example.Store.Namespace Keys 2>&1); then
        not_ok "a plain uid may not read another namespace's Keys property" "got: $out"
else
        ok "a plain uid may not read another namespace's Keys property"
fi
if out=$(world_as bob busctl --system get-property org.example.Store $NS/self org.example.Store.Namespace Name Keys 2>&1) &&
        [ "$out" = $'s "uid-61002"\nt 1' ]; then
        ok "a plain uid reads its own namespace's properties"
else
        not_ok "a plain uid reads its own namespace's properties" "got: $out"
fi

# store-tenant-a: tenant-a and not tenant-b.
allowed "a member of store-tenant-a reads tenant-a" alice $NS/tenant_2da $S Get ss data k
allowed "a member of store-tenant-a writes tenant-a" alice $NS/tenant_2da $S Set sss data k2 v2
allowed "a member of store-tenant-a reads tenant-a's quota" alice /org/example/Store $M GetQuota s tenant-a
denied "a member of store-tenant-a may not read tenant-b" alice $NS/tenant_2db $S Get ss data k
denied "a member of store-tenant-a may not write tenant-b" alice $NS/tenant_2db $S Set sss data k v
denied "a member of store-tenant-a may not read tenant-b's quota" alice /org/example/Store $M GetQuota s tenant-b
denied "a member of store-tenant-a may not use the root object" alice /org/example/Store $S Get ss tenant-a:data k

# store-admin: everything.
allowed "store-admin may read the root object" carol /org/example/Store $S Get ss tenant-b:data k
allowed "store-admin may list namespaces" carol /org/example/Store $M ListNamespaces
allowed "store-admin may set a quota" carol /org/example/Store $M SetQuota sttt tenant-a 100 10 0
allowed "store-admin may read any namespace (manage covers it)" carol $NS/tenant_2db $S Get ss data k

# Without polkitd, only a caller's own namespace (and root) remain.
world_stop_polkit
denied "without polkitd a member of store-tenant-a is denied tenant-a" alice $NS/tenant_2da $S Get ss data k
denied "without polkitd store-admin is denied the root object" carol /org/example/Store $S Get ss tenant-b:data k
allowed "without polkitd a plain uid still has its self namespace" bob $NS/self $S Get ss notes k
allowed "without polkitd root still has everything" root /org/example/Store $S Get ss tenant-b:data k

echo "1..$n"
exit $((failed > 0))
