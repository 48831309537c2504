/* SPDX-License-Identifier: MIT */
#pragma once

/* org.example.Store.Manager on the root object: the store as a whole. */

#include <systemd/sd-bus.h>

#define MANAGER_INTERFACE       "org.example.Store.Manager"
#define STORE_OBJECT_PATH       "/org/example/Store"
#define NAMESPACE_OBJECT_PREFIX "/org/example/Store/namespace"

extern const sd_bus_vtable manager_vtable[];
