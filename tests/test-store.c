/* SPDX-License-Identifier: MIT */
#include <glib.h>

#include "store.h"

static void test_open_memory(void) {
        Store *s = NULL;
        StoreError e = {};
        g_assert_cmpint(store_open(&(StoreOptions){ .backend = { .path = ":memory:" } }, &s, &e), ==, 0);
        store_free(s);
}

int main(int argc, char *argv[]) {
        g_test_init(&argc, &argv, NULL);
        g_test_add_func("/store/open/memory", test_open_memory);
        return g_test_run();
}
