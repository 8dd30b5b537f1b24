/*
 * drivers/hw.h - what drivers need from the environment they run in.
 * The minikernel implements these (minikernel/hw.c); drivers include nothing
 * else from it.
 */
#ifndef RAWDUMP_HW_H
#define RAWDUMP_HW_H

#include <stdint.h>
#include <stddef.h>
#include "rawdump/err.h"

/* Port and MMIO access. MMIO addresses are physical; the minikernel maps
 * them uncached before a driver runs (hw_map_mmio). */
static inline void outb(uint16_t p, uint8_t v) { __asm__ volatile("outb %0,%1" :: "a"(v), "Nd"(p)); }
static inline void outw(uint16_t p, uint16_t v) { __asm__ volatile("outw %0,%1" :: "a"(v), "Nd"(p)); }
static inline void outl(uint16_t p, uint32_t v) { __asm__ volatile("outl %0,%1" :: "a"(v), "Nd"(p)); }
static inline uint8_t inb(uint16_t p) { uint8_t v; __asm__ volatile("inb %1,%0" : "=a"(v) : "Nd"(p)); return v; }
static inline uint16_t inw(uint16_t p) { uint16_t v; __asm__ volatile("inw %1,%0" : "=a"(v) : "Nd"(p)); return v; }
static inline uint32_t inl(uint16_t p) { uint32_t v; __asm__ volatile("inl %1,%0" : "=a"(v) : "Nd"(p)); return v; }
static inline uint8_t  mmio_read8(uint64_t a)  { return *(volatile uint8_t *)(uintptr_t)a; }
static inline uint16_t mmio_read16(uint64_t a) { return *(volatile uint16_t *)(uintptr_t)a; }
static inline uint32_t mmio_read32(uint64_t a) { return *(volatile uint32_t *)(uintptr_t)a; }
static inline uint64_t mmio_read64(uint64_t a) { return *(volatile uint64_t *)(uintptr_t)a; }
static inline void mmio_write8(uint64_t a, uint8_t v)   { *(volatile uint8_t *)(uintptr_t)a = v; }
static inline void mmio_write16(uint64_t a, uint16_t v) { *(volatile uint16_t *)(uintptr_t)a = v; }
static inline void mmio_write32(uint64_t a, uint32_t v) { *(volatile uint32_t *)(uintptr_t)a = v; }
static inline void mmio_write64(uint64_t a, uint64_t v) { *(volatile uint64_t *)(uintptr_t)a = v; }
static inline void hw_mb(void) { __asm__ volatile("mfence" ::: "memory"); }
static inline void hw_pause(void) { __asm__ volatile("pause" ::: "memory"); }

/* Make [phys, phys+len) accessible, uncached. 0 or negative rd_err. */
int hw_map_mmio(uint64_t phys, uint64_t len);

/* Memory for rings, queues, command lists: from the minikernel's own
 * region, zeroed, physically contiguous, identity mapped (virt == phys).
 * Never freed. NULL when the budget is exhausted. */
void *hw_alloc(size_t size, size_t align);

/* Time. */
uint64_t hw_now_us(void);
void hw_udelay(uint64_t us);

/* A named deadline: every poll loop uses one.
 *   struct hw_deadline d; hw_deadline_start(&d, "virtio-blk: reset", 1000000);
 *   while (!done) { if (hw_deadline_expired(&d)) return -RD_ETIMEDOUT; hw_pause(); }
 * hw_deadline_expired prints "timeout: <name> after N ms" once it fires. */
struct hw_deadline { const char *name; uint64_t start_us, limit_us; };
void hw_deadline_start(struct hw_deadline *d, const char *name, uint64_t limit_us);
int  hw_deadline_expired(struct hw_deadline *d);

/* The poll loop above as one expression: re-evaluate cond (it may assign)
 * until it is true, 0; or -RD_ETIMEDOUT once the deadline named `name`
 * of limit_us has passed. */
#define HW_POLL_UNTIL(cond, name, limit_us) ({				\
	struct hw_deadline hw_poll_d_;					\
	int hw_poll_rc_ = 0;						\
									\
	hw_deadline_start(&hw_poll_d_, (name), (limit_us));		\
	while (!(cond)) {						\
		if (hw_deadline_expired(&hw_poll_d_)) {			\
			hw_poll_rc_ = -RD_ETIMEDOUT;			\
			break;						\
		}							\
		hw_pause();						\
	}								\
	hw_poll_rc_;							\
})

/* Console (COM1). */
void kprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Freestanding string functions the minikernel provides. */
void *memcpy(void *d, const void *s, size_t n);
void *memset(void *d, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);
void *memmove(void *d, const void *s, size_t n);
size_t strlen(const char *s);

#endif
