/* SPDX-License-Identifier: MIT */
#include <stdio.h>

#include "caller.h"

const char *caller_key_of_direct(sd_bus *bus, char buf[static CALLER_KEY_MAX]) {
        /* Unique while the connection lives; everything keyed by it is forgotten when it closes. */
        snprintf(buf, CALLER_KEY_MAX, "direct:%p", (void *)bus);
        return buf;
}

bool caller_is_direct(sd_bus_message *m) {
        return sd_bus_message_get_sender(m) == NULL;
}

const char *caller_key(sd_bus_message *m, char buf[static CALLER_KEY_MAX]) {
        const char *sender = sd_bus_message_get_sender(m);
        return sender ?: caller_key_of_direct(sd_bus_message_get_bus(m), buf);
}
