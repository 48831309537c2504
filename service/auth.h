/* SPDX-License-Identifier: MIT */
#pragma once

/* Authorization: decides from the caller's credentials, never from the arguments, before a handler
 * touches data. The rules (DESIGN "Authorization"):
 *
 *   uid 0                                  everything
 *   own namespace uid-<UID> (if enabled)   read and write, no polkit
 *   anything else                          polkit: org.example.Store.{read,write} with detail
 *                                          namespace=N, or org.example.Store.manage (which also
 *                                          covers read and write everywhere)
 *
 * Answers that need a round trip (the caller's uid from the bus driver, polkit's verdict) are asked
 * asynchronously; the call is then parked and dispatched again once the answer is in, as systemd's
 * services do with polkit. Answers are cached per (sender, action, namespace) until the sender
 * leaves the bus or polkit announces a change of its rules. */

#include <stdbool.h>
#include <sys/types.h>
#include <systemd/sd-bus.h>

typedef enum Action {
        ACTION_READ, /* read or subscribe in a namespace */
        ACTION_WRITE, /* change data in a namespace */
        ACTION_MANAGE, /* the root object, the Manager interface */
        _ACTION_MAX,
} Action;

typedef struct Auth Auth;

typedef struct AuthOptions {
        bool personal_namespaces; /* uid-<UID> is the caller's own */
} AuthOptions;

int auth_new(sd_bus *bus, const AuthOptions *options, Auth **ret);
Auth *auth_free(Auth *a);
static inline void auth_freep(Auth **a) {
        auth_free(*a);
}

/* 0: allowed. 1: the answer is pending; the handler returns 1 ("handled" to sd-bus) and the message
 * is dispatched again once the answer is in. Negative: denied or failed, with `error` set. So a
 * handler writes `if (r != 0) return r;`. `ns` is the namespace acted on; NULL means the whole store,
 * which needs manage whatever `action` says. */
int authorize(Auth *a, sd_bus_message *m, Action action, const char *ns, sd_bus_error *error);

/* The sender's uid, with the same 0 / 1 (pending) / negative convention as authorize(). */
int auth_sender_uid(Auth *a, sd_bus_message *m, uid_t *ret, sd_bus_error *error);

/* The name of uid's personal namespace, "uid-<UID>" (PersonalNamespaces=). */
#define PERSONAL_NAMESPACE_MAX sizeof("uid-4294967295")
void personal_namespace_name(uid_t uid, char buf[static PERSONAL_NAMESPACE_MAX]);

/* True if the sender of `m` may act on `ns` without polkit: uid 0, or its own namespace (`ns` NULL:
 * uid 0 only). Never waits: false while the sender's uid is not known yet, so meaningful after
 * authorize() or auth_sender_uid() answered for the message. */
bool auth_is_privileged(Auth *a, sd_bus_message *m, const char *ns);

/* Forgets a caller (by caller key, caller.h): a direct connection that closed. Callers on the bus are
 * forgotten when they leave it. */
void auth_forget(Auth *a, const char *key);
