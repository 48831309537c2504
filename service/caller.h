/* SPDX-License-Identifier: MIT */
#pragma once

/* Who sent a message. On the bus a caller is its unique name. On a direct (peer-to-peer) connection
 * there are no names: the connection itself is the caller, and its credentials are the socket's
 * (SO_PEERCRED). Authorization and subscriptions key their state by this. */

#include <stdbool.h>
#include <systemd/sd-bus.h>

#define CALLER_KEY_MAX 64

/* A key naming the caller of `m`; stored in `buf` for a direct connection. */
const char *caller_key(sd_bus_message *m, char buf[static CALLER_KEY_MAX]);
/* The key of every call arriving on a direct connection. */
const char *caller_key_of_direct(sd_bus *bus, char buf[static CALLER_KEY_MAX]);
bool caller_is_direct(sd_bus_message *m);
