/* SPDX-License-Identifier: MIT */
#pragma once

/* What the bus tests share: the one private bus world of the test binary (a single daemon serves every
 * test, so each test uses group names of its own), proxies generated from dbus/org.example.Store.xml,
 * raw calls for what the generated C API cannot express, and assertions on D-Bus error names. */

#include <stdbool.h>

#include "harness.h"
#include "store-proxy.h"

/* gdbus-codegen does not declare these. */
G_DEFINE_AUTOPTR_CLEANUP_FUNC(StoredStore, g_object_unref)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(StoredStoreManager, g_object_unref)

#define STORE_BUS_NAME      "org.example.Store"
#define STORE_PATH          "/org/example/Store"
#define STORE_INTERFACE     "org.example.Store"
#define MANAGER_INTERFACE   "org.example.Store.Manager"
#define NAMESPACE_INTERFACE "org.example.Store.Namespace"

#define ERROR_NOT_FOUND         "org.example.Store.Error.NotFound"
#define ERROR_TOO_LARGE         "org.example.Store.Error.TooLarge"
#define ERROR_NOT_TEXT          "org.example.Store.Error.NotText"
#define ERROR_INVALID_NAMESPACE "org.example.Store.Error.InvalidNamespace"
#define ERROR_INVALID_ARGS      "org.freedesktop.DBus.Error.InvalidArgs"
#define ERROR_ACCESS_DENIED     "org.freedesktop.DBus.Error.AccessDenied"
#define ERROR_NOT_SUPPORTED     "org.freedesktop.DBus.Error.NotSupported"
#define ERROR_UNKNOWN_METHOD    "org.freedesktop.DBus.Error.UnknownMethod"
#define ERROR_UNKNOWN_INTERFACE "org.freedesktop.DBus.Error.UnknownInterface"
#define ERROR_UNKNOWN_OBJECT    "org.freedesktop.DBus.Error.UnknownObject"

/* Long enough for a 1 MiB write under a sanitizer; short enough that a call the daemon never answers
 * fails the test instead of stalling the suite. */
#define BUS_CALL_TIMEOUT_MSEC 10000

#define HOUR_USEC ((guint64)3600 * G_USEC_PER_SEC)
#define MIB       (1024U * 1024U)
#define KIB       1024U

/* The world of this test binary: a private system bus with stored on it, started by main(). */
extern World *bus_world;

/* True when the daemon runs on :memory: (STORED_TEST_MEMORY set, and not to "" or "0"): nothing survives a
 * restart and there is no file to look into. */
bool bus_on_memory(void);
/* The daemon's extra arguments for this run (NULL-terminated, or NULL). */
const char *const *bus_daemon_args(void);

/* Proxies on the root object, for calls over the given connection. The Manager proxy loads the
 * properties at creation, so its property getters show their values at that moment. */
const char *bus_store_name(GDBusConnection *c);
StoredStore *bus_store_proxy(GDBusConnection *c);
StoredStoreManager *bus_manager_proxy(GDBusConnection *c);

/* The error name of a failed call (NULL for a local error such as a timeout). */
char *bus_error_name(const GError *error);

/* True if `error` is the D-Bus error `name`: for checks that fail a test without ending the run. */
bool bus_error_is(const GError *error, const char *name);

/* Asserts that `error` is the D-Bus error `name`, naming both when it is not. */
#define bus_assert_error(error, name)                                                                                  \
        G_STMT_START {                                                                                                 \
                g_autofree char *bus_error_name_ = bus_error_name(error);                                              \
                if (g_strcmp0(bus_error_name_, (name)) != 0)                                                           \
                        g_error("%s:%d: expected error %s, got %s (%s)", __FILE__, __LINE__, (name),                   \
                                bus_error_name_ ? bus_error_name_ : "no D-Bus error",                                  \
                                (error) ? (error)->message : "the call succeeded");                                    \
        }                                                                                                              \
        G_STMT_END

/* A method call on the root object with arguments built by hand (a floating GVariant or NULL); for
 * wrong signatures, file descriptors, binary values and what the generated code cannot say. */
GVariant *bus_call(GDBusConnection *c, const char *interface, const char *method, GVariant *args,
        const char *reply_type, GError **error);

/* A method call on the root object whose one argument is a file descriptor (the write end of a pipe
 * that is closed at once). */
GVariant *bus_call_with_fd(const char *interface, const char *method, GError **error);

/* Calls that must succeed, on the test's own connection. */
guint64 bus_set(const char *group, const char *key, const char *value);
guint64 bus_set_with_ttl(const char *group, const char *key, const char *value, guint64 ttl_usec);
guint64 bus_set_bytes(const char *group, const char *key, const void *data, size_t len, guint64 ttl_usec);
guint64 bus_delete(const char *group, const char *key);
char *bus_get(const char *group, const char *key);
guint64 bus_count(const char *group);
guint64 bus_count_all(const char *prefix);

/* GetBytes as exact bytes (NULL with *error set on failure). */
GBytes *bus_get_bytes(const char *group, const char *key, GError **error);

typedef struct BusStat {
        guint64 version, revision, modified_usec, expires_usec;
} BusStat;
BusStat bus_stat(const char *group, const char *key);

/* The Revision property, read with Properties.Get. */
guint64 bus_revision(void);

/* An a{ss} from alternating keys and values, NULL-terminated: bus_entries("a", "1", "b", "2", NULL). */
GVariant *bus_entries(const char *first_key, ...) G_GNUC_NULL_TERMINATED;
/* The value of `key` in an a{ss} (NULL if absent). */
const char *bus_entries_lookup(GVariant *entries, const char *key);

/* Asserts that the daemon still answers: a write and its read-back. */
void bus_assert_serving(void);

/* Wall-clock microseconds, the clock of the contract's deadlines. */
guint64 bus_now_usec(void);

/* Registration of each part of the suite. */
void bus_reads_tests_register(void);
void bus_writes_tests_register(void);
void bus_values_tests_register(void);
void bus_ttl_tests_register(void);
void bus_manager_tests_register(void);
void bus_clients_tests_register(void);
void bus_render_tests_register(void);
