/* SPDX-License-Identifier: MIT */

/* The dump format of Export and Import (store-dump-format.h), writer and reader, with no store and no
 * bus: one form per entry on the way out, the line and the reason for anything wrong on the way in. */

#include <glib.h>

#include "store-dump-format.h"
#include "store.h"

/* One entry through the writer, as a string without its newline. */
static char *write_entry(const char *group, const char *key, const void *value, size_t value_len, uint64_t expires) {
        DumpBuffer b = {};
        char *line;

        g_assert_cmpint(dump_entry_append(&b, &(DumpEntry){ .group = group,
                                                      .key = key,
                                                      .value = value,
                                                      .value_len = value_len,
                                                      .expires_usec = expires }),
                ==, 0);
        g_assert_cmpuint(b.len, >, 0);
        g_assert_cmpint(b.data[b.len - 1], ==, '\n');
        line = g_strndup(b.data, b.len - 1);
        dump_buffer_done(&b);
        return line;
}

/* Parses `line` (a copy) and returns 1, 0 or the error; the entry points into *ret_copy. */
static int parse(const char *line, DumpEntry *ret, char **ret_copy, char error[static DUMP_ERROR_MAX]) {
        *ret_copy = g_strdup(line);
        return dump_line_parse(*ret_copy, strlen(line), ret, error);
}

/* ---- writing ---- */

static void test_write_text_value(void) {
        g_autofree char *line = write_entry("config", "theme", "dark", 4, 0);
        g_assert_cmpstr(line, ==, "{\"group\":\"config\",\"key\":\"theme\",\"value\":\"dark\"}");
}

static void test_write_expiry_when_set(void) {
        g_autofree char *line = write_entry("s", "t", "x", 1, UINT64_C(1795305734831319));
        g_assert_cmpstr(line, ==, "{\"group\":\"s\",\"key\":\"t\",\"value\":\"x\",\"expires_usec\":1795305734831319}");
}

static void test_write_binary_value_as_base64(void) {
        g_autofree char *with_nul = write_entry("b", "k", "\x00\x01\x02", 3, 0);
        g_autofree char *not_utf8 = write_entry("b", "k", "\xff", 1, 0);
        g_autofree char *nonchar = write_entry("b", "k", "\xef\xbf\xbe", 3, 0); /* U+FFFE */

        g_assert_cmpstr(with_nul, ==, "{\"group\":\"b\",\"key\":\"k\",\"value_base64\":\"AAEC\"}");
        g_assert_cmpstr(not_utf8, ==, "{\"group\":\"b\",\"key\":\"k\",\"value_base64\":\"/w==\"}");
        g_assert_cmpstr(nonchar, ==, "{\"group\":\"b\",\"key\":\"k\",\"value_base64\":\"77++\"}");
}

static void test_write_escapes(void) {
        const char value[] = "q\"b\\n\nt\tc\x01\x1f del\x7f é";
        g_autofree char *line = write_entry("g", "k", value, sizeof(value) - 1, 0);

        g_assert_cmpstr(line, ==,
                "{\"group\":\"g\",\"key\":\"k\",\"value\":\"q\\\"b\\\\n\\nt\\tc\\u0001\\u001f del\x7f é\"}");
}

static void test_write_refuses_names_that_are_not_text(void) {
        DumpBuffer b = {};

        g_assert_cmpint(dump_entry_append(&b,
                                &(DumpEntry){ .group = "\xff", .key = "k", .value = "v", .value_len = 1 }),
                ==, -EINVAL);
        g_assert_cmpuint(b.len, ==, 0);
        dump_buffer_done(&b);
}

/* ---- round trips ---- */

typedef struct RoundTrip {
        const char *path;
        const char *group, *key;
        const char *value;
        size_t value_len;
        uint64_t expires;
} RoundTrip;

static const RoundTrip round_trips[] = {
        { "/dump-format/round-trip/empty-value", "g", "k", "", 0, 0 },
        { "/dump-format/round-trip/empty-names", "", "", "v", 1, 0 },
        { "/dump-format/round-trip/quotes-and-backslashes", "a\"b", "c\\d", "\"\\\"", 3, 0 },
        { "/dump-format/round-trip/control-characters", "g", "k", "\b\f\n\r\t\x01\x7f", 7, 0 },
        { "/dump-format/round-trip/unicode", "gruppe-ä", "ключ", "値 😀", 9, 0 },
        { "/dump-format/round-trip/nul-bytes", "g", "k", "a\0b\0", 4, 0 },
        { "/dump-format/round-trip/invalid-utf8", "g", "k", "\xc3\x28\xa0\xa1", 4, 0 },
        { "/dump-format/round-trip/one-byte-binary", "g", "k", "\x80", 1, 0 },
        { "/dump-format/round-trip/two-byte-binary", "g", "k", "\x80\x81", 2, 0 },
        { "/dump-format/round-trip/largest-deadline", "g", "k", "v", 1, (uint64_t)INT64_MAX },
        { "/dump-format/round-trip/with-deadline", "g", "k", "\x00", 1, 1 },
};

static void test_round_trip(const void *data) {
        const RoundTrip *t = data;
        g_autofree char *line = write_entry(t->group, t->key, t->value, t->value_len, t->expires);
        g_autofree char *copy = NULL;
        char error[DUMP_ERROR_MAX];
        DumpEntry e;

        g_assert_cmpint(parse(line, &e, &copy, error), ==, 1);
        g_assert_cmpstr(e.group, ==, t->group);
        g_assert_cmpstr(e.key, ==, t->key);
        g_assert_cmpmem(e.value, e.value_len, t->value, t->value_len);
        g_assert_cmpuint(e.expires_usec, ==, t->expires);
}

static void test_round_trip_every_byte(void) {
        char value[256];
        g_autofree char *line = NULL, *copy = NULL;
        char error[DUMP_ERROR_MAX];
        DumpEntry e;

        for (int i = 0; i < 256; i++)
                value[i] = (char)i;
        line = write_entry("g", "k", value, sizeof(value), 0);
        g_assert_cmpint(parse(line, &e, &copy, error), ==, 1);
        g_assert_cmpmem(e.value, e.value_len, value, sizeof(value));
}

/* ---- reading ---- */

static void test_parse_members_in_any_order(void) {
        g_autofree char *copy = NULL;
        char error[DUMP_ERROR_MAX];
        DumpEntry e;

        g_assert_cmpint(parse(" { \"expires_usec\" : 7 , \"value\":\"v\", \"key\":\"k\",\"group\":\"g\" } ", &e, &copy,
                                error),
                ==, 1);
        g_assert_cmpstr(e.group, ==, "g");
        g_assert_cmpstr(e.key, ==, "k");
        g_assert_cmpmem(e.value, e.value_len, "v", 1);
        g_assert_cmpuint(e.expires_usec, ==, 7);
}

static void test_parse_skips_unknown_members(void) {
        g_autofree char *copy = NULL;
        char error[DUMP_ERROR_MAX];
        DumpEntry e;

        g_assert_cmpint(parse("{\"version\":3,\"group\":\"g\",\"meta\":{\"a\":[1,-2.5e3,true,false,null,{}],"
                              "\"b\":\"x\"},"
                              "\"key\":\"k\",\"value\":\"v\",\"note\":\"\\u00e9\"}",
                                &e, &copy, error),
                ==, 1);
        g_assert_cmpstr(e.group, ==, "g");
        g_assert_cmpstr(e.key, ==, "k");
}

static void test_parse_decodes_escapes(void) {
        g_autofree char *copy = NULL;
        char error[DUMP_ERROR_MAX];
        DumpEntry e;

        g_assert_cmpint(parse("{\"group\":\"\\u00e9\\/"
                              "\",\"key\":\"\\ud83d\\ude00\",\"value\":\"\\\"\\\\\\b\\f\\n\\r\\t\"}",
                                &e, &copy, error),
                ==, 1);
        g_assert_cmpstr(e.group, ==, "é/");
        g_assert_cmpstr(e.key, ==, "😀");
        g_assert_cmpmem(e.value, e.value_len, "\"\\\b\f\n\r\t", 7);
}

static void test_parse_blank_line(void) {
        g_autofree char *copy = NULL;
        char error[DUMP_ERROR_MAX];
        DumpEntry e;

        g_assert_cmpint(parse("", &e, &copy, error), ==, 0);
        g_free(g_steal_pointer(&copy));
        g_assert_cmpint(parse(" \t\r", &e, &copy, error), ==, 0);
}

static void test_parse_base64_without_padding(void) {
        g_autofree char *copy = NULL;
        char error[DUMP_ERROR_MAX];
        DumpEntry e;

        g_assert_cmpint(parse("{\"group\":\"g\",\"key\":\"k\",\"value_base64\":\"AAE\"}", &e, &copy, error), ==, 1);
        g_assert_cmpmem(e.value, e.value_len, "\x00\x01", 2);
}

typedef struct BadLine {
        const char *path;
        const char *line;
        const char *message;
} BadLine;

static const BadLine bad_lines[] = {
        { "/dump-format/parse/error/not-an-object", "[1,2]",
                "expected '{' (each line is one JSON object) at column 1" },
        { "/dump-format/parse/error/not-json", "group=g", "expected '{'" },
        { "/dump-format/parse/error/no-value", "{\"group\":\"g\",\"key\":\"k\"}",
                "needs exactly one of \"value\" and \"value_base64\"" },
        { "/dump-format/parse/error/two-values",
                "{\"group\":\"g\",\"key\":\"k\",\"value\":\"v\",\"value_base64\":\"AA==\"}",
                "needs exactly one of \"value\" and \"value_base64\"" },
        { "/dump-format/parse/error/no-group", "{\"key\":\"k\",\"value\":\"v\"}", "missing \"group\"" },
        { "/dump-format/parse/error/no-key", "{\"group\":\"g\",\"value\":\"v\"}", "missing \"key\"" },
        { "/dump-format/parse/error/group-not-a-string", "{\"group\":1,\"key\":\"k\",\"value\":\"v\"}",
                "\"group\" must be a string" },
        { "/dump-format/parse/error/negative-deadline",
                "{\"group\":\"g\",\"key\":\"k\",\"value\":\"v\",\"expires_usec\":-1}",
                "\"expires_usec\" must be a whole number of microseconds" },
        { "/dump-format/parse/error/fractional-deadline",
                "{\"group\":\"g\",\"key\":\"k\",\"value\":\"v\",\"expires_usec\":1.5}", "must be a whole number" },
        { "/dump-format/parse/error/deadline-as-string",
                "{\"group\":\"g\",\"key\":\"k\",\"value\":\"v\",\"expires_usec\":\"5\"}", "must be a whole number" },
        { "/dump-format/parse/error/deadline-out-of-range",
                "{\"group\":\"g\",\"key\":\"k\",\"value\":\"v\",\"expires_usec\":9223372036854775808}",
                "\"expires_usec\" is out of range" },
        { "/dump-format/parse/error/text-after-the-entry", "{\"group\":\"g\",\"key\":\"k\",\"value\":\"v\"} x",
                "unexpected text after the entry at column 37" },
        { "/dump-format/parse/error/truncated", "{\"group\":\"g\",\"key\":\"k\",\"value\":\"v\"",
                "expected ',' or '}', found the end of the line" },
        { "/dump-format/parse/error/unterminated-string", "{\"group\":\"g", "unterminated string" },
        { "/dump-format/parse/error/lone-high-surrogate", "{\"group\":\"g\",\"key\":\"k\",\"value\":\"\\ud800\"}",
                "high surrogate without its low half" },
        { "/dump-format/parse/error/lone-low-surrogate", "{\"group\":\"g\",\"key\":\"k\",\"value\":\"\\udc00\"}",
                "lone low surrogate" },
        { "/dump-format/parse/error/unknown-escape", "{\"group\":\"g\",\"key\":\"k\",\"value\":\"\\x\"}",
                "unknown escape in a string" },
        { "/dump-format/parse/error/raw-control-character", "{\"group\":\"g\",\"key\":\"k\",\"value\":\"a\tb\"}",
                "control character in a string" },
        { "/dump-format/parse/error/value-with-nul", "{\"group\":\"g\",\"key\":\"k\",\"value\":\"a\\u0000b\"}",
                "\"value\" is not text (valid UTF-8 without NUL); write it as \"value_base64\"" },
        { "/dump-format/parse/error/value-not-utf8", "{\"group\":\"g\",\"key\":\"k\",\"value\":\"\xff\"}",
                "\"value\" is not text" },
        { "/dump-format/parse/error/group-with-nul", "{\"group\":\"g\\u0000\",\"key\":\"k\",\"value\":\"v\"}",
                "\"group\" is not text" },
        { "/dump-format/parse/error/key-not-utf8", "{\"group\":\"g\",\"key\":\"\xc0\xaf\",\"value\":\"v\"}",
                "\"key\" is not text" },
        { "/dump-format/parse/error/bad-base64", "{\"group\":\"g\",\"key\":\"k\",\"value_base64\":\"!!!!\"}",
                "\"value_base64\" is not valid base64" },
        { "/dump-format/parse/error/base64-bad-length", "{\"group\":\"g\",\"key\":\"k\",\"value_base64\":\"AAAAA\"}",
                "\"value_base64\" is not valid base64" },
        { "/dump-format/parse/error/duplicate-member",
                "{\"group\":\"g\",\"key\":\"k\",\"value\":\"v\",\"group\":\"h\"}", "\"group\" appears twice" },
        { "/dump-format/parse/error/missing-colon", "{\"group\" \"g\"}", "expected ':' after a member name" },
        { "/dump-format/parse/error/nested-too-deeply",
                "{\"x\":[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]],\"group\":"
                "\"g\"}",
                "nested too deeply" },
};

static void test_bad_line(const void *data) {
        const BadLine *t = data;
        g_autofree char *copy = NULL;
        char error[DUMP_ERROR_MAX];
        DumpEntry e;

        g_assert_cmpint(parse(t->line, &e, &copy, error), ==, -EINVAL);
        if (!strstr(error, t->message))
                g_error("%s: expected a message with \"%s\", got \"%s\"", t->line, t->message, error);
}

/* ---- the reader over a whole input ---- */

static void test_reader_names_the_line(void) {
        g_autofree char *input = g_strdup("{\"group\":\"g\",\"key\":\"a\",\"value\":\"1\"}\n"
                                          "\n"
                                          "{\"group\":\"g\",\"key\":\"b\",\"valu\":\"2\"}\n");
        DumpReader r = { .data = input, .len = strlen(input) };
        char error[DUMP_ERROR_MAX];
        DumpEntry e;

        g_assert_cmpint(dump_reader_next(&r, &e, error), ==, 1);
        g_assert_cmpstr(e.key, ==, "a");
        g_assert_cmpint(dump_reader_next(&r, &e, error), ==, -EINVAL);
        g_assert_cmpstr(error, ==, "line 3: needs exactly one of \"value\" and \"value_base64\"");
}

static void test_reader_last_line_without_newline(void) {
        g_autofree char *input = g_strdup("{\"group\":\"g\",\"key\":\"a\",\"value\":\"1\"}\r\n"
                                          "{\"group\":\"g\",\"key\":\"b\",\"value\":\"2\"}");
        DumpReader r = { .data = input, .len = strlen(input) };
        char error[DUMP_ERROR_MAX];
        DumpEntry e;

        g_assert_cmpint(dump_reader_next(&r, &e, error), ==, 1);
        g_assert_cmpint(dump_reader_next(&r, &e, error), ==, 1);
        g_assert_cmpstr(e.key, ==, "b");
        g_assert_cmpint(dump_reader_next(&r, &e, error), ==, 0);
        g_assert_cmpuint(r.line, ==, 2);
}

static void test_reader_empty_input(void) {
        DumpReader r = { .data = (char *)"", .len = 0 };
        char error[DUMP_ERROR_MAX];
        DumpEntry e;

        g_assert_cmpint(dump_reader_next(&r, &e, error), ==, 0);
}

/* ---- text ---- */

/* The dump and the store must agree on what text is, or a value would change form on the way. */
static void test_text_rule_agrees_with_the_store(void) {
        static const char *const samples[] = {
                "",
                "plain",
                "é",
                "😀",
                "\xef\xbf\xbe",
                "\xef\xb7\x90",
                "\xed\xa0\x80",
                "\xc0\x80",
                "\xf4\x90\x80\x80",
                "\xe0\x80\xaf",
                "a\x80",
                "\xf0\x9f\x98",
                "\xef\xbf\xbd",
        };
        GRand *rand = g_rand_new_with_seed(6);

        for (size_t i = 0; i < G_N_ELEMENTS(samples); i++)
                g_assert_cmpint(dump_text_is_valid(samples[i], strlen(samples[i])), ==,
                        store_value_is_text(samples[i], strlen(samples[i])));
        for (unsigned i = 0; i < 200000; i++) {
                unsigned char buf[6];
                size_t n = (size_t)g_rand_int_range(rand, 1, sizeof(buf) + 1);

                for (size_t k = 0; k < n; k++)
                        /* Mostly the bytes UTF-8 is made of, so that valid sequences come up often. */
                        buf[k] = (unsigned char)(g_rand_boolean(rand) ? g_rand_int_range(rand, 0x80, 0xc0)
                                                                      : g_rand_int_range(rand, 0, 256));
                g_assert_cmpint(dump_text_is_valid(buf, n), ==, store_value_is_text(buf, n));
        }
        g_rand_free(rand);
}

int main(int argc, char *argv[]) {
        g_test_init(&argc, &argv, NULL);

        g_test_add_func("/dump-format/write/text-value", test_write_text_value);
        g_test_add_func("/dump-format/write/expiry-only-when-set", test_write_expiry_when_set);
        g_test_add_func("/dump-format/write/binary-value-as-base64", test_write_binary_value_as_base64);
        g_test_add_func("/dump-format/write/escapes", test_write_escapes);
        g_test_add_func("/dump-format/write/refuses-names-that-are-not-text",
                test_write_refuses_names_that_are_not_text);
        for (size_t i = 0; i < G_N_ELEMENTS(round_trips); i++)
                g_test_add_data_func(round_trips[i].path, &round_trips[i], test_round_trip);
        g_test_add_func("/dump-format/round-trip/every-byte", test_round_trip_every_byte);
        g_test_add_func("/dump-format/parse/members-in-any-order", test_parse_members_in_any_order);
        g_test_add_func("/dump-format/parse/unknown-members-skipped", test_parse_skips_unknown_members);
        g_test_add_func("/dump-format/parse/escapes-decoded", test_parse_decodes_escapes);
        g_test_add_func("/dump-format/parse/blank-line", test_parse_blank_line);
        g_test_add_func("/dump-format/parse/base64-without-padding", test_parse_base64_without_padding);
        for (size_t i = 0; i < G_N_ELEMENTS(bad_lines); i++)
                g_test_add_data_func(bad_lines[i].path, &bad_lines[i], test_bad_line);
        g_test_add_func("/dump-format/reader/names-the-line", test_reader_names_the_line);
        g_test_add_func("/dump-format/reader/last-line-without-newline", test_reader_last_line_without_newline);
        g_test_add_func("/dump-format/reader/empty-input", test_reader_empty_input);
        g_test_add_func("/dump-format/text/agrees-with-the-store", test_text_rule_agrees_with_the_store);

        return g_test_run();
}
