/* SPDX-License-Identifier: MIT */

/* What storectl reads from people: durations as systemd writes them, sizes and counts. */

#include <errno.h>
#include <glib.h>

#include "parse.h"

#define SEC    USEC_PER_SEC
#define MINUTE (60 * SEC)
#define HOUR   (60 * MINUTE)
#define DAY    (24 * HOUR)

typedef struct Duration {
        const char *text;
        int result;
        uint64_t usec;
} Duration;

static const Duration durations[] = {
        { "30s", 0, 30 * SEC },
        { "30", 0, 30 * SEC },
        { "5min", 0, 5 * MINUTE },
        { "5m", 0, 5 * MINUTE },
        { "1h", 0, HOUR },
        { "2d", 0, 2 * DAY },
        { "500ms", 0, 500 * USEC_PER_MSEC },
        { "250us", 0, 250 },
        { "1h30min", 0, HOUR + 30 * MINUTE },
        { "1h 30min 5s", 0, HOUR + 30 * MINUTE + 5 * SEC },
        { " 2 hours ", 0, 2 * HOUR },
        { "1.5h", 0, HOUR + 30 * MINUTE },
        { "0.5s", 0, 500 * USEC_PER_MSEC },
        { "1w", 0, 7 * DAY },
        { "1y", 0, 31557600 * SEC },
        { "0.600000y", 0, 18934560 * SEC }, /* six decimals of the largest unit, no overflow */
        { "1M", 0, 2629800 * SEC },
        { "1month", 0, 2629800 * SEC },
        { "0", 0, 0 },
        { "", -EINVAL, 0 },
        { "s", -EINVAL, 0 },
        { "5 parsecs", -EINVAL, 0 },
        { "-5s", -EINVAL, 0 },
        { "1h30x", -EINVAL, 0 },
        { "99999999999999999999s", -ERANGE, 0 },
        { "999999999999y", -ERANGE, 0 },
};

static void test_duration(const void *data) {
        const Duration *t = data;
        uint64_t v = 0;

        g_assert_cmpint(parse_duration(t->text, &v), ==, t->result);
        if (t->result == 0)
                g_assert_cmpuint(v, ==, t->usec);
}

static void test_size(void) {
        uint64_t v;

        g_assert_cmpint(parse_size("0", &v), ==, 0);
        g_assert_cmpuint(v, ==, 0);
        g_assert_cmpint(parse_size("512", &v), ==, 0);
        g_assert_cmpuint(v, ==, 512);
        g_assert_cmpint(parse_size("64K", &v), ==, 0);
        g_assert_cmpuint(v, ==, 64 * 1024);
        g_assert_cmpint(parse_size("1M", &v), ==, 0);
        g_assert_cmpuint(v, ==, 1024 * 1024);
        g_assert_cmpint(parse_size("2GiB", &v), ==, 0);
        g_assert_cmpuint(v, ==, UINT64_C(2) << 30);
        g_assert_cmpint(parse_size("1t", &v), ==, 0);
        g_assert_cmpuint(v, ==, UINT64_C(1) << 40);
        g_assert_cmpint(parse_size("unlimited", &v), ==, 0);
        g_assert_cmpuint(v, ==, 0);
        g_assert_cmpint(parse_size("1X", &v), ==, -EINVAL);
        g_assert_cmpint(parse_size("M", &v), ==, -EINVAL);
        g_assert_cmpint(parse_size("-1", &v), ==, -EINVAL);
        g_assert_cmpint(parse_size("99999999999999999T", &v), ==, -ERANGE);
}

static void test_count(void) {
        uint64_t v;

        g_assert_cmpint(parse_count("10000", &v), ==, 0);
        g_assert_cmpuint(v, ==, 10000);
        g_assert_cmpint(parse_count("infinity", &v), ==, 0);
        g_assert_cmpuint(v, ==, 0);
        g_assert_cmpint(parse_count("10K", &v), ==, -EINVAL);
        g_assert_cmpint(parse_count("", &v), ==, -EINVAL);
}

static void test_timespan(void) {
        char buf[64];

        g_assert_cmpstr(format_timespan(buf, sizeof(buf), 0), ==, "0");
        g_assert_cmpstr(format_timespan(buf, sizeof(buf), HOUR + 2 * MINUTE + 3 * SEC + 4), ==, "1h 2min 3s");
        g_assert_cmpstr(format_timespan(buf, sizeof(buf), 250 * USEC_PER_MSEC), ==, "250ms");
        g_assert_cmpstr(format_timespan(buf, sizeof(buf), 2 * DAY), ==, "2d");
}

static void test_bytes(void) {
        char buf[32];

        g_assert_cmpstr(format_bytes(buf, sizeof(buf), 512), ==, "512B");
        g_assert_cmpstr(format_bytes(buf, sizeof(buf), 64 * 1024 * 1024), ==, "64.0M");
        g_assert_cmpstr(format_bytes(buf, sizeof(buf), 1536), ==, "1.5K");
}

int main(int argc, char *argv[]) {
        g_test_init(&argc, &argv, NULL);

        for (size_t i = 0; i < G_N_ELEMENTS(durations); i++) {
                g_autofree char *path = g_strdup_printf("/storectl/duration/%zu", i);
                g_test_add_data_func(path, &durations[i], test_duration);
        }
        g_test_add_func("/storectl/size", test_size);
        g_test_add_func("/storectl/count", test_count);
        g_test_add_func("/storectl/format/timespan", test_timespan);
        g_test_add_func("/storectl/format/bytes", test_bytes);
        return g_test_run();
}
