/*
 * The human monitor (see monitor.h): the command table, the commands, and the readline
 * monitor on a chardev. Commands and their output follow QEMU's HMP so that scripts
 * written against QEMU's monitor (and QEMU's "(qemu) " prompt) keep working.
 */
#include "debug/monitor.h"
#include "accel/accel.h"
#include "accel/cpus.h"
#include "core/log.h"
#include "core/memory.h"
#include "hw/pci/pci.h"
#include "net/net.h"
#include "core/snapshot.h"
#include "core/snapshot_cmd.h"
#include "net/slirp.h"
#include "core/version.h"
#include "ui/console.h"
#include "ui/input.h"
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

bool (*hmp_gdbserver_hook)(machine *m, const char *dev, char *err, size_t errsize);

void mon_printf(mon_out *o, const char *fmt, ...)
{
    char *s = NULL;
    va_list ap;
    va_start(ap, fmt);
    int n = vasprintf(&s, fmt, ap);
    va_end(ap);
    if (n >= 0)
        o->write(o->opaque, s);
    free(s);
}

/* ---- commands ---- */

typedef void hmp_fn(machine *m, mon_out *o, const char *args);

typedef struct hmp_cmd {
    const char *name;           /* "info registers" and the like are sub-commands of info */
    const char *alias;
    const char *params;
    const char *help;
    hmp_fn *fn;
} hmp_cmd;

static const hmp_cmd *find_cmd(const hmp_cmd *table, const char *name, size_t len);
static const hmp_cmd commands[];
static const hmp_cmd info_commands[];

static void print_table(mon_out *o, const hmp_cmd *t, const char *prefix)
{
    for (; t->name; t++) {
        char head[64];
        snprintf(head, sizeof(head), "%s%s%s%s", prefix, t->name, *t->params ? " " : "", t->params);
        mon_printf(o, "%-28s -- %s\n", head, t->help);
    }
}

static void cmd_help(machine *m, mon_out *o, const char *args)
{
    (void)m;
    if (*args) {
        const hmp_cmd *c = find_cmd(commands, args, strcspn(args, " "));
        if (!c) {
            mon_printf(o, "unknown command: '%s'\n", args);
            return;
        }
        if (!strcmp(c->name, "info")) {
            print_table(o, info_commands, "info ");
            return;
        }
        mon_printf(o, "%s %s -- %s\n", c->name, c->params, c->help);
        return;
    }
    print_table(o, commands, "");
}

static void cmd_stop(machine *m, mon_out *o, const char *args)
{
    vm_stop(m, RUN_STATE_PAUSED);
}

static void cmd_cont(machine *m, mon_out *o, const char *args)
{
    if (vm_state() == RUN_STATE_SHUTDOWN || vm_state() == RUN_STATE_INTERNAL_ERROR) {
        mon_printf(o, "Resetting the Virtual Machine is required\n");
        return;
    }
    vm_start(m);
}

static void cmd_system_reset(machine *m, mon_out *o, const char *args)
{
    vm_request_reset(false, "host-qmp-system-reset");
}

static void cmd_system_powerdown(machine *m, mon_out *o, const char *args)
{
    vm_request_powerdown(m);
}

static void cmd_quit(machine *m, mon_out *o, const char *args)
{
    vm_request_shutdown(0, false, "host-qmp-quit");
}

/* screendump FILE [-f ppm|png] [DEVICE [HEAD]], the flag anywhere, as QEMU takes it */
static void cmd_screendump(machine *m, mon_out *o, const char *args)
{
    char *copy = strdup(args), *save = NULL, *words[4];
    const char *format = NULL;
    int n = 0;
    if (!copy) {
        mon_printf(o, "out of memory\n");
        return;
    }
    for (char *t = strtok_r(copy, " \t", &save); t; t = strtok_r(NULL, " \t", &save)) {
        if (!strcmp(t, "-f")) {
            format = strtok_r(NULL, " \t", &save);
            if (!format) {
                mon_printf(o, "screendump: -f needs a format (ppm, png)\n");
                free(copy);
                return;
            }
        } else if (n < 4) {
            words[n++] = t;
        }
    }
    char err[512];
    int index = -1;
    if (n < 1 || n > 3) {
        mon_printf(o, "usage: screendump FILENAME [-f ppm|png] [DEVICE [HEAD]]\n");
    } else if (n >= 2 && (index = console_find(words[1])) < 0) {
        mon_printf(o, "Device '%s' not found\n", words[1]);
    } else if (n == 3 && strcmp(words[2], "0")) {
        mon_printf(o, "Head '%s' not found\n", words[2]);
    } else if (!console_screendump(index, words[0], format, err, sizeof(err))) {
        mon_printf(o, "%s\n", err);
    }
    free(copy);
}

/* sendkey KEYS [HOLD_MS]: KEYS as QEMU spells them, "ctrl-alt-f1", names or 0x numbers */
static void cmd_sendkey(machine *m, mon_out *o, const char *args)
{
    char keys[256];
    unsigned long hold = 100;
    const char *sp = strpbrk(args, " \t");
    size_t n = sp ? (size_t)(sp - args) : strlen(args);
    if (!n || n >= sizeof(keys)) {
        mon_printf(o, "usage: sendkey keys [hold_ms]\n");
        return;
    }
    memcpy(keys, args, n);
    keys[n] = 0;
    if (sp) {
        char *end;
        while (*sp == ' ' || *sp == '\t')
            sp++;
        hold = strtoul(sp, &end, 0);
        if (*sp && (*end || end == sp)) {
            mon_printf(o, "invalid hold time '%s'\n", sp);
            return;
        }
        if (!*sp)
            hold = 100;
    }
    uint16_t codes[16];
    unsigned nc = 0;
    char *save = NULL;
    for (char *k = strtok_r(keys, "-", &save); k; k = strtok_r(NULL, "-", &save)) {
        int code = !strncmp(k, "0x", 2) ? input_number_to_key((int)strtol(k, NULL, 16)) : input_qcode_to_key(k);
        if (code < 0) {
            mon_printf(o, "invalid parameter: %s\n", k);
            return;
        }
        if (nc == 16) {
            mon_printf(o, "too many keys\n");
            return;
        }
        codes[nc++] = (uint16_t)code;
    }
    input_send_keys(codes, nc, (unsigned)hold);
}

static void cmd_cpu(machine *m, mon_out *o, const char *args)
{
    char *end;
    unsigned long n = strtoul(args, &end, 0);
    if (!*args || *end || n >= m->ncpus) {
        mon_printf(o, "invalid CPU index\n");
        return;
    }
    o->cpu = (unsigned)n;
}

static void cmd_gdbserver(machine *m, mon_out *o, const char *args)
{
    const char *dev = *args ? args : "tcp::1234";
    char err[256];
    if (!hmp_gdbserver_hook) {
        mon_printf(o, "gdbserver is not available\n");
    } else if (!hmp_gdbserver_hook(m, dev, err, sizeof(err))) {
        mon_printf(o, "%s\n", err);
    } else if (!strcmp(dev, "none")) {
        mon_printf(o, "Disabled gdbserver\n");
    } else {
        mon_printf(o, "Waiting for gdb connection on device '%s'\n", dev);
    }
}

/* ---- info ---- */

static void info_status(machine *m, mon_out *o, const char *args)
{
    run_state s = vm_state();
    if (s == RUN_STATE_RUNNING)
        mon_printf(o, "VM status: running\n");
    else if (s == RUN_STATE_PAUSED)
        mon_printf(o, "VM status: paused\n");
    else
        mon_printf(o, "VM status: paused (%s)\n", run_state_name(s));
}

/* Read, with the machine stopped for the length of the command if it was running. */
static bool stop_for(machine *m)
{
    if (!vm_running())
        return false;
    vm_stop(m, RUN_STATE_PAUSED);
    return true;
}

static void resume_after(machine *m, bool stopped)
{
    if (stopped)
        vm_start(m);
}

static void dump_cpu(machine *m, mon_out *o, unsigned i)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    if (!f)
        return;
    m->cpu->dump(m, i, f);
    fclose(f);
    o->write(o->opaque, buf);
    free(buf);
}

static void info_registers(machine *m, mon_out *o, const char *args)
{
    if (!m->cpu || !m->ncpus || !m->vcpus[0]) {
        mon_printf(o, "no CPUs\n");
        return;
    }
    /* quietly: a register dump must not show up as STOP/RESUME events */
    bool all = !strcmp(args, "-a");
    bool was = vm_running();
    if (was)
        vm_stop(m, RUN_STATE_PAUSED);
    for (unsigned i = 0; i < m->ncpus; i++) {
        if (!all && i != o->cpu)
            continue;
        if (all)
            mon_printf(o, "\n%s %u\n", m->cpu->cpu_word, i);
        dump_cpu(m, o, i);
    }
    resume_after(m, was);
}

static void info_cpus(machine *m, mon_out *o, const char *args)
{
    bool stopped = m->cpu && m->cpu->pc ? stop_for(m) : false;
    for (unsigned i = 0; i < m->ncpus; i++) {
        int tid = m->vcpus[i] && m->accel->thread_id ? m->accel->thread_id(m->vcpus[i]) : 0;
        mon_printf(o, "%c CPU #%u:", i == o->cpu ? '*' : ' ', i);
        if (m->cpu && m->cpu->pc && m->vcpus[i])
            mon_printf(o, " pc=0x%016llx", (unsigned long long)m->cpu->pc(m, i));
        mon_printf(o, " thread_id=%d\n", tid);
    }
    resume_after(m, stopped);
}

static void info_version(machine *m, mon_out *o, const char *args)
{
    mon_printf(o, "%s (tern %s)\n", TERN_QEMU_COMPAT_VERSION, TERN_VERSION);
}

static void info_name(machine *m, mon_out *o, const char *args)
{
    if (m->name)
        mon_printf(o, "%s\n", m->name);
}

static void info_devices(machine *m, mon_out *o, const char *args)
{
    device_list_print(m->devices, o->write, o->opaque);
}

static void info_pci(machine *m, mon_out *o, const char *args)
{
    if (!m->pci) {
        mon_printf(o, "PCI devices not supported\n");
        return;
    }
    big_lock();
    pci_bus_print(m->pci, o->write, o->opaque);
    big_unlock();
}

static void info_network(machine *m, mon_out *o, const char *args)
{
    big_lock();
    net_info(o->write, o->opaque);
    big_unlock();
}

/* ---- snapshots (core/snapshot_cmd.h) ---- */

static void mon_line(void *opaque, const char *line)
{
    mon_printf(opaque, "%s", line);
}

static void info_snapshots(machine *m, mon_out *o, const char *args)
{
    snapcmd_list(mon_line, o);
}

static void info_migrate(machine *m, mon_out *o, const char *args)
{
    const snapshot_stats *s = snapshot_last_stats();
    if (!s->total_ns) {
        mon_printf(o, "no migration or snapshot yet\n");
        return;
    }
    mon_printf(o, "Migration status: %s\n", s->ok ? "completed" : "failed");
    mon_printf(o, "total time: %llu ms\n", (unsigned long long)(s->total_ns / 1000000));
    mon_printf(o, "RAM: %llu MiB, %llu KiB %s%s\n", (unsigned long long)(s->ram_bytes >> 20),
               (unsigned long long)(s->ram_written >> 10), s->save ? "stored" : "read back",
               s->incremental ? " (pages written since the snapshot)" : "");
    mon_printf(o, "file: %llu KiB\n", (unsigned long long)(s->file_bytes >> 10));
}

/* The commands take one word, the name (QEMU's savevm, loadvm, delvm). */
static bool one_word(mon_out *o, const char *args, const char *cmd, char *word, size_t size)
{
    size_t n = strcspn(args, " \t");
    if (!n || args[n + strspn(args + n, " \t")] || n >= size) {
        mon_printf(o, "%s: give one snapshot name\n", cmd);
        return false;
    }
    memcpy(word, args, n);
    word[n] = 0;
    return true;
}

static void cmd_savevm(machine *m, mon_out *o, const char *args)
{
    char name[256], err[600];
    if (!one_word(o, args, "savevm", name, sizeof(name)))
        return;
    big_lock();
    if (snapcmd_savevm(m, name, err, sizeof(err)) < 0)
        mon_printf(o, "Error: %s\n", err);
    big_unlock();
}

static void cmd_loadvm(machine *m, mon_out *o, const char *args)
{
    char name[256], err[600];
    if (!one_word(o, args, "loadvm", name, sizeof(name)))
        return;
    big_lock();
    if (snapcmd_loadvm(m, name, err, sizeof(err)) < 0)
        mon_printf(o, "Error: %s\n", err);
    big_unlock();
}

static void cmd_delvm(machine *m, mon_out *o, const char *args)
{
    char name[256], err[600];
    if (!one_word(o, args, "delvm", name, sizeof(name)))
        return;
    if (snapcmd_delvm(name, err, sizeof(err)) < 0)
        mon_printf(o, "Error: %s\n", err);
}

static void cmd_migrate(machine *m, mon_out *o, const char *args)
{
    char uri[1024], err[1200];
    /* QEMU's -d (detach) and -b/-i flags: a file migration is done when the command returns */
    while (args[0] == '-' && args[1] && strchr("dbi", args[1]) && (args[2] == ' ' || !args[2])) {
        args += 2;
        while (*args == ' ')
            args++;
    }
    if (!one_word(o, args, "migrate", uri, sizeof(uri)))
        return;
    big_lock();
    if (snapcmd_migrate(m, uri, err, sizeof(err)) < 0)
        mon_printf(o, "Error: %s\n", err);
    big_unlock();
}

static void cmd_migrate_set_parameter(machine *m, mon_out *o, const char *args)
{
    char p[64], v[64];
    if (sscanf(args, "%63s %63s", p, v) != 2 || strcmp(p, "multifd-compression") ||
        (strcmp(v, "zstd") && strcmp(v, "none"))) {
        mon_printf(o, "Error: tern knows 'migrate_set_parameter multifd-compression zstd|none'\n");
        return;
    }
    snapcmd_set_compress(!strcmp(v, "zstd"));
}

/* hostfwd_add [NETDEV] RULE and hostfwd_remove [NETDEV] RULE: with one word, the first
 * user netdev, as QEMU */
static void hostfwd_cmd(mon_out *o, const char *args, bool add)
{
    char first[128], err[256];
    const char *usage = add ? "usage: hostfwd_add [netdev_id] [tcp|udp]:[hostaddr]:hostport-[guestaddr]:guestport\n"
                            : "usage: hostfwd_remove [netdev_id] [tcp|udp]:[hostaddr]:hostport\n";
    size_t n = strcspn(args, " \t");
    const char *rest = args + n;
    while (*rest == ' ' || *rest == '\t')
        rest++;
    if (!n || n >= sizeof(first) || strpbrk(rest, " \t")) {
        mon_printf(o, "%s", usage);
        return;
    }
    memcpy(first, args, n);
    first[n] = 0;
    const char *id = *rest ? first : NULL, *rule = *rest ? rest : first;
    big_lock();
    bool ok = add ? net_slirp_hostfwd_add(id, rule, err, sizeof(err)) : net_slirp_hostfwd_remove(id, rule, err, sizeof(err));
    big_unlock();
    if (!ok)
        mon_printf(o, "%s\n", err);
}

static void cmd_hostfwd_add(machine *m, mon_out *o, const char *args)
{
    hostfwd_cmd(o, args, true);
}

static void cmd_hostfwd_remove(machine *m, mon_out *o, const char *args)
{
    hostfwd_cmd(o, args, false);
}

/* set_link NAME on|off: NAME is a NIC (info network's first column) or a netdev */
static void cmd_set_link(machine *m, mon_out *o, const char *args)
{
    char name[128];
    size_t n = strcspn(args, " \t");
    const char *state = args + n;
    while (*state == ' ' || *state == '\t')
        state++;
    bool up = !strcmp(state, "on");
    if (!n || n >= sizeof(name) || (!up && strcmp(state, "off"))) {
        mon_printf(o, "usage: set_link name on|off\n");
        return;
    }
    memcpy(name, args, n);
    name[n] = 0;
    big_lock();
    bool found = net_set_link(name, up);
    big_unlock();
    if (!found)
        mon_printf(o, "Device '%s' not found\n", name);
}

static void info_chardev(machine *m, mon_out *o, const char *args)
{
    chardev_list(o->write, o->opaque);
}

/* ---- x and xp ---- */

static struct { int count; char format; int size; } last_fmt = { 1, 'x', 4 };

static bool parse_fmt(const char *s, int *count, char *format, int *size)
{
    *count = 1;
    *format = last_fmt.format;
    *size = last_fmt.size;
    if (*s != '/')
        return true;
    s++;
    if (isdigit((unsigned char)*s))
        *count = (int)strtol(s, (char **)&s, 10);
    bool size_given = false;
    for (; *s; s++) {
        switch (*s) {
        case 'x': case 'd': case 'u': case 'o': case 'c': case 'i': case 't': case 'a':
            *format = *s;
            break;
        case 'b': *size = 1; size_given = true; break;
        case 'h': *size = 2; size_given = true; break;
        case 'w': *size = 4; size_given = true; break;
        case 'g': *size = 8; size_given = true; break;
        default:
            return false;
        }
    }
    if (*format == 'c' && !size_given)
        *size = 1;
    if (*format == 'a' && !size_given)
        *size = 8;
    return *count > 0 && *count <= 65536;
}

/* An address: a number, or $pc of the current CPU. */
static bool parse_addr(machine *m, mon_out *o, const char *s, uint64_t *out)
{
    while (*s == ' ')
        s++;
    if (!strcmp(s, "$pc")) {
        if (!m->cpu || !m->cpu->pc || o->cpu >= m->ncpus || !m->vcpus[o->cpu])
            return false;
        *out = m->cpu->pc(m, o->cpu);
        return true;
    }
    errno = 0;
    char *end;
    *out = strtoull(s, &end, 0);
    while (*end == ' ')
        end++;
    return end != s && !*end && !errno;
}

static bool read_mem(machine *m, unsigned cpu, bool phys, uint64_t addr, void *buf, size_t len)
{
    if (!phys)
        return m->cpu && m->cpu->read_virt && m->cpu->read_virt(m, cpu, addr, buf, len);
    for (size_t i = 0; i < len; i++) {
        uint64_t v;
        if (!as_read(&m->as, addr + i, 1, &v))
            return false;
        ((uint8_t *)buf)[i] = (uint8_t)v;
    }
    return true;
}

static void memory_dump(machine *m, mon_out *o, const char *cmd, const char *args, bool phys)
{
    int count, size;
    char format;
    const char *fmt = cmd + (phys ? 2 : 1);
    uint64_t addr;
    if (!parse_fmt(fmt, &count, &format, &size)) {
        mon_printf(o, "invalid format '%s'\n", fmt);
        return;
    }
    if (!parse_addr(m, o, args, &addr)) {
        mon_printf(o, "invalid address '%s'\n", args);
        return;
    }
    last_fmt.format = format;
    last_fmt.size = size;
    bool stopped = stop_for(m);
    if (format == 'i') {
        if (phys || !m->cpu || !m->cpu->disas) {
            mon_printf(o, "cannot disassemble here\n");
        } else {
            char *buf = NULL;
            size_t len = 0;
            FILE *f = open_memstream(&buf, &len);
            if (f) {
                int n = m->cpu->disas(m, o->cpu, addr, count, f);
                if (n < count)
                    fprintf(f, "Cannot access memory\n");
                fclose(f);
                o->write(o->opaque, buf);
                free(buf);
            }
        }
        resume_after(m, stopped);
        return;
    }
    int per_line = size == 8 ? 2 : size == 4 ? 4 : 8;
    for (int i = 0; i < count; i++) {
        if (i % per_line == 0)
            mon_printf(o, "%s%016llx:", i ? "\n" : "", (unsigned long long)addr);
        uint64_t v = 0;
        if (!read_mem(m, o->cpu, phys, addr, &v, (size_t)size)) {
            mon_printf(o, " Cannot access memory");
            break;
        }
        int64_t sv = size == 8 ? (int64_t)v : size == 4 ? (int32_t)v : size == 2 ? (int16_t)v : (int8_t)v;
        switch (format) {
        case 'x': case 'a': mon_printf(o, " 0x%0*llx", size * 2, (unsigned long long)v); break;
        case 'd': mon_printf(o, " %*lld", size * 3, (long long)sv); break;
        case 'u': mon_printf(o, " %*llu", size * 3, (unsigned long long)v); break;
        case 'o': mon_printf(o, " %#*llo", size * 3, (unsigned long long)v); break;
        case 't': {
            char bits[65];
            for (int b = 0; b < size * 8; b++)
                bits[b] = (char)('0' + ((v >> (size * 8 - 1 - b)) & 1));
            bits[size * 8] = 0;
            mon_printf(o, " %s", bits);
            break;
        }
        case 'c':
            if (v >= 32 && v < 127)
                mon_printf(o, " '%c'", (int)v);
            else
                mon_printf(o, " '\\x%02x'", (unsigned)(v & 0xff));
            break;
        }
        addr += (uint64_t)size;
    }
    mon_printf(o, "\n");
    resume_after(m, stopped);
}

/* ---- tables ---- */

static void cmd_info(machine *m, mon_out *o, const char *args);

static const hmp_cmd info_commands[] = {
    { "status", NULL, "", "show the current VM status (running|paused)", info_status },
    { "registers", NULL, "[-a]", "show the CPU registers (-a: of every CPU)", info_registers },
    { "cpus", NULL, "", "show infos for each CPU", info_cpus },
    { "version", NULL, "", "show the version of QEMU this follows, and tern's", info_version },
    { "name", NULL, "", "show the current VM name", info_name },
    { "chardev", NULL, "", "show the character devices", info_chardev },
    { "devices", NULL, "", "show every device's state (tern)", info_devices },
    { "pci", NULL, "", "show PCI info", info_pci },
    { "network", NULL, "", "show the network state", info_network },
    { "snapshots", NULL, "", "show the currently saved VM snapshots", info_snapshots },
    { "migrate", NULL, "", "show migration status", info_migrate },
    { NULL, NULL, NULL, NULL, NULL },
};

static const hmp_cmd commands[] = {
    { "help", "?", "[cmd]", "show the help", cmd_help },
    { "info", "i", "[subcommand]", "show various information about the system state", cmd_info },
    { "stop", "s", "", "stop emulation", cmd_stop },
    { "cont", "c", "", "resume emulation", cmd_cont },
    { "system_reset", NULL, "", "reset the system", cmd_system_reset },
    { "system_powerdown", NULL, "", "send system power down event", cmd_system_powerdown },
    { "quit", "q", "", "quit the emulator", cmd_quit },
    { "sendkey", NULL, "keys [hold_ms]",
      "send keys to the VM (e.g. 'sendkey ctrl-alt-f1', default hold time=100 ms)", cmd_sendkey },
    { "screendump", NULL, "filename [-f format] [device [head]]",
      "save screen from head 'head' of display device 'device' in specified format 'format' as image 'filename'. Currently only 'png' and 'ppm' formats are supported.",
      cmd_screendump },
    { "hostfwd_add", NULL, "[netdev_id] [tcp|udp]:[hostaddr]:hostport-[guestaddr]:guestport",
      "redirect TCP or UDP connections from host to guest (requires -net user)", cmd_hostfwd_add },
    { "hostfwd_remove", NULL, "[netdev_id] [tcp|udp]:[hostaddr]:hostport",
      "remove host-to-guest TCP or UDP redirection", cmd_hostfwd_remove },
    { "set_link", NULL, "name on|off", "change the link status of a network adapter", cmd_set_link },
    { "x", NULL, "/fmt addr", "virtual memory dump starting at 'addr'", NULL },
    { "xp", NULL, "/fmt addr", "physical memory dump starting at 'addr'", NULL },
    { "cpu", NULL, "index", "set the default CPU", cmd_cpu },
    { "savevm", NULL, "tag", "save a VM snapshot (in the -snapshot-dir directory)", cmd_savevm },
    { "loadvm", NULL, "tag", "restore a VM snapshot from its tag", cmd_loadvm },
    { "delvm", NULL, "tag", "delete a VM snapshot from its tag", cmd_delvm },
    { "migrate", NULL, "[-d] file:PATH", "migrate (save the machine) to a file", cmd_migrate },
    { "migrate_set_parameter", NULL, "multifd-compression zstd|none",
      "set a migration parameter", cmd_migrate_set_parameter },
    { "gdbserver", NULL, "[device]", "start gdbserver on given device (default 'tcp::1234'), stop with 'none'", cmd_gdbserver },
    { NULL, NULL, NULL, NULL, NULL },
};

static const hmp_cmd *find_cmd(const hmp_cmd *table, const char *name, size_t len)
{
    for (const hmp_cmd *c = table; c->name; c++) {
        if ((strlen(c->name) == len && !strncmp(c->name, name, len)) ||
            (c->alias && strlen(c->alias) == len && !strncmp(c->alias, name, len)))
            return c;
    }
    return NULL;
}

static void cmd_info(machine *m, mon_out *o, const char *args)
{
    size_t n = strcspn(args, " ");
    if (!n) {
        print_table(o, info_commands, "info ");
        return;
    }
    const hmp_cmd *c = find_cmd(info_commands, args, n);
    if (!c) {
        mon_printf(o, "unknown info command: '%.*s'\n", (int)n, args);
        return;
    }
    const char *rest = args + n;
    while (*rest == ' ')
        rest++;
    c->fn(m, o, rest);
}

void hmp_run(machine *m, const char *line, mon_out *o)
{
    while (*line == ' ' || *line == '\t')
        line++;
    char *copy = strdup(line);
    if (!copy)
        fatal("out of memory");
    size_t len = strlen(copy);
    while (len && (copy[len - 1] == ' ' || copy[len - 1] == '\t' || copy[len - 1] == '\r' || copy[len - 1] == '\n'))
        copy[--len] = 0;
    if (!*copy) {
        free(copy);
        return;
    }
    size_t n = strcspn(copy, " /");
    const char *args = copy + strcspn(copy, " ");
    while (*args == ' ')
        args++;
    if ((n == 1 && copy[0] == 'x') || (n == 2 && !strncmp(copy, "xp", 2))) {
        char cmd[32];
        size_t cl = strcspn(copy, " ");
        /* QEMU takes the format apart from the command too: "xp /1gx ADDR" */
        if (cl == n && *args == '/') {
            size_t fl = strcspn(args, " ");
            snprintf(cmd, sizeof(cmd), "%.*s%.*s", (int)n, copy, (int)fl, args);
            args += fl;
            while (*args == ' ')
                args++;
        } else {
            snprintf(cmd, sizeof(cmd), "%.*s", (int)cl, copy);
        }
        memory_dump(m, o, cmd, args, n == 2);
        free(copy);
        return;
    }
    const hmp_cmd *c = find_cmd(commands, copy, n);
    if (!c || !c->fn)
        mon_printf(o, "unknown command: '%.*s'\n", (int)n, copy);
    else
        c->fn(m, o, args);
    free(copy);
}

static void capture_write(void *opaque, const char *text)
{
    char **buf = opaque;
    size_t old = *buf ? strlen(*buf) : 0;
    /* QEMU's HMP output through QMP has "\r\n" line ends */
    size_t extra = 0;
    for (const char *p = text; *p; p++)
        extra += *p == '\n' ? 2 : 1;
    char *n = realloc(*buf, old + extra + 1);
    if (!n)
        fatal("out of memory");
    char *w = n + old;
    for (const char *p = text; *p; p++) {
        if (*p == '\n')
            *w++ = '\r';
        *w++ = *p;
    }
    *w = 0;
    *buf = n;
}

char *hmp_run_capture(machine *m, const char *line, unsigned cpu)
{
    char *buf = NULL;
    mon_out o = { capture_write, &buf, cpu };
    hmp_run(m, line, &o);
    if (!buf)
        buf = strdup("");
    return buf;
}

/* ---- the readline monitor on a chardev ---- */

typedef struct hmp_session {
    struct hmp_session *next;
    machine *m;
    chardev *chr;
    char line[1024];
    size_t len;
    int esc;                    /* inside an escape sequence (arrow keys): swallow it */
    bool greeted;
    bool focused;
    mon_out out;
} hmp_session;

static void session_write(void *opaque, const char *text)
{
    hmp_session *s = opaque;
    chardev_write_text(s->chr, text);
}

static void prompt(hmp_session *s)
{
    chardev_write_text(s->chr, "(qemu) ");
}

static void greet(hmp_session *s)
{
    if (!s->greeted) {
        chardev_printf(s->chr, "tern %s monitor - type 'help' for more information\n", TERN_VERSION);
        s->greeted = true;
    }
    prompt(s);
}

static size_t session_can_rx(void *opaque)
{
    return 1024;
}

static void session_rx(void *opaque, uint8_t b)
{
    hmp_session *s = opaque;
    if (s->esc) {
        /* ESC [ ... final byte in 0x40-0x7e */
        if (s->esc == 1 && (b == '[' || b == 'O')) {
            s->esc = 2;
            return;
        }
        if (b >= 0x40 && b <= 0x7e)
            s->esc = 0;
        return;
    }
    if (b == 27) {
        s->esc = 1;
    } else if (b == '\r' || b == '\n') {
        chardev_write_text(s->chr, "\n");
        s->line[s->len] = 0;
        s->len = 0;
        hmp_run(s->m, s->line, &s->out);
        if (s->focused)
            prompt(s);
    } else if (b == 0x7f || b == 8) {
        if (s->len) {
            s->len--;
            chardev_write_text(s->chr, "\b \b");
        }
    } else if (b == 3) {                       /* Ctrl-C: drop the line */
        s->len = 0;
        chardev_write_text(s->chr, "\n");
        prompt(s);
    } else if (b >= 32 && s->len + 1 < sizeof(s->line)) {
        s->line[s->len++] = (char)b;
        chardev_write(s->chr, &b, 1);
    }
}

static void session_event(void *opaque, int event)
{
    hmp_session *s = opaque;
    switch (event) {
    case CHR_EVENT_OPENED:
        s->greeted = false;
        s->len = 0;
        if (s->focused)
            greet(s);
        break;
    case CHR_EVENT_MUX_IN:
        s->focused = true;
        greet(s);
        break;
    case CHR_EVENT_MUX_OUT:
        s->focused = false;
        break;
    default:
        break;
    }
}

static hmp_session *sessions;

void hmp_close_all(void)
{
    while (sessions) {
        hmp_session *s = sessions;
        sessions = s->next;
        chardev_detach(s->chr, s);
        free(s);
    }
}

bool hmp_open(machine *m, chardev *c, char *err, size_t errsize)
{
    hmp_session *s = calloc(1, sizeof(*s));
    if (!s)
        fatal("out of memory");
    s->m = m;
    s->chr = c;
    s->out = (mon_out){ session_write, s, 0 };
    /* a monitor that is not on a mux has the chardev to itself, always focused */
    s->focused = !chardev_is_mux(c);
    if (!chardev_attach(c, session_can_rx, session_rx, session_event, s, err, errsize)) {
        free(s);
        return false;
    }
    s->next = sessions;
    sessions = s;
    return true;
}
