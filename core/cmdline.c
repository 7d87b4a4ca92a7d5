/*
 * tern's command line (see cmdline.h). Options follow QEMU's names and syntax, so that
 * Makefiles and scripts written for QEMU (xv6's `make qemu`, CI harnesses) run as they
 * are; what tern cannot do is refused by name, never silently ignored.
 */
#include "core/cmdline.h"
#include "core/log.h"
#include "core/opts.h"
#include "core/hostmem.h"
#include "net/net.h"
#include "net/net_internal.h"
#include "core/version.h"
#include "build/config.h"
#include "accel/accel.h"
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void usage(void)
{
    printf(
"usage: tern [options]\n"
"\n"
"tern runs a whole computer: RISC-V RV64GC guests on a QEMU-compatible 'virt' board,\n"
"and x86-64 guests under KVM on a 'microvm' board. Options follow QEMU's.\n"
"\n"
"Machine:\n"
"-M, -machine NAME[,opts]   board (-M help lists them; default virt); virt takes\n"
"                           dumpdtb=FILE, aclint=off, aia=none\n"
"-m SIZE                    guest RAM, e.g. 512M or 2G (default 128M; plain numbers are MiB)\n"
"-smp N                     number of harts/CPUs (default 1)\n"
"-cpu MODEL[,ext=on|off]    CPU model (-cpu help)\n"
"-accel NAME[,opts]         jit (default), interp, tcg (= jit), kvm (-accel help)\n"
"-global DRIVER.PROP=VALUE  set a device property for every device of that type\n"
"-name NAME                 the machine's name\n"
"Boot:\n"
"-bios FILE|default|none    firmware; 'none' starts -kernel in M-mode at its entry\n"
"-kernel FILE               ELF, RISC-V Linux Image, raw image, or x86 bzImage\n"
"-initrd FILE               initial ramdisk\n"
"-append STRING             kernel command line\n"
"-dtb FILE                  use this device tree instead of the generated one\n"
"-S                         do not start the CPUs (cont, or gdb's continue, starts them)\n"
"-no-reboot                 exit instead of rebooting when the guest resets\n"
"-no-shutdown               stop instead of exiting when the guest powers off\n"
"Devices:\n"
"-drive file=F[,if=virtio|none][,id=ID][,format=raw][,readonly=on][,snapshot=on]\n"
"                           a disk: if=virtio plugs it in, if=none waits for -device\n"
"-device DRIVER[,prop=...]  add a device (-device help, -device DRIVER,help)\n"
"-snapshot                  keep every disk write in memory; images stay unchanged\n"
"Snapshots:\n"
"-incoming file:PATH        start from a snapshot saved with migrate file:PATH\n"
"-loadvm NAME               start from the named snapshot (savevm NAME)\n"
"-snapshot-dir DIR          where savevm/loadvm keep named snapshots (./tern-snapshots)\n"
"Network:\n"
"-netdev user,id=ID[,...]   user-mode networking (libslirp; net=, hostfwd=, restrict=, ...)\n"
"-netdev socket,id=ID,listen=[HOST]:PORT | connect=HOST:PORT | mcast=ADDR:PORT\n"
"                           | udp=HOST:PORT,localaddr=HOST:PORT\n"
"                           frames over a socket, to join tern and QEMU guests in one LAN\n"
"-netdev stream,id=ID,server=on|off,addr.type=inet,addr.host=H,addr.port=P\n"
"                           | addr.type=unix,addr.path=PATH   (QEMU 7.2's spelling)\n"
"-netdev dgram,id=ID,remote.type=inet,remote.host=H,remote.port=P\n"
"                           [,local.type=inet,local.host=H,local.port=P]\n"
"-netdev tap,id=ID,ifname=NAME,script=no,downscript=no   a host tap device\n"
"-nic TYPE[,model=M][,mac=MAC][,netdev options]   a netdev and its NIC in one\n"
"                           (model: virtio-net-pci on virt, virtio-net-device on microvm;\n"
"                           model=help lists them)\n"
"-object filter-dump,id=ID,netdev=ND,file=F.pcap[,maxlen=N]   a pcap of ND's frames\n"
"-net none, -nic none       no network (the default)\n"
"Character devices, monitors and display:\n"
"-chardev BACKEND,id=ID[,mux=on][,...]  stdio, null, file (path=), pty,\n"
"                           socket (path= or host=,port=; server=on|off; wait=on|off)\n"
"-serial DEV                first serial port: mon:stdio (default), stdio, null, none, pty,\n"
"                           file:PATH, unix:PATH[,server=on,wait=off], tcp:HOST:PORT[,...],\n"
"                           chardev:ID\n"
"-monitor DEV               the human monitor on DEV\n"
"-qmp DEV                   QMP (the QEMU Machine Protocol) on DEV\n"
"-qmp-pretty DEV            QMP with indented replies\n"
"-mon chardev=ID,mode=readline|control[,pretty=on]\n"
"-nographic                 no window; the console and monitor on standard input/output\n"
"-display sdl[,full-screen=on][,window-close=off]\n"
"                           a window (the default where there is a display): the guest's\n"
"                           screen, Ctrl-Alt-2 the monitor, Ctrl-Alt-3 the serial port,\n"
"                           Ctrl-Alt-G grabs the pointer, Ctrl-Alt-F full screen\n"
"-display none              no window (screendump still works)\n"
"-full-screen               start the window full screen\n"
"-vga std|virtio|none       a display adapter: VGA (bochs), virtio-gpu-pci, or none\n"
"Debugging:\n"
"-gdb DEV                   wait for gdb on DEV (tcp::PORT, unix:PATH,server=on, ...)\n"
"-s                         shorthand for -gdb tcp::1234\n"
"-semihosting               let the guest use semihosting calls\n"
"-semihosting-config enable=on|off,target=native|auto[,chardev=ID][,arg=ARG...]\n"
"-d ITEM[,ITEM...]          trace to stderr or the -D file (-d help lists items)\n"
"-D FILE                    write -d output to FILE\n"
"Running:\n"
"-daemonize                 go to the background once the machine is set up\n"
"-pidfile FILE              write tern's process id to FILE\n"
"-h, --help                 show this help\n"
"--version                  show the version\n"
"\n"
"Test programs end a run through the test finisher at 0x100000 (0x5555: exit 0;\n"
"(code<<16)|0x3333: exit code), through HTIF (a 'tohost' symbol), or semihosting.\n");
}

static noreturn void usage_error(const char *fmt, const char *arg)
{
    fputs("tern: ", stderr);
    fprintf(stderr, fmt, arg);
    fputs(" (try 'tern --help')\n", stderr);
    exit(2);
}

static noreturn void fail(const char *msg)
{
    fprintf(stderr, "tern: %s\n", msg);
    exit(2);
}

/* "512M", "2G", "1048576K", "512" (MiB). */
static bool parse_size(const char *s, uint64_t *out)
{
    errno = 0;
    char *end;
    unsigned long long v = strtoull(s, &end, 10);
    if (end == s || errno || *s == '-')
        return false;
    uint64_t mult = 1ull << 20;
    switch (*end) {
    case 'k': case 'K': mult = 1ull << 10; end++; break;
    case 'm': case 'M': mult = 1ull << 20; end++; break;
    case 'g': case 'G': mult = 1ull << 30; end++; break;
    case 't': case 'T': mult = 1ull << 40; end++; break;
    case 'b': case 'B': mult = 1; end++; break;
    case '\0': break;
    default: return false;
    }
    if (*end == 'i' && end[1] == 'B')
        end += 2;
    else if (*end == 'B' && mult != 1)
        end++;
    if (*end)
        return false;
    if (v > UINT64_MAX / mult)
        return false;
    *out = v * mult;
    return true;
}

static char *xstrdup(const char *s)
{
    char *d = strdup(s);
    if (!d)
        fatal("out of memory");
    return d;
}

/* Split "name,props" into a malloc'd name and a pointer to props (or ""). */
static char *split_props(const char *arg, const char **props)
{
    const char *comma = strchr(arg, ',');
    size_t n = comma ? (size_t)(comma - arg) : strlen(arg);
    char *name = strndup(arg, n);
    if (!name)
        fatal("out of memory");
    *props = comma ? comma + 1 : "";
    return name;
}

static void parse_memory(machine_opts *o, const char *arg)
{
    opt_list l;
    char err[256];
    if (!opts_parse(&l, arg, "size", err, sizeof(err)))
        usage_error("-m %s: invalid size (examples: 512M, 2G)", arg);
    const char *size = opts_get(&l, "size");
    /* hotplug memory does not exist in tern: these describe none */
    opts_get(&l, "slots");
    opts_get(&l, "maxmem");
    if (!size || !parse_size(size, &o->ram_size))
        usage_error("-m %s: invalid size (examples: 512M, 2G)", arg);
    if (opts_unused(&l))
        usage_error("-m: unknown option '%s'", opts_unused(&l));
    opts_free(&l);
    if (o->ram_size < (1ull << 20) || o->ram_size > (1ull << 40) || (o->ram_size & 0xfff))
        usage_error("-m %s: RAM size must be a multiple of 4 KiB between 1M and 1T", arg);
}

static void parse_smp(machine_opts *o, const char *arg)
{
    opt_list l;
    char err[256];
    if (!opts_parse(&l, arg, "cpus", err, sizeof(err)))
        usage_error("-smp %s: invalid number of CPUs", arg);
    uint64_t cpus, sockets, cores, threads, maxcpus, dies, clusters;
    if (!opts_get_u64(&l, "cpus", 0, &cpus, err, sizeof(err)) ||
        !opts_get_u64(&l, "sockets", 1, &sockets, err, sizeof(err)) ||
        !opts_get_u64(&l, "cores", 1, &cores, err, sizeof(err)) ||
        !opts_get_u64(&l, "threads", 1, &threads, err, sizeof(err)) ||
        !opts_get_u64(&l, "dies", 1, &dies, err, sizeof(err)) ||
        !opts_get_u64(&l, "clusters", 1, &clusters, err, sizeof(err)) ||
        !opts_get_u64(&l, "maxcpus", 0, &maxcpus, err, sizeof(err)))
        usage_error("-smp: %s", err);
    if (opts_unused(&l))
        usage_error("-smp: unknown option '%s'", opts_unused(&l));
    opts_free(&l);
    if (!cpus)
        cpus = sockets * cores * threads * dies * clusters;
    if (cpus < 1 || cpus > 512 || (maxcpus && maxcpus < cpus))
        usage_error("-smp %s: invalid number of CPUs", arg);
    o->smp = (int)cpus;
}

/* -drive file=F[,if=virtio|none][,id=ID][,format=raw][,readonly=on][,snapshot=on] */
static void parse_drive(machine_opts *o, const char *arg)
{
    if (o->ndrives == MAX_DRIVES)
        usage_error("-drive %s: too many drives", arg);
    drive_opt *d = &o->drives[o->ndrives];
    memset(d, 0, sizeof(*d));
    opt_list l;
    char err[256];
    if (!opts_parse(&l, arg, NULL, err, sizeof(err)))
        usage_error("-drive: %s", err);
    const char *file = opts_get(&l, "file");
    const char *fmt = opts_get(&l, "format");
    const char *iface = opts_get(&l, "if");
    const char *id = opts_get(&l, "id");
    const char *media = opts_get(&l, "media");
    bool b;
    if (!opts_get_bool(&l, "readonly", false, &d->readonly, err, sizeof(err)) ||
        !opts_get_bool(&l, "snapshot", false, &d->snapshot, err, sizeof(err)))
        usage_error("-drive: %s", err);
    /* accepted for QEMU's command lines: tern does synchronous I/O on raw files */
    opts_get(&l, "cache");
    opts_get(&l, "aio");
    opts_get(&l, "discard");
    opts_get(&l, "detect-zeroes");
    if (!opts_get_bool(&l, "auto-read-only", true, &b, err, sizeof(err)))
        usage_error("-drive: %s", err);
    if (opts_unused(&l))
        usage_error("-drive: unknown option '%s'", opts_unused(&l));
    if (fmt && strcmp(fmt, "raw"))
        usage_error("-drive: format '%s' is not supported (only raw)", fmt);
    if (iface && strcmp(iface, "virtio") && strcmp(iface, "none"))
        usage_error("-drive: interface '%s' is not supported (if=virtio or if=none)", iface);
    if (media && strcmp(media, "disk"))
        usage_error("-drive: media '%s' is not supported (media=disk)", media);
    if (!file)
        usage_error("-drive %s: file=FILE is required", arg);
    if (iface && !strcmp(iface, "none") && !id)
        usage_error("-drive %s: if=none needs id=ID (for -device ...,drive=ID)", arg);
    if (id) {
        for (int i = 0; i < o->ndrives; i++)
            if (o->drives[i].id && !strcmp(o->drives[i].id, id))
                usage_error("-drive: a drive with id '%s' exists already", id);
    }
    d->file = xstrdup(file);
    d->id = id ? xstrdup(id) : NULL;
    d->if_none = iface && !strcmp(iface, "none");
    opts_free(&l);
    o->ndrives++;
}

static void parse_device(machine_opts *o, cmdline *cl, const char *arg)
{
    opt_list l;
    char err[256];
    if (!opts_parse(&l, arg, "driver", err, sizeof(err)))
        usage_error("-device: %s", err);
    const char *driver = opts_get(&l, "driver");
    if (!driver || !*driver)
        usage_error("-device %s: the device name comes first", arg);
    if (!strcmp(driver, "help") || opts_has(&l, "help")) {
        cl->device_help = xstrdup(driver);
        opts_free(&l);
        return;
    }
    if (o->ndevices == MAX_DEVICES)
        usage_error("-device %s: too many devices", arg);
    device_opt *d = &o->devices[o->ndevices++];
    d->driver = xstrdup(driver);
    d->text = xstrdup(arg);
    d->props = l;
}

#define MAX_NET_ARGS 32

static noreturn void netdev_help(void)
{
    printf("Available netdev backend types:\n");
    for (const char *const *t = netdev_type_names(); *t; t++)
        printf("%s\n", *t);
    exit(0);
}

static bool is_filter_dump(const char *arg)
{
    size_t n = strlen("filter-dump");
    if (!strncmp(arg, "qom-type=", 9))
        arg += 9;
    return !strncmp(arg, "filter-dump", n) && (arg[n] == ',' || !arg[n]);
}

/* -nic TYPE[,id=ID][,model=M][,mac=MAC][,netdev options]: QEMU's shorthand for
 * -netdev TYPE,id=ID,... plus -device M,netdev=ID[,mac=MAC]. */
static void parse_nic(machine_opts *o, cmdline *cl, const char *arg, int index)
{
    opt_list l;
    char err[512];
    if (!opts_parse(&l, arg, "type", err, sizeof(err)))
        usage_error("-nic: %s", err);
    const char *type = opts_get(&l, "type"), *model = opts_get(&l, "model");
    const char *mac = opts_get(&l, "mac"), *id = opts_get(&l, "id");
    bool microvm = o->machine && !strncmp(o->machine, "microvm", 7);
    if (model && (!strcmp(model, "help") || !strcmp(model, "?"))) {
        printf("Available NIC models:\nvirtio-net-pci\nvirtio-net-device\n");
        exit(0);
    }
    if (!type || !*type)
        usage_error("-nic %s: the backend type comes first (user, socket, tap, ...)", arg);
    if (!model)
        model = microvm ? "virtio-net-device" : "virtio-net-pci";
    else if (strcmp(model, "virtio-net-pci") && strcmp(model, "virtio-net-device") &&
             strcmp(model, "virtio"))
        usage_error("-nic: model=%s: tern has virtio-net-pci and virtio-net-device (model=help)", model);
    else if (!strcmp(model, "virtio"))
        model = microvm ? "virtio-net-device" : "virtio-net-pci";   /* QEMU's alias */
    char idbuf[64];
    if (!id) {
        snprintf(idbuf, sizeof(idbuf), "__org.qemu.nic%d", index);
        id = idbuf;
    }
    /* the netdev's part: everything but model= and mac=, commas doubled again */
    size_t cap = strlen(arg) * 2 + 128, n = 0;
    char *nd = malloc(cap);
    if (!nd)
        fail("out of memory");
    n += (size_t)snprintf(nd, cap, "%s,id=%s", type, id);
    for (int k = 0; k < l.n; k++) {
        const char *key = l.items[k].key, *val = l.items[k].val;
        if (!strcmp(key, "type") || !strcmp(key, "id") || !strcmp(key, "model") || !strcmp(key, "mac"))
            continue;
        n += (size_t)snprintf(nd + n, cap - n, ",%s=", key);
        for (const char *p = val ? val : "on"; *p && n + 2 < cap; p++) {
            if (*p == ',')
                nd[n++] = ',';
            nd[n++] = *p;
        }
        nd[n] = 0;
    }
    if (!netdev_create(nd, err, sizeof(err))) {
        free(nd);
        fail(err);
    }
    free(nd);
    char dev[256];
    snprintf(dev, sizeof(dev), "%s,netdev=%s%s%s", model, id, mac ? ",mac=" : "", mac ? mac : "");
    opts_free(&l);
    parse_device(o, cl, dev);
}

/* -global DRIVER.PROP=VALUE (or driver=,property=,value=) */
static void parse_global(machine_opts *o, const char *arg)
{
    if (o->nglobals == MAX_GLOBALS)
        usage_error("-global %s: too many", arg);
    global_opt *g = &o->globals[o->nglobals];
    const char *eq = strchr(arg, '=');
    const char *dot = eq ? memchr(arg, '.', (size_t)(eq - arg)) : NULL;
    if (dot && strncmp(arg, "driver=", 7) != 0) {
        g->driver = strndup(arg, (size_t)(dot - arg));
        g->prop = strndup(dot + 1, (size_t)(eq - dot - 1));
        g->value = xstrdup(eq + 1);
    } else {
        opt_list l;
        char err[256];
        if (!opts_parse(&l, arg, NULL, err, sizeof(err)))
            usage_error("-global: %s", err);
        const char *drv = opts_get(&l, "driver"), *prop = opts_get(&l, "property"),
                   *val = opts_get(&l, "value");
        if (!drv || !prop || !val || opts_unused(&l))
            usage_error("-global %s: expected DRIVER.PROP=VALUE", arg);
        g->driver = xstrdup(drv);
        g->prop = xstrdup(prop);
        g->value = xstrdup(val);
        opts_free(&l);
    }
    if (!g->driver || !g->prop || !*g->driver || !*g->prop)
        usage_error("-global %s: expected DRIVER.PROP=VALUE", arg);
    o->nglobals++;
}

static void add_monitor(cmdline *cl, chardev *c, bool control, bool pretty)
{
    if (cl->nmonitors == MAX_MONITORS)
        fail("too many monitors");
    cl->monitors[cl->nmonitors].chr = c;
    cl->monitors[cl->nmonitors].control = control;
    cl->monitors[cl->nmonitors].pretty = pretty;
    cl->nmonitors++;
}

static chardev *spec_chardev(const char *opt, const char *spec, const char *label, bool *mon)
{
    char err[512];
    chardev *c = chardev_from_spec(spec, label, mon, err, sizeof(err));
    if (!c && *err) {
        fprintf(stderr, "tern: %s %s\n", opt, err);
        exit(2);
    }
    return c;
}

/* -mon chardev=ID,mode=readline|control[,pretty=on] */
static void parse_mon(cmdline *cl, const char *arg)
{
    opt_list l;
    char err[256];
    if (!opts_parse(&l, arg, "chardev", err, sizeof(err)))
        usage_error("-mon: %s", err);
    const char *id = opts_get(&l, "chardev");
    const char *mode = opts_get(&l, "mode");
    bool pretty;
    if (!opts_get_bool(&l, "pretty", false, &pretty, err, sizeof(err)))
        usage_error("-mon: %s", err);
    if (opts_unused(&l))
        usage_error("-mon: unknown option '%s'", opts_unused(&l));
    if (!id)
        usage_error("-mon %s: chardev=ID is required", arg);
    chardev *c = chardev_find(id);
    if (!c)
        usage_error("-mon: no -chardev with id '%s'", id);
    if (mode && strcmp(mode, "readline") && strcmp(mode, "control"))
        usage_error("-mon: mode '%s' is not readline or control", mode);
    add_monitor(cl, c, mode && !strcmp(mode, "control"), pretty);
    opts_free(&l);
}

static void parse_semihosting_config(machine_opts *o, const char *arg)
{
    opt_list l;
    char err[256];
    if (!opts_parse(&l, arg, "enable", err, sizeof(err)))
        usage_error("-semihosting-config: %s", err);
    bool enable, b;
    if (!opts_get_bool(&l, "enable", true, &enable, err, sizeof(err)) ||
        !opts_get_bool(&l, "userspace", false, &b, err, sizeof(err)))
        usage_error("-semihosting-config: %s", err);
    const char *target = opts_get(&l, "target");
    if (target && strcmp(target, "native") && strcmp(target, "auto"))
        usage_error("-semihosting-config: target=%s is not supported (native or auto)", target);
    const char *chr = opts_get(&l, "chardev");
    if (chr) {
        o->semihosting_chr = chardev_find(chr);
        if (!o->semihosting_chr)
            usage_error("-semihosting-config: no -chardev with id '%s'", chr);
    }
    /* arg=... may repeat: the guest's argv, joined with spaces */
    char *args = NULL;
    for (int i = 0; i < l.n; i++) {
        if (strcmp(l.items[i].key, "arg"))
            continue;
        l.items[i].used = true;
        char *n = NULL;
        if (asprintf(&n, "%s%s%s", args ? args : "", args ? " " : "", l.items[i].val) < 0)
            fatal("out of memory");
        free(args);
        args = n;
    }
    if (args)
        o->semihosting_args = args;
    if (opts_unused(&l))
        usage_error("-semihosting-config: unknown option '%s'", opts_unused(&l));
    o->semihosting = enable;
    opts_free(&l);
}

/* -display TYPE[,opts]: sdl or none (QEMU's gtk, vnc and the rest are not in tern) */
static void parse_display(cmdline *cl, const char *arg)
{
    opt_list l;
    char err[256];
    if (!opts_parse(&l, arg, "type", err, sizeof(err)))
        usage_error("-display: %s", err);
    const char *type = opts_get(&l, "type");
    bool b = false;
    if (type && !strcmp(type, "none")) {
        cl->display = DISPLAY_NONE;
    } else if (type && !strcmp(type, "sdl")) {
        cl->display = DISPLAY_SDL;
        if (!opts_get_bool(&l, "full-screen", cl->full_screen, &cl->full_screen, err, sizeof(err)) ||
            !opts_get_bool(&l, "window-close", true, &cl->window_close, err, sizeof(err)) ||
            !opts_get_bool(&l, "show-cursor", false, &cl->show_cursor, err, sizeof(err)) ||
            !opts_get_bool(&l, "gl", false, &b, err, sizeof(err)) || b) {
            char msg[512];
            snprintf(msg, sizeof(msg), "-display %s: %s", arg, b ? "gl=on: tern renders without OpenGL" : err);
            fail(msg);
        }
    } else if (type && !strcmp(type, "default")) {
        cl->display = DISPLAY_DEFAULT;
    } else {
        usage_error("-display %s: tern has sdl (a window) and none", type ? type : arg);
    }
    if (opts_unused(&l)) {
        char msg[512];
        snprintf(msg, sizeof(msg), "-display %s: unknown option '%s'", arg, opts_unused(&l));
        fail(msg);
    }
    opts_free(&l);
}

void cmdline_parse(int argc, char **argv, cmdline *cl)
{
    machine_opts *o = cl->opts;
    const char *serial = NULL;
    bool serial_given = false, default_monitor = true;
    int nmonitor_compat = 0;
    const char *netdevs[MAX_NET_ARGS], *nics[MAX_NET_ARGS], *net_filters[MAX_NET_ARGS];
    int nnetdevs = 0, nnics = 0, nnet_filters = 0;

    for (int i = 1; i < argc; i++) {
        const char *opt = argv[i];
        if (opt[0] != '-' || !opt[1])
            usage_error("'%s': unexpected argument", opt);
        if (opt[1] == '-' && opt[2])
            opt++;                                   /* --foo is the same as -foo */
        const char *name = opt + 1;
        if (!strcmp(name, "h") || !strcmp(name, "help")) {
            usage();
            exit(0);
        }
        if (!strcmp(name, "version")) {
            printf("tern version %s (follows QEMU %s)\n", TERN_VERSION, TERN_QEMU_COMPAT_VERSION);
            exit(0);
        }
        static const char *const flags[] = {
            "nographic", "snapshot", "no-reboot", "no-shutdown", "S", "s", "semihosting",
            "daemonize", "enable-kvm", "nodefaults", "no-user-config", "full-screen", NULL,
        };
        bool flag = false;
        for (int k = 0; flags[k]; k++)
            flag |= !strcmp(name, flags[k]);
        if (flag) {
            if (!strcmp(name, "nographic"))
                o->nographic = true;
            else if (!strcmp(name, "snapshot"))
                o->snapshot = true;
            else if (!strcmp(name, "no-reboot"))
                o->no_reboot = true;
            else if (!strcmp(name, "no-shutdown"))
                o->no_shutdown = true;
            else if (!strcmp(name, "S"))
                cl->start_stopped = true;
            else if (!strcmp(name, "s"))
                cl->gdb_dev = "tcp::1234";
            else if (!strcmp(name, "semihosting"))
                o->semihosting = true;
            else if (!strcmp(name, "daemonize"))
                cl->daemonize = true;
            else if (!strcmp(name, "full-screen"))
                cl->full_screen = true;
            else if (!strcmp(name, "enable-kvm")) {
                free((char *)o->accel);
                o->accel = xstrdup("kvm");
            }
            else if (!strcmp(name, "nodefaults")) {
                if (!serial_given)
                    serial_given = true, serial = "none";
                default_monitor = false;
            }
            continue;
        }
        static const char *const with_arg[] = {
            "M", "machine", "m", "bios", "kernel", "d", "D", "accel", "smp", "append", "initrd",
            "dtb", "serial", "drive", "device", "chardev", "global", "cpu", "net", "nic", "netdev", "name",
            "pidfile", "display", "monitor", "qmp", "qmp-pretty", "mon", "gdb",
            "semihosting-config", "vga", "L", "object", "incoming", "loadvm", "snapshot-dir", NULL,
        };
        bool known = false;
        for (int k = 0; with_arg[k]; k++)
            known |= !strcmp(name, with_arg[k]);
        if (!known)
            usage_error("%s: invalid option", argv[i]);
        if (i + 1 >= argc)
            usage_error("%s requires an argument", argv[i]);
        const char *arg = argv[++i];

        if (!strcmp(name, "M") || !strcmp(name, "machine")) {
            if (!strcmp(arg, "help") || !strcmp(arg, "?")) {
                machine_class_list();
                exit(0);
            }
            free((char *)o->machine);
            if (!strncmp(arg, "type=", 5))
                arg += 5;
            o->machine = split_props(arg, &o->machine_props);
            cl->machine_name = o->machine;
        } else if (!strcmp(name, "m")) {
            parse_memory(o, arg);
        } else if (!strcmp(name, "bios")) {
            o->bios = strcmp(arg, "default") ? arg : NULL;
        } else if (!strcmp(name, "kernel")) {
            o->kernel = arg;
        } else if (!strcmp(name, "append")) {
            o->append = arg;
        } else if (!strcmp(name, "initrd")) {
            o->initrd = arg;
        } else if (!strcmp(name, "dtb")) {
            o->dtb = arg;
        } else if (!strcmp(name, "drive")) {
            parse_drive(o, arg);
        } else if (!strcmp(name, "device")) {
            parse_device(o, cl, arg);
        } else if (!strcmp(name, "global")) {
            parse_global(o, arg);
        } else if (!strcmp(name, "object")) {
            char err[512];
            if (is_filter_dump(arg)) {
                /* made after the netdevs, whatever the order on the command line */
                if (nnet_filters == MAX_NET_ARGS)
                    usage_error("-object %s: too many filters", arg);
                net_filters[nnet_filters++] = arg;
            } else if (!hostmem_parse(arg, err, sizeof(err)))
                fail(err);
        } else if (!strcmp(name, "chardev")) {
            char err[512];
            if (!chardev_new(arg, err, sizeof(err)))
                fail(err);
        } else if (!strcmp(name, "serial")) {
            /* the first -serial is the board's UART; QEMU boards ignore the rest too */
            if (!serial_given) {
                serial = arg;
                serial_given = true;
            }
        } else if (!strcmp(name, "monitor")) {
            bool mon;
            char label[32];
            snprintf(label, sizeof(label), "compat_monitor%d", nmonitor_compat++);
            chardev *c = spec_chardev("-monitor", arg, label, &mon);
            if (c)
                add_monitor(cl, c, false, false);
            default_monitor = false;
        } else if (!strcmp(name, "qmp") || !strcmp(name, "qmp-pretty")) {
            bool mon;
            char label[32];
            snprintf(label, sizeof(label), "compat_monitor%d", nmonitor_compat++);
            chardev *c = spec_chardev(argv[i - 1], arg, label, &mon);
            if (c)
                add_monitor(cl, c, true, !strcmp(name, "qmp-pretty"));
            default_monitor = false;
        } else if (!strcmp(name, "mon")) {
            parse_mon(cl, arg);
            default_monitor = false;
        } else if (!strcmp(name, "gdb")) {
            cl->gdb_dev = arg;
        } else if (!strcmp(name, "cpu")) {
            if (!strcmp(arg, "help") || !strcmp(arg, "?")) {
                cl->device_help = "cpu-help";
                continue;
            }
            o->cpu = arg;
        } else if (!strcmp(name, "netdev")) {
            if (!strcmp(arg, "help") || !strcmp(arg, "?"))
                netdev_help();
            if (nnetdevs == MAX_NET_ARGS)
                usage_error("-netdev %s: too many netdevs", arg);
            netdevs[nnetdevs++] = arg;
        } else if (!strcmp(name, "nic")) {
            if (!strcmp(arg, "help") || !strcmp(arg, "?"))
                netdev_help();
            if (strcmp(arg, "none")) {
                if (nnics == MAX_NET_ARGS)
                    usage_error("-nic %s: too many NICs", arg);
                nics[nnics++] = arg;
            }
        } else if (!strcmp(name, "net")) {
            /* QEMU's legacy -net (hubs, vlans) is deprecated there; tern does not have it */
            if (strcmp(arg, "none"))
                usage_error("-net %s: the legacy -net is not supported; use -nic TYPE[,model=M] "
                            "or -netdev TYPE,id=ID with -device MODEL,netdev=ID", arg);
        } else if (!strcmp(name, "vga")) {
            /* QEMU's shorthand for the display adapter: a -device like any other */
            if (!strcmp(arg, "std"))
                parse_device(o, cl, "VGA");
            else if (!strcmp(arg, "virtio"))
                parse_device(o, cl, "virtio-gpu-pci");
            else if (strcmp(arg, "none"))
                usage_error("-vga %s: tern has std (VGA), virtio (virtio-gpu-pci) and none", arg);
        } else if (!strcmp(name, "display")) {
            parse_display(cl, arg);
        } else if (!strcmp(name, "name")) {
            opt_list l;
            char err[256];
            if (!opts_parse(&l, arg, "guest", err, sizeof(err)))
                usage_error("-name: %s", err);
            const char *g = opts_get(&l, "guest");
            bool b;
            opts_get(&l, "process");
            if (!opts_get_bool(&l, "debug-threads", false, &b, err, sizeof(err)))
                usage_error("-name: %s", err);
            if (opts_unused(&l))
                usage_error("-name: unknown option '%s'", opts_unused(&l));
            cl->name = g ? xstrdup(g) : NULL;
            opts_free(&l);
        } else if (!strcmp(name, "pidfile")) {
            cl->pidfile = arg;
        } else if (!strcmp(name, "incoming")) {
            if (strncmp(arg, "file:", 5) || !arg[5])
                usage_error("-incoming %s: tern takes snapshots from files: -incoming file:PATH", arg);
            cl->incoming = arg + 5;
        } else if (!strcmp(name, "loadvm")) {
            if (!*arg || strchr(arg, '/'))
                usage_error("-loadvm %s: give a snapshot's name (savevm NAME)", arg);
            cl->loadvm = arg;
        } else if (!strcmp(name, "snapshot-dir")) {
            cl->snapshot_dir = arg;
        } else if (!strcmp(name, "semihosting-config")) {
            parse_semihosting_config(o, arg);
        } else if (!strcmp(name, "L")) {
            /* QEMU's firmware directory: tern finds its own firmware */
        } else if (!strcmp(name, "d")) {
            if (!strcmp(arg, "help")) {
                log_print_help(stdout);
                exit(0);
            }
            char bad[64];
            if (!log_parse_mask(arg, &log_mask, bad, sizeof(bad)))
                usage_error("-d: unknown log item '%s' (-d help lists them)", bad);
        } else if (!strcmp(name, "D")) {
            cl->logfile = arg;
        } else if (!strcmp(name, "accel")) {
            if (!strcmp(arg, "help") || !strcmp(arg, "?")) {
                accel_list(NULL);
                exit(0);
            }
            free((char *)o->accel);
            if (!strncmp(arg, "accel=", 6))
                arg += 6;
            o->accel = split_props(arg, &o->accel_props);
        } else if (!strcmp(name, "smp")) {
            parse_smp(o, arg);
        }
    }

    /* the network: netdevs, then -nic's (netdev and device), then the filters on them */
    {
        char err[512];
        for (int k = 0; k < nnetdevs; k++)
            if (!netdev_create(netdevs[k], err, sizeof(err)))
                fail(err);
        for (int k = 0; k < nnics; k++)
            parse_nic(o, cl, nics[k], k);
        for (int k = 0; k < nnet_filters; k++)
            if (!net_filter_dump_create(net_filters[k], err, sizeof(err)))
                fail(err);
    }

    if (cl->daemonize && o->nographic)
        fail("-nographic cannot be used with -daemonize");
    if (o->nographic && cl->display == DISPLAY_SDL)
        fail("-nographic cannot be used with -display sdl");
    if (cl->daemonize && cl->display == DISPLAY_SDL)
        fail("-daemonize cannot be used with -display sdl");
#ifndef CONFIG_SDL
    if (cl->display == DISPLAY_SDL)
        fail("-display sdl: this tern was built without SDL2 (install libsdl2-dev and run ./configure again)");
#endif
    /* as QEMU, a window unless told otherwise; but only where one can open */
    if (cl->display == DISPLAY_DEFAULT) {
        const char *x = getenv("DISPLAY"), *wl = getenv("WAYLAND_DISPLAY");
        bool have = (x && *x) || (wl && *wl);
#ifndef CONFIG_SDL
        have = false;
#endif
        cl->display = have && !o->nographic && !cl->daemonize ? DISPLAY_SDL : DISPLAY_NONE;
    }
    bool mon = false;
    char err[512];
    /* with a window, the monitor and the serial port are text consoles in it (QEMU's
     * Ctrl-Alt-2 and Ctrl-Alt-3): the monitor's is made first, so it comes first */
    if (cl->display == DISPLAY_SDL) {
        if (default_monitor) {
            chardev *c = chardev_from_spec("vc:80Cx24C", "compat_monitor0", NULL, err, sizeof(err));
            if (!c)
                fail(err);
            add_monitor(cl, c, false, false);
            default_monitor = false;
        }
        if (!serial_given)
            serial = "vc:80Cx24C";
    }
    /* QEMU's defaults without a display: the serial port on stdio, shared with the
     * monitor unless one was given; none of it when daemonized */
    if (!serial_given && !serial)
        serial = cl->daemonize ? "null" : (default_monitor ? "mon:stdio" : "stdio");
    o->serial = chardev_from_spec(serial, "serial0", &mon, err, sizeof(err));
    if (!o->serial && *err) {
        fprintf(stderr, "tern: -serial %s\n", err);
        exit(2);
    }
    if (mon)
        add_monitor(cl, o->serial, false, false);
    else if (default_monitor && o->nographic && serial_given && !cl->daemonize) {
        /* -nographic with a -serial elsewhere: the monitor gets stdio, as in QEMU */
        chardev *c = chardev_from_spec("stdio", "compat_monitor0", NULL, err, sizeof(err));
        if (c)
            add_monitor(cl, c, false, false);
    }
}

void cmdline_free(cmdline *cl)
{
    machine_opts *o = cl->opts;
    free((char *)o->machine);
    free((char *)o->accel);
    for (int i = 0; i < o->ndrives; i++) {
        free((char *)o->drives[i].file);
        free((char *)o->drives[i].id);
    }
    for (int i = 0; i < o->ndevices; i++) {
        free(o->devices[i].driver);
        free(o->devices[i].text);
        opts_free(&o->devices[i].props);
    }
    for (int i = 0; i < o->nglobals; i++) {
        free(o->globals[i].driver);
        free(o->globals[i].prop);
        free(o->globals[i].value);
    }
    free((char *)o->semihosting_args);
    hostmem_free_all();
    netdev_close_all();
    free((char *)cl->name);
    if (cl->device_help && strcmp(cl->device_help, "cpu-help"))
        free((char *)cl->device_help);
    memset(o, 0, sizeof(*o));
}
