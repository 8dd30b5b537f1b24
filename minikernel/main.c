/*
 * minikernel/main.c - mk_main, the capture kernel's one thread of control,
 * in the order Documentation/minikernel.md gives; and mk_relocate, which
 * head.S calls first to apply the static PIE's RELATIVE relocations.
 */
#include "mk.h"

#define R_X86_64_RELATIVE	8

struct elf64_rela {
	uint64_t offset, info;
	int64_t addend;
};

extern const struct elf64_rela __rela_start[], __rela_end[];
void mk_relocate(char *base);
void mk_main(uint32_t kind, uint64_t info);

/* Runs before anything reads a pointer from .data: only PC-relative
 * accesses here. A relocation of another type, or one that would write
 * outside the image, stops the machine (there is no console yet). */
void mk_relocate(char *base)
{
	uint64_t delta = (uint64_t)(uintptr_t)base - MK_LINK_BASE;
	const struct elf64_rela *r;

	uint64_t size = (uint64_t)(_end - _start);

	for (r = __rela_start; r < __rela_end; r++) {
		if ((uint32_t)r->info != R_X86_64_RELATIVE || r->offset < MK_LINK_BASE ||
		    r->offset + 8 > MK_LINK_BASE + size)
			for (;;)
				__asm__ volatile("cli; hlt");
		*(uint64_t *)(uintptr_t)(r->offset + delta) = (uint64_t)r->addend + delta;
	}
}

static struct mk_args mk_args;

#define MK_TEST_UNMAPPED	0x00007fff00000000ull
#define MK_TEST_NMI_WAIT_US	10000

static volatile int mk_recurse_on = 1;

static unsigned mk_recurse(volatile uint8_t *prev)
{
	volatile uint8_t frame[512];

	if (!mk_recurse_on)
		return 0;
	frame[0] = prev ? prev[0] + 1 : 0;
	return mk_recurse(frame) + frame[0];
}

static void mk_selftest(enum mk_test t)
{
	switch (t) {
	case MK_TEST_UD:
		kprintf("test: executing ud2\n");
		__asm__ volatile("ud2");
		break;
	case MK_TEST_PF:
		kprintf("test: reading unmapped %lx\n", (uint64_t)MK_TEST_UNMAPPED);
		(void)*(volatile uint64_t *)(uintptr_t)MK_TEST_UNMAPPED;
		break;
	case MK_TEST_NMI:
		if (cpu_self_nmi() < 0)
			mk_fail("test: cannot send an NMI to self");
		hw_udelay(MK_TEST_NMI_WAIT_US);
		kprintf("test: %lu NMIs seen after self-NMI\n", (uint64_t)mk_nmi_count);
		break;
	case MK_TEST_STACK:
		kprintf("test: unbounded recursion\n");
		mk_recurse(NULL);
		break;
	case MK_TEST_WRDUMP:	/* in dump_run, once the dumped memory is mapped */
	case MK_TEST_NOIOMMU:	/* in dump_run, instead of iommu_takeover */
	case MK_TEST_NONE:
		break;
	}
}

void mk_main(uint32_t kind, uint64_t info)
{
	int err, args_err;

	con_init();
	kprintf("\nrawdump: %s, %s entry, image %p-%p\n", MK_VERSION,
		kind == MK_BOOT_PVH ? "PVH" : "64-bit boot protocol", (void *)_start, (void *)_end);
	cpu_init_tables();
	cpu_enable_fs_canary();

	boot_capture((enum mk_boot_kind)kind, info);
	args_err = cmdline_parse(mk_boot.cmdline, &mk_args);
	mk_exit_mode = mk_args.exit;
	kprintf("cmdline: %s\n", mk_boot.cmdline);

	if (selfcheck_run() < 0)
		mk_fail("self-check: image corrupted, nothing written");
	if (!mk_boot.mem_count)
		kprintf("memory: the loader passed no memory map; image and work area %p-%p\n",
			(void *)_start, (void *)_end);
	else if (!boot_is_ram((uint64_t)(uintptr_t)_start, (uint64_t)(_end - _start)))
		mk_fail("image %p-%p is not inside the RAM the boot loader gave us", (void *)_start, (void *)_end);
	else
		kprintf("memory: image and work area %p-%p (%lu KiB), inside the loader's RAM map (%u entries)\n",
			(void *)_start, (void *)_end, (uint64_t)(_end - _start) >> 10, mk_boot.mem_count);
	if (args_err)
		mk_fail("command line: %s", rd_strerror(args_err));

	err = pt_init();
	if (!err && mk_args.have_elfcorehdr)
		err = pt_map(mk_args.elfcorehdr, 4096, PT_RO);
	if (err)
		mk_fail("page tables: %s", rd_strerror(err));
	pt_activate();

	hw_time_init();
	err = cpu_stop_others();
	if (err < 0)
		mk_fail("stopping the other CPUs: %s", rd_strerror(err));
	kprintf("cpu: APIC id %u dumping%s, %lu NMIs seen\n", cpu_apic_id(),
		err ? ", INIT sent to all other CPUs" : "", (uint64_t)mk_nmi_count);

	mk_selftest(mk_args.test);
	dump_run(&mk_args);
	kprintf("paging: %u page-table pages used\n", pt_pages_used());
	mk_finish(1);
}
