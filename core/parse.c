/* Strict number and name parsing (see parse.h). */
#include "parse.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static int is_blank(char c)
{
    return c == ' ' || c == '\t';
}

sm_parse_result sm_parse_double(const char *s, double *out)
{
    if (!s)
        return SM_PARSE_EMPTY;
    while (is_blank(*s))
        s++;
    if (!*s)
        return SM_PARSE_EMPTY;
    /* Validate the shape first: strtod alone accepts hex, nan and inf. */
    const char *p = s;
    if (*p == '+' || *p == '-')
        p++;
    size_t digits = 0;
    while (isdigit((unsigned char)*p)) {
        p++;
        digits++;
    }
    if (*p == '.') {
        p++;
        while (isdigit((unsigned char)*p)) {
            p++;
            digits++;
        }
    }
    if (digits == 0) {
        const char *q = (*s == '+' || *s == '-') ? s + 1 : s;
        if (strncasecmp(q, "nan", 3) == 0 || strncasecmp(q, "inf", 3) == 0 ||
            strncasecmp(q, ".nan", 4) == 0 || strncasecmp(q, ".inf", 4) == 0)
            return SM_PARSE_NOT_FINITE;
        return SM_PARSE_NOT_NUMBER;
    }
    if (*p == 'e' || *p == 'E') {
        p++;
        if (*p == '+' || *p == '-')
            p++;
        if (!isdigit((unsigned char)*p))
            return SM_PARSE_NOT_NUMBER;
        while (isdigit((unsigned char)*p))
            p++;
    }
    const char *end_shape = p;
    while (is_blank(*p))
        p++;
    if (*p)
        return SM_PARSE_NOT_NUMBER;
    errno = 0;
    char *end = NULL;
    double v = strtod(s, &end);
    if (end != end_shape)
        return SM_PARSE_NOT_NUMBER;
    if (!isfinite(v) || (errno == ERANGE && fabs(v) > 1.0))
        return SM_PARSE_NOT_FINITE;
    *out = v;
    return SM_PARSE_OK;
}

sm_parse_result sm_parse_int(const char *s, int *out)
{
    double v;
    sm_parse_result r = sm_parse_double(s, &v);
    if (r != SM_PARSE_OK)
        return r;
    if (v != floor(v) || v < (double)INT_MIN || v > (double)INT_MAX)
        return SM_PARSE_NOT_INTEGER;
    *out = (int)v;
    return SM_PARSE_OK;
}

const char *sm_parse_problem(sm_parse_result r)
{
    switch (r) {
    case SM_PARSE_OK: return "is valid";
    case SM_PARSE_EMPTY: return "is empty";
    case SM_PARSE_NOT_NUMBER: return "is not a number";
    case SM_PARSE_NOT_FINITE: return "is not a finite number";
    case SM_PARSE_NOT_INTEGER: return "is not a whole number";
    }
    return "is invalid";
}

int sm_is_name(const char *s)
{
    if (!s || !isalpha((unsigned char)s[0]))
        return 0;
    size_t n = 0;
    for (; s[n]; n++) {
        unsigned char c = (unsigned char)s[n];
        if (!(isalnum(c) || c == '_') || c > 127)
            return 0;
    }
    return n <= SM_NAME_MAX;
}

size_t sm_text_invalid_at(const char *text, size_t len)
{
    const unsigned char *s = (const unsigned char *)text;
    size_t i = 0;
    while (i < len) {
        unsigned char c = s[i];
        if (c == 0)
            return i;
        if (c < 0x80) {
            i++;
            continue;
        }
        size_t n;
        unsigned int cp;
        if ((c & 0xE0) == 0xC0) {
            n = 1;
            cp = c & 0x1F;
        } else if ((c & 0xF0) == 0xE0) {
            n = 2;
            cp = c & 0x0F;
        } else if ((c & 0xF8) == 0xF0) {
            n = 3;
            cp = c & 0x07;
        } else {
            return i;
        }
        for (size_t k = 1; k <= n; k++) {
            if (i + k >= len || (s[i + k] & 0xC0) != 0x80)
                return i;
            cp = (cp << 6) | (s[i + k] & 0x3F);
        }
        /* Overlong forms, surrogates and values past U+10FFFF are invalid. */
        if ((n == 1 && cp < 0x80) || (n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000) ||
            (cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF)
            return i;
        i += n + 1;
    }
    return len;
}

void sm_text_position(const char *text, size_t off, int *line, int *col)
{
    int l = 1, c = 1;
    for (size_t i = 0; i < off; i++) {
        if (text[i] == '\n') {
            l++;
            c = 1;
        } else {
            c++;
        }
    }
    *line = l;
    *col = c;
}
