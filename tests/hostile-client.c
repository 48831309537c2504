/* SPDX-License-Identifier: MIT */

/* The hostile clients of test-hostile.c, each a process of its own:
 *
 *   hostile-client connect N         opens N connections to the system bus (DBUS_SYSTEM_BUS_ADDRESS),
 *                                    one after the other, each making one Get on the root object;
 *                                    prints "connected=N answered=N failed=N" and keeps every
 *                                    connection open until its standard input closes
 *   hostile-client flood N [ADDRESS [GROUP KEY]]
 *                                    sends N Get calls (of GROUP KEY, else of a key that does not exist)
 *                                    on one connection and never reads a reply; through the bus, or on a
 *                                    direct (peer-to-peer) connection to ADDRESS ("" for the bus);
 *                                    prints "sent=N" once they are all written, then waits for its
 *                                    standard input to close, still not reading
 *   hostile-client subscribe-stall   subscribes to the root object's changes on the system bus, prints
 *                                    "subscribed", and never reads again
 *
 * Standard input is the parent's handle: when it closes (the test ends, or dies), so does this. */

#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <systemd/sd-bus.h>
#include <unistd.h>

#define DESTINATION "org.example.Store"
#define PATH        "/org/example/Store"
#define INTERFACE   "org.example.Store"

/* Every connection is a descriptor: take what the hard limit allows. */
static void raise_fd_limit(void) {
        struct rlimit rl;

        if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
                rl.rlim_cur = rl.rlim_max;
                (void)setrlimit(RLIMIT_NOFILE, &rl);
        }
}

static void wait_for_stdin_to_close(void) {
        char buf[64];

        while (read(STDIN_FILENO, buf, sizeof(buf)) > 0)
                ;
}

static int cmd_connect(unsigned n) {
        sd_bus **buses = calloc(n, sizeof(sd_bus *));
        unsigned connected = 0, answered = 0, failed = 0;
        char first_failure[256] = "";

        if (!buses)
                return 1;
        for (unsigned i = 0; i < n; i++) {
                sd_bus_error error = SD_BUS_ERROR_NULL;
                sd_bus_message *reply = NULL;
                int r;

                r = sd_bus_open_system(&buses[i]);
                if (r < 0) {
                        if (!first_failure[0])
                                snprintf(first_failure, sizeof(first_failure), "connect: %s", strerror(-r));
                        failed++;
                        continue;
                }
                /* One call: the bus and the daemon both learn of this connection. The key does not
                 * exist, so the answer is NotFound, which is an answer. */
                r = sd_bus_call_method(buses[i], DESTINATION, PATH, INTERFACE, "Get", &error, &reply, "ss", "hostile",
                        "no-such-key");
                if (r >= 0 || sd_bus_error_has_name(&error, "org.example.Store.Error.NotFound")) {
                        connected++;
                        answered++;
                } else {
                        if (!first_failure[0])
                                snprintf(first_failure, sizeof(first_failure), "call %u: %s: %s", i, error.name ?: "-",
                                        error.message ?: strerror(-r));
                        failed++;
                }
                sd_bus_error_free(&error);
                sd_bus_message_unref(reply);
        }
        printf("connected=%u answered=%u failed=%u%s%s\n", connected, answered, failed,
                first_failure[0] ? " first_failure=" : "", first_failure);
        fflush(stdout);
        wait_for_stdin_to_close();
        for (unsigned i = 0; i < n; i++)
                sd_bus_close_unref(buses[i]); /* no goodbyes, no flush */
        free(buses);
        return 0;
}

static int open_direct(const char *address, sd_bus **ret) {
        sd_bus *bus = NULL;
        int r = sd_bus_new(&bus);

        if (r >= 0)
                r = sd_bus_set_address(bus, address);
        if (r >= 0)
                r = sd_bus_start(bus);
        if (r < 0) {
                sd_bus_unref(bus);
                return r;
        }
        *ret = bus;
        return 0;
}

static int cmd_flood(unsigned long n, const char *direct_address, const char *group, const char *key) {
        sd_bus *bus = NULL;
        unsigned long sent = 0;
        int r;

        r = direct_address ? open_direct(direct_address, &bus) : sd_bus_open_system(&bus);
        if (r < 0) {
                printf("sent=0 error=%s\n", strerror(-r));
                fflush(stdout);
                return 1;
        }
        for (; sent < n; sent++) {
                sd_bus_message *m = NULL;
                uint64_t cookie;

                r = sd_bus_message_new_method_call(bus, &m, direct_address ? NULL : DESTINATION, PATH, INTERFACE,
                        "Get");
                if (r >= 0)
                        r = sd_bus_message_append(m, "ss", group, key);
                /* With a cookie, else sd-bus marks the call as wanting no reply. */
                if (r >= 0)
                        r = sd_bus_send(bus, m, &cookie); /* queued: written as the socket takes it */
                sd_bus_message_unref(m);
                if (r < 0)
                        break;
                /* Write out what is queued now and then, without reading anything. */
                if (sent % 1024 == 1023 && (r = sd_bus_flush(bus)) < 0)
                        break;
        }
        if (r >= 0)
                r = sd_bus_flush(bus);
        printf("sent=%lu%s%s\n", sent, r < 0 ? " error=" : "", r < 0 ? strerror(-r) : "");
        fflush(stdout);
        wait_for_stdin_to_close();
        sd_bus_close_unref(bus);
        return 0;
}

static int cmd_subscribe_stall(void) {
        sd_bus_error error = SD_BUS_ERROR_NULL;
        sd_bus *bus = NULL;
        int r;

        r = sd_bus_open_system(&bus);
        if (r >= 0)
                r = sd_bus_call_method(bus, DESTINATION, PATH, INTERFACE, "Subscribe", &error, NULL, "");
        printf("%s %s\n", r >= 0 ? "subscribed" : "failed", r >= 0 ? "" : error.message ?: strerror(-r));
        fflush(stdout);
        sd_bus_error_free(&error);
        wait_for_stdin_to_close();
        sd_bus_close_unref(bus);
        return r >= 0 ? 0 : 1;
}

int main(int argc, char *argv[]) {
        raise_fd_limit();
        if (argc >= 3 && strcmp(argv[1], "connect") == 0)
                return cmd_connect((unsigned)strtoul(argv[2], NULL, 10));
        if (argc >= 3 && strcmp(argv[1], "flood") == 0)
                return cmd_flood(strtoul(argv[2], NULL, 10), argc >= 4 && argv[3][0] ? argv[3] : NULL,
                        argc >= 6 ? argv[4] : "hostile", argc >= 6 ? argv[5] : "flood");
        if (argc >= 2 && strcmp(argv[1], "subscribe-stall") == 0)
                return cmd_subscribe_stall();
        fprintf(stderr, "usage: hostile-client connect N | flood N [ADDRESS [GROUP KEY]] | subscribe-stall\n");
        return 2;
}
