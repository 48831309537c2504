/* SPDX-License-Identifier: MIT */

/* The reading methods of org.example.Store on the root object: what each answers, and the error
 * names it answers with. Calls go through the generated proxy; binary values are written with raw
 * calls (see test-bus-values.c for why). */

#include "bus-client.h"

#define NONE G_DBUS_CALL_FLAGS_NONE

/* ---- Get ---- */

static void test_get_returns_value_set(void) {
        g_autoptr(StoredStore) store = bus_store_proxy(bus_world->bus);
        g_autoptr(GError) error = NULL;
        g_autofree char *value = NULL;
        guint64 revision = 0;

        g_assert_true(stored_store_call_set_sync(store, "config", "theme", "dark", NONE, -1, &revision, NULL, &error));
        g_assert_no_error(error);
        g_assert_cmpuint(revision, >, 0);
        g_assert_true(stored_store_call_get_sync(store, "config", "theme", NONE, -1, &value, NULL, &error));
        g_assert_no_error(error);
        g_assert_cmpstr(value, ==, "dark");
}

static void test_get_missing_key_is_not_found(void) {
        g_autoptr(StoredStore) store = bus_store_proxy(bus_world->bus);
        g_autoptr(GError) error = NULL;
        g_autofree char *value = NULL;

        bus_set("get-missing", "present", "1");
        g_assert_false(stored_store_call_get_sync(store, "get-missing", "absent", NONE, -1, &value, NULL, &error));
        bus_assert_error(error, ERROR_NOT_FOUND);
}

static void test_get_missing_group_is_not_found(void) {
        g_autoptr(StoredStore) store = bus_store_proxy(bus_world->bus);
        g_autoptr(GError) error = NULL;
        g_autofree char *value = NULL;

        g_assert_false(stored_store_call_get_sync(store, "get-no-such-group", "k", NONE, -1, &value, NULL, &error));
        bus_assert_error(error, ERROR_NOT_FOUND);
}

static void test_get_binary_value_is_not_text(void) {
        g_autoptr(StoredStore) store = bus_store_proxy(bus_world->bus);
        g_autoptr(GError) error = NULL;
        g_autofree char *value = NULL;
        static const unsigned char invalid_utf8[] = { 'a', 0xff, 0xfe, 'b' };

        bus_set_bytes("get-binary", "blob", invalid_utf8, sizeof(invalid_utf8), 0);
        g_assert_false(stored_store_call_get_sync(store, "get-binary", "blob", NONE, -1, &value, NULL, &error));
        bus_assert_error(error, ERROR_NOT_TEXT);
}

/* ---- GetBytes ---- */

static void test_get_bytes_of_text_value_is_its_utf8(void) {
        g_autoptr(GError) error = NULL;
        g_autoptr(GBytes) bytes = NULL;

        bus_set("get-bytes-text", "k", "héllo");
        bytes = bus_get_bytes("get-bytes-text", "k", &error);
        g_assert_no_error(error);
        /* No NUL terminator: exactly the bytes of the string. */
        g_assert_cmpmem(g_bytes_get_data(bytes, NULL), g_bytes_get_size(bytes), "héllo", strlen("héllo"));
}

static void test_get_bytes_missing_key_is_not_found(void) {
        g_autoptr(GError) error = NULL;
        g_autoptr(GBytes) bytes = bus_get_bytes("get-bytes-missing", "k", &error);

        g_assert_null(bytes);
        bus_assert_error(error, ERROR_NOT_FOUND);
}
/* ---- GetAll, GetPage ---- */

static void test_get_all_returns_exactly_the_group(void) {
        g_autoptr(StoredStore) store = bus_store_proxy(bus_world->bus);
        g_autoptr(GError) error = NULL;
        g_autoptr(GVariant) all = NULL;

        bus_set("get-all", "a", "1");
        bus_set("get-all", "b", "2");
        bus_set("get-all-other", "c", "3");
        g_assert_true(stored_store_call_get_all_sync(store, "get-all", NONE, -1, &all, NULL, &error));
        g_assert_no_error(error);
        g_assert_true(g_variant_is_of_type(all, G_VARIANT_TYPE("a{ss}")));
        g_assert_cmpuint(g_variant_n_children(all), ==, 2);
        g_assert_cmpstr(bus_entries_lookup(all, "a"), ==, "1");
        g_assert_cmpstr(bus_entries_lookup(all, "b"), ==, "2");
}

static void test_get_all_of_empty_group_is_empty(void) {
        g_autoptr(StoredStore) store = bus_store_proxy(bus_world->bus);
        g_autoptr(GError) error = NULL;
        g_autoptr(GVariant) all = NULL;

        g_assert_true(stored_store_call_get_all_sync(store, "get-all-empty", NONE, -1, &all, NULL, &error));
        g_assert_no_error(error);
        g_assert_cmpuint(g_variant_n_children(all), ==, 0);
}

static void test_get_all_of_group_with_binary_value_is_not_text(void) {
        g_autoptr(StoredStore) store = bus_store_proxy(bus_world->bus);
        g_autoptr(GError) error = NULL;
        g_autoptr(GVariant) all = NULL;

        bus_set("get-all-binary", "a-text", "fine");
        bus_set_bytes("get-all-binary", "b-binary", "x\0y", 3, 0);
        bus_set("get-all-binary", "c-text", "fine");
        g_assert_false(stored_store_call_get_all_sync(store, "get-all-binary", NONE, -1, &all, NULL, &error));
        bus_assert_error(error, ERROR_NOT_TEXT);
        bus_assert_serving();
}

/* The keys of an a(ss) page, in order, as one string "k1 k2 …" for a readable comparison. */
static char *page_keys(StoredStore *store, const char *group, guint64 offset, guint64 limit) {
        g_autoptr(GError) error = NULL;
        g_autoptr(GVariant) page = NULL;
        g_autoptr(GString) keys = g_string_new(NULL);
        GVariantIter iter;
        const char *key, *value;

        g_assert_true(stored_store_call_get_page_sync(store, group, offset, limit, NONE, -1, &page, NULL, &error));
        g_assert_no_error(error);
        g_assert_true(g_variant_is_of_type(page, G_VARIANT_TYPE("a(ss)")));
        g_variant_iter_init(&iter, page);
        while (g_variant_iter_next(&iter, "(&s&s)", &key, &value)) {
                g_autofree char *expected = g_strdup_printf("value of %s", key);
                g_assert_cmpstr(value, ==, expected);
                g_string_append_printf(keys, "%s%s", keys->len ? " " : "", key);
        }
        return g_string_free(g_steal_pointer(&keys), FALSE);
}

static void set_page_group(const char *group) {
        /* Inserted out of order; bytewise order is: B Z a b é (0xc3 0xa9) 日 (0xe6). */
        static const char *const keys[] = { "é", "b", "Z", "日", "a", "B" };

        for (size_t i = 0; i < G_N_ELEMENTS(keys); i++) {
                g_autofree char *value = g_strdup_printf("value of %s", keys[i]);
                bus_set(group, keys[i], value);
        }
}

static void test_get_page_is_ordered_by_key_bytewise(void) {
        g_autoptr(StoredStore) store = bus_store_proxy(bus_world->bus);
        g_autofree char *keys = NULL;

        set_page_group("get-page-order");
        keys = page_keys(store, "get-page-order", 0, 100);
        g_assert_cmpstr(keys, ==, "B Z a b é 日");
}

static void test_get_page_takes_offset_and_limit(void) {
        g_autoptr(StoredStore) store = bus_store_proxy(bus_world->bus);
        g_autofree char *first = NULL, *middle = NULL, *tail = NULL, *all = NULL;

        set_page_group("get-page-window");
        first = page_keys(store, "get-page-window", 0, 2);
        middle = page_keys(store, "get-page-window", 2, 2);
        tail = page_keys(store, "get-page-window", 4, 10);
        all = page_keys(store, "get-page-window", 0, G_MAXUINT64);
        g_assert_cmpstr(first, ==, "B Z");
        g_assert_cmpstr(middle, ==, "a b");
        g_assert_cmpstr(tail, ==, "é 日");
        g_assert_cmpstr(all, ==, "B Z a b é 日");
}

static void test_get_page_limit_zero_is_empty(void) {
        g_autoptr(StoredStore) store = bus_store_proxy(bus_world->bus);
        g_autofree char *keys = NULL;

        set_page_group("get-page-limit-zero");
        keys = page_keys(store, "get-page-limit-zero", 0, 0);
        g_assert_cmpstr(keys, ==, "");
}

static void test_get_page_offset_past_end_is_empty(void) {
        g_autoptr(StoredStore) store = bus_store_proxy(bus_world->bus);
        g_autofree char *just_past = NULL, *far_past = NULL, *farthest = NULL;

        set_page_group("get-page-past-end");
        just_past = page_keys(store, "get-page-past-end", 6, 10);
        far_past = page_keys(store, "get-page-past-end", (guint64)G_MAXINT64, 10);
        farthest = page_keys(store, "get-page-past-end", G_MAXUINT64, G_MAXUINT64);
        g_assert_cmpstr(just_past, ==, "");
        g_assert_cmpstr(far_past, ==, "");
        g_assert_cmpstr(farthest, ==, "");
}

static void test_get_page_of_binary_value_is_not_text(void) {
        g_autoptr(StoredStore) store = bus_store_proxy(bus_world->bus);
        g_autoptr(GError) error = NULL;
        g_autoptr(GVariant) page = NULL;

        bus_set_bytes("get-page-binary", "k", "\xff", 1, 0);
        g_assert_false(stored_store_call_get_page_sync(store, "get-page-binary", 0, 10, NONE, -1, &page, NULL, &error));
        bus_assert_error(error, ERROR_NOT_TEXT);
}

/* ---- Count, CountAll, Groups ---- */

static void test_count_counts_keys_of_the_group(void) {
        g_autoptr(StoredStore) store = bus_store_proxy(bus_world->bus);
        g_autoptr(GError) error = NULL;
        guint64 n = 0;

        bus_set("count", "a", "1");
        bus_set("count", "b", "2");
        bus_set("count-other", "c", "3");
        g_assert_true(stored_store_call_count_sync(store, "count", NONE, -1, &n, NULL, &error));
        g_assert_no_error(error);
        g_assert_cmpuint(n, ==, 2);
}

static void test_count_of_empty_group_is_zero(void) {
        g_autoptr(StoredStore) store = bus_store_proxy(bus_world->bus);
        g_autoptr(GError) error = NULL;
        guint64 n = 1;

        g_assert_true(stored_store_call_count_sync(store, "count-empty", NONE, -1, &n, NULL, &error));
        g_assert_no_error(error);
        g_assert_cmpuint(n, ==, 0);
}

/* go-store's Count_Good_BulkInsert, over the bus. */
static void test_count_after_many_writes(void) {
        for (int i = 0; i < 500; i++) {
                g_autofree char *key = g_strdup_printf("key-%03d", i);
                bus_set("count-bulk", key, "v");
        }
        g_assert_cmpuint(bus_count("count-bulk"), ==, 500);
}

static void test_count_all_counts_groups_with_prefix(void) {
        g_autoptr(StoredStore) store = bus_store_proxy(bus_world->bus);
        g_autoptr(GError) error = NULL;
        guint64 n = 0;

        bus_set("count-all:a", "k1", "v");
        bus_set("count-all:a", "k2", "v");
        bus_set("count-all:b", "k1", "v");
        bus_set("count-all-not:c", "k1", "v");
        g_assert_true(stored_store_call_count_all_sync(store, "count-all:", NONE, -1, &n, NULL, &error));
        g_assert_no_error(error);
        g_assert_cmpuint(n, ==, 3);
        g_assert_cmpuint(bus_count_all("count-all:a"), ==, 2);
        g_assert_cmpuint(bus_count_all("count-all"), ==, 4);
        g_assert_cmpuint(bus_count_all("count-all-nothing"), ==, 0);
}

/* A plain byte prefix: case-sensitive, and % and _ are ordinary characters (go-store used LIKE). */
static void test_count_all_prefix_is_literal_and_case_sensitive(void) {
        bus_set("cal_user_1", "k", "v");
        bus_set("cal_user_2", "k", "v");
        bus_set("calXuser_3", "k", "v");
        bus_set("cal%user", "k", "v");
        bus_set("CAL_USER_4", "k", "v");
        g_assert_cmpuint(bus_count_all("cal_"), ==, 2);
        g_assert_cmpuint(bus_count_all("cal%"), ==, 1);
        g_assert_cmpuint(bus_count_all("CAL_"), ==, 1);
        g_assert_cmpuint(bus_count_all("cal"), ==, 4);
}

/* "" is everything in scope: the sum of Count over every group. */
static void test_count_all_empty_prefix_counts_every_group(void) {
        g_autoptr(StoredStore) store = bus_store_proxy(bus_world->bus);
        g_autoptr(GError) error = NULL;
        g_auto(GStrv) groups = NULL;
        guint64 sum = 0;

        bus_set("count-all-everything", "k", "v");
        g_assert_true(stored_store_call_groups_sync(store, "", NONE, -1, &groups, NULL, &error));
        g_assert_no_error(error);
        for (size_t i = 0; groups[i]; i++)
                sum += bus_count(groups[i]);
        g_assert_cmpuint(sum, >, 0);
        g_assert_cmpuint(bus_count_all(""), ==, sum);
}

static void test_groups_are_distinct_sorted_with_prefix(void) {
        g_autoptr(StoredStore) store = bus_store_proxy(bus_world->bus);
        g_autoptr(GError) error = NULL;
        g_auto(GStrv) groups = NULL;
        const char *const expected[] = { "groups:Bravo", "groups:alpha", "groups:charlie", "groups:é", NULL };

        bus_set("groups:charlie", "k", "v");
        bus_set("groups:alpha", "k1", "v");
        bus_set("groups:alpha", "k2", "v");
        bus_set("groups:alpha", "k3", "v");
        bus_set("groups:é", "k", "v");
        bus_set("groups:Bravo", "k", "v");
        bus_set("groupsX", "k", "v");
        g_assert_true(stored_store_call_groups_sync(store, "groups:", NONE, -1, &groups, NULL, &error));
        g_assert_no_error(error);
        g_assert_cmpstrv(groups, expected);
}

static void test_groups_prefix_is_literal(void) {
        g_autoptr(StoredStore) store = bus_store_proxy(bus_world->bus);
        g_autoptr(GError) error = NULL;
        g_auto(GStrv) underscore = NULL, percent = NULL;
        const char *const expected_underscore[] = { "grp_lit_a", NULL };
        const char *const expected_percent[] = { "grp%lit", NULL };

        bus_set("grp_lit_a", "k", "v");
        bus_set("grpXlit_b", "k", "v");
        bus_set("grp%lit", "k", "v");
        g_assert_true(stored_store_call_groups_sync(store, "grp_", NONE, -1, &underscore, NULL, &error));
        g_assert_no_error(error);
        g_assert_cmpstrv(underscore, expected_underscore);
        g_assert_true(stored_store_call_groups_sync(store, "grp%", NONE, -1, &percent, NULL, &error));
        g_assert_no_error(error);
        g_assert_cmpstrv(percent, expected_percent);
}

static void test_groups_with_no_match_is_empty(void) {
        g_autoptr(StoredStore) store = bus_store_proxy(bus_world->bus);
        g_autoptr(GError) error = NULL;
        g_auto(GStrv) groups = NULL;

        g_assert_true(stored_store_call_groups_sync(store, "groups-none-match-this", NONE, -1, &groups, NULL, &error));
        g_assert_no_error(error);
        g_assert_nonnull(groups);
        g_assert_null(groups[0]);
}

static void test_groups_omit_emptied_group(void) {
        g_autoptr(StoredStore) store = bus_store_proxy(bus_world->bus);
        g_autoptr(GError) error = NULL;
        g_auto(GStrv) groups = NULL;
        const char *const expected[] = { "groups-emptied:kept", NULL };

        bus_set("groups-emptied:gone", "k", "v");
        bus_set("groups-emptied:kept", "k", "v");
        bus_delete("groups-emptied:gone", "k");
        g_assert_true(stored_store_call_groups_sync(store, "groups-emptied:", NONE, -1, &groups, NULL, &error));
        g_assert_no_error(error);
        g_assert_cmpstrv(groups, expected);
}

/* ---- GetSplit, GetFields ---- */

static void assert_split(StoredStore *store, const char *value, const char *sep, const char *const *expected) {
        g_autoptr(GError) error = NULL;
        g_auto(GStrv) parts = NULL;

        bus_set("get-split", "k", value);
        g_assert_true(stored_store_call_get_split_sync(store, "get-split", "k", sep, NONE, -1, &parts, NULL, &error));
        g_assert_no_error(error);
        g_assert_cmpstrv(parts, expected);
}

/* As Go's strings.Split. */
static void test_get_split_splits_on_separator(void) {
        g_autoptr(StoredStore) store = bus_store_proxy(bus_world->bus);

        assert_split(store, "alpha,beta,gamma", ",", (const char *const[]){ "alpha", "beta", "gamma", NULL });
        assert_split(store, "a,,b,", ",", (const char *const[]){ "a", "", "b", "", NULL });
        assert_split(store, "a::b::c", "::", (const char *const[]){ "a", "b", "c", NULL });
        assert_split(store, "no separator", ",", (const char *const[]){ "no separator", NULL });
        assert_split(store, "", ",", (const char *const[]){ "", NULL });
        assert_split(store, "x→y→z", "→", (const char *const[]){ "x", "y", "z", NULL });
}

static void test_get_split_empty_separator_splits_into_characters(void) {
        g_autoptr(StoredStore) store = bus_store_proxy(bus_world->bus);

        assert_split(store, "abc", "", (const char *const[]){ "a", "b", "c", NULL });
        assert_split(store, "hé日🙂", "", (const char *const[]){ "h", "é", "日", "🙂", NULL });
        assert_split(store, "", "", (const char *const[]){ NULL });
}

static void test_get_split_missing_key_is_not_found(void) {
        g_autoptr(StoredStore) store = bus_store_proxy(bus_world->bus);
        g_autoptr(GError) error = NULL;
        g_auto(GStrv) parts = NULL;

        g_assert_false(
                stored_store_call_get_split_sync(store, "get-split-missing", "k", ",", NONE, -1, &parts, NULL, &error));
        bus_assert_error(error, ERROR_NOT_FOUND);
}

static void test_get_split_of_binary_value_is_not_text(void) {
        g_autoptr(StoredStore) store = bus_store_proxy(bus_world->bus);
        g_autoptr(GError) error = NULL;
        g_auto(GStrv) parts = NULL;

        bus_set_bytes("get-split-binary", "k", "a,\0,b", 5, 0);
        g_assert_false(
                stored_store_call_get_split_sync(store, "get-split-binary", "k", ",", NONE, -1, &parts, NULL, &error));
        bus_assert_error(error, ERROR_NOT_TEXT);
}

static void assert_fields(StoredStore *store, const char *value, const char *const *expected) {
        g_autoptr(GError) error = NULL;
        g_auto(GStrv) fields = NULL;

        bus_set("get-fields", "k", value);
        g_assert_true(stored_store_call_get_fields_sync(store, "get-fields", "k", NONE, -1, &fields, NULL, &error));
        g_assert_no_error(error);
        g_assert_cmpstrv(fields, expected);
}

/* As Go's strings.Fields: runs of unicode.IsSpace, leading and trailing ones ignored. */
static void test_get_fields_splits_on_unicode_white_space(void) {
        g_autoptr(StoredStore) store = bus_store_proxy(bus_world->bus);

        assert_fields(store, "alpha beta\tgamma\n", (const char *const[]){ "alpha", "beta", "gamma", NULL });
        assert_fields(store, "  lead \r\n\v\f  trail  ", (const char *const[]){ "lead", "trail", NULL });
        /* NEL, NO-BREAK SPACE, OGHAM SPACE MARK, EM SPACE, LINE SEPARATOR, NARROW NBSP, IDEOGRAPHIC SPACE.
         */
        assert_fields(store,
                "a\xc2\x85"
                "b\u00a0c\u1680d\u2003e\u2028f\u202fg\u3000h",
                (const char *const[]){ "a", "b", "c", "d", "e", "f", "g", "h", NULL });
        /* ZERO WIDTH SPACE is not white space in Go. */
        assert_fields(store, "x\u200by", (const char *const[]){ "x\u200by", NULL });
}

static void test_get_fields_of_only_space_is_empty(void) {
        g_autoptr(StoredStore) store = bus_store_proxy(bus_world->bus);

        assert_fields(store, " \t\n ", (const char *const[]){ NULL });
        assert_fields(store, "", (const char *const[]){ NULL });
}

static void test_get_fields_missing_key_is_not_found(void) {
        g_autoptr(StoredStore) store = bus_store_proxy(bus_world->bus);
        g_autoptr(GError) error = NULL;
        g_auto(GStrv) fields = NULL;

        g_assert_false(
                stored_store_call_get_fields_sync(store, "get-fields-missing", "k", NONE, -1, &fields, NULL, &error));
        bus_assert_error(error, ERROR_NOT_FOUND);
}

static void test_get_fields_of_binary_value_is_not_text(void) {
        g_autoptr(StoredStore) store = bus_store_proxy(bus_world->bus);
        g_autoptr(GError) error = NULL;
        g_auto(GStrv) fields = NULL;

        bus_set_bytes("get-fields-binary", "k", "a \xc3", 3, 0);
        g_assert_false(
                stored_store_call_get_fields_sync(store, "get-fields-binary", "k", NONE, -1, &fields, NULL, &error));
        bus_assert_error(error, ERROR_NOT_TEXT);
}
/* ---- Stat, Snapshot ---- */

static void test_stat_reports_version_revision_and_times(void) {
        g_autoptr(StoredStore) store = bus_store_proxy(bus_world->bus);
        g_autoptr(GError) error = NULL;
        guint64 version = 0, revision = 0, modified = 0, expires = 1;
        guint64 r1, r2, r3, before;

        r1 = bus_set("stat", "k", "1");
        r2 = bus_set("stat", "k", "2");
        before = bus_now_usec();
        r3 = bus_set("stat", "k", "3");
        g_assert_true(stored_store_call_stat_sync(store, "stat", "k", NONE, -1, &version, &revision, &modified,
                &expires, NULL, &error));
        g_assert_no_error(error);
        g_assert_cmpuint(r1, <, r2);
        g_assert_cmpuint(version, ==, 3);
        g_assert_cmpuint(revision, ==, r3);
        g_assert_cmpuint(modified, >=, before);
        g_assert_cmpuint(modified, <=, bus_now_usec());
        g_assert_cmpuint(expires, ==, 0);
}

static void test_stat_missing_key_is_not_found(void) {
        g_autoptr(StoredStore) store = bus_store_proxy(bus_world->bus);
        g_autoptr(GError) error = NULL;
        guint64 version, revision, modified, expires;

        g_assert_false(stored_store_call_stat_sync(store, "stat-missing", "k", NONE, -1, &version, &revision, &modified,
                &expires, NULL, &error));
        bus_assert_error(error, ERROR_NOT_FOUND);
}

/* A deleted and re-created key starts again at version 1. */
static void test_stat_version_restarts_after_delete(void) {
        bus_set("stat-recreate", "k", "1");
        bus_set("stat-recreate", "k", "2");
        bus_delete("stat-recreate", "k");
        bus_set("stat-recreate", "k", "3");
        g_assert_cmpuint(bus_stat("stat-recreate", "k").version, ==, 1);
}

static void test_snapshot_returns_entries_and_current_revision(void) {
        g_autoptr(StoredStore) store = bus_store_proxy(bus_world->bus);
        g_autoptr(GError) error = NULL;
        g_autoptr(GVariant) entries = NULL;
        guint64 revision = 0;

        bus_set("snapshot", "a", "1");
        bus_set("snapshot", "b", "2");
        /* The snapshot's revision is the store's, even when the last change was elsewhere. */
        bus_set("snapshot-elsewhere", "k", "v");
        g_assert_true(stored_store_call_snapshot_sync(store, "snapshot", NONE, -1, &entries, &revision, NULL, &error));
        g_assert_no_error(error);
        g_assert_cmpuint(g_variant_n_children(entries), ==, 2);
        g_assert_cmpstr(bus_entries_lookup(entries, "a"), ==, "1");
        g_assert_cmpstr(bus_entries_lookup(entries, "b"), ==, "2");
        g_assert_cmpuint(revision, ==, bus_revision());
}

static void test_snapshot_of_empty_group(void) {
        g_autoptr(StoredStore) store = bus_store_proxy(bus_world->bus);
        g_autoptr(GError) error = NULL;
        g_autoptr(GVariant) entries = NULL;
        guint64 revision = 0;

        g_assert_true(
                stored_store_call_snapshot_sync(store, "snapshot-empty", NONE, -1, &entries, &revision, NULL, &error));
        g_assert_no_error(error);
        g_assert_cmpuint(g_variant_n_children(entries), ==, 0);
        g_assert_cmpuint(revision, ==, bus_revision());
}

static void test_snapshot_of_binary_value_is_not_text(void) {
        g_autoptr(StoredStore) store = bus_store_proxy(bus_world->bus);
        g_autoptr(GError) error = NULL;
        g_autoptr(GVariant) entries = NULL;
        guint64 revision = 0;

        bus_set_bytes("snapshot-binary", "k", "\0", 1, 0);
        g_assert_false(
                stored_store_call_snapshot_sync(store, "snapshot-binary", NONE, -1, &entries, &revision, NULL, &error));
        bus_assert_error(error, ERROR_NOT_TEXT);
}

void bus_reads_tests_register(void) {
        g_test_add_func("/bus/get/returns-value-set", test_get_returns_value_set);
        g_test_add_func("/bus/get/missing-key-is-not-found", test_get_missing_key_is_not_found);
        g_test_add_func("/bus/get/missing-group-is-not-found", test_get_missing_group_is_not_found);
        g_test_add_func("/bus/get/binary-value-is-not-text", test_get_binary_value_is_not_text);
        g_test_add_func("/bus/get-bytes/text-value-is-its-utf8", test_get_bytes_of_text_value_is_its_utf8);
        g_test_add_func("/bus/get-bytes/missing-key-is-not-found", test_get_bytes_missing_key_is_not_found);
        g_test_add_func("/bus/get-all/returns-exactly-the-group", test_get_all_returns_exactly_the_group);
        g_test_add_func("/bus/get-all/empty-group-is-empty", test_get_all_of_empty_group_is_empty);
        g_test_add_func("/bus/get-all/binary-value-is-not-text", test_get_all_of_group_with_binary_value_is_not_text);
        g_test_add_func("/bus/get-page/ordered-by-key-bytewise", test_get_page_is_ordered_by_key_bytewise);
        g_test_add_func("/bus/get-page/offset-and-limit", test_get_page_takes_offset_and_limit);
        g_test_add_func("/bus/get-page/limit-zero-is-empty", test_get_page_limit_zero_is_empty);
        g_test_add_func("/bus/get-page/offset-past-end-is-empty", test_get_page_offset_past_end_is_empty);
        g_test_add_func("/bus/get-page/binary-value-is-not-text", test_get_page_of_binary_value_is_not_text);
        g_test_add_func("/bus/count/counts-keys-of-the-group", test_count_counts_keys_of_the_group);
        g_test_add_func("/bus/count/empty-group-is-zero", test_count_of_empty_group_is_zero);
        g_test_add_func("/bus/count/after-many-writes", test_count_after_many_writes);
        g_test_add_func("/bus/count-all/counts-groups-with-prefix", test_count_all_counts_groups_with_prefix);
        g_test_add_func("/bus/count-all/prefix-is-literal-and-case-sensitive",
                test_count_all_prefix_is_literal_and_case_sensitive);
        g_test_add_func("/bus/count-all/empty-prefix-counts-every-group",
                test_count_all_empty_prefix_counts_every_group);
        g_test_add_func("/bus/groups/distinct-sorted-with-prefix", test_groups_are_distinct_sorted_with_prefix);
        g_test_add_func("/bus/groups/prefix-is-literal", test_groups_prefix_is_literal);
        g_test_add_func("/bus/groups/no-match-is-empty", test_groups_with_no_match_is_empty);
        g_test_add_func("/bus/groups/omit-emptied-group", test_groups_omit_emptied_group);
        g_test_add_func("/bus/get-split/splits-on-separator", test_get_split_splits_on_separator);
        g_test_add_func("/bus/get-split/empty-separator-splits-into-characters",
                test_get_split_empty_separator_splits_into_characters);
        g_test_add_func("/bus/get-split/missing-key-is-not-found", test_get_split_missing_key_is_not_found);
        g_test_add_func("/bus/get-split/binary-value-is-not-text", test_get_split_of_binary_value_is_not_text);
        g_test_add_func("/bus/get-fields/splits-on-unicode-white-space", test_get_fields_splits_on_unicode_white_space);
        g_test_add_func("/bus/get-fields/only-space-is-empty", test_get_fields_of_only_space_is_empty);
        g_test_add_func("/bus/get-fields/missing-key-is-not-found", test_get_fields_missing_key_is_not_found);
        g_test_add_func("/bus/get-fields/binary-value-is-not-text", test_get_fields_of_binary_value_is_not_text);
        g_test_add_func("/bus/stat/reports-version-revision-and-times", test_stat_reports_version_revision_and_times);
        g_test_add_func("/bus/stat/missing-key-is-not-found", test_stat_missing_key_is_not_found);
        g_test_add_func("/bus/stat/version-restarts-after-delete", test_stat_version_restarts_after_delete);
        g_test_add_func("/bus/snapshot/entries-and-current-revision",
                test_snapshot_returns_entries_and_current_revision);
        g_test_add_func("/bus/snapshot/empty-group", test_snapshot_of_empty_group);
        g_test_add_func("/bus/snapshot/binary-value-is-not-text", test_snapshot_of_binary_value_is_not_text);
}
