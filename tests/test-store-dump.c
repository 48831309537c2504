/* SPDX-License-Identifier: MIT */

/* Export, Import and Backup in the storage layer (store-dump.h): the dump of a scope, the dump read
 * back as one all-or-nothing call, and a backup image taken while writes go on. */

#include "store-dump.h"
#include "store-fixture.h"

G_DEFINE_AUTOPTR_CLEANUP_FUNC(StoreBackup, store_backup_free)

/* The dump of a scope, as text. */
static const char *export(Fixture *f, const char *ns, uint64_t *ret_count) {
        DumpBuffer b = {};
        StoreError e = {};
        uint64_t n = UINT64_MAX;

        g_assert_cmpint(store_dump_export(f->store, ns, &b, &n, &e), ==, 0);
        if (ret_count)
                *ret_count = n;
        return keep(f, b.data ? b.data : g_strdup(""));
}

static int import(Fixture *f, const char *ns, const char *text, uint64_t *ret_count, StoreError *e) {
        g_autofree char *copy = g_strdup(text);
        uint64_t revision = 0;

        return store_dump_import(f->store, ns, copy, strlen(copy), ret_count, &revision, e);
}

static uint64_t import_ok(Fixture *f, const char *ns, const char *text) {
        StoreError e = {};
        uint64_t n = UINT64_MAX;

        g_assert_cmpint(import(f, ns, text, &n, &e), ==, 0);
        return n;
}

/* ---- export ---- */

static void test_export_orders_by_group_then_key(Fixture *f, UNUSED) {
        uint64_t n;

        set(f, NULL, "b", "z", "1");
        set(f, NULL, "b", "a", "2");
        set(f, NULL, "a", "k", "3");
        g_assert_cmpstr(export(f, NULL, &n), ==,
                "{\"group\":\"a\",\"key\":\"k\",\"value\":\"3\"}\n"
                "{\"group\":\"b\",\"key\":\"a\",\"value\":\"2\"}\n"
                "{\"group\":\"b\",\"key\":\"z\",\"value\":\"1\"}\n");
        g_assert_cmpuint(n, ==, 3);
}

static void test_export_keeps_binary_values_and_deadlines(Fixture *f, UNUSED) {
        set_bytes(f, NULL, "g", "bin", "\x00\xff", 2, 0);
        set_ttl(f, NULL, "g", "ttl", "v", 10 * SEC);
        g_assert_cmpstr(export(f, NULL, NULL), ==,
                keep(f, g_strdup_printf("{\"group\":\"g\",\"key\":\"bin\",\"value_base64\":\"AP8=\"}\n"
                                        "{\"group\":\"g\",\"key\":\"ttl\",\"value\":\"v\",\"expires_usec\":"
                                        "%" G_GUINT64_FORMAT "}\n",
                                T0 + 10 * SEC)));
}

static void test_export_leaves_out_expired_entries(Fixture *f, UNUSED) {
        uint64_t n;

        set_ttl(f, NULL, "g", "gone", "v", SEC);
        set(f, NULL, "g", "kept", "v");
        f->now += 2 * SEC;
        g_assert_cmpstr(export(f, NULL, &n), ==, "{\"group\":\"g\",\"key\":\"kept\",\"value\":\"v\"}\n");
        g_assert_cmpuint(n, ==, 1);
}

static void test_export_of_a_namespace_is_unprefixed(Fixture *f, UNUSED) {
        set(f, "tenant-a", "prefs", "color", "blue");
        set(f, NULL, "other", "k", "v");
        g_assert_cmpstr(export(f, "tenant-a", NULL), ==,
                "{\"group\":\"prefs\",\"key\":\"color\",\"value\":\"blue\"}\n");
        g_assert_cmpstr(export(f, NULL, NULL), ==,
                "{\"group\":\"other\",\"key\":\"k\",\"value\":\"v\"}\n"
                "{\"group\":\"tenant-a:prefs\",\"key\":\"color\",\"value\":\"blue\"}\n");
}

static void test_export_of_an_empty_scope(Fixture *f, UNUSED) {
        uint64_t n;

        g_assert_cmpstr(export(f, NULL, &n), ==, "");
        g_assert_cmpuint(n, ==, 0);
}

/* ---- import ---- */

static void test_round_trip_into_an_empty_store_is_identical(Fixture *f, UNUSED) {
        g_autofree char *dump = NULL;

        set(f, NULL, "config", "theme", "dark");
        set_bytes(f, NULL, "blobs", "nul", "a\0b", 3, 0);
        set_bytes(f, NULL, "blobs", "ff", "\xff\xfe", 2, 30 * SEC);
        set_ttl(f, NULL, "session", "token", "abc", 60 * SEC);
        set(f, "tenant-a", "prefs", "", "");
        dump = g_strdup(export(f, NULL, NULL));

        fixture_close(f);
        fixture_open(f); /* :memory: → a new, empty store */
        g_assert_cmpstr(export(f, NULL, NULL), ==, "");
        g_assert_cmpuint(import_ok(f, NULL, dump), ==, 5);
        g_assert_cmpstr(export(f, NULL, NULL), ==, dump);
        g_assert_cmpuint(stat_of(f, NULL, "session", "token").expires_usec, ==, T0 + 60 * SEC);
        g_assert_cmpuint(count(f, "tenant-a", "prefs"), ==, 1);
}

static void test_import_is_one_revision(Fixture *f, UNUSED) {
        uint64_t before = store_revision(f->store);

        g_assert_cmpuint(import_ok(f, NULL,
                                 "{\"group\":\"a\",\"key\":\"1\",\"value\":\"x\"}\n"
                                 "{\"group\":\"b\",\"key\":\"2\",\"value\":\"y\"}\n"),
                ==, 2);
        g_assert_cmpuint(store_revision(f->store), ==, before + 1);
        g_assert_cmpstr(changes(f), ==, "set a/1=x @1; set b/2=y @1");
}

static void test_import_of_identical_entries_changes_nothing(Fixture *f, UNUSED) {
        uint64_t revision;

        set(f, NULL, "g", "k", "v");
        revision = store_revision(f->store);
        (void)changes(f);
        g_assert_cmpuint(import_ok(f, NULL, export(f, NULL, NULL)), ==, 1);
        g_assert_cmpuint(store_revision(f->store), ==, revision);
        g_assert_cmpuint(stat_of(f, NULL, "g", "k").version, ==, 1);
        g_assert_cmpstr(changes(f), ==, "");
}

static void test_import_skips_past_deadlines(Fixture *f, UNUSED) {
        g_autofree char *text =
                g_strdup_printf("{\"group\":\"g\",\"key\":\"past\",\"value\":\"x\",\"expires_usec\":%" G_GUINT64_FORMAT
                                "}\n"
                                "{\"group\":\"g\",\"key\":\"now\",\"value\":\"x\",\"expires_usec\":%" G_GUINT64_FORMAT
                                "}\n"
                                "{\"group\":\"g\",\"key\":\"future\",\"value\":\"x\",\"expires_usec\":"
                                "%" G_GUINT64_FORMAT "}\n",
                        T0 - SEC, T0, T0 + SEC);

        g_assert_cmpuint(import_ok(f, NULL, text), ==, 1);
        g_assert_cmpstr(list(f, NULL, "g"), ==, "future=x");
        g_assert_cmpuint(stat_of(f, NULL, "g", "future").expires_usec, ==, T0 + SEC);
}

static void test_import_into_a_namespace_prefixes_groups(Fixture *f, UNUSED) {
        g_assert_cmpuint(import_ok(f, "tenant-a", "{\"group\":\"prefs\",\"key\":\"k\",\"value\":\"v\"}\n"), ==, 1);
        g_assert_cmpstr(groups(f, NULL, ""), ==, "tenant-a:prefs");
        g_assert_cmpstr(get(f, "tenant-a", "prefs", "k"), ==, "v");
}

static void test_import_of_a_bad_line_writes_nothing(Fixture *f, UNUSED) {
        StoreError e = {};
        uint64_t revision = store_revision(f->store);

        g_assert_cmpint(import(f, NULL,
                                "{\"group\":\"g\",\"key\":\"a\",\"value\":\"1\"}\n"
                                "{\"group\":\"g\",\"key\":\"b\",\"value\":\"2\"}\n"
                                "{\"group\":\"g\",\"key\":\"c\",\"value\":2}\n",
                                NULL, &e),
                ==, -STORE_E_INVALID_ARGS);
        g_assert_cmpstr(e.message, ==, "line 3: \"value\" must be a string");
        g_assert_cmpuint(count_all(f, NULL, ""), ==, 0);
        g_assert_cmpuint(store_revision(f->store), ==, revision);
}

static void test_import_over_a_size_limit_names_the_line(Fixture *f, UNUSED) {
        StoreError e = {};

        g_assert_cmpint(import(f, NULL,
                                "{\"group\":\"g\",\"key\":\"ok\",\"value\":\"1\"}\n"
                                "\n"
                                "{\"group\":\"g\",\"key\":\"big\",\"value\":\"0123456789abcdefg\"}\n",
                                NULL, &e),
                ==, -STORE_E_TOO_LARGE);
        g_assert_true(g_str_has_prefix(e.message, "line 3: Value of 17 bytes is over the limit of 16 bytes"));
        g_assert_cmpuint(count_all(f, NULL, ""), ==, 0);
}

static void test_import_over_quota_writes_nothing(Fixture *f, UNUSED) {
        StoreError e = {};

        g_assert_cmpint(store_quota_set(f->store, "tenant-a", &(StoreQuota){ .max_keys = 2 }, &e), ==, 0);
        g_assert_cmpint(import(f, "tenant-a",
                                "{\"group\":\"g\",\"key\":\"1\",\"value\":\"x\"}\n"
                                "{\"group\":\"g\",\"key\":\"2\",\"value\":\"x\"}\n"
                                "{\"group\":\"g\",\"key\":\"3\",\"value\":\"x\"}\n",
                                NULL, &e),
                ==, -STORE_E_QUOTA);
        g_assert_cmpuint(count_all(f, "tenant-a", ""), ==, 0);
        /* At the root the same entries are an administrator's write: counted, not refused. */
        g_assert_cmpuint(import_ok(f, NULL,
                                 "{\"group\":\"tenant-a:g\",\"key\":\"1\",\"value\":\"x\"}\n"
                                 "{\"group\":\"tenant-a:g\",\"key\":\"2\",\"value\":\"x\"}\n"
                                 "{\"group\":\"tenant-a:g\",\"key\":\"3\",\"value\":\"x\"}\n"),
                ==, 3);
        g_assert_cmpuint(count_all(f, "tenant-a", ""), ==, 3);
}

static void test_import_of_nothing(Fixture *f, UNUSED) {
        uint64_t revision = store_revision(f->store);

        g_assert_cmpuint(import_ok(f, NULL, ""), ==, 0);
        g_assert_cmpuint(import_ok(f, NULL, "\n\n"), ==, 0);
        g_assert_cmpuint(store_revision(f->store), ==, revision);
}

/* ---- backup ---- */

static void test_backup_while_writes_go_on(Fixture *f, UNUSED) {
        g_autoptr(StoreBackup) backup = NULL;
        const char *image = fixture_file(f, "image.db");
        StoreError e = {};
        unsigned steps = 0;
        int r;

        /* Enough pages (about 3 MB) that the copy takes several steps. */
        g_autofree StorePair *pairs = g_new0(StorePair, 20000);
        for (unsigned i = 0; i < 20000; i++)
                pairs[i] = (StorePair){ keep(f, g_strdup_printf("k%05u", i)),
                        "0123456789012345678901234567890123456789012345678901234567890123456789"
                        "0123456789012345678901234567890123456789012345678901234567890123456789" };
        g_assert_cmpint(store_set_all(f->store, NULL, "bulk", pairs, 20000, NULL, &e), ==, 0);
        g_assert_cmpint(store_backup_begin(f->store, image, &backup, &e), ==, 0);
        while ((r = store_backup_step(backup, &e)) == 0) {
                g_autofree char *key = g_strdup_printf("during-%u", steps++);
                set(f, NULL, "during", key, "v");
        }
        g_assert_cmpint(r, ==, 1);
        g_assert_cmpuint(steps, >, 1);

        g_assert_cmpstr(sql_text(f, image, "PRAGMA integrity_check"), ==, "ok");
        g_assert_cmpstr(sql_text(f, image, "PRAGMA journal_mode"), ==, "delete");
        g_assert_cmpstr(sql_text(f, image, "SELECT count(*) FROM entries WHERE grp = CAST('bulk' AS BLOB)"), ==,
                "20000");
        /* Every write made before the last step is in the image: it is consistent as of its end. */
        g_assert_cmpstr(sql_text(f, image, "SELECT count(*) FROM entries WHERE grp = CAST('during' AS BLOB)"), ==,
                keep(f, g_strdup_printf("%u", steps)));
}

static void test_backup_of_a_memory_store(Fixture *f, UNUSED) {
        g_autoptr(GError) error = NULL;
        g_autofree char *dir = g_dir_make_tmp("test-store-dump-XXXXXX", &error);
        g_autofree char *image = g_build_filename(dir, "image.db", NULL);
        g_autoptr(StoreBackup) backup = NULL;
        StoreError e = {};
        int r;

        set(f, NULL, "g", "k", "v");
        g_assert_cmpint(store_backup_begin(f->store, image, &backup, &e), ==, 0);
        while ((r = store_backup_step(backup, &e)) == 0)
                ;
        g_assert_cmpint(r, ==, 1);
        g_assert_cmpstr(sql_text(f, image, "SELECT value FROM entries"), ==, "v");
        g_assert_cmpint(g_remove(image), ==, 0);
        g_assert_cmpint(g_rmdir(dir), ==, 0);
}

int main(int argc, char *argv[]) {
        g_test_init(&argc, &argv, NULL);

        TEST("/store/dump/export/orders-by-group-then-key", test_export_orders_by_group_then_key);
        TEST("/store/dump/export/keeps-binary-values-and-deadlines", test_export_keeps_binary_values_and_deadlines);
        TEST("/store/dump/export/leaves-out-expired-entries", test_export_leaves_out_expired_entries);
        TEST("/store/dump/export/of-a-namespace-is-unprefixed", test_export_of_a_namespace_is_unprefixed);
        TEST("/store/dump/export/of-an-empty-scope", test_export_of_an_empty_scope);
        TEST("/store/dump/import/round-trip-into-an-empty-store-is-identical",
                test_round_trip_into_an_empty_store_is_identical);
        TEST("/store/dump/import/is-one-revision", test_import_is_one_revision);
        TEST("/store/dump/import/of-identical-entries-changes-nothing",
                test_import_of_identical_entries_changes_nothing);
        TEST("/store/dump/import/skips-past-deadlines", test_import_skips_past_deadlines);
        TEST("/store/dump/import/into-a-namespace-prefixes-groups", test_import_into_a_namespace_prefixes_groups);
        TEST("/store/dump/import/of-a-bad-line-writes-nothing", test_import_of_a_bad_line_writes_nothing);
        TEST_SMALL_LIMITS("/store/dump/import/over-a-size-limit-names-the-line",
                test_import_over_a_size_limit_names_the_line);
        TEST("/store/dump/import/over-quota-writes-nothing", test_import_over_quota_writes_nothing);
        TEST("/store/dump/import/of-nothing", test_import_of_nothing);
        TEST_FILE("/store/dump/backup/while-writes-go-on", test_backup_while_writes_go_on);
        TEST("/store/dump/backup/of-a-memory-store", test_backup_of_a_memory_store);

        return g_test_run();
}
