/* CPUID for an x86 vCPU under KVM (see cpuid.c). */
#ifndef TERN_X86_CPUID_H
#define TERN_X86_CPUID_H

#include <linux/kvm.h>

/* Adjust KVM's supported CPUID (in place) for vCPU `apic_id` of `ncpus`. */
void x86_cpuid_filter(struct kvm_cpuid_entry2 *e, unsigned n, unsigned apic_id, unsigned ncpus);

#endif
