/*
 * minikernel/mk.h - internal interfaces of the minikernel (the freestanding
 * x86-64 capture kernel). Documentation/minikernel.md describes the design.
 * Drivers see only drivers/hw.h; this header is for minikernel/ itself.
 */
#ifndef RAWDUMP_MK_H
#define RAWDUMP_MK_H

#include <stdint.h>
#include <stddef.h>
#include "hw.h"
#include "pci.h"
#include "writer.h"

#define MK_VERSION		"rawdump-minikernel 0.1"
#define MK_LINK_BASE		0x200000ull

/* How we were entered (head.S passes it to mk_main). */
enum mk_boot_kind { MK_BOOT_LINUX = 1, MK_BOOT_PVH = 2 };

/* Memory map entry (e820 types: 1 = RAM). */
struct mk_mem {
	uint64_t addr, size;
	uint32_t type;
};

#define MK_MEM_MAX		128
#define MK_CMDLINE_MAX		4096
#define MK_RANGES_MAX		256

enum mk_exit { MK_EXIT_REBOOT, MK_EXIT_POWEROFF, MK_EXIT_HALT, MK_EXIT_QEMU };
/* rd.test=: provoke a fault after set-up, to test the handlers. */
enum mk_test { MK_TEST_NONE, MK_TEST_UD, MK_TEST_PF, MK_TEST_NMI, MK_TEST_STACK, MK_TEST_WRDUMP,
	       MK_TEST_NOIOMMU };	/* noiommu: no IOMMU takeover, not a fault */

/* What the command line says (minikernel/cmdline.c). */
struct mk_args {
	int have_pci;
	struct pci_addr pci;
	uint32_t unit;
	uint64_t start, size;		/* 512-byte units */
	int have_start, have_size;
	int have_uuid;
	uint8_t uuid[16];
	int comp;			/* -1 = default */
	int level;			/* -1 = default */
	int dump_level;			/* rd.dumplevel: RD_CLASS_* bits, -1 = default */
	int csum;			/* rd.csum=: enum rd_csum_kind, -1 = default */
	enum mk_exit exit;
	int have_elfcorehdr;
	uint64_t elfcorehdr;
	enum mk_test test;
	uint32_t io_timeout_ms;		/* rd.iotimeout=MS, 0 = driver default */
	uint64_t diskspeed;		/* rd.diskspeed=BYTES (benchmark), 0 = off */
	uint64_t csumspeed;		/* rd.csumspeed=BYTES (benchmark), 0 = off */
	int no_sg;			/* rd.sg=0: RAW blocks copied, no scatter-gather */
	uint32_t depth;			/* rd.depth=N: at most N writes in flight, 0 = as many as fit */
	uint32_t range_count;
	struct { uint64_t addr, size; } ranges[MK_RANGES_MAX];
};

/* What the boot loader handed over, copied into .bss (minikernel/boot.c). */
struct mk_bootinfo {
	enum mk_boot_kind kind;
	char cmdline[MK_CMDLINE_MAX];
	uint32_t mem_count;
	struct mk_mem mem[MK_MEM_MAX];
	uint64_t rsdp;			/* ACPI RSDP from the loader, 0 if not given */
};

extern struct mk_bootinfo mk_boot;
extern enum mk_exit mk_exit_mode;

/* Linker symbols (minikernel/mk.lds). */
extern char _start[], __check_start[], __check_end[], __bss_start[], __bss_end[], _end[];

/* head.S */
extern char mk_boot_stack[];	/* first page: guard, unmapped */
extern char mk_ist_nmi_top[], mk_ist_df_top[], mk_ist_mc_top[], mk_ist_exc_top[];
extern char mk_exception_stubs[];	/* 32 stubs, MK_STUB_SIZE bytes apart */
extern char mk_nmi_entry[];
extern volatile uint64_t mk_nmi_count;
#define MK_STUB_SIZE		16

/* console.c */
void con_init(void);
void con_putc(char c);
void kvprintf(const char *fmt, __builtin_va_list ap);

/* cpu.c */
void cpu_init_tables(void);
void cpu_enable_fs_canary(void);
uint32_t cpu_apic_id(void);
int cpu_stop_others(void);
int cpu_self_nmi(void);
uint64_t cpu_rdtsc(void);
int cpu_has_1g_pages(void);
__attribute__((noreturn)) void mk_finish(int ok);
__attribute__((noreturn)) void mk_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* selfcheck.c */
int selfcheck_run(void);
uint32_t mk_crc32(uint32_t crc, const void *buf, size_t len);

/* boot.c */
void boot_capture(enum mk_boot_kind kind, uint64_t info);
int boot_is_ram(uint64_t addr, uint64_t size);

/* cmdline.c */
int cmdline_parse(const char *s, struct mk_args *a);

/* paging.c */
int pt_init(void);
enum pt_mode {
	PT_RO = 0,	/* the crashed kernel's memory, the elfcorehdr: never written */
	PT_RW = 1,	/* the minikernel's own image */
	PT_MMIO = 2,	/* device registers: read-write, uncached */
};
int pt_map(uint64_t phys, uint64_t len, unsigned mode);
void pt_activate(void);
uint32_t pt_pages_used(void);

/* hw.c */
void hw_time_init(void);
size_t hw_heap_free(void);
void *hw_alloc_max(size_t *size, size_t align);

/* crashhdr.c */
struct rd_writer_range;
struct mk_crash {
	struct rd_writer_range *ranges;
	uint32_t range_count;
	void *notes;
	uint64_t notes_size;
	uint32_t cpu_notes;
	uint32_t notes_dropped;		/* CPU note segments over the budget */
	uint64_t crash_time;
	char release[65];
};
int crashhdr_load(uint64_t addr, struct mk_crash *c);

/* An IOMMU left on: let the dump device's DMA through, block the rest
 * (minikernel/iommu.c: Intel VT-d; minikernel/amdvi.c: AMD-Vi). 0, or a
 * negative rd_err (the dump is tried anyway). */
struct pci_addr;
struct rd_writer_range;
struct iommu_dumped {			/* the memory being dumped: never written */
	const struct rd_writer_range *r;
	uint32_t n;
};
int iommu_takeover(const struct pci_addr *dev, const struct iommu_dumped *dumped);
int amdvi_takeover(const struct pci_addr *dev, const struct iommu_dumped *dumped);
/* 0 when an IOMMU's registers [base, base+len) may be mapped and written:
 * not inside memory being dumped (a corrupt ACPI table), said if they are. */
int iommu_regs_ok(uint64_t base, uint64_t len, const struct iommu_dumped *dumped);

/* ACPI (minikernel/iommu.c): a table by signature, checksummed and mapped
 * read-only, or NULL. */
struct acpi_hdr {
	char sig[4];
	uint32_t len;
	uint8_t rev, sum;
	char oem[6], oem_table[8];
	uint32_t oem_rev, creator, creator_rev;
} __attribute__((packed));
const struct acpi_hdr *acpi_find(const char sig[4]);
/* Write back [p, p+len) for a non-coherent IOMMU's table walk. */
void mk_clflush(const void *p, size_t len);

/* dump.c */
int dump_run(const struct mk_args *a);

#endif
