/* SPDX-License-Identifier: MIT */
#pragma once

/* storectl: the command-line client of stored. storectl.c parses the command line, connects and
 * dispatches to one function per verb (verbs-*.c); they share what is declared here. */

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <systemd/sd-bus.h>
#include <time.h>

#include "util.h"

#define STORE_BUS_NAME        "org.example.Store"
#define STORE_ROOT_PATH       "/org/example/Store"
#define STORE_SELF_PATH       "/org/example/Store/namespace/self"
#define STORE_IFACE           "org.example.Store"
#define STORE_MANAGER_IFACE   "org.example.Store.Manager"
#define STORE_NAMESPACE_IFACE "org.example.Store.Namespace"

/* Exit statuses (storectl(1)): 0 success, 1 failure, 2 usage, 4 not found. */
#define EXIT_USAGE     2
#define EXIT_NOT_FOUND 4

/* Options that only some verbs take; a verb lists the ones it accepts. */
typedef enum VerbOption {
        OPTION_TTL = 1 << 0,
        OPTION_FILE = 1 << 1,
        OPTION_PREFIX = 1 << 2,
        OPTION_QUOTA = 1 << 3,
        OPTION_SCOPE = 1 << 4, /* --namespace / --self pick the object */
        OPTION_WATCH = 1 << 5, /* --type= and --replay */
        _OPTION_LAST = OPTION_WATCH,
} VerbOption;

typedef struct Ctl {
        /* The command line. */
        const char *namespace_name; /* --namespace= */
        bool self; /* --self */
        const char *address; /* --address= */
        bool json;
        uint64_t ttl_usec; /* --ttl=, 0 = none */
        const char *file; /* --file= (render) */
        const char *prefix; /* --prefix= (count) */
        bool set_max_keys, set_max_groups, set_max_bytes;
        uint64_t max_keys, max_groups, max_bytes;
        const char *event_type; /* --type= (watch) */
        bool replay; /* --replay (watch) */

        /* The connection and the object the verb talks to. */
        sd_bus *bus;
        char *path;
} Ctl;

typedef int (*VerbFn)(Ctl *c, int argc, char **argv);

/* Connects (once) and resolves the object of --namespace/--self (the root object otherwise). */
int ctl_connect(Ctl *c);

/* Calls `method` of `interface` on c->path (or `path` if not NULL) with the arguments of `types`, for
 * the reply in *ret (may be NULL). On failure prints "METHOD failed: ERROR-NAME: message" and returns
 * a negative errno; -ENOKEY for NotFound (exit status 4). */
int ctl_call(Ctl *c, const char *path, const char *interface, const char *method, sd_bus_message **ret,
        const char *types, ...);
/* The same for a prepared message (fds, arrays): `m` is sent with `timeout_usec` (0 = sd-bus default). */
int ctl_call_message(Ctl *c, sd_bus_message *m, uint64_t timeout_usec, sd_bus_message **ret);
int ctl_new_call(Ctl *c, const char *path, const char *interface, const char *method, sd_bus_message **ret);
/* Reports a failed call the way ctl_call() does. */
int ctl_report_error(const char *method, const sd_bus_error *error, int r);
int ctl_bus_error(const char *what, int r); /* a local sd-bus failure */
/* Reads the revision a change replied with: nothing printed on success, {"revision": N} with --json. */
int ctl_print_revision(Ctl *c, sd_bus_message *reply);

int usage_error(const char *format, ...) _printf_(1, 2);
int log_errorf(int r, const char *format, ...) _printf_(2, 3); /* "storectl: …" on stderr; returns r */

/* Writes all of p (retrying short writes and EINTR); a negative errno. */
int write_all(int fd, const void *p, size_t n);
/* The time of `clock` in µs. */
uint64_t clock_usec(clockid_t clock);

/* Reads a whole file ("-" or NULL = standard input). */
int read_file_full(const char *path, char **ret, size_t *ret_len);

/* verbs-entries.c */
int verb_get(Ctl *c, int argc, char **argv);
int verb_get_bytes(Ctl *c, int argc, char **argv);
int verb_set(Ctl *c, int argc, char **argv);
int verb_set_bytes(Ctl *c, int argc, char **argv);
int verb_delete(Ctl *c, int argc, char **argv);
int verb_stat(Ctl *c, int argc, char **argv);

/* verbs-groups.c */
int verb_delete_group(Ctl *c, int argc, char **argv);
int verb_list(Ctl *c, int argc, char **argv);
int verb_count(Ctl *c, int argc, char **argv);
int verb_groups(Ctl *c, int argc, char **argv);
int verb_render(Ctl *c, int argc, char **argv);
int verb_purge(Ctl *c, int argc, char **argv);

/* verbs-admin.c */
int verb_namespaces(Ctl *c, int argc, char **argv);
int verb_quota(Ctl *c, int argc, char **argv);
int verb_backup(Ctl *c, int argc, char **argv);

/* verbs-watch.c */
int verb_watch(Ctl *c, int argc, char **argv);

/* verbs-dump.c */
int verb_dump(Ctl *c, int argc, char **argv);
int verb_load(Ctl *c, int argc, char **argv);
int verb_import_go_store(Ctl *c, int argc, char **argv);
