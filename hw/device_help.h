/* -device help, -device NAME,help and -cpu help: what tern's boards accept. */
#ifndef TERN_DEVICE_HELP_H
#define TERN_DEVICE_HELP_H

/* Print the list ("help") or one device's properties; exit status (2: unknown). */
int device_help(const char *name);
/* The CPU models and extensions of the machine's architecture. */
int cpu_help(const char *machine);

#endif
