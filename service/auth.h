/* SPDX-License-Identifier: MIT */
#pragma once

/* Authorization: decides from the caller's credentials, never from the arguments, before a handler
 * touches data. Answers that need a round trip (the caller's uid from the bus driver) are asked
 * asynchronously: authorize() then returns 0, and the message is dispatched again once the answer is
 * in, as systemd's services do with polkit. Everything learnt about a sender is forgotten when it
 * leaves the bus. */

#include <stdbool.h>
#include <sys/types.h>
#include <systemd/sd-bus.h>

typedef enum Action {
        ACTION_READ,   /* read or subscribe in a namespace */
        ACTION_WRITE,  /* change data in a namespace */
        ACTION_MANAGE, /* the root object, the Manager interface */
        _ACTION_MAX,
} Action;

typedef struct Auth Auth;

int auth_new(sd_bus *bus, Auth **ret);
Auth *auth_free(Auth *a);
static inline void auth_freep(Auth **a) {
        auth_free(*a);
}

/* 0: allowed. 1: the answer is pending; the handler returns 1 ("handled" to sd-bus) and the message
 * is dispatched again once the answer is in. Negative: denied or failed, with `error` set. So a
 * handler writes `if (r != 0) return r;`. `ns` is the namespace acted on, NULL for the whole store. */
int authorize(Auth *a, sd_bus_message *m, Action action, const char *ns, sd_bus_error *error);

/* How many senders are remembered: for tests that check nothing is kept after a client leaves. */
size_t auth_n_senders(const Auth *a);
