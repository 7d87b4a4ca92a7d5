/*
 * The gdb remote serial protocol, independent of what it debugs: packet framing
 * (checksums, acks, escapes, Ctrl-C), and the commands gdb sends, answered through a
 * target interface. debug/gdbstub.c gives it tern's machine; the fuzz test gives it a
 * make-believe one, so every byte gdb (or anything else) may send is exercised.
 *
 * Threads are the target's CPUs: gdb's thread id is the CPU index + 1.
 */
#ifndef TERN_GDB_PROTO_H
#define TERN_GDB_PROTO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define GDB_PACKET_MAX 16384       /* what we take in, and what qSupported announces */

/* ---- framing ---- */

typedef enum {
    GDB_RX_NONE,                   /* nothing complete yet */
    GDB_RX_PACKET,                 /* a packet with a good checksum is in buf/len */
    GDB_RX_BAD,                    /* a packet with a bad checksum (or too long): NAK it */
    GDB_RX_INTERRUPT,              /* Ctrl-C (0x03) between packets */
    GDB_RX_ACK,
    GDB_RX_NAK,
} gdb_rx_result;

typedef struct gdb_rx {
    int state;
    uint8_t sum, csum;
    bool overflow, escape;
    size_t len;
    char buf[GDB_PACKET_MAX + 1];  /* the payload, unescaped, NUL-terminated */
} gdb_rx;

void gdb_rx_init(gdb_rx *r);
gdb_rx_result gdb_rx_byte(gdb_rx *r, uint8_t b);

/* ---- the target ---- */

enum { GDB_STOP_SIGNAL, GDB_STOP_WATCH, GDB_STOP_RWATCH, GDB_STOP_AWATCH };
#define GDB_CURRENT_CPU (~0u)
enum { GDB_RESUME_NONE, GDB_RESUME_CONT, GDB_RESUME_STEP };
#define GDB_MAX_CPUS 64             /* gdb_session_stopped: gdb's current thread */

typedef struct gdb_target_ops {
    unsigned (*ncpus)(void *t);
    /* a target description file ("target.xml" and those it includes); NULL: none */
    const char *(*xml)(void *t, const char *annex);
    unsigned (*g_regs)(void *t);   /* how many registers the g packet carries */
    /* register `reg` (gdb's number) of cpu into buf, target byte order: its size
     * (at most 16), or 0 if there is no such register */
    int (*read_reg)(void *t, unsigned cpu, int reg, uint8_t *buf);
    bool (*write_reg)(void *t, unsigned cpu, int reg, const uint8_t *buf, int len);
    bool (*read_mem)(void *t, unsigned cpu, bool phys, uint64_t addr, uint8_t *buf, size_t len);
    bool (*write_mem)(void *t, unsigned cpu, bool phys, uint64_t addr, const uint8_t *buf, size_t len);
    /* Z types 0-4; false: refused (error), and for a type it cannot do at all: *unsupported */
    bool (*insert)(void *t, int type, uint64_t addr, uint64_t kind, bool *unsupported);
    bool (*remove)(void *t, int type, uint64_t addr, uint64_t kind);
    void (*remove_all)(void *t);
    /* Let CPUs go, each as action[cpu] says: GDB_RESUME_NONE (stays stopped), _CONT or
     * _STEP (one instruction). The target reports the stop with gdb_session_stopped().
     * False: it cannot (then the session answers with an error). */
    bool (*resume)(void *t, const uint8_t *action, unsigned ncpus);
    void (*interrupt)(void *t);    /* Ctrl-C while running: stop, then report SIGINT */
    char *(*monitor)(void *t, const char *cmd, unsigned cpu);    /* malloc'd output */
    void (*detach)(void *t);       /* breakpoints gone, the machine runs on */
    void (*kill)(void *t);
    void (*send)(void *t, const char *data, size_t len);
} gdb_target_ops;

typedef struct gdb_session gdb_session;

gdb_session *gdb_session_new(const gdb_target_ops *ops, void *target);
void gdb_session_free(gdb_session *s);
/* A new connection: acks on, thread selection and stop state back to the start. */
void gdb_session_reset(gdb_session *s, bool running);
void gdb_session_input(gdb_session *s, const uint8_t *buf, size_t n);
/* The machine stopped: cpu, and a signal (5 SIGTRAP, 2 SIGINT) or a watchpoint kind
 * with its address. Sends the stop reply if gdb is waiting for one. */
void gdb_session_stopped(gdb_session *s, unsigned cpu, int kind, int sig, uint64_t addr);
/* The guest ended: W status, if gdb is waiting. */
void gdb_session_exited(gdb_session *s, int status);
bool gdb_session_running(const gdb_session *s);

#endif
