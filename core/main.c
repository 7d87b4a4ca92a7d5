/*
 * tern's entry point: QEMU-style command-line parsing, then build the chosen machine
 * and run it. Every user error is one line on stderr and exit status 2.
 */
#include "core/machine.h"
#include "core/log.h"
#include "accel/accel.h"
#include "build/config.h"
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef TERN_VERSION
#define TERN_VERSION "0.1.0"
#endif

static void usage(void)
{
    printf(
"usage: tern [options]\n"
"\n"
"tern runs a whole computer: RISC-V RV64GC guests on a QEMU-compatible 'virt' board.\n"
"\n"
"Machine:\n"
"  -M, -machine NAME[,opts]  board to emulate (-M help lists them; default virt)\n"
"  -m SIZE                   guest RAM, e.g. 512M or 2G (default 128M; plain numbers are MiB)\n"
"  -smp N                    number of harts (default 1)\n"
"  -accel NAME[,opts]        how to run the CPU: jit (default), interp, tcg (= jit);\n"
"                            jit options check=on, chain=off, tb-size=MiB (-accel help)\n"
"Boot:\n"
"  -bios FILE|none           firmware image; 'none' starts -kernel in M-mode at its entry\n"
"  -kernel FILE              ELF, RISC-V Linux Image, or raw image\n"
"  -initrd FILE              initial ramdisk for the kernel\n"
"  -append STRING            kernel command line\n"
"  -dtb FILE                 use this device tree instead of the generated one\n"
"                            (-M virt,dumpdtb=FILE writes the generated one and exits)\n"
"Display and console:\n"
"  -nographic                no window; the guest console is on standard input/output\n"
"  -serial BACKEND           mon:stdio (default), stdio, file:PATH, null\n"
"Disks:\n"
"  -drive file=F[,format=raw][,if=virtio][,readonly=on][,snapshot=on]\n"
"                            a virtio-blk disk (the first is /dev/vda)\n"
"  -snapshot                 keep every disk write in memory; images stay unchanged\n"
"Other devices:\n"
"  -device virtio-rng-device           entropy from the host\n"
"  -device virtconsole,chardev=ID      a virtio console on -chardev ID\n"
"  -chardev file,id=ID,path=P | stdio,id=ID | null,id=ID\n"
"  -no-reboot                exit instead of rebooting when the guest resets\n"
"Debugging:\n"
"  -d ITEM[,ITEM...]         trace to stderr or the -D file (-d help lists items)\n"
"  -D FILE                   write -d output to FILE\n"
"Other:\n"
"  -h, --help                show this help\n"
"  --version                 show the version\n"
"\n"
"Test programs end a run through the test finisher at 0x100000 (0x5555: exit 0;\n"
"(code<<16)|0x3333: exit code) or, for ELF files with a 'tohost' symbol, through HTIF.\n");
}

static noreturn void usage_error(const char *fmt, const char *arg)
{
    fputs("tern: ", stderr);
    fprintf(stderr, fmt, arg);
    fputs(" (try 'tern --help')\n", stderr);
    exit(2);
}

/* "512M", "2G", "1048576K", "512" (MiB). */
static bool parse_size(const char *s, uint64_t *out)
{
    if (!strncmp(s, "size=", 5))
        s += 5;
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

/* -drive file=F,format=raw,if=virtio[,readonly=on][,snapshot=on] */
static void parse_drive(machine_opts *o, const char *arg)
{
    if (o->ndrives == MAX_DRIVES)
        usage_error("-drive %s: too many drives", arg);
    struct drive_opt *d = &o->drives[o->ndrives];
    memset(d, 0, sizeof(*d));
    const char *p = arg;
    while (*p) {
        size_t n = strcspn(p, ",");
        const char *eq = memchr(p, '=', n);
        if (!eq)
            usage_error("-drive: option '%s' needs a value (key=value)", p);
        size_t klen = (size_t)(eq - p);
        char *val = strndup(eq + 1, n - klen - 1);
        if (!val)
            fatal("out of memory");
        bool on = !strcmp(val, "on") || !strcmp(val, "true");
        bool off = !strcmp(val, "off") || !strcmp(val, "false");
        if (klen == 4 && !strncmp(p, "file", 4)) {
            d->file = val;              /* kept for the life of the process */
            val = NULL;
        } else if (klen == 6 && !strncmp(p, "format", 6)) {
            if (strcmp(val, "raw"))
                usage_error("-drive: format '%s' is not supported (only raw)", val);
        } else if (klen == 2 && !strncmp(p, "if", 2)) {
            if (strcmp(val, "virtio") && strcmp(val, "none"))
                usage_error("-drive: interface '%s' is not supported (if=virtio)", val);
        } else if (klen == 8 && !strncmp(p, "readonly", 8) && (on || off)) {
            d->readonly = on;
        } else if (klen == 8 && !strncmp(p, "snapshot", 8) && (on || off)) {
            d->snapshot = on;
        } else if (klen == 5 && !strncmp(p, "cache", 5)) {
            /* accepted for compatibility; tern does synchronous I/O */
        } else {
            usage_error("-drive: unknown option '%s'", p);
        }
        free(val);
        p += n;
        if (*p == ',')
            p++;
    }
    if (!d->file)
        usage_error("-drive %s: file=FILE is required", arg);
    o->ndrives++;
}

/* Value of key=... in a comma-separated list (malloc'd), or NULL. */
static char *opt_value(const char *list, const char *key)
{
    size_t klen = strlen(key);
    for (const char *p = list; p && *p;) {
        size_t n = strcspn(p, ",");
        if (n > klen && p[klen] == '=' && !strncmp(p, key, klen))
            return strndup(p + klen + 1, n - klen - 1);
        p += n;
        if (*p == ',')
            p++;
    }
    return NULL;
}

/* -device virtio-rng-device | virtio-serial-device | virtconsole,chardev=ID */
static void parse_device(machine_opts *o, const char *arg)
{
    size_t n = strcspn(arg, ",");
    const char *props = arg[n] ? arg + n + 1 : "";
    if (!strncmp(arg, "help", n) && n == 4) {
        printf("virtio-rng-device      entropy from the host (alias virtio-rng)\n"
               "virtio-serial-device   virtio console transport (consoles attach to it)\n"
               "virtconsole            a console port: chardev=ID from -chardev\n");
        exit(0);
    }
    if ((n == 17 && !strncmp(arg, "virtio-rng-device", n)) || (n == 10 && !strncmp(arg, "virtio-rng", n))) {
        if (*props)
            usage_error("-device virtio-rng-device: unknown option '%s'", props);
        if (o->ndevices == MAX_DEVICES)
            usage_error("-device %s: too many devices", arg);
        o->devices[o->ndevices++] = (struct device_opt){ "virtio-rng", NULL };
    } else if (n == 20 && !strncmp(arg, "virtio-serial-device", n)) {
        /* the transport comes with each virtconsole */
    } else if (n == 11 && !strncmp(arg, "virtconsole", n)) {
        char *id = opt_value(props, "chardev");
        if (!id)
            usage_error("-device %s: chardev=ID is required", arg);
        if (o->ndevices == MAX_DEVICES)
            usage_error("-device %s: too many devices", arg);
        o->devices[o->ndevices++] = (struct device_opt){ "virtconsole", id };
    } else {
        usage_error("-device %s: unknown device (-device help lists them)", arg);
    }
}

/* -chardev file,id=ID,path=P | stdio,id=ID | null,id=ID */
static void parse_chardev(machine_opts *o, const char *arg)
{
    size_t n = strcspn(arg, ",");
    const char *props = arg[n] ? arg + n + 1 : "";
    char *id = opt_value(props, "id");
    if (!id)
        usage_error("-chardev %s: id=ID is required", arg);
    if (o->nchardevs == MAX_CHARDEVS)
        usage_error("-chardev %s: too many", arg);
    char *spec = NULL;
    if (n == 4 && !strncmp(arg, "file", 4)) {
        char *path = opt_value(props, "path");
        if (!path)
            usage_error("-chardev %s: path=FILE is required", arg);
        if (asprintf(&spec, "file:%s", path) < 0)
            fatal("out of memory");
        free(path);
    } else if ((n == 5 && !strncmp(arg, "stdio", 5)) || (n == 4 && !strncmp(arg, "null", 4))) {
        spec = strndup(arg, n);
    } else {
        usage_error("-chardev %s: unknown backend (file, stdio, null)", arg);
    }
    o->chardevs[o->nchardevs++] = (struct chardev_opt){ id, spec };
}

int main(int argc, char **argv)
{
    machine m;
    memset(&m, 0, sizeof(m));
    m.opts.ram_size = 128ull << 20;
    const char *logfile = NULL;

    for (int i = 1; i < argc; i++) {
        const char *opt = argv[i];
        if (opt[0] != '-' || !opt[1])
            usage_error("'%s': unexpected argument", opt);
        if (opt[1] == '-' && opt[2])
            opt++;                                   /* --foo is the same as -foo */
        const char *name = opt + 1;
        if (!strcmp(name, "h") || !strcmp(name, "help")) {
            usage();
            return 0;
        }
        if (!strcmp(name, "version")) {
            printf("tern version %s\n", TERN_VERSION);
            return 0;
        }
        if (!strcmp(name, "nographic")) {
            m.opts.nographic = true;
            continue;
        }
        if (!strcmp(name, "snapshot")) {
            m.opts.snapshot = true;
            continue;
        }
        if (!strcmp(name, "no-reboot")) {
            m.opts.no_reboot = true;
            continue;
        }
        static const char *const with_arg[] = {
            "M", "machine", "m", "bios", "kernel", "d", "D", "accel", "smp", "append", "initrd",
            "dtb", "serial", "drive", "device", "chardev", NULL,
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
            if (!strcmp(arg, "help")) {
                machine_class_list();
                return 0;
            }
            free((char *)m.opts.machine);
            m.opts.machine = split_props(arg, &m.opts.machine_props);
        } else if (!strcmp(name, "m")) {
            if (!parse_size(arg, &m.opts.ram_size))
                usage_error("-m %s: invalid size (examples: 512M, 2G)", arg);
            if (m.opts.ram_size < (1ull << 20) || m.opts.ram_size > (1ull << 40) ||
                (m.opts.ram_size & 0xfff))
                usage_error("-m %s: RAM size must be a multiple of 4 KiB between 1M and 1T", arg);
        } else if (!strcmp(name, "bios")) {
            m.opts.bios = arg;
        } else if (!strcmp(name, "kernel")) {
            m.opts.kernel = arg;
        } else if (!strcmp(name, "append")) {
            m.opts.append = arg;
        } else if (!strcmp(name, "initrd")) {
            m.opts.initrd = arg;
        } else if (!strcmp(name, "dtb")) {
            m.opts.dtb = arg;
        } else if (!strcmp(name, "drive")) {
            parse_drive(&m.opts, arg);
        } else if (!strcmp(name, "device")) {
            parse_device(&m.opts, arg);
        } else if (!strcmp(name, "chardev")) {
            parse_chardev(&m.opts, arg);
        } else if (!strcmp(name, "serial")) {
            m.opts.serial = arg;
        } else if (!strcmp(name, "d")) {
            if (!strcmp(arg, "help")) {
                log_print_help(stdout);
                return 0;
            }
            char bad[64];
            if (!log_parse_mask(arg, &log_mask, bad, sizeof(bad)))
                usage_error("-d: unknown log item '%s' (-d help lists them)", bad);
        } else if (!strcmp(name, "D")) {
            logfile = arg;
        } else if (!strcmp(name, "accel")) {
            if (!strcmp(arg, "help")) {
                accel_list(NULL);
                return 0;
            }
            free((char *)m.opts.accel);
            m.opts.accel = split_props(arg, &m.opts.accel_props);
        } else if (!strcmp(name, "smp")) {
            char *end;
            long n = strtol(!strncmp(arg, "cpus=", 5) ? arg + 5 : arg, &end, 10);
            if (*end || n < 1 || n > 512)
                usage_error("-smp %s: invalid number of CPUs", arg);
            m.opts.smp = (int)n;
        }
    }

    const char *mname = m.opts.machine ? m.opts.machine : "virt";
    m.cls = machine_class_find(mname);
    if (!m.cls)
        usage_error("-M %s: unknown machine (-M help lists them)", mname);
    int status;
    if (logfile && !log_open(logfile)) {
        error_report("-D %s: %s", logfile, strerror(errno));
        status = 2;
    } else {
        as_init(&m.as);
        as_init(&m.io);
        status = m.cls->init(&m) < 0 ? 2 : m.cls->run(&m);
        m.cls->destroy(&m);
    }
    free((char *)m.opts.machine);
    free((char *)m.opts.accel);
    for (int i = 0; i < m.opts.nchardevs; i++) {
        free((char *)m.opts.chardevs[i].id);
        free(m.opts.chardevs[i].spec);
    }
    for (int i = 0; i < m.opts.ndevices; i++)
        free((char *)m.opts.devices[i].chardev);
    for (int i = 0; i < m.opts.ndrives; i++)
        free((char *)m.opts.drives[i].file);
    fflush(stdout);
    if (log_file) {
        fclose(log_file);
        log_file = NULL;
    }
    return status;
}
