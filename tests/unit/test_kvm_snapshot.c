/*
 * KVM snapshots without the snapshot file: a guest that counts, with the local APIC
 * timer and the PIT both interrupting it and kvmclock enabled, is saved (vCPU and VM
 * state into a byte stream, RAM copied), and loaded into a NEW VM with a new vCPU, five
 * times in a chain; the first VM also goes on after its save.
 *
 * What shows the continuation is exact: the guest writes each value of a 64-bit LCG to
 * a port, and the port's checker (whose own state is copied along with RAM, as a
 * device's would be) must see the one sequence with nothing repeated and nothing
 * skipped across every save and load: an I/O instruction that a pause left half done
 * would be run again. The registers read back after a load are those saved; both
 * timers go on interrupting; kvmclock goes on from the saved value rather than jumping
 * over the time between the save and the load, and KVM keeps the guest's kvmclock page
 * (its MSR restored). With RAM write tracking on, KVM's log of the guest's writes
 * reaches the address space's marks. Skipped, with the reason, where /dev/kvm or a
 * capability is missing.
 */
#include "accel/kvm.h"
#include "core/memory.h"
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

static int failures;
#define CHECK(cond, ...) do { if (!(cond)) { printf("FAIL %s:%d: ", __FILE__, __LINE__); \
    printf(__VA_ARGS__); printf("\n"); failures++; } } while (0)

#define RAM_SIZE (16u << 20)
#define BOOT_TABLES 0x10000
#define CODE 0x100000
#define IDT 0x180000
#define STACK 0x80000
#define COUNTS 0x200000          /* u64: LAPIC timer ticks, PIT ticks, bad-vector flag */
#define PVCLOCK 0x201000         /* the guest's kvmclock page */
#define CHECK_PORT 0x510
#define ROUNDS 5

#define LCG_A 6364136223846793005ull
#define LCG_C 1442695040888963407ull

/*
 * The guest (64-bit, entered with the boot tables' identity map): mask the PICs, enable
 * the local APIC with a periodic timer on vector 0x40, route the PIT (GSI 0, I/O APIC
 * pin 0) to vector 0x41 and run it at 100 Hz, turn kvmclock on, then forever: read a
 * number from the checker's port, advance the LCG in rbx and add the number in, count
 * in r8, write the LCG's low half to the port.
 */
#if defined(__x86_64__)
__asm__(
    ".pushsection .rodata.kvm_snapshot_guest, \"a\"\n"
    ".intel_syntax noprefix\n"
    ".globl snap_guest, snap_guest_end, snap_lapic_isr, snap_pit_isr, snap_bad_isr, snap_loop\n"
    ".globl snap_in_done, snap_counted, snap_out, snap_out_done\n"
    "snap_guest:\n"
    "  mov al, 0xff\n"
    "  out 0x21, al\n"
    "  out 0xa1, al\n"
    "  mov esi, 0xfee00000\n"
    "  mov dword ptr [rsi+0xf0], 0x1ff\n"          /* spurious vector, APIC on */
    "  mov dword ptr [rsi+0x3e0], 3\n"             /* divide by 16 */
    "  mov dword ptr [rsi+0x320], 0x20040\n"       /* periodic, vector 0x40 */
    "  mov dword ptr [rsi+0x380], 0x100000\n"      /* about 17 ms */
    "  mov esi, 0xfec00000\n"
    "  mov dword ptr [rsi], 0x10\n"                /* redirection entry 0: vector 0x41 */
    "  mov dword ptr [rsi+0x10], 0x41\n"
    "  mov dword ptr [rsi], 0x11\n"
    "  mov dword ptr [rsi+0x10], 0\n"
    "  mov al, 0x34\n"                             /* PIT channel 0, rate generator */
    "  out 0x43, al\n"
    "  mov al, 0x9c\n"                             /* 11932: 100 Hz */
    "  out 0x40, al\n"
    "  mov al, 0x2e\n"
    "  out 0x40, al\n"
    "  mov ecx, 0x4b564d01\n"                      /* MSR_KVM_SYSTEM_TIME_NEW */
    "  mov eax, 0x201001\n"
    "  xor edx, edx\n"
    "  wrmsr\n"
    "  movabs r9, 6364136223846793005\n"
    "  movabs r10, 1442695040888963407\n"
    "  mov ebx, 1\n"
    "  xor r8d, r8d\n"
    "  mov edx, 0x510\n"
    "  sti\n"
    "snap_loop:\n"
    "  in eax, dx\n"
    "snap_in_done:\n"
    "  imul rbx, r9\n"
    "  add rbx, r10\n"
    "  add rbx, rax\n"
    "  inc r8\n"
    "snap_counted:\n"
    "  mov eax, ebx\n"
    "snap_out:\n"
    "  out dx, eax\n"
    "snap_out_done:\n"
    "  jmp snap_loop\n"
    "snap_lapic_isr:\n"
    "  inc qword ptr [0x200000]\n"
    "  jmp 1f\n"
    "snap_pit_isr:\n"
    "  inc qword ptr [0x200008]\n"
    "1:\n"
    "  push rsi\n"
    "  mov esi, 0xfee00000\n"
    "  mov dword ptr [rsi+0xb0], 0\n"              /* EOI */
    "  pop rsi\n"
    "  iretq\n"
    "snap_bad_isr:\n"
    "  cli\n"
    "  mov qword ptr [0x200010], 1\n"
    "  hlt\n"
    "  jmp snap_bad_isr\n"
    "snap_guest_end:\n"
    ".att_syntax prefix\n"
    ".popsection\n");
extern const uint8_t snap_guest[], snap_guest_end[], snap_lapic_isr[], snap_pit_isr[], snap_bad_isr[],
    snap_loop[], snap_in_done[], snap_counted[], snap_out[], snap_out_done[];
#endif

/* The port the guest reads its numbers from and writes its sequence to: a read that
 * comes twice without a write between (an IN run again), or a wrong value (a write run
 * again, or lost), is counted bad. */
typedef struct checker {
    uint64_t lcg;                /* the state after the last value seen */
    uint64_t n;                  /* values seen (writes) */
    uint64_t reads;
    uint64_t bad;
    uint64_t bad_at;             /* the first wrong value's index */
    uint32_t got, want;
} checker;

static void check_fail(checker *c, uint32_t got, uint32_t want)
{
    if (!c->bad++) {
        c->bad_at = c->n;
        c->got = got;
        c->want = want;
    }
}

static void check_write(void *opaque, uint64_t off, uint64_t val, unsigned size)
{
    checker *c = opaque;
    (void)off, (void)size;
    c->lcg = c->lcg * LCG_A + LCG_C + (uint32_t)(c->reads * 7919);
    if ((uint32_t)val != (uint32_t)c->lcg)
        check_fail(c, (uint32_t)val, (uint32_t)c->lcg);
    if (c->reads != c->n + 1)
        check_fail(c, (uint32_t)c->reads, (uint32_t)c->n + 1);
    c->n++;
}

static uint64_t check_read(void *opaque, uint64_t off, unsigned size)
{
    checker *c = opaque;
    (void)off, (void)size;
    if (c->reads != c->n)
        check_fail(c, (uint32_t)c->reads, (uint32_t)c->n);
    c->reads++;
    return (uint32_t)(c->reads * 7919);
}

static const mmio_ops check_ops = { check_read, check_write };

/* One machine: RAM, ports, a VM and its vCPU. */
typedef struct box {
    address_space mem, io;
    uint8_t *ram;
    checker chk;
    kvm_vm *vm;
    x86_cpu cpu;
    vcpu *v;
} box;

static const accel_ops *kvm;

static bool box_init(box *b)
{
    char err[256];
    memset(b, 0, sizeof(*b));
    as_init(&b->mem);
    as_init(&b->io);
    b->ram = as_add_ram(&b->mem, "ram", 0, RAM_SIZE);
    if (!b->ram)
        return false;
    as_add_mmio(&b->io, "checker", CHECK_PORT, 4, &check_ops, &b->chk);
    b->vm = kvm_vm_create(err, sizeof(err));
    if (!b->vm) {
        printf("FAIL: %s\n", err);
        failures++;
        return false;
    }
    if (!kvm_vm_add_ram(b->vm, 0, b->ram, RAM_SIZE, err, sizeof(err))) {
        printf("FAIL: %s\n", err);
        failures++;
        return false;
    }
    return true;
}

/* The vCPU (not started); with the boot state for a fresh guest. */
static bool box_vcpu(box *b)
{
    char err[256];
    b->cpu = (x86_cpu){ .index = 0, .ncpus = 1, .vm = b->vm, .mem = &b->mem, .io = &b->io, .runnable = true };
    x86_long_mode_regs(&b->cpu.boot, BOOT_TABLES, CODE, STACK);
    b->cpu.boot.idt.base = IDT;
    b->cpu.boot.idt.limit = 256 * 16 - 1;
    b->v = kvm->create(&b->cpu, 0, "", err, sizeof(err));
    if (!b->v) {
        printf("FAIL: vCPU: %s\n", err);
        failures++;
    }
    return b->v != NULL;
}

static void box_free(box *b)
{
    if (b->v)
        kvm->destroy(b->v);
    if (b->vm)
        kvm_vm_destroy(b->vm);
    as_destroy(&b->mem);
    as_destroy(&b->io);
}

static uint64_t ram64(box *b, uint64_t pa)
{
    uint64_t v;
    memcpy(&v, b->ram + pa, 8);
    return v;
}

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void sleep_ms(long ms)
{
    struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
    nanosleep(&ts, NULL);
}

/* Run the (started) box until the checker has seen `n` values and both timers have
 * ticked past the counts given, or 10 s pass; it is paused on return. */
static void run_until(box *b, uint64_t n, uint64_t lapic, uint64_t pit)
{
    uint64_t end = now_ns() + 10000000000ull;
    kvm->machine_stopped(b->v, false);
    kvm->resume(b->v);
    for (;;) {
        sleep_ms(20);
        kvm->pause(b->v);
        if ((b->chk.n >= n && ram64(b, COUNTS) > lapic && ram64(b, COUNTS + 8) > pit) || now_ns() > end ||
            ram64(b, COUNTS + 16))
            break;
        kvm->resume(b->v);
    }
    kvm->machine_stopped(b->v, true);
}

static void set_gate(uint8_t *ram, unsigned vec, uint64_t handler)
{
    uint8_t *g = ram + IDT + 16 * vec;
    memset(g, 0, 16);
    g[0] = (uint8_t)handler;
    g[1] = (uint8_t)(handler >> 8);
    g[2] = X86_BOOT_CS;
    g[5] = 0x8e;                  /* present, DPL 0, 64-bit interrupt gate */
    g[6] = (uint8_t)(handler >> 16);
    g[7] = (uint8_t)(handler >> 24);
}

static uint64_t msr_of(const kvm_vcpu_state *s, uint32_t index, bool *found)
{
    for (uint32_t i = 0; i < s->nmsrs; i++)
        if (s->msrs[i].index == index) {
            *found = true;
            return s->msrs[i].data;
        }
    *found = false;
    return 0;
}

static uint32_t lapic_reg(const kvm_vcpu_state *s, unsigned off)
{
    uint32_t v;
    memcpy(&v, (const uint8_t *)s->lapic.regs + off, 4);
    return v;
}

/* A stream cut short anywhere, a part's length or tag changed, or another version: the
 * load says so in one line and leaves the vCPU as it was. */
static void bad_input(box *b)
{
    static kvm_vcpu_state before, after, parsed;
    char err[256];
    state_out o = { 0 };
    CHECK(kvm_vcpu_save(b->v, &o, err, sizeof(err)) && kvm_vm_save_state(b->vm, &o, err, sizeof(err)),
          "save: %s", err);
    CHECK(kvm_vcpu_get_state(b->v, &before), "get state");
    unsigned refused = 0, tries = 0;
    for (size_t cut = 0; cut < o.len; cut += cut < 64 ? 1 : 997) {
        state_in in = { .data = o.data, .len = cut };
        err[0] = 0;
        bool ok = kvm_vcpu_load(b->v, &in, KVM_STATE_VERSION, err, sizeof(err)) &&
                  kvm_vm_load_state(b->vm, &in, KVM_STATE_VERSION, err, sizeof(err));
        tries++;
        if (!ok && err[0] && !strchr(err, '\n'))
            refused++;
        else
            printf("FAIL: a stream cut at %zu of %zu bytes: %s\n", cut, o.len, ok ? "loaded" : "no message");
    }
    CHECK(refused == tries, "%u of %u cut streams refused", refused, tries);
    CHECK(kvm_vcpu_get_state(b->v, &after), "get state");
    CHECK(!memcmp(&before.regs, &after.regs, sizeof(before.regs)) &&
          !memcmp(&before.sregs, &after.sregs, sizeof(before.sregs)), "a refused load changed the vCPU");
    /* the REGS part's length (bytes 12-15: after MPST's tag, length and 4 bytes) */
    uint8_t *copy = malloc(o.len);
    memcpy(copy, o.data, o.len);
    copy[16]++;
    state_in in = { .data = copy, .len = o.len };
    CHECK(!kvm_vcpu_state_read(&in, KVM_STATE_VERSION, &parsed, "vCPU 0", err, sizeof(err)) &&
          strstr(err, "bytes"), "a wrong part length: %s", err);
    memcpy(copy, o.data, o.len);
    copy[12] ^= 0x20;                /* the REGS tag */
    in = (state_in){ .data = copy, .len = o.len };
    CHECK(!kvm_vcpu_state_read(&in, KVM_STATE_VERSION, &parsed, "vCPU 0", err, sizeof(err)) &&
          strstr(err, "where"), "a wrong tag: %s", err);
    in = (state_in){ .data = o.data, .len = o.len };
    CHECK(!kvm_vcpu_state_read(&in, KVM_STATE_VERSION + 1, &parsed, "vCPU 0", err, sizeof(err)) &&
          strstr(err, "version"), "another version: %s", err);
    in = (state_in){ .data = o.data, .len = o.len };
    CHECK(kvm_vcpu_state_read(&in, KVM_STATE_VERSION, &parsed, "vCPU 0", err, sizeof(err)), "the whole stream: %s",
          err);
    printf("bad input: %u cut streams, a wrong length, tag and version refused\n", tries);
    free(copy);
    state_out_free(&o);
}

/* Capabilities this test needs beyond what kvm_vm_create checks. */
static const char *missing_cap(void)
{
    static const struct { int cap; const char *name; } caps[] = {
        { KVM_CAP_PIT_STATE2, "KVM_CAP_PIT_STATE2" },
        { KVM_CAP_ADJUST_CLOCK, "KVM_CAP_ADJUST_CLOCK" },
        { KVM_CAP_DEBUGREGS, "KVM_CAP_DEBUGREGS" },
        { KVM_CAP_MP_STATE, "KVM_CAP_MP_STATE" },
    };
    int fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
    if (fd < 0)
        return "/dev/kvm";
    const char *missing = NULL;
    for (unsigned i = 0; i < sizeof(caps) / sizeof(caps[0]) && !missing; i++)
        if (ioctl(fd, KVM_CHECK_EXTENSION, caps[i].cap) <= 0)
            missing = caps[i].name;
    close(fd);
    return missing;
}

int main(void)
{
#if !defined(__x86_64__)
    printf("not an x86-64 host\n");
    return 77;
#else
    const char *missing = missing_cap();
    if (missing) {
        printf("this host's KVM lacks %s\n", missing);
        return 77;
    }
    {
        char err[256];
        kvm_vm *probe = kvm_vm_create(err, sizeof(err));
        if (!probe) {
            printf("%s\n", err);
            return 77;
        }
        kvm_vm_destroy(probe);
    }
    setvbuf(stdout, NULL, _IONBF, 0);
    kvm = accel_find("kvm", "x86_64");
    CHECK(kvm != NULL, "no kvm accelerator");
    if (!kvm)
        return 1;

    static box boxes[2];
    box *cur = &boxes[0];
    if (!box_init(cur))
        return 1;
    CHECK(x86_build_boot_tables(&cur->mem, BOOT_TABLES), "boot tables");
    size_t code_len = (size_t)(snap_guest_end - snap_guest);
    memcpy(cur->ram + CODE, snap_guest, code_len);
    for (unsigned vec = 0; vec < 256; vec++)
        set_gate(cur->ram, vec, CODE + (uint64_t)(snap_bad_isr - snap_guest));
    set_gate(cur->ram, 0x40, CODE + (uint64_t)(snap_lapic_isr - snap_guest));
    set_gate(cur->ram, 0x41, CODE + (uint64_t)(snap_pit_isr - snap_guest));
    cur->chk.lcg = 1;
    if (!box_vcpu(cur))
        return 1;
    kvm->request_pause(cur->v);      /* the thread starts paused; run_until lets it go */
    kvm->start(cur->v);
    kvm->wait_paused(cur->v);
    kvm->machine_stopped(cur->v, true);
    run_until(cur, 2000, 2, 2);
    CHECK(!ram64(cur, COUNTS + 16), "the guest took an unexpected interrupt or exception");
    CHECK(cur->chk.n >= 2000 && ram64(cur, COUNTS) > 2 && ram64(cur, COUNTS + 8) > 2,
          "the first guest did not get going: %llu values, %llu APIC and %llu PIT ticks",
          (unsigned long long)cur->chk.n, (unsigned long long)ram64(cur, COUNTS),
          (unsigned long long)ram64(cur, COUNTS + 8));

    static kvm_vcpu_state saved, loaded;
    static uint8_t ram_copy[RAM_SIZE];
    bool tsc_kept = false;
    unsigned after_io = 0;
    for (int round = 1; round <= ROUNDS && !failures; round++) {
        /* ---- save (cur is paused, its clock stopped) ---- */
        char err[256];
        state_out o = { 0 };
        CHECK(kvm_vcpu_save(cur->v, &o, err, sizeof(err)), "save vCPU: %s", err);
        CHECK(kvm_vm_save_state(cur->vm, &o, err, sizeof(err)), "save VM: %s", err);
        CHECK(kvm_vcpu_get_state(cur->v, &saved), "get state");
        kvm_vm_state saved_vm;
        CHECK(kvm_vm_get_state(cur->vm, &saved_vm, err, sizeof(err)), "VM state: %s", err);
        memcpy(ram_copy, cur->ram, RAM_SIZE);
        checker chk = cur->chk;
        uint64_t lapic = ram64(cur, COUNTS), pit = ram64(cur, COUNTS + 8);
        uint64_t saved_at = now_ns();
        /* The registers agree with what the port saw: between the IN and the OUT the
         * port has had one read more than writes, and r8 is one ahead after its inc. A
         * pause that left the IN or the OUT half done (the port served it, rip still on
         * the instruction) fails this. */
#define AT(label) (CODE + (uint64_t)(label - snap_guest))
        uint64_t rip = saved.regs.rip;
        if (rip >= AT(snap_loop) && rip <= AT(snap_out_done)) {
            bool in_done = rip >= AT(snap_in_done) && rip <= AT(snap_out);
            bool counted = rip >= AT(snap_counted) && rip <= AT(snap_out);
            CHECK(chk.reads == chk.n + in_done && saved.regs.r8 == chk.n + counted,
                  "round %d: paused at loop+%llu with r8 %llu; the port had %llu reads, %llu writes", round,
                  (unsigned long long)(rip - AT(snap_loop)), (unsigned long long)saved.regs.r8,
                  (unsigned long long)chk.reads, (unsigned long long)chk.n);
            if (rip == AT(snap_in_done) || rip == AT(snap_out_done))
                after_io++;
        }
        bool found;
        CHECK(msr_of(&saved, 0x10, &found) && found, "the TSC is not among the saved MSRs");
        msr_of(&saved, 0x6e0, &found);
        CHECK(found, "the TSC deadline is not among the saved MSRs");
        CHECK(msr_of(&saved, 0x4b564d01, &found) == PVCLOCK + 1 && found,
              "kvmclock's MSR is not saved as the guest set it");

        /* ---- the old machine goes on (the first time), then goes away ---- */
        if (round == 1) {
            /* with RAM write tracking on, as a snapshot turns it on: the pages the guest
             * writes (its counters, its stack) are marked at the stop, the others not */
            as_ram_track(&cur->mem, true);
            run_until(cur, chk.n + 2000, lapic + 1, pit + 1);
            CHECK(cur->chk.bad == 0 && cur->chk.n >= chk.n + 2000, "the saved guest did not go on: "
                  "%llu values, %llu wrong", (unsigned long long)cur->chk.n, (unsigned long long)cur->chk.bad);
            _Atomic uint64_t *dirty = cur->mem.ram[0].dirty;
#define MARKED(pa) ((dirty[(pa) >> 18] >> (((pa) >> 12) & 63)) & 1)
            CHECK(dirty && MARKED(COUNTS) && MARKED(STACK - 8), "the guest's writes to RAM were not marked");
            CHECK(dirty && !MARKED(CODE) && !MARKED(0x300000), "RAM the guest did not write was marked");
            sleep_ms(300);            /* time the snapshot "sits on disk" */
        }
        box_free(cur);

        /* ---- load into a new VM ---- */
        box *next = &boxes[round & 1];
        if (!box_init(next))
            break;
        memcpy(next->ram, ram_copy, RAM_SIZE);
        memset(next->ram + PVCLOCK, 0, 32);     /* KVM must write it anew */
        next->chk = chk;
        if (!box_vcpu(next))
            break;
        state_in in = { .data = o.data, .len = o.len };
        uint64_t loaded_at = now_ns();
        CHECK(kvm_vcpu_load(next->v, &in, KVM_STATE_VERSION, err, sizeof(err)), "load vCPU: %s", err);
        CHECK(kvm_vm_load_state(next->vm, &in, KVM_STATE_VERSION, err, sizeof(err)), "load VM: %s", err);
        CHECK(!in.bad && in.pos == in.len, "the load read %zu of %zu bytes", in.pos, in.len);
        state_out_free(&o);

        CHECK(kvm_vcpu_get_state(next->v, &loaded), "get loaded state");
        CHECK(!memcmp(&loaded.regs, &saved.regs, sizeof(saved.regs)), "round %d: registers differ after the load",
              round);
        CHECK(!memcmp(&loaded.sregs, &saved.sregs, sizeof(saved.sregs)), "round %d: special registers differ",
              round);
        CHECK(!memcmp(&loaded.xcrs, &saved.xcrs, sizeof(saved.xcrs)), "XCRs differ");
        CHECK(loaded.mp.mp_state == saved.mp.mp_state, "MP state %u, saved %u", loaded.mp.mp_state,
              saved.mp.mp_state);
        static const unsigned apic_regs[] = { 0xf0, 0x320, 0x350, 0x360, 0x380, 0x3e0, 0x80, 0xd0, 0xe0 };
        for (unsigned i = 0; i < sizeof(apic_regs) / sizeof(apic_regs[0]); i++)
            CHECK(lapic_reg(&loaded, apic_regs[i]) == lapic_reg(&saved, apic_regs[i]),
                  "LAPIC register %#x: %#x, saved %#x", apic_regs[i], lapic_reg(&loaded, apic_regs[i]),
                  lapic_reg(&saved, apic_regs[i]));
        CHECK(lapic_reg(&loaded, 0x390) <= lapic_reg(&saved, 0x380), "the APIC timer's count %#x is past its start",
              lapic_reg(&loaded, 0x390));
        CHECK(msr_of(&loaded, 0x4b564d01, &found) == PVCLOCK + 1, "kvmclock's MSR not loaded");
        /* The TSC: one that goes on from the save is close to the saved value; one that
         * follows the host's has run on over the 300 ms pause of the first round. */
        if (round == 1) {
            uint64_t tsc_saved = msr_of(&saved, 0x10, &found), tsc_now = msr_of(&loaded, 0x10, &found);
            uint64_t khz = saved.tsc_khz ? saved.tsc_khz : 1000000;
            uint64_t pause_cycles = (loaded_at - saved_at) / 1000 * khz / 1000;
            tsc_kept = tsc_now >= tsc_saved && tsc_now - tsc_saved < pause_cycles / 2;
            printf("TSC after a load: %s (%+lld cycles over a %.0f ms pause)\n",
                   tsc_kept ? "goes on from the saved value"
                            : "follows the host's: this KVM does not take the saved TSC",
                   (long long)(tsc_now - tsc_saved), (double)(loaded_at - saved_at) / 1e6);
        }

        kvm_vm_state vm_now;
        CHECK(kvm_vm_get_state(next->vm, &vm_now, err, sizeof(err)), "VM state: %s", err);
        CHECK(!memcmp(vm_now.ioapic.redirtbl, saved_vm.ioapic.redirtbl, sizeof(saved_vm.ioapic.redirtbl)),
              "I/O APIC redirection table differs");
        CHECK(vm_now.ioapic.id == saved_vm.ioapic.id, "I/O APIC id");
        CHECK(vm_now.pic[0].imr == saved_vm.pic[0].imr && vm_now.pic[1].imr == saved_vm.pic[1].imr,
              "PIC masks differ");
        CHECK(vm_now.pit.channels[0].mode == saved_vm.pit.channels[0].mode &&
              vm_now.pit.channels[0].count == saved_vm.pit.channels[0].count, "PIT channel 0: mode %u count %u",
              vm_now.pit.channels[0].mode, vm_now.pit.channels[0].count);
        uint64_t kclock;
        CHECK(kvm_vm_clock_now(next->vm, &kclock), "KVM_GET_CLOCK");
        CHECK(kclock >= saved_vm.clock && kclock - saved_vm.clock < now_ns() - loaded_at + 50000000ull,
              "round %d: kvmclock %llu after the load, %llu saved, %llu ns since the load", round,
              (unsigned long long)kclock, (unsigned long long)saved_vm.clock,
              (unsigned long long)(now_ns() - loaded_at));

        /* ---- the loaded guest goes on ---- */
        kvm->request_pause(next->v);
        kvm->start(next->v);
        kvm->wait_paused(next->v);
        uint64_t started = now_ns();
        run_until(next, chk.n + 2000, lapic + 1, pit + 1);
        uint64_t ran = now_ns() - started;
        CHECK(!ram64(next, COUNTS + 16), "round %d: the guest took an unexpected interrupt or exception", round);
        CHECK(next->chk.bad == 0, "round %d: value %llu of the sequence was %#x, not %#x (repeated or skipped)",
              round, (unsigned long long)next->chk.bad_at, next->chk.got, next->chk.want);
        CHECK(next->chk.n >= chk.n + 2000, "round %d: the loaded guest did not go on (%llu values, %llu at the save)",
              round, (unsigned long long)next->chk.n, (unsigned long long)chk.n);
        CHECK(ram64(next, COUNTS) > lapic + 1, "round %d: APIC timer ticks %llu, %llu at the save", round,
              (unsigned long long)ram64(next, COUNTS), (unsigned long long)lapic);
        CHECK(ram64(next, COUNTS + 8) > pit + 1, "round %d: PIT ticks %llu, %llu at the save", round,
              (unsigned long long)ram64(next, COUNTS + 8), (unsigned long long)pit);
        /* kvmclock: the guest's page written anew, its time that of the save plus the
         * run since the load, not plus the pause before it */
        uint32_t pv_version;
        memcpy(&pv_version, next->ram + PVCLOCK, 4);
        uint64_t pv_time = ram64(next, PVCLOCK + 16);
        CHECK(pv_version != 0 && !(pv_version & 1), "round %d: kvmclock page not written (version %u)", round,
              pv_version);
        CHECK(pv_time >= saved_vm.clock && pv_time - saved_vm.clock < ran + 100000000ull,
              "round %d: kvmclock page time %llu, %llu saved, ran %llu ns", round, (unsigned long long)pv_time,
              (unsigned long long)saved_vm.clock, (unsigned long long)ran);
        CHECK(kvm_vm_clock_now(next->vm, &kclock), "KVM_GET_CLOCK");
        printf("round %d: %llu values, APIC %llu->%llu, PIT %llu->%llu ticks, kvmclock +%.1f ms over a %.1f ms "
               "run (%.1f ms since the save)\n", round, (unsigned long long)next->chk.n, (unsigned long long)lapic,
               (unsigned long long)ram64(next, COUNTS), (unsigned long long)pit,
               (unsigned long long)ram64(next, COUNTS + 8), (double)(next->vm ? kclock - saved_vm.clock : 0) / 1e6,
               (double)ran / 1e6, (double)(now_ns() - saved_at) / 1e6);
        cur = next;
    }
    if (!failures)
        bad_input(cur);
    box_free(cur);
    printf("%u of %d saves came right after a port access the pause finished\n", after_io, ROUNDS);
    (void)tsc_kept;
    if (!failures)
        printf("kvm snapshot: %d loads into new VMs, exact continuation, timers and kvmclock go on\n", ROUNDS);
    return failures ? 1 : 0;
#endif
}
