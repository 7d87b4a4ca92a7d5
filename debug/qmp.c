/*
 * QMP, the QEMU Machine Protocol (see qmp.h), as QEMU 7.2 speaks it: the greeting,
 * capabilities negotiation, one command table with argument checking, errors as
 * {"error": {"class", "desc"}} objects that leave the connection up, and events with
 * timestamps. Clients written for QEMU (the qemu.qmp library, libvirt-style scripts,
 * socat one-liners) drive tern unchanged.
 */
#include "debug/qmp.h"
#include "core/snapshot.h"
#include "core/snapshot_cmd.h"
#include "core/main_loop.h"
#include "debug/json.h"
#include "debug/monitor.h"
#include "accel/accel.h"
#include "accel/cpus.h"
#include "core/log.h"
#include "core/version.h"
#include "hw/pci/pci.h"
#include "net/net.h"
#include "ui/console.h"
#include "ui/display.h"
#include "ui/input.h"
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>

#define QMP_MAX_TEXT (1u << 20)

typedef struct qmp_session {
    machine *m;
    chardev *chr;
    json_stream *stream;
    bool pretty;
    bool command_mode;          /* qmp_capabilities done: commands and events */
    struct qmp_session *next;
} qmp_session;

static qmp_session *sessions;

/* ---- output ---- */

static void pretty_print(FILE *f, const json *j, int indent)
{
    json_type t = json_typeof(j);
    if (t == JSON_OBJECT || t == JSON_ARRAY) {
        size_t n = t == JSON_OBJECT ? json_object_len(j) : json_array_len(j);
        fputc(t == JSON_OBJECT ? '{' : '[', f);
        for (size_t i = 0; i < n; i++) {
            fprintf(f, "%s\n%*s", i ? "," : "", indent + 4, "");
            if (t == JSON_OBJECT) {
                size_t kl;
                const char *k = json_object_key_at(j, i, &kl);
                json *key = json_new_stringn(k, kl);
                char *ks = json_emit(key);
                fprintf(f, "%s: ", ks ? ks : "\"\"");
                free(ks);
                json_free(key);
                pretty_print(f, json_object_value_at(j, i), indent + 4);
            } else {
                pretty_print(f, json_array_at(j, i), indent + 4);
            }
        }
        if (n)
            fprintf(f, "\n%*s", indent, "");
        fputc(t == JSON_OBJECT ? '}' : ']', f);
        return;
    }
    char *s = json_emit(j);
    fputs(s ? s : "null", f);
    free(s);
}

static void send_json(qmp_session *s, json *j)
{
    if (!j)
        return;
    char *text = NULL;
    if (s->pretty) {
        size_t len;
        FILE *f = open_memstream(&text, &len);
        if (f) {
            pretty_print(f, j, 0);
            fclose(f);
        }
    } else {
        text = json_emit(j);
    }
    if (text) {
        chardev_write_text(s->chr, text);
        chardev_write_text(s->chr, "\n");
    }
    free(text);
    json_free(j);
}

static json *error_obj(const char *cls, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static json *error_obj(const char *cls, const char *fmt, ...)
{
    char desc[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(desc, sizeof(desc), fmt, ap);
    va_end(ap);
    return json_build("{'class': %s, 'desc': %s}", cls, desc);
}

/* ---- events ---- */

/* An event (with data, if not NULL) to every session in command mode. */
static void emit_event(const char *name, json *data)
{
    struct timeval tv;
    gettimeofday(&tv, NULL);
    for (qmp_session *s = sessions; s; s = s->next) {
        if (!s->command_mode || !chardev_connected(s->chr))
            continue;
        json *e = json_build("{'timestamp': {'seconds': %lld, 'microseconds': %lld}, 'event': %s}",
                             (long long)tv.tv_sec, (long long)tv.tv_usec, name);
        if (data) {
            char *text = json_emit(data);
            json_object_set(e, "data", json_parse(text, strlen(text), NULL, 0));
            free(text);
        }
        send_json(s, e);
    }
    json_free(data);
}

/* The machine's run-state events (cpus.h): RESET and SHUTDOWN say why. */
static void on_event(void *opaque, const char *name, bool guest, const char *reason)
{
    emit_event(name, reason ? json_build("{'guest': %b, 'reason': %s}", guest, reason) : NULL);
}

/* ---- arguments ---- */

typedef enum { ARG_STR, ARG_INT, ARG_BOOL, ARG_STR_LIST, ARG_LIST } arg_type;

typedef struct arg_spec {
    const char *name;
    arg_type type;
    bool optional;
} arg_spec;

static const char *type_word(arg_type t)
{
    switch (t) {
    case ARG_STR: return "string";
    case ARG_INT: return "integer";
    case ARG_BOOL: return "boolean";
    case ARG_STR_LIST: case ARG_LIST: return "array";
    }
    return "value";
}

/* QEMU's checks and words: unknown, missing and mistyped parameters. */
static json *check_args(const json *args, const arg_spec *spec)
{
    for (size_t i = 0; i < json_object_len(args); i++) {
        size_t kl;
        const char *k = json_object_key_at(args, i, &kl);
        bool known = false;
        for (const arg_spec *a = spec; a && a->name; a++)
            known |= strlen(a->name) == kl && !memcmp(a->name, k, kl);
        if (!known)
            return error_obj("GenericError", "Parameter '%.*s' is unexpected", (int)kl, k);
    }
    for (const arg_spec *a = spec; a && a->name; a++) {
        const json *v = json_get(args, a->name);
        if (!v) {
            if (!a->optional)
                return error_obj("GenericError", "Parameter '%s' is missing", a->name);
            continue;
        }
        json_type t = json_typeof(v);
        int64_t iv;
        bool ok = (a->type == ARG_STR && t == JSON_STRING) || (a->type == ARG_BOOL && t == JSON_BOOL) ||
                  (a->type == ARG_INT && json_int_value(v, &iv)) || ((a->type == ARG_STR_LIST || a->type == ARG_LIST) && t == JSON_ARRAY);
        if (a->type == ARG_STR_LIST && ok)
            for (size_t i = 0; i < json_array_len(v); i++)
                ok &= json_typeof(json_array_at(v, i)) == JSON_STRING;
        if (!ok)
            return error_obj("GenericError", "Invalid parameter type for '%s', expected: %s", a->name,
                             type_word(a->type));
    }
    return NULL;
}

/* ---- commands: each returns the "return" value or sets *err ---- */

typedef json *qmp_fn(qmp_session *s, const json *args, json **err);

static json *qmp_capabilities(qmp_session *s, const json *args, json **err)
{
    const json *en = json_get(args, "enable");
    if (en && json_array_len(en)) {
        *err = error_obj("GenericError", "Capability '%s' not available",
                         json_string_value(json_array_at(en, 0), NULL));
        return NULL;
    }
    s->command_mode = true;
    return json_new_object();
}

static json *query_version(qmp_session *s, const json *args, json **err)
{
    char pkg[64];
    snprintf(pkg, sizeof(pkg), "tern %s", TERN_VERSION);
    return json_build("{'qemu': {'micro': %d, 'minor': %d, 'major': %d}, 'package': %s}",
                      TERN_QEMU_MICRO, TERN_QEMU_MINOR, TERN_QEMU_MAJOR, pkg);
}

static json *query_status(qmp_session *s, const json *args, json **err)
{
    return json_build("{'status': %s, 'singlestep': false, 'running': %b}", run_state_name(vm_state()),
                      vm_running());
}

static json *query_name(qmp_session *s, const json *args, json **err)
{
    json *r = json_new_object();
    if (s->m->name)
        json_object_set(r, "name", json_new_string(s->m->name));
    return r;
}

static json *query_kvm(qmp_session *s, const json *args, json **err)
{
    bool kvm = s->m->accel && !strcmp(s->m->accel->name, "kvm");
    return json_build("{'enabled': %b, 'present': %b}", kvm, kvm);
}

static const char *target_arch(machine *m)
{
    return m->accel && !strcmp(m->accel->arch, "x86_64") ? "x86_64" : "riscv64";
}

static json *query_target(qmp_session *s, const json *args, json **err)
{
    return json_build("{'arch': %s}", target_arch(s->m));
}

static json *query_cpus_fast(qmp_session *s, const json *args, json **err)
{
    machine *m = s->m;
    json *list = json_new_array();
    bool riscv = !strcmp(target_arch(m), "riscv64");
    for (unsigned i = 0; i < m->ncpus; i++) {
        int tid = m->vcpus[i] && m->accel->thread_id ? m->accel->thread_id(m->vcpus[i]) : 0;
        char path[96];
        if (riscv)
            snprintf(path, sizeof(path), "/machine/soc0/harts[%u]", i);
        else
            snprintf(path, sizeof(path), "/machine/unattached/device[%u]", i);
        json_array_append(list, json_build("{'thread-id': %d, 'props': {'core-id': %u, 'thread-id': 0, "
                                           "'socket-id': 0}, 'qom-path': %s, 'cpu-index': %u, 'target': %s}",
                                           tid, i, path, i, target_arch(m)));
    }
    return list;
}

/* QEMU's PciInfo: bus 0 with every function, its IDs, interrupt and BARs */
static json *query_pci(qmp_session *s, const json *args, json **err)
{
    machine *m = s->m;
    json *list = json_new_array();
    if (!m->pci)
        return list;
    json *devs = json_new_array();
    for (unsigned f = 0; f < PCI_MAX_DEVFN; f++) {
        pci_dev *d = m->pci->devs[f];
        if (!d)
            continue;
        uint32_t cls = (d->config[PCI_CLASS_PROG] | (uint32_t)d->config[PCI_CLASS_DEVICE] << 8 |
                        (uint32_t)d->config[PCI_CLASS_DEVICE + 1] << 16);
        uint16_t vid, did, svid, sid;
        memcpy(&vid, d->config + PCI_VENDOR_ID, 2);
        memcpy(&did, d->config + PCI_DEVICE_ID, 2);
        memcpy(&svid, d->config + PCI_SUBSYS_VENDOR, 2);
        memcpy(&sid, d->config + PCI_SUBSYS_ID, 2);
        json *regions = json_new_array();
        for (int i = 0; i < PCI_NUM_BARS; i++) {
            pci_bar *b = &d->bars[i];
            if (!b->size)
                continue;
            uint64_t a = pci_bar_address(d, i);
            if (b->kind == PCI_BAR_IO)
                json_array_append(regions, json_build("{'bar': %d, 'type': 'io', 'address': %llu, 'size': %llu}",
                                                      i, (unsigned long long)a, (unsigned long long)b->size));
            else
                json_array_append(regions, json_build("{'bar': %d, 'type': 'memory', 'address': %llu, 'size': %llu, "
                                                      "'prefetch': %b, 'mem_type_64': %b}", i,
                                                      (unsigned long long)a, (unsigned long long)b->size,
                                                      b->prefetch, b->kind == PCI_BAR_MEM64));
            if (b->kind == PCI_BAR_MEM64)
                i++;
        }
        json *dev = json_build("{'bus': 0, 'slot': %u, 'function': %u, "
                               "'class_info': {'desc': %s, 'class': %u}, "
                               "'id': {'device': %u, 'vendor': %u, 'subsystem': %u, 'subsystem-vendor': %u}, "
                               "'qdev_id': %s, 'regions': %j}",
                               f >> 3, f & 7, pci_class_name(cls), cls >> 8, did, vid, sid, svid,
                               d->qdev_id ? d->qdev_id : "", regions);
        if (d->config[PCI_INTERRUPT_PIN]) {
            json_object_set(dev, "irq", json_new_int(d->config[PCI_INTERRUPT_LINE]));
            json_object_set(dev, "irq_pin", json_new_int(d->config[PCI_INTERRUPT_PIN]));
        }
        json_array_append(devs, dev);
    }
    json_array_append(list, json_build("{'bus': 0, 'devices': %j}", devs));
    return list;
}

static json *qmp_stop(qmp_session *s, const json *args, json **err)
{
    vm_stop(s->m, RUN_STATE_PAUSED);
    return json_new_object();
}

static json *qmp_cont(qmp_session *s, const json *args, json **err)
{
    run_state st = vm_state();
    if (st == RUN_STATE_SHUTDOWN || st == RUN_STATE_INTERNAL_ERROR) {
        *err = error_obj("GenericError", "Resetting the Virtual Machine is required");
        return NULL;
    }
    vm_start(s->m);
    return json_new_object();
}

static json *qmp_system_reset(qmp_session *s, const json *args, json **err)
{
    vm_request_reset(false, "host-qmp-system-reset");
    return json_new_object();
}

static json *qmp_system_powerdown(qmp_session *s, const json *args, json **err)
{
    vm_request_powerdown(s->m);
    return json_new_object();
}

static json *qmp_quit(qmp_session *s, const json *args, json **err)
{
    vm_request_shutdown(0, false, "host-qmp-quit");
    return json_new_object();
}

static json *human_monitor_command(qmp_session *s, const json *args, json **err)
{
    const char *line = NULL;
    json_get_str(args, "command-line", &line);
    int64_t cpu = 0;
    if (json_get(args, "cpu-index")) {
        json_get_int(args, "cpu-index", &cpu);
        if (cpu < 0 || (uint64_t)cpu >= s->m->ncpus) {
            *err = error_obj("GenericError", "Parameter 'cpu-index' expects a valid CPU index");
            return NULL;
        }
    }
    char *out = hmp_run_capture(s->m, line ? line : "", (unsigned)cpu);
    json *r = json_new_string(out);
    free(out);
    return r;
}

/* set_link {name, up}: a NIC's name or a netdev's id */
static json *qmp_set_link(qmp_session *s, const json *args, json **err)
{
    const char *name = NULL;
    bool up = true;
    json_get_str(args, "name", &name);
    json_get_bool(args, "up", &up);
    big_lock();
    bool found = net_set_link(name, up);
    big_unlock();
    if (!found) {
        *err = error_obj("DeviceNotFound", "Device '%s' not found", name);
        return NULL;
    }
    return json_new_object();
}

static json *qmp_screendump(qmp_session *s, const json *args, json **err)
{
    const char *file = NULL, *device = NULL, *format = NULL;
    int64_t head = 0;
    json_get_str(args, "filename", &file);
    json_get_str(args, "device", &device);
    json_get_str(args, "format", &format);
    if (json_get(args, "head"))
        json_get_int(args, "head", &head);
    int index = -1;
    char msg[512];
    if (device && (index = console_find(device)) < 0) {
        snprintf(msg, sizeof(msg), "Device '%s' not found", device);
        *err = error_obj("DeviceNotFound", "%s", msg);
        return NULL;
    }
    if (head != 0) {
        snprintf(msg, sizeof(msg), "Head '%lld' not found", (long long)head);
        *err = error_obj("GenericError", "%s", msg);
        return NULL;
    }
    if (format && strcmp(format, "ppm") && strcmp(format, "png")) {
        snprintf(msg, sizeof(msg), "Parameter 'format' does not accept value '%s'", format);
        *err = error_obj("GenericError", "%s", msg);
        return NULL;
    }
    if (!console_screendump(index, file, format, msg, sizeof(msg))) {
        *err = error_obj("GenericError", "%s", msg);
        return NULL;
    }
    return json_new_object();
}

/* A KeyValue: {"type": "qcode", "data": "ctrl"} or {"type": "number", "data": 29}. */
static int key_value(const json *kv, json **err)
{
    const char *type = NULL, *name = NULL;
    int64_t num = -1;
    int code = -1;
    json_get_str(kv, "type", &type);
    if (type && !strcmp(type, "qcode") && json_get_str(kv, "data", &name))
        code = input_qcode_to_key(name);
    else if (type && !strcmp(type, "number") && json_get_int(kv, "data", &num))
        code = num >= 0 && num < 256 ? input_number_to_key((int)num) : -1;
    else {
        *err = error_obj("GenericError", "Invalid parameter type for 'key', expected: KeyValue");
        return -1;
    }
    if (code < 0)
        *err = name ? error_obj("GenericError", "Parameter 'data' does not accept value '%s'", name)
                    : error_obj("GenericError", "Key number %lld is not mapped", (long long)num);
    return code;
}

static json *qmp_send_key(qmp_session *s, const json *args, json **err)
{
    const json *keys = json_get(args, "keys");
    int64_t hold = 100;
    if (json_get(args, "hold-time"))
        json_get_int(args, "hold-time", &hold);
    uint16_t codes[16];
    size_t n = json_array_len(keys);
    if (n == 0 || n > 16) {
        *err = error_obj("GenericError", "Parameter 'keys' expects 1 to 16 keys");
        return NULL;
    }
    for (size_t i = 0; i < n; i++) {
        int c = key_value(json_array_at(keys, i), err);
        if (c < 0)
            return NULL;
        codes[i] = (uint16_t)c;
    }
    input_send_keys(codes, (unsigned)n, hold < 0 ? 0 : hold > 60000 ? 60000 : (unsigned)hold);
    return json_new_object();
}

/* input-send-event: key, btn, rel and abs events, then one SYN_REPORT, as QEMU's. */
static json *qmp_input_send_event(qmp_session *s, const json *args, json **err)
{
    static const struct { const char *name; uint16_t btn; } buttons[] = {
        { "left", INPUT_BTN_LEFT }, { "right", INPUT_BTN_RIGHT }, { "middle", INPUT_BTN_MIDDLE },
        { "side", INPUT_BTN_SIDE }, { "extra", INPUT_BTN_EXTRA },
    };
    const json *events = json_get(args, "events");
    /* all checked before any is sent: a bad list sends nothing */
    for (int pass = 0; pass < 2; pass++) {
        for (size_t i = 0; i < json_array_len(events); i++) {
            const json *ev = json_array_at(events, i), *data = json_get(ev, "data");
            const char *type = NULL, *axis = NULL, *button = NULL;
            bool down = false;
            int64_t value = 0;
            json_get_str(ev, "type", &type);
            if (!type || !data) {
                *err = error_obj("GenericError", "Invalid parameter type for 'events', expected: InputEvent");
                return NULL;
            }
            if (!strcmp(type, "key")) {
                int code = key_value(json_get(data, "key"), err);
                if (code < 0 || !json_get_bool(data, "down", &down)) {
                    if (!*err)
                        *err = error_obj("GenericError", "Parameter 'down' is missing");
                    return NULL;
                }
                if (pass)
                    input_send_key((uint16_t)code, down);
            } else if (!strcmp(type, "btn")) {
                json_get_str(data, "button", &button);
                if (!json_get_bool(data, "down", &down) || !button) {
                    *err = error_obj("GenericError", "Parameters 'button' and 'down' are required");
                    return NULL;
                }
                if (!strcmp(button, "wheel-up") || !strcmp(button, "wheel-down")) {
                    if (pass && down)
                        input_send_rel(0, 0, !strcmp(button, "wheel-up") ? 1 : -1);
                    continue;
                }
                size_t b = 0;
                while (b < sizeof(buttons) / sizeof(buttons[0]) && strcmp(buttons[b].name, button))
                    b++;
                if (b == sizeof(buttons) / sizeof(buttons[0])) {
                    *err = error_obj("GenericError", "Parameter 'button' does not accept value '%s'", button);
                    return NULL;
                }
                if (pass)
                    input_send_button(buttons[b].btn, down);
            } else if (!strcmp(type, "rel") || !strcmp(type, "abs")) {
                json_get_str(data, "axis", &axis);
                if (!axis || (strcmp(axis, "x") && strcmp(axis, "y")) || !json_get_int(data, "value", &value)) {
                    *err = error_obj("GenericError", "Parameters 'axis' (x or y) and 'value' are required");
                    return NULL;
                }
                if (!pass)
                    continue;
                bool x = !strcmp(axis, "x");
                int32_t v = value < INT32_MIN ? INT32_MIN : value > INT32_MAX ? INT32_MAX : (int32_t)value;
                if (!strcmp(type, "rel"))
                    input_send_rel(x ? v : 0, x ? 0 : v, 0);
                else
                    input_send_abs_axis(x ? INPUT_ABS_X : INPUT_ABS_Y, v < 0 ? 0 : (uint32_t)v);
            } else {
                *err = error_obj("GenericError", "Parameter 'type' does not accept value '%s'", type);
                return NULL;
            }
        }
    }
    input_sync();
    return json_new_object();
}

/* tern's own (x-, as QEMU marks what is not a stable interface): how many pictures the
 * window has shown, for bench/display */
static json *x_query_display(qmp_session *s, const json *args, json **err)
{
    json *r = json_new_object();
    json_object_set(r, "frames", json_new_int((int64_t)display_sdl_frames()));
    json_object_set(r, "consoles", json_new_int((int64_t)console_count()));
    return r;
}

static json *query_commands(qmp_session *s, const json *args, json **err);

static const arg_spec no_args[] = { { NULL, ARG_STR, false } };
static const char *arg_str(const json *args, const char *key)
{
    const char *v = NULL;
    return json_get_str(args, key, &v) ? v : NULL;
}

/* ---- snapshots: migrate to a file, and QEMU 6.0's snapshot jobs ---- */

static json *qmp_migrate(qmp_session *s, const json *args, json **err)
{
    char e[1200];
    if (snapcmd_migrate(s->m, arg_str(args, "uri"), e, sizeof(e)) < 0) {
        *err = error_obj("GenericError", "%s", e);
        return NULL;
    }
    return json_new_object();
}

static json *query_migrate(qmp_session *s, const json *args, json **err)
{
    const snapshot_stats *st = snapshot_last_stats();
    if (!st->total_ns)
        return json_new_object();
    json *r = json_build("{'status': %s, 'total-time': %llu}", st->ok ? "completed" : "failed",
                         (unsigned long long)(st->total_ns / 1000000));
    json_object_set(r, "ram", json_build("{'total': %llu, 'transferred': %llu, 'normal': %llu, 'normal-bytes': %llu}",
                                         (unsigned long long)st->ram_bytes, (unsigned long long)st->file_bytes,
                                         (unsigned long long)(st->ram_written / 4096),
                                         (unsigned long long)st->ram_written));
    return r;
}

static json *migrate_set_parameters(qmp_session *s, const json *args, json **err)
{
    const char *c = arg_str(args, "multifd-compression");
    if (c && strcmp(c, "zstd") && strcmp(c, "none")) {
        *err = error_obj("GenericError", "multifd-compression: tern has 'zstd' and 'none'");
        return NULL;
    }
    if (c)
        snapcmd_set_compress(!strcmp(c, "zstd"));
    return json_new_object();
}

/* Jobs: a snapshot job runs on the main loop after the command has returned, and says
 * so with JOB_STATUS_CHANGE events (created, running, waiting, pending, concluded), as
 * QEMU's; it stays concluded, with its error if any, until job-dismiss. */
typedef struct snap_job {
    char id[128], tag[256], type[32];
    const char *status;
    char error[600];
    machine *m;
    struct snap_job *next;
} snap_job;
static snap_job *jobs;

static void job_status(snap_job *j, const char *status)
{
    j->status = status;
    emit_event("JOB_STATUS_CHANGE", json_build("{'id': %s, 'status': %s}", j->id, status));
}

static void job_run(void *opaque)
{
    snap_job *j = opaque;
    job_status(j, "running");
    int r;
    if (!strcmp(j->type, "snapshot-save"))
        r = snapcmd_savevm(j->m, j->tag, j->error, sizeof(j->error));
    else if (!strcmp(j->type, "snapshot-load"))
        r = snapcmd_loadvm(j->m, j->tag, j->error, sizeof(j->error));
    else
        r = snapcmd_delvm(j->tag, j->error, sizeof(j->error));
    if (r == 0) {
        j->error[0] = 0;
        job_status(j, "waiting");
        job_status(j, "pending");
    } else {
        job_status(j, "aborting");       /* as QEMU's failed jobs */
    }
    job_status(j, "concluded");
}

static json *start_job(qmp_session *s, const json *args, json **err, const char *type)
{
    const char *id = arg_str(args, "job-id"), *tag = arg_str(args, "tag");
    for (snap_job *j = jobs; j; j = j->next)
        if (!strcmp(j->id, id)) {
            *err = error_obj("GenericError", "Job ID '%s' already in use", id);
            return NULL;
        }
    if (strlen(id) >= sizeof(jobs->id) || strlen(tag) >= sizeof(jobs->tag) || !*id) {
        *err = error_obj("GenericError", "job-id or tag too long or empty");
        return NULL;
    }
    snap_job *j = calloc(1, sizeof(*j));
    if (!j)
        fatal("out of memory");
    snprintf(j->id, sizeof(j->id), "%s", id);
    snprintf(j->tag, sizeof(j->tag), "%s", tag);
    snprintf(j->type, sizeof(j->type), "%s", type);
    j->m = s->m;
    j->next = jobs;
    jobs = j;
    job_status(j, "created");
    main_loop_call(job_run, j);
    return json_new_object();
}

static json *snapshot_save_cmd(qmp_session *s, const json *args, json **err)
{
    return start_job(s, args, err, "snapshot-save");
}

static json *snapshot_load_cmd(qmp_session *s, const json *args, json **err)
{
    return start_job(s, args, err, "snapshot-load");
}

static json *snapshot_delete_cmd(qmp_session *s, const json *args, json **err)
{
    return start_job(s, args, err, "snapshot-delete");
}

static json *query_jobs(qmp_session *s, const json *args, json **err)
{
    json *r = json_new_array();
    for (snap_job *j = jobs; j; j = j->next) {
        json *o = json_build("{'id': %s, 'type': %s, 'status': %s, 'current-progress': 1, 'total-progress': 1}",
                             j->id, j->type, j->status);
        if (j->error[0] && !strcmp(j->status, "concluded"))
            json_object_set(o, "error", json_new_string(j->error));
        json_array_append(r, o);
    }
    return r;
}

static json *job_dismiss(qmp_session *s, const json *args, json **err)
{
    const char *id = arg_str(args, "id");
    for (snap_job **p = &jobs; *p; p = &(*p)->next) {
        snap_job *j = *p;
        if (strcmp(j->id, id))
            continue;
        if (strcmp(j->status, "concluded")) {
            *err = error_obj("GenericError", "Job '%s' in state '%s' cannot accept command verb 'dismiss'", id, j->status);
            return NULL;
        }
        *p = j->next;
        job_status(j, "null");
        free(j);
        return json_new_object();
    }
    *err = error_obj("GenericError", "Job not found");
    return NULL;
}

static const arg_spec caps_args[] = { { "enable", ARG_STR_LIST, true }, { NULL, ARG_STR, false } };
static const arg_spec screendump_args[] = { { "filename", ARG_STR, false }, { "device", ARG_STR, true },
                                            { "head", ARG_INT, true }, { "format", ARG_STR, true },
                                            { NULL, ARG_STR, false } };
static const arg_spec send_key_args[] = { { "keys", ARG_LIST, false }, { "hold-time", ARG_INT, true },
                                          { NULL, ARG_STR, false } };
static const arg_spec input_event_args[] = { { "events", ARG_LIST, false }, { "device", ARG_STR, true },
                                             { "head", ARG_INT, true }, { NULL, ARG_STR, false } };
static const arg_spec set_link_args[] = { { "name", ARG_STR, false }, { "up", ARG_BOOL, false },
                                         { NULL, ARG_STR, false } };
static const arg_spec migrate_args[] = { { "uri", ARG_STR, false }, { "detach", ARG_BOOL, true },
                                        { "blk", ARG_BOOL, true }, { "inc", ARG_BOOL, true },
                                        { "resume", ARG_BOOL, true }, { NULL, ARG_STR, false } };
static const arg_spec migrate_params_args[] = { { "multifd-compression", ARG_STR, true },
                                                { "multifd-zstd-level", ARG_INT, true },
                                                { "multifd-channels", ARG_INT, true }, { NULL, ARG_STR, false } };
static const arg_spec snap_save_args[] = { { "job-id", ARG_STR, false }, { "tag", ARG_STR, false },
                                           { "vmstate", ARG_STR, false }, { "devices", ARG_STR_LIST, false },
                                           { NULL, ARG_STR, false } };
static const arg_spec snap_delete_args[] = { { "job-id", ARG_STR, false }, { "tag", ARG_STR, false },
                                             { "devices", ARG_STR_LIST, false }, { NULL, ARG_STR, false } };
static const arg_spec job_id_args[] = { { "id", ARG_STR, false }, { NULL, ARG_STR, false } };
static const arg_spec hmc_args[] = { { "command-line", ARG_STR, false }, { "cpu-index", ARG_INT, true },
                                     { NULL, ARG_STR, false } };

static const struct qmp_cmd {
    const char *name;
    qmp_fn *fn;
    const arg_spec *args;
} qmp_cmds[] = {
    { "qmp_capabilities", qmp_capabilities, caps_args },
    { "query-version", query_version, no_args },
    { "query-status", query_status, no_args },
    { "query-commands", query_commands, no_args },
    { "query-cpus-fast", query_cpus_fast, no_args },
    { "query-name", query_name, no_args },
    { "query-kvm", query_kvm, no_args },
    { "query-target", query_target, no_args },
    { "query-pci", query_pci, no_args },
    { "stop", qmp_stop, no_args },
    { "cont", qmp_cont, no_args },
    { "system_reset", qmp_system_reset, no_args },
    { "system_powerdown", qmp_system_powerdown, no_args },
    { "quit", qmp_quit, no_args },
    { "screendump", qmp_screendump, screendump_args },
    { "x-query-display", x_query_display, no_args },
    { "send-key", qmp_send_key, send_key_args },
    { "input-send-event", qmp_input_send_event, input_event_args },
    { "set_link", qmp_set_link, set_link_args },
    { "human-monitor-command", human_monitor_command, hmc_args },
    { "migrate", qmp_migrate, migrate_args },
    { "query-migrate", query_migrate, no_args },
    { "migrate-set-parameters", migrate_set_parameters, migrate_params_args },
    { "snapshot-save", snapshot_save_cmd, snap_save_args },
    { "snapshot-load", snapshot_load_cmd, snap_save_args },
    { "snapshot-delete", snapshot_delete_cmd, snap_delete_args },
    { "query-jobs", query_jobs, no_args },
    { "job-dismiss", job_dismiss, job_id_args },
};

static json *query_commands(qmp_session *s, const json *args, json **err)
{
    json *list = json_new_array();
    for (size_t i = 0; i < sizeof(qmp_cmds) / sizeof(qmp_cmds[0]); i++)
        json_array_append(list, json_build("{'name': %s}", qmp_cmds[i].name));
    return list;
}

/* ---- dispatch ---- */

static json *clone(const json *j)
{
    char *t = json_emit(j);
    json *r = t ? json_parse(t, strlen(t), NULL, 0) : NULL;
    free(t);
    return r;
}

static void reply_error(qmp_session *s, const json *id, json *err)
{
    json *r = json_new_object();
    json_object_set(r, "error", err);
    if (id)
        json_object_set(r, "id", clone(id));
    send_json(s, r);
}

static void handle(qmp_session *s, const json *msg)
{
    if (json_typeof(msg) != JSON_OBJECT) {
        reply_error(s, NULL, error_obj("GenericError", "QMP input must be a JSON object"));
        return;
    }
    const json *id = json_get(msg, "id");
    for (size_t i = 0; i < json_object_len(msg); i++) {
        size_t kl;
        const char *k = json_object_key_at(msg, i, &kl);
        if (!((kl == 7 && !memcmp(k, "execute", 7)) || (kl == 9 && !memcmp(k, "arguments", 9)) ||
              (kl == 2 && !memcmp(k, "id", 2)))) {
            reply_error(s, id, error_obj("GenericError", "QMP input member '%.*s' is unexpected", (int)kl, k));
            return;
        }
    }
    const json *exec = json_get(msg, "execute");
    const char *name;
    if (!exec) {
        reply_error(s, id, error_obj("GenericError", "QMP input lacks member 'execute'"));
        return;
    }
    if (!(name = json_string_value(exec, NULL)) || json_typeof(exec) != JSON_STRING) {
        reply_error(s, id, error_obj("GenericError", "QMP input member 'execute' must be a string"));
        return;
    }
    const json *args = json_get(msg, "arguments");
    if (args && json_typeof(args) != JSON_OBJECT) {
        reply_error(s, id, error_obj("GenericError", "QMP input member 'arguments' must be an object"));
        return;
    }
    bool caps = !strcmp(name, "qmp_capabilities");
    if (!s->command_mode && !caps) {
        reply_error(s, id, error_obj("CommandNotFound",
                                     "Expecting capabilities negotiation with 'qmp_capabilities'"));
        return;
    }
    if (s->command_mode && caps) {
        reply_error(s, id, error_obj("CommandNotFound",
                                     "Capabilities negotiation is already complete, command ignored"));
        return;
    }
    const struct qmp_cmd *c = NULL;
    for (size_t i = 0; i < sizeof(qmp_cmds) / sizeof(qmp_cmds[0]); i++)
        if (!strcmp(qmp_cmds[i].name, name))
            c = &qmp_cmds[i];
    if (!c) {
        reply_error(s, id, error_obj("CommandNotFound", "The command %s has not been found", name));
        return;
    }
    json *empty = NULL;
    if (!args)
        args = empty = json_new_object();
    json *err = check_args(args, c->args);
    json *ret = NULL;
    if (!err)
        ret = c->fn(s, args, &err);
    json_free(empty);
    if (err) {
        reply_error(s, id, err);
        return;
    }
    json *r = json_new_object();
    json_object_set(r, "return", ret);
    if (id)
        json_object_set(r, "id", clone(id));
    send_json(s, r);
}

static void on_message(void *opaque, json *value, const char *error)
{
    qmp_session *s = opaque;
    if (error)
        reply_error(s, NULL, error_obj("GenericError", "JSON parse error, %s", error));
    else
        handle(s, value);
    json_free(value);
}

/* ---- the session on its chardev ---- */

static void greet(qmp_session *s)
{
    char pkg[64];
    snprintf(pkg, sizeof(pkg), "tern %s", TERN_VERSION);
    send_json(s, json_build("{'QMP': {'version': {'qemu': {'micro': %d, 'minor': %d, 'major': %d}, "
                            "'package': %s}, 'capabilities': []}}",
                            TERN_QEMU_MICRO, TERN_QEMU_MINOR, TERN_QEMU_MAJOR, pkg));
}

static size_t qmp_can_rx(void *opaque)
{
    return 4096;
}

static void qmp_rx(void *opaque, uint8_t b)
{
    qmp_session *s = opaque;
    char c = (char)b;
    json_stream_feed(s->stream, &c, 1, on_message, s);
}

static void qmp_event(void *opaque, int event)
{
    qmp_session *s = opaque;
    if (event == CHR_EVENT_OPENED || event == CHR_EVENT_MUX_IN) {
        /* a new client starts over: greeting, negotiation, empty input */
        json_stream_free(s->stream);
        s->stream = json_stream_new(QMP_MAX_TEXT);
        if (!s->stream)
            fatal("out of memory");
        s->command_mode = false;
        greet(s);
    } else if (event == CHR_EVENT_CLOSED) {
        s->command_mode = false;
    }
}

bool qmp_open(machine *m, chardev *c, bool pretty, char *err, size_t errsize)
{
    static bool listening;
    if (!listening) {
        vm_add_event_listener(on_event, NULL);
        listening = true;
    }
    qmp_session *s = calloc(1, sizeof(*s));
    if (!s)
        fatal("out of memory");
    s->m = m;
    s->chr = c;
    s->pretty = pretty;
    s->stream = json_stream_new(QMP_MAX_TEXT);
    if (!s->stream)
        fatal("out of memory");
    s->next = sessions;
    sessions = s;
    if (!chardev_attach(c, qmp_can_rx, qmp_rx, qmp_event, s, err, errsize)) {
        sessions = s->next;
        json_stream_free(s->stream);
        free(s);
        return false;
    }
    return true;
}

void qmp_close_all(void)
{
    while (sessions) {
        qmp_session *s = sessions;
        sessions = s->next;
        chardev_detach(s->chr, s);
        json_stream_free(s->stream);
        free(s);
    }
}
