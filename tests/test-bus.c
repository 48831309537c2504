/* SPDX-License-Identifier: MIT */

/* org.example.Store over a real private system bus, through the proxy that gdbus-codegen generates
 * from dbus/org.example.Store.xml (so the XML is proven usable by applications), and through raw calls
 * where a test needs what that API cannot say. The suite runs once on a database file and once on
 * :memory: (STORED_TEST_MEMORY=1); tests that need a file skip themselves on :memory:.
 *
 * One daemon serves the whole binary, so every test works in groups of its own.
 *
 *   test-bus-reads.c     each reading method of org.example.Store: its result and its error names
 *   test-bus-writes.c    each writing method: revisions, versions, all or nothing, its error names
 *   test-bus-values.c    what keys, groups and values may hold; size limits; malformed calls
 *   test-bus-ttl.c       expiry, and what survives a restart of the daemon
 *   test-bus-manager.c   org.example.Store.Manager, and introspection against the XML
 *   test-bus-clients.c   many clients at once; callers that are not root
 *   test-bus-render.c    Render: go-store's cases, the data it sees, hostile templates */

#include "bus-client.h"

int main(int argc, char *argv[]) {
        g_autofree char **args = g_new0(char *, argc + 2);
        int n_args = 0, r;

        /* Go on after a failed test (--keep-going), so that a run reports every behaviour that fails,
         * not only the first. */
        for (int i = 0; i < argc; i++)
                args[n_args++] = argv[i];
        args[n_args++] = (char *)"--keep-going";
        g_test_init(&n_args, &args, NULL);

        bus_reads_tests_register();
        bus_writes_tests_register();
        bus_values_tests_register();
        bus_ttl_tests_register();
        bus_manager_tests_register();
        bus_clients_tests_register();
        bus_render_tests_register();

        bus_world = world_new();
        world_start_daemon(bus_world, bus_daemon_args());

        r = g_test_run();
        world_free(bus_world);
        return r;
}
