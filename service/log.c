/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdarg.h>

#include "log.h"

static int max_level = LOG_INFO;

void log_set_max_level(int level) {
        max_level = level;
}

int log_level_from_string(const char *s) {
        static const char *const names[] = {
                [LOG_EMERG] = "emerg",
                [LOG_ALERT] = "alert",
                [LOG_CRIT] = "crit",
                [LOG_ERR] = "err",
                [LOG_WARNING] = "warning",
                [LOG_NOTICE] = "notice",
                [LOG_INFO] = "info",
                [LOG_DEBUG] = "debug",
        };
        for (size_t i = 0; i < ELEMENTSOF(names); i++)
                if (streq(s, names[i]))
                        return (int)i;
        if (streq(s, "error"))
                return LOG_ERR;
        return -EINVAL;
}

int log_message(int level, int error, const char *format, ...) {
        char buf[2048];
        va_list ap;

        if (error > 0)
                error = -error;
        if (level > max_level)
                return error;
        va_start(ap, format);
        vsnprintf(buf, sizeof(buf), format, ap);
        va_end(ap);
        /* Under systemd the journal reads "<N>" as the level; by hand a name reads better. */
        if (getenv("JOURNAL_STREAM"))
                fprintf(stderr, "<%d>", level);
        else
                fputs("stored: ", stderr);
        if (error < 0)
                fprintf(stderr, "%s: %s\n", buf, strerror(-error));
        else
                fprintf(stderr, "%s\n", buf);
        return error;
}
