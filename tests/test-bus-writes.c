/* SPDX-License-Identifier: MIT */

/* The writing methods of org.example.Store on the root object: what each answers (revisions, versions,
 * all-or-nothing), the error names it answers with, and the methods this version does not serve. */

#include "bus-client.h"

#define NONE G_DBUS_CALL_FLAGS_NONE

/* ---- Set ---- */

static void test_set_returns_increasing_revisions(void) {
        guint64 r1 = bus_set("set-revisions", "a", "1");
        guint64 r2 = bus_set("set-revisions", "b", "2");
        guint64 r3 = bus_set("set-revisions", "a", "3");

        g_assert_cmpuint(r1, <, r2);
        g_assert_cmpuint(r2, <, r3);
}

static void test_set_upsert_replaces_value(void) {
        g_autofree char *value = NULL;

        bus_set("set-upsert", "k", "v1");
        bus_set("set-upsert", "k", "v2");
        value = bus_get("set-upsert", "k");
        g_assert_cmpstr(value, ==, "v2");
        g_assert_cmpuint(bus_count("set-upsert"), ==, 1);
}

static void test_set_creates_version_one(void) {
        guint64 before = bus_now_usec();
        guint64 revision = bus_set("set-create", "k", "v");
        guint64 after = bus_now_usec();
        BusStat st = bus_stat("set-create", "k");

        g_assert_cmpuint(st.version, ==, 1);
        g_assert_cmpuint(st.revision, ==, revision);
        g_assert_cmpuint(st.modified_usec, >=, before);
        g_assert_cmpuint(st.modified_usec, <=, after);
        g_assert_cmpuint(st.expires_usec, ==, 0);
}

/* zestor: an identical write is not a change. */
static void test_set_identical_write_keeps_revision_and_version(void) {
        guint64 first = bus_set("set-noop", "k", "same");
        BusStat before = bus_stat("set-noop", "k");
        guint64 again;

        bus_set("set-noop-elsewhere", "k", "moves the store revision on");
        again = bus_set("set-noop", "k", "same");
        /* The current revision: the later write elsewhere, not a new one. */
        g_assert_cmpuint(again, ==, bus_revision());
        g_assert_cmpuint(again, ==, first + 1);

        BusStat after = bus_stat("set-noop", "k");
        g_assert_cmpuint(after.version, ==, before.version);
        g_assert_cmpuint(after.revision, ==, before.revision);
        g_assert_cmpuint(after.modified_usec, ==, before.modified_usec);
}

static void test_set_changed_write_bumps_version(void) {
        guint64 r1 = bus_set("set-change", "k", "one");
        guint64 r2 = bus_set("set-change", "k", "two");
        BusStat st = bus_stat("set-change", "k");

        g_assert_cmpuint(r2, >, r1);
        g_assert_cmpuint(st.version, ==, 2);
        g_assert_cmpuint(st.revision, ==, r2);
}

/* ---- SetWithTTL ---- */

static void test_set_with_ttl_entry_is_readable_before_deadline(void) {
        guint64 before = bus_now_usec();
        guint64 revision = bus_set_with_ttl("ttl-readable", "k", "v", HOUR_USEC);
        guint64 after = bus_now_usec();
        g_autofree char *value = bus_get("ttl-readable", "k");
        BusStat st = bus_stat("ttl-readable", "k");

        g_assert_cmpstr(value, ==, "v");
        g_assert_cmpuint(bus_count("ttl-readable"), ==, 1);
        g_assert_cmpuint(st.revision, ==, revision);
        g_assert_cmpuint(st.expires_usec, >=, before + HOUR_USEC);
        g_assert_cmpuint(st.expires_usec, <=, after + HOUR_USEC);
}

static void test_set_with_ttl_zero_is_invalid_args(void) {
        g_autoptr(StoredStore) store = bus_store_proxy(bus_world->bus);
        g_autoptr(GError) error = NULL;
        guint64 revision = 0, before = bus_revision();

        g_assert_false(
                stored_store_call_set_with_ttl_sync(store, "ttl-zero", "k", "v", 0, NONE, -1, &revision, NULL, &error));
        bus_assert_error(error, ERROR_INVALID_ARGS);
        g_assert_cmpuint(bus_count("ttl-zero"), ==, 0);
        g_assert_cmpuint(bus_revision(), ==, before);
        bus_assert_serving();
}

/* Same bytes with another deadline is a change (DESIGN: "Semantics … decided"). */
static void test_set_with_ttl_new_deadline_is_a_change(void) {
        guint64 r1 = bus_set_with_ttl("ttl-again", "k", "v", HOUR_USEC);
        guint64 r2 = bus_set_with_ttl("ttl-again", "k", "v", 2 * HOUR_USEC);
        BusStat st = bus_stat("ttl-again", "k");

        g_assert_cmpuint(r2, >, r1);
        g_assert_cmpuint(st.version, ==, 2);
        g_assert_cmpuint(st.revision, ==, r2);
}

/* ---- SetBytes ---- */

/* Text is valid UTF-8 without NUL however it was written. */
static void test_set_bytes_of_text_is_readable_as_text(void) {
        g_autofree char *value = NULL;

        bus_set_bytes("set-bytes-text", "k", "plain ✓", strlen("plain ✓"), 0);
        value = bus_get("set-bytes-text", "k");
        g_assert_cmpstr(value, ==, "plain ✓");
}

static void test_set_bytes_with_ttl_sets_deadline(void) {
        guint64 before = bus_now_usec();
        BusStat st;

        bus_set_bytes("set-bytes-ttl", "k", "\x01\x02", 2, HOUR_USEC);
        st = bus_stat("set-bytes-ttl", "k");
        g_assert_cmpuint(st.expires_usec, >=, before + HOUR_USEC);
}

static void test_set_bytes_empty_value(void) {
        g_autoptr(GError) error = NULL;
        g_autoptr(GBytes) bytes = NULL;
        g_autofree char *text = NULL;

        bus_set_bytes("set-bytes-empty", "k", "", 0, 0);
        bytes = bus_get_bytes("set-bytes-empty", "k", &error);
        g_assert_no_error(error);
        g_assert_cmpuint(g_bytes_get_size(bytes), ==, 0);
        text = bus_get("set-bytes-empty", "k");
        g_assert_cmpstr(text, ==, "");
}

/* ---- SetAll ---- */

static void test_set_all_writes_every_entry(void) {
        g_autoptr(StoredStore) store = bus_store_proxy(bus_world->bus);
        g_autoptr(GError) error = NULL;
        g_autoptr(GVariant) all = NULL;
        guint64 revision = 0;

        g_assert_true(stored_store_call_set_all_sync(store, "set-all", bus_entries("a", "1", "b", "2", "c", "3", NULL),
                NONE, -1, &revision, NULL, &error));
        g_assert_no_error(error);
        g_assert_true(stored_store_call_get_all_sync(store, "set-all", NONE, -1, &all, NULL, &error));
        g_assert_no_error(error);
        g_assert_cmpuint(g_variant_n_children(all), ==, 3);
        g_assert_cmpstr(bus_entries_lookup(all, "a"), ==, "1");
        g_assert_cmpstr(bus_entries_lookup(all, "b"), ==, "2");
        g_assert_cmpstr(bus_entries_lookup(all, "c"), ==, "3");
}

/* One call, one revision, however many entries (zestor's SetAll as one transaction). */
static void test_set_all_is_one_revision(void) {
        g_autoptr(StoredStore) store = bus_store_proxy(bus_world->bus);
        g_autoptr(GError) error = NULL;
        guint64 before = bus_revision(), revision = 0;

        g_assert_true(stored_store_call_set_all_sync(store, "set-all-one-revision",
                bus_entries("a", "1", "b", "2", "c", "3", "d", "4", NULL), NONE, -1, &revision, NULL, &error));
        g_assert_no_error(error);
        g_assert_cmpuint(revision, ==, before + 1);
        g_assert_cmpuint(bus_revision(), ==, revision);
        g_assert_cmpuint(bus_stat("set-all-one-revision", "a").revision, ==, revision);
        g_assert_cmpuint(bus_stat("set-all-one-revision", "d").revision, ==, revision);
}

/* zestor's SetManyMergesIntoExisting: keys not named are kept. */
static void test_set_all_merges_into_existing_group(void) {
        g_autoptr(StoredStore) store = bus_store_proxy(bus_world->bus);
        g_autoptr(GError) error = NULL;
        g_autofree char *kept = NULL, *replaced = NULL;
        guint64 revision = 0;

        bus_set("set-all-merge", "kept", "old");
        bus_set("set-all-merge", "replaced", "old");
        g_assert_true(stored_store_call_set_all_sync(store, "set-all-merge",
                bus_entries("replaced", "new", "added", "new", NULL), NONE, -1, &revision, NULL, &error));
        g_assert_no_error(error);
        kept = bus_get("set-all-merge", "kept");
        replaced = bus_get("set-all-merge", "replaced");
        g_assert_cmpstr(kept, ==, "old");
        g_assert_cmpstr(replaced, ==, "new");
        g_assert_cmpuint(bus_count("set-all-merge"), ==, 3);
}

/* zestor's SetManySuppressesNoOps: only the entries that change get a new version. */
static void test_set_all_leaves_unchanged_entries_alone(void) {
        g_autoptr(StoredStore) store = bus_store_proxy(bus_world->bus);
        g_autoptr(GError) error = NULL;
        guint64 first = 0, second = 0;

        g_assert_true(stored_store_call_set_all_sync(store, "set-all-noop",
                bus_entries("same", "1", "moved", "1", NULL), NONE, -1, &first, NULL, &error));
        g_assert_no_error(error);
        g_assert_true(stored_store_call_set_all_sync(store, "set-all-noop",
                bus_entries("same", "1", "moved", "2", NULL), NONE, -1, &second, NULL, &error));
        g_assert_no_error(error);
        g_assert_cmpuint(second, ==, first + 1);
        g_assert_cmpuint(bus_stat("set-all-noop", "same").version, ==, 1);
        g_assert_cmpuint(bus_stat("set-all-noop", "same").revision, ==, first);
        g_assert_cmpuint(bus_stat("set-all-noop", "moved").version, ==, 2);
        g_assert_cmpuint(bus_stat("set-all-noop", "moved").revision, ==, second);
}

static void test_set_all_identical_is_no_op(void) {
        g_autoptr(StoredStore) store = bus_store_proxy(bus_world->bus);
        g_autoptr(GError) error = NULL;
        guint64 first = 0, again = 0;

        g_assert_true(stored_store_call_set_all_sync(store, "set-all-identical", bus_entries("a", "1", "b", "2", NULL),
                NONE, -1, &first, NULL, &error));
        g_assert_no_error(error);
        g_assert_true(stored_store_call_set_all_sync(store, "set-all-identical", bus_entries("a", "1", "b", "2", NULL),
                NONE, -1, &again, NULL, &error));
        g_assert_no_error(error);
        g_assert_cmpuint(again, ==, first);
        g_assert_cmpuint(bus_revision(), ==, first);
}

static void test_set_all_empty_changes_nothing(void) {
        g_autoptr(StoredStore) store = bus_store_proxy(bus_world->bus);
        g_autoptr(GError) error = NULL;
        guint64 before = bus_revision(), revision = 0;

        g_assert_true(stored_store_call_set_all_sync(store, "set-all-empty", g_variant_new("a{ss}", NULL), NONE, -1,
                &revision, NULL, &error));
        g_assert_no_error(error);
        g_assert_cmpuint(revision, ==, before);
        g_assert_cmpuint(bus_count("set-all-empty"), ==, 0);
}

/* All or nothing: one value over the limit, nothing of the call is written. */
static void test_set_all_with_one_value_over_limit_writes_nothing(void) {
        g_autoptr(StoredStore) store = bus_store_proxy(bus_world->bus);
        g_autoptr(GError) error = NULL;
        g_autofree char *big = g_malloc(MIB + 2);
        guint64 before, revision = 0;

        memset(big, 'x', MIB + 1);
        big[MIB + 1] = 0;
        bus_set("set-all-too-large", "existing", "old");
        before = bus_revision();
        g_assert_false(stored_store_call_set_all_sync(store, "set-all-too-large",
                bus_entries("a", "1", "existing", "new", "big", big, "z", "26", NULL), NONE, -1, &revision, NULL,
                &error));
        bus_assert_error(error, ERROR_TOO_LARGE);
        g_assert_cmpuint(bus_revision(), ==, before);
        g_assert_cmpuint(bus_count("set-all-too-large"), ==, 1);
        g_autofree char *existing = bus_get("set-all-too-large", "existing");
        g_assert_cmpstr(existing, ==, "old");
        bus_assert_serving();
}

/* ---- Delete, DeleteGroup ---- */

static void test_delete_removes_key(void) {
        g_autoptr(StoredStore) store = bus_store_proxy(bus_world->bus);
        g_autoptr(GError) error = NULL;
        g_autofree char *value = NULL;
        guint64 set_revision = bus_set("delete", "k", "v"), revision = 0;

        g_assert_true(stored_store_call_delete_sync(store, "delete", "k", NONE, -1, &revision, NULL, &error));
        g_assert_no_error(error);
        g_assert_cmpuint(revision, ==, set_revision + 1);
        g_assert_false(stored_store_call_get_sync(store, "delete", "k", NONE, -1, &value, NULL, &error));
        bus_assert_error(error, ERROR_NOT_FOUND);
}

static void test_delete_missing_key_keeps_revision(void) {
        g_autoptr(StoredStore) store = bus_store_proxy(bus_world->bus);
        g_autoptr(GError) error = NULL;
        guint64 before = bus_revision(), revision = 0;

        g_assert_true(stored_store_call_delete_sync(store, "delete-missing", "k", NONE, -1, &revision, NULL, &error));
        g_assert_no_error(error);
        g_assert_cmpuint(revision, ==, before);
        g_assert_cmpuint(bus_revision(), ==, before);
}

static void test_delete_group_removes_every_key(void) {
        g_autoptr(StoredStore) store = bus_store_proxy(bus_world->bus);
        g_autoptr(GError) error = NULL;
        g_autoptr(GVariant) all = NULL;
        guint64 before, revision = 0;

        bus_set("delete-group", "a", "1");
        bus_set("delete-group", "b", "2");
        bus_set("delete-group", "c", "3");
        before = bus_revision();
        g_assert_true(stored_store_call_delete_group_sync(store, "delete-group", NONE, -1, &revision, NULL, &error));
        g_assert_no_error(error);
        g_assert_cmpuint(revision, ==, before + 1);
        g_assert_cmpuint(bus_count("delete-group"), ==, 0);
        /* go-store's DeleteGroup_Good_ThenGetAllEmpty: empty, not an error. */
        g_assert_true(stored_store_call_get_all_sync(store, "delete-group", NONE, -1, &all, NULL, &error));
        g_assert_no_error(error);
        g_assert_cmpuint(g_variant_n_children(all), ==, 0);
}

static void test_delete_group_leaves_other_groups_alone(void) {
        g_autoptr(StoredStore) store = bus_store_proxy(bus_world->bus);
        g_autoptr(GError) error = NULL;
        g_autofree char *value = NULL;
        guint64 revision = 0;

        bus_set("delete-group-a", "k", "1");
        bus_set("delete-group-b", "k", "2");
        /* A group whose name starts with the deleted one's is another group. */
        bus_set("delete-group-a2", "k", "3");
        g_assert_true(stored_store_call_delete_group_sync(store, "delete-group-a", NONE, -1, &revision, NULL, &error));
        g_assert_no_error(error);
        value = bus_get("delete-group-b", "k");
        g_assert_cmpstr(value, ==, "2");
        g_assert_cmpuint(bus_count("delete-group-a2"), ==, 1);
}

static void test_delete_group_missing_keeps_revision(void) {
        g_autoptr(StoredStore) store = bus_store_proxy(bus_world->bus);
        g_autoptr(GError) error = NULL;
        guint64 before = bus_revision(), revision = 0;

        g_assert_true(
                stored_store_call_delete_group_sync(store, "delete-group-missing", NONE, -1, &revision, NULL, &error));
        g_assert_no_error(error);
        g_assert_cmpuint(revision, ==, before);
}
/* ---- PurgeExpired ---- */

static void test_purge_expired_with_nothing_expired_removes_nothing(void) {
        g_autoptr(StoredStore) store = bus_store_proxy(bus_world->bus);
        g_autoptr(GError) error = NULL;
        guint64 removed = 1, before;

        bus_set("purge-none", "permanent", "v");
        bus_set_with_ttl("purge-none", "later", "v", HOUR_USEC);
        before = bus_revision();
        g_assert_true(stored_store_call_purge_expired_sync(store, NONE, -1, &removed, NULL, &error));
        g_assert_no_error(error);
        g_assert_cmpuint(removed, ==, 0);
        g_assert_cmpuint(bus_count("purge-none"), ==, 2);
        g_assert_cmpuint(bus_revision(), ==, before);
}

/* Whether PurgeExpired or the expiry timer removes them, the expired entries are gone afterwards and
 * the permanent one stays; PurgeExpired counts only what it removed itself. */
static void test_purge_expired_leaves_only_live_entries(void) {
        g_autoptr(StoredStore) store = bus_store_proxy(bus_world->bus);
        g_autoptr(GError) error = NULL;
        guint64 removed = G_MAXUINT64;

        bus_set("purge", "permanent", "v");
        bus_set_with_ttl("purge", "short-1", "v", 1000);
        bus_set_with_ttl("purge", "short-2", "v", 1000);
        g_usleep(5000);
        g_assert_true(stored_store_call_purge_expired_sync(store, NONE, -1, &removed, NULL, &error));
        g_assert_no_error(error);
        g_assert_cmpuint(removed, <=, 2);
        g_assert_cmpuint(bus_count("purge"), ==, 1);
        g_assert_true(stored_store_call_purge_expired_sync(store, NONE, -1, &removed, NULL, &error));
        g_assert_no_error(error);
        g_assert_cmpuint(removed, ==, 0);
}

/* ---- Export and Import through a descriptor (the whole of it: tests/test-storectl.sh) ---- */

/* bus_call_with_fd() passes the write end of a pipe whose read end is already closed. */
static void test_export_into_a_pipe_nobody_reads_fails_and_the_daemon_serves_on(void) {
        g_autoptr(GError) error = NULL;
        g_autoptr(GVariant) reply = NULL;

        bus_set("export-unread", "k", "v");
        reply = bus_call_with_fd(STORE_INTERFACE, "Export", &error);
        g_assert_null(reply);
        bus_assert_error(error, "org.freedesktop.DBus.Error.IOError");
        bus_assert_serving();
}

static void test_import_from_a_write_only_fd_is_invalid_args(void) {
        g_autoptr(GError) error = NULL;
        g_autoptr(GVariant) reply = bus_call_with_fd(STORE_INTERFACE, "Import", &error);

        g_assert_null(reply);
        bus_assert_error(error, ERROR_INVALID_ARGS);
}

void bus_writes_tests_register(void) {
        g_test_add_func("/bus/set/returns-increasing-revisions", test_set_returns_increasing_revisions);
        g_test_add_func("/bus/set/upsert-replaces-value", test_set_upsert_replaces_value);
        g_test_add_func("/bus/set/creates-version-one", test_set_creates_version_one);
        g_test_add_func("/bus/set/identical-write-keeps-revision-and-version",
                test_set_identical_write_keeps_revision_and_version);
        g_test_add_func("/bus/set/changed-write-bumps-version", test_set_changed_write_bumps_version);
        g_test_add_func("/bus/set-with-ttl/readable-before-deadline",
                test_set_with_ttl_entry_is_readable_before_deadline);
        g_test_add_func("/bus/set-with-ttl/zero-ttl-is-invalid-args", test_set_with_ttl_zero_is_invalid_args);
        g_test_add_func("/bus/set-with-ttl/new-deadline-is-a-change", test_set_with_ttl_new_deadline_is_a_change);
        g_test_add_func("/bus/set-bytes/text-is-readable-as-text", test_set_bytes_of_text_is_readable_as_text);
        g_test_add_func("/bus/set-bytes/ttl-sets-deadline", test_set_bytes_with_ttl_sets_deadline);
        g_test_add_func("/bus/set-bytes/empty-value", test_set_bytes_empty_value);
        g_test_add_func("/bus/set-all/writes-every-entry", test_set_all_writes_every_entry);
        g_test_add_func("/bus/set-all/is-one-revision", test_set_all_is_one_revision);
        g_test_add_func("/bus/set-all/merges-into-existing-group", test_set_all_merges_into_existing_group);
        g_test_add_func("/bus/set-all/leaves-unchanged-entries-alone", test_set_all_leaves_unchanged_entries_alone);
        g_test_add_func("/bus/set-all/identical-is-no-op", test_set_all_identical_is_no_op);
        g_test_add_func("/bus/set-all/empty-changes-nothing", test_set_all_empty_changes_nothing);
        g_test_add_func("/bus/set-all/one-value-over-limit-writes-nothing",
                test_set_all_with_one_value_over_limit_writes_nothing);
        g_test_add_func("/bus/delete/removes-key", test_delete_removes_key);
        g_test_add_func("/bus/delete/missing-key-keeps-revision", test_delete_missing_key_keeps_revision);
        g_test_add_func("/bus/delete-group/removes-every-key", test_delete_group_removes_every_key);
        g_test_add_func("/bus/delete-group/leaves-other-groups-alone", test_delete_group_leaves_other_groups_alone);
        g_test_add_func("/bus/delete-group/missing-group-keeps-revision", test_delete_group_missing_keeps_revision);
        g_test_add_func("/bus/purge-expired/nothing-expired-removes-nothing",
                test_purge_expired_with_nothing_expired_removes_nothing);
        g_test_add_func("/bus/purge-expired/leaves-only-live-entries", test_purge_expired_leaves_only_live_entries);
        g_test_add_func("/bus/export/into-a-pipe-nobody-reads-fails-and-the-daemon-serves-on",
                test_export_into_a_pipe_nobody_reads_fails_and_the_daemon_serves_on);
        g_test_add_func("/bus/import/from-a-write-only-fd-is-invalid-args",
                test_import_from_a_write_only_fd_is_invalid_args);
}
