// SPDX-License-Identifier: GPL-2.0
/*
 * rdplant.c - rawdump end-to-end test module: plants known data in kernel
 * memory so a test can find it, byte for byte, in the crash dump.
 *
 * On load it allocates `kchunks` physically contiguous kmalloc() buffers of
 * `kchunk_pages` pages each and one vmalloc() area of `vpages` pages, and
 * fills page i (numbered across all of them, kmalloc first) with
 * rdplant_word(seed, i, w) for each 64-bit word w (splitmix64; the host
 * recomputes it with tests/guest/plant-check.py). Each page starts with
 * the tag "RDPLANT1", seed, i, so a dump can also be searched.
 *
 * /proc/rdplant lists one line per page, "rdplant PAGE PADDR KIND", and
 * the same lines go to the kernel log. The memory stays allocated until
 * the module is removed: a crash after loading finds it intact.
 *
 * Corrupted mem_map case: with scribble=N (N <= RDPLANT_SCRIBBLE_MAX), N of
 * the planted pages, spread evenly over them (page i * total / N), are
 * chosen at load and listed in /proc/rdplant as
 *   "rdscribble PAGE PFN 0xPADDR 0xSTRUCT_PAGE_PADDR"
 * Writing "scribble" to /proc/rdplant then overwrites each one's struct
 * page (found through virt_to_page / vmalloc_to_page) with
 * rdplant_word(seed ^ RDPLANT_SCRIBBLE_SALT, PAGE, w): bytes that look
 * random but that the host can recompute, to find them in the dump. Do it
 * right before the crash: the kernel must not use those pages again.
 */
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>
#include <linux/mm.h>
#include <linux/io.h>
#include <linux/proc_fs.h>
#include <linux/seq_file.h>
#include <linux/uaccess.h>
#include <asm/pgtable_types.h>

static ulong seed = 1;
module_param(seed, ulong, 0444);
MODULE_PARM_DESC(seed, "pattern seed");
static uint kchunks = 32;
module_param(kchunks, uint, 0444);
MODULE_PARM_DESC(kchunks, "number of kmalloc buffers");
static uint kchunk_pages = 4;
module_param(kchunk_pages, uint, 0444);
MODULE_PARM_DESC(kchunk_pages, "pages per kmalloc buffer");
static uint vpages = 256;
module_param(vpages, uint, 0444);
MODULE_PARM_DESC(vpages, "pages in the vmalloc area");
static uint scribble;
module_param(scribble, uint, 0444);
MODULE_PARM_DESC(scribble, "struct pages to overwrite on 'scribble' (corrupted mem_map test)");

#define RDPLANT_MAX_PAGES	65536u
#define RDPLANT_SCRIBBLE_MAX	16u
#define RDPLANT_SCRIBBLE_SALT	0x5c5c5c5cULL

struct rdplant_page {
	void *virt;
	phys_addr_t paddr;
	const char *kind;
};

static void **rdplant_kbufs;
static void *rdplant_varea;
static struct rdplant_page *rdplant_pages;
static unsigned int rdplant_npages;
static struct page *rdplant_scribbled[RDPLANT_SCRIBBLE_MAX];
static unsigned int rdplant_scribble_idx[RDPLANT_SCRIBBLE_MAX];
static bool rdplant_scribble_done;
static struct proc_dir_entry *rdplant_proc;

static u64 rdplant_splitmix64(u64 x)
{
	x += 0x9e3779b97f4a7c15ULL;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
	return x ^ (x >> 31);
}

static u64 rdplant_word(u64 s, u64 page, u64 w)
{
	return rdplant_splitmix64(s * 0x100000001b3ULL ^ (page << 20) ^ w);
}

static void rdplant_fill(void *virt, unsigned int page)
{
	u64 *p = virt;
	unsigned int w;

	for (w = 0; w < PAGE_SIZE / 8; w++)
		p[w] = rdplant_word(seed, page, w);
	memcpy(p, "RDPLANT1", 8);
	p[1] = seed;
	p[2] = page;
}

static int rdplant_show(struct seq_file *m, void *v)
{
	unsigned int i;

	for (i = 0; i < rdplant_npages; i++)
		seq_printf(m, "rdplant %u 0x%llx %s\n", i,
			   (unsigned long long)rdplant_pages[i].paddr,
			   rdplant_pages[i].kind);
	for (i = 0; i < scribble; i++)
		seq_printf(m, "rdscribble %u %lu 0x%llx 0x%llx%s\n", rdplant_scribble_idx[i],
			   page_to_pfn(rdplant_scribbled[i]),
			   (unsigned long long)rdplant_pages[rdplant_scribble_idx[i]].paddr,
			   (unsigned long long)slow_virt_to_phys(rdplant_scribbled[i]),
			   rdplant_scribble_done ? " done" : "");
	return 0;
}

static void rdplant_scribble_pick(void)
{
	unsigned int i, idx;

	for (i = 0; i < scribble; i++) {
		idx = i * rdplant_npages / scribble;
		rdplant_scribble_idx[i] = idx;
		if (!strcmp(rdplant_pages[idx].kind, "vmalloc"))
			rdplant_scribbled[i] = vmalloc_to_page(rdplant_pages[idx].virt);
		else
			rdplant_scribbled[i] = virt_to_page(rdplant_pages[idx].virt);
	}
}

/* Overwrite the chosen struct pages: from here on the mem_map is corrupt. */
static void rdplant_scribble(void)
{
	unsigned int i, w;

	for (i = 0; i < scribble; i++) {
		u64 *p = (u64 *)rdplant_scribbled[i];

		for (w = 0; w < sizeof(struct page) / 8; w++)
			p[w] = rdplant_word(seed ^ RDPLANT_SCRIBBLE_SALT, rdplant_scribble_idx[i], w);
	}
	rdplant_scribble_done = true;
	pr_emerg("rdplant: scribbled %u struct pages\n", scribble);
}

static ssize_t rdplant_write(struct file *file, const char __user *ubuf, size_t len, loff_t *pos)
{
	char cmd[16] = "";

	if (copy_from_user(cmd, ubuf, min(len, sizeof(cmd) - 1)))
		return -EFAULT;
	if (strncmp(cmd, "scribble", 8) || !scribble || rdplant_scribble_done)
		return -EINVAL;
	rdplant_scribble();
	return len;
}

static int rdplant_open(struct inode *inode, struct file *file)
{
	return single_open(file, rdplant_show, NULL);
}

static const struct proc_ops rdplant_proc_ops = {
	.proc_open = rdplant_open,
	.proc_read = seq_read,
	.proc_write = rdplant_write,
	.proc_lseek = seq_lseek,
	.proc_release = single_release,
};

static void rdplant_free(void)
{
	unsigned int i;

	if (rdplant_kbufs)
		for (i = 0; i < kchunks; i++)
			kfree(rdplant_kbufs[i]);
	kfree(rdplant_kbufs);
	vfree(rdplant_varea);
	kvfree(rdplant_pages);
}

static int __init rdplant_init(void)
{
	unsigned int i, j, n = 0;
	u64 total = (u64)kchunks * kchunk_pages + vpages;

	if (total == 0 || total > RDPLANT_MAX_PAGES || scribble > RDPLANT_SCRIBBLE_MAX ||
	    scribble > total)
		return -EINVAL;
	rdplant_pages = kvcalloc(total, sizeof(*rdplant_pages), GFP_KERNEL);
	rdplant_kbufs = kcalloc(kchunks ? kchunks : 1, sizeof(void *), GFP_KERNEL);
	if (!rdplant_pages || !rdplant_kbufs)
		goto out_nomem;

	for (i = 0; i < kchunks; i++) {
		rdplant_kbufs[i] = kmalloc(kchunk_pages * PAGE_SIZE, GFP_KERNEL);
		if (!rdplant_kbufs[i])
			goto out_nomem;
		for (j = 0; j < kchunk_pages; j++) {
			void *v = rdplant_kbufs[i] + j * PAGE_SIZE;

			rdplant_pages[n].virt = v;
			rdplant_pages[n].paddr = virt_to_phys(v);
			rdplant_pages[n].kind = "kmalloc";
			n++;
		}
	}
	if (vpages) {
		rdplant_varea = vmalloc(vpages * PAGE_SIZE);
		if (!rdplant_varea)
			goto out_nomem;
		for (j = 0; j < vpages; j++) {
			void *v = rdplant_varea + j * PAGE_SIZE;

			rdplant_pages[n].virt = v;
			rdplant_pages[n].paddr = PFN_PHYS(vmalloc_to_pfn(v));
			rdplant_pages[n].kind = "vmalloc";
			n++;
		}
	}
	rdplant_npages = n;
	for (i = 0; i < n; i++)
		rdplant_fill(rdplant_pages[i].virt, i);
	rdplant_scribble_pick();

	rdplant_proc = proc_create("rdplant", 0644, NULL, &rdplant_proc_ops);
	if (!rdplant_proc)
		goto out_nomem;
	for (i = 0; i < n; i++)
		pr_info("rdplant %u 0x%llx %s\n", i,
			(unsigned long long)rdplant_pages[i].paddr, rdplant_pages[i].kind);
	pr_info("rdplant: planted %u pages, seed %lu\n", n, seed);
	return 0;

out_nomem:
	rdplant_free();
	return -ENOMEM;
}

static void __exit rdplant_exit(void)
{
	proc_remove(rdplant_proc);
	rdplant_free();
}

module_init(rdplant_init);
module_exit(rdplant_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("rawdump test: plant known data in kernel memory");
