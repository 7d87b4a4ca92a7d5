/*
 * The kvm accelerator's vCPU state, which snapshots and the debugger will use: a guest
 * counting in a register runs, is paused, its whole state read, changed and written
 * back; the state read again must be what was written (registers, segments, control
 * registers, XSAVE, the LAPIC, MSRs), and after resuming the guest must go on from it.
 * Skipped where /dev/kvm cannot be opened.
 */
#include "accel/kvm.h"
#include "core/memory.h"
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static int failures;
#define CHECK(cond, ...) do { if (!(cond)) { printf("FAIL %s:%d: ", __FILE__, __LINE__); \
    printf(__VA_ARGS__); printf("\n"); failures++; } } while (0)

static void sleep_ms(long ms)
{
    struct timespec ts = { 0, ms * 1000000L };
    nanosleep(&ts, NULL);
}

int main(void)
{
#if !defined(__x86_64__)
    printf("not an x86-64 host\n");
    return 77;
#else
    int fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
    if (fd < 0) {
        printf("no usable /dev/kvm\n");
        return 77;
    }
    close(fd);
    address_space mem, io;
    as_init(&mem);
    as_init(&io);
    uint8_t *ram = as_add_ram(&mem, "ram", 0, 16u << 20);
    CHECK(ram != NULL, "no RAM");
    CHECK(x86_build_boot_tables(&mem, 0x10000), "boot tables");
    /* 1: inc rax; pause; jmp 1b */
    static const uint8_t code[] = { 0x48, 0xff, 0xc0, 0xf3, 0x90, 0xeb, 0xf9 };
    memcpy(ram + 0x100000, code, sizeof(code));

    char err[256];
    kvm_vm *vm = kvm_vm_create(err, sizeof(err));
    if (!vm) {
        printf("%s\n", err);
        return 77;
    }
    CHECK(kvm_vm_add_ram(vm, 0, ram, 16u << 20, err, sizeof(err)), "%s", err);
    x86_cpu cpu = { .index = 0, .ncpus = 1, .vm = vm, .mem = &mem, .io = &io, .runnable = true };
    x86_long_mode_regs(&cpu.boot, 0x10000, 0x100000, 0x80000);
    const accel_ops *kvm = accel_find("kvm", "x86_64");
    CHECK(kvm != NULL, "no kvm accelerator");
    vcpu *v = kvm->create(&cpu, 0, "", err, sizeof(err));
    CHECK(v != NULL, "create: %s", err);
    if (!v)
        return 1;
    kvm->start(v);
    /* until the guest has counted (a loaded host may take a while to schedule it) */
    x86_regs r;
    for (int tries = 0; tries < 500; tries++) {
        sleep_ms(10);
        kvm->pause(v);
        if (kvm_vcpu_get_regs(v, &r) && r.rax > 0)
            break;
        kvm->resume(v);
    }

    static kvm_vcpu_state a, b;
    CHECK(kvm_vcpu_get_state(v, &a), "get state");
    CHECK(a.regs.rax > 0, "the guest did not run (rax %llu)", (unsigned long long)a.regs.rax);
    CHECK(a.regs.rip >= 0x100000 && a.regs.rip < 0x100000 + sizeof(code), "rip %llx", (unsigned long long)a.regs.rip);
    CHECK(a.nmsrs > 10, "only %u MSRs saved", a.nmsrs);
    uint64_t counted = a.regs.rax;
    a.regs.rbx = 0x1234567890abcdefull;
    a.regs.rax = 5;
    /* XMM0 through the helper that marks SSE state in use; whether the guest's SSE
     * state was saved as initial (XSTATE_BV bit 1 clear) depends on the host CPU */
    uint64_t bv;
    memcpy(&bv, (uint8_t *)a.xsave.region + 512, 8);
    printf("guest SSE state saved as %s (XSTATE_BV %#llx)\n", bv & 2 ? "in use" : "initial",
           (unsigned long long)bv);
    uint8_t *xmm0 = kvm_xsave_xmm(&a.xsave, 0);
    for (int i = 0; i < 16; i++)
        xmm0[i] ^= (uint8_t)(0x5a + i);
    CHECK(kvm_vcpu_set_state(v, &a), "set state");
    CHECK(kvm_vcpu_get_state(v, &b), "get state again");
    CHECK(!memcmp(&a.regs, &b.regs, sizeof(a.regs)), "general registers differ after set");
    CHECK(!memcmp(&a.sregs, &b.sregs, sizeof(a.sregs)), "segment/control registers differ after set");
    CHECK(!memcmp(kvm_xsave_xmm(&a.xsave, 0), kvm_xsave_xmm(&b.xsave, 0), 16),
          "XSAVE state differs after set: XMM0 not kept");
    CHECK(!memcmp(&a.lapic, &b.lapic, sizeof(a.lapic)), "LAPIC differs after set");
    CHECK(a.mp.mp_state == b.mp.mp_state, "MP state differs");

    /* the other host's case, made here: SSE state saved as initial. Its bytes are then
     * not state at all (KVM gives back the initial XMM0), and an edit through the
     * helper is kept. */
    static kvm_vcpu_state c, d;
    c = b;
    memcpy(&bv, (uint8_t *)c.xsave.region + 512, 8);
    bv &= ~2ull;
    memcpy((uint8_t *)c.xsave.region + 512, &bv, 8);
    CHECK(kvm_vcpu_set_state(v, &c), "set state with SSE initial");
    CHECK(kvm_vcpu_get_state(v, &d), "get state with SSE initial");
    static const uint8_t zero16[16];
    CHECK(!memcmp((uint8_t *)d.xsave.region + 160, zero16, 16),
          "XMM0 of an initial SSE state is not the initial value");
    xmm0 = kvm_xsave_xmm(&d.xsave, 0);
    for (int i = 0; i < 16; i++)
        xmm0[i] = (uint8_t)(0xa0 + i);
    CHECK(kvm_vcpu_set_state(v, &d), "set state after editing XMM0");
    CHECK(kvm_vcpu_get_state(v, &c), "get state after editing XMM0");
    CHECK(!memcmp(kvm_xsave_xmm(&c.xsave, 0), kvm_xsave_xmm(&d.xsave, 0), 16),
          "XMM0 written to an initial SSE state was not kept");
    CHECK(kvm_vcpu_set_state(v, &b), "set state back");
    CHECK(a.nmsrs == b.nmsrs, "MSR count %u then %u", a.nmsrs, b.nmsrs);

    /* the guest goes on from the state written: rbx kept, rax counting from 5 */
    kvm->resume(v);
    for (int tries = 0; tries < 500; tries++) {
        sleep_ms(10);
        kvm->pause(v);
        if (kvm_vcpu_get_regs(v, &r) && r.rax != 5)
            break;
        kvm->resume(v);
    }
    CHECK(kvm_vcpu_get_regs(v, &r), "get regs");
    CHECK(r.rbx == 0x1234567890abcdefull, "rbx %llx", (unsigned long long)r.rbx);
    CHECK(r.rax > 5 && r.rax < counted + 1000000000ull, "rax %llu", (unsigned long long)r.rax);
    CHECK(r.cs.l && (r.efer & X86_EFER_LMA), "not in 64-bit mode");

    kvm->destroy(v);
    kvm_vm_destroy(vm);
    as_destroy(&mem);
    as_destroy(&io);
    if (!failures)
        printf("kvm state: %u MSRs, registers, XSAVE and LAPIC round-trip\n", a.nmsrs);
    return failures ? 1 : 0;
#endif
}
