/* SPDX-License-Identifier: MIT */

/* The daemon's life: open the store, connect to the system bus, export the objects, take the name,
 * say READY=1, run the event loop until SIGTERM/SIGINT, then close the store cleanly. Also the expiry
 * timer, which belongs to the event loop rather than to any one call. */

#include <signal.h>
#include <systemd/sd-daemon.h>

#include "bus-dump.h"
#include "bus-error.h"
#include "bus-manager.h"
#include "bus-namespace.h"
#include "bus-store.h"
#include "daemon.h"
#include "database-file.h"
#include "direct.h"
#include "log.h"

#define STORE_BUS_NAME "org.example.Store"

/* ---- expiry timer ---- */

static int on_expiry_timer(sd_event_source *source _unused_, uint64_t usec _unused_, void *userdata) {
        Context *c = userdata;
        StoreError e = {};
        int r;

        r = store_expire_due(c->store, &e);
        if (r < 0)
                log_warning("Expiring entries failed, will retry: %s", e.message);
        reply_queue_flush(c->replies); /* commits the sweep */
        expiry_timer_rearm(c);
        return 0;
}

/* Deadlines are wall-clock times (the contract's expires_usec), so the timer runs on CLOCK_REALTIME:
 * a clock step moves it with the deadlines. One timer for the earliest deadline, not a poll. */
void expiry_timer_rearm(Context *c) {
        uint64_t next = store_next_expiry(c->store);
        int r;

        if (next == 0) {
                if (c->expiry_timer)
                        (void)sd_event_source_set_enabled(c->expiry_timer, SD_EVENT_OFF);
                return;
        }
        if (!c->expiry_timer) {
                /* Accuracy 1 µs: 0 would mean sd-event's default of 250 ms, and expiry is due at the deadline. */
                r = sd_event_add_time(c->event, &c->expiry_timer, CLOCK_REALTIME, next, 1, on_expiry_timer, c);
                if (r < 0) {
                        log_error_errno(r, "Cannot arm the expiry timer");
                        return;
                }
                (void)sd_event_source_set_description(c->expiry_timer, "expiry");
                return;
        }
        (void)sd_event_source_set_time(c->expiry_timer, next);
        (void)sd_event_source_set_enabled(c->expiry_timer, SD_EVENT_ONESHOT);
}

/* Runs after every commit: the changes go out to subscribers, and the next deadline may have moved. */
static void on_store_commit(const StoreChange *changes, size_t n_changes, void *userdata) {
        Context *c = userdata;

        if (c->events)
                events_publish(c->events, changes, n_changes);
        expiry_timer_rearm(c);
}

/* ---- set-up ---- */

static int context_open_store(Context *c) {
        StoreError e = {};
        StoreOptions options = {
                .backend = {
                        .path = c->config.database,
                        .durability = c->config.durability,
                },
                .limits = c->config.limits,
                .default_quota = {
                        .max_keys = c->config.default_max_keys,
                        .max_groups = c->config.default_max_groups,
                        .max_bytes = c->config.default_max_bytes,
                },
                .observer = on_store_commit,
                .observer_userdata = c,
        };
        _cleanup_free_ char *moved = NULL;
        int r;

        r = store_open(&options, &c->store, &e);
        /* -EUCLEAN is damage SQLite found in the file itself. Any other failure (I/O, permissions, a
         * newer schema) may pass or need a person, so it never costs the file its place. */
        if (r == -EUCLEAN && !streq(c->config.database, ":memory:")) {
                if (c->config.on_corruption == CONFIG_ON_CORRUPTION_REFUSE) {
                        log_error("Database %s is damaged (%s); not starting (OnCorruption=refuse)", c->config.database,
                                e.message);
                        return r;
                }
                r = database_file_move_aside(c->config.database, &moved);
                if (r < 0)
                        return log_error_errno(r, "Database %s is damaged (%s) and could not be moved aside",
                                c->config.database, e.message);
                log_error("Database %s is damaged (%s): moved it aside to %s, starting on a fresh database",
                        c->config.database, e.message, moved);
                e = (StoreError){};
                r = store_open(&options, &c->store, &e);
        }
        if (r < 0)
                return log_error_errno(r, "Cannot open the store at %s: %s", c->config.database,
                        e.code ? e.message : "");
        log_info("Store %s open at revision %" PRIu64, c->config.database, store_revision(c->store));
        return 0;
}

int daemon_export_objects(Context *c, sd_bus *bus) {
        int r;

        r = sd_bus_add_object_vtable(bus, NULL, STORE_OBJECT_PATH, STORE_INTERFACE, store_vtable, &c->root);
        if (r >= 0)
                r = sd_bus_add_object_vtable(bus, NULL, STORE_OBJECT_PATH, MANAGER_INTERFACE, manager_vtable, &c->root);
        if (r >= 0)
                r = bus_namespace_register(c, bus);
        return r;
}

static int context_connect_bus(Context *c) {
        int r;

        r = sd_bus_default_system(&c->bus);
        if (r < 0)
                return log_error_errno(r, "Cannot connect to the system bus");
        r = sd_bus_attach_event(c->bus, c->event, SD_EVENT_PRIORITY_NORMAL);
        if (r < 0)
                return log_error_errno(r, "Cannot attach the bus to the event loop");

        r = auth_new(c->bus, &(AuthOptions){ .personal_namespaces = c->config.personal_namespaces }, &c->auth);
        if (r < 0)
                return log_error_errno(r, "Cannot set up authorization");

        r = events_new(c->bus, &c->config.events, &c->events);
        if (r < 0)
                return log_error_errno(r, "Cannot set up change events");

        r = daemon_export_objects(c, c->bus);
        if (r < 0)
                return log_error_errno(r, "Cannot export the objects on the system bus");

        /* Take the name last, once every object is in place: callers may arrive at once. */
        r = sd_bus_request_name(c->bus, STORE_BUS_NAME, 0);
        if (r < 0)
                return log_error_errno(r, "Cannot own %s on the system bus", STORE_BUS_NAME);
        return 0;
}

static int on_exit_signal(sd_event_source *s, const struct signalfd_siginfo *si, void *userdata _unused_) {
        log_info("Received %s, stopping.", strsignal((int)si->ssi_signo));
        return sd_event_exit(sd_event_source_get_event(s), 0);
}

/* Runs before sd-bus's own exit handlers, which flush every attached connection and would wait for
 * ever on a direct peer that reads nothing: end the transfers in progress, answer what waits for the
 * group commit, then close the direct connections without flushing. The bus connection is flushed by
 * sd-bus (the bus daemon always reads). */
static int on_event_loop_exit(sd_event_source *s _unused_, void *userdata) {
        Context *c = userdata;

        bus_dump_abort_all(c);
        reply_queue_flush(c->replies);
        c->direct = direct_server_free(c->direct);
        return 0;
}

int daemon_run(Context *c) {
        _cleanup_(sd_event_source_unrefp) sd_event_source *exit_source = NULL;
        sigset_t mask;
        int r;

        (void)sd_bus_error_add_map(store_bus_error_map);
        c->root = (Scope){ .context = c, .ns = NULL };

        r = sd_event_default(&c->event);
        if (r < 0)
                return log_error_errno(r, "Cannot create the event loop");
        (void)sd_event_set_watchdog(c->event, true); /* pings systemd while the loop turns (WatchdogSec=) */

        sigemptyset(&mask);
        sigaddset(&mask, SIGTERM);
        sigaddset(&mask, SIGINT);
        sigprocmask(SIG_BLOCK, &mask, NULL);
        r = sd_event_add_signal(c->event, NULL, SIGTERM, on_exit_signal, c);
        if (r >= 0)
                r = sd_event_add_signal(c->event, NULL, SIGINT, on_exit_signal, c);
        if (r < 0)
                return log_error_errno(r, "Cannot watch for signals");

        r = context_open_store(c);
        if (r < 0)
                return r;
        expiry_timer_rearm(c);

        /* Group commit: the calls read in one go share one transaction and one sync. */
        r = reply_queue_new(c->event, c->store, &c->replies);
        if (r < 0)
                return log_error_errno(r, "Cannot set up group commit");
        store_set_group_commit(c->store, true);

        /* Listen before taking the name: when the name appears, the socket is there too. Connections
         * are served from the event loop, once everything below is set up. */
        if (!isempty(c->config.direct_socket)) {
                r = direct_server_new(c, c->config.direct_socket, &c->direct);
                if (r < 0)
                        /* Not fatal: the bus is the interface; the socket is an accelerator. */
                        log_warning_errno(r, "Cannot listen on %s; serving on the bus only", c->config.direct_socket);
                else
                        log_info("Serving direct connections on %s.", c->config.direct_socket);
        }

        r = context_connect_bus(c);
        if (r < 0)
                return r;
        r = sd_event_add_exit(c->event, &exit_source, on_event_loop_exit, c);
        if (r >= 0)
                r = sd_event_source_set_priority(exit_source, SD_EVENT_PRIORITY_NORMAL - 1);
        if (r < 0)
                return log_error_errno(r, "Cannot set up stopping");

        (void)sd_notify(false, "READY=1\nSTATUS=Serving");
        log_info("Serving %s.", STORE_BUS_NAME);

        r = sd_event_loop(c->event);
        (void)sd_notify(false, "STOPPING=1");
        if (r < 0)
                return log_error_errno(r, "Event loop failed");
        return 0;
}

void daemon_done(Context *c) {
        /* Commit and answer what waited, flush the replies before the store goes away, then close it
         * (checkpointing the WAL). */
        reply_queue_flush(c->replies);
        if (c->bus)
                (void)sd_bus_flush(c->bus);
        c->replies = reply_queue_free(c->replies);
        c->direct = direct_server_free(c->direct);
        c->expiry_timer = sd_event_source_unref(c->expiry_timer);
        c->events = events_free(c->events);
        c->auth = auth_free(c->auth);
        c->bus = sd_bus_flush_close_unref(c->bus);
        c->store = store_free(c->store);
        c->event = sd_event_unref(c->event);
        config_done(&c->config);
}
