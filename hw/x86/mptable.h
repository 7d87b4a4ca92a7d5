/*
 * The Intel MultiProcessor Specification table that tells a guest without ACPI (Linux
 * booted on microvm) its CPUs, its I/O APIC and how interrupt lines reach it.
 */
#ifndef TERN_MPTABLE_H
#define TERN_MPTABLE_H
#include "core/memory.h"
#include <stdbool.h>

/* Write the floating pointer and table at `addr` (needs 1 KiB). */
bool mptable_write(address_space *as, uint64_t addr, unsigned ncpus, uint64_t ioapic,
                   uint64_t lapic, unsigned first_level_gsi, unsigned nlevel);

#endif
