/* Goldfish RTC (as on QEMU's virt): wall-clock nanoseconds, one alarm with an irq. */
#ifndef TERN_GOLDFISH_RTC_H
#define TERN_GOLDFISH_RTC_H
#include "core/memory.h"
#include "core/device.h"
#include "hw/char/ns16550a.h"

void goldfish_rtc_create(device_list *devs, address_space *as, uint64_t base,
                         irq_fn irq, void *irq_opaque);

#endif
