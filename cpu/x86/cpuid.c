/*
 * The CPUID a vCPU shows: what KVM supports on this host (KVM_GET_SUPPORTED_CPUID),
 * with the topology made to match the board (APIC IDs, processor counts), the
 * hypervisor bit set (guests then use KVM's paravirtual clock and friends, advertised
 * under leaf 0x40000000), and features tern does not give a guest taken out: MONITOR/
 * MWAIT (a halted vCPU must exit to the in-kernel irqchip), the performance-monitoring
 * leaf (no PMU is set up).
 */
#include "cpu/x86/cpuid.h"

void x86_cpuid_filter(struct kvm_cpuid_entry2 *e, unsigned n, unsigned apic_id, unsigned ncpus)
{
    for (unsigned i = 0; i < n; i++) {
        switch (e[i].function) {
        case 1:
            e[i].ebx = (e[i].ebx & 0x0000ffffu) | (apic_id << 24) | ((ncpus & 0xffu) << 16);
            e[i].ecx |= 1u << 31;               /* running under a hypervisor */
            e[i].ecx &= ~(1u << 3);             /* no MONITOR/MWAIT */
            if (ncpus > 1)
                e[i].edx |= 1u << 28;           /* HTT: more than one logical CPU */
            break;
        case 4:
            /* cores per package - 1 in EAX[31:26]; one thread per core */
            e[i].eax = (e[i].eax & 0x03ffc3ffu) | ((ncpus - 1) << 26);
            break;
        case 5:                                 /* MONITOR/MWAIT leaf */
        case 0xa:                               /* performance monitoring */
            e[i].eax = e[i].ebx = e[i].ecx = e[i].edx = 0;
            break;
        case 0xb:
        case 0x1f:
            /* x2APIC topology: level 0 SMT (1 thread), level 1 core (ncpus) */
            e[i].edx = apic_id;
            if (e[i].index == 0) {
                e[i].eax = 0;
                e[i].ebx = 1;
                e[i].ecx = (1u << 8) | 0;
            } else if (e[i].index == 1) {
                unsigned shift = 0;
                while ((1u << shift) < ncpus)
                    shift++;
                e[i].eax = shift;
                e[i].ebx = ncpus;
                e[i].ecx = (2u << 8) | 1;
            } else {
                e[i].eax = e[i].ebx = 0;
                e[i].ecx = e[i].index;
            }
            break;
        default:
            break;
        }
    }
}
