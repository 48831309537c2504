/* SPDX-License-Identifier: MIT */
#pragma once

/* The org.example.Store interface: the same methods on the root object and on namespace objects. */

#include <systemd/sd-bus.h>

#define STORE_INTERFACE "org.example.Store"

extern const sd_bus_vtable store_vtable[];
