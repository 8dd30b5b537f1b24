/*
 * minikernel/cpu.c - descriptor tables, exceptions, stopping the other
 * CPUs and leaving (Intel SDM vol. 3: 3.4.5 segment descriptors, 6.14
 * 64-bit IDT gates and the IST, 7.7 TSS in 64-bit mode, 10.6 issuing IPIs
 * from the local APIC, 10.12 x2APIC).
 */
#include <stdarg.h>
#include "mk.h"

#define GDT_CODE		0x08
#define GDT_DATA		0x10
#define GDT_TSS			0x18

#define IST_NMI			1
#define IST_DF			2
#define IST_MC			3
#define IST_EXC			4

#define MSR_APIC_BASE		0x1b
#define MSR_APIC_BASE_BSP	(1u << 8)
#define MSR_APIC_BASE_EXTD	(1u << 10)
#define MSR_APIC_BASE_EN	(1u << 11)
#define MSR_FS_BASE		0xc0000100
#define MSR_X2APIC_ICR		0x830
#define LAPIC_ICR_LO		0x300
#define LAPIC_ICR_HI		0x310
#define ICR_INIT_ALL_BUT_SELF	0x000c4500u	/* shorthand 11, level assert, INIT */
#define ICR_NMI_PHYS		0x00004400u	/* level assert, NMI, physical */
#define ICR_DELIVERY_PENDING	(1u << 12)
#define LAPIC_ICR_IDLE_US	100000

#define KBC_READY_SPINS		10000	/* 8042 input buffer drain, bounded */
#define RESET_SETTLE_US		50000	/* time a reset method gets to act */
#define POWEROFF_SETTLE_US	100000

#define DEBUG_EXIT_PORT		0xf4
#define DEBUG_EXIT_OK		0x10
#define DEBUG_EXIT_FAIL		0x11

struct tss64 {
	uint32_t reserved0;
	uint64_t rsp[3];
	uint64_t reserved1;
	uint64_t ist[7];
	uint64_t reserved2;
	uint16_t reserved3;
	uint16_t iomap_base;
} __attribute__((packed));

struct idt_gate {
	uint16_t off_lo, sel;
	uint8_t ist, type;
	uint16_t off_mid;
	uint32_t off_hi, reserved;
} __attribute__((packed));

struct exc_frame {
	uint64_t r15, r14, r13, r12, r11, r10, r9, r8;
	uint64_t rbp, rdi, rsi, rdx, rcx, rbx, rax;
	uint64_t vec, err, rip, cs, rflags, rsp, ss;
};

static uint64_t cpu_gdt[5] __attribute__((aligned(16)));
static struct tss64 cpu_tss __attribute__((aligned(16)));
static struct idt_gate cpu_idt[256] __attribute__((aligned(16)));
/* What %fs:0x28 reads: the stack-protector canary of zlib's objects. */
static uint64_t cpu_fs_block[8] __attribute__((aligned(64)));
static int cpu_in_exception;
enum mk_exit mk_exit_mode = MK_EXIT_REBOOT;

static inline uint64_t rdmsr(uint32_t msr)
{
	uint32_t lo, hi;

	__asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
	return ((uint64_t)hi << 32) | lo;
}

static inline void wrmsr(uint32_t msr, uint64_t v)
{
	__asm__ volatile("wrmsr" :: "c"(msr), "a"((uint32_t)v), "d"((uint32_t)(v >> 32)));
}

static inline void cpuid(uint32_t leaf, uint32_t sub, uint32_t r[4])
{
	__asm__ volatile("cpuid" : "=a"(r[0]), "=b"(r[1]), "=c"(r[2]), "=d"(r[3])
			 : "a"(leaf), "c"(sub));
}

uint64_t cpu_rdtsc(void)
{
	uint32_t lo, hi;

	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return ((uint64_t)hi << 32) | lo;
}

static void idt_set(int vec, const void *handler, int ist)
{
	uint64_t a = (uint64_t)(uintptr_t)handler;
	struct idt_gate *g = &cpu_idt[vec];

	g->off_lo = (uint16_t)a;
	g->sel = GDT_CODE;
	g->ist = (uint8_t)ist;
	g->type = 0x8e;			/* present, DPL 0, 64-bit interrupt gate */
	g->off_mid = (uint16_t)(a >> 16);
	g->off_hi = (uint32_t)(a >> 32);
	g->reserved = 0;
}

void cpu_init_tables(void)
{
	uint64_t tss = (uint64_t)(uintptr_t)&cpu_tss;
	uint64_t tss_limit = sizeof(cpu_tss) - 1;
	struct { uint16_t limit; uint64_t base; } __attribute__((packed)) d;
	int v;

	cpu_gdt[0] = 0;
	cpu_gdt[1] = 0x00af9a000000ffffull;	/* 64-bit code, DPL 0 */
	cpu_gdt[2] = 0x00cf92000000ffffull;	/* data */
	cpu_gdt[3] = (tss_limit & 0xffff) | ((tss & 0xffffff) << 16) |
		     (0x89ull << 40) | (((tss >> 24) & 0xff) << 56);
	cpu_gdt[4] = tss >> 32;

	cpu_tss.ist[IST_NMI - 1] = (uint64_t)(uintptr_t)mk_ist_nmi_top;
	cpu_tss.ist[IST_DF - 1] = (uint64_t)(uintptr_t)mk_ist_df_top;
	cpu_tss.ist[IST_MC - 1] = (uint64_t)(uintptr_t)mk_ist_mc_top;
	cpu_tss.ist[IST_EXC - 1] = (uint64_t)(uintptr_t)mk_ist_exc_top;
	cpu_tss.iomap_base = sizeof(cpu_tss);

	d.limit = sizeof(cpu_gdt) - 1;
	d.base = (uint64_t)(uintptr_t)cpu_gdt;
	__asm__ volatile(
		"lgdt %0\n\t"
		"leaq 1f(%%rip), %%rax\n\t"
		"pushq %1\n\t"
		"pushq %%rax\n\t"
		"lretq\n"
		"1:\n\t"
		"movl %2, %%eax\n\t"
		"movl %%eax, %%ds\n\t"
		"movl %%eax, %%es\n\t"
		"movl %%eax, %%ss\n\t"
		"movl %%eax, %%fs\n\t"
		"movl %%eax, %%gs\n\t"
		"movw %3, %%ax\n\t"
		"ltr %%ax"
		:: "m"(d), "i"(GDT_CODE), "i"(GDT_DATA), "i"(GDT_TSS) : "rax", "memory");

	for (v = 0; v < 32; v++) {
		int ist = v == 2 ? IST_NMI : v == 8 ? IST_DF : v == 18 ? IST_MC : IST_EXC;

		idt_set(v, mk_exception_stubs + v * MK_STUB_SIZE, ist);
	}
	idt_set(2, mk_nmi_entry, IST_NMI);
	d.limit = sizeof(cpu_idt) - 1;
	d.base = (uint64_t)(uintptr_t)cpu_idt;
	__asm__ volatile("lidt %0" :: "m"(d) : "memory");
}

void cpu_enable_fs_canary(void)
{
	cpu_fs_block[5] = cpu_rdtsc() | 1;	/* offset 0x28 */
	wrmsr(MSR_FS_BASE, (uint64_t)(uintptr_t)cpu_fs_block);
}

static const char *const exc_names[32] = {
	"divide error", "debug", "NMI", "breakpoint", "overflow", "bound range",
	"invalid opcode", "device not available", "double fault",
	"coprocessor overrun", "invalid TSS", "segment not present",
	"stack fault", "general protection", "page fault", "reserved",
	"x87 FP error", "alignment check", "machine check", "SIMD FP error",
	"virtualization", "control protection",
};

void mk_exception(struct exc_frame *f);
void mk_exception(struct exc_frame *f)
{
	uint64_t cr2;
	const char *name = f->vec < 32 && exc_names[f->vec] ? exc_names[f->vec] : "reserved";

	__asm__ volatile("movq %%cr2, %0" : "=r"(cr2));
	if (cpu_in_exception++) {
		kprintf("\nrawdump: FAILED: nested exception %lu at rip %lx\n", f->vec, f->rip);
		mk_finish(0);
	}
	kprintf("\nrawdump: exception %lu (%s) rip %016lx error %lx cr2 %016lx\n",
		f->vec, name, f->rip, f->err, cr2);
	if (f->vec == 14 && cr2 >> 12 == (uint64_t)(uintptr_t)mk_boot_stack >> 12)
		kprintf("  the boot stack overflowed into its guard page\n");
	kprintf("  rax %016lx rbx %016lx rcx %016lx rdx %016lx\n", f->rax, f->rbx, f->rcx, f->rdx);
	kprintf("  rsi %016lx rdi %016lx rbp %016lx rsp %016lx\n", f->rsi, f->rdi, f->rbp, f->rsp);
	kprintf("  image at %p (link base %lx)\n", (void *)_start, (uint64_t)MK_LINK_BASE);
	kprintf("rawdump: FAILED: exception %lu (%s) at rip %lx\n", f->vec, name, f->rip);
	mk_finish(0);
}

uint32_t cpu_apic_id(void)
{
	uint32_t r[4];

	if (rdmsr(MSR_APIC_BASE) & MSR_APIC_BASE_EXTD) {
		cpuid(0xb, 0, r);
		return r[3];
	}
	cpuid(1, 0, r);
	return r[1] >> 24;
}

int cpu_has_1g_pages(void)
{
	uint32_t r[4];

	cpuid(0x80000000, 0, r);
	if (r[0] < 0x80000001)
		return 0;
	cpuid(0x80000001, 0, r);
	return (r[3] >> 26) & 1;
}

/*
 * Send INIT to every other CPU (SDM 10.6.1, destination shorthand "all
 * excluding self"): they were halted by the crash NMI, and INIT leaves an
 * application processor in wait-for-SIPI, from which nothing we do wakes
 * it. INIT to the boot processor resets the machine, though (Linux's
 * smp_park_other_cpus_in_init() refuses for the same reason), so this is
 * done only when we are the BSP; otherwise the others stay in the crash
 * NMI handler's halt loop with NMIs blocked.
 * Returns 1 if INIT was sent, 0 if not, or a negative rd_err.
 */
int cpu_stop_others(void)
{
	uint64_t base = rdmsr(MSR_APIC_BASE);
	struct hw_deadline d;

	if (!(base & MSR_APIC_BASE_EN)) {
		kprintf("cpu: local APIC disabled, other CPUs not signalled\n");
		return 0;
	}
	if (!(base & MSR_APIC_BASE_BSP)) {
		kprintf("cpu: not the boot CPU: no INIT (it would reset the machine); "
			"the others stay halted by the crash NMI\n");
		return 0;
	}
	if (base & MSR_APIC_BASE_EXTD) {
		wrmsr(MSR_X2APIC_ICR, ICR_INIT_ALL_BUT_SELF);
		return 1;
	}
	base &= 0xffffff000ull;
	if (hw_map_mmio(base, 4096) < 0)
		return -RD_EINVAL;
	mmio_write32(base + LAPIC_ICR_HI, 0);
	mmio_write32(base + LAPIC_ICR_LO, ICR_INIT_ALL_BUT_SELF);
	hw_deadline_start(&d, "lapic: INIT IPI delivery", LAPIC_ICR_IDLE_US);
	while (mmio_read32(base + LAPIC_ICR_LO) & ICR_DELIVERY_PENDING) {
		if (hw_deadline_expired(&d))
			return -RD_ETIMEDOUT;
		hw_pause();
	}
	return 1;
}

/* Send this CPU an NMI (physical destination = own APIC id, delivery mode
 * NMI): the test of the NMI IST path (rd.test=nmi). */
int cpu_self_nmi(void)
{
	uint64_t base = rdmsr(MSR_APIC_BASE);
	uint32_t id = cpu_apic_id();

	if (!(base & MSR_APIC_BASE_EN))
		return -RD_EINVAL;
	if (base & MSR_APIC_BASE_EXTD) {
		wrmsr(MSR_X2APIC_ICR, (uint64_t)id << 32 | ICR_NMI_PHYS);
		return 0;
	}
	base &= 0xffffff000ull;
	if (hw_map_mmio(base, 4096) < 0)
		return -RD_EINVAL;
	mmio_write32(base + LAPIC_ICR_HI, id << 24);
	mmio_write32(base + LAPIC_ICR_LO, ICR_NMI_PHYS);
	return 0;
}

static __attribute__((noreturn)) void cpu_halt_forever(void)
{
	for (;;)
		__asm__ volatile("cli; hlt");
}

static __attribute__((noreturn)) void cpu_reboot(void)
{
	struct { uint16_t limit; uint64_t base; } __attribute__((packed)) none = { 0, 0 };
	int i;

	for (i = 0; i < KBC_READY_SPINS && (inb(0x64) & 0x02); i++)
		hw_pause();
	outb(0x64, 0xfe);		/* 8042: pulse reset line */
	hw_udelay(RESET_SETTLE_US);
	outb(0xcf9, 0x02);		/* PCI reset control: hard reset */
	outb(0xcf9, 0x06);
	hw_udelay(RESET_SETTLE_US);
	__asm__ volatile("lidt %0; int3" :: "m"(none));
	cpu_halt_forever();
}

static __attribute__((noreturn)) void cpu_poweroff(void)
{
	outw(0x604, 0x2000);		/* QEMU q35/ICH9 and newer PIIX4: PM1a, S5 */
	outw(0xb004, 0x2000);		/* older QEMU / Bochs PIIX4 */
	hw_udelay(POWEROFF_SETTLE_US);
	kprintf("rawdump: power-off did not happen, halting\n");
	cpu_halt_forever();
}

void mk_finish(int ok)
{
	switch (mk_exit_mode) {
	case MK_EXIT_QEMU:
		outb(DEBUG_EXIT_PORT, ok ? DEBUG_EXIT_OK : DEBUG_EXIT_FAIL);
		cpu_halt_forever();
	case MK_EXIT_HALT:
		cpu_halt_forever();
	case MK_EXIT_POWEROFF:
		cpu_poweroff();
	case MK_EXIT_REBOOT:
	default:
		cpu_reboot();
	}
}

void mk_fail(const char *fmt, ...)
{
	va_list ap;

	kprintf("rawdump: FAILED: ");
	va_start(ap, fmt);
	kvprintf(fmt, ap);
	va_end(ap);
	kprintf("\n");
	mk_finish(0);
}
