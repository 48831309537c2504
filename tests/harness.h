/* SPDX-License-Identifier: MIT */
#pragma once

/* The private bus world for tests: a dbus-daemon of type system with the project's own policy, its
 * socket in a fresh temporary directory, and stored on it. Every process is a child of the test,
 * waited for and stopped on every exit path, including a failed assertion (abort) or a timeout
 * (SIGTERM from the test runner). */

#include <gio/gio.h>
#include <stdbool.h>

typedef struct World {
        char *dir; /* temporary directory, removed at the end */
        char *address; /* unix:path=DIR/system_bus_socket */
        char *database; /* DIR/store.db unless the test says otherwise */
        char *direct_socket; /* DIR/private: the daemon's direct (peer-to-peer) socket */
        bool direct; /* STORED_TEST_TRANSPORT=direct: clients talk to the daemon directly */
        GPid bus_pid;
        GPid daemon_pid;
        GDBusConnection *system; /* a connection to the bus itself, for the harness */
        GDBusConnection *bus; /* the test's own client connection to the store (root): through the
                               * bus, or direct once the daemon runs and the transport says so */
} World;

/* Starts the bus (not the daemon). Sets DBUS_SYSTEM_BUS_ADDRESS for this process and its children. */
World *world_new(void);
/* Stops everything and removes the directory. */
void world_free(World *w);

/* Starts stored with --database=w->database and the extra arguments (NULL-terminated, may be NULL),
 * and waits until it owns its name. */
void world_start_daemon(World *w, const char *const *extra_args);
/* SIGTERM and wait; asserts a clean exit. */
void world_stop_daemon(World *w);
/* SIGKILL and wait: a crash. */
void world_kill_daemon(World *w);

/* A new private client connection to the store, as this process's uid: through the bus, or to the
 * daemon's direct socket when the transport is direct (the daemon must be running then). */
GDBusConnection *world_connect(World *w);

/* Runs argv as uid:gid (with no supplementary groups; or with `groups`, comma-separated), through
 * setpriv, and returns its exit status; stdout/stderr are returned if the pointers are not NULL. */
int world_run_as(World *w, unsigned uid, unsigned gid, const char *groups, const char *const *argv, char **ret_stdout,
        char **ret_stderr);

/* Calls a method on the root object and returns the reply (or NULL with *error set). */
GVariant *world_call(GDBusConnection *c, const char *path, const char *interface, const char *method, GVariant *args,
        const char *reply_type, GError **error);

/* The build's paths, from the environment meson test sets. */
const char *world_source_dir(void);
const char *world_stored_binary(void);
