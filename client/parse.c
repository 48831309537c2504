/* SPDX-License-Identifier: MIT */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "parse.h"

typedef struct Unit {
        const char *name;
        uint64_t usec;
} Unit;

/* Longer names first where one is a prefix of another ("ms" before "m", "min" before "m"). */
static const Unit duration_units[] = {
        { "seconds", USEC_PER_SEC },
        { "second", USEC_PER_SEC },
        { "sec", USEC_PER_SEC },
        { "s", USEC_PER_SEC },
        { "minutes", 60 * USEC_PER_SEC },
        { "minute", 60 * USEC_PER_SEC },
        { "min", 60 * USEC_PER_SEC },
        { "months", 2629800 * USEC_PER_SEC },
        { "month", 2629800 * USEC_PER_SEC },
        { "msec", USEC_PER_MSEC },
        { "ms", USEC_PER_MSEC },
        { "m", 60 * USEC_PER_SEC },
        { "hours", 3600 * USEC_PER_SEC },
        { "hour", 3600 * USEC_PER_SEC },
        { "hr", 3600 * USEC_PER_SEC },
        { "h", 3600 * USEC_PER_SEC },
        { "days", 86400 * USEC_PER_SEC },
        { "day", 86400 * USEC_PER_SEC },
        { "d", 86400 * USEC_PER_SEC },
        { "weeks", 604800 * USEC_PER_SEC },
        { "week", 604800 * USEC_PER_SEC },
        { "w", 604800 * USEC_PER_SEC },
        { "years", 31557600 * USEC_PER_SEC },
        { "year", 31557600 * USEC_PER_SEC },
        { "y", 31557600 * USEC_PER_SEC },
        { "M", 2629800 * USEC_PER_SEC },
        { "usec", 1 },
        { "us", 1 },
        { "µs", 1 },
        { "μs", 1 },
};

static bool add_overflows(uint64_t a, uint64_t b) {
        return a > UINT64_MAX - b;
}

int parse_duration(const char *s, uint64_t *ret) {
        uint64_t total = 0;
        bool any = false;

        for (;;) {
                uint64_t whole = 0, part = 0, unit_usec = USEC_PER_SEC, scale = 1;
                const Unit *unit = NULL;
                bool digits = false;

                while (isspace((unsigned char)*s))
                        s++;
                if (*s == 0)
                        break;
                for (; isdigit((unsigned char)*s); s++, digits = true) {
                        if (whole > (UINT64_MAX - 9) / 10)
                                return -ERANGE;
                        whole = whole * 10 + (uint64_t)(*s - '0');
                }
                if (*s == '.') {
                        /* Up to six fractional digits are kept: microseconds are the finest unit. */
                        for (s++; isdigit((unsigned char)*s); s++, digits = true)
                                if (scale < 1000000) {
                                        part = part * 10 + (uint64_t)(*s - '0');
                                        scale *= 10;
                                }
                }
                if (!digits)
                        return -EINVAL;
                while (isspace((unsigned char)*s))
                        s++;
                for (size_t i = 0; i < sizeof(duration_units) / sizeof(duration_units[0]); i++) {
                        size_t n = strlen(duration_units[i].name);
                        if (strncmp(s, duration_units[i].name, n) == 0 && !isalpha((unsigned char)s[n])) {
                                unit = &duration_units[i];
                                s += n;
                                break;
                        }
                }
                if (unit)
                        unit_usec = unit->usec;
                else if (isalpha((unsigned char)*s))
                        return -EINVAL;
                if (whole > UINT64_MAX / unit_usec)
                        return -ERANGE;
                whole *= unit_usec;
                /* part * unit_usec would overflow for years: split the unit at the scale. */
                part = part * (unit_usec / scale) + part * (unit_usec % scale) / scale;
                if (add_overflows(whole, part) || add_overflows(total, whole + part))
                        return -ERANGE;
                total += whole + part;
                any = true;
        }
        if (!any)
                return -EINVAL;
        *ret = total;
        return 0;
}

static bool is_unlimited(const char *s) {
        return strcasecmp(s, "unlimited") == 0 || strcasecmp(s, "infinity") == 0;
}

int parse_size(const char *s, uint64_t *ret) {
        static const char suffixes[] = "KMGT";
        uint64_t v = 0, factor = 1;
        const char *p = s;

        if (is_unlimited(s)) {
                *ret = 0;
                return 0;
        }
        if (!isdigit((unsigned char)*p))
                return -EINVAL;
        for (; isdigit((unsigned char)*p); p++) {
                if (v > (UINT64_MAX - 9) / 10)
                        return -ERANGE;
                v = v * 10 + (uint64_t)(*p - '0');
        }
        if (*p) {
                const char *k = strchr(suffixes, toupper((unsigned char)*p));
                if (!k)
                        return -EINVAL;
                for (const char *i = suffixes; i <= k; i++)
                        factor *= 1024;
                p++;
                if (strcmp(p, "iB") == 0 || strcmp(p, "B") == 0)
                        p += strlen(p);
                if (*p)
                        return -EINVAL;
        }
        if (v > UINT64_MAX / factor)
                return -ERANGE;
        *ret = v * factor;
        return 0;
}

int parse_count(const char *s, uint64_t *ret) {
        uint64_t v = 0;

        if (is_unlimited(s)) {
                *ret = 0;
                return 0;
        }
        if (!*s)
                return -EINVAL;
        for (const char *p = s; *p; p++) {
                if (!isdigit((unsigned char)*p))
                        return -EINVAL;
                if (v > (UINT64_MAX - 9) / 10)
                        return -ERANGE;
                v = v * 10 + (uint64_t)(*p - '0');
        }
        *ret = v;
        return 0;
}

char *format_timestamp(char *buf, size_t size, uint64_t usec) {
        time_t t = (time_t)(usec / USEC_PER_SEC);
        struct tm tm;

        if (!localtime_r(&t, &tm) || strftime(buf, size, "%a %Y-%m-%d %H:%M:%S %Z", &tm) == 0)
                snprintf(buf, size, "@%" PRIu64, usec / USEC_PER_SEC);
        return buf;
}

char *format_timespan(char *buf, size_t size, uint64_t usec) {
        static const Unit units[] = {
                { "y", 31557600 * USEC_PER_SEC },
                { "month", 2629800 * USEC_PER_SEC },
                { "w", 604800 * USEC_PER_SEC },
                { "d", 86400 * USEC_PER_SEC },
                { "h", 3600 * USEC_PER_SEC },
                { "min", 60 * USEC_PER_SEC },
                { "s", USEC_PER_SEC },
                { "ms", USEC_PER_MSEC },
                { "us", 1 },
        };
        size_t n = 0;

        buf[0] = 0;
        if (usec == 0) {
                snprintf(buf, size, "0");
                return buf;
        }
        /* At most three units, systemd-style: "1h 2min 3s", not down to the microsecond. */
        for (size_t i = 0, shown = 0; i < sizeof(units) / sizeof(units[0]) && usec > 0 && shown < 3; i++) {
                uint64_t k = usec / units[i].usec;
                int w;

                if (k == 0)
                        continue;
                w = snprintf(buf + n, size - n, "%s%" PRIu64 "%s", n > 0 ? " " : "", k, units[i].name);
                if (w < 0 || (size_t)w >= size - n)
                        break;
                n += (size_t)w;
                usec -= k * units[i].usec;
                shown++;
        }
        return buf;
}

char *format_bytes(char *buf, size_t size, uint64_t bytes) {
        static const char suffixes[] = "KMGTPE";

        if (bytes < 1024) {
                snprintf(buf, size, "%" PRIu64 "B", bytes);
                return buf;
        }
        double v = (double)bytes;
        size_t i = 0;
        for (v /= 1024; v >= 1024 && i + 1 < sizeof(suffixes) - 1; i++)
                v /= 1024;
        snprintf(buf, size, "%.1f%c", v, suffixes[i]);
        return buf;
}
