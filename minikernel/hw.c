/*
 * minikernel/hw.c - the platform services drivers/hw.h promises: MMIO
 * mapping, a bump allocator over the minikernel's own heap, time (TSC
 * calibrated against PIT channel 2, Intel 8254 datasheet mode 0), and
 * named deadlines.
 */
#include "mk.h"

/* The heap: driver queues, the crashed kernel's notes, the page filter's
 * area (rd.dumplevel > 1, 36 KiB) and, with all that is left, the writer's
 * work area. Sized so that init_size stays under its 3072 KiB limit with
 * writer/pfilter.c, lz4 and zstd's fast compressor (147 KiB) linked in
 * (mkimage prints the budget). The writer needs about 2.1 MiB for 32
 * requests in flight with zstd's 336 KiB state; with less the minikernel
 * runs fewer in flight (dump.c). */
#define MK_HEAP_SIZE		(2328u * 1024u)
#define PIT_HZ			1193182u
#define PIT_CAL_MS		10u
#define PIT_CAL_SPINS		50000000u	/* bound on the calibration poll */
#define TSC_FALLBACK_HZ		1000000000ull
#define PORT80_DELAY_US		1		/* one port-0x80 write ~ 1 us */

static uint8_t mk_heap[MK_HEAP_SIZE] __attribute__((aligned(4096)));
static size_t heap_used;
static uint64_t tsc_hz, tsc_zero;

int hw_map_mmio(uint64_t phys, uint64_t len)
{
	return pt_map(phys, len, PT_MMIO);
}

void *hw_alloc(size_t size, size_t align)
{
	size_t at;

	if (align < 16)
		align = 16;
	if (align & (align - 1))
		return NULL;
	at = (heap_used + align - 1) & ~(align - 1);
	if (at > MK_HEAP_SIZE || size > MK_HEAP_SIZE - at) {
		kprintf("hw: out of memory: %zu bytes wanted, %zu free\n",
			size, hw_heap_free());
		return NULL;
	}
	heap_used = at + size;
	memset(mk_heap + at, 0, size);
	return mk_heap + at;
}

size_t hw_heap_free(void)
{
	size_t at = (heap_used + 4095) & ~(size_t)4095;

	return at >= MK_HEAP_SIZE ? 0 : MK_HEAP_SIZE - at;
}

/* Everything that is left, page aligned; *size receives the byte count. */
void *hw_alloc_max(size_t *size, size_t align)
{
	size_t at = (heap_used + align - 1) & ~(align - 1);

	if (at >= MK_HEAP_SIZE) {
		*size = 0;
		return NULL;
	}
	*size = MK_HEAP_SIZE - at;
	heap_used = MK_HEAP_SIZE;
	return mk_heap + at;
}

void hw_time_init(void)
{
	uint64_t t0, t1;
	uint32_t latch = PIT_HZ / (1000 / PIT_CAL_MS), spins;

	outb(0x61, (uint8_t)((inb(0x61) & ~0x02) | 0x01));	/* gate on, speaker off */
	outb(0x43, 0xb0);			/* channel 2, lo/hi byte, mode 0 */
	outb(0x42, (uint8_t)latch);
	outb(0x42, (uint8_t)(latch >> 8));
	t0 = cpu_rdtsc();
	for (spins = 0; spins < PIT_CAL_SPINS; spins++)
		if (inb(0x61) & 0x20)
			break;
	t1 = cpu_rdtsc();
	if (spins == PIT_CAL_SPINS || t1 <= t0) {
		tsc_hz = TSC_FALLBACK_HZ;
		kprintf("time: PIT did not count, assuming a %lu MHz TSC\n", tsc_hz / 1000000);
	} else {
		tsc_hz = (t1 - t0) * (1000 / PIT_CAL_MS);
		kprintf("time: TSC %lu MHz\n", tsc_hz / 1000000);
	}
	tsc_zero = t0;
}

uint64_t hw_now_us(void)
{
	uint64_t d;

	if (!tsc_hz)
		return 0;
	d = cpu_rdtsc() - tsc_zero;
	return d / tsc_hz * 1000000 + d % tsc_hz * 1000000 / tsc_hz;
}

void hw_udelay(uint64_t us)
{
	uint64_t start;

	if (!tsc_hz) {
		for (; us; us -= PORT80_DELAY_US)
			outb(0x80, 0);
		return;
	}
	start = hw_now_us();
	while (hw_now_us() - start < us)
		hw_pause();
}

void hw_deadline_start(struct hw_deadline *d, const char *name, uint64_t limit_us)
{
	d->name = name;
	d->start_us = hw_now_us();
	d->limit_us = limit_us;
}

int hw_deadline_expired(struct hw_deadline *d)
{
	uint64_t el = hw_now_us() - d->start_us;

	if (!tsc_hz) {
		/* before calibration: count calls, one per ~1 us poll */
		outb(0x80, 0);
		el = ++d->start_us;
	}
	if (el < d->limit_us)
		return 0;
	if (d->name) {
		kprintf("timeout: %s after %lu ms\n", d->name, el / 1000);
		d->name = NULL;
	}
	return 1;
}
