/*
 * minikernel/crashhdr.c - read the elfcorehdr kexec prepared (an ELF64
 * ET_CORE header: System V gABI program headers; the kernel's
 * crash_prepare_elf64_headers() and kexec-tools' crashdump-elf.c build it).
 * It is input from a crashed system: every field is bounds-checked.
 * PT_NOTE contents are copied verbatim into minikernel memory, each
 * segment trimmed to its real notes (a possible but offline CPU's buffer
 * holds none); past EH_MAX_NOTES the capture degrades instead of failing; each
 * PT_LOAD becomes a writer range whose data is read at p_offset (kexec_load
 * puts the low 640 KiB in a backup copy there).
 */
#include "mk.h"

#define EH_MAX_PHNUM		0xfffe	/* 0xffff (PN_XNUM) would mean "see section 0" */
#define EH_MAX_HDR_BYTES	(1024u * 1024u)
#define EH_MAX_NOTE_SEG		(256u * 1024u)
/* Notes kept, after trimming each per-CPU buffer to its real notes: about
 * 700 CPUs' NT_PRSTATUS. Beyond it, VMCOREINFO is kept and the CPU notes in
 * order until the budget is used; the rest are dropped and counted. */
#define EH_MAX_NOTES		(256u * 1024u)
#define EH_MAX_LOADS		1024

#define PT_LOAD			1
#define PT_NOTE			4
#define ET_CORE			4
#define EM_X86_64		62
#define NT_PRSTATUS		1

struct elf64_ehdr {
	uint8_t  ident[16];
	uint16_t type, machine;
	uint32_t version;
	uint64_t entry, phoff, shoff;
	uint32_t flags;
	uint16_t ehsize, phentsize, phnum, shentsize, shnum, shstrndx;
};

struct elf64_phdr {
	uint32_t type, flags;
	uint64_t offset, vaddr, paddr, filesz, memsz, align;
};

static struct rd_writer_range eh_ranges[EH_MAX_LOADS];

/*
 * Bytes of real notes at the start of a PT_NOTE segment. The kernel sizes
 * each per-CPU segment as its whole note buffer, ending in an empty
 * terminator note; like /proc/vmcore, keep the notes and drop the
 * terminator and padding, so that the concatenation is one walkable list.
 */
static uint64_t eh_notes_len(const uint8_t *p, uint64_t size)
{
	uint64_t off = 0;

	while (size - off >= 12) {
		uint32_t h[2];
		uint64_t len;

		memcpy(h, p + off, sizeof(h));	/* p_offset need not be aligned */
		len = 12 + rd_align_up(h[0], 4) + rd_align_up(h[1], 4);

		if ((h[0] == 0 && h[1] == 0) || len > size - off)
			break;
		off += len;
	}
	return off;
}

/* Does a PT_NOTE segment hold the VMCOREINFO note (its first note's name)? */
static int eh_is_vmcoreinfo(const struct elf64_phdr *p, uint64_t len)
{
	const uint8_t *b = (const uint8_t *)(uintptr_t)p->offset;
	uint32_t namesz;

	if (len < 12 + 12)
		return 0;
	memcpy(&namesz, b, 4);
	return namesz == 11 && !memcmp(b + 12, "VMCOREINFO", 11);
}

static int eh_note_cb(void *ctx, const struct rd_note *n)
{
	struct mk_crash *c = ctx;
	char buf[24];

	if (n->type == NT_PRSTATUS && n->namesz >= 4 && memcmp(n->name, "CORE", 4) == 0)
		c->cpu_notes++;
	if (n->namesz >= 10 && memcmp(n->name, "VMCOREINFO", 10) == 0) {
		const char *text = (const char *)n->desc;
		int len;

		if (rd_vmcoreinfo_get(text, n->descsz, "OSRELEASE", c->release, sizeof(c->release)) < 0)
			c->release[0] = '\0';
		len = rd_vmcoreinfo_get(text, n->descsz, "CRASHTIME", buf, sizeof(buf));
		if (len > 0) {
			uint64_t t = 0;
			int i;

			for (i = 0; i < len && buf[i] >= '0' && buf[i] <= '9'; i++)
				t = t * 10 + (uint64_t)(buf[i] - '0');
			c->crash_time = t;
		}
	}
	return 0;
}

int crashhdr_load(uint64_t addr, struct mk_crash *c)
{
	const struct elf64_ehdr *eh = (const void *)(uintptr_t)addr;
	const struct elf64_phdr *ph;
	uint64_t phbytes, notes_total = 0, vmci_total = 0, alloc, cpu_budget;
	uint64_t cpu_bytes = 0, dropped_bytes = 0;
	uint32_t dropped = 0;
	uint8_t *notes;
	uint32_t i, nloads = 0;
	int err;

	memset(c, 0, sizeof(*c));
	if (addr % 8) {
		kprintf("elfcorehdr: %lx is not 8-byte aligned\n", addr);
		return -RD_EINVAL;
	}
	err = pt_map(addr, sizeof(*eh), PT_RO);
	if (err)
		return err;
	if (memcmp(eh->ident, "\177ELF", 4) != 0 || eh->ident[4] != 2 || eh->ident[5] != 1 ||
	    eh->type != ET_CORE || eh->machine != EM_X86_64) {
		kprintf("elfcorehdr: no ELF64 x86-64 core header at %lx\n", addr);
		return -RD_EINVAL;
	}
	if (eh->phentsize != sizeof(*ph) || eh->phnum == 0 || eh->phnum > EH_MAX_PHNUM) {
		kprintf("elfcorehdr: phentsize %u phnum %u unusable\n", eh->phentsize, eh->phnum);
		return -RD_EINVAL;
	}
	phbytes = (uint64_t)eh->phnum * sizeof(*ph);
	if (eh->phoff > EH_MAX_HDR_BYTES || phbytes > EH_MAX_HDR_BYTES - eh->phoff ||
	    (addr + eh->phoff) % 8) {
		kprintf("elfcorehdr: program headers at %lx+%lx out of bounds\n", eh->phoff, phbytes);
		return -RD_EINVAL;
	}
	err = pt_map(addr, eh->phoff + phbytes, PT_RO);
	if (err)
		return err;
	ph = (const void *)(uintptr_t)(addr + eh->phoff);

	/* 1. measure: each PT_NOTE trimmed to its real notes */
	for (i = 0; i < eh->phnum; i++) {
		uint64_t len;

		if (ph[i].type != PT_NOTE || !ph[i].filesz)
			continue;
		if (ph[i].filesz > EH_MAX_NOTE_SEG || ph[i].offset + ph[i].filesz < ph[i].offset) {
			kprintf("elfcorehdr: PT_NOTE %u size %lx too large\n", i, ph[i].filesz);
			return -RD_EINVAL;
		}
		err = pt_map(ph[i].offset, ph[i].filesz, PT_RO);
		if (err)
			return err;
		len = eh_notes_len((const uint8_t *)(uintptr_t)ph[i].offset, ph[i].filesz);
		notes_total += len;
		if (eh_is_vmcoreinfo(&ph[i], len))
			vmci_total += len;
	}
	if (vmci_total > EH_MAX_NOTES) {
		kprintf("elfcorehdr: %lu bytes of VMCOREINFO, limit %u\n", vmci_total, EH_MAX_NOTES);
		return -RD_EINVAL;
	}
	alloc = notes_total < EH_MAX_NOTES ? notes_total : EH_MAX_NOTES;
	notes = alloc ? hw_alloc(alloc, 8) : NULL;
	if (alloc && !notes)
		return -RD_ENOMEM;

	/* 2. copy in order; over the budget, VMCOREINFO still goes in and CPU
	 * notes are dropped from the first one that no longer fits */
	cpu_budget = alloc - vmci_total;
	for (i = 0; i < eh->phnum; i++) {
		const struct elf64_phdr *p = &ph[i];
		uint64_t len;

		if (p->type == PT_NOTE && p->filesz) {
			len = eh_notes_len((const uint8_t *)(uintptr_t)p->offset, p->filesz);
			if (!len)
				continue;
			if (!eh_is_vmcoreinfo(p, len)) {
				if (dropped || cpu_bytes + len > cpu_budget) {
					dropped++;
					dropped_bytes += len;
					continue;
				}
				cpu_bytes += len;
			}
			memcpy(notes + c->notes_size, (const void *)(uintptr_t)p->offset, len);
			c->notes_size += len;
		} else if (p->type == PT_LOAD && p->filesz) {
			if (nloads >= EH_MAX_LOADS) {
				kprintf("elfcorehdr: more than %u PT_LOAD\n", EH_MAX_LOADS);
				return -RD_EINVAL;
			}
			if (p->offset + p->filesz < p->offset || p->paddr + p->filesz < p->paddr) {
				kprintf("elfcorehdr: PT_LOAD %u wraps\n", i);
				return -RD_EINVAL;
			}
			if (p->filesz != p->memsz)
				kprintf("elfcorehdr: PT_LOAD %u filesz %lx != memsz %lx, dumping filesz\n",
					i, p->filesz, p->memsz);
			eh_ranges[nloads].paddr = p->paddr;
			eh_ranges[nloads].vaddr = p->vaddr;
			eh_ranges[nloads].size = p->filesz;
			eh_ranges[nloads].src = p->offset;
			eh_ranges[nloads].flags = 0;
			nloads++;
		}
	}
	rd_ranges_mark_aliases(eh_ranges, nloads);
	for (i = 0; i < nloads; i++) {
		if (eh_ranges[i].flags & RD_RANGE_ALIAS)
			continue;
		err = pt_map(eh_ranges[i].src, eh_ranges[i].size, PT_RO);
		if (err)
			return err;
	}
	if (dropped) {
		kprintf("elfcorehdr: %lu bytes of notes, over the %u KiB budget: kept VMCOREINFO and "
			"%lu bytes of CPU notes, dropped %u CPU note segments (%lu bytes)\n",
			notes_total, EH_MAX_NOTES / 1024, cpu_bytes, dropped, dropped_bytes);
		c->notes_dropped = dropped;
	}
	c->ranges = eh_ranges;
	c->range_count = nloads;
	c->notes = notes;
	rd_notes_walk(notes, c->notes_size, eh_note_cb, c);
	kprintf("elfcorehdr: %u PT_LOAD, %lu bytes of notes (%u CPUs), release '%s'\n",
		nloads, c->notes_size, c->cpu_notes, c->release);
	return 0;
}
