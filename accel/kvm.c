/*
 * The `kvm` accelerator (see kvm.h). Each vCPU thread loops on KVM_RUN and serves the
 * exits that reach user space: port I/O and MMIO go to tern's devices (the board's I/O
 * and memory address spaces, under the big lock like every device callback), a triple
 * fault or a system event resets or ends the machine. A kick sets the run structure's
 * immediate_exit and sends the thread SIGUSR1, so KVM_RUN returns at once whether the
 * thread is inside it or about to enter it.
 */
#include "accel/kvm.h"
#include "accel/accel.h"
#include "accel/vcpu_ctl.h"
#include "cpu/x86/cpuid.h"
#include "core/clock.h"
#include "core/log.h"
#include "core/memory.h"
#include "hw/misc/test_finisher.h"
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#define KICK_SIGNAL SIGUSR1
/* where KVM puts the real-mode TSS and identity map it needs on Intel hosts: just
 * below the BIOS area at the top of 4 GiB, clear of RAM and MMIO */
#define TSS_ADDR 0xfffbd000ull
#define IDENTITY_MAP_ADDR 0xfffbc000ull

struct kvm_vm {
    int kvm_fd, vm_fd;
    int run_size;
    unsigned max_vcpus;
    unsigned nslots;
    struct kvm_cpuid2 *cpuid;         /* what the host supports */
    struct kvm_msr_list *msr_list;    /* the MSRs KVM saves and restores */
    uint64_t clock;                   /* kvmclock at the last stop */
    bool clock_saved;
    /* the RAM slots (0..nslots-1), and whether KVM logs the guest's writes to them */
#define KVM_MAX_RAM_SLOTS 8
    struct { uint64_t gpa, size; void *host; } ram[KVM_MAX_RAM_SLOTS];
    bool ram_logged;
    bool guest_debug;                 /* KVM_CAP_SET_GUEST_DEBUG: gdb can debug the guest */
};

struct vcpu {
    x86_cpu *cpu;
    kvm_vm *vm;
    int fd;
    struct kvm_run *run;
    vcpu_ctl ctl;
    bool step;                  /* the debugger asked for one instruction */
    bool debug_pending;         /* the debug registers changed while it ran (under ctl.lock) */
};

/* ---- the debugger: breakpoints and watchpoints in the four debug registers ---- */

static struct { bool used; uint64_t addr; int type; uint64_t len; } hw_slots[4];

bool kvm_debug_insert(int type, uint64_t addr, uint64_t len)
{
    /* Z0/Z1 both become hardware breakpoints (guest memory is never patched); x86 has
     * no read-only watchpoint; lengths 1, 2, 4, 8, aligned */
    if (type < 0 || type > 4 || type == 3)
        return false;
    if (type >= 2 && ((len != 1 && len != 2 && len != 4 && len != 8) || (addr & (len - 1))))
        return false;
    for (int i = 0; i < 4; i++) {
        if (!hw_slots[i].used) {
            hw_slots[i].used = true;
            hw_slots[i].addr = addr;
            hw_slots[i].type = type <= 1 ? 0 : type;
            hw_slots[i].len = type <= 1 ? 1 : len;
            return true;
        }
    }
    return false;
}

bool kvm_debug_remove(int type, uint64_t addr, uint64_t len)
{
    int t = type <= 1 ? 0 : type;
    for (int i = 0; i < 4; i++) {
        if (hw_slots[i].used && hw_slots[i].addr == addr && hw_slots[i].type == t &&
            (t == 0 || hw_slots[i].len == len)) {
            hw_slots[i].used = false;
            return true;
        }
    }
    return false;
}

void kvm_debug_remove_all(void)
{
    memset(hw_slots, 0, sizeof(hw_slots));
}

/* Give this vCPU the debug registers and the step flag. */
static bool apply_guest_debug(vcpu *v)
{
    struct kvm_guest_debug dbg;
    memset(&dbg, 0, sizeof(dbg));
    uint64_t dr7 = 0x600;          /* as QEMU: GE and the reserved bit */
    bool any = false;
    for (int i = 0; i < 4; i++) {
        if (!hw_slots[i].used)
            continue;
        any = true;
        dbg.arch.debugreg[i] = hw_slots[i].addr;
        uint64_t rw = hw_slots[i].type == 0 ? 0 : hw_slots[i].type == 2 ? 1 : 3;
        uint64_t ln = hw_slots[i].len == 1 ? 0 : hw_slots[i].len == 2 ? 1 : hw_slots[i].len == 8 ? 2 : 3;
        dr7 |= (2ull << (i * 2)) | (rw << (16 + i * 4)) | (ln << (18 + i * 4));
    }
    if (any || v->step) {
        dbg.control = KVM_GUESTDBG_ENABLE | (any ? KVM_GUESTDBG_USE_HW_BP : 0) |
                      (v->step ? KVM_GUESTDBG_SINGLESTEP : 0);
        dbg.arch.debugreg[7] = dr7;
    }
    return ioctl(v->fd, KVM_SET_GUEST_DEBUG, &dbg) == 0;
}

/* A debug exit: what it was for, told to the debugger; the vCPU parks. */
static void debug_exit(vcpu *v)
{
    struct kvm_debug_exit_arch *a = &v->run->debug.arch;
    int reason = ACCEL_DBG_STEP;
    uint64_t addr = a->pc;
    if (a->exception == 1) {
        for (int i = 0; i < 4; i++) {
            if ((a->dr6 & (1u << i)) && hw_slots[i].used) {
                reason = hw_slots[i].type == 0 ? ACCEL_DBG_BREAK
                         : hw_slots[i].type == 2 ? ACCEL_DBG_WATCH_WRITE : ACCEL_DBG_WATCH_ACCESS;
                addr = hw_slots[i].addr;
                break;
            }
        }
    } else if (a->exception == 3) {
        reason = ACCEL_DBG_BREAK;
    }
    if (v->step) {
        v->step = false;
        apply_guest_debug(v);
    }
    pthread_mutex_lock(&v->ctl.lock);
    v->ctl.pause_req = true;
    pthread_mutex_unlock(&v->ctl.lock);
    accel_debug_report(v->cpu->index, reason, addr);
}

/* ---- the VM ---- */


static const struct { int cap; const char *name; } required_caps[] = {
    { KVM_CAP_USER_MEMORY, "user memory slots" },
    { KVM_CAP_IRQCHIP, "an in-kernel interrupt controller" },
    { KVM_CAP_PIT2, "an in-kernel PIT" },
    { KVM_CAP_EXT_CPUID, "CPUID configuration" },
    { KVM_CAP_SET_TSS_ADDR, "KVM_SET_TSS_ADDR" },
    { KVM_CAP_IMMEDIATE_EXIT, "immediate exits" },
    { KVM_CAP_XSAVE, "XSAVE state" },
    { KVM_CAP_XCRS, "XCR state" },
    { KVM_CAP_VCPU_EVENTS, "vCPU event state" },
    { KVM_CAP_SIGNAL_MSI, "message-signalled interrupts (KVM_SIGNAL_MSI)" },
};

static struct kvm_cpuid2 *get_supported_cpuid(int kvm_fd)
{
    for (unsigned n = 64; n <= 4096; n *= 2) {
        struct kvm_cpuid2 *c = calloc(1, sizeof(*c) + n * sizeof(struct kvm_cpuid_entry2));
        if (!c)
            fatal("out of memory");
        c->nent = n;
        if (ioctl(kvm_fd, KVM_GET_SUPPORTED_CPUID, c) == 0)
            return c;
        free(c);
        if (errno != E2BIG)
            return NULL;
    }
    return NULL;
}

static struct kvm_msr_list *get_msr_list(int kvm_fd)
{
    struct kvm_msr_list probe = { .nmsrs = 0 };
    if (ioctl(kvm_fd, KVM_GET_MSR_INDEX_LIST, &probe) < 0 && errno != E2BIG)
        return NULL;
    struct kvm_msr_list *l = calloc(1, sizeof(*l) + probe.nmsrs * sizeof(uint32_t));
    if (!l)
        fatal("out of memory");
    l->nmsrs = probe.nmsrs;
    if (ioctl(kvm_fd, KVM_GET_MSR_INDEX_LIST, l) < 0) {
        free(l);
        return NULL;
    }
    return l;
}

/* The KVM device; TERN_KVM_DEVICE names another, so tests can see what tern says
 * when it is missing. */
static const char *kvm_device(void)
{
    const char *d = getenv("TERN_KVM_DEVICE");
    return d && *d ? d : "/dev/kvm";
}

kvm_vm *kvm_vm_create(char *err, size_t errsize)
{
    const char *dev = kvm_device();
    int fd = open(dev, O_RDWR | O_CLOEXEC);
    if (fd < 0) {
        if (errno == ENOENT || errno == ENODEV || errno == ENXIO)
            snprintf(err, errsize, "-accel kvm: %s does not exist: this host offers no KVM "
                     "(load kvm-intel or kvm-amd, or enable virtualization)", dev);
        else if (errno == EACCES || errno == EPERM)
            snprintf(err, errsize, "-accel kvm: no permission to open %s "
                     "(add the user to the kvm group, or run as root)", dev);
        else
            snprintf(err, errsize, "-accel kvm: cannot open %s: %s", dev, strerror(errno));
        return NULL;
    }
    int api = ioctl(fd, KVM_GET_API_VERSION, 0);
    if (api != KVM_API_VERSION) {
        snprintf(err, errsize, "-accel kvm: %s is not a KVM device (API version %d, tern needs %d)",
                 dev, api, KVM_API_VERSION);
        close(fd);
        return NULL;
    }
    for (unsigned i = 0; i < sizeof(required_caps) / sizeof(required_caps[0]); i++) {
        if (ioctl(fd, KVM_CHECK_EXTENSION, required_caps[i].cap) <= 0) {
            snprintf(err, errsize, "-accel kvm: this host's KVM lacks %s, which tern needs",
                     required_caps[i].name);
            close(fd);
            return NULL;
        }
    }
    kvm_vm *vm = calloc(1, sizeof(*vm));
    if (!vm)
        fatal("out of memory");
    vm->kvm_fd = fd;
    vm->vm_fd = -1;
    vm->run_size = ioctl(fd, KVM_GET_VCPU_MMAP_SIZE, 0);
    int maxv = ioctl(fd, KVM_CHECK_EXTENSION, KVM_CAP_MAX_VCPUS);
    if (maxv <= 0)
        maxv = ioctl(fd, KVM_CHECK_EXTENSION, KVM_CAP_NR_VCPUS);
    vm->max_vcpus = maxv > 0 ? (unsigned)maxv : 1;
    vm->cpuid = get_supported_cpuid(fd);
    vm->msr_list = get_msr_list(fd);
    vm->guest_debug = ioctl(fd, KVM_CHECK_EXTENSION, KVM_CAP_SET_GUEST_DEBUG) > 0;
    const char *what = NULL;
    if (vm->run_size <= 0)
        what = "KVM_GET_VCPU_MMAP_SIZE";
    else if (!vm->cpuid)
        what = "KVM_GET_SUPPORTED_CPUID";
    else if (!vm->msr_list)
        what = "KVM_GET_MSR_INDEX_LIST";
    else if ((vm->vm_fd = ioctl(fd, KVM_CREATE_VM, 0)) < 0)
        what = "KVM_CREATE_VM";
    else if (ioctl(vm->vm_fd, KVM_SET_TSS_ADDR, (unsigned long)TSS_ADDR) < 0)
        what = "KVM_SET_TSS_ADDR";
    if (!what && ioctl(fd, KVM_CHECK_EXTENSION, KVM_CAP_SET_IDENTITY_MAP_ADDR) > 0) {
        uint64_t a = IDENTITY_MAP_ADDR;
        if (ioctl(vm->vm_fd, KVM_SET_IDENTITY_MAP_ADDR, &a) < 0)
            what = "KVM_SET_IDENTITY_MAP_ADDR";
    }
    if (!what && ioctl(vm->vm_fd, KVM_CREATE_IRQCHIP, 0) < 0)
        what = "KVM_CREATE_IRQCHIP";
    if (!what) {
        struct kvm_pit_config pit = { .flags = 0 };
        if (ioctl(vm->vm_fd, KVM_CREATE_PIT2, &pit) < 0)
            what = "KVM_CREATE_PIT2";
    }
    if (what) {
        snprintf(err, errsize, "-accel kvm: %s failed: %s", what, strerror(errno));
        kvm_vm_destroy(vm);
        return NULL;
    }
    return vm;
}

void kvm_vm_destroy(kvm_vm *vm)
{
    if (!vm)
        return;
    if (vm->vm_fd >= 0)
        close(vm->vm_fd);
    close(vm->kvm_fd);
    free(vm->cpuid);
    free(vm->msr_list);
    free(vm);
}

unsigned kvm_vm_max_vcpus(kvm_vm *vm) { return vm->max_vcpus; }

bool kvm_vm_add_ram(kvm_vm *vm, uint64_t gpa, void *host, uint64_t size, char *err, size_t errsize)
{
    struct kvm_userspace_memory_region r = {
        .slot = vm->nslots, .guest_phys_addr = gpa, .memory_size = size,
        .userspace_addr = (uint64_t)(uintptr_t)host,
    };
    if (vm->nslots >= KVM_MAX_RAM_SLOTS) {
        snprintf(err, errsize, "-accel kvm: more than %d RAM regions", KVM_MAX_RAM_SLOTS);
        return false;
    }
    vm->ram[vm->nslots].gpa = gpa;
    vm->ram[vm->nslots].size = size;
    vm->ram[vm->nslots].host = host;
    if (ioctl(vm->vm_fd, KVM_SET_USER_MEMORY_REGION, &r) < 0) {
        snprintf(err, errsize, "-accel kvm: cannot give the guest %llu MiB at %#llx: %s",
                 (unsigned long long)(size >> 20), (unsigned long long)gpa, strerror(errno));
        return false;
    }
    vm->nslots++;
    return true;
}

bool kvm_vm_set_slot(kvm_vm *vm, unsigned slot, uint64_t gpa, void *host, uint64_t size)
{
    struct kvm_userspace_memory_region r = {
        .slot = slot, .guest_phys_addr = gpa, .memory_size = size,
        .userspace_addr = (uint64_t)(uintptr_t)host,
    };
    return ioctl(vm->vm_fd, KVM_SET_USER_MEMORY_REGION, &r) == 0;
}

bool kvm_vm_set_slot_logged(kvm_vm *vm, unsigned slot, uint64_t gpa, void *host, uint64_t size)
{
    struct kvm_userspace_memory_region r = {
        .slot = slot, .flags = KVM_MEM_LOG_DIRTY_PAGES, .guest_phys_addr = gpa, .memory_size = size,
        .userspace_addr = (uint64_t)(uintptr_t)host,
    };
    return ioctl(vm->vm_fd, KVM_SET_USER_MEMORY_REGION, &r) == 0;
}

bool kvm_vm_dirty_log(kvm_vm *vm, unsigned slot, uint64_t size, uint64_t *bitmap)
{
    size_t words = (size_t)((size / 4096 + 63) / 64);
    uint64_t *got = calloc(words, sizeof(uint64_t));
    if (!got)
        fatal("out of memory");
    struct kvm_dirty_log log = { .slot = slot, .dirty_bitmap = got };
    bool ok = ioctl(vm->vm_fd, KVM_GET_DIRTY_LOG, &log) == 0;
    for (size_t i = 0; ok && i < words; i++)
        bitmap[i] |= got[i];
    free(got);
    return ok;
}

void kvm_vm_set_irq(kvm_vm *vm, unsigned gsi, bool level)
{
    struct kvm_irq_level l = { .irq = gsi, .level = level };
    if (ioctl(vm->vm_fd, KVM_IRQ_LINE, &l) < 0)
        guest_error("guest_errors: KVM_IRQ_LINE %u: %s\n", gsi, strerror(errno));
}

void kvm_vm_signal_msi(kvm_vm *vm, uint64_t addr, uint32_t data)
{
    struct kvm_msi msi = { .address_lo = (uint32_t)addr, .address_hi = (uint32_t)(addr >> 32), .data = data };
    if (ioctl(vm->vm_fd, KVM_SIGNAL_MSI, &msi) < 0)
        guest_error("guest_errors: KVM_SIGNAL_MSI %#llx/%#x: %s\n", (unsigned long long)addr, data,
                    strerror(errno));
}

void kvm_irq_line_set(void *line, bool level)
{
    kvm_irq_line *l = line;
    kvm_vm_set_irq(l->vm, l->gsi, level);
}

/* ---- register conversion ---- */

static void seg_to_kvm(const x86_segment *s, struct kvm_segment *k)
{
    *k = (struct kvm_segment){
        .base = s->base, .limit = s->limit, .selector = s->selector, .type = s->type,
        .present = s->present, .dpl = s->dpl, .db = s->db, .s = s->s, .l = s->l, .g = s->g,
        .avl = s->avl, .unusable = s->unusable,
    };
}

static void seg_from_kvm(const struct kvm_segment *k, x86_segment *s)
{
    *s = (x86_segment){
        .base = k->base, .limit = k->limit, .selector = k->selector, .type = k->type,
        .present = k->present, .dpl = k->dpl, .db = k->db, .s = k->s, .l = k->l, .g = k->g,
        .avl = k->avl, .unusable = k->unusable,
    };
}

static void regs_to_kvm(const x86_regs *r, struct kvm_regs *kr, struct kvm_sregs *ks)
{
    *kr = (struct kvm_regs){
        .rax = r->rax, .rbx = r->rbx, .rcx = r->rcx, .rdx = r->rdx, .rsi = r->rsi, .rdi = r->rdi,
        .rsp = r->rsp, .rbp = r->rbp, .r8 = r->r8, .r9 = r->r9, .r10 = r->r10, .r11 = r->r11,
        .r12 = r->r12, .r13 = r->r13, .r14 = r->r14, .r15 = r->r15, .rip = r->rip,
        .rflags = r->rflags,
    };
    seg_to_kvm(&r->cs, &ks->cs);
    seg_to_kvm(&r->ds, &ks->ds);
    seg_to_kvm(&r->es, &ks->es);
    seg_to_kvm(&r->fs, &ks->fs);
    seg_to_kvm(&r->gs, &ks->gs);
    seg_to_kvm(&r->ss, &ks->ss);
    seg_to_kvm(&r->tr, &ks->tr);
    seg_to_kvm(&r->ldt, &ks->ldt);
    ks->gdt.base = r->gdt.base;
    ks->gdt.limit = r->gdt.limit;
    ks->idt.base = r->idt.base;
    ks->idt.limit = r->idt.limit;
    ks->cr0 = r->cr0;
    ks->cr2 = r->cr2;
    ks->cr3 = r->cr3;
    ks->cr4 = r->cr4;
    ks->cr8 = r->cr8;
    ks->efer = r->efer;
}

static void regs_from_kvm(const struct kvm_regs *kr, const struct kvm_sregs *ks, x86_regs *r)
{
    *r = (x86_regs){
        .rax = kr->rax, .rbx = kr->rbx, .rcx = kr->rcx, .rdx = kr->rdx, .rsi = kr->rsi,
        .rdi = kr->rdi, .rsp = kr->rsp, .rbp = kr->rbp, .r8 = kr->r8, .r9 = kr->r9,
        .r10 = kr->r10, .r11 = kr->r11, .r12 = kr->r12, .r13 = kr->r13, .r14 = kr->r14,
        .r15 = kr->r15, .rip = kr->rip, .rflags = kr->rflags,
        .gdt = { ks->gdt.base, ks->gdt.limit }, .idt = { ks->idt.base, ks->idt.limit },
        .cr0 = ks->cr0, .cr2 = ks->cr2, .cr3 = ks->cr3, .cr4 = ks->cr4, .cr8 = ks->cr8,
        .efer = ks->efer,
    };
    seg_from_kvm(&ks->cs, &r->cs);
    seg_from_kvm(&ks->ds, &r->ds);
    seg_from_kvm(&ks->es, &r->es);
    seg_from_kvm(&ks->fs, &r->fs);
    seg_from_kvm(&ks->gs, &r->gs);
    seg_from_kvm(&ks->ss, &r->ss);
    seg_from_kvm(&ks->tr, &r->tr);
    seg_from_kvm(&ks->ldt, &r->ldt);
}

bool kvm_vcpu_get_regs(vcpu *v, x86_regs *r)
{
    struct kvm_regs kr;
    struct kvm_sregs ks;
    if (ioctl(v->fd, KVM_GET_REGS, &kr) < 0 || ioctl(v->fd, KVM_GET_SREGS, &ks) < 0)
        return false;
    regs_from_kvm(&kr, &ks, r);
    return true;
}

bool kvm_vcpu_set_regs(vcpu *v, const x86_regs *r)
{
    struct kvm_regs kr;
    struct kvm_sregs ks;
    if (ioctl(v->fd, KVM_GET_SREGS, &ks) < 0)     /* keeps the interrupt bitmap, apic base */
        return false;
    regs_to_kvm(r, &kr, &ks);
    return ioctl(v->fd, KVM_SET_SREGS, &ks) == 0 && ioctl(v->fd, KVM_SET_REGS, &kr) == 0;
}

/* ---- whole state ---- */

/* XSAVE layout (non-compacted, as KVM_GET_XSAVE gives it): XMM0 at byte 160 of the
 * legacy area, the header's XSTATE_BV at byte 512 */
#define XSAVE_XMM0 160
#define XSAVE_XSTATE_BV 512
#define XFEATURE_SSE (1ull << 1)

uint8_t *kvm_xsave_xmm(struct kvm_xsave *x, unsigned n)
{
    uint8_t *area = (uint8_t *)x->region;
    uint64_t bv;
    memcpy(&bv, area + XSAVE_XSTATE_BV, 8);
    bv |= XFEATURE_SSE;
    memcpy(area + XSAVE_XSTATE_BV, &bv, 8);
    return area + XSAVE_XMM0 + 16 * (n & 15);
}

/* The MSR write that must come after the local APIC: KVM ignores a TSC deadline unless
 * the APIC timer is in TSC-deadline mode, which the LAPIC state sets. */
#define MSR_IA32_TSC 0x10
#define MSR_IA32_TSC_DEADLINE 0x6e0

/* Read the state; on failure, *what names the ioctl (errno is its error). The MP state
 * comes first: reading it makes KVM take an INIT or SIPI it holds, which changes the
 * registers. The MSRs come before the LAPIC, so a TSC-deadline timer that expires in
 * between is in the LAPIC (its interrupt pending) rather than lost; restored, the
 * deadline at worst fires once more at once. */
static bool get_state(vcpu *v, kvm_vcpu_state *s, const char **what)
{
    memset(s, 0, sizeof(*s));
    *what = "KVM_GET_MP_STATE";
    if (ioctl(v->fd, KVM_GET_MP_STATE, &s->mp) < 0)
        return false;
    *what = "KVM_GET_REGS";
    if (ioctl(v->fd, KVM_GET_REGS, &s->regs) < 0)
        return false;
    *what = "KVM_GET_SREGS";
    if (ioctl(v->fd, KVM_GET_SREGS, &s->sregs) < 0)
        return false;
    *what = "KVM_GET_XSAVE";
    if (ioctl(v->fd, KVM_GET_XSAVE, &s->xsave) < 0)
        return false;
    *what = "KVM_GET_XCRS";
    if (ioctl(v->fd, KVM_GET_XCRS, &s->xcrs) < 0)
        return false;
    /* the MSRs KVM saves, read one batch at a time: KVM_GET_MSRS stops at the first it
     * cannot read, so skip over that one */
    struct {
        struct kvm_msrs hdr;
        struct kvm_msr_entry e[KVM_STATE_MAX_MSRS];
    } m;
    const struct kvm_msr_list *list = v->vm->msr_list;
    uint32_t next = 0;
    *what = "KVM_GET_MSRS";
    while (next < list->nmsrs && s->nmsrs < KVM_STATE_MAX_MSRS) {
        uint32_t n = list->nmsrs - next;
        if (n > KVM_STATE_MAX_MSRS - s->nmsrs)
            n = KVM_STATE_MAX_MSRS - s->nmsrs;
        memset(&m, 0, sizeof(m));
        m.hdr.nmsrs = n;
        for (uint32_t i = 0; i < n; i++)
            m.e[i].index = list->indices[next + i];
        int got = ioctl(v->fd, KVM_GET_MSRS, &m);
        if (got < 0)
            return false;
        memcpy(&s->msrs[s->nmsrs], m.e, (size_t)got * sizeof(m.e[0]));
        s->nmsrs += (uint32_t)got;
        next += (uint32_t)got + ((uint32_t)got < n ? 1 : 0);
    }
    *what = "KVM_GET_LAPIC";
    if (ioctl(v->fd, KVM_GET_LAPIC, &s->lapic) < 0)
        return false;
    *what = "KVM_GET_VCPU_EVENTS";
    if (ioctl(v->fd, KVM_GET_VCPU_EVENTS, &s->events) < 0)
        return false;
    *what = "KVM_GET_DEBUGREGS";
    if (ioctl(v->fd, KVM_GET_DEBUGREGS, &s->debugregs) < 0)
        return false;
    int khz = ioctl(v->fd, KVM_GET_TSC_KHZ, 0);
    s->tsc_khz = khz > 0 ? (uint32_t)khz : 0;
    return true;
}

bool kvm_vcpu_get_state(vcpu *v, kvm_vcpu_state *s)
{
    const char *what;
    return get_state(v, s, &what);
}

/* Write the state; on failure, what[] says which step failed (errno is its error).
 *
 * The order matters: special registers first (the APIC base, the paging mode the rest
 * is checked against), then the general registers, XSAVE and XCRs; the MSRs except the
 * TSC deadline (a host write of the TSC sets the guest's TSC; a host write of
 * TSC_ADJUST does not move it, so their order is free); the LAPIC (which restarts a
 * one-shot or periodic timer with the count it had left); the events, and the MP state
 * after them (events clear a latched INIT, the MP state may set one); the TSC deadline
 * once the LAPIC timer is in TSC-deadline mode and the TSC is the guest's again; the
 * debug registers. */
static bool set_state(vcpu *v, const kvm_vcpu_state *s, char *what, size_t whatsize)
{
    struct {
        struct kvm_msrs hdr;
        struct kvm_msr_entry e[KVM_STATE_MAX_MSRS];
    } m, late;
    if (s->nmsrs > KVM_STATE_MAX_MSRS) {
        snprintf(what, whatsize, "%u MSRs (at most %u)", s->nmsrs, KVM_STATE_MAX_MSRS);
        errno = EINVAL;
        return false;
    }
    memset(&m, 0, sizeof(m));
    memset(&late, 0, sizeof(late));
    for (uint32_t i = 0; i < s->nmsrs; i++) {
        if (s->msrs[i].index == MSR_IA32_TSC_DEADLINE)
            late.e[late.hdr.nmsrs++] = s->msrs[i];
        else
            m.e[m.hdr.nmsrs++] = s->msrs[i];
    }
    /* KVM reports pending NMIs without always saying so in the flags */
    struct kvm_vcpu_events ev = s->events;
    ev.flags |= KVM_VCPUEVENT_VALID_NMI_PENDING;
#define STEP(name, call) do { \
        if ((call) < 0) { snprintf(what, whatsize, "%s", name); return false; } } while (0)
    STEP("KVM_SET_SREGS", ioctl(v->fd, KVM_SET_SREGS, &s->sregs));
    STEP("KVM_SET_REGS", ioctl(v->fd, KVM_SET_REGS, &s->regs));
    STEP("KVM_SET_XSAVE", ioctl(v->fd, KVM_SET_XSAVE, &s->xsave));
    STEP("KVM_SET_XCRS", ioctl(v->fd, KVM_SET_XCRS, &s->xcrs));
    int rc = ioctl(v->fd, KVM_SET_MSRS, &m);
    if (rc != (int)m.hdr.nmsrs) {
        if (rc >= 0) {
            snprintf(what, whatsize, "KVM_SET_MSRS of MSR %#x", m.e[rc].index);
            errno = EINVAL;
        } else {
            snprintf(what, whatsize, "KVM_SET_MSRS");
        }
        return false;
    }
    STEP("KVM_SET_LAPIC", ioctl(v->fd, KVM_SET_LAPIC, &s->lapic));
    STEP("KVM_SET_VCPU_EVENTS", ioctl(v->fd, KVM_SET_VCPU_EVENTS, &ev));
    STEP("KVM_SET_MP_STATE", ioctl(v->fd, KVM_SET_MP_STATE, &s->mp));
    if (late.hdr.nmsrs && ioctl(v->fd, KVM_SET_MSRS, &late) != (int)late.hdr.nmsrs) {
        snprintf(what, whatsize, "KVM_SET_MSRS of the TSC deadline");
        if (!errno)
            errno = EINVAL;
        return false;
    }
    STEP("KVM_SET_DEBUGREGS", ioctl(v->fd, KVM_SET_DEBUGREGS, &s->debugregs));
#undef STEP
    return true;
}

bool kvm_vcpu_set_state(vcpu *v, const kvm_vcpu_state *s)
{
    char what[64];
    return set_state(v, s, what, sizeof(what));
}

/* ---- snapshots ---- */

/* Parts of the stream: a tag (four letters), the length, the bytes. */
#define TAG(a, b, c, d) ((uint32_t)(a) | (uint32_t)(b) << 8 | (uint32_t)(c) << 16 | (uint32_t)(d) << 24)

static void put_part(state_out *o, uint32_t tag, const void *p, uint32_t len)
{
    state_put_u32(o, tag);
    state_put_u32(o, len);
    state_put(o, p, len);
}

static const char *tag_name(uint32_t tag, char buf[5])
{
    for (int i = 0; i < 4; i++) {
        char c = (char)(tag >> (8 * i));
        buf[i] = c >= 0x20 && c < 0x7f ? c : '?';
    }
    buf[4] = 0;
    return buf;
}

/* The next part must be `tag`, `len` bytes long. */
static bool get_part(state_in *in, uint32_t tag, void *p, uint32_t len, const char *who, char *err,
                     size_t errsize)
{
    char want[5], got[5];
    uint32_t t = state_get_u32(in);
    uint32_t n = state_get_u32(in);
    if (in->bad) {
        snprintf(err, errsize, "%s: the state is cut short before its %s", who, tag_name(tag, want));
        return false;
    }
    if (t != tag) {
        snprintf(err, errsize, "%s: found part '%s' where '%s' belongs", who, tag_name(t, got),
                 tag_name(tag, want));
        return false;
    }
    if (n != len) {
        snprintf(err, errsize, "%s: its %s is %u bytes, this KVM's is %u", who, tag_name(tag, want), n, len);
        return false;
    }
    if (!state_get(in, p, len)) {
        snprintf(err, errsize, "%s: the state is cut short in its %s", who, tag_name(tag, want));
        return false;
    }
    return true;
}

#define T_MPST TAG('M', 'P', 'S', 'T')
#define T_REGS TAG('R', 'E', 'G', 'S')
#define T_SREG TAG('S', 'R', 'E', 'G')
#define T_XSAV TAG('X', 'S', 'A', 'V')
#define T_XCRS TAG('X', 'C', 'R', 'S')
#define T_MSRS TAG('M', 'S', 'R', 'S')
#define T_LAPC TAG('L', 'A', 'P', 'C')
#define T_EVNT TAG('E', 'V', 'N', 'T')
#define T_DREG TAG('D', 'R', 'E', 'G')
#define T_TSCK TAG('T', 'S', 'C', 'K')
#define T_PIC0 TAG('P', 'I', 'C', '0')
#define T_PIC1 TAG('P', 'I', 'C', '1')
#define T_IOAP TAG('I', 'O', 'A', 'P')
#define T_PIT2 TAG('P', 'I', 'T', '2')
#define T_CLCK TAG('C', 'L', 'C', 'K')

void kvm_vcpu_state_write(const kvm_vcpu_state *s, state_out *o)
{
    put_part(o, T_MPST, &s->mp, sizeof(s->mp));
    put_part(o, T_REGS, &s->regs, sizeof(s->regs));
    put_part(o, T_SREG, &s->sregs, sizeof(s->sregs));
    put_part(o, T_XSAV, &s->xsave, sizeof(s->xsave));
    put_part(o, T_XCRS, &s->xcrs, sizeof(s->xcrs));
    /* MSRs one by one: index, value */
    state_put_u32(o, T_MSRS);
    state_put_u32(o, 4 + 12 * s->nmsrs);
    state_put_u32(o, s->nmsrs);
    for (uint32_t i = 0; i < s->nmsrs; i++) {
        state_put_u32(o, s->msrs[i].index);
        state_put_u64(o, s->msrs[i].data);
    }
    put_part(o, T_LAPC, &s->lapic, sizeof(s->lapic));
    put_part(o, T_EVNT, &s->events, sizeof(s->events));
    put_part(o, T_DREG, &s->debugregs, sizeof(s->debugregs));
    put_part(o, T_TSCK, &s->tsc_khz, sizeof(s->tsc_khz));
}

bool kvm_vcpu_state_read(state_in *in, uint32_t version, kvm_vcpu_state *s, const char *who, char *err,
                         size_t errsize)
{
    if (version != KVM_STATE_VERSION) {
        snprintf(err, errsize, "%s: KVM state version %u, this tern reads %u", who, version, KVM_STATE_VERSION);
        return false;
    }
    memset(s, 0, sizeof(*s));
    if (!get_part(in, T_MPST, &s->mp, sizeof(s->mp), who, err, errsize) ||
        !get_part(in, T_REGS, &s->regs, sizeof(s->regs), who, err, errsize) ||
        !get_part(in, T_SREG, &s->sregs, sizeof(s->sregs), who, err, errsize) ||
        !get_part(in, T_XSAV, &s->xsave, sizeof(s->xsave), who, err, errsize) ||
        !get_part(in, T_XCRS, &s->xcrs, sizeof(s->xcrs), who, err, errsize))
        return false;
    uint32_t tag = state_get_u32(in), len = state_get_u32(in), n = state_get_u32(in);
    if (in->bad || tag != T_MSRS || n > KVM_STATE_MAX_MSRS || len != 4 + 12 * n) {
        snprintf(err, errsize, "%s: its MSRs are %s", who,
                 in->bad ? "cut short" : tag != T_MSRS ? "missing" : "malformed");
        return false;
    }
    s->nmsrs = n;
    for (uint32_t i = 0; i < n; i++) {
        s->msrs[i].index = state_get_u32(in);
        s->msrs[i].data = state_get_u64(in);
    }
    if (in->bad) {
        snprintf(err, errsize, "%s: its MSRs are cut short", who);
        return false;
    }
    return get_part(in, T_LAPC, &s->lapic, sizeof(s->lapic), who, err, errsize) &&
           get_part(in, T_EVNT, &s->events, sizeof(s->events), who, err, errsize) &&
           get_part(in, T_DREG, &s->debugregs, sizeof(s->debugregs), who, err, errsize) &&
           get_part(in, T_TSCK, &s->tsc_khz, sizeof(s->tsc_khz), who, err, errsize);
}

bool kvm_vcpu_get_state_err(vcpu *v, kvm_vcpu_state *s, char *err, size_t errsize)
{
    const char *what;
    if (get_state(v, s, &what))
        return true;
    snprintf(err, errsize, "vCPU %u: %s failed: %s", v->cpu->index, what, strerror(errno));
    return false;
}

bool kvm_vcpu_set_state_err(vcpu *v, const kvm_vcpu_state *s, char *err, size_t errsize)
{
    /* the guest measured its TSC's frequency at boot: another one would skew its time */
    int khz = ioctl(v->fd, KVM_GET_TSC_KHZ, 0);
    if (s->tsc_khz && khz > 0 && (uint32_t)khz != s->tsc_khz &&
        ioctl(v->fd, KVM_SET_TSC_KHZ, (unsigned long)s->tsc_khz) < 0)
        error_report("warning: vCPU %u was saved with a %u kHz TSC; this host's KVM runs it at %d kHz "
                     "and cannot change that, so the guest's clock will drift", v->cpu->index, s->tsc_khz, khz);
    char what[64];
    if (set_state(v, s, what, sizeof(what)))
        return true;
    snprintf(err, errsize, "vCPU %u: this host's KVM refuses the state: %s failed: %s", v->cpu->index, what,
             strerror(errno));
    return false;
}

bool kvm_vcpu_save(vcpu *v, state_out *o, char *err, size_t errsize)
{
    static kvm_vcpu_state s;           /* 20 KiB: main thread only */
    if (!kvm_vcpu_get_state_err(v, &s, err, errsize))
        return false;
    kvm_vcpu_state_write(&s, o);
    return true;
}

bool kvm_vcpu_load(vcpu *v, state_in *in, uint32_t version, char *err, size_t errsize)
{
    static kvm_vcpu_state s;
    char who[32];
    snprintf(who, sizeof(who), "vCPU %u", v->cpu->index);
    return kvm_vcpu_state_read(in, version, &s, who, err, errsize) &&
           kvm_vcpu_set_state_err(v, &s, err, errsize);
}

bool kvm_vm_clock_now(kvm_vm *vm, uint64_t *ns)
{
    struct kvm_clock_data d;
    memset(&d, 0, sizeof(d));
    if (ioctl(vm->vm_fd, KVM_GET_CLOCK, &d) < 0)
        return false;
    *ns = d.clock;
    return true;
}

static const char *const chip_names[3] = { "master PIC", "slave PIC", "I/O APIC" };

bool kvm_vm_get_state(kvm_vm *vm, kvm_vm_state *s, char *err, size_t errsize)
{
    memset(s, 0, sizeof(*s));
    for (unsigned i = 0; i < 3; i++) {
        struct kvm_irqchip chip;
        memset(&chip, 0, sizeof(chip));
        chip.chip_id = i;              /* KVM_IRQCHIP_PIC_MASTER, _PIC_SLAVE, _IOAPIC */
        if (ioctl(vm->vm_fd, KVM_GET_IRQCHIP, &chip) < 0) {
            snprintf(err, errsize, "KVM_GET_IRQCHIP (%s) failed: %s", chip_names[i], strerror(errno));
            return false;
        }
        if (i < 2)
            s->pic[i] = chip.chip.pic;
        else
            s->ioapic = chip.chip.ioapic;
    }
    if (ioctl(vm->vm_fd, KVM_GET_PIT2, &s->pit) < 0) {
        snprintf(err, errsize, "KVM_GET_PIT2 failed: %s", strerror(errno));
        return false;
    }
    /* stopped, the machine's guest time is the clock at the stop (KVM's own runs on) */
    s->clock = vm->clock;
    if (!vm->clock_saved && !kvm_vm_clock_now(vm, &s->clock)) {
        snprintf(err, errsize, "KVM_GET_CLOCK failed: %s", strerror(errno));
        return false;
    }
    return true;
}

bool kvm_vm_set_state(kvm_vm *vm, const kvm_vm_state *s, char *err, size_t errsize)
{
    /* the clock first, so the PIT and the APICs' timers start from the guest's time */
    struct kvm_clock_data d;
    memset(&d, 0, sizeof(d));
    d.clock = s->clock;
    if (ioctl(vm->vm_fd, KVM_SET_CLOCK, &d) < 0) {
        snprintf(err, errsize, "KVM_SET_CLOCK failed: %s", strerror(errno));
        return false;
    }
    /* and there it stays until the machine goes on (kvm_machine_stopped) */
    vm->clock = s->clock;
    vm->clock_saved = true;
    for (unsigned i = 0; i < 3; i++) {
        struct kvm_irqchip chip;
        memset(&chip, 0, sizeof(chip));
        chip.chip_id = i;
        if (i < 2)
            chip.chip.pic = s->pic[i];
        else
            chip.chip.ioapic = s->ioapic;
        if (ioctl(vm->vm_fd, KVM_SET_IRQCHIP, &chip) < 0) {
            snprintf(err, errsize, "KVM_SET_IRQCHIP (%s) failed: %s", chip_names[i], strerror(errno));
            return false;
        }
    }
    if (ioctl(vm->vm_fd, KVM_SET_PIT2, &s->pit) < 0) {
        snprintf(err, errsize, "KVM_SET_PIT2 failed: %s", strerror(errno));
        return false;
    }
    return true;
}

void kvm_vm_state_write(const kvm_vm_state *s, state_out *o)
{
    put_part(o, T_PIC0, &s->pic[0], sizeof(s->pic[0]));
    put_part(o, T_PIC1, &s->pic[1], sizeof(s->pic[1]));
    put_part(o, T_IOAP, &s->ioapic, sizeof(s->ioapic));
    put_part(o, T_PIT2, &s->pit, sizeof(s->pit));
    put_part(o, T_CLCK, &s->clock, sizeof(s->clock));
}

bool kvm_vm_state_read(state_in *in, uint32_t version, kvm_vm_state *s, char *err, size_t errsize)
{
    const char *who = "the KVM VM";
    if (version != KVM_STATE_VERSION) {
        snprintf(err, errsize, "%s: KVM state version %u, this tern reads %u", who, version, KVM_STATE_VERSION);
        return false;
    }
    memset(s, 0, sizeof(*s));
    return get_part(in, T_PIC0, &s->pic[0], sizeof(s->pic[0]), who, err, errsize) &&
           get_part(in, T_PIC1, &s->pic[1], sizeof(s->pic[1]), who, err, errsize) &&
           get_part(in, T_IOAP, &s->ioapic, sizeof(s->ioapic), who, err, errsize) &&
           get_part(in, T_PIT2, &s->pit, sizeof(s->pit), who, err, errsize) &&
           get_part(in, T_CLCK, &s->clock, sizeof(s->clock), who, err, errsize);
}

bool kvm_vm_save_state(kvm_vm *vm, state_out *o, char *err, size_t errsize)
{
    kvm_vm_state s;
    if (!kvm_vm_get_state(vm, &s, err, errsize))
        return false;
    kvm_vm_state_write(&s, o);
    return true;
}

bool kvm_vm_load_state(kvm_vm *vm, state_in *in, uint32_t version, char *err, size_t errsize)
{
    kvm_vm_state s;
    return kvm_vm_state_read(in, version, &s, err, errsize) && kvm_vm_set_state(vm, &s, err, errsize);
}

/* ---- exits ---- */

static void do_io(vcpu *v)
{
    struct kvm_run *run = v->run;
    uint8_t *data = (uint8_t *)run + run->io.data_offset;
    unsigned size = run->io.size;
    for (uint32_t i = 0; i < run->io.count; i++, data += size) {
        uint64_t val = 0;
        if (run->io.direction == KVM_EXIT_IO_OUT) {
            memcpy(&val, data, size);
            if (!as_write(v->cpu->io, run->io.port, size, val) && run->io.port != 0x80)
                guest_error("guest_errors: write of %u bytes to unassigned port %#x\n", size,
                            run->io.port);
        } else {
            if (!as_read(v->cpu->io, run->io.port, size, &val)) {
                val = ~0ull;                  /* nothing there: the bus floats high */
                guest_error("guest_errors: read of %u bytes from unassigned port %#x\n", size,
                            run->io.port);
            }
            memcpy(data, &val, size);
        }
    }
}

static void do_mmio(vcpu *v)
{
    struct kvm_run *run = v->run;
    uint64_t pa = run->mmio.phys_addr;
    unsigned len = run->mmio.len;
    bool sized = len == 1 || len == 2 || len == 4 || len == 8;
    if (run->mmio.is_write) {
        uint64_t val = 0;
        memcpy(&val, run->mmio.data, len > 8 ? 8 : len);
        if (!sized || !as_write(v->cpu->mem, pa, len, val))
            guest_error("guest_errors: write of %u bytes to %#llx: nothing there\n", len,
                        (unsigned long long)pa);
    } else {
        uint64_t val = ~0ull;
        if (!sized || !as_read(v->cpu->mem, pa, len, &val)) {
            val = ~0ull;
            guest_error("guest_errors: read of %u bytes from %#llx: nothing there\n", len,
                        (unsigned long long)pa);
        }
        memcpy(run->mmio.data, &val, len > 8 ? 8 : len);
    }
}

void kvm_vcpu_dump(vcpu *v, FILE *f)
{
    x86_regs r;
    if (!kvm_vcpu_get_regs(v, &r)) {
        fprintf(f, "(cannot read the registers: %s)\n", strerror(errno));
        return;
    }
    x86_regs_dump(&r, f);
    /* the code at rip, through the guest's page tables */
    struct kvm_translation t = { .linear_address = r.rip };
    if (ioctl(v->fd, KVM_TRANSLATE, &t) == 0 && t.valid) {
        uint8_t *p = as_ram_ptr(v->cpu->mem, t.physical_address, 32);
        if (p)
            x86_disas(p, 32, r.rip, (r.efer & X86_EFER_LMA) && r.cs.l, 4, f);
    }
}

/* The vCPU cannot go on: say why, with its registers, and end the machine. */
static void vcpu_failed(vcpu *v, const char *fmt, unsigned long long detail)
{
    char msg[160];
    snprintf(msg, sizeof(msg), fmt, detail);
    error_report("KVM stopped vCPU %u: %s", v->cpu->index, msg);
    if (log_enabled(LOG_GUEST_ERRORS | LOG_INT | LOG_CPU))
        kvm_vcpu_dump(v, log_file ? log_file : stderr);
    main_loop_request_exit(1);
}

/* Handles an exit; false stops this vCPU (the machine is ending or resetting). */
static bool handle_exit(vcpu *v)
{
    struct kvm_run *run = v->run;
    switch (run->exit_reason) {
    case KVM_EXIT_IO:
        do_io(v);
        return true;
    case KVM_EXIT_MMIO:
        do_mmio(v);
        return true;
    case KVM_EXIT_INTR:
        return true;
    case KVM_EXIT_DEBUG:
        debug_exit(v);
        return true;
    case KVM_EXIT_HLT:
        /* only without an in-kernel LAPIC; not with tern's VMs */
        return true;
    case KVM_EXIT_SHUTDOWN:
        /* a triple fault: what a PC does then is reset */
        log_cat(LOG_INT | LOG_GUEST_ERRORS, "int: vCPU %u triple fault: machine reset\n", v->cpu->index);
        main_loop_request_exit(TERN_EXIT_RESET);
        return false;
    case KVM_EXIT_SYSTEM_EVENT:
        if (run->system_event.type == KVM_SYSTEM_EVENT_RESET)
            main_loop_request_exit(TERN_EXIT_RESET);
        else
            main_loop_request_exit(0);
        return false;
    case KVM_EXIT_FAIL_ENTRY:
        vcpu_failed(v, "the hardware refused to enter the guest (reason %#llx)",
                    (unsigned long long)run->fail_entry.hardware_entry_failure_reason);
        return false;
    case KVM_EXIT_INTERNAL_ERROR:
        vcpu_failed(v, "KVM internal error %llu (often: an instruction KVM cannot emulate)",
                    run->internal.suberror);
        return false;
    default:
        vcpu_failed(v, "unexpected KVM exit %llu", run->exit_reason);
        return false;
    }
}

/*
 * After a port or MMIO exit, KVM finishes the instruction (rip past it, the value read
 * in its register) only in the next KVM_RUN. A vCPU that parks with it unfinished
 * shows a state that is not the guest's: a snapshot would run the instruction again
 * (a second write to a device, a byte read twice). So before parking, finish it with a
 * KVM_RUN that returns as soon as it has; the instruction may need more exits (a string
 * I/O, an access split in two), served like any other.
 */
static bool finish_pending_io(vcpu *v)
{
    for (;;) {
        __atomic_store_n(&v->run->immediate_exit, 1, __ATOMIC_RELAXED);
        int rc = ioctl(v->fd, KVM_RUN, 0);
        int e = errno;
        __atomic_store_n(&v->run->immediate_exit, 0, __ATOMIC_RELAXED);
        if (rc < 0) {
            if (e == EINTR || e == EAGAIN)
                return true;        /* finished, and nothing more ran */
            vcpu_failed(v, "KVM_RUN failed (errno %llu)", (unsigned long long)e);
            return false;
        }
        uint32_t reason = v->run->exit_reason;
        if (!handle_exit(v))
            return false;
        if (reason != KVM_EXIT_IO && reason != KVM_EXIT_MMIO)
            return true;
    }
}

static void *vcpu_thread(void *arg)
{
    vcpu *v = arg;
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, KICK_SIGNAL);
    pthread_sigmask(SIG_UNBLOCK, &set, NULL);
    pthread_mutex_lock(&v->ctl.lock);
    while (vcpu_ctl_runnable(&v->ctl)) {
        if (v->debug_pending) {
            v->debug_pending = false;
            apply_guest_debug(v);
        }
        pthread_mutex_unlock(&v->ctl.lock);
        int rc = ioctl(v->fd, KVM_RUN, 0);
        int e = errno;
        __atomic_store_n(&v->run->immediate_exit, 0, __ATOMIC_RELAXED);
        bool more = true, io = false;
        if (rc < 0) {
            if (e != EINTR && e != EAGAIN) {
                vcpu_failed(v, "KVM_RUN failed (errno %llu)", (unsigned long long)e);
                more = false;
            }
        } else {
            io = v->run->exit_reason == KVM_EXIT_IO || v->run->exit_reason == KVM_EXIT_MMIO;
            more = handle_exit(v);
        }
        pthread_mutex_lock(&v->ctl.lock);
        /* parking (a pause, or the end): not with an instruction half done. The lock
         * is dropped meanwhile, since serving an exit takes the big lock. */
        if (more && io && (v->ctl.pause_req || v->ctl.quit)) {
            pthread_mutex_unlock(&v->ctl.lock);
            more = finish_pending_io(v);
            pthread_mutex_lock(&v->ctl.lock);
        }
        if (!more)
            v->ctl.stopped = true;
    }
    vcpu_ctl_exit(&v->ctl);
    return NULL;
}

static void on_kick(int sig) { (void)sig; }

static pthread_once_t signal_once = PTHREAD_ONCE_INIT;

static void install_kick_signal(void)
{
    struct sigaction sa = { .sa_handler = on_kick };
    sigemptyset(&sa.sa_mask);
    sigaction(KICK_SIGNAL, &sa, NULL);
}

/* ---- the accelerator interface ---- */

static bool set_msrs_at_reset(vcpu *v)
{
    struct {
        struct kvm_msrs hdr;
        struct kvm_msr_entry e[1];
    } m = { .hdr.nmsrs = 1 };
    m.e[0].index = 0x1a0;                /* IA32_MISC_ENABLE: fast string operations */
    m.e[0].data = 1;
    return ioctl(v->fd, KVM_SET_MSRS, &m) == 1;
}

static vcpu *kvm_create(void *arch_cpu, unsigned index, const char *props, char *err, unsigned errsize)
{
    x86_cpu *cpu = arch_cpu;
    kvm_vm *vm = cpu->vm;
    if (props && *props) {
        snprintf(err, errsize, "-accel kvm: unknown option '%s'", props);
        return NULL;
    }
    if (index >= vm->max_vcpus) {
        snprintf(err, errsize, "-smp %u: this host's KVM runs at most %u vCPUs", cpu->ncpus, vm->max_vcpus);
        return NULL;
    }
    pthread_once(&signal_once, install_kick_signal);
    vcpu *v = calloc(1, sizeof(*v));
    if (!v)
        fatal("out of memory");
    v->cpu = cpu;
    v->vm = vm;
    v->fd = ioctl(vm->vm_fd, KVM_CREATE_VCPU, (unsigned long)index);
    const char *what = NULL;
    if (v->fd < 0) {
        what = "KVM_CREATE_VCPU";
    } else {
        v->run = mmap(NULL, (size_t)vm->run_size, PROT_READ | PROT_WRITE, MAP_SHARED, v->fd, 0);
        if (v->run == MAP_FAILED) {
            v->run = NULL;
            what = "mapping the vCPU run structure";
        }
    }
    if (!what) {
        size_t sz = sizeof(struct kvm_cpuid2) + vm->cpuid->nent * sizeof(struct kvm_cpuid_entry2);
        struct kvm_cpuid2 *c = malloc(sz);
        if (!c)
            fatal("out of memory");
        memcpy(c, vm->cpuid, sz);
        x86_cpuid_filter(c->entries, c->nent, index, cpu->ncpus);
        if (ioctl(v->fd, KVM_SET_CPUID2, c) < 0)
            what = "KVM_SET_CPUID2";
        free(c);
    }
    if (!what && !set_msrs_at_reset(v))
        what = "KVM_SET_MSRS";
    if (!what && cpu->runnable) {
        struct kvm_mp_state mp = { .mp_state = KVM_MP_STATE_RUNNABLE };
        if (!kvm_vcpu_set_regs(v, &cpu->boot))
            what = "setting the boot registers";
        else if (ioctl(v->fd, KVM_SET_MP_STATE, &mp) < 0)
            what = "KVM_SET_MP_STATE";
    }
    if (what) {
        snprintf(err, errsize, "-accel kvm: vCPU %u: %s failed: %s", index, what, strerror(errno));
        if (v->run)
            munmap(v->run, (size_t)vm->run_size);
        if (v->fd >= 0)
            close(v->fd);
        free(v);
        return NULL;
    }
    vcpu_ctl_init(&v->ctl);
    return v;
}

static void ram_log_follow(kvm_vm *vm, address_space *as);

static void kvm_start(vcpu *v)
{
    if (v->cpu->index == 0)
        ram_log_follow(v->vm, v->cpu->mem);
    /* the thread starts with the kick signal blocked and unblocks it itself, so a
     * kick can never land in another thread */
    sigset_t set, old;
    sigemptyset(&set);
    sigaddset(&set, KICK_SIGNAL);
    pthread_sigmask(SIG_BLOCK, &set, &old);
    vcpu_ctl_start(&v->ctl, vcpu_thread, v);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
}

static void kick(void *opaque)
{
    vcpu *v = opaque;
    __atomic_store_n(&v->run->immediate_exit, 1, __ATOMIC_SEQ_CST);
    if (v->ctl.running)
        pthread_kill(v->ctl.thread, KICK_SIGNAL);
    pthread_mutex_lock(&v->ctl.lock);
    pthread_cond_broadcast(&v->ctl.cond);
    pthread_mutex_unlock(&v->ctl.lock);
}

static void kvm_kick(vcpu *v) { kick(v); }
static void kvm_pause(vcpu *v) { vcpu_ctl_pause(&v->ctl, kick, v); }
static void kvm_request_pause(vcpu *v) { vcpu_ctl_request_pause(&v->ctl, kick, v); }
static void kvm_wait_paused(vcpu *v) { vcpu_ctl_wait_paused(&v->ctl); }
static int kvm_thread_id(vcpu *v) { return v->ctl.tid; }

/*
 * KVM_SET_GUEST_DEBUG waits for the vCPU's KVM_RUN to return, which for a guest halted
 * with interrupts off is never: so a parked vCPU gets the registers now, and a running
 * one is kicked to take them itself before it next enters the guest (gdb going away
 * while the machine runs, say).
 */
static bool update_guest_debug(vcpu *v)
{
    pthread_mutex_lock(&v->ctl.lock);
    bool now = !v->ctl.running || v->ctl.paused;
    bool ok = true;
    if (now)
        ok = apply_guest_debug(v);
    else
        v->debug_pending = true;
    pthread_mutex_unlock(&v->ctl.lock);
    if (!now)
        kick(v);
    return ok;
}

static bool kvm_debug_changed(vcpu *v, char *err, unsigned errsize)
{
    if (!v->vm->guest_debug) {
        snprintf(err, errsize, "this host's KVM has no guest debugging (KVM_CAP_SET_GUEST_DEBUG)");
        return false;
    }
    if (!update_guest_debug(v)) {
        snprintf(err, errsize, "KVM_SET_GUEST_DEBUG: %s", strerror(errno));
        return false;
    }
    return true;
}

static bool kvm_debug_step(vcpu *v, bool on)
{
    if (!v->vm->guest_debug)
        return false;
    v->step = on;
    return update_guest_debug(v);
}

bool kvm_vcpu_get_fpu(vcpu *v, struct kvm_fpu *f)
{
    return ioctl(v->fd, KVM_GET_FPU, f) == 0;
}

bool kvm_vcpu_set_fpu(vcpu *v, const struct kvm_fpu *f)
{
    return ioctl(v->fd, KVM_SET_FPU, f) == 0;
}

bool kvm_has_guest_debug(vcpu *v)
{
    return v->vm->guest_debug;
}

/*
 * RAM write tracking (as_ram_track: going back to a snapshot in place reads back only
 * the pages written since) under KVM: the guest writes RAM without tern seeing it, so
 * while tracking is on KVM logs the writes, and every stop adds the pages logged to the
 * address space's marks. Logging starts when the machine goes on with tracking on
 * (nothing ran since the stop) and ends when it goes on with tracking off.
 */
static void ram_log(kvm_vm *vm, bool on)
{
    for (unsigned i = 0; i < vm->nslots; i++) {
        struct kvm_userspace_memory_region r = {
            .slot = i, .flags = on ? KVM_MEM_LOG_DIRTY_PAGES : 0, .guest_phys_addr = vm->ram[i].gpa,
            .memory_size = vm->ram[i].size, .userspace_addr = (uint64_t)(uintptr_t)vm->ram[i].host,
        };
        if (ioctl(vm->vm_fd, KVM_SET_USER_MEMORY_REGION, &r) < 0) {
            /* without the log every page counts as written: a return reads all back */
            error_report("kvm: cannot %s logging RAM writes: %s", on ? "start" : "stop", strerror(errno));
            on = false;
        }
    }
    vm->ram_logged = on;
}

static void ram_log_collect(kvm_vm *vm, address_space *as)
{
    for (unsigned i = 0; i < vm->nslots; i++) {
        uint64_t pages = vm->ram[i].size / 4096;
        size_t words = (size_t)((pages + 63) / 64);
        uint64_t *bits = calloc(words ? words : 1, sizeof(uint64_t));
        if (!bits)
            fatal("out of memory");
        struct kvm_dirty_log log = { .slot = i, .dirty_bitmap = bits };
        if (ioctl(vm->vm_fd, KVM_GET_DIRTY_LOG, &log) < 0) {
            error_report("kvm: cannot read the log of RAM writes: %s", strerror(errno));
            memset(bits, 0xff, words * sizeof(uint64_t));
        }
        for (size_t w = 0; w < words; w++)
            for (uint64_t word = bits[w]; word; word &= word - 1) {
                uint64_t page = w * 64 + (uint64_t)__builtin_ctzll(word);
                if (page < pages)
                    as_mark_ram(as, vm->ram[i].gpa + page * 4096, 4096);
            }
        free(bits);
    }
}

/* The log on or off as the address space's tracking is: when the machine goes on, and
 * when its first vCPU starts (a machine started running, or after a reset). */
static void ram_log_follow(kvm_vm *vm, address_space *as)
{
    bool track = as && atomic_load(&as->ram_track);
    if (track != vm->ram_logged)
        ram_log(vm, track);
}

void kvm_vm_collect_ram_writes(kvm_vm *vm, address_space *as)
{
    if (vm->ram_logged && as)
        ram_log_collect(vm, as);
}

/* Keep kvmclock from jumping over a stop, as QEMU does: its value at the stop is given
 * back at the start. And the RAM write log (above). */
static void kvm_machine_stopped(vcpu *v, bool stopped)
{
    kvm_vm *vm = v->vm;
    address_space *as = v->cpu->mem;
    if (stopped)
        kvm_vm_collect_ram_writes(vm, as);
    else
        ram_log_follow(vm, as);
    if (stopped) {
        struct kvm_clock_data d = { 0 };
        vm->clock_saved = ioctl(vm->vm_fd, KVM_GET_CLOCK, &d) == 0;
        vm->clock = d.clock;
    } else if (vm->clock_saved) {
        struct kvm_clock_data d = { .clock = vm->clock };
        if (ioctl(vm->vm_fd, KVM_SET_CLOCK, &d) < 0)
            guest_error("kvm: KVM_SET_CLOCK failed: %s\n", strerror(errno));
        vm->clock_saved = false;
    }
}
static void kvm_resume(vcpu *v) { vcpu_ctl_resume(&v->ctl); }

static void kvm_destroy(vcpu *v)
{
    vcpu_ctl_destroy(&v->ctl, kick, v);
    munmap(v->run, (size_t)v->vm->run_size);
    close(v->fd);
    free(v);
}

static bool kvm_host_ok(void)
{
#if defined(__x86_64__) && defined(__linux__)
    return true;
#else
    return false;
#endif
}

static const accel_ops kvm_ops = {
    .name = "kvm",
    .arch = "x86_64",
    .desc = "runs the guest on the host CPU with Linux KVM (-M microvm)",
    .create = kvm_create,
    .start = kvm_start,
    .kick = kvm_kick,
    .pause = kvm_pause,
    .request_pause = kvm_request_pause,
    .wait_paused = kvm_wait_paused,
    .thread_id = kvm_thread_id,
    .machine_stopped = kvm_machine_stopped,
    .debug_changed = kvm_debug_changed,
    .debug_step = kvm_debug_step,
    .resume = kvm_resume,
    .destroy = kvm_destroy,
    .available = kvm_host_ok,
};
ACCEL_REGISTER(kvm_ops)
