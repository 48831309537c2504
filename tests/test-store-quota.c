/* SPDX-License-Identifier: MIT */

/* Namespaces as a whole: quotas (go-store's Quota tests, and the contract's rules: only a counter that
 * goes up can break a quota, root writes ignore quotas but are counted), usage counters, the quota in
 * force, listing and deleting namespaces. */

#include "store-fixture.h"

static void quota_set(Fixture *f, const char *ns, uint64_t max_keys, uint64_t max_groups, uint64_t max_bytes) {
        StoreError e = {};

        g_assert_cmpint(store_quota_set(f->store, ns, &(StoreQuota){ max_keys, max_groups, max_bytes }, &e), ==, 0);
}

/* The quota in force as "keys/groups/bytes", with " (own)" when the namespace has one of its own. */
static const char *quota_get(Fixture *f, const char *ns) {
        StoreQuota q = {};
        StoreError e = {};
        bool explicit = false;

        g_assert_cmpint(store_quota_get(f->store, ns, &q, &explicit, &e), ==, 0);
        return keep(f, g_strdup_printf("%" G_GUINT64_FORMAT "/%" G_GUINT64_FORMAT "/%" G_GUINT64_FORMAT "%s",
                               q.max_keys, q.max_groups, q.max_bytes, explicit ? " (own)" : ""));
}

/* Usage as "keys/groups/bytes". */
static const char *usage(Fixture *f, const char *ns) {
        StoreUsage u = {};
        StoreError e = {};

        g_assert_cmpint(store_namespace_usage(f->store, ns, &u, &e), ==, 0);
        return keep(f, g_strdup_printf("%" G_GUINT64_FORMAT "/%" G_GUINT64_FORMAT "/%" G_GUINT64_FORMAT, u.keys,
                               u.groups, u.bytes));
}

static int append_namespace(const char *ns, const StoreUsage *u, const StoreQuota *q, void *userdata) {
        GString *out = userdata;

        if (out->len > 0)
                g_string_append_c(out, '|');
        g_string_append_printf(out,
                "%s %" G_GUINT64_FORMAT "/%" G_GUINT64_FORMAT "/%" G_GUINT64_FORMAT " quota %" G_GUINT64_FORMAT
                "/%" G_GUINT64_FORMAT "/%" G_GUINT64_FORMAT,
                ns, u->keys, u->groups, u->bytes, q->max_keys, q->max_groups, q->max_bytes);
        return 0;
}

/* Every listed namespace as "name usage quota quota-in-force", separated by "|". */
static const char *namespaces(Fixture *f) {
        GString *out = g_string_new(NULL);
        StoreError e = {};

        g_assert_cmpint(store_list_namespaces(f->store, append_namespace, out, &e), ==, 0);
        return keep(f, g_string_free(out, FALSE));
}

static uint64_t delete_namespace(Fixture *f, const char *ns) {
        StoreError e = {};
        uint64_t revision = UINT64_MAX;

        g_assert_cmpint(store_delete_namespace(f->store, ns, &revision, &e), ==, 0);
        g_assert_cmpuint(revision, ==, store_revision(f->store));
        return revision;
}

static void set_keys(Fixture *f, const char *ns, const char *group, int n) {
        for (int i = 0; i < n; i++) {
                char key[16];

                g_snprintf(key, sizeof(key), "k%d", i);
                set(f, ns, group, key, "v");
        }
}

/* A refused write: QuotaExceeded naming the counter, nothing written, nothing reported. */
static void assert_quota_refuses(Fixture *f, const char *ns, const char *group, const char *key, const char *value,
        const char *counter) {
        uint64_t revision = store_revision(f->store);
        g_autofree char *before = g_strdup(usage(f, ns));
        StoreError e = {};

        changes(f);
        g_assert_cmpint(try_set(f, ns, group, key, value, &e), ==, -STORE_E_QUOTA);
        g_assert_nonnull(strstr(e.message, counter));
        g_assert_nonnull(strstr(e.message, ns));
        g_assert_cmpuint(store_revision(f->store), ==, revision);
        g_assert_cmpstr(changes(f), ==, "");
        g_assert_cmpstr(usage(f, ns), ==, before);
}

/* ---- keys ---- */

/* go-store Quota_Good_MaxKeys */
static void test_max_keys_refuses_one_more(Fixture *f, UNUSED) {
        quota_set(f, "tenant-a", 5, 0, 0);
        set_keys(f, "tenant-a", "g", 5);
        assert_quota_refuses(f, "tenant-a", "g", "one-more", "v", "keys");
        g_assert_null(get(f, "tenant-a", "g", "one-more"));
}

/* go-store Quota_Good_MaxKeys_AcrossGroups */
static void test_max_keys_counts_across_groups(Fixture *f, UNUSED) {
        quota_set(f, "tenant-a", 3, 0, 0);
        set(f, "tenant-a", "g1", "k", "v");
        set(f, "tenant-a", "g2", "k", "v");
        set(f, "tenant-a", "g3", "k", "v");
        assert_quota_refuses(f, "tenant-a", "g4", "k", "v", "keys");
}

/* go-store Quota_Good_UpsertDoesNotCount */
static void test_upsert_at_max_keys_fits(Fixture *f, UNUSED) {
        quota_set(f, "tenant-a", 2, 0, 0);
        set_keys(f, "tenant-a", "g", 2);
        set(f, "tenant-a", "g", "k0", "new value");
        g_assert_cmpstr(get(f, "tenant-a", "g", "k0"), ==, "new value");
}

/* go-store Quota_Good_DeleteAndReInsert */
static void test_delete_frees_a_key(Fixture *f, UNUSED) {
        quota_set(f, "tenant-a", 2, 0, 0);
        set_keys(f, "tenant-a", "g", 2);
        assert_quota_refuses(f, "tenant-a", "g", "k2", "v", "keys");
        del(f, "tenant-a", "g", "k0");
        set(f, "tenant-a", "g", "k2", "v");
}

/* go-store Quota_Good_ExpiredKeysExcluded */
static void test_expired_keys_do_not_count(Fixture *f, UNUSED) {
        quota_set(f, "tenant-a", 2, 0, 0);
        set_ttl(f, "tenant-a", "g", "temp", "v", 1 * SEC);
        set(f, "tenant-a", "g", "perm", "v");
        f->now += 1 * SEC;
        set(f, "tenant-a", "g", "new", "v");
        g_assert_cmpstr(usage(f, "tenant-a"), ==, "2/1/9");
}

/* go-store Quota_Good_SetWithTTL_Enforced */
static void test_set_with_ttl_is_checked(Fixture *f, UNUSED) {
        StoreError e = {};
        uint64_t revision;

        quota_set(f, "tenant-a", 1, 0, 0);
        set(f, "tenant-a", "g", "a", "v");
        g_assert_cmpint(store_set(f->store, "tenant-a", "g", "b", "v", 1, 10 * SEC, &revision, &e), ==, -STORE_E_QUOTA);
}

/* SetAll is all or nothing: past the quota, none of its entries is written. */
static void test_set_all_over_quota_writes_nothing(Fixture *f, UNUSED) {
        const StorePair pairs[] = { { "a", "1" }, { "b", "2" }, { "c", "3" } };
        StoreError e = {};
        uint64_t revision = UINT64_MAX;

        quota_set(f, "tenant-a", 2, 0, 0);
        g_assert_cmpint(store_set_all(f->store, "tenant-a", "g", pairs, G_N_ELEMENTS(pairs), &revision, &e), ==,
                -STORE_E_QUOTA);
        g_assert_cmpuint(count(f, "tenant-a", "g"), ==, 0);
        g_assert_cmpuint(store_revision(f->store), ==, 0);
        g_assert_cmpstr(changes(f), ==, "");
        g_assert_cmpstr(usage(f, "tenant-a"), ==, "0/0/0");
}

/* ---- groups ---- */

/* go-store Quota_Good_MaxGroups */
static void test_max_groups_refuses_one_more(Fixture *f, UNUSED) {
        quota_set(f, "tenant-a", 0, 3, 0);
        set(f, "tenant-a", "g1", "k", "v");
        set(f, "tenant-a", "g2", "k", "v");
        set(f, "tenant-a", "g3", "k", "v");
        assert_quota_refuses(f, "tenant-a", "g4", "k", "v", "groups");
}

/* go-store Quota_Good_MaxGroups_ExistingGroupOK */
static void test_new_key_in_existing_group_fits(Fixture *f, UNUSED) {
        quota_set(f, "tenant-a", 0, 2, 0);
        set(f, "tenant-a", "g1", "k", "v");
        set(f, "tenant-a", "g2", "k", "v");
        set_keys(f, "tenant-a", "g1", 10);
        g_assert_cmpuint(count(f, "tenant-a", "g1"), ==, 11);
}

/* go-store Quota_Good_MaxGroups_DeleteAndRecreate */
static void test_delete_group_frees_a_group(Fixture *f, UNUSED) {
        quota_set(f, "tenant-a", 0, 2, 0);
        set(f, "tenant-a", "g1", "k", "v");
        set(f, "tenant-a", "g2", "k", "v");
        delete_group(f, "tenant-a", "g1");
        set(f, "tenant-a", "g3", "k", "v");
}

/* A group ends with its last key. */
static void test_deleting_last_key_frees_a_group(Fixture *f, UNUSED) {
        quota_set(f, "tenant-a", 0, 2, 0);
        set(f, "tenant-a", "g1", "k", "v");
        set(f, "tenant-a", "g2", "a", "v");
        set(f, "tenant-a", "g2", "b", "v");
        del(f, "tenant-a", "g2", "a");
        assert_quota_refuses(f, "tenant-a", "g3", "k", "v", "groups");
        del(f, "tenant-a", "g2", "b");
        set(f, "tenant-a", "g3", "k", "v");
}

/* go-store Quota_Good_MaxGroups_ExpiredGroupExcluded */
static void test_expired_group_does_not_count(Fixture *f, UNUSED) {
        quota_set(f, "tenant-a", 0, 2, 0);
        set_ttl(f, "tenant-a", "g1", "k", "v", 1 * SEC);
        set(f, "tenant-a", "g2", "k", "v");
        f->now += 1 * SEC;
        set(f, "tenant-a", "g3", "k", "v");
        g_assert_cmpstr(usage(f, "tenant-a"), ==, "2/2/4");
}

/* go-store Quota_Good_BothLimits */
static void test_group_limit_binds_before_key_limit(Fixture *f, UNUSED) {
        quota_set(f, "tenant-a", 10, 2, 0);
        set(f, "tenant-a", "g1", "a", "v");
        set(f, "tenant-a", "g2", "b", "v");
        assert_quota_refuses(f, "tenant-a", "g3", "c", "v", "groups");
        set(f, "tenant-a", "g1", "d", "v");
}

/* ---- bytes ---- */

/* bytes = key + value lengths; group names are not counted. */
static void test_max_bytes_counts_keys_and_values(Fixture *f, UNUSED) {
        quota_set(f, "tenant-a", 0, 0, 10);
        set(f, "tenant-a", "a-rather-long-group-name", "k", "123456789");
        g_assert_cmpstr(usage(f, "tenant-a"), ==, "1/1/10");
        assert_quota_refuses(f, "tenant-a", "g", "", "x", "bytes");
}

static void test_growing_value_past_max_bytes_is_refused(Fixture *f, UNUSED) {
        quota_set(f, "tenant-a", 0, 0, 10);
        set(f, "tenant-a", "g", "k", "12345678");
        set(f, "tenant-a", "g", "k", "123456789");
        assert_quota_refuses(f, "tenant-a", "g", "k", "1234567890", "bytes");
        g_assert_cmpstr(get(f, "tenant-a", "g", "k"), ==, "123456789");
}

/* ---- what quotas leave alone ---- */

/* go-store Quota_Good_ZeroMeansUnlimited, _MaxGroups_ZeroUnlimited: an own quota of zeros beats a default. */
static void test_zero_quota_is_unlimited(Fixture *f, UNUSED) {
        quota_set(f, "tenant-a", 0, 0, 0);
        for (int i = 0; i < 5; i++) {
                char group[8];

                g_snprintf(group, sizeof(group), "g%d", i);
                set_keys(f, "tenant-a", group, 10);
        }
        g_assert_cmpstr(usage(f, "tenant-a"), ==, "50/5/150");
}

/* go-store Quota_Good_DoesNotAffectOtherNamespaces */
static void test_quota_is_per_namespace(Fixture *f, UNUSED) {
        quota_set(f, "tenant-a", 1, 1, 0);
        set(f, "tenant-a", "g", "k", "v");
        set_keys(f, "tenant-b", "g1", 3);
        set_keys(f, "tenant-b", "g2", 3);
        set_keys(f, NULL, "g", 3);
        assert_quota_refuses(f, "tenant-a", "g", "k2", "v", "keys");
}

/* "Writes at the root (admin) ignore quotas but are counted." */
static void test_root_writes_ignore_quota_but_count(Fixture *f, UNUSED) {
        quota_set(f, "tenant-a", 1, 1, 0);
        set(f, NULL, "tenant-a:g1", "a", "v");
        set(f, NULL, "tenant-a:g1", "b", "v");
        set(f, NULL, "tenant-a:g2", "c", "v");
        g_assert_cmpstr(usage(f, "tenant-a"), ==, "3/2/6");
}

/* A namespace over its quota (written at the root) may only shrink. */
static void test_over_quota_namespace_may_only_shrink(Fixture *f, UNUSED) {
        quota_set(f, "tenant-a", 1, 0, 20);
        set(f, NULL, "tenant-a:g", "a", "0123456789");
        set(f, NULL, "tenant-a:g", "b", "0123456789");
        assert_quota_refuses(f, "tenant-a", "g", "c", "v", "keys");
        assert_quota_refuses(f, "tenant-a", "g", "a", "0123456789+", "bytes");
        set(f, "tenant-a", "g", "a", "short");
        del(f, "tenant-a", "g", "b");
        g_assert_cmpstr(usage(f, "tenant-a"), ==, "1/1/6");
}

/* An identical write changes no counter, so it is fine even over the quota. */
static void test_identical_write_over_quota_is_a_no_op(Fixture *f, UNUSED) {
        quota_set(f, "tenant-a", 1, 0, 0);
        set(f, NULL, "tenant-a:g", "a", "v");
        set(f, NULL, "tenant-a:g", "b", "v");
        changes(f);
        g_assert_cmpuint(set(f, "tenant-a", "g", "a", "v"), ==, 2);
        g_assert_cmpstr(changes(f), ==, "");
}

/* ---- the quota in force ---- */

static void fixture_set_up_default_quota(Fixture *f, UNUSED) {
        fixture_init(f);
        f->default_quota = (StoreQuota){ .max_keys = 2, .max_groups = 10, .max_bytes = 1000 };
        f->path = g_strdup(":memory:");
        fixture_open(f);
}

#define TEST_DEFAULT_QUOTA(path, fn)                                                                                   \
        g_test_add(path, Fixture, NULL, fixture_set_up_default_quota, fn, fixture_tear_down)

static void test_default_quota_applies_without_own(Fixture *f, UNUSED) {
        g_assert_cmpstr(quota_get(f, "tenant-a"), ==, "2/10/1000");
        set_keys(f, "tenant-a", "g", 2);
        assert_quota_refuses(f, "tenant-a", "g", "k2", "v", "keys");
}

static void test_own_quota_replaces_default(Fixture *f, UNUSED) {
        quota_set(f, "tenant-a", 3, 0, 0);
        g_assert_cmpstr(quota_get(f, "tenant-a"), ==, "3/0/0 (own)");
        g_assert_cmpstr(quota_get(f, "tenant-b"), ==, "2/10/1000");
        set_keys(f, "tenant-a", "g", 3);
        assert_quota_refuses(f, "tenant-a", "g", "k3", "v", "keys");
}

/* Setting a quota changes no data: no revision, no change. */
static void test_quota_set_is_not_a_data_change(Fixture *f, UNUSED) {
        set(f, "tenant-a", "g", "k", "v");
        changes(f);
        quota_set(f, "tenant-a", 5, 5, 5);
        g_assert_cmpuint(store_revision(f->store), ==, 1);
        g_assert_cmpstr(changes(f), ==, "");
}

static void test_quota_and_usage_persist_across_reopen(Fixture *f, UNUSED) {
        quota_set(f, "tenant-a", 7, 3, 100);
        set(f, "tenant-a", "g", "k", "v");
        fixture_reopen(f);
        g_assert_cmpstr(quota_get(f, "tenant-a"), ==, "7/3/100 (own)");
        g_assert_cmpstr(usage(f, "tenant-a"), ==, "1/1/2");
}

/* ---- usage ---- */

static void test_usage_is_keys_groups_and_bytes(Fixture *f, UNUSED) {
        set(f, "tenant-a", "g1", "k1", "abc");
        set(f, "tenant-a", "g1", "k22", "");
        set(f, "tenant-a", "g2", "x", "1234");
        set(f, "tenant-b", "g1", "k1", "abc");
        set(f, NULL, "g1", "k1", "abc");
        g_assert_cmpstr(usage(f, "tenant-a"), ==, "3/2/13");
        g_assert_cmpstr(usage(f, "nobody"), ==, "0/0/0");
}

static void test_usage_follows_updates_and_deletes(Fixture *f, UNUSED) {
        set(f, "tenant-a", "g1", "k", "abc");
        set(f, "tenant-a", "g2", "k", "abc");
        set(f, "tenant-a", "g1", "k", "abcdef");
        g_assert_cmpstr(usage(f, "tenant-a"), ==, "2/2/11");
        set(f, "tenant-a", "g1", "k", "a");
        g_assert_cmpstr(usage(f, "tenant-a"), ==, "2/2/6");
        del(f, "tenant-a", "g1", "k");
        g_assert_cmpstr(usage(f, "tenant-a"), ==, "1/1/4");
        delete_group(f, "tenant-a", "g2");
        g_assert_cmpstr(usage(f, "tenant-a"), ==, "0/0/0");
}

static void test_usage_drops_at_expiry(Fixture *f, UNUSED) {
        set_ttl(f, "tenant-a", "g1", "k", "v", 1 * SEC);
        set_ttl(f, "tenant-a", "g2", "k", "v", 2 * SEC);
        f->now += 1 * SEC;
        g_assert_cmpstr(usage(f, "tenant-a"), ==, "1/1/2");
        f->now += 1 * SEC;
        g_assert_cmpstr(usage(f, "tenant-a"), ==, "0/0/0");
}

static void test_usage_drops_at_purge(Fixture *f, UNUSED) {
        set_ttl(f, "tenant-a", "g", "a", "v", 1 * SEC);
        set(f, "tenant-a", "g", "b", "v");
        f->now += 1 * SEC;
        g_assert_cmpuint(purge(f, "tenant-a"), ==, 1);
        g_assert_cmpstr(usage(f, "tenant-a"), ==, "1/1/2");
}

/* ---- listing namespaces ---- */

/* Namespaces with data or an own quota, by name, with usage and the quota in force; groups that belong
 * to no namespace (no "N:", or an invalid N) are not listed. */
static void test_list_namespaces(Fixture *f, UNUSED) {
        set(f, "b-ns", "g", "k", "v");
        quota_set(f, "a-ns", 5, 0, 0);
        set(f, NULL, "plain", "k", "v");
        set(f, NULL, "bad_ns:g", "k", "v");
        set(f, NULL, "self:g", "k", "v");
        g_assert_cmpstr(namespaces(f), ==, "a-ns 0/0/0 quota 5/0/0|b-ns 1/1/2 quota 2/10/1000");
}

/* A namespace with neither data nor an own quota is not listed. */
static void test_emptied_namespace_is_not_listed(Fixture *f, UNUSED) {
        set(f, "tenant-a", "g", "k", "v");
        del(f, "tenant-a", "g", "k");
        g_assert_cmpstr(namespaces(f), ==, "");
}

/* ---- deleting a namespace ---- */

/* One delete_group change per group, all of one revision; other namespaces untouched. */
static void test_delete_namespace_removes_every_group(Fixture *f, UNUSED) {
        set(f, "tenant-a", "g1", "k", "v");
        set(f, "tenant-a", "g2", "k", "v");
        set(f, "tenant-b", "g1", "k", "v");
        set(f, "tenant", "g1", "k", "v");
        changes(f);
        g_assert_cmpuint(delete_namespace(f, "tenant-a"), ==, 5);
        g_assert_cmpuint(f->n_commits, ==, 1);
        g_assert_cmpstr(changes(f), ==, "delete_group tenant-a:g1/= @5; delete_group tenant-a:g2/= @5");
        g_assert_cmpstr(groups(f, NULL, ""), ==, "tenant-b:g1|tenant:g1");
}

static void test_delete_namespace_removes_its_quota(Fixture *f, UNUSED) {
        quota_set(f, "tenant-a", 5, 5, 5);
        set(f, "tenant-a", "g", "k", "v");
        delete_namespace(f, "tenant-a");
        g_assert_cmpstr(quota_get(f, "tenant-a"), ==, "2/10/1000");
        g_assert_cmpstr(usage(f, "tenant-a"), ==, "0/0/0");
        g_assert_cmpstr(namespaces(f), ==, "");
}

static void test_delete_empty_namespace_changes_nothing(Fixture *f, UNUSED) {
        set(f, "tenant-b", "g", "k", "v");
        changes(f);
        g_assert_cmpuint(delete_namespace(f, "tenant-a"), ==, 1);
        g_assert_cmpstr(changes(f), ==, "");
}

/* ---- which namespace a stored group belongs to ---- */

static const char *group_namespace(const char *group) {
        static char ns[STORE_NAMESPACE_MAX + 1];

        return store_group_namespace(group, ns) ? ns : NULL;
}

static void test_group_namespace(void) {
        g_autofree char *name64 = g_strnfill(64, 'n');
        g_autofree char *name65 = g_strnfill(65, 'n');
        g_autofree char *ns64 = g_strconcat(name64, ":g", NULL);
        g_autofree char *ns65 = g_strconcat(name65, ":g", NULL);

        g_assert_cmpstr(group_namespace("tenant-a:config"), ==, "tenant-a");
        g_assert_cmpstr(group_namespace("a:b:c"), ==, "a");
        g_assert_cmpstr(group_namespace("tenant-a:"), ==, "tenant-a");
        g_assert_null(group_namespace("config"));
        g_assert_null(group_namespace(":config"));
        g_assert_null(group_namespace("bad_ns:config"));
        g_assert_null(group_namespace("self:config"));
        g_assert_cmpstr(group_namespace(ns64), ==, name64);
        g_assert_null(group_namespace(ns65));
}

int main(int argc, char *argv[]) {
        g_test_init(&argc, &argv, NULL);

        TEST("/store/quota/max-keys/refuses-one-more", test_max_keys_refuses_one_more);
        TEST("/store/quota/max-keys/counts-across-groups", test_max_keys_counts_across_groups);
        TEST("/store/quota/max-keys/upsert-fits", test_upsert_at_max_keys_fits);
        TEST("/store/quota/max-keys/delete-frees-a-key", test_delete_frees_a_key);
        TEST("/store/quota/max-keys/expired-keys-do-not-count", test_expired_keys_do_not_count);
        TEST("/store/quota/max-keys/set-with-ttl-is-checked", test_set_with_ttl_is_checked);
        TEST("/store/quota/max-keys/set-all-over-quota-writes-nothing", test_set_all_over_quota_writes_nothing);
        TEST("/store/quota/max-groups/refuses-one-more", test_max_groups_refuses_one_more);
        TEST("/store/quota/max-groups/new-key-in-existing-group-fits", test_new_key_in_existing_group_fits);
        TEST("/store/quota/max-groups/delete-group-frees-a-group", test_delete_group_frees_a_group);
        TEST("/store/quota/max-groups/deleting-last-key-frees-a-group", test_deleting_last_key_frees_a_group);
        TEST("/store/quota/max-groups/expired-group-does-not-count", test_expired_group_does_not_count);
        TEST("/store/quota/max-groups/binds-before-max-keys", test_group_limit_binds_before_key_limit);
        TEST("/store/quota/max-bytes/counts-keys-and-values", test_max_bytes_counts_keys_and_values);
        TEST("/store/quota/max-bytes/growing-value-is-refused", test_growing_value_past_max_bytes_is_refused);
        TEST("/store/quota/zero-is-unlimited", test_zero_quota_is_unlimited);
        TEST("/store/quota/per-namespace", test_quota_is_per_namespace);
        TEST("/store/quota/root-writes-ignore-quota-but-count", test_root_writes_ignore_quota_but_count);
        TEST("/store/quota/over-quota-namespace-may-only-shrink", test_over_quota_namespace_may_only_shrink);
        TEST("/store/quota/identical-write-over-quota-is-a-no-op", test_identical_write_over_quota_is_a_no_op);

        TEST_DEFAULT_QUOTA("/store/quota/default-applies-without-own", test_default_quota_applies_without_own);
        TEST_DEFAULT_QUOTA("/store/quota/own-replaces-default", test_own_quota_replaces_default);
        TEST("/store/quota/set-is-not-a-data-change", test_quota_set_is_not_a_data_change);
        TEST_FILE("/store/quota/persists-across-reopen", test_quota_and_usage_persist_across_reopen);

        TEST("/store/usage/keys-groups-and-bytes", test_usage_is_keys_groups_and_bytes);
        TEST("/store/usage/follows-updates-and-deletes", test_usage_follows_updates_and_deletes);
        TEST("/store/usage/drops-at-expiry", test_usage_drops_at_expiry);
        TEST("/store/usage/drops-at-purge", test_usage_drops_at_purge);

        TEST_DEFAULT_QUOTA("/store/namespaces/listed-with-data-or-quota", test_list_namespaces);
        TEST("/store/namespaces/emptied-namespace-not-listed", test_emptied_namespace_is_not_listed);
        TEST("/store/namespaces/delete-removes-every-group", test_delete_namespace_removes_every_group);
        TEST_DEFAULT_QUOTA("/store/namespaces/delete-removes-quota", test_delete_namespace_removes_its_quota);
        TEST("/store/namespaces/delete-of-empty-namespace-changes-nothing",
                test_delete_empty_namespace_changes_nothing);
        g_test_add_func("/store/namespaces/group-belongs-to-namespace", test_group_namespace);

        return g_test_run();
}
