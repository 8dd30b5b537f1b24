/*
 * tools/image/kinfo.c - the crash summary of `rawdump info`, from VMCOREINFO and
 * the dump alone (no vmlinux).
 *
 * Follows: the ELF note layout (NT_PRSTATUS, x86-64 elf_prstatus with
 * pr_reg at 112), Linux kernel/crash_core.c (VMCOREINFO keys),
 * arch/x86/kernel/crash_core_64.c (phys_base, init_top_pgt, KERNELOFFSET),
 * the x86-64 4/5-level page table format (Intel SDM vol. 3 ch. 4.5), and
 * kernel/printk/printk_ringbuffer.[ch] of 5.10+ (descriptor ring, data ring,
 * state bits in the top two bits of state_var), all through the offsets the
 * kernel exports in VMCOREINFO. QEMU's "QEMU" CPU-state notes (dump.c
 * QEMUCPUState) give CR3 when present. Everything read is bounds-checked.
 */
#include <errno.h>
#include <stdio.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "kinfo.h"
#include "rawdump/notes.h"

#define KINFO_START_KERNEL_MAP	0xffffffff80000000ull
#define KINFO_PTE_ADDR_MASK	0x000ffffffffff000ull
#define KINFO_PTE_PRESENT	0x1ull
#define KINFO_PTE_PSE		0x80ull

#define NT_PRSTATUS		1
#define KINFO_PRSTATUS_SIZE	336
#define KINFO_PRSTATUS_PID	32
#define KINFO_PRSTATUS_REG	112
#define KINFO_QEMU_NOTE_MIN	424	/* through cr[3] */
#define KINFO_QEMU_CR3		416

/* printk ring buffer: state_var keeps the state in its top two bits */
#define PRB_STATE_SHIFT		62
#define PRB_ID_MASK		(~(3ull << PRB_STATE_SHIFT))
#define PRB_COMMITTED		1
#define PRB_FINALIZED		2
#define PRB_MAX_COUNT_BITS	22	/* sanity bound: 4 M descriptors */
#define PRB_MAX_SIZE_BITS	30	/* sanity bound: 1 GiB of text */
#define PRB_MAX_FIELD		4096	/* bound on every VMCOREINFO offset/size used */


/* ------------------------------------------------------------------ */
/* Notes and VMCOREINFO                                                */
/* ------------------------------------------------------------------ */

int kinfo_parse_cpus(const uint8_t *notes, size_t size, struct kinfo_cpu **cpus, uint32_t *n)
{
	struct rd_note note;
	struct kinfo_cpu *c = NULL, *nc;
	uint32_t count = 0, nqemu = 0;
	size_t pos = 0;

	while (rd_note_next(notes, size, &pos, NULL, &note)) {
		if (rd_note_is(&note, "CORE") && note.type == NT_PRSTATUS &&
		    note.descsz == KINFO_PRSTATUS_SIZE) {
			nc = realloc(c, (count + 1) * sizeof(*c));
			if (!nc) {
				free(c);
				return -ENOMEM;
			}
			c = nc;
			memset(&c[count], 0, sizeof(*c));
			memcpy(&c[count].pid, note.desc + KINFO_PRSTATUS_PID, 4);
			memcpy(c[count].regs, note.desc + KINFO_PRSTATUS_REG, sizeof(c[count].regs));
			count++;
		}
	}
	/* QEMU's CPU-state notes come in CPU order like the NT_PRSTATUS ones */
	pos = 0;
	while (rd_note_next(notes, size, &pos, NULL, &note)) {
		if (rd_note_is(&note, "QEMU") && note.descsz >= KINFO_QEMU_NOTE_MIN) {
			if (nqemu < count) {
				c[nqemu].have_cr3 = 1;
				memcpy(&c[nqemu].cr3, note.desc + KINFO_QEMU_CR3, 8);
			}
			nqemu++;
		}
	}
	*cpus = c;
	*n = count;
	return 0;
}

static void kinfo_find_vmcoreinfo(struct memimage *m, struct kinfo *ki)
{
	struct rd_note note;
	size_t pos = 0;

	if (!m->notes)
		return;
	while (rd_note_next(m->notes, m->notes_size, &pos, NULL, &note)) {
		if (rd_note_is(&note, "VMCOREINFO")) {
			ki->vmcoreinfo = (const char *)note.desc;
			ki->vmcoreinfo_len = note.descsz;
			return;
		}
	}
}

int kinfo_vmci_str(const struct kinfo *ki, const char *key, char *out, size_t outsz)
{
	if (!ki->vmcoreinfo || rd_vmcoreinfo_get(ki->vmcoreinfo, ki->vmcoreinfo_len, key, out, outsz) < 0)
		return -ENOENT;
	return 0;
}

int kinfo_vmci_num(const struct kinfo *ki, const char *key, uint64_t *val)
{
	char buf[64], *end;
	int hex = strncmp(key, "SYMBOL(", 7) == 0 || strcmp(key, "KERNELOFFSET") == 0;

	if (kinfo_vmci_str(ki, key, buf, sizeof(buf)) < 0 || !buf[0])
		return -ENOENT;
	errno = 0;
	if (hex)
		*val = strtoull(buf, &end, 16);
	else if (buf[0] == '-')
		*val = (uint64_t)strtoll(buf, &end, 10);
	else
		*val = strtoull(buf, &end, 10);
	if (errno || *end)
		return -EINVAL;
	return 0;
}

/* ------------------------------------------------------------------ */
/* Kernel virtual memory                                               */
/* ------------------------------------------------------------------ */

static int kinfo_read_phys_u64(struct memimage *m, uint64_t paddr, uint64_t *v)
{
	uint8_t page[MI_PAGE];
	int rc = mi_read_page(m, paddr & ~(uint64_t)(MI_PAGE - 1), page);

	if (rc < 0)
		return rc;
	if (rc == MI_MISSING || rc == MI_EXCLUDED)
		return -EFAULT;
	memcpy(v, page + (paddr & (MI_PAGE - 1) & ~7ull), 8);
	return 0;
}

static int kinfo_v2p(struct memimage *m, const struct kinfo *ki, uint64_t vaddr, uint64_t *paddr)
{
	static const int shifts[] = { 48, 39, 30, 21, 12 };
	uint64_t table, e = 0;
	int level, rc;

	if (!ki->top_pgt) {
		if (vaddr >= KINFO_START_KERNEL_MAP && ki->have_phys_base) {
			*paddr = vaddr - KINFO_START_KERNEL_MAP + ki->phys_base;
			return 0;
		}
		return -EFAULT;
	}
	table = ki->top_pgt;
	for (level = ki->l5 ? 0 : 1; level < 5; level++) {
		rc = kinfo_read_phys_u64(m, table + ((vaddr >> shifts[level]) & 511) * 8, &e);
		if (rc < 0)
			return rc;
		if (!(e & KINFO_PTE_PRESENT))
			return -EFAULT;
		if ((level == 2 || level == 3) && (e & KINFO_PTE_PSE)) {
			uint64_t span = 1ull << shifts[level];

			*paddr = (e & KINFO_PTE_ADDR_MASK & ~(span - 1)) | (vaddr & (span - 1));
			return 0;
		}
		table = e & KINFO_PTE_ADDR_MASK;
	}
	*paddr = table | (vaddr & (MI_PAGE - 1));
	return 0;
}

int kinfo_read_virt(struct memimage *m, const struct kinfo *ki, uint64_t vaddr,
		    void *buf, size_t len)
{
	uint8_t page[MI_PAGE];
	uint8_t *out = buf;
	uint64_t paddr;
	size_t off, n;
	int rc;

	while (len) {
		rc = kinfo_v2p(m, ki, vaddr, &paddr);
		if (rc < 0)
			return rc;
		off = paddr & (MI_PAGE - 1);
		n = MI_PAGE - off;
		if (n > len)
			n = len;
		rc = mi_read_page(m, paddr - off, page);
		if (rc < 0)
			return rc;
		if (rc == MI_MISSING || rc == MI_EXCLUDED)
			return -EFAULT;
		memcpy(out, page + off, n);
		out += n;
		vaddr += n;
		len -= n;
	}
	return 0;
}

static int kinfo_read_u64(struct memimage *m, const struct kinfo *ki, uint64_t vaddr, uint64_t *v)
{
	return kinfo_read_virt(m, ki, vaddr, v, 8);
}

/* ------------------------------------------------------------------ */
/* printk ring buffer                                                  */
/* ------------------------------------------------------------------ */

struct kinfo_prb_layout {
	uint64_t rb_desc_ring, rb_text_ring;
	uint64_t dr_count_bits, dr_descs, dr_infos, dr_head_id, dr_tail_id;
	uint64_t desc_size, desc_state_var, desc_text_lpos, lpos_begin, lpos_next;
	uint64_t info_size, info_seq, info_ts, info_text_len, info_caller_id;
	uint64_t tr_size_bits, tr_data;
};

static int kinfo_prb_layout(const struct kinfo *ki, struct kinfo_prb_layout *l)
{
	static const struct { const char *key; size_t off; } keys[] = {
		{ "OFFSET(printk_ringbuffer.desc_ring)", offsetof(struct kinfo_prb_layout, rb_desc_ring) },
		{ "OFFSET(printk_ringbuffer.text_data_ring)", offsetof(struct kinfo_prb_layout, rb_text_ring) },
		{ "OFFSET(prb_desc_ring.count_bits)", offsetof(struct kinfo_prb_layout, dr_count_bits) },
		{ "OFFSET(prb_desc_ring.descs)", offsetof(struct kinfo_prb_layout, dr_descs) },
		{ "OFFSET(prb_desc_ring.infos)", offsetof(struct kinfo_prb_layout, dr_infos) },
		{ "OFFSET(prb_desc_ring.head_id)", offsetof(struct kinfo_prb_layout, dr_head_id) },
		{ "OFFSET(prb_desc_ring.tail_id)", offsetof(struct kinfo_prb_layout, dr_tail_id) },
		{ "SIZE(prb_desc)", offsetof(struct kinfo_prb_layout, desc_size) },
		{ "OFFSET(prb_desc.state_var)", offsetof(struct kinfo_prb_layout, desc_state_var) },
		{ "OFFSET(prb_desc.text_blk_lpos)", offsetof(struct kinfo_prb_layout, desc_text_lpos) },
		{ "OFFSET(prb_data_blk_lpos.begin)", offsetof(struct kinfo_prb_layout, lpos_begin) },
		{ "OFFSET(prb_data_blk_lpos.next)", offsetof(struct kinfo_prb_layout, lpos_next) },
		{ "SIZE(printk_info)", offsetof(struct kinfo_prb_layout, info_size) },
		{ "OFFSET(printk_info.seq)", offsetof(struct kinfo_prb_layout, info_seq) },
		{ "OFFSET(printk_info.ts_nsec)", offsetof(struct kinfo_prb_layout, info_ts) },
		{ "OFFSET(printk_info.text_len)", offsetof(struct kinfo_prb_layout, info_text_len) },
		{ "OFFSET(printk_info.caller_id)", offsetof(struct kinfo_prb_layout, info_caller_id) },
		{ "OFFSET(prb_data_ring.size_bits)", offsetof(struct kinfo_prb_layout, tr_size_bits) },
		{ "OFFSET(prb_data_ring.data)", offsetof(struct kinfo_prb_layout, tr_data) },
	};
	size_t i;

	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		uint64_t *v = (uint64_t *)((char *)l + keys[i].off);

		if (kinfo_vmci_num(ki, keys[i].key, v) < 0)
			return -ENOENT;
		if (*v > PRB_MAX_FIELD)		/* also catches "-1": sums below cannot wrap */
			return -EINVAL;
	}
	if (l->desc_size < 24 || l->desc_size > 64 || l->info_size < 24 || l->info_size > 256 ||
	    l->desc_state_var + 8 > l->desc_size ||
	    l->desc_text_lpos + 16 > l->desc_size || l->lpos_begin > 8 || l->lpos_next > 8 ||
	    l->info_seq + 8 > l->info_size || l->info_ts + 8 > l->info_size ||
	    l->info_text_len + 2 > l->info_size || l->info_caller_id + 4 > l->info_size)
		return -EINVAL;
	return 0;
}

static void kinfo_free_log(struct kinfo *ki)
{
	size_t i;

	for (i = 0; i < ki->nlog; i++)
		free(ki->log[i].text);
	free(ki->log);
	ki->log = NULL;
	ki->nlog = 0;
}

static int kinfo_add_rec(struct kinfo *ki, size_t *cap, const struct kinfo_rec *r)
{
	struct kinfo_rec *n;

	if (ki->nlog == *cap) {
		*cap = *cap ? *cap * 2 : 256;
		n = realloc(ki->log, *cap * sizeof(*n));
		if (!n)
			return -ENOMEM;
		ki->log = n;
	}
	ki->log[ki->nlog++] = *r;
	return 0;
}

/* Text of one record out of the data ring: 0 with *text malloc'd, or a
 * negative code for a data-less or inconsistent block (skipped). */
static int kinfo_prb_text(const uint8_t *data, uint64_t size_bits, uint64_t begin, uint64_t next,
			  uint16_t text_len, char **text)
{
	uint64_t size = 1ull << size_bits, off, len;
	char *t;

	if ((begin & 1) || begin == next)
		return -ENODATA;
	if ((begin >> size_bits) == (next >> size_bits) && begin < next) {
		off = begin & (size - 1);
		len = next - begin;
	} else if (((begin + size) >> size_bits) == (next >> size_bits)) {
		off = 0;
		len = next & (size - 1);
	} else {
		return -EINVAL;
	}
	if (len < 8 || off + len > size)
		return -EINVAL;
	len -= 8;		/* the block starts with its descriptor id */
	if (text_len < len)
		len = text_len;
	t = malloc(len + 1);
	if (!t)
		return -ENOMEM;
	memcpy(t, data + off + 8, len);
	t[len] = '\0';
	*text = t;
	return 0;
}

static int kinfo_read_log(struct memimage *m, struct kinfo *ki)
{
	struct kinfo_prb_layout l;
	uint64_t prb_sym, rb, descs_va, infos_va, data_va, head, tail, id, sv;
	uint32_t count_bits = 0, size_bits = 0;
	uint8_t *descs = NULL, *infos = NULL, *data = NULL;
	size_t cap = 0, count, idx;
	int rc;

	if (kinfo_vmci_num(ki, "SYMBOL(prb)", &prb_sym) < 0) {
		ki->log_error = "no SYMBOL(prb) in VMCOREINFO (kernel older than 5.10?)";
		return -ENOENT;
	}
	if (kinfo_prb_layout(ki, &l) < 0) {
		ki->log_error = "printk ring buffer layout missing or implausible in VMCOREINFO";
		return -EINVAL;
	}
	rc = kinfo_read_u64(m, ki, prb_sym, &rb);
	if (rc == 0)
		rc = kinfo_read_virt(m, ki, rb + l.rb_desc_ring + l.dr_count_bits, &count_bits, 4);
	if (rc == 0)
		rc = kinfo_read_u64(m, ki, rb + l.rb_desc_ring + l.dr_descs, &descs_va);
	if (rc == 0)
		rc = kinfo_read_u64(m, ki, rb + l.rb_desc_ring + l.dr_infos, &infos_va);
	if (rc == 0)
		rc = kinfo_read_u64(m, ki, rb + l.rb_desc_ring + l.dr_head_id, &head);
	if (rc == 0)
		rc = kinfo_read_u64(m, ki, rb + l.rb_desc_ring + l.dr_tail_id, &tail);
	if (rc == 0)
		rc = kinfo_read_virt(m, ki, rb + l.rb_text_ring + l.tr_size_bits, &size_bits, 4);
	if (rc == 0)
		rc = kinfo_read_u64(m, ki, rb + l.rb_text_ring + l.tr_data, &data_va);
	if (rc < 0) {
		ki->log_error = "printk ring buffer not readable in the dump";
		return rc;
	}
	if (count_bits > PRB_MAX_COUNT_BITS || size_bits > PRB_MAX_SIZE_BITS || size_bits < 4) {
		ki->log_error = "printk ring buffer sizes implausible";
		return -EINVAL;
	}
	count = (size_t)1 << count_bits;
	descs = malloc(count * l.desc_size);
	infos = malloc(count * l.info_size);
	data = malloc((size_t)1 << size_bits);
	if (!descs || !infos || !data) {
		rc = -ENOMEM;
		ki->log_error = "out of memory";
		goto free_bufs;
	}
	rc = kinfo_read_virt(m, ki, descs_va, descs, count * l.desc_size);
	if (rc == 0)
		rc = kinfo_read_virt(m, ki, infos_va, infos, count * l.info_size);
	if (rc == 0)
		rc = kinfo_read_virt(m, ki, data_va, data, (size_t)1 << size_bits);
	if (rc < 0) {
		ki->log_error = "printk ring buffer arrays not readable in the dump";
		goto free_bufs;
	}

	head &= PRB_ID_MASK;
	tail &= PRB_ID_MASK;
	if (((head - tail) & PRB_ID_MASK) >= count) {
		ki->log_error = "printk ring buffer head/tail implausible";
		rc = -EINVAL;
		goto free_bufs;
	}
	for (id = tail;; id = (id + 1) & PRB_ID_MASK) {
		const uint8_t *d, *in;
		uint64_t begin, next;
		uint16_t text_len;
		struct kinfo_rec r;
		unsigned state;

		idx = id & (count - 1);
		d = descs + idx * l.desc_size;
		in = infos + idx * l.info_size;
		memcpy(&sv, d + l.desc_state_var, 8);
		state = (unsigned)(sv >> PRB_STATE_SHIFT);
		if ((sv & PRB_ID_MASK) == id && (state == PRB_COMMITTED || state == PRB_FINALIZED)) {
			memcpy(&begin, d + l.desc_text_lpos + l.lpos_begin, 8);
			memcpy(&next, d + l.desc_text_lpos + l.lpos_next, 8);
			memcpy(&text_len, in + l.info_text_len, 2);
			memset(&r, 0, sizeof(r));
			if (kinfo_prb_text(data, size_bits, begin, next, text_len, &r.text) == 0) {
				memcpy(&r.seq, in + l.info_seq, 8);
				memcpy(&r.ts_nsec, in + l.info_ts, 8);
				memcpy(&r.caller_id, in + l.info_caller_id, 4);
				if (kinfo_add_rec(ki, &cap, &r) < 0) {
					free(r.text);
					rc = -ENOMEM;
					ki->log_error = "out of memory";
					goto free_bufs;
				}
			}
		}
		if (id == head)
			break;
	}
	rc = 0;
free_bufs:
	free(descs);
	free(infos);
	free(data);
	if (rc < 0)
		kinfo_free_log(ki);
	return rc;
}

/* ------------------------------------------------------------------ */
/* Summary                                                             */
/* ------------------------------------------------------------------ */

static void kinfo_read_uts(struct memimage *m, struct kinfo *ki)
{
	char uts[6][KINFO_UTS_LEN];
	uint64_t sym, off = 0;
	int i;

	if (kinfo_vmci_num(ki, "SYMBOL(init_uts_ns)", &sym) < 0)
		return;
	kinfo_vmci_num(ki, "OFFSET(uts_namespace.name)", &off);
	if (off > 4096 || kinfo_read_virt(m, ki, sym + off, uts, sizeof(uts)) < 0)
		return;
	for (i = 0; i < 6; i++)
		uts[i][KINFO_UTS_LEN - 1] = '\0';
	if (strcmp(uts[0], "Linux") != 0)
		return;
	memcpy(ki->uts, uts, sizeof(uts));
	ki->have_uts = 1;
}

/* Panic line and crashing CPU from the log: the last "Kernel panic - not
 * syncing:" record and the "CPU: N PID: P Comm: C" line nearest after it
 * (or, failing that, before it). */
static void kinfo_scan_log(struct kinfo *ki)
{
	static const char panic_prefix[] = "Kernel panic - not syncing: ";
	size_t i, end = ki->nlog, n;
	unsigned cpu, pid;
	char comm[17];
	int have_cpu = 0;

	for (i = ki->nlog; i-- > 0;) {
		if (strncmp(ki->log[i].text, panic_prefix, sizeof(panic_prefix) - 1) == 0) {
			n = strcspn(ki->log[i].text, "\n");
			if (n >= sizeof(ki->panic))
				n = sizeof(ki->panic) - 1;
			memcpy(ki->panic, ki->log[i].text, n);
			ki->panic[n] = '\0';
			end = i;
			break;
		}
	}
	/* panic() prints its message, then dump_stack()'s "CPU:" line */
	for (i = end; i < ki->nlog && !have_cpu; i++)
		have_cpu = sscanf(ki->log[i].text, "CPU: %u PID: %u Comm: %16s", &cpu, &pid, comm) == 3;
	for (i = end < ki->nlog ? end : ki->nlog; i-- > 0 && !have_cpu;)
		have_cpu = sscanf(ki->log[i].text, "CPU: %u PID: %u Comm: %16s", &cpu, &pid, comm) == 3;
	if (!have_cpu)
		return;
	ki->crashed_pid = pid;
	snprintf(ki->crashed_comm, sizeof(ki->crashed_comm), "%s", comm);
	/* NT_PRSTATUS notes are in online-CPU order: note N is CPU N */
	if (cpu < ki->ncpus)
		ki->crashed_cpu = (int)cpu;
}

void kinfo_gather(struct memimage *m, struct kinfo *ki)
{
	uint64_t v;

	memset(ki, 0, sizeof(*ki));
	ki->crashed_cpu = -1;
	kinfo_find_vmcoreinfo(m, ki);
	if (kinfo_vmci_str(ki, "OSRELEASE", ki->release, sizeof(ki->release)) < 0)
		snprintf(ki->release, sizeof(ki->release), "%s", m->kernel_release);
	ki->crash_time = m->crash_time;
	if (kinfo_vmci_num(ki, "CRASHTIME", &v) == 0)
		ki->crash_time = v;
	if (kinfo_vmci_num(ki, "NUMBER(phys_base)", &ki->phys_base) == 0)
		ki->have_phys_base = 1;
	kinfo_vmci_num(ki, "KERNELOFFSET", &ki->kaslr_offset);
	if (kinfo_vmci_num(ki, "NUMBER(pgtable_l5_enabled)", &v) == 0)
		ki->l5 = v != 0;
	if (ki->have_phys_base && kinfo_vmci_num(ki, "SYMBOL(init_top_pgt)", &v) == 0 &&
	    v >= KINFO_START_KERNEL_MAP)
		ki->top_pgt = v - KINFO_START_KERNEL_MAP + ki->phys_base;
	if (m->notes)
		kinfo_parse_cpus(m->notes, m->notes_size, &ki->cpus, &ki->ncpus);

	kinfo_read_uts(m, ki);
	if (!ki->release[0] && ki->have_uts)
		snprintf(ki->release, sizeof(ki->release), "%s", ki->uts[2]);
	if (!ki->vmcoreinfo)
		ki->log_error = "no VMCOREINFO note in the dump";
	else
		kinfo_read_log(m, ki);
	if (ki->nlog)
		ki->uptime_ns = ki->log[ki->nlog - 1].ts_nsec;
	kinfo_scan_log(ki);
}

void kinfo_free(struct kinfo *ki)
{
	kinfo_free_log(ki);
	free(ki->cpus);
	ki->cpus = NULL;
	ki->ncpus = 0;
}

void kinfo_crash_cmd(const struct memimage *m, const struct kinfo *ki, const char *path,
		     char *out, size_t outsz)
{
	char opts[96] = "";

	if (m->kind && strcmp(m->kind, "lkcd") == 0 && ki->have_phys_base)
		snprintf(opts, sizeof(opts), "-m phys_base=0x%" PRIx64 " --kaslr=0x%" PRIx64 " ",
			 ki->phys_base, ki->kaslr_offset);
	snprintf(out, outsz, "crash %s/usr/lib/debug/boot/vmlinux-%s %s", opts,
		 ki->release[0] ? ki->release : "RELEASE", path ? path : "<vmcore>");
}

void kinfo_put_utsname(const struct kinfo *ki, uint8_t *out)
{
	if (ki->have_uts) {
		memcpy(out, ki->uts, sizeof(ki->uts));
		return;
	}
	snprintf((char *)out, KINFO_UTS_LEN, "Linux");
	snprintf((char *)out + 2 * KINFO_UTS_LEN, KINFO_UTS_LEN, "%s", ki->release);
	snprintf((char *)out + 4 * KINFO_UTS_LEN, KINFO_UTS_LEN, "x86_64");
}
