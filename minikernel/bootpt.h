/*
 * minikernel/bootpt.h - the boot page tables, one copy for both 32-bit
 * entries (head.S: PVH; setup.S: the bzImage's real-mode setup). An
 * assembler macro: included from .S files only.
 *
 * BOOT_PAGE_TABLES base: in the 6 zeroed pages at %base build PML4[0] ->
 * PDPT, PDPT[0..3] -> PD 0..3, and 2048 x 2 MiB pages identity-mapping
 * the low 4 GiB; then set CR4.PAE, load CR3 with %base and set EFER.LME.
 * Paging itself (CR0.PG) is left to the caller. Clobbers eax, ecx, edx
 * (rdmsr), edi.
 */
#ifndef MK_BOOTPT_H
#define MK_BOOTPT_H

	.macro BOOT_PAGE_TABLES base
	movl	\base, %edi
	xorl	%eax, %eax
	movl	$(6 * 4096 / 4), %ecx
	rep stosl
	leal	0x1003(\base), %eax		/* PML4[0] -> PDPT */
	movl	%eax, (\base)
	leal	0x2003(\base), %eax		/* PDPT[0..3] -> PD 0..3 */
	movl	%eax, 0x1000(\base)
	addl	$0x1000, %eax
	movl	%eax, 0x1008(\base)
	addl	$0x1000, %eax
	movl	%eax, 0x1010(\base)
	addl	$0x1000, %eax
	movl	%eax, 0x1018(\base)
	leal	0x2000(\base), %edi		/* 2048 x 2 MiB: identity map of 4 GiB */
	movl	$0x83, %eax
	movl	$2048, %ecx
.Lbootpt_fill\@:
	movl	%eax, (%edi)
	addl	$0x200000, %eax
	addl	$8, %edi
	loop	.Lbootpt_fill\@
	movl	%cr4, %eax
	orl	$0x20, %eax			/* PAE */
	movl	%eax, %cr4
	movl	\base, %cr3
	movl	$0xc0000080, %ecx		/* EFER.LME */
	rdmsr
	orl	$0x100, %eax
	wrmsr
	.endm

#endif
