/* SPDX-License-Identifier: MIT */
#pragma once

/* Change events: who subscribed to what, and the unicast Changed signals sent to them.
 *
 * On the system bus a broadcast would show every tenant's values to every user, so each Changed goes
 * to the connections that called Subscribe on an object whose scope covers the change, as a signal
 * addressed to that connection alone. Clients filter with ordinary match rules (arg0 = group, arg1 =
 * key, arg2 = type) in their own bus library.
 *
 * A subscriber that stops reading must not cost anyone else: what we have sent it and it has not yet
 * read is bounded (see events.c), and past the bound its subscriptions end with a last Overflow. */

#include <stdbool.h>
#include <systemd/sd-bus.h>

#include "store.h"

typedef struct Events Events;

typedef struct EventsLimits {
        unsigned max_subscriptions_per_connection;
        uint64_t max_unread_messages; /* per subscriber */
        uint64_t max_unread_bytes;
} EventsLimits;

int events_new(sd_bus *bus, const EventsLimits *limits, Events **ret);
Events *events_free(Events *e);

/* Subscribes the sender of `m` to the scope `ns` (NULL = the whole store); idempotent. `via_polkit`
 * says the sender may read only because polkit said so: such subscriptions end (with Overflow) when
 * polkit's rules change, and the client subscribes again to be authorized anew. */
int events_subscribe(Events *e, sd_bus_message *m, const char *ns, bool via_polkit, sd_bus_error *error);
/* Ends the sender's subscription to the scope, if any. */
int events_unsubscribe(Events *e, sd_bus_message *m, const char *ns);

/* Sends the Changed signals for committed changes (all of one revision). */
void events_publish(Events *e, const StoreChange *changes, size_t n_changes);

/* Forgets a caller (caller.h key): a direct connection that closed. */
void events_forget(Events *e, const char *key);
