/* SPDX-License-Identifier: MIT */

/* The storage layer against the contract (DESIGN.md), through the C API of store.h with no bus in
 * sight: reads and writes, listings and counts, namespaces, size limits, versions, revisions and the
 * changes each call reports. Elsewhere: expiry in test-store-ttl.c, quotas and namespaces as a whole
 * in test-quota.c, what only a database file shows (persistence, WAL, migration, failures) in
 * test-store-sqlite.c, GetSplit/GetFields in test-text.c. Behaviours that the go-store and zestor
 * suites check are named after their test in a comment. */

#include "store-fixture.h"

/* ---- set and get ---- */

/* go-store SetGet_Good */
static void test_set_then_get(Fixture *f, UNUSED) {
        set(f, NULL, "config", "theme", "dark");
        g_assert_cmpstr(get(f, NULL, "config", "theme"), ==, "dark");
}

/* go-store Set_Good_Upsert */
static void test_upsert_replaces_value(Fixture *f, UNUSED) {
        set(f, NULL, "g", "k", "v1");
        set(f, NULL, "g", "k", "v2");
        g_assert_cmpstr(get(f, NULL, "g", "k"), ==, "v2");
        g_assert_cmpuint(count(f, NULL, "g"), ==, 1);
}

/* go-store Get_Bad_NotFound, NotFoundError_Good_Is (the message names group and key) */
static void test_get_missing_key_is_not_found(Fixture *f, UNUSED) {
        StoreError e = {};

        set(f, NULL, "config", "theme", "dark");
        g_assert_cmpint(get_error(f, NULL, "config", "no-such-key", true, &e), ==, -STORE_E_NOT_FOUND);
        g_assert_nonnull(strstr(e.message, "no-such-key"));
        g_assert_nonnull(strstr(e.message, "config"));
}

/* go-store Get_Bad_NonExistentGroup */
static void test_get_missing_group_is_not_found(Fixture *f, UNUSED) {
        StoreError e = {};

        set(f, NULL, "config", "theme", "dark");
        g_assert_cmpint(get_error(f, NULL, "no-such-group", "theme", false, &e), ==, -STORE_E_NOT_FOUND);
        g_assert_nonnull(strstr(e.message, "no-such-group"));
}

/* go-store GroupIsolation_Good, zestor KindsAreIsolated */
static void test_same_key_in_two_groups_is_independent(Fixture *f, UNUSED) {
        set(f, NULL, "a", "k", "1");
        set(f, NULL, "b", "k", "2");
        g_assert_cmpstr(get(f, NULL, "a", "k"), ==, "1");
        g_assert_cmpstr(get(f, NULL, "b", "k"), ==, "2");
        del(f, NULL, "a", "k");
        g_assert_null(get(f, NULL, "a", "k"));
        g_assert_cmpstr(get(f, NULL, "b", "k"), ==, "2");
}

/* go-store SetGet_Good_EdgeCases (NUL bytes), through SetBytes/GetBytes */
static void test_binary_value_round_trips(Fixture *f, UNUSED) {
        static const char value[] = { 'a', 0, 'b', 0, (char)0xff, (char)0xfe, 0 };
        StoreError e = {};
        StoreValue v = {};

        set_bytes(f, NULL, "bin", "k", value, sizeof(value), 0);
        g_assert_cmpint(store_get(f->store, NULL, "bin", "k", false, &v, &e), ==, 0);
        g_assert_cmpmem(v.data, v.len, value, sizeof(value));
}

static void test_text_read_of_binary_value_is_not_text(Fixture *f, UNUSED) {
        StoreError e = {};

        set_bytes(f, NULL, "bin", "blob", "a\0b", 3, 0);
        g_assert_cmpint(get_error(f, NULL, "bin", "blob", true, &e), ==, -STORE_E_NOT_TEXT);
        g_assert_nonnull(strstr(e.message, "blob"));
}

/* "text = valid UTF-8 without NUL, however it was written" */
static void test_text_written_as_bytes_reads_as_text(Fixture *f, UNUSED) {
        set_bytes(f, NULL, "g", "k", "héllo", strlen("héllo"), 0);
        g_assert_cmpstr(get(f, NULL, "g", "k"), ==, "héllo");
}

static void test_empty_binary_value_round_trips(Fixture *f, UNUSED) {
        StoreError e = {};
        StoreValue v = { .len = 99 };

        set_bytes(f, NULL, "g", "k", "", 0, 0);
        g_assert_cmpint(store_get(f->store, NULL, "g", "k", false, &v, &e), ==, 0);
        g_assert_cmpuint(v.len, ==, 0);
        g_assert_nonnull(v.data);
        g_assert_cmpint(*(const char *)v.data, ==, 0);
}

/* ---- names and values that must round-trip exactly (go-store SetGet_Good_EdgeCases) ---- */

typedef struct EdgeCase {
        const char *path;
        const char *group, *key, *value;
        size_t long_group, long_key, long_value; /* > 0: that many repeated letters instead */
} EdgeCase;

static const EdgeCase edge_cases[] = {
        { "/store/edge/empty-key", "g", "", "v" },
        { "/store/edge/empty-value", "g", "k", "" },
        { "/store/edge/empty-group", "", "k", "v" },
        { "/store/edge/all-empty", "", "", "" },
        { "/store/edge/spaces", "my group", "my key", "  a value with spaces  " },
        { "/store/edge/newline", "g\nh", "k\nl", "line one\nline two\n" },
        { "/store/edge/tab", "g\th", "k\tl", "col1\tcol2" },
        { "/store/edge/accented", "données", "clé", "café crème" },
        { "/store/edge/emoji", "🎉", "🔑", "🚀🌍✨" },
        { "/store/edge/cjk", "设置", "主题", "日本語のテキスト" },
        { "/store/edge/arabic", "مجموعة", "مفتاح", "مرحبا بالعالم" },
        { "/store/edge/sql-injection", "g'; DROP TABLE entries; --", "k' OR '1'='1", "'); DELETE FROM meta; --" },
        { "/store/edge/backslash", "C:\\groups", "path\\to\\key", "\\n is not a newline\\" },
        { "/store/edge/percent", "100%", "50%_off", "%s%d%n" },
        { "/store/edge/long-key", "g", NULL, "v", 0, 10000, 0 },
        { "/store/edge/long-group", NULL, "k", "v", 10000, 0, 0 },
        { "/store/edge/long-value", "g", "k", NULL, 0, 0, 100000 },
};

static void test_edge_case_round_trips(Fixture *f, const void *data) {
        const EdgeCase *c = data;
        g_autofree char *group = c->long_group ? g_strnfill(c->long_group, 'g') : g_strdup(c->group);
        g_autofree char *key = c->long_key ? g_strnfill(c->long_key, 'k') : g_strdup(c->key);
        g_autofree char *value = c->long_value ? g_strnfill(c->long_value, 'v') : g_strdup(c->value);
        g_autofree char *entry = g_strdup_printf("%s=%s", key, value);
        g_autofree char *change = g_strdup_printf("set %s/%s=%s @1", group, key, value);

        set(f, NULL, group, key, value);
        g_assert_cmpstr(changes(f), ==, change);
        g_assert_cmpstr(get(f, NULL, group, key), ==, value);
        g_assert_cmpstr(list(f, NULL, group), ==, entry);
        g_assert_cmpuint(count(f, NULL, group), ==, 1);
        g_assert_cmpuint(count_all(f, NULL, group), ==, 1);
}

/* ---- what counts as text ---- */

typedef struct TextCase {
        const char *path;
        const char *bytes;
        size_t len;
        bool text;
} TextCase;

#define TEXT_CASE(path, bytes, text)                                                                                   \
        { path, bytes, sizeof(bytes) - 1, text }

static const TextCase text_cases[] = {
        TEXT_CASE("/store/is-text/empty", "", true),
        TEXT_CASE("/store/is-text/ascii", "hello, world", true),
        TEXT_CASE("/store/is-text/two-byte", "héllo", true),
        TEXT_CASE("/store/is-text/three-byte", "日本語", true),
        TEXT_CASE("/store/is-text/four-byte", "🎉", true),
        TEXT_CASE("/store/is-text/highest-character", "\xf4\x8f\xbf\xbd", true),
        TEXT_CASE("/store/is-text/nul-is-not", "a\0b", false),
        TEXT_CASE("/store/is-text/lone-continuation-byte-is-not", "a\x80", false),
        TEXT_CASE("/store/is-text/invalid-byte-is-not", "\xff", false),
        TEXT_CASE("/store/is-text/truncated-sequence-is-not", "caf\xc3", false),
        TEXT_CASE("/store/is-text/bad-continuation-is-not", "\xc3\x28", false),
        TEXT_CASE("/store/is-text/overlong-two-byte-is-not", "\xc0\xaf", false),
        TEXT_CASE("/store/is-text/overlong-three-byte-is-not", "\xe0\x80\xaf", false),
        TEXT_CASE("/store/is-text/overlong-four-byte-is-not", "\xf0\x80\x80\xaf", false),
        TEXT_CASE("/store/is-text/surrogate-is-not", "\xed\xa0\x80", false),
        TEXT_CASE("/store/is-text/above-unicode-is-not", "\xf4\x90\x80\x80", false),
        TEXT_CASE("/store/is-text/five-byte-form-is-not", "\xf8\x88\x80\x80\x80", false),
        /* Valid UTF-8, but a D-Bus string cannot carry it (sd-bus refuses noncharacters). */
        TEXT_CASE("/store/is-text/noncharacter-is-not", "\xef\xbf\xbe", false),
};

/* The predicate, and Get agreeing with it on a stored value. */
static void test_is_text(Fixture *f, const void *data) {
        const TextCase *c = data;
        StoreError e = {};

        g_assert_cmpint(store_value_is_text(c->bytes, c->len), ==, c->text);

        set_bytes(f, NULL, "g", "k", c->bytes, c->len, 0);
        if (c->text)
                g_assert_cmpstr(get(f, NULL, "g", "k"), ==, c->bytes);
        else
                g_assert_cmpint(get_error(f, NULL, "g", "k", true, &e), ==, -STORE_E_NOT_TEXT);
}

/* ---- delete ---- */

/* go-store Delete_Good */
static void test_delete_removes_key(Fixture *f, UNUSED) {
        set(f, NULL, "g", "k", "v");
        set(f, NULL, "g", "other", "v");
        del(f, NULL, "g", "k");
        g_assert_null(get(f, NULL, "g", "k"));
        g_assert_cmpstr(list(f, NULL, "g"), ==, "other=v");
}

/* go-store Delete_Good_NonExistent, Watch_Good_DeleteMissingKeyDoesNotEmitEvent; zestor DeleteMissingKey */
static void test_delete_missing_key_changes_nothing(Fixture *f, UNUSED) {
        set(f, NULL, "g", "k", "v");
        changes(f);
        g_assert_cmpuint(del(f, NULL, "g", "no-such-key"), ==, 1);
        g_assert_cmpuint(del(f, NULL, "no-such-group", "k"), ==, 1);
        g_assert_cmpuint(store_revision(f->store), ==, 1);
        g_assert_cmpstr(changes(f), ==, "");
}

/* zestor DeleteReturnsPrevious, WatchDeliversAllEventTypes */
static void test_delete_change_carries_previous_value(Fixture *f, UNUSED) {
        set(f, NULL, "g", "k", "old");
        changes(f);
        g_assert_cmpuint(del(f, NULL, "g", "k"), ==, 2);
        g_assert_cmpstr(changes(f), ==, "delete g/k=old @2");
}

/* ---- delete group ---- */

/* go-store DeleteGroup_Good, DeleteGroup_Good_ThenGetAllEmpty */
static void test_delete_group_removes_every_key(Fixture *f, UNUSED) {
        set(f, NULL, "g", "a", "1");
        set(f, NULL, "g", "b", "2");
        delete_group(f, NULL, "g");
        g_assert_cmpuint(count(f, NULL, "g"), ==, 0);
        g_assert_cmpstr(list(f, NULL, "g"), ==, "");
        g_assert_null(get(f, NULL, "g", "a"));
        g_assert_cmpstr(groups(f, NULL, ""), ==, "");
}

/* go-store DeleteGroup_Good_IsolatesOtherGroups; a group is a name, not a prefix */
static void test_delete_group_leaves_other_groups(Fixture *f, UNUSED) {
        set(f, NULL, "a", "k", "1");
        set(f, NULL, "b", "k", "2");
        set(f, NULL, "ab", "k", "3");
        set(f, NULL, "a:sub", "k", "4");
        delete_group(f, NULL, "a");
        g_assert_cmpstr(groups(f, NULL, ""), ==, "a:sub|ab|b");
        g_assert_cmpstr(get(f, NULL, "b", "k"), ==, "2");
}

/* go-store Watch_Good_DeleteGroupEvent: one delete_group, key and value empty */
static void test_delete_group_is_one_change(Fixture *f, UNUSED) {
        set(f, NULL, "g", "a", "1");
        set(f, NULL, "g", "b", "2");
        set(f, NULL, "g", "c", "3");
        changes(f);
        g_assert_cmpuint(delete_group(f, NULL, "g"), ==, 4);
        g_assert_cmpuint(f->n_commits, ==, 1);
        g_assert_cmpstr(changes(f), ==, "delete_group g/= @4");
}

/* go-store Watch_Good_DeleteMissingGroupDoesNotEmitEvent */
static void test_delete_group_of_missing_group_changes_nothing(Fixture *f, UNUSED) {
        set(f, NULL, "other", "k", "v");
        changes(f);
        g_assert_cmpuint(delete_group(f, NULL, "no-such-group"), ==, 1);
        g_assert_cmpstr(changes(f), ==, "");
}

static void test_delete_group_of_emptied_group_changes_nothing(Fixture *f, UNUSED) {
        set(f, NULL, "g", "k", "v");
        del(f, NULL, "g", "k");
        changes(f);
        g_assert_cmpuint(delete_group(f, NULL, "g"), ==, 2);
        g_assert_cmpuint(store_revision(f->store), ==, 2);
        g_assert_cmpstr(changes(f), ==, "");
}

/* ---- listing a group: GetAll and GetPage ---- */

/* go-store GetAll_Good */
static void test_list_yields_exactly_the_group(Fixture *f, UNUSED) {
        set(f, NULL, "g", "a", "1");
        set(f, NULL, "g", "b", "2");
        set(f, NULL, "other", "c", "3");
        set(f, NULL, "g:sub", "d", "4");
        set(f, NULL, "g2", "e", "5");
        g_assert_cmpstr(list(f, NULL, "g"), ==, "a=1|b=2");
}

/* go-store GetAll_Good_Empty */
static void test_list_of_missing_group_is_empty(Fixture *f, UNUSED) {
        set(f, NULL, "other", "k", "v");
        g_assert_cmpstr(list(f, NULL, "g"), ==, "");
}

/* go-store All_Good_SortedByKey: bytewise, so upper case before lower and ASCII before é */
static void test_list_sorted_bytewise(Fixture *f, UNUSED) {
        set(f, NULL, "g", "charlie", "3");
        set(f, NULL, "g", "é", "6");
        set(f, NULL, "g", "alpha", "1");
        set(f, NULL, "g", "Zulu", "5");
        set(f, NULL, "g", "bravo", "2");
        set(f, NULL, "g", "alph", "0");
        g_assert_cmpstr(list(f, NULL, "g"), ==, "Zulu=5|alph=0|alpha=1|bravo=2|charlie=3|é=6");
}

static int stop_after_first(const char *key, const StoreValue *value _unused_, const StoreStat *st _unused_,
        void *userdata) {
        GString *seen = userdata;

        g_string_append(seen, key);
        return -ECANCELED;
}

/* go-store All_Good_StopsEarly */
static void test_list_stops_when_callback_fails(Fixture *f, UNUSED) {
        g_autoptr(GString) seen = g_string_new(NULL);
        StoreError e = {};

        set(f, NULL, "g", "b", "2");
        set(f, NULL, "g", "a", "1");
        set(f, NULL, "g", "c", "3");
        g_assert_cmpint(store_list(f->store, NULL, "g", 0, UINT64_MAX, false, stop_after_first, seen, &e), ==,
                -ECANCELED);
        g_assert_cmpstr(seen->str, ==, "a");
}

static void set_five_keys_backwards(Fixture *f) {
        for (int i = 5; i >= 1; i--) {
                char key[8], value[8];

                g_snprintf(key, sizeof(key), "k%d", i);
                g_snprintf(value, sizeof(value), "%d", i);
                set(f, NULL, "g", key, value);
        }
}

static void test_page_is_offset_and_limit_in_key_order(Fixture *f, UNUSED) {
        set_five_keys_backwards(f);
        g_assert_cmpstr(list_page(f, NULL, "g", 0, 2), ==, "k1=1|k2=2");
        g_assert_cmpstr(list_page(f, NULL, "g", 1, 2), ==, "k2=2|k3=3");
        g_assert_cmpstr(list_page(f, NULL, "g", 3, 10), ==, "k4=4|k5=5");
}

static void test_page_with_limit_zero_is_empty(Fixture *f, UNUSED) {
        set_five_keys_backwards(f);
        g_assert_cmpstr(list_page(f, NULL, "g", 0, 0), ==, "");
        g_assert_cmpstr(list_page(f, NULL, "g", 2, 0), ==, "");
}

static void test_page_past_the_end_is_empty(Fixture *f, UNUSED) {
        set_five_keys_backwards(f);
        g_assert_cmpstr(list_page(f, NULL, "g", 4, 10), ==, "k5=5");
        g_assert_cmpstr(list_page(f, NULL, "g", 5, 10), ==, "");
        g_assert_cmpstr(list_page(f, NULL, "g", UINT64_MAX, 10), ==, "");
}

/* NotText applies to every text read, GetAll included; reading bytes still works. */
static void test_text_list_with_binary_value_is_not_text(Fixture *f, UNUSED) {
        g_autoptr(GString) seen = g_string_new(NULL);
        StoreError e = {};

        set(f, NULL, "g", "a", "text");
        set_bytes(f, NULL, "g", "blob", "\xff", 1, 0);
        g_assert_cmpint(store_list(f->store, NULL, "g", 0, UINT64_MAX, true, append_entry, seen, &e), ==,
                -STORE_E_NOT_TEXT);
        g_assert_cmpint(e.code, ==, -STORE_E_NOT_TEXT);
        g_assert_nonnull(strstr(e.message, "blob"));
        g_assert_cmpstr(list(f, NULL, "g"), ==, "a=text|blob=0xff");
}

static int append_stat(const char *key, const StoreValue *value _unused_, const StoreStat *st, void *userdata) {
        GString *out = userdata;

        g_string_append_printf(out, "%s:v%" G_GUINT64_FORMAT ",r%" G_GUINT64_FORMAT ";", key, st->version,
                st->revision);
        return 0;
}

/* Snapshot builds on the listing: each entry comes with its own version and revision. */
static void test_list_gives_each_entry_its_stat(Fixture *f, UNUSED) {
        g_autoptr(GString) seen = g_string_new(NULL);
        StoreError e = {};

        set(f, NULL, "g", "a", "1");
        set(f, NULL, "g", "b", "1");
        set(f, NULL, "g", "a", "2");
        g_assert_cmpint(store_list(f->store, NULL, "g", 0, UINT64_MAX, false, append_stat, seen, &e), ==, 0);
        g_assert_cmpstr(seen->str, ==, "a:v2,r3;b:v1,r2;");
}

static int count_entry(const char *key _unused_, const StoreValue *value _unused_, const StoreStat *st _unused_,
        void *userdata) {
        (*(uint64_t *)userdata)++;
        return 0;
}

/* zestor ReadersAgree: the listing, Count, CountAll and Groups tell the same story. */
static void test_readers_agree(Fixture *f, UNUSED) {
        StoreError e = {};
        uint64_t listed = 0;

        set_five_keys_backwards(f);
        set(f, NULL, "g", "k1", "changed");
        del(f, NULL, "g", "k3");
        set(f, NULL, "h", "k", "v");
        g_assert_cmpint(store_list(f->store, NULL, "g", 0, UINT64_MAX, true, count_entry, &listed, &e), ==, 0);
        g_assert_cmpuint(listed, ==, 4);
        g_assert_cmpuint(count(f, NULL, "g"), ==, listed);
        g_assert_cmpuint(count_all(f, NULL, "g"), ==, listed);
        g_assert_cmpuint(count_all(f, NULL, ""), ==, listed + count(f, NULL, "h"));
        g_assert_cmpstr(groups(f, NULL, ""), ==, "g|h");
}

/* ---- counting ---- */

/* go-store Count_Good */
static void test_count_is_keys_of_the_group(Fixture *f, UNUSED) {
        set(f, NULL, "g", "a", "1");
        set(f, NULL, "g", "b", "2");
        set(f, NULL, "other", "c", "3");
        set(f, NULL, "g:sub", "d", "4");
        g_assert_cmpuint(count(f, NULL, "g"), ==, 2);
}

/* go-store Count_Good_Empty */
static void test_count_of_missing_group_is_zero(Fixture *f, UNUSED) {
        g_assert_cmpuint(count(f, NULL, "g"), ==, 0);
}

/* go-store Count_Good_BulkInsert */
static void test_count_after_bulk_insert(Fixture *f, UNUSED) {
        for (int i = 0; i < 500; i++) {
                char key[16];

                g_snprintf(key, sizeof(key), "key-%d", i);
                set(f, NULL, "bulk", key, "v");
        }
        g_assert_cmpuint(count(f, NULL, "bulk"), ==, 500);
        g_assert_cmpuint(store_revision(f->store), ==, 500);
}

/* go-store CountAll_Good_WithPrefix */
static void test_count_all_matches_group_prefix(Fixture *f, UNUSED) {
        set(f, NULL, "ns-a:g1", "k1", "v");
        set(f, NULL, "ns-a:g1", "k2", "v");
        set(f, NULL, "ns-a:g2", "k1", "v");
        set(f, NULL, "ns-b:g1", "k1", "v");
        g_assert_cmpuint(count_all(f, NULL, "ns-a:"), ==, 3);
        g_assert_cmpuint(count_all(f, NULL, "ns-b:"), ==, 1);
        g_assert_cmpuint(count_all(f, NULL, "ns-"), ==, 4);
        g_assert_cmpuint(count_all(f, NULL, "ns-a:g2"), ==, 1);
        g_assert_cmpuint(count_all(f, NULL, "ns-c"), ==, 0);
}

/* go-store CountAll_Good_EmptyPrefix, CountAll_Good_Empty */
static void test_count_all_with_empty_prefix_counts_everything(Fixture *f, UNUSED) {
        g_assert_cmpuint(count_all(f, NULL, ""), ==, 0);
        set(f, NULL, "", "k", "v");
        set(f, NULL, "a", "k", "v");
        set(f, NULL, "z:z", "k", "v");
        set(f, NULL, "z:z", "l", "v");
        g_assert_cmpuint(count_all(f, NULL, ""), ==, 4);
}

/* go-store CountAll_Good_WithPrefix_Wildcards: go-store used LIKE, where _ and % match anything. */
static void test_count_all_percent_and_underscore_are_literal(Fixture *f, UNUSED) {
        set(f, NULL, "user_a", "k", "v");
        set(f, NULL, "user_b", "k", "v");
        set(f, NULL, "userXa", "k", "v");
        set(f, NULL, "user%x", "k", "v");
        g_assert_cmpuint(count_all(f, NULL, "user_"), ==, 2);
        g_assert_cmpuint(count_all(f, NULL, "user%"), ==, 1);
        g_assert_cmpuint(count_all(f, NULL, "%"), ==, 0);
        g_assert_cmpuint(count_all(f, NULL, "_"), ==, 0);
}

/* LIKE ignores ASCII case; a byte prefix does not. */
static void test_count_all_is_case_sensitive(Fixture *f, UNUSED) {
        set(f, NULL, "Config", "k", "v");
        set(f, NULL, "config", "k", "v");
        set(f, NULL, "config", "l", "v");
        g_assert_cmpuint(count_all(f, NULL, "conf"), ==, 2);
        g_assert_cmpuint(count_all(f, NULL, "Conf"), ==, 1);
        g_assert_cmpuint(count_all(f, NULL, "CONF"), ==, 0);
}

/* ---- listing groups ---- */

/* go-store GroupsSeq_Good_SortedByGroupName, Groups_Good_Distinct */
static void test_groups_sorted_and_distinct(Fixture *f, UNUSED) {
        set(f, NULL, "charlie", "a", "v");
        set(f, NULL, "charlie", "b", "v");
        set(f, NULL, "charlie", "c", "v");
        set(f, NULL, "alpha", "a", "v");
        set(f, NULL, "bravo", "a", "v");
        set(f, NULL, "Bravo", "a", "v");
        g_assert_cmpstr(groups(f, NULL, ""), ==, "Bravo|alpha|bravo|charlie");
}

/* go-store Groups_Good_Empty */
static void test_groups_of_empty_store_is_empty(Fixture *f, UNUSED) {
        g_assert_cmpstr(groups(f, NULL, ""), ==, "");
}

/* go-store Groups_Good_WithPrefix: at the root, namespaced groups keep their full names */
static void test_groups_match_prefix(Fixture *f, UNUSED) {
        set(f, NULL, "ns-a:g1", "k", "v");
        set(f, NULL, "ns-a:g2", "k", "v");
        set(f, NULL, "ns-a:g2", "l", "v");
        set(f, NULL, "ns-b:g1", "k", "v");
        set(f, NULL, "ns-", "k", "v");
        g_assert_cmpstr(groups(f, NULL, "ns-a:"), ==, "ns-a:g1|ns-a:g2");
        g_assert_cmpstr(groups(f, NULL, "ns-"), ==, "ns-|ns-a:g1|ns-a:g2|ns-b:g1");
        g_assert_cmpstr(groups(f, NULL, "ns-c"), ==, "");
}

static void test_groups_percent_and_underscore_are_literal(Fixture *f, UNUSED) {
        set(f, NULL, "user_a", "k", "v");
        set(f, NULL, "userXa", "k", "v");
        set(f, NULL, "user%", "k", "v");
        g_assert_cmpstr(groups(f, NULL, "user_"), ==, "user_a");
        g_assert_cmpstr(groups(f, NULL, "user%"), ==, "user%");
}

static void test_groups_are_case_sensitive(Fixture *f, UNUSED) {
        set(f, NULL, "Config", "k", "v");
        set(f, NULL, "config", "k", "v");
        g_assert_cmpstr(groups(f, NULL, "Conf"), ==, "Config");
        g_assert_cmpstr(groups(f, NULL, "conf"), ==, "config");
}

/* The prefix ends inside a multi-byte character's neighbourhood: é is C3 A9, ê is C3 AA. */
static void test_groups_with_multibyte_prefix(Fixture *f, UNUSED) {
        set(f, NULL, "été", "k", "v");
        set(f, NULL, "étage", "k", "v");
        set(f, NULL, "ê", "k", "v");
        set(f, NULL, "e", "k", "v");
        g_assert_cmpstr(groups(f, NULL, "é"), ==, "étage|été");
        g_assert_cmpstr(groups(f, NULL, "ét"), ==, "étage|été");
}

static int stop_after_first_group(const char *group, void *userdata) {
        g_string_append((GString *)userdata, group);
        return -ECANCELED;
}

/* go-store GroupsSeq_Good_StopsEarly, GroupsSeq_Good_PrefixStopsEarly */
static void test_groups_stop_when_callback_fails(Fixture *f, UNUSED) {
        g_autoptr(GString) seen = g_string_new(NULL);
        StoreError e = {};

        set(f, NULL, "bravo", "k", "v");
        set(f, NULL, "alpha", "k", "v");
        set(f, NULL, "alphabet", "k", "v");
        g_assert_cmpint(store_groups(f->store, NULL, "alpha", stop_after_first_group, seen, &e), ==, -ECANCELED);
        g_assert_cmpstr(seen->str, ==, "alpha");
}

/* ---- namespaces ---- */

/* go-store ScopedStore_Good_PrefixedInUnderlyingStore */
static void test_namespace_group_is_prefixed_root_group(Fixture *f, UNUSED) {
        set(f, "tenant-a", "config", "theme", "dark");
        g_assert_cmpstr(get(f, NULL, "tenant-a:config", "theme"), ==, "dark");
        g_assert_null(get(f, NULL, "config", "theme"));
}

static void test_namespace_sees_root_writes_to_its_groups(Fixture *f, UNUSED) {
        set(f, NULL, "tenant-a:config", "theme", "light");
        g_assert_cmpstr(get(f, "tenant-a", "config", "theme"), ==, "light");
        g_assert_cmpstr(list(f, "tenant-a", "config"), ==, "theme=light");
}

/* go-store ScopedStore_Good_NamespaceIsolation */
static void test_namespaces_are_isolated(Fixture *f, UNUSED) {
        set(f, "tenant-a", "config", "k", "a");
        set(f, "tenant-b", "config", "k", "b");
        g_assert_cmpstr(get(f, "tenant-a", "config", "k"), ==, "a");
        g_assert_cmpstr(get(f, "tenant-b", "config", "k"), ==, "b");
        del(f, "tenant-a", "config", "k");
        g_assert_null(get(f, "tenant-a", "config", "k"));
        g_assert_cmpstr(get(f, "tenant-b", "config", "k"), ==, "b");
        g_assert_cmpuint(count(f, "tenant-b", "config"), ==, 1);
}

/* "tenant" must not see "tenant-a": the scope is "N:", not "N". */
static void test_namespace_does_not_see_longer_namesake(Fixture *f, UNUSED) {
        set(f, "tenant-a", "g", "k", "v");
        g_assert_cmpuint(count_all(f, "tenant", ""), ==, 0);
        g_assert_cmpstr(groups(f, "tenant", ""), ==, "");
}

static void set_two_namespaces(Fixture *f) {
        set(f, "tenant-a", "config", "k1", "v");
        set(f, "tenant-a", "sessions", "s1", "v");
        set(f, "tenant-a", "sessions", "s2", "v");
        set(f, "tenant-b", "config", "k1", "v");
        set(f, NULL, "other", "x", "v");
}

/* go-store ScopedStore_Good_BulkHelpers */
static void test_namespace_count_all_sees_only_its_namespace(Fixture *f, UNUSED) {
        set_two_namespaces(f);
        g_assert_cmpuint(count_all(f, "tenant-a", ""), ==, 3);
        g_assert_cmpuint(count_all(f, "tenant-a", "config"), ==, 1);
        g_assert_cmpuint(count_all(f, "tenant-a", "sess"), ==, 2);
        g_assert_cmpuint(count_all(f, "tenant-b", ""), ==, 1);
        g_assert_cmpuint(count_all(f, NULL, ""), ==, 5);
}

/* go-store ScopedStore_Good_BulkHelpers, _GroupsSeqSorted */
static void test_namespace_groups_are_unprefixed(Fixture *f, UNUSED) {
        set_two_namespaces(f);
        g_assert_cmpstr(groups(f, "tenant-a", ""), ==, "config|sessions");
        g_assert_cmpstr(groups(f, "tenant-a", "conf"), ==, "config");
        g_assert_cmpstr(groups(f, "tenant-b", ""), ==, "config");
        g_assert_cmpstr(groups(f, NULL, ""), ==, "other|tenant-a:config|tenant-a:sessions|tenant-b:config");
}

/* go-store Watch_Good_ScopedStoreEvents */
static void test_namespace_change_carries_full_group(Fixture *f, UNUSED) {
        set(f, "tenant-a", "config", "theme", "dark");
        del(f, "tenant-a", "config", "theme");
        g_assert_cmpstr(changes(f), ==, "set tenant-a:config/theme=dark @1; delete tenant-a:config/theme=dark @2");
}

/* go-store ScopedStore_Good_DeleteGroup */
static void test_namespace_delete_group_stays_in_namespace(Fixture *f, UNUSED) {
        set(f, "tenant-a", "config", "k", "v");
        set(f, "tenant-b", "config", "k", "v");
        set(f, NULL, "config", "k", "v");
        changes(f);
        delete_group(f, "tenant-a", "config");
        g_assert_cmpstr(changes(f), ==, "delete_group tenant-a:config/= @4");
        g_assert_cmpstr(groups(f, NULL, ""), ==, "config|tenant-b:config");
}

/* go-store NewScoped_Good_AlphanumericHyphens */
static void test_namespace_names_valid(void) {
        static const char *const names[] = { "abc", "ABC", "123", "a-b-c", "tenant-42", "A1-B2", "-", "uid-1000" };

        for (size_t i = 0; i < G_N_ELEMENTS(names); i++)
                g_assert_true(store_namespace_is_valid(names[i]));
}

/* go-store NewScoped_Bad_Empty, NewScoped_Bad_InvalidChars; "self" names the caller's namespace */
static void test_namespace_names_invalid(void) {
        static const char *const names[] = { "", "foo.bar", "foo:bar", "foo bar", "foo/bar", "foo_bar", "tenant!",
                "@ns", "self", "tenant-é", "a\tb" };

        for (size_t i = 0; i < G_N_ELEMENTS(names); i++)
                g_assert_false(store_namespace_is_valid(names[i]));
}

static void test_namespace_names_at_most_64(void) {
        g_autofree char *n64 = g_strnfill(64, 'n');
        g_autofree char *n65 = g_strnfill(65, 'n');

        g_assert_true(store_namespace_is_valid(n64));
        g_assert_false(store_namespace_is_valid(n65));
}

/* ---- size limits (this fixture: key and group 8 bytes, value 16) ---- */

static void assert_nothing_written(Fixture *f) {
        g_assert_cmpuint(store_revision(f->store), ==, 0);
        g_assert_cmpuint(count_all(f, NULL, ""), ==, 0);
        g_assert_cmpstr(changes(f), ==, "");
}

static void test_key_at_limit_is_accepted(Fixture *f, UNUSED) {
        set(f, NULL, "g", "12345678", "v");
        g_assert_cmpstr(get(f, NULL, "g", "12345678"), ==, "v");
}

static void test_key_over_limit_is_too_large(Fixture *f, UNUSED) {
        StoreError e = {};

        g_assert_cmpint(try_set(f, NULL, "g", "123456789", "v", &e), ==, -STORE_E_TOO_LARGE);
        g_assert_nonnull(strstr(e.message, "Key"));
        assert_nothing_written(f);
}

static void test_group_at_limit_is_accepted(Fixture *f, UNUSED) {
        set(f, NULL, "12345678", "k", "v");
        g_assert_cmpstr(get(f, NULL, "12345678", "k"), ==, "v");
}

static void test_group_over_limit_is_too_large(Fixture *f, UNUSED) {
        StoreError e = {};

        g_assert_cmpint(try_set(f, NULL, "123456789", "k", "v", &e), ==, -STORE_E_TOO_LARGE);
        g_assert_nonnull(strstr(e.message, "Group"));
        assert_nothing_written(f);
}

static void test_value_at_limit_is_accepted(Fixture *f, UNUSED) {
        set(f, NULL, "g", "k", "0123456789abcdef");
        g_assert_cmpstr(get(f, NULL, "g", "k"), ==, "0123456789abcdef");
}

static void test_value_over_limit_is_too_large(Fixture *f, UNUSED) {
        StoreError e = {};

        g_assert_cmpint(try_set(f, NULL, "g", "k", "0123456789abcdefX", &e), ==, -STORE_E_TOO_LARGE);
        g_assert_nonnull(strstr(e.message, "Value"));
        assert_nothing_written(f);
}

static void test_oversized_update_keeps_old_value(Fixture *f, UNUSED) {
        StoreError e = {};

        set(f, NULL, "g", "k", "old");
        g_assert_cmpint(try_set(f, NULL, "g", "k", "0123456789abcdefX", &e), ==, -STORE_E_TOO_LARGE);
        g_assert_cmpstr(get(f, NULL, "g", "k"), ==, "old");
        g_assert_cmpuint(stat_of(f, NULL, "g", "k").version, ==, 1);
        g_assert_cmpuint(store_revision(f->store), ==, 1);
}

/* "Size limits apply to names as the caller gives them (unprefixed in a namespace object)." */
static void test_limit_applies_to_unprefixed_group(Fixture *f, UNUSED) {
        StoreError e = {};

        set(f, "tenant-a", "12345678", "k", "v");
        g_assert_cmpstr(get(f, NULL, "tenant-a:12345678", "k"), ==, "v");
        g_assert_cmpint(try_set(f, "tenant-a", "123456789", "k", "v", &e), ==, -STORE_E_TOO_LARGE);
}

/* SetAll is all or nothing: one value over the limit and no entry is written. */
static void test_set_all_with_one_oversized_value_writes_nothing(Fixture *f, UNUSED) {
        const StorePair pairs[] = { { "a", "1" }, { "b", "0123456789abcdefX" }, { "c", "3" } };
        StoreError e = {};
        uint64_t revision = UINT64_MAX;

        g_assert_cmpint(store_set_all(f->store, NULL, "g", pairs, G_N_ELEMENTS(pairs), &revision, &e), ==,
                -STORE_E_TOO_LARGE);
        g_assert_cmpint(e.code, ==, -STORE_E_TOO_LARGE);
        assert_nothing_written(f);
}

static void test_set_all_with_one_oversized_key_writes_nothing(Fixture *f, UNUSED) {
        const StorePair pairs[] = { { "a", "1" }, { "123456789", "2" } };
        StoreError e = {};
        uint64_t revision = UINT64_MAX;

        g_assert_cmpint(store_set_all(f->store, NULL, "g", pairs, G_N_ELEMENTS(pairs), &revision, &e), ==,
                -STORE_E_TOO_LARGE);
        assert_nothing_written(f);
}

/* The defaults: 64 KiB names, 1 MiB values. */
static void test_default_limits(Fixture *f, UNUSED) {
        g_autofree char *name = g_strnfill(64 * 1024, 'n');
        g_autofree char *long_name = g_strnfill(64 * 1024 + 1, 'n');
        g_autofree char *value = g_strnfill(1024 * 1024, 'v');
        g_autofree char *long_value = g_strnfill(1024 * 1024 + 1, 'v');
        StoreError e = {};

        set(f, NULL, name, name, value);
        g_assert_cmpint(try_set(f, NULL, long_name, "k", "v", &e), ==, -STORE_E_TOO_LARGE);
        g_assert_cmpint(try_set(f, NULL, "g", long_name, "v", &e), ==, -STORE_E_TOO_LARGE);
        g_assert_cmpint(try_set(f, NULL, "g", "k", long_value, &e), ==, -STORE_E_TOO_LARGE);
        g_assert_cmpuint(count_all(f, NULL, ""), ==, 1);
}

/* ---- versions ---- */

static void test_version_is_one_on_create(Fixture *f, UNUSED) {
        set(f, NULL, "g", "k", "v");
        g_assert_cmpuint(stat_of(f, NULL, "g", "k").version, ==, 1);
}

/* zestor SetCreatesThenUpdates */
static void test_version_rises_by_one_per_change(Fixture *f, UNUSED) {
        set(f, NULL, "g", "k", "v1");
        set(f, NULL, "g", "k", "v2");
        set(f, NULL, "g", "other", "x");
        set(f, NULL, "g", "k", "v3");
        g_assert_cmpuint(stat_of(f, NULL, "g", "k").version, ==, 3);
        g_assert_cmpuint(stat_of(f, NULL, "g", "other").version, ==, 1);
}

/* zestor SetNoOpIsNotAChange, TestWatchNoOpNoEvent: no version bump, no change, no revision */
static void test_identical_write_is_a_no_op(Fixture *f, UNUSED) {
        StoreStat st;

        set(f, NULL, "g", "k", "v");
        set(f, NULL, "g", "other", "x");
        changes(f);
        f->now += 5 * SEC;
        g_assert_cmpuint(set(f, NULL, "g", "k", "v"), ==, 2);
        g_assert_cmpstr(changes(f), ==, "");
        st = stat_of(f, NULL, "g", "k");
        g_assert_cmpuint(st.version, ==, 1);
        g_assert_cmpuint(st.revision, ==, 1);
        g_assert_cmpuint(st.modified_usec, ==, T0);
}

static void test_identical_binary_write_is_a_no_op(Fixture *f, UNUSED) {
        set_bytes(f, NULL, "g", "k", "a\0b", 3, 0);
        changes(f);
        g_assert_cmpuint(set_bytes(f, NULL, "g", "k", "a\0b", 3, 0), ==, 1);
        g_assert_cmpstr(changes(f), ==, "");
        /* Same leading bytes, one more: a change. */
        set_bytes(f, NULL, "g", "k", "a\0b\0", 4, 0);
        g_assert_cmpstr(changes(f), ==, "set g/k=0x61006200 @2");
}

/* Same bytes, new deadline: a change (the second SetWithTTL starts a new TTL). */
static void test_same_value_with_new_expiry_is_a_change(Fixture *f, UNUSED) {
        StoreStat st;

        set_ttl(f, NULL, "g", "k", "v", 10 * SEC);
        changes(f);
        f->now += SEC;
        g_assert_cmpuint(set_ttl(f, NULL, "g", "k", "v", 10 * SEC), ==, 2);
        g_assert_cmpstr(changes(f), ==, "set g/k=v @2");
        st = stat_of(f, NULL, "g", "k");
        g_assert_cmpuint(st.version, ==, 2);
        g_assert_cmpuint(st.expires_usec, ==, T0 + 11 * SEC);
}

/* Same bytes and same deadline (the clock did not move): nothing to do. */
static void test_same_value_with_same_expiry_is_a_no_op(Fixture *f, UNUSED) {
        set_ttl(f, NULL, "g", "k", "v", 10 * SEC);
        changes(f);
        g_assert_cmpuint(set_ttl(f, NULL, "g", "k", "v", 10 * SEC), ==, 1);
        g_assert_cmpstr(changes(f), ==, "");
}

/* go-store SetWithTTL_Good_SetClearsTTL: Set clears the expiry, and that is a change. */
static void test_set_clears_expiry_as_a_change(Fixture *f, UNUSED) {
        StoreStat st;

        set_ttl(f, NULL, "g", "k", "v", 10 * SEC);
        changes(f);
        g_assert_cmpuint(set(f, NULL, "g", "k", "v"), ==, 2);
        g_assert_cmpstr(changes(f), ==, "set g/k=v @2");
        st = stat_of(f, NULL, "g", "k");
        g_assert_cmpuint(st.version, ==, 2);
        g_assert_cmpuint(st.expires_usec, ==, 0);
}

static void test_recreated_key_starts_again_at_version_one(Fixture *f, UNUSED) {
        set(f, NULL, "g", "k", "v1");
        set(f, NULL, "g", "k", "v2");
        del(f, NULL, "g", "k");
        set(f, NULL, "g", "k", "v3");
        g_assert_cmpuint(stat_of(f, NULL, "g", "k").version, ==, 1);
}

static void test_stat_reports_revision_modified_and_expiry(Fixture *f, UNUSED) {
        StoreStat a, b;

        set(f, NULL, "g", "a", "1");
        f->now += 5 * SEC;
        set_ttl(f, NULL, "g", "b", "2", 30 * SEC);
        a = stat_of(f, NULL, "g", "a");
        b = stat_of(f, NULL, "g", "b");
        g_assert_cmpuint(a.revision, ==, 1);
        g_assert_cmpuint(a.modified_usec, ==, T0);
        g_assert_cmpuint(a.expires_usec, ==, 0);
        g_assert_cmpuint(b.revision, ==, 2);
        g_assert_cmpuint(b.modified_usec, ==, T0 + 5 * SEC);
        g_assert_cmpuint(b.expires_usec, ==, T0 + 35 * SEC);
}

static void test_stat_of_missing_key_is_not_found(Fixture *f, UNUSED) {
        StoreError e = {};
        StoreStat st;

        g_assert_cmpint(store_stat(f->store, NULL, "g", "k", &st, &e), ==, -STORE_E_NOT_FOUND);
        g_assert_cmpint(e.code, ==, -STORE_E_NOT_FOUND);
}

/* ---- revisions ---- */

static void test_new_store_is_at_revision_zero(Fixture *f, UNUSED) {
        g_assert_cmpuint(store_revision(f->store), ==, 0);
        g_assert_cmpuint(store_next_expiry(f->store), ==, 0);
        g_assert_cmpuint(count_all(f, NULL, ""), ==, 0);
}

static void test_revision_rises_by_one_per_call(Fixture *f, UNUSED) {
        g_assert_cmpuint(set(f, NULL, "g", "a", "1"), ==, 1);
        g_assert_cmpuint(set(f, NULL, "h", "b", "2"), ==, 2);
        g_assert_cmpuint(set(f, NULL, "g", "a", "3"), ==, 3);
        g_assert_cmpuint(del(f, NULL, "g", "a"), ==, 4);
        g_assert_cmpuint(delete_group(f, NULL, "h"), ==, 5);
        g_assert_cmpuint(store_revision(f->store), ==, 5);
}

/* A call that changed nothing reports the store's current revision, not the entry's. */
static void test_no_op_returns_current_revision(Fixture *f, UNUSED) {
        set(f, NULL, "g", "a", "1");
        set(f, NULL, "g", "b", "2");
        g_assert_cmpuint(set(f, NULL, "g", "a", "1"), ==, 2);
}

static uint64_t set_all(Fixture *f, const char *ns, const char *group, const StorePair *pairs, size_t n) {
        StoreError e = {};
        uint64_t revision = UINT64_MAX;

        g_assert_cmpint(store_set_all(f->store, ns, group, pairs, n, &revision, &e), ==, 0);
        g_assert_cmpuint(revision, ==, store_revision(f->store));
        return revision;
}

/* One call is one revision however many entries it touches, with one change per entry, in order. */
static void test_set_all_is_one_revision(Fixture *f, UNUSED) {
        const StorePair pairs[] = { { "c", "3" }, { "a", "1" }, { "b", "2" } };

        set(f, NULL, "other", "k", "v");
        changes(f);
        g_assert_cmpuint(set_all(f, NULL, "g", pairs, G_N_ELEMENTS(pairs)), ==, 2);
        g_assert_cmpuint(f->n_commits, ==, 1);
        g_assert_cmpstr(changes(f), ==, "set g/c=3 @2; set g/a=1 @2; set g/b=2 @2");
        g_assert_cmpuint(stat_of(f, NULL, "g", "a").revision, ==, 2);
        g_assert_cmpuint(stat_of(f, NULL, "g", "c").revision, ==, 2);
}

/* zestor SetManyMergesIntoExisting */
static void test_set_all_merges_into_group(Fixture *f, UNUSED) {
        const StorePair pairs[] = { { "a", "1" }, { "b", "2" } };

        set(f, NULL, "g", "old", "x");
        set(f, NULL, "g", "a", "0");
        set_all(f, NULL, "g", pairs, G_N_ELEMENTS(pairs));
        g_assert_cmpstr(list(f, NULL, "g"), ==, "a=1|b=2|old=x");
}

/* zestor SetManySuppressesNoOps */
static void test_set_all_skips_identical_entries(Fixture *f, UNUSED) {
        const StorePair pairs[] = { { "a", "1" }, { "b", "2" } };

        set(f, NULL, "g", "a", "1");
        changes(f);
        g_assert_cmpuint(set_all(f, NULL, "g", pairs, G_N_ELEMENTS(pairs)), ==, 2);
        g_assert_cmpstr(changes(f), ==, "set g/b=2 @2");
        g_assert_cmpuint(stat_of(f, NULL, "g", "a").version, ==, 1);
}

static void test_set_all_of_identical_entries_is_a_no_op(Fixture *f, UNUSED) {
        const StorePair pairs[] = { { "a", "1" }, { "b", "2" } };

        set_all(f, NULL, "g", pairs, G_N_ELEMENTS(pairs));
        changes(f);
        g_assert_cmpuint(set_all(f, NULL, "g", pairs, G_N_ELEMENTS(pairs)), ==, 1);
        g_assert_cmpstr(changes(f), ==, "");
}

/* zestor TestSetAllEmpty */
static void test_set_all_of_nothing_is_a_no_op(Fixture *f, UNUSED) {
        g_assert_cmpuint(set_all(f, NULL, "g", NULL, 0), ==, 0);
        g_assert_cmpstr(changes(f), ==, "");
        g_assert_cmpuint(count(f, NULL, "g"), ==, 0);
}

/* SetAll writes as Set does: it clears an expiry. */
static void test_set_all_clears_expiry(Fixture *f, UNUSED) {
        const StorePair pairs[] = { { "k", "v" } };

        set_ttl(f, NULL, "g", "k", "v", 10 * SEC);
        changes(f);
        g_assert_cmpuint(set_all(f, NULL, "g", pairs, G_N_ELEMENTS(pairs)), ==, 2);
        g_assert_cmpstr(changes(f), ==, "set g/k=v @2");
        g_assert_cmpuint(stat_of(f, NULL, "g", "k").expires_usec, ==, 0);
}

static void test_set_all_in_namespace(Fixture *f, UNUSED) {
        const StorePair pairs[] = { { "a", "1" }, { "b", "2" } };

        set_all(f, "tenant-a", "g", pairs, G_N_ELEMENTS(pairs));
        g_assert_cmpstr(changes(f), ==, "set tenant-a:g/a=1 @1; set tenant-a:g/b=2 @1");
        g_assert_cmpstr(list(f, NULL, "tenant-a:g"), ==, "a=1|b=2");
}

/* ---- changes as the observer sees them ---- */

/* go-store Watch_Good_SpecificKey (Timestamp != 0), OnChange_Good_Fires (synchronously, after commit) */
static void test_change_carries_commit_time(Fixture *f, UNUSED) {
        f->now = T0 + 42;
        set(f, NULL, "config", "theme", "dark");
        g_assert_cmpuint(f->last_timestamp, ==, T0 + 42);
        g_assert_cmpstr(changes(f), ==, "set config/theme=dark @1");
}

/* go-store Watch_Good_WildcardAll: set, set, delete, delete_group, in order */
static void test_changes_arrive_in_call_order(Fixture *f, UNUSED) {
        set(f, NULL, "g", "a", "1");
        set(f, NULL, "g", "b", "2");
        del(f, NULL, "g", "a");
        delete_group(f, NULL, "g");
        g_assert_cmpstr(changes(f), ==, "set g/a=1 @1; set g/b=2 @2; delete g/a=1 @3; delete_group g/= @4");
}

static void test_binary_change_carries_the_bytes(Fixture *f, UNUSED) {
        set_bytes(f, NULL, "g", "k", "a\0b", 3, 0);
        g_assert_cmpstr(changes(f), ==, "set g/k=0x610062 @1");
}

static void test_failed_write_reports_no_change(Fixture *f, UNUSED) {
        StoreError e = {};

        g_assert_cmpint(try_set(f, NULL, "g", "k", "0123456789abcdefX", &e), <, 0);
        g_assert_cmpuint(f->n_commits, ==, 0);
        g_assert_cmpstr(changes(f), ==, "");
}

int main(int argc, char *argv[]) {
        g_test_init(&argc, &argv, NULL);

        TEST("/store/set/then-get", test_set_then_get);
        TEST("/store/set/upsert-replaces-value", test_upsert_replaces_value);
        TEST("/store/set/same-key-in-two-groups-is-independent", test_same_key_in_two_groups_is_independent);
        TEST("/store/set/binary-value-round-trips", test_binary_value_round_trips);
        TEST("/store/set/empty-binary-value-round-trips", test_empty_binary_value_round_trips);
        TEST("/store/get/missing-key-is-not-found", test_get_missing_key_is_not_found);
        TEST("/store/get/missing-group-is-not-found", test_get_missing_group_is_not_found);
        TEST("/store/get/text-read-of-binary-value-is-not-text", test_text_read_of_binary_value_is_not_text);
        TEST("/store/get/text-written-as-bytes-reads-as-text", test_text_written_as_bytes_reads_as_text);

        for (size_t i = 0; i < G_N_ELEMENTS(edge_cases); i++)
                g_test_add(edge_cases[i].path, Fixture, &edge_cases[i], fixture_set_up, test_edge_case_round_trips,
                        fixture_tear_down);
        for (size_t i = 0; i < G_N_ELEMENTS(text_cases); i++)
                g_test_add(text_cases[i].path, Fixture, &text_cases[i], fixture_set_up, test_is_text,
                        fixture_tear_down);

        TEST("/store/delete/removes-key", test_delete_removes_key);
        TEST("/store/delete/missing-key-changes-nothing", test_delete_missing_key_changes_nothing);
        TEST("/store/delete/change-carries-previous-value", test_delete_change_carries_previous_value);
        TEST("/store/delete-group/removes-every-key", test_delete_group_removes_every_key);
        TEST("/store/delete-group/leaves-other-groups", test_delete_group_leaves_other_groups);
        TEST("/store/delete-group/is-one-change", test_delete_group_is_one_change);
        TEST("/store/delete-group/missing-group-changes-nothing", test_delete_group_of_missing_group_changes_nothing);
        TEST("/store/delete-group/emptied-group-changes-nothing", test_delete_group_of_emptied_group_changes_nothing);

        TEST("/store/list/yields-exactly-the-group", test_list_yields_exactly_the_group);
        TEST("/store/list/missing-group-is-empty", test_list_of_missing_group_is_empty);
        TEST("/store/list/sorted-bytewise", test_list_sorted_bytewise);
        TEST("/store/list/stops-when-callback-fails", test_list_stops_when_callback_fails);
        TEST("/store/list/text-with-binary-value-is-not-text", test_text_list_with_binary_value_is_not_text);
        TEST("/store/list/gives-each-entry-its-stat", test_list_gives_each_entry_its_stat);
        TEST("/store/list/readers-agree", test_readers_agree);
        TEST("/store/page/offset-and-limit-in-key-order", test_page_is_offset_and_limit_in_key_order);
        TEST("/store/page/limit-zero-is-empty", test_page_with_limit_zero_is_empty);
        TEST("/store/page/past-the-end-is-empty", test_page_past_the_end_is_empty);

        TEST("/store/count/keys-of-the-group", test_count_is_keys_of_the_group);
        TEST("/store/count/missing-group-is-zero", test_count_of_missing_group_is_zero);
        TEST("/store/count/after-bulk-insert", test_count_after_bulk_insert);
        TEST("/store/count-all/matches-group-prefix", test_count_all_matches_group_prefix);
        TEST("/store/count-all/empty-prefix-counts-everything", test_count_all_with_empty_prefix_counts_everything);
        TEST("/store/count-all/percent-and-underscore-are-literal", test_count_all_percent_and_underscore_are_literal);
        TEST("/store/count-all/case-sensitive", test_count_all_is_case_sensitive);
        TEST("/store/groups/sorted-and-distinct", test_groups_sorted_and_distinct);
        TEST("/store/groups/empty-store-has-none", test_groups_of_empty_store_is_empty);
        TEST("/store/groups/match-prefix", test_groups_match_prefix);
        TEST("/store/groups/percent-and-underscore-are-literal", test_groups_percent_and_underscore_are_literal);
        TEST("/store/groups/case-sensitive", test_groups_are_case_sensitive);
        TEST("/store/groups/multibyte-prefix", test_groups_with_multibyte_prefix);
        TEST("/store/groups/stop-when-callback-fails", test_groups_stop_when_callback_fails);

        TEST("/store/namespace/group-is-prefixed-root-group", test_namespace_group_is_prefixed_root_group);
        TEST("/store/namespace/sees-root-writes-to-its-groups", test_namespace_sees_root_writes_to_its_groups);
        TEST("/store/namespace/isolated", test_namespaces_are_isolated);
        TEST("/store/namespace/does-not-see-longer-namesake", test_namespace_does_not_see_longer_namesake);
        TEST("/store/namespace/count-all-sees-only-its-namespace", test_namespace_count_all_sees_only_its_namespace);
        TEST("/store/namespace/groups-are-unprefixed", test_namespace_groups_are_unprefixed);
        TEST("/store/namespace/change-carries-full-group", test_namespace_change_carries_full_group);
        TEST("/store/namespace/delete-group-stays-in-namespace", test_namespace_delete_group_stays_in_namespace);
        g_test_add_func("/store/namespace/names-valid", test_namespace_names_valid);
        g_test_add_func("/store/namespace/names-invalid", test_namespace_names_invalid);
        g_test_add_func("/store/namespace/names-at-most-64", test_namespace_names_at_most_64);

        TEST_SMALL_LIMITS("/store/limits/key-at-limit-is-accepted", test_key_at_limit_is_accepted);
        TEST_SMALL_LIMITS("/store/limits/key-over-limit-is-too-large", test_key_over_limit_is_too_large);
        TEST_SMALL_LIMITS("/store/limits/group-at-limit-is-accepted", test_group_at_limit_is_accepted);
        TEST_SMALL_LIMITS("/store/limits/group-over-limit-is-too-large", test_group_over_limit_is_too_large);
        TEST_SMALL_LIMITS("/store/limits/value-at-limit-is-accepted", test_value_at_limit_is_accepted);
        TEST_SMALL_LIMITS("/store/limits/value-over-limit-is-too-large", test_value_over_limit_is_too_large);
        TEST_SMALL_LIMITS("/store/limits/oversized-update-keeps-old-value", test_oversized_update_keeps_old_value);
        TEST_SMALL_LIMITS("/store/limits/apply-to-unprefixed-group", test_limit_applies_to_unprefixed_group);
        TEST_SMALL_LIMITS("/store/limits/set-all-with-oversized-value-writes-nothing",
                test_set_all_with_one_oversized_value_writes_nothing);
        TEST_SMALL_LIMITS("/store/limits/set-all-with-oversized-key-writes-nothing",
                test_set_all_with_one_oversized_key_writes_nothing);
        TEST("/store/limits/defaults", test_default_limits);

        TEST("/store/version/one-on-create", test_version_is_one_on_create);
        TEST("/store/version/rises-by-one-per-change", test_version_rises_by_one_per_change);
        TEST("/store/version/identical-write-is-a-no-op", test_identical_write_is_a_no_op);
        TEST("/store/version/identical-binary-write-is-a-no-op", test_identical_binary_write_is_a_no_op);
        TEST("/store/version/same-value-new-expiry-is-a-change", test_same_value_with_new_expiry_is_a_change);
        TEST("/store/version/same-value-same-expiry-is-a-no-op", test_same_value_with_same_expiry_is_a_no_op);
        TEST("/store/version/set-clears-expiry-as-a-change", test_set_clears_expiry_as_a_change);
        TEST("/store/version/recreated-key-starts-again-at-one", test_recreated_key_starts_again_at_version_one);
        TEST("/store/stat/reports-revision-modified-and-expiry", test_stat_reports_revision_modified_and_expiry);
        TEST("/store/stat/missing-key-is-not-found", test_stat_of_missing_key_is_not_found);

        TEST("/store/revision/zero-in-new-store", test_new_store_is_at_revision_zero);
        TEST("/store/revision/rises-by-one-per-call", test_revision_rises_by_one_per_call);
        TEST("/store/revision/no-op-returns-current", test_no_op_returns_current_revision);
        TEST("/store/set-all/is-one-revision", test_set_all_is_one_revision);
        TEST("/store/set-all/merges-into-group", test_set_all_merges_into_group);
        TEST("/store/set-all/skips-identical-entries", test_set_all_skips_identical_entries);
        TEST("/store/set-all/identical-entries-are-a-no-op", test_set_all_of_identical_entries_is_a_no_op);
        TEST("/store/set-all/nothing-is-a-no-op", test_set_all_of_nothing_is_a_no_op);
        TEST("/store/set-all/clears-expiry", test_set_all_clears_expiry);
        TEST("/store/set-all/in-namespace", test_set_all_in_namespace);

        TEST("/store/changes/carry-commit-time", test_change_carries_commit_time);
        TEST("/store/changes/arrive-in-call-order", test_changes_arrive_in_call_order);
        TEST("/store/changes/binary-change-carries-the-bytes", test_binary_change_carries_the_bytes);
        TEST_SMALL_LIMITS("/store/changes/none-for-a-failed-write", test_failed_write_reports_no_change);

        return g_test_run();
}
