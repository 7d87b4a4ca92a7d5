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
    sleep_ms(50);
    kvm->pause(v);

    static kvm_vcpu_state a, b;
    CHECK(kvm_vcpu_get_state(v, &a), "get state");
    CHECK(a.regs.rax > 0, "the guest did not run (rax %llu)", (unsigned long long)a.regs.rax);
    CHECK(a.regs.rip >= 0x100000 && a.regs.rip < 0x100000 + sizeof(code), "rip %llx", (unsigned long long)a.regs.rip);
    CHECK(a.nmsrs > 10, "only %u MSRs saved", a.nmsrs);
    uint64_t counted = a.regs.rax;
    a.regs.rbx = 0x1234567890abcdefull;
    a.regs.rax = 5;
    a.xsave.region[40] ^= 0x5a5a5a5a;              /* an XMM register's bytes */
    CHECK(kvm_vcpu_set_state(v, &a), "set state");
    CHECK(kvm_vcpu_get_state(v, &b), "get state again");
    CHECK(!memcmp(&a.regs, &b.regs, sizeof(a.regs)), "general registers differ after set");
    CHECK(!memcmp(&a.sregs, &b.sregs, sizeof(a.sregs)), "segment/control registers differ after set");
    CHECK(a.xsave.region[40] == b.xsave.region[40], "XSAVE state differs after set");
    CHECK(!memcmp(&a.lapic, &b.lapic, sizeof(a.lapic)), "LAPIC differs after set");
    CHECK(a.mp.mp_state == b.mp.mp_state, "MP state differs");
    CHECK(a.nmsrs == b.nmsrs, "MSR count %u then %u", a.nmsrs, b.nmsrs);

    /* the guest goes on from the state written: rbx kept, rax counting from 5 */
    kvm->resume(v);
    sleep_ms(20);
    kvm->pause(v);
    x86_regs r;
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
