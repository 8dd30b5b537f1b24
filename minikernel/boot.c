/*
 * minikernel/boot.c - copy what the boot loader handed over (command line,
 * memory map) into .bss before our own page tables replace the loader's.
 * Linux boot protocol: struct boot_params ("zero page",
 * Documentation/x86/zero-page.rst): e820_entries at 0x1e8, e820_table at
 * 0x2d0, hdr.cmd_line_ptr at 0x228, ext_cmd_line_ptr at 0x0c8,
 * acpi_rsdp_addr at 0x070.
 * PVH: struct hvm_start_info (xen/include/public/arch-x86/hvm/start_info.h),
 * version 1 adds the memory map.
 */
#include "mk.h"

#define BP_ACPI_RSDP_ADDR	0x070
#define BP_EXT_CMD_LINE_PTR	0x0c8
#define BP_E820_ENTRIES		0x1e8
#define BP_CMD_LINE_PTR		0x228
#define BP_E820_TABLE		0x2d0
#define BP_E820_MAX		128

#define PVH_MAGIC		0x336ec578u

struct e820_entry {
	uint64_t addr, size;
	uint32_t type;
} __attribute__((packed));

struct hvm_start_info {
	uint32_t magic, version, flags, nr_modules;
	uint64_t modlist_paddr, cmdline_paddr, rsdp_paddr;
	uint64_t memmap_paddr;
	uint32_t memmap_entries, reserved;
};

struct hvm_memmap_entry {
	uint64_t addr, size;
	uint32_t type, reserved;
};

struct mk_bootinfo mk_boot;

static void boot_copy_cmdline(uint64_t pa)
{
	const char *s = (const char *)(uintptr_t)pa;
	size_t i;

	if (!pa)
		return;
	for (i = 0; i < MK_CMDLINE_MAX - 1 && s[i]; i++)
		mk_boot.cmdline[i] = s[i];
	mk_boot.cmdline[i] = '\0';
}

static void boot_add_mem(uint64_t addr, uint64_t size, uint32_t type)
{
	if (mk_boot.mem_count >= MK_MEM_MAX || size == 0 || addr + size < addr)
		return;
	mk_boot.mem[mk_boot.mem_count].addr = addr;
	mk_boot.mem[mk_boot.mem_count].size = size;
	mk_boot.mem[mk_boot.mem_count].type = type;
	mk_boot.mem_count++;
}

void boot_capture(enum mk_boot_kind kind, uint64_t info)
{
	uint32_t i, n;

	mk_boot.kind = kind;
	if (kind == MK_BOOT_LINUX && info) {
		const uint8_t *bp = (const uint8_t *)(uintptr_t)info;
		const struct e820_entry *e = (const void *)(bp + BP_E820_TABLE);
		uint64_t cmd = *(const uint32_t *)(bp + BP_CMD_LINE_PTR) |
			       (uint64_t)*(const uint32_t *)(bp + BP_EXT_CMD_LINE_PTR) << 32;

		boot_copy_cmdline(cmd);
		mk_boot.rsdp = *(const uint64_t *)(bp + BP_ACPI_RSDP_ADDR);
		n = bp[BP_E820_ENTRIES];
		if (n > BP_E820_MAX)
			n = BP_E820_MAX;
		for (i = 0; i < n; i++)
			boot_add_mem(e[i].addr, e[i].size, e[i].type);
	} else if (kind == MK_BOOT_PVH && info) {
		const struct hvm_start_info *si = (const void *)(uintptr_t)info;

		if (si->magic != PVH_MAGIC)
			return;
		boot_copy_cmdline(si->cmdline_paddr);
		mk_boot.rsdp = si->rsdp_paddr;
		if (si->version >= 1 && si->memmap_paddr) {
			const struct hvm_memmap_entry *m = (const void *)(uintptr_t)si->memmap_paddr;

			n = si->memmap_entries;
			for (i = 0; i < n && i < MK_MEM_MAX; i++)
				boot_add_mem(m[i].addr, m[i].size, m[i].type);
		}
	}
}

/* 1 if [addr, addr+size) is covered by RAM entries of the memory map
 * (adjacent or overlapping entries together). */
int boot_is_ram(uint64_t addr, uint64_t size)
{
	uint64_t cur = addr, end = addr + size;
	uint32_t i;
	int moved = 1;

	if (end < addr)
		return 0;
	while (cur < end && moved) {
		moved = 0;
		for (i = 0; i < mk_boot.mem_count; i++) {
			const struct mk_mem *m = &mk_boot.mem[i];

			if (m->type == 1 && cur >= m->addr && cur < m->addr + m->size) {
				cur = m->addr + m->size;
				moved = 1;
			}
		}
	}
	return cur >= end;
}
