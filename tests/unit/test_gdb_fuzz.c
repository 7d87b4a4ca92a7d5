/*
 * The gdb protocol engine (debug/gdb_proto.c) against hostile input: 10^6 cases of
 * random bytes and of mutated gdb packets (bit flips, cuts, splices, bad checksums,
 * escapes, huge numbers), fed to a session over a make-believe target. Nothing may
 * crash or leak (the sanitizer build checks), every reply must be a well-formed packet
 * with a good checksum, and a clean "?" after any garbage must still be answered.
 * Usage: test_gdb_fuzz [cases [seed]]
 */
#include "debug/gdb_proto.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int failures;
#define CHECK(cond, ...) do { if (!(cond)) { printf("FAIL %s:%d: ", __FILE__, __LINE__); \
    printf(__VA_ARGS__); printf("\n"); failures++; } } while (0)

/* ---- a make-believe target: 3 CPUs, 64 KiB of memory at 0x1000, registers ---- */

#define MEM_BASE 0x1000u
#define MEM_SIZE 0x10000u
static uint8_t mem[MEM_SIZE];
static uint64_t regs[3][40];
static int resumed, stops_owed;
static gdb_session *sess;

/* what the session sent, checked packet by packet */
static gdb_rx out_rx;
static long out_packets, out_bad;
static bool saw_stop_reply;

static unsigned t_ncpus(void *t) { return 3; }
static const char *t_xml(void *t, const char *annex)
{
    return strcmp(annex, "target.xml") ? NULL : "<?xml version=\"1.0\"?><target><architecture>riscv:rv64</architecture></target>";
}
static unsigned t_g_regs(void *t) { return 33; }
static int t_read_reg(void *t, unsigned cpu, int reg, uint8_t *buf)
{
    if (cpu >= 3 || reg < 0 || reg >= 40)
        return 0;
    memcpy(buf, &regs[cpu][reg], 8);
    return 8;
}
static bool t_write_reg(void *t, unsigned cpu, int reg, const uint8_t *buf, int len)
{
    if (cpu >= 3 || reg < 0 || reg >= 40 || len < 1 || len > 16)
        return false;
    uint64_t v = 0;
    memcpy(&v, buf, len > 8 ? 8 : (size_t)len);
    regs[cpu][reg] = v;
    return true;
}
static bool in_mem(uint64_t addr, size_t len)
{
    return addr >= MEM_BASE && addr - MEM_BASE <= MEM_SIZE && len <= MEM_SIZE - (addr - MEM_BASE);
}
static bool t_read_mem(void *t, unsigned cpu, bool phys, uint64_t addr, uint8_t *buf, size_t len)
{
    if (cpu >= 3 || !in_mem(addr, len))
        return false;
    memcpy(buf, mem + (addr - MEM_BASE), len);
    return true;
}
static bool t_write_mem(void *t, unsigned cpu, bool phys, uint64_t addr, const uint8_t *buf, size_t len)
{
    if (cpu >= 3 || !in_mem(addr, len))
        return false;
    memcpy(mem + (addr - MEM_BASE), buf, len);
    return true;
}
static int nbp;
static bool t_insert(void *t, int type, uint64_t addr, uint64_t kind, bool *unsupported)
{
    if (type > 4) {
        *unsupported = true;
        return false;
    }
    if (nbp >= 16)
        return false;
    nbp++;
    return true;
}
static bool t_remove(void *t, int type, uint64_t addr, uint64_t kind)
{
    if (!nbp)
        return false;
    nbp--;
    return true;
}
static void t_remove_all(void *t) { nbp = 0; }
static bool t_resume(void *t, const uint8_t *action, unsigned n)
{
    bool some = false;
    for (unsigned i = 0; i < n; i++) {
        if (action[i] > GDB_RESUME_STEP)
            return false;
        some |= action[i] != GDB_RESUME_NONE;
    }
    if (!some || n != 3)
        return false;
    resumed++;
    stops_owed++;
    return true;
}
static void t_interrupt(void *t) { gdb_session_stopped(sess, GDB_CURRENT_CPU, GDB_STOP_SIGNAL, 2, 0); }
static char *t_monitor(void *t, const char *cmd, unsigned cpu)
{
    char *r = malloc(strlen(cmd) + 16);
    if (r)
        sprintf(r, "ran '%s'\n", cmd);
    return r;
}
static void t_detach(void *t) { nbp = 0; }
static void t_kill(void *t) { }
static void t_send(void *t, const char *data, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        gdb_rx_result r = gdb_rx_byte(&out_rx, (uint8_t)data[i]);
        if (r == GDB_RX_PACKET) {
            out_packets++;
            if (out_rx.buf[0] == 'T' || out_rx.buf[0] == 'W')
                saw_stop_reply = true;
        } else if (r == GDB_RX_BAD) {
            out_bad++;
        }
    }
}

static const gdb_target_ops ops = {
    .ncpus = t_ncpus, .xml = t_xml, .g_regs = t_g_regs, .read_reg = t_read_reg,
    .write_reg = t_write_reg, .read_mem = t_read_mem, .write_mem = t_write_mem,
    .insert = t_insert, .remove = t_remove, .remove_all = t_remove_all, .resume = t_resume,
    .interrupt = t_interrupt, .monitor = t_monitor, .detach = t_detach, .kill = t_kill,
    .send = t_send,
};

/* ---- input ---- */

static uint64_t rng;
static uint32_t rnd(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (uint32_t)(rng >> 16);
}

static const char *const corpus[] = {
    "?", "qSupported:multiprocess+;swbreak+;hwbreak+;qRelocInsn+;fork-events+;vfork-events+;exec-events+;vContSupported+",
    "QStartNoAckMode", "qXfer:features:read:target.xml:0,ffb", "qXfer:features:read:target.xml:40,20",
    "qXfer:features:read:nosuch.xml:0,100", "qfThreadInfo", "qsThreadInfo", "qC", "qAttached",
    "qThreadExtraInfo,2", "qThreadExtraInfo,p1.3", "Hg2", "Hc-1", "Hg0", "Hgp1.2", "T3", "T9", "g",
    "G0011223344556677", "p20", "p1000", "P5=0102030405060708", "P20=ff", "m1000,40", "m1ff0,40",
    "mffffffffffffffff,10", "M1000,4:deadbeef", "M1000,8:00", "X1000,3:ab}]c", "X1000,0:",
    "Z0,1000,4", "z0,1000,4", "Z2,2000,8", "z2,2000,8", "Z4,3000,1", "Z9,0,0", "Z1,1000,2;X1,0",
    "c", "s", "C05", "vCont?", "vCont;c", "vCont;s:1;c", "vCont;s:2", "vCont;s:1;s:2", "vCont;c:p1.-1",
    "vCont;S05:3;c", "vCont;t", "vCont;x", "vMustReplyEmpty", "qRcmd,696e666f20726567697374657273",
    "qRcmd,6", "Qqemu.PhyMemMode:1", "qqemu.PhyMemMode", "Qqemu.PhyMemMode:0", "D", "k", "vKill;1",
    "qSymbol::", "qOffsets", "QNonStop:1", "bc", "!", "i", "",
};

static size_t make_packet(const char *payload, size_t plen, char *out, bool good_sum)
{
    size_t n = 0;
    uint8_t sum = 0;
    out[n++] = '$';
    for (size_t i = 0; i < plen; i++) {
        out[n++] = payload[i];
        sum += (uint8_t)payload[i];
    }
    if (!good_sum)
        sum ^= (uint8_t)(1 + rnd() % 255);
    n += (size_t)sprintf(out + n, "#%02x", sum);
    return n;
}

static size_t mutate(char *buf, size_t len, size_t cap)
{
    int rounds = 1 + (int)(rnd() % 4);
    for (int r = 0; r < rounds; r++) {
        switch (rnd() % 7) {
        case 0:
            if (len)
                buf[rnd() % len] ^= (char)(1u << (rnd() % 8));
            break;
        case 1:
            if (len)
                buf[rnd() % len] = (char)rnd();
            break;
        case 2:
            if (len)
                len = rnd() % len;
            break;
        case 3: {                          /* insert digits: numbers that overflow */
            size_t at = len ? rnd() % len : 0, k = 1 + rnd() % 24;
            if (len + k < cap) {
                memmove(buf + at + k, buf + at, len - at);
                for (size_t i = 0; i < k; i++)
                    buf[at + i] = "0123456789abcdefF,:;-p."[rnd() % 23];
                len += k;
            }
            break;
        }
        case 4: {                          /* splice another corpus entry in */
            const char *o = corpus[rnd() % (sizeof(corpus) / sizeof(corpus[0]))];
            size_t ol = strlen(o), at = len ? rnd() % len : 0;
            if (len + ol < cap) {
                memmove(buf + at + ol, buf + at, len - at);
                memcpy(buf + at, o, ol);
                len += ol;
            }
            break;
        }
        case 5:
            if (len)
                buf[rnd() % len] = "}$#*\x03"[rnd() % 5];
            break;
        case 6: {                          /* a long run */
            size_t k = rnd() % 3000;
            if (len + k < cap) {
                memset(buf + len, "0f,a"[rnd() % 4], k);
                len += k;
            }
            break;
        }
        }
    }
    return len;
}

int main(int argc, char **argv)
{
    long cases = argc > 1 ? atol(argv[1]) : 1000000;
    rng = argc > 2 ? strtoull(argv[2], NULL, 0) : 0x9e3779b97f4a7c15ull;
    if (!rng)
        rng = 1;
    for (unsigned i = 0; i < MEM_SIZE; i++)
        mem[i] = (uint8_t)(i * 31);
    sess = gdb_session_new(&ops, NULL);
    gdb_rx_init(&out_rx);
    static char payload[8192], pkt[20000];
    long checked = 0;
    for (long c = 0; c < cases; c++) {
        size_t n;
        unsigned kind = rnd() % 10;
        if (kind < 2) {
            /* raw random bytes */
            n = rnd() % 512;
            for (size_t i = 0; i < n; i++)
                pkt[i] = (char)rnd();
        } else {
            const char *base = corpus[rnd() % (sizeof(corpus) / sizeof(corpus[0]))];
            size_t pl = strlen(base);
            memcpy(payload, base, pl);
            if (kind < 8)
                pl = mutate(payload, pl, sizeof(payload) - 1);
            n = make_packet(payload, pl, pkt, rnd() % 16 != 0);
            if (kind == 9 && n > 2)
                n = rnd() % n;             /* cut short */
        }
        /* fed in random chunk sizes */
        for (size_t off = 0; off < n;) {
            size_t k = 1 + rnd() % 64;
            if (k > n - off)
                k = n - off;
            gdb_session_input(sess, (const uint8_t *)pkt + off, k);
            off += k;
        }
        /* a running target owes a stop: give it, sometimes as a watchpoint */
        if (gdb_session_running(sess) && rnd() % 2)
            gdb_session_stopped(sess, rnd() % 3, (int)(rnd() % 4), 5, rnd());
        /* every so often: after the garbage, a clean "?" is still answered */
        if (c % 1000 == 999) {
            if (gdb_session_running(sess))
                gdb_session_stopped(sess, 0, GDB_STOP_SIGNAL, 5, 0);
            long before = out_packets;
            saw_stop_reply = false;
            char end[8];
            size_t en = make_packet("?", 1, end, true);
            gdb_session_input(sess, (const uint8_t *)"#00", 3);   /* close any half packet */
            gdb_session_input(sess, (const uint8_t *)end, en);
            CHECK(out_packets > before && saw_stop_reply, "case %ld: '?' after garbage got no stop reply", c);
            checked++;
        }
    }
    CHECK(out_bad == 0, "%ld replies had a bad checksum", out_bad);
    gdb_session_free(sess);
    printf("gdb protocol fuzz: %ld cases, %ld replies (all well-formed), %ld resumes, %ld recovery checks\n",
           cases, out_packets, (long)resumed, checked);
    return failures ? 1 : 0;
}
