/* Logging, -d categories and user-facing error lines. */
#include "core/log.h"
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

unsigned log_mask;
FILE *log_file;

static const struct { const char *name; unsigned bit; const char *help; } cats[] = {
    { "in_asm", LOG_IN_ASM, "show guest instructions as they are first decoded" },
    { "out_asm", LOG_OUT_ASM, "show host code generated for each block (jit)" },
    { "exec", LOG_EXEC, "show each instruction as it executes" },
    { "cpu", LOG_CPU, "show the CPU registers at each control transfer" },
    { "int", LOG_INT, "show interrupts and exceptions" },
    { "mmu", LOG_MMU, "show page-table walks and faults" },
    { "guest_errors", LOG_GUEST_ERRORS, "log invalid guest operations (bad MMIO, ...)" },
    { "unimp", LOG_UNIMP, "log unimplemented functionality" },
    { "jit", LOG_JIT, "translator events (full flushes) and statistics at exit" },
};

bool log_parse_mask(const char *list, unsigned *mask, char *bad, size_t badsize)
{
    unsigned m = 0;
    const char *p = list;
    while (*p) {
        size_t n = strcspn(p, ",");
        bool found = false;
        if (n == 3 && !strncmp(p, "all", 3)) {
            for (size_t i = 0; i < sizeof(cats) / sizeof(cats[0]); i++)
                m |= cats[i].bit;
            found = true;
        }
        for (size_t i = 0; !found && i < sizeof(cats) / sizeof(cats[0]); i++) {
            if (strlen(cats[i].name) == n && !strncmp(p, cats[i].name, n)) {
                m |= cats[i].bit;
                found = true;
            }
        }
        if (!found) {
            snprintf(bad, badsize, "%.*s", (int)n, p);
            return false;
        }
        p += n;
        if (*p == ',')
            p++;
    }
    *mask = m;
    return true;
}

void log_print_help(FILE *f)
{
    fprintf(f, "Log items (comma separated):\n");
    for (size_t i = 0; i < sizeof(cats) / sizeof(cats[0]); i++)
        fprintf(f, "%-13s %s\n", cats[i].name, cats[i].help);
}

bool log_open(const char *path)
{
    FILE *f = fopen(path, "w");
    if (!f)
        return false;
    setvbuf(f, NULL, _IOFBF, 1 << 16);
    log_file = f;
    return true;
}

void log_printf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vfprintf(log_file ? log_file : stderr, fmt, ap);
    va_end(ap);
}

void error_report(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("tern: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
}

void fatal(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("tern: internal error: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    abort();
}
