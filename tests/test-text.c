/* SPDX-License-Identifier: MIT */

/* GetSplit and GetFields: text_split() must cut as Go's strings.Split does and text_fields() as
 * strings.Fields does (go-store GetSplit_*, GetFields_*). Pieces are shown as "[a][][b]", so that an
 * empty piece and no piece at all look different. */

#include <errno.h>
#include <glib.h>

#include "text.h"

static int append_piece(const char *piece, size_t len, void *userdata) {
        GString *out = userdata;

        g_string_append_c(out, '[');
        g_string_append_len(out, piece, (gssize)len);
        g_string_append_c(out, ']');
        return 0;
}

static char *split(const char *value, const char *sep) {
        GString *out = g_string_new(NULL);

        g_assert_cmpint(text_split(value, strlen(value), sep, strlen(sep), append_piece, out), ==, 0);
        return g_string_free(out, FALSE);
}

static char *fields(const char *value) {
        GString *out = g_string_new(NULL);

        g_assert_cmpint(text_fields(value, strlen(value), append_piece, out), ==, 0);
        return g_string_free(out, FALSE);
}

#define assert_split(value, sep, expected)                                                                             \
        do {                                                                                                           \
                g_autofree char *_got = split(value, sep);                                                             \
                g_assert_cmpstr(_got, ==, expected);                                                                   \
        } while (0)

#define assert_fields(value, expected)                                                                                 \
        do {                                                                                                           \
                g_autofree char *_got = fields(value);                                                                 \
                g_assert_cmpstr(_got, ==, expected);                                                                   \
        } while (0)

static int stop_after_first(const char *piece, size_t len, void *userdata) {
        append_piece(piece, len, userdata);
        return -ECANCELED;
}

/* ---- strings.Split ---- */

/* go-store GetSplit_Good_SplitsValue */
static void test_split_on_separator(void) {
        assert_split("alpha,beta,gamma", ",", "[alpha][beta][gamma]");
}

/* strings.Split("", ",") is [""]: one empty piece. */
static void test_split_empty_value_is_one_empty_piece(void) {
        assert_split("", ",", "[]");
}

/* strings.Split("", "") is []: nothing at all. */
static void test_split_empty_value_on_empty_separator_is_nothing(void) {
        assert_split("", "", "");
}

static void test_split_keeps_empty_pieces(void) {
        assert_split("a,,b", ",", "[a][][b]");
        assert_split(",a,", ",", "[][a][]");
        assert_split(",", ",", "[][]");
}

static void test_split_without_separator_in_value_is_whole_value(void) {
        assert_split("alpha", ",", "[alpha]");
        assert_split("ab", "abc", "[ab]");
}

static void test_split_on_multibyte_separator(void) {
        assert_split("a::b::c", "::", "[a][b][c]");
        assert_split("un→deux→trois", "→", "[un][deux][trois]");
}

/* strings.Split("aaa", "aa") is ["", "a"]: matches are found left to right and do not overlap. */
static void test_split_matches_do_not_overlap(void) {
        assert_split("aaa", "aa", "[][a]");
}

/* An empty separator splits after each UTF-8 character, not each byte. */
static void test_split_on_empty_separator_splits_characters(void) {
        assert_split("abc", "", "[a][b][c]");
        assert_split("héllo", "", "[h][é][l][l][o]");
        assert_split("日本🎉", "", "[日][本][🎉]");
}

/* go-store GetSplit_Good_StopsEarly */
static void test_split_stops_when_callback_fails(void) {
        g_autoptr(GString) out = g_string_new(NULL);
        const char *v = "alpha,beta,gamma";

        g_assert_cmpint(text_split(v, strlen(v), ",", 1, stop_after_first, out), ==, -ECANCELED);
        g_assert_cmpstr(out->str, ==, "[alpha]");
        g_string_truncate(out, 0);
        g_assert_cmpint(text_split(v, strlen(v), "", 0, stop_after_first, out), ==, -ECANCELED);
        g_assert_cmpstr(out->str, ==, "[a]");
}

/* The length is what counts, not a NUL: a slice of a longer buffer splits as itself. */
static void test_split_honours_length(void) {
        g_autoptr(GString) out = g_string_new(NULL);

        g_assert_cmpint(text_split("a,b,c", 3, ",", 1, append_piece, out), ==, 0);
        g_assert_cmpstr(out->str, ==, "[a][b]");
}

/* ---- strings.Fields ---- */

/* go-store GetFields_Good_SplitsWhitespace */
static void test_fields_on_white_space(void) {
        assert_fields("alpha beta\tgamma\n", "[alpha][beta][gamma]");
}

static void test_fields_collapse_runs_and_trim_ends(void) {
        assert_fields("   lead  and   trail   ", "[lead][and][trail]");
        assert_fields("\r\n\v\f one \t\n two", "[one][two]");
}

static void test_fields_of_empty_or_blank_is_nothing(void) {
        assert_fields("", "");
        assert_fields(" \t\n ", "");
}

/* unicode.IsSpace beyond ASCII: NEL, no-break space, em space, ideographic space, line separator. */
static void test_fields_on_unicode_white_space(void) {
        assert_fields("a\u00a0b", "[a][b]");
        assert_fields("a\u2003b", "[a][b]");
        assert_fields("a\u3000b", "[a][b]");
        assert_fields("a\xc2\x85"
                      "b",
                "[a][b]"); /* U+0085: C has no \u for it */
        assert_fields("a\u2028b\u202fc\u205fd\u1680e", "[a][b][c][d][e]");
}

/* Not white space for Go: zero width space, Mongolian vowel separator, word joiner. */
static void test_fields_keep_non_space_format_characters(void) {
        assert_fields("a\u200bb", "[a\u200bb]");
        assert_fields("a\u180eb", "[a\u180eb]");
        assert_fields("a\u2060b", "[a\u2060b]");
}

static void test_fields_keep_multibyte_words_whole(void) {
        assert_fields("café crème\u3000日本語", "[café][crème][日本語]");
}

/* go-store GetFields_Good_StopsEarly */
static void test_fields_stop_when_callback_fails(void) {
        g_autoptr(GString) out = g_string_new(NULL);
        const char *v = "alpha beta gamma";

        g_assert_cmpint(text_fields(v, strlen(v), stop_after_first, out), ==, -ECANCELED);
        g_assert_cmpstr(out->str, ==, "[alpha]");
}

int main(int argc, char *argv[]) {
        g_test_init(&argc, &argv, NULL);

        g_test_add_func("/text/split/on-separator", test_split_on_separator);
        g_test_add_func("/text/split/empty-value-is-one-empty-piece", test_split_empty_value_is_one_empty_piece);
        g_test_add_func("/text/split/empty-value-on-empty-separator-is-nothing",
                test_split_empty_value_on_empty_separator_is_nothing);
        g_test_add_func("/text/split/keeps-empty-pieces", test_split_keeps_empty_pieces);
        g_test_add_func("/text/split/without-separator-in-value-is-whole-value",
                test_split_without_separator_in_value_is_whole_value);
        g_test_add_func("/text/split/on-multibyte-separator", test_split_on_multibyte_separator);
        g_test_add_func("/text/split/matches-do-not-overlap", test_split_matches_do_not_overlap);
        g_test_add_func("/text/split/empty-separator-splits-characters",
                test_split_on_empty_separator_splits_characters);
        g_test_add_func("/text/split/stops-when-callback-fails", test_split_stops_when_callback_fails);
        g_test_add_func("/text/split/honours-length", test_split_honours_length);

        g_test_add_func("/text/fields/on-white-space", test_fields_on_white_space);
        g_test_add_func("/text/fields/collapse-runs-and-trim-ends", test_fields_collapse_runs_and_trim_ends);
        g_test_add_func("/text/fields/empty-or-blank-is-nothing", test_fields_of_empty_or_blank_is_nothing);
        g_test_add_func("/text/fields/on-unicode-white-space", test_fields_on_unicode_white_space);
        g_test_add_func("/text/fields/keep-non-space-format-characters", test_fields_keep_non_space_format_characters);
        g_test_add_func("/text/fields/keep-multibyte-words-whole", test_fields_keep_multibyte_words_whole);
        g_test_add_func("/text/fields/stop-when-callback-fails", test_fields_stop_when_callback_fails);

        return g_test_run();
}
