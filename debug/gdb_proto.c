/*
 * The gdb remote serial protocol (see gdb_proto.h): framing and commands. Everything
 * here treats its input as hostile: every number is bounded, every length checked
 * against the buffers, and an unknown or malformed packet gets an empty or error reply.
 */
#include "debug/gdb_proto.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { RX_IDLE, RX_DATA, RX_CSUM1, RX_CSUM2 };

#define MEM_MAX 4096                 /* bytes per m/M/X: gdb asks within PacketSize */

struct gdb_session {
    const gdb_target_ops *ops;
    void *t;
    gdb_rx rx;
    bool no_ack;
    bool running;                    /* resumed: a stop reply is owed */
    bool phys;                       /* Qqemu.PhyMemMode */
    unsigned g_cpu, c_cpu;           /* Hg and Hc */
    char last_stop[96];
    char *out;                       /* the last packet sent, for a NAK */
    size_t out_len;
};

/* ---- framing ---- */

void gdb_rx_init(gdb_rx *r)
{
    memset(r, 0, sizeof(*r) - sizeof(r->buf));
    r->buf[0] = 0;
}

static int hexval(int c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

gdb_rx_result gdb_rx_byte(gdb_rx *r, uint8_t b)
{
    switch (r->state) {
    case RX_IDLE:
        if (b == '$') {
            r->state = RX_DATA;
            r->len = 0;
            r->sum = 0;
            r->overflow = r->escape = false;
            return GDB_RX_NONE;
        }
        if (b == 3)
            return GDB_RX_INTERRUPT;
        if (b == '+')
            return GDB_RX_ACK;
        if (b == '-')
            return GDB_RX_NAK;
        return GDB_RX_NONE;          /* noise between packets */
    case RX_DATA:
        if (b == '#' && !r->escape) {
            r->state = RX_CSUM1;
            return GDB_RX_NONE;
        }
        if (b == '$' && !r->escape) {
            /* a new packet before the end of this one: start over, as gdb's own stub does */
            r->len = 0;
            r->sum = 0;
            r->overflow = false;
            return GDB_RX_NONE;
        }
        r->sum += b;
        if (r->escape) {
            b ^= 0x20;
            r->escape = false;
        } else if (b == '}') {
            r->escape = true;
            return GDB_RX_NONE;
        }
        if (r->len < GDB_PACKET_MAX)
            r->buf[r->len++] = (char)b;
        else
            r->overflow = true;
        return GDB_RX_NONE;
    case RX_CSUM1: {
        int v = hexval(b);
        r->csum = (uint8_t)((v < 0 ? 0 : v) << 4);
        r->state = v < 0 ? RX_IDLE : RX_CSUM2;
        return v < 0 ? GDB_RX_BAD : GDB_RX_NONE;
    }
    case RX_CSUM2: {
        int v = hexval(b);
        r->state = RX_IDLE;
        r->buf[r->len] = 0;
        if (v < 0 || (uint8_t)(r->csum | v) != r->sum || r->overflow)
            return GDB_RX_BAD;
        return GDB_RX_PACKET;
    }
    }
    r->state = RX_IDLE;
    return GDB_RX_NONE;
}

/* ---- output ---- */

static void send_packet_bin(gdb_session *s, const char *data, size_t len)
{
    size_t cap = len * 2 + 5;
    char *p = malloc(cap);
    if (!p)
        return;
    size_t n = 0;
    uint8_t sum = 0;
    p[n++] = '$';
    for (size_t i = 0; i < len; i++) {
        uint8_t c = (uint8_t)data[i];
        if (c == '$' || c == '#' || c == '}' || c == '*') {
            p[n++] = '}';
            sum += '}';
            c ^= 0x20;
        }
        p[n++] = (char)c;
        sum += c;
    }
    n += (size_t)snprintf(p + n, cap - n, "#%02x", sum);
    s->ops->send(s->t, p, n);
    free(s->out);
    s->out = p;
    s->out_len = n;
}

static void send_packet(gdb_session *s, const char *text)
{
    send_packet_bin(s, text, strlen(text));
}

static void hex_encode(char *out, const uint8_t *in, size_t n)
{
    static const char digits[] = "0123456789abcdef";
    for (size_t i = 0; i < n; i++) {
        out[2 * i] = digits[in[i] >> 4];
        out[2 * i + 1] = digits[in[i] & 15];
    }
    out[2 * n] = 0;
}

/* Decode up to max bytes of hex from p; returns how many, or -1 on a bad digit. */
static long hex_decode(const char *p, size_t plen, uint8_t *out, size_t max)
{
    if (plen % 2)
        return -1;
    size_t n = plen / 2;
    if (n > max)
        return -1;
    for (size_t i = 0; i < n; i++) {
        int hi = hexval(p[2 * i]), lo = hexval(p[2 * i + 1]);
        if (hi < 0 || lo < 0)
            return -1;
        out[i] = (uint8_t)(hi << 4 | lo);
    }
    return (long)n;
}

/* A hex number at *p, moving *p past it; false if there is none or it overflows. */
static bool hex_num(const char **p, uint64_t *v)
{
    const char *s = *p;
    uint64_t n = 0;
    int digits = 0;
    for (int d; (d = hexval(*s)) >= 0; s++) {
        if (++digits > 16)
            return false;
        n = n << 4 | (uint64_t)d;
    }
    if (!digits)
        return false;
    *p = s;
    *v = n;
    return true;
}

/* A thread id: -1 all, 0 any, else the CPU index + 1; also "p1.N" forms. */
static bool thread_id(const char **p, long *tid)
{
    const char *s = *p;
    if (*s == 'p') {
        s++;
        uint64_t pid;
        if (*s == '-' && s[1] == '1')
            s += 2;
        else if (!hex_num(&s, &pid))
            return false;
        if (*s != '.') {
            *tid = -1;
            *p = s;
            return true;
        }
        s++;
    }
    if (*s == '-' && s[1] == '1') {
        *tid = -1;
        *p = s + 2;
        return true;
    }
    uint64_t v;
    if (!hex_num(&s, &v) || v > 0x7fffffff)
        return false;
    *tid = (long)v;
    *p = s;
    return true;
}

static bool valid_cpu(gdb_session *s, long tid, unsigned *cpu)
{
    unsigned n = s->ops->ncpus(s->t);
    if (tid == 0 || tid == -1) {
        *cpu = 0;
        return n > 0;
    }
    if (tid < 1 || (unsigned long)tid > n)
        return false;
    *cpu = (unsigned)(tid - 1);
    return true;
}

/* ---- stop replies ---- */

void gdb_session_stopped(gdb_session *s, unsigned cpu, int kind, int sig, uint64_t addr)
{
    static const char *const watch[] = { "", "watch", "rwatch", "awatch" };
    if (cpu == GDB_CURRENT_CPU)
        cpu = s->c_cpu;
    if (kind > GDB_STOP_SIGNAL && kind <= GDB_STOP_AWATCH)
        snprintf(s->last_stop, sizeof(s->last_stop), "T%02xthread:%02x;%s:%llx;", 5, cpu + 1,
                 watch[kind], (unsigned long long)addr);
    else
        snprintf(s->last_stop, sizeof(s->last_stop), "T%02xthread:%02x;", sig & 0xff, cpu + 1);
    /* the stopping CPU becomes gdb's current thread, as gdb assumes */
    s->g_cpu = s->c_cpu = cpu;
    if (s->running) {
        s->running = false;
        send_packet(s, s->last_stop);
    }
}

void gdb_session_exited(gdb_session *s, int status)
{
    char r[16];
    snprintf(r, sizeof(r), "W%02x", status & 0xff);
    snprintf(s->last_stop, sizeof(s->last_stop), "%s", r);
    if (s->running) {
        s->running = false;
        send_packet(s, r);
    }
}

bool gdb_session_running(const gdb_session *s)
{
    return s->running;
}

/* ---- commands ---- */

static void reply_error(gdb_session *s, int code)
{
    char e[8];
    snprintf(e, sizeof(e), "E%02x", code & 0xff);
    send_packet(s, e);
}

static void cmd_read_regs(gdb_session *s)
{
    unsigned n = s->ops->g_regs(s->t);
    char *out = malloc((size_t)n * 32 + 1);
    if (!out)
        return;
    size_t len = 0;
    for (unsigned r = 0; r < n; r++) {
        uint8_t buf[16];
        int sz = s->ops->read_reg(s->t, s->g_cpu, (int)r, buf);
        if (sz <= 0 || sz > 16)
            break;
        hex_encode(out + len, buf, (size_t)sz);
        len += (size_t)sz * 2;
    }
    out[len] = 0;
    send_packet(s, out);
    free(out);
}

static void cmd_write_regs(gdb_session *s, const char *p, size_t plen)
{
    unsigned n = s->ops->g_regs(s->t);
    size_t off = 0;
    for (unsigned r = 0; r < n && off < plen; r++) {
        uint8_t cur[16], val[16];
        int sz = s->ops->read_reg(s->t, s->g_cpu, (int)r, cur);
        if (sz <= 0 || sz > 16 || off + (size_t)sz * 2 > plen)
            break;
        if (hex_decode(p + off, (size_t)sz * 2, val, sizeof(val)) != sz) {
            reply_error(s, 0x16);
            return;
        }
        s->ops->write_reg(s->t, s->g_cpu, (int)r, val, sz);
        off += (size_t)sz * 2;
    }
    send_packet(s, "OK");
}

static void cmd_read_reg(gdb_session *s, const char *p)
{
    uint64_t reg;
    uint8_t buf[16];
    char out[40];
    int sz;
    if (!hex_num(&p, &reg) || *p || reg > 0xffff || (sz = s->ops->read_reg(s->t, s->g_cpu, (int)reg, buf)) <= 0 ||
        sz > 16) {
        reply_error(s, 0x14);
        return;
    }
    hex_encode(out, buf, (size_t)sz);
    send_packet(s, out);
}

static void cmd_write_reg(gdb_session *s, const char *p, size_t plen)
{
    const char *end = p + plen;
    uint64_t reg;
    uint8_t buf[16];
    if (!hex_num(&p, &reg) || *p != '=' || reg > 0xffff) {
        reply_error(s, 0x14);
        return;
    }
    p++;
    long n = hex_decode(p, (size_t)(end - p), buf, sizeof(buf));
    if (n <= 0 || !s->ops->write_reg(s->t, s->g_cpu, (int)reg, buf, (int)n)) {
        reply_error(s, 0x14);
        return;
    }
    send_packet(s, "OK");
}

/* "addr,len" */
static bool addr_len(const char **p, uint64_t *addr, uint64_t *len)
{
    if (!hex_num(p, addr) || **p != ',')
        return false;
    (*p)++;
    return hex_num(p, len);
}

static void cmd_read_mem(gdb_session *s, const char *p)
{
    uint64_t addr, len;
    if (!addr_len(&p, &addr, &len) || *p) {
        reply_error(s, 0x16);
        return;
    }
    if (len > MEM_MAX)
        len = MEM_MAX;
    uint8_t *buf = malloc(len ? len : 1);
    char *out = malloc(len * 2 + 1);
    if (!buf || !out || !s->ops->read_mem(s->t, s->g_cpu, s->phys, addr, buf, (size_t)len)) {
        reply_error(s, 0x14);
    } else {
        hex_encode(out, buf, (size_t)len);
        send_packet(s, out);
    }
    free(buf);
    free(out);
}

static void cmd_write_mem(gdb_session *s, const char *p, size_t plen, bool binary)
{
    const char *end = p + plen;
    uint64_t addr, len;
    if (!addr_len(&p, &addr, &len) || *p != ':' || len > MEM_MAX) {
        reply_error(s, 0x16);
        return;
    }
    p++;
    uint8_t *buf = malloc(len ? len : 1);
    if (!buf)
        return;
    bool ok;
    if (binary) {
        ok = (uint64_t)(end - p) == len;
        if (ok)
            memcpy(buf, p, (size_t)len);
    } else {
        ok = hex_decode(p, (size_t)(end - p), buf, (size_t)len) == (long)len;
    }
    if (!ok)
        reply_error(s, 0x16);
    else if (len && !s->ops->write_mem(s->t, s->g_cpu, s->phys, addr, buf, (size_t)len))
        reply_error(s, 0x14);
    else
        send_packet(s, "OK");
    free(buf);
}

static void cmd_breakpoint(gdb_session *s, const char *p, bool insert)
{
    uint64_t type, addr, kind;
    if (!hex_num(&p, &type) || *p != ',') {
        reply_error(s, 0x16);
        return;
    }
    p++;
    if (!addr_len(&p, &addr, &kind) || type > 4) {
        /* conditions (";X...") and unknown types: not supported */
        send_packet(s, type > 4 ? "" : "E16");
        return;
    }
    bool unsupported = false;
    bool ok = insert ? s->ops->insert(s->t, (int)type, addr, kind, &unsupported)
                     : s->ops->remove(s->t, (int)type, addr, kind);
    if (unsupported)
        send_packet(s, "");
    else
        send_packet(s, ok ? "OK" : "E22");
}

static void resume(gdb_session *s, const uint8_t *action)
{
    if (!s->ops->resume(s->t, action, s->ops->ncpus(s->t))) {
        reply_error(s, 0x16);
        return;
    }
    s->running = true;
}

/* c and s: everything runs; s steps gdb's current thread. */
static void resume_all(gdb_session *s, bool step)
{
    uint8_t action[GDB_MAX_CPUS];
    unsigned n = s->ops->ncpus(s->t);
    for (unsigned i = 0; i < GDB_MAX_CPUS; i++)
        action[i] = i < n ? GDB_RESUME_CONT : GDB_RESUME_NONE;
    if (step && s->c_cpu < GDB_MAX_CPUS)
        action[s->c_cpu] = GDB_RESUME_STEP;
    resume(s, action);
}

/* vCont;ACTION[:THREAD];... : the first action that names a thread wins for it; one
 * without a thread applies to every thread not named before it; a thread no action
 * applies to stays stopped. */
static void cmd_vcont(gdb_session *s, const char *p)
{
    unsigned n = s->ops->ncpus(s->t);
    if (n > GDB_MAX_CPUS)
        n = GDB_MAX_CPUS;
    uint8_t action[GDB_MAX_CPUS] = { 0 };
    bool any = false;
    while (*p == ';') {
        p++;
        char act = *p;
        if (act != 'c' && act != 'C' && act != 's' && act != 'S' && act != 't') {
            reply_error(s, 0x16);
            return;
        }
        p++;
        if (act == 'C' || act == 'S') {
            uint64_t sig;
            if (!hex_num(&p, &sig)) {
                reply_error(s, 0x16);
                return;
            }
        }
        long tid = -1;
        if (*p == ':') {
            p++;
            if (!thread_id(&p, &tid)) {
                reply_error(s, 0x16);
                return;
            }
        }
        any = true;
        uint8_t a = act == 's' || act == 'S' ? GDB_RESUME_STEP : act == 't' ? GDB_RESUME_NONE : GDB_RESUME_CONT;
        if (tid == -1 || tid == 0) {
            for (unsigned i = 0; i < n; i++)
                if (!action[i])
                    action[i] = a;
            continue;
        }
        unsigned cpu;
        if (!valid_cpu(s, tid, &cpu)) {
            reply_error(s, 0x16);
            return;
        }
        if (!action[cpu])
            action[cpu] = a;
    }
    if (*p || !any) {
        reply_error(s, 0x16);
        return;
    }
    for (unsigned i = 0; i < n; i++)
        if (action[i] == GDB_RESUME_STEP)
            s->c_cpu = i;
    resume(s, action);
}

static void send_console(gdb_session *s, const char *text)
{
    /* "O" packets carry hex text for gdb's console; keep each well under PacketSize */
    size_t len = strlen(text);
    for (size_t off = 0; off < len; off += 1024) {
        size_t n = len - off < 1024 ? len - off : 1024;
        char *pkt = malloc(n * 2 + 2);
        if (!pkt)
            return;
        pkt[0] = 'O';
        hex_encode(pkt + 1, (const uint8_t *)text + off, n);
        send_packet(s, pkt);
        free(pkt);
    }
}

static void cmd_monitor(gdb_session *s, const char *hex)
{
    size_t hl = strlen(hex);
    char *cmd = malloc(hl / 2 + 1);
    if (!cmd)
        return;
    long n = hex_decode(hex, hl, (uint8_t *)cmd, hl / 2);
    if (n < 0) {
        free(cmd);
        reply_error(s, 0x16);
        return;
    }
    cmd[n] = 0;
    if (memchr(cmd, 0, (size_t)n)) {
        free(cmd);
        reply_error(s, 0x16);
        return;
    }
    char *out = s->ops->monitor(s->t, cmd, s->g_cpu);
    if (out && *out)
        send_console(s, out);
    free(out);
    free(cmd);
    send_packet(s, "OK");
}

/* qXfer:features:read:ANNEX:OFFSET,LENGTH */
static void cmd_xfer_features(gdb_session *s, const char *p)
{
    const char *colon = strchr(p, ':');
    if (!colon || colon - p > 64) {
        reply_error(s, 0x16);
        return;
    }
    char annex[65];
    memcpy(annex, p, (size_t)(colon - p));
    annex[colon - p] = 0;
    p = colon + 1;
    uint64_t off, len;
    if (!addr_len(&p, &off, &len) || *p) {
        reply_error(s, 0x16);
        return;
    }
    const char *xml = s->ops->xml(s->t, annex);
    if (!xml) {
        reply_error(s, 0x00);
        return;
    }
    size_t total = strlen(xml);
    if (len > GDB_PACKET_MAX / 2)
        len = GDB_PACKET_MAX / 2;
    if (off >= total) {
        send_packet(s, "l");
        return;
    }
    size_t n = total - off < len ? total - (size_t)off : (size_t)len;
    char *pkt = malloc(n + 1);
    if (!pkt)
        return;
    pkt[0] = off + n < total ? 'm' : 'l';
    memcpy(pkt + 1, xml + off, n);
    send_packet_bin(s, pkt, n + 1);
    free(pkt);
}

static void cmd_query(gdb_session *s, const char *p)
{
    char buf[256];
    if (!strncmp(p, "qSupported", 10)) {
        snprintf(buf, sizeof(buf), "PacketSize=%x;qXfer:features:read+;QStartNoAckMode+;vContSupported+",
                 GDB_PACKET_MAX);
        send_packet(s, buf);
    } else if (!strncmp(p, "qXfer:features:read:", 20)) {
        cmd_xfer_features(s, p + 20);
    } else if (!strcmp(p, "qfThreadInfo")) {
        unsigned n = s->ops->ncpus(s->t);
        char *out = malloc((size_t)n * 10 + 2);
        if (!out)
            return;
        size_t len = 0;
        out[len++] = 'm';
        for (unsigned i = 0; i < n; i++)
            len += (size_t)sprintf(out + len, "%s%x", i ? "," : "", i + 1);
        out[len] = 0;
        send_packet(s, out);
        free(out);
    } else if (!strcmp(p, "qsThreadInfo")) {
        send_packet(s, "l");
    } else if (!strcmp(p, "qC")) {
        snprintf(buf, sizeof(buf), "QC%x", s->g_cpu + 1);
        send_packet(s, buf);
    } else if (!strcmp(p, "qAttached") || !strncmp(p, "qAttached:", 10)) {
        send_packet(s, "1");
    } else if (!strncmp(p, "qThreadExtraInfo,", 17)) {
        const char *q = p + 17;
        long tid;
        unsigned cpu;
        if (!thread_id(&q, &tid) || *q || !valid_cpu(s, tid, &cpu)) {
            reply_error(s, 0x16);
            return;
        }
        char text[64];
        snprintf(text, sizeof(text), "CPU#%u [%s]", cpu, s->running ? "running" : "halted");
        hex_encode(buf, (const uint8_t *)text, strlen(text));
        send_packet(s, buf);
    } else if (!strncmp(p, "qRcmd,", 6)) {
        cmd_monitor(s, p + 6);
    } else if (!strcmp(p, "qqemu.PhyMemMode")) {
        send_packet(s, s->phys ? "1" : "0");
    } else if (!strncmp(p, "qSymbol", 7)) {
        send_packet(s, "OK");
    } else {
        send_packet(s, "");
    }
}

static void handle_packet(gdb_session *s, const char *p, size_t len)
{
    char buf[64];
    switch (p[0]) {
    case '?':
        send_packet(s, s->last_stop);
        return;
    case 'q':
        cmd_query(s, p);
        return;
    case 'Q':
        if (!strcmp(p, "QStartNoAckMode")) {
            send_packet(s, "OK");
            s->no_ack = true;
        } else if (!strcmp(p, "Qqemu.PhyMemMode:1") || !strcmp(p, "Qqemu.PhyMemMode:0")) {
            s->phys = p[17] == '1';
            send_packet(s, "OK");
        } else {
            send_packet(s, "");
        }
        return;
    case 'H': {
        const char *q = p + 2;
        long tid;
        unsigned cpu;
        if ((p[1] != 'g' && p[1] != 'c') || !thread_id(&q, &tid) || *q || !valid_cpu(s, tid, &cpu)) {
            reply_error(s, 0x16);
            return;
        }
        if (tid > 0) {
            if (p[1] == 'g')
                s->g_cpu = cpu;
            else
                s->c_cpu = cpu;
        }
        send_packet(s, "OK");
        return;
    }
    case 'T': {
        const char *q = p + 1;
        long tid;
        unsigned cpu;
        send_packet(s, thread_id(&q, &tid) && !*q && valid_cpu(s, tid, &cpu) ? "OK" : "E22");
        return;
    }
    case 'g':
        cmd_read_regs(s);
        return;
    case 'G':
        cmd_write_regs(s, p + 1, len - 1);
        return;
    case 'p':
        cmd_read_reg(s, p + 1);
        return;
    case 'P':
        cmd_write_reg(s, p + 1, len - 1);
        return;
    case 'm':
        cmd_read_mem(s, p + 1);
        return;
    case 'M':
        cmd_write_mem(s, p + 1, len - 1, false);
        return;
    case 'X':
        cmd_write_mem(s, p + 1, len - 1, true);
        return;
    case 'Z':
    case 'z':
        cmd_breakpoint(s, p + 1, p[0] == 'Z');
        return;
    case 'c':
    case 'C':
        /* an address to resume at is not supported (gdb never sends one itself) */
        resume_all(s, false);
        return;
    case 's':
    case 'S':
        resume_all(s, true);
        return;
    case 'v':
        if (!strcmp(p, "vCont?")) {
            send_packet(s, "vCont;c;C;s;S");
        } else if (!strncmp(p, "vCont;", 5) && p[5] == ';') {
            cmd_vcont(s, p + 5);
        } else if (!strncmp(p, "vKill", 5)) {
            send_packet(s, "OK");
            s->ops->kill(s->t);
        } else {
            send_packet(s, "");
        }
        return;
    case 'D':
        send_packet(s, "OK");
        s->ops->detach(s->t);
        return;
    case 'k':
        s->ops->kill(s->t);
        return;
    default:
        (void)buf;
        send_packet(s, "");
        return;
    }
}

void gdb_session_input(gdb_session *s, const uint8_t *buf, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        switch (gdb_rx_byte(&s->rx, buf[i])) {
        case GDB_RX_PACKET:
            if (!s->no_ack)
                s->ops->send(s->t, "+", 1);
            if (s->running && s->rx.len) {
                /* in all-stop mode gdb only interrupts a running machine; anything
                 * else cannot be answered until it stops */
                reply_error(s, 0x10);
                break;
            }
            if (s->rx.len)
                handle_packet(s, s->rx.buf, s->rx.len);
            else
                send_packet(s, "");
            break;
        case GDB_RX_BAD:
            if (!s->no_ack)
                s->ops->send(s->t, "-", 1);
            break;
        case GDB_RX_INTERRUPT:
            if (s->running)
                s->ops->interrupt(s->t);
            break;
        case GDB_RX_NAK:
            if (s->out && !s->no_ack)
                s->ops->send(s->t, s->out, s->out_len);
            break;
        default:
            break;
        }
    }
}

gdb_session *gdb_session_new(const gdb_target_ops *ops, void *target)
{
    gdb_session *s = calloc(1, sizeof(*s));
    if (!s)
        return NULL;
    s->ops = ops;
    s->t = target;
    gdb_session_reset(s, false);
    return s;
}

void gdb_session_reset(gdb_session *s, bool running)
{
    gdb_rx_init(&s->rx);
    s->no_ack = false;
    s->running = running;
    s->phys = false;
    s->g_cpu = s->c_cpu = 0;
    snprintf(s->last_stop, sizeof(s->last_stop), "T05thread:01;");
    free(s->out);
    s->out = NULL;
    s->out_len = 0;
}

void gdb_session_free(gdb_session *s)
{
    if (!s)
        return;
    free(s->out);
    free(s);
}
