/*
 * Logging and tracing: the -d categories, the -D log file, and the one-line user
 * error convention (every user-facing error is a single line on stderr).
 */
#ifndef TERN_LOG_H
#define TERN_LOG_H

#include <stdio.h>
#include <stdbool.h>
#include <stdnoreturn.h>

enum {
    LOG_IN_ASM       = 1u << 0,
    LOG_EXEC         = 1u << 1,
    LOG_CPU          = 1u << 2,
    LOG_INT          = 1u << 3,
    LOG_MMU          = 1u << 4,
    LOG_GUEST_ERRORS = 1u << 5,
    LOG_UNIMP        = 1u << 6,
    LOG_OUT_ASM      = 1u << 7,
    LOG_JIT          = 1u << 8,
};

extern unsigned log_mask;
extern FILE *log_file;           /* stderr unless -D */

/* Parse a -d list ("in_asm,exec"). Returns false and names the bad item in *bad. */
bool log_parse_mask(const char *list, unsigned *mask, char *bad, size_t badsize);
void log_print_help(FILE *f);
bool log_open(const char *path);

static inline bool log_enabled(unsigned cat) { return (log_mask & cat) != 0; }
void log_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
#define log_cat(cat, ...) do { if (log_enabled(cat)) log_printf(__VA_ARGS__); } while (0)
#define guest_error(...) log_cat(LOG_GUEST_ERRORS, __VA_ARGS__)

/* "tern: <message>" on stderr. */
void error_report(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Internal failure that tern cannot go on from (out of memory, broken invariant). */
noreturn void fatal(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
