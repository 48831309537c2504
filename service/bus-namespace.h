/* SPDX-License-Identifier: MIT */
#pragma once

/* The namespace objects /org/example/Store/namespace/<N>: a fallback that serves org.example.Store
 * scoped to N and the org.example.Store.Namespace properties, for any valid N, plus "self". */

#include "context.h"

#define NAMESPACE_INTERFACE "org.example.Store.Namespace"

/* Exports the namespace objects on `bus` (the system bus, or a direct connection). */
int bus_namespace_register(Context *c, sd_bus *bus);
