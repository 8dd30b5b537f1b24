/*
 * minikernel/head.S - entry points, stacks and exception stubs.
 *
 * Image offset 0:     PVH entry (Xen PVH boot ABI, "hvm_start_info" in ebx,
 *                     32-bit protected mode, paging off) - QEMU -kernel.
 * Image offset 0x200: 64-bit entry of the Linux x86 boot protocol
 *                     (Documentation/x86/boot.rst, "64-bit boot protocol":
 *                     long mode, rsi = boot_params) - kexec bzImage64.
 * Both reach mk_common64, which clears .bss, takes its own stack, enables
 * SSE, applies the image's RELATIVE relocations and calls mk_main().
 * The image is a static PIE: the 32-bit code only uses addresses that are
 * link-time constants (the PVH loader puts the ELF at its link address).
 */
#include "bootpt.h"
#define MK_LINK_BASE	0x200000
#define MK_BOOT_LINUX	1
#define MK_BOOT_PVH	2
#define PVH_ADDR(sym)	(MK_LINK_BASE + ((sym) - _start))

#define BOOT_STACK_SIZE	(64 * 1024)
#define IST_STACK_SIZE	(8 * 1024)

	.section .head, "ax"
	.globl _start
_start:
	.code32
pvh_start32:
	cli
	cld
	movl	%ebx, %ebp			/* hvm_start_info */
	movl	$PVH_ADDR(pvh_tables_rel), %esi
	movl	(%esi), %ebx
	addl	%esi, %ebx			/* ebx = 6 boot page-table pages */
	BOOT_PAGE_TABLES %ebx
	movl	%cr0, %eax
	orl	$0x80000001, %eax		/* PG | PE */
	movl	%eax, %cr0
	lgdt	PVH_ADDR(pvh_gdt_desc)
	ljmp	$0x08, $PVH_ADDR(pvh_start64)

	.code64
pvh_start64:
	movl	$0x10, %eax
	movl	%eax, %ds
	movl	%eax, %es
	movl	%eax, %ss
	movl	%eax, %fs
	movl	%eax, %gs
	movl	%ebp, %esi
	movl	$MK_BOOT_PVH, %edi
	jmp	mk_common64

	.balign 8
pvh_gdt:
	.quad	0
	.quad	0x00af9b000000ffff		/* 0x08: 64-bit code, accessed */
	.quad	0x00cf93000000ffff		/* 0x10: data, accessed (the CPU would
						   set the bit: a write into checked text) */
pvh_gdt_desc:
	.word	3 * 8 - 1
	.long	PVH_ADDR(pvh_gdt)
pvh_tables_rel:
	.long	pvh_boot_tables - pvh_tables_rel

	.org	0x200
	.globl	startup_64
startup_64:
	cli
	cld
	movl	$MK_BOOT_LINUX, %edi
mk_common64:
	movq	%rsi, %r12
	movl	%edi, %r13d
	leaq	__bss_start(%rip), %rdi
	leaq	__bss_end(%rip), %rcx
	subq	%rdi, %rcx
	xorl	%eax, %eax
	rep stosb
	leaq	mk_boot_stack_top(%rip), %rsp
	movq	%cr0, %rax
	andq	$~0xc, %rax			/* EM = 0, TS = 0 */
	orq	$0x2, %rax			/* MP */
	movq	%rax, %cr0
	movq	%cr4, %rax
	orq	$0x600, %rax			/* OSFXSR | OSXMMEXCPT */
	movq	%rax, %cr4
	fninit
	pushq	$0x1f80
	ldmxcsr	(%rsp)
	popq	%rax
	leaq	_start(%rip), %rdi
	call	mk_relocate
	movl	%r13d, %edi
	movq	%r12, %rsi
	call	mk_main
2:	cli
	hlt
	jmp	2b

/* Exception vectors 0-31: push a dummy error code where the CPU pushes none,
 * then the vector, and go to the common frame builder. Each stub 16 bytes. */
#define HAS_ERR(v) ((v) == 8 || (v) == 10 || (v) == 11 || (v) == 12 || \
		    (v) == 13 || (v) == 14 || (v) == 17 || (v) == 21 || \
		    (v) == 29 || (v) == 30)
	.text
	.balign	16
	.globl	mk_exception_stubs
mk_exception_stubs:
	.irp v, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
	.balign	16
	.if !HAS_ERR(\v)
	pushq	$0
	.endif
	pushq	$\v
	jmp	mk_exc_common
	.endr

mk_exc_common:
	pushq	%rax
	pushq	%rbx
	pushq	%rcx
	pushq	%rdx
	pushq	%rsi
	pushq	%rdi
	pushq	%rbp
	pushq	%r8
	pushq	%r9
	pushq	%r10
	pushq	%r11
	pushq	%r12
	pushq	%r13
	pushq	%r14
	pushq	%r15
	movq	%rsp, %rdi
	andq	$-16, %rsp
	call	mk_exception
3:	cli
	hlt
	jmp	3b

/* NMI: the crashed kernel's watchdog or another CPU may still send one.
 * Count it and return; it runs on its own IST stack. */
	.globl	mk_nmi_entry
mk_nmi_entry:
	lock incq mk_nmi_count(%rip)
	iretq

	.data
	.balign	8
	.globl	mk_nmi_count
mk_nmi_count:
	.quad	0

	.bss
	.balign	4096
	.globl	mk_boot_stack
mk_boot_stack:				/* its first page is the unmapped guard */
	.skip	BOOT_STACK_SIZE
mk_boot_stack_top:
	.globl	mk_ist_nmi_top, mk_ist_df_top, mk_ist_mc_top, mk_ist_exc_top
	.skip	IST_STACK_SIZE
mk_ist_nmi_top:
	.skip	IST_STACK_SIZE
mk_ist_df_top:
	.skip	IST_STACK_SIZE
mk_ist_mc_top:
	.skip	IST_STACK_SIZE
mk_ist_exc_top:

	.section .pvhtables, "aw", @nobits
	.balign	4096
pvh_boot_tables:
	.skip	6 * 4096

/* Xen PVH: XEN_ELFNOTE_PHYS32_ENTRY (18), name "Xen", 32-bit entry. */
	.section .note.pvh, "a", @note
	.balign	4
	.long	4
	.long	4
	.long	18
	.asciz	"Xen"
	.long	PVH_ADDR(pvh_start32)

	.section .note.GNU-stack, "", @progbits
