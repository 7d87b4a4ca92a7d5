/*
 * The `kvm` accelerator for x86-64 guests: a KVM virtual machine (memory slots, the
 * in-kernel irqchip and PIT, interrupt lines) for the board, and vCPUs behind the
 * shared accelerator interface (accel.h), each in its own thread, with their whole
 * state readable and writable for snapshots and the debugger.
 */
#ifndef TERN_ACCEL_KVM_H
#define TERN_ACCEL_KVM_H

#include "accel/accel.h"
#include "core/state.h"
#include "cpu/x86/cpu.h"
#include <linux/kvm.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct kvm_vm kvm_vm;

/*
 * Open /dev/kvm and make a VM with an in-kernel irqchip (PIC, IOAPIC, local APICs)
 * and PIT. NULL, with one line in err, when KVM is missing, not accessible, or lacks
 * something tern needs.
 */
kvm_vm *kvm_vm_create(char *err, size_t errsize);
void kvm_vm_destroy(kvm_vm *vm);
unsigned kvm_vm_max_vcpus(kvm_vm *vm);
/* Give the guest [gpa, gpa+size) backed by host memory. */
bool kvm_vm_add_ram(kvm_vm *vm, uint64_t gpa, void *host, uint64_t size, char *err, size_t errsize);
/* Memory slot `slot` (above the RAM's) shows host memory at gpa; size 0 removes it.
 * False if KVM refuses (an overlap with another slot). Safe while vCPUs run. */
#define KVM_FIRST_FREE_SLOT 64
bool kvm_vm_set_slot(kvm_vm *vm, unsigned slot, uint64_t gpa, void *host, uint64_t size);
/* The same with KVM logging which pages the guest writes (VRAM). */
bool kvm_vm_set_slot_logged(kvm_vm *vm, unsigned slot, uint64_t gpa, void *host, uint64_t size);
/* OR the slot's pages written since the last call into bitmap (size / 4 KiB bits) and
 * start logging anew. False if KVM refused (the slot is not logged). */
bool kvm_vm_dirty_log(kvm_vm *vm, unsigned slot, uint64_t size, uint64_t *bitmap);
/* Drive interrupt line `gsi` (IOAPIC pin; 0-15 also reach the PIC). */
void kvm_vm_set_irq(kvm_vm *vm, unsigned gsi, bool level);
/* A message-signalled interrupt: a write of data to addr (0xfeeXXXXX, the local APICs). */
void kvm_vm_signal_msi(kvm_vm *vm, uint64_t addr, uint32_t data);
/* irq_fn-shaped wrapper for devices: opaque is a kvm_irq_line. */
typedef struct kvm_irq_line {
    kvm_vm *vm;
    unsigned gsi;
} kvm_irq_line;
void kvm_irq_line_set(void *line, bool level);

/*
 * The whole state of a vCPU, as KVM keeps it: general, segment and control registers,
 * FPU/SSE/AVX (XSAVE), extended control registers, the MSRs KVM saves (among them the
 * TSC, the TSC deadline and kvmclock's), the local APIC, pending events, the
 * multiprocessor state and the debug registers. Read and write only while the vCPU is
 * paused.
 */
#define KVM_STATE_MAX_MSRS 256
typedef struct kvm_vcpu_state {
    struct kvm_regs regs;
    struct kvm_sregs sregs;
    struct kvm_xsave xsave;
    struct kvm_xcrs xcrs;
    struct kvm_lapic_state lapic;
    struct kvm_vcpu_events events;
    struct kvm_mp_state mp;
    struct kvm_debugregs debugregs;
    uint32_t tsc_khz;                /* the guest's TSC frequency (0: KVM does not say) */
    uint32_t nmsrs;
    struct kvm_msr_entry msrs[KVM_STATE_MAX_MSRS];
} kvm_vcpu_state;

/* XMM register n (16 bytes) of a saved XSAVE area, for writing: marks SSE state in use
 * in the header. KVM, like XRSTOR, takes a component whose XSTATE_BV bit is clear to be
 * in its initial state and ignores its bytes; a guest that never touched SSE is saved
 * with that bit clear on hosts whose XSAVE tracks it, so an edit of the bytes alone is
 * lost there (issue 9's failing state test). */
uint8_t *kvm_xsave_xmm(struct kvm_xsave *x, unsigned n);

bool kvm_vcpu_get_state(vcpu *v, kvm_vcpu_state *s);
bool kvm_vcpu_set_state(vcpu *v, const kvm_vcpu_state *s);

/*
 * Snapshots. A vCPU's state and the VM's (the in-kernel PIC pair and I/O APIC, the PIT,
 * kvmclock) as byte streams: each part of the kernel's fixed-ABI structures is written
 * as a tag, its length and its bytes, and a load refuses a part whose tag or length is
 * not what this build has. Main thread, vCPUs paused. False with one line in err.
 *
 * A board saves its vCPUs and then the VM, and loads them in that order: the I/O APIC
 * and PICs are set after the local APICs they may deliver to. Loading the VM sets
 * kvmclock to the saved value and keeps it there until the machine goes on, so the
 * guest's time continues from the save and never jumps over the time the snapshot sat
 * on disk. Devices whose irq line is high must drive it again afterwards (post_load):
 * a new VM's lines start low.
 */
#define KVM_STATE_VERSION 1
bool kvm_vcpu_save(vcpu *v, state_out *o, char *err, size_t errsize);
bool kvm_vcpu_load(vcpu *v, state_in *in, uint32_t version, char *err, size_t errsize);
bool kvm_vm_save_state(kvm_vm *vm, state_out *o, char *err, size_t errsize);
bool kvm_vm_load_state(kvm_vm *vm, state_in *in, uint32_t version, char *err, size_t errsize);

/* The same in two steps, so a board can read and check every part of a snapshot before
 * it changes anything, and put back what it had if KVM refuses the loaded state. */
typedef struct kvm_vm_state {
    struct kvm_pic_state pic[2];     /* master, slave */
    struct kvm_ioapic_state ioapic;
    struct kvm_pit_state2 pit;
    uint64_t clock;                  /* kvmclock, ns */
} kvm_vm_state;
bool kvm_vcpu_get_state_err(vcpu *v, kvm_vcpu_state *s, char *err, size_t errsize);
bool kvm_vcpu_set_state_err(vcpu *v, const kvm_vcpu_state *s, char *err, size_t errsize);
void kvm_vcpu_state_write(const kvm_vcpu_state *s, state_out *o);
bool kvm_vcpu_state_read(state_in *in, uint32_t version, kvm_vcpu_state *s, const char *who, char *err,
                         size_t errsize);
bool kvm_vm_get_state(kvm_vm *vm, kvm_vm_state *s, char *err, size_t errsize);
bool kvm_vm_set_state(kvm_vm *vm, const kvm_vm_state *s, char *err, size_t errsize);
void kvm_vm_state_write(const kvm_vm_state *s, state_out *o);
bool kvm_vm_state_read(state_in *in, uint32_t version, kvm_vm_state *s, char *err, size_t errsize);
/* While the address space tracks RAM writes (as_ram_track), KVM logs the guest's and
 * each stop adds them to its marks; a board calls this before it destroys a VM whose
 * guest may have written since the last stop (a reset). */
struct address_space;
void kvm_vm_collect_ram_writes(kvm_vm *vm, struct address_space *as);
/* kvmclock as KVM has it now, in ns (false if KVM will not say) */
bool kvm_vm_clock_now(kvm_vm *vm, uint64_t *ns);
/* The registers tern shows (and sets at boot) */
bool kvm_vcpu_get_regs(vcpu *v, x86_regs *r);
bool kvm_vcpu_set_regs(vcpu *v, const x86_regs *r);
/* x87 and SSE state, for the debugger */
bool kvm_vcpu_get_fpu(vcpu *v, struct kvm_fpu *f);
bool kvm_vcpu_set_fpu(vcpu *v, const struct kvm_fpu *f);
/* The debugger's breakpoints (Z types 0-4) in the debug registers: four, shared by
 * breakpoints and watchpoints; no read-only watchpoints (x86 has none). */
bool kvm_debug_insert(int type, uint64_t addr, uint64_t len);
bool kvm_debug_remove(int type, uint64_t addr, uint64_t len);
void kvm_debug_remove_all(void);
bool kvm_has_guest_debug(vcpu *v);
/* Print registers and the code at rip, for the monitor and for error reports. */
void kvm_vcpu_dump(vcpu *v, FILE *f);

#endif
