/*
 * ACLINT MSWI + MTIMER in the SiFive CLINT layout QEMU's virt uses: msip[hart] at +0,
 * mtimecmp[hart] at +0x4000, mtime at +0xbff8; 10 MHz timebase.
 */
#ifndef TERN_ACLINT_H
#define TERN_ACLINT_H
#include "core/memory.h"
#include "cpu/riscv/cpu.h"

#define ACLINT_TIMEBASE_HZ 10000000ull

typedef struct aclint aclint;
/* `kick` wakes hart i's vCPU after its interrupt lines change. */
#include "core/device.h"
aclint *aclint_create(device_list *devs, address_space *as, uint64_t base, rv_cpu **harts, unsigned nharts,
                      void (*kick)(void *opaque, unsigned hart), void *kick_opaque);
uint64_t aclint_mtime(aclint *a);
/* Arrange for hart's vCPU to be kicked when its Sstc stimecmp comes due. */
void aclint_stimecmp_changed(aclint *a, unsigned hart);

#endif
