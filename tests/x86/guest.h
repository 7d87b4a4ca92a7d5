/*
 * The small runtime of tern's x86-64 test guests: port I/O, the serial console, the
 * exit port, an IDT, the local APIC and the I/O APIC.
 */
#ifndef TERN_X86_GUEST_H
#define TERN_X86_GUEST_H
#include <stdint.h>
#include <stdbool.h>

#define LAPIC 0xfee00000ul
#define IOAPIC 0xfec00000ul
#define VIRTIO_MMIO 0xfeb00000ul
#define VIRTIO_GSI 16

static inline void outb(uint16_t port, uint8_t v) { __asm__ volatile("outb %0, %1" : : "a"(v), "Nd"(port)); }
static inline void outl(uint16_t port, uint32_t v) { __asm__ volatile("outl %0, %1" : : "a"(v), "Nd"(port)); }
static inline uint8_t inb(uint16_t port) { uint8_t v; __asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port)); return v; }
static inline uint32_t mmio_read(uint64_t a) { return *(volatile uint32_t *)a; }
static inline void mmio_write(uint64_t a, uint32_t v) { *(volatile uint32_t *)a = v; }
static inline void sti(void) { __asm__ volatile("sti" ::: "memory"); }
static inline void cli(void) { __asm__ volatile("cli" ::: "memory"); }
static inline void halt(void) { __asm__ volatile("sti; hlt; cli" ::: "memory"); }
static inline void pause(void) { __asm__ volatile("pause" ::: "memory"); }

void putc_(char c);
void puts_(const char *s);
void putu(uint64_t v);
void puthex(uint64_t v);
/* end the run: status 0 (a poweroff), or `code` */
__attribute__((noreturn)) void finish(unsigned code);

/* interrupts: handler(vector) runs before the local APIC's EOI is sent */
typedef void (*irq_handler)(unsigned vector);
void idt_init(void);
void set_handler(unsigned vector, irq_handler h);
void lapic_init(void);
unsigned lapic_id(void);
void lapic_timer(unsigned vector, uint32_t count, bool periodic);
/* route I/O APIC pin to vector on local APIC `dest`, level-triggered or edge */
void ioapic_route(unsigned pin, unsigned vector, unsigned dest, bool level);

/* the test: cpu is the vCPU index, n the number of vCPUs */
void guest_main(unsigned cpu, unsigned n);

#endif
