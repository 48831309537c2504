/* SPDX-License-Identifier: MIT */

/* Expiry, on the fake clock of the fixture so that nothing sleeps. The contract: an expired entry is
 * invisible to every read at once; it is removed lazily by the next call or actively by
 * store_expire_due() at its deadline, and each removal is an `expire` change carrying the previous
 * value; one sweep is one revision. */

#include "store-fixture.h"

static int compare_strings(const void *a, const void *b) {
        return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The changes since the last call, sorted: within a group, a sweep removes rows in no promised order. */
static const char *sorted_changes(Fixture *f) {
        g_auto(GStrv) parts = g_strsplit(changes(f), "; ", -1);

        qsort(parts, g_strv_length(parts), sizeof(char *), compare_strings);
        return keep(f, g_strjoinv("; ", parts));
}

/* ---- visibility ---- */

/* go-store SetWithTTL_Good, SetWithTTL_Good_FutureTTLAccessible */
static void test_readable_before_deadline(Fixture *f, UNUSED) {
        set_ttl(f, NULL, "g", "k", "v", 5 * SEC);
        f->now = T0 + 5 * SEC - 1;
        g_assert_cmpstr(get(f, NULL, "g", "k"), ==, "v");
        g_assert_cmpuint(count(f, NULL, "g"), ==, 1);
}

/* go-store SetWithTTL_Good_ExpiresOnGet: live means expires_usec > now, so the deadline itself is late. */
static void test_invisible_to_get_at_deadline(Fixture *f, UNUSED) {
        StoreError e = {};

        set_ttl(f, NULL, "g", "k", "v", 5 * SEC);
        f->now = T0 + 5 * SEC;
        g_assert_cmpint(get_error(f, NULL, "g", "k", false, &e), ==, -STORE_E_NOT_FOUND);
}

static void set_one_expiring_one_permanent(Fixture *f) {
        set_ttl(f, NULL, "g", "temp", "t", 1 * SEC);
        set(f, NULL, "g", "perm", "p");
        set_ttl(f, NULL, "only-temp", "k", "t", 1 * SEC);
        f->now += 2 * SEC;
}

/* go-store SetWithTTL_Good_ExcludedFromCount */
static void test_invisible_to_count(Fixture *f, UNUSED) {
        set_one_expiring_one_permanent(f);
        g_assert_cmpuint(count(f, NULL, "g"), ==, 1);
        g_assert_cmpuint(count(f, NULL, "only-temp"), ==, 0);
}

/* go-store CountAll_Good_ExcludesExpired */
static void test_invisible_to_count_all(Fixture *f, UNUSED) {
        set_one_expiring_one_permanent(f);
        g_assert_cmpuint(count_all(f, NULL, ""), ==, 1);
}

/* go-store Groups_Good_ExcludesExpired: a group whose keys all expired is gone */
static void test_invisible_to_groups(Fixture *f, UNUSED) {
        set_one_expiring_one_permanent(f);
        g_assert_cmpstr(groups(f, NULL, ""), ==, "g");
}

/* go-store SetWithTTL_Good_ExcludedFromGetAll */
static void test_invisible_to_list(Fixture *f, UNUSED) {
        set_one_expiring_one_permanent(f);
        g_assert_cmpstr(list(f, NULL, "g"), ==, "perm=p");
        g_assert_cmpstr(list_page(f, NULL, "g", 0, 1), ==, "perm=p");
}

static void test_invisible_to_stat(Fixture *f, UNUSED) {
        StoreError e = {};
        StoreStat st;

        set_ttl(f, NULL, "g", "k", "v", 1 * SEC);
        f->now += 1 * SEC;
        g_assert_cmpint(store_stat(f->store, NULL, "g", "k", &st, &e), ==, -STORE_E_NOT_FOUND);
}

/* go-store ScopedStore_Good_SetWithTTL_Expires */
static void test_expires_in_namespace(Fixture *f, UNUSED) {
        set_ttl(f, "tenant-a", "config", "k", "v", 1 * SEC);
        changes(f);
        f->now += 1 * SEC;
        g_assert_null(get(f, "tenant-a", "config", "k"));
        g_assert_cmpstr(changes(f), ==, "expire tenant-a:config/k=v @2");
}

/* A deadline past INT64_MAX must not wrap into the past: such a key is simply permanent in practice. */
static void test_huge_ttl_stays_visible_everywhere(Fixture *f, UNUSED) {
        set_ttl(f, NULL, "g", "k", "v", UINT64_MAX);
        g_assert_cmpstr(get(f, NULL, "g", "k"), ==, "v");
        g_assert_cmpuint(count(f, NULL, "g"), ==, 1);
        g_assert_cmpuint(count_all(f, NULL, ""), ==, 1);
        g_assert_cmpstr(groups(f, NULL, ""), ==, "g");
        g_assert_cmpstr(list(f, NULL, "g"), ==, "k=v");
        g_assert_cmpuint(stat_of(f, NULL, "g", "k").expires_usec, >, T0);
        g_assert_cmpuint(purge(f, NULL), ==, 0);
}

/* ---- removal and its changes ---- */

/* A read removes what is due: one expire change with the previous value, a revision of its own. */
static void test_expired_key_removed_on_read(Fixture *f, UNUSED) {
        set_ttl(f, NULL, "g", "k", "last words", 1 * SEC);
        changes(f);
        f->now += 1 * SEC;
        g_assert_null(get(f, NULL, "g", "k"));
        g_assert_cmpuint(f->n_commits, ==, 1);
        g_assert_cmpstr(changes(f), ==, "expire g/k=last words @2");
        g_assert_cmpuint(store_revision(f->store), ==, 2);

        g_assert_null(get(f, NULL, "g", "k"));
        g_assert_cmpuint(count(f, NULL, "g"), ==, 0);
        g_assert_cmpstr(changes(f), ==, "");
        g_assert_cmpuint(store_revision(f->store), ==, 2);
}

/* Any call sweeps every due entry, in every group, as one revision. */
static void test_read_sweeps_every_due_entry_at_once(Fixture *f, UNUSED) {
        set_ttl(f, NULL, "g", "a", "1", 1 * SEC);
        set_ttl(f, NULL, "g", "b", "2", 2 * SEC);
        set_ttl(f, NULL, "h", "c", "3", 3 * SEC);
        set_ttl(f, NULL, "h", "d", "4", 10 * SEC);
        changes(f);
        f->now += 3 * SEC;
        g_assert_cmpuint(count(f, NULL, "unrelated"), ==, 0);
        g_assert_cmpuint(f->n_commits, ==, 1);
        g_assert_cmpstr(sorted_changes(f), ==, "expire g/a=1 @5; expire g/b=2 @5; expire h/c=3 @5");
        g_assert_cmpuint(count_all(f, NULL, ""), ==, 1);
}

static void test_next_expiry_is_zero_without_deadlines(Fixture *f, UNUSED) {
        set(f, NULL, "g", "k", "v");
        g_assert_cmpuint(store_next_expiry(f->store), ==, 0);
}

static void test_next_expiry_is_earliest_deadline(Fixture *f, UNUSED) {
        set_ttl(f, NULL, "g", "a", "v", 30 * SEC);
        set_ttl(f, NULL, "g", "b", "v", 10 * SEC);
        set_ttl(f, NULL, "g", "c", "v", 20 * SEC);
        set(f, NULL, "g", "d", "v");
        g_assert_cmpuint(store_next_expiry(f->store), ==, T0 + 10 * SEC);
}

static void test_next_expiry_moves_on_after_expiry(Fixture *f, UNUSED) {
        StoreError e = {};

        set_ttl(f, NULL, "g", "a", "v", 10 * SEC);
        set_ttl(f, NULL, "g", "b", "v", 20 * SEC);
        f->now = T0 + 10 * SEC;
        g_assert_cmpint(store_expire_due(f->store, &e), ==, 0);
        g_assert_cmpuint(store_next_expiry(f->store), ==, T0 + 20 * SEC);
        f->now = T0 + 20 * SEC;
        g_assert_cmpint(store_expire_due(f->store, &e), ==, 0);
        g_assert_cmpuint(store_next_expiry(f->store), ==, 0);
}

/* What the daemon's timer calls: every due entry, one revision, one expire change each. */
static void test_expire_due_is_one_revision(Fixture *f, UNUSED) {
        StoreError e = {};

        set_ttl(f, NULL, "g", "a", "1", 1 * SEC);
        set_ttl(f, NULL, "g", "b", "2", 1 * SEC);
        set_ttl(f, "tenant-a", "g", "c", "3", 2 * SEC);
        set_ttl(f, NULL, "g", "later", "4", 60 * SEC);
        changes(f);
        f->now += 2 * SEC;
        g_assert_cmpint(store_expire_due(f->store, &e), ==, 0);
        g_assert_cmpuint(store_revision(f->store), ==, 5);
        g_assert_cmpuint(f->n_commits, ==, 1);
        g_assert_cmpstr(sorted_changes(f), ==, "expire g/a=1 @5; expire g/b=2 @5; expire tenant-a:g/c=3 @5");
        g_assert_cmpstr(list(f, NULL, "g"), ==, "later=4");
}

static void test_expire_due_with_nothing_due_changes_nothing(Fixture *f, UNUSED) {
        StoreError e = {};

        set_ttl(f, NULL, "g", "a", "1", 10 * SEC);
        changes(f);
        f->now += 9 * SEC;
        g_assert_cmpint(store_expire_due(f->store, &e), ==, 0);
        g_assert_cmpuint(store_revision(f->store), ==, 1);
        g_assert_cmpstr(changes(f), ==, "");
}

/* The deadline estimate may be early (its key was deleted); the sweep that finds nothing leaves no trace. */
static void test_sweep_of_stale_deadline_leaves_no_trace(Fixture *f, UNUSED) {
        set_ttl(f, NULL, "g", "k", "v", 10 * SEC);
        set(f, NULL, "g", "other", "v");
        del(f, NULL, "g", "k");
        changes(f);
        f->now += 11 * SEC;
        g_assert_cmpstr(get(f, NULL, "g", "other"), ==, "v");
        g_assert_cmpuint(store_revision(f->store), ==, 3);
        g_assert_cmpstr(changes(f), ==, "");
        g_assert_cmpuint(store_next_expiry(f->store), ==, 0);
}

/* go-store SetWithTTL_Good_Upsert: the latest value and the latest deadline win. */
static void test_set_with_ttl_upsert(Fixture *f, UNUSED) {
        set_ttl(f, NULL, "g", "k", "v1", 10 * SEC);
        f->now += 5 * SEC;
        set_ttl(f, NULL, "g", "k", "v2", 10 * SEC);
        g_assert_cmpstr(get(f, NULL, "g", "k"), ==, "v2");
        g_assert_cmpuint(count(f, NULL, "g"), ==, 1);
        f->now = T0 + 15 * SEC - 1;
        g_assert_cmpstr(get(f, NULL, "g", "k"), ==, "v2");
        f->now = T0 + 15 * SEC;
        g_assert_null(get(f, NULL, "g", "k"));
}

/* go-store SetWithTTL_Good_SetClearsTTL */
static void test_set_after_ttl_survives_old_deadline(Fixture *f, UNUSED) {
        set_ttl(f, NULL, "g", "k", "v1", 1 * SEC);
        set(f, NULL, "g", "k", "v2");
        changes(f);
        f->now += 60 * SEC;
        g_assert_cmpstr(get(f, NULL, "g", "k"), ==, "v2");
        g_assert_cmpstr(changes(f), ==, "");
}

/* go-store Watch_Good_SetWithTTLEmitsEvent */
static void test_set_with_ttl_change_carries_value(Fixture *f, UNUSED) {
        set_ttl(f, NULL, "g", "k", "v", 1 * SEC);
        g_assert_cmpstr(changes(f), ==, "set g/k=v @1");
}

/* After expiry the key is new again: version 1, the expiry and the set are two revisions. */
static void test_rewrite_after_expiry_is_a_new_key(Fixture *f, UNUSED) {
        set_ttl(f, NULL, "g", "k", "v", 1 * SEC);
        set_ttl(f, NULL, "g", "k", "v2", 1 * SEC);
        changes(f);
        f->now += 1 * SEC;
        g_assert_cmpuint(set(f, NULL, "g", "k", "v2"), ==, 4);
        g_assert_cmpstr(changes(f), ==, "expire g/k=v2 @3; set g/k=v2 @4");
        g_assert_cmpuint(stat_of(f, NULL, "g", "k").version, ==, 1);
}

/* "delete of an expired key" is not a delete: the key was already gone. */
static void test_delete_of_expired_key_is_not_a_delete(Fixture *f, UNUSED) {
        set_ttl(f, NULL, "g", "k", "v", 1 * SEC);
        changes(f);
        f->now += 1 * SEC;
        g_assert_cmpuint(del(f, NULL, "g", "k"), ==, 2);
        g_assert_cmpstr(changes(f), ==, "expire g/k=v @2");
}

static void test_delete_group_of_expired_group_is_not_a_delete(Fixture *f, UNUSED) {
        set_ttl(f, NULL, "g", "a", "1", 1 * SEC);
        set_ttl(f, NULL, "g", "b", "2", 1 * SEC);
        changes(f);
        f->now += 1 * SEC;
        g_assert_cmpuint(delete_group(f, NULL, "g"), ==, 3);
        g_assert_cmpstr(sorted_changes(f), ==, "expire g/a=1 @3; expire g/b=2 @3");
}

/* ---- PurgeExpired ---- */

/* go-store PurgeExpired_Good: it returns how many it removed, with their changes as one revision. */
static void test_purge_returns_number_removed(Fixture *f, UNUSED) {
        set_ttl(f, NULL, "g", "a", "1", 1 * SEC);
        set_ttl(f, NULL, "g", "b", "2", 1 * SEC);
        set(f, NULL, "g", "c", "3");
        changes(f);
        f->now += 2 * SEC;
        g_assert_cmpuint(purge(f, NULL), ==, 2);
        g_assert_cmpuint(f->n_commits, ==, 1);
        g_assert_cmpstr(sorted_changes(f), ==, "expire g/a=1 @4; expire g/b=2 @4");
        g_assert_cmpuint(count(f, NULL, "g"), ==, 1);
}

/* go-store PurgeExpired_Good_NoneExpired */
static void test_purge_with_nothing_expired_returns_zero(Fixture *f, UNUSED) {
        set(f, NULL, "g", "a", "1");
        set_ttl(f, NULL, "g", "b", "2", 60 * SEC);
        changes(f);
        g_assert_cmpuint(purge(f, NULL), ==, 0);
        g_assert_cmpuint(store_revision(f->store), ==, 2);
        g_assert_cmpstr(changes(f), ==, "");
}

/* go-store PurgeExpired_Good_Empty */
static void test_purge_of_empty_store_returns_zero(Fixture *f, UNUSED) {
        g_assert_cmpuint(purge(f, NULL), ==, 0);
        g_assert_cmpuint(purge(f, "tenant-a"), ==, 0);
}

/* The timer usually gets there first; then PurgeExpired finds nothing. */
static void test_purge_after_sweep_returns_zero(Fixture *f, UNUSED) {
        StoreError e = {};

        set_ttl(f, NULL, "g", "a", "1", 1 * SEC);
        f->now += 1 * SEC;
        g_assert_cmpint(store_expire_due(f->store, &e), ==, 0);
        g_assert_cmpuint(purge(f, NULL), ==, 0);
}

/* go-store ScopedStore_Good_PurgeExpired_NamespaceLocal */
static void test_purge_in_namespace_only_touches_it(Fixture *f, UNUSED) {
        set_ttl(f, "tenant-a", "g", "k", "a", 1 * SEC);
        set_ttl(f, "tenant-b", "g", "k", "b", 1 * SEC);
        set_ttl(f, NULL, "g", "k", "root", 1 * SEC);
        changes(f);
        f->now += 1 * SEC;
        g_assert_cmpuint(purge(f, "tenant-a"), ==, 1);
        g_assert_cmpstr(changes(f), ==, "expire tenant-a:g/k=a @4");
        g_assert_cmpuint(purge(f, "tenant-b"), ==, 1);
        g_assert_cmpstr(changes(f), ==, "expire tenant-b:g/k=b @5");
        g_assert_cmpuint(purge(f, NULL), ==, 1);
        g_assert_cmpstr(changes(f), ==, "expire g/k=root @6");
}

/* The scope is "N:": purging "tenant" leaves "tenant-a" alone. */
static void test_purge_in_namespace_skips_longer_namesake(Fixture *f, UNUSED) {
        set_ttl(f, "tenant-a", "g", "k", "a", 1 * SEC);
        f->now += 1 * SEC;
        g_assert_cmpuint(purge(f, "tenant"), ==, 0);
        g_assert_cmpuint(purge(f, "tenant-a"), ==, 1);
}

int main(int argc, char *argv[]) {
        g_test_init(&argc, &argv, NULL);

        TEST("/store/ttl/readable-before-deadline", test_readable_before_deadline);
        TEST("/store/ttl/invisible-to-get-at-deadline", test_invisible_to_get_at_deadline);
        TEST("/store/ttl/expired-key-invisible-to-count", test_invisible_to_count);
        TEST("/store/ttl/expired-key-invisible-to-count-all", test_invisible_to_count_all);
        TEST("/store/ttl/expired-key-invisible-to-groups", test_invisible_to_groups);
        TEST("/store/ttl/expired-key-invisible-to-list", test_invisible_to_list);
        TEST("/store/ttl/expired-key-invisible-to-stat", test_invisible_to_stat);
        TEST("/store/ttl/expires-in-namespace", test_expires_in_namespace);
        TEST("/store/ttl/huge-ttl-stays-visible-everywhere", test_huge_ttl_stays_visible_everywhere);

        TEST("/store/ttl/expired-key-removed-on-read", test_expired_key_removed_on_read);
        TEST("/store/ttl/read-sweeps-every-due-entry-at-once", test_read_sweeps_every_due_entry_at_once);
        TEST("/store/ttl/next-expiry-zero-without-deadlines", test_next_expiry_is_zero_without_deadlines);
        TEST("/store/ttl/next-expiry-is-earliest-deadline", test_next_expiry_is_earliest_deadline);
        TEST("/store/ttl/next-expiry-moves-on-after-expiry", test_next_expiry_moves_on_after_expiry);
        TEST("/store/ttl/expire-due-is-one-revision", test_expire_due_is_one_revision);
        TEST("/store/ttl/expire-due-with-nothing-due-changes-nothing",
                test_expire_due_with_nothing_due_changes_nothing);
        TEST("/store/ttl/sweep-of-stale-deadline-leaves-no-trace", test_sweep_of_stale_deadline_leaves_no_trace);
        TEST("/store/ttl/set-with-ttl-upsert", test_set_with_ttl_upsert);
        TEST("/store/ttl/set-after-ttl-survives-old-deadline", test_set_after_ttl_survives_old_deadline);
        TEST("/store/ttl/set-with-ttl-change-carries-value", test_set_with_ttl_change_carries_value);
        TEST("/store/ttl/rewrite-after-expiry-is-a-new-key", test_rewrite_after_expiry_is_a_new_key);
        TEST("/store/ttl/delete-of-expired-key-is-not-a-delete", test_delete_of_expired_key_is_not_a_delete);
        TEST("/store/ttl/delete-group-of-expired-group-is-not-a-delete",
                test_delete_group_of_expired_group_is_not_a_delete);

        TEST("/store/purge/returns-number-removed", test_purge_returns_number_removed);
        TEST("/store/purge/nothing-expired-returns-zero", test_purge_with_nothing_expired_returns_zero);
        TEST("/store/purge/empty-store-returns-zero", test_purge_of_empty_store_returns_zero);
        TEST("/store/purge/after-sweep-returns-zero", test_purge_after_sweep_returns_zero);
        TEST("/store/purge/namespace-only-touches-it", test_purge_in_namespace_only_touches_it);
        TEST("/store/purge/namespace-skips-longer-namesake", test_purge_in_namespace_skips_longer_namesake);

        return g_test_run();
}
