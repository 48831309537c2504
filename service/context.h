/* SPDX-License-Identifier: MIT */
#pragma once

/* The daemon's one context, owned by main(): everything a handler can reach. */

#include <systemd/sd-bus.h>
#include <systemd/sd-event.h>

#include "auth.h"
#include "config.h"
#include "store.h"

typedef struct Context Context;

/* What an object on the bus stands for: the whole store (ns == NULL) or one namespace. Handlers get
 * it as their userdata and pass ns to the store unchanged. */
typedef struct Scope {
        Context *context;
        const char *ns;
} Scope;

struct Context {
        Config config;
        sd_event *event;
        sd_bus *bus;
        Store *store;
        Auth *auth;
        sd_event_source *expiry_timer;
        Scope root;
};
