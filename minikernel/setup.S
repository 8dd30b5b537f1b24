/*
 * minikernel/setup.S - the bzImage's setup sectors: the Linux x86 boot
 * protocol 2.15 header (Documentation/x86/boot.rst) and a real-mode entry
 * for loaders that start the kernel there (QEMU -kernel).
 *
 * kexec (kexec_load and kexec_file_load) reads only the header and enters
 * the image's 64-bit entry itself. A real-mode loader loads these two
 * sectors at real_seg:0 (the zero page; ds = ss = real_seg, cs = real_seg +
 * 0x20) and the image at code32_start; the code below goes to protected
 * mode, builds an identity map of 4 GiB in the image's .pvhtables (offset
 * patched in by mkimage), enters long mode and jumps to the image's 64-bit
 * entry (image + 0x200) with rsi = the zero page, as the 64-bit boot
 * protocol says. No BIOS call is made: the zero page has no e820 map.
 * mkimage patches syssize, init_size and tables_off, and writes the
 * PE/COFF header ("MZ" ... section table) into bytes 0 .. 0x1f0, which no
 * boot protocol reads and which must stay zero here (mkimage checks).
 */
#include "bootpt.h"
#define GDT_CODE32	0x08
#define GDT_DATA	0x10
#define GDT_CODE64	0x18

	.code16
	.section .text
	.globl	_setup
_setup:
	.org	0x1f1
setup_sects:	.byte	1
root_flags:	.word	0
syssize:	.long	0		/* mkimage */
ram_size:	.word	0
vid_mode:	.word	0
root_dev:	.word	0
boot_flag:	.word	0xaa55
	.org	0x200
	.byte	0xeb, setup_start - 1f	/* jmp: also gives the header's length */
1:
header:		.ascii	"HdrS"
version:	.word	0x020f
realmode_swtch:	.long	0
start_sys_seg:	.word	0
kernel_version:	.word	0
type_of_loader:	.byte	0
loadflags:	.byte	0x01		/* LOADED_HIGH */
setup_move_size: .word	0
code32_start:	.long	0x100000
ramdisk_image:	.long	0
ramdisk_size:	.long	0
bootsect_kludge: .long	0
heap_end_ptr:	.word	0
ext_loader_ver:	.byte	0
ext_loader_type: .byte	0
cmd_line_ptr:	.long	0
initrd_addr_max: .long	0x7fffffff
kernel_alignment: .long	0x1000		/* relocatable anywhere, page aligned */
relocatable_kernel: .byte 1
min_alignment:	.byte	12
xloadflags:	.word	0x23		/* KERNEL_64 | CAN_BE_LOADED_ABOVE_4G | 5LEVEL */
cmdline_size:	.long	4095
hardware_subarch: .long	0
hardware_subarch_data: .quad 0
payload_offset:	.long	0
payload_length:	.long	0
setup_data:	.quad	0
pref_address:	.quad	0x200000
init_size:	.long	0		/* mkimage */
handover_offset: .long	0
kernel_info_offset: .long 0
setup_start:				/* 0x26c: end of struct setup_header */
	cli
	cld
	movw	%ds, %ax
	movzwl	%ax, %ebx
	shll	$4, %ebx			/* ebx = linear address of the zero page */
	leal	gdt(%ebx), %eax
	movl	%eax, gdt_desc + 2
	leal	pm32(%ebx), %eax
	movl	%eax, far32
	leal	lm64(%ebx), %eax
	movl	%eax, far64
	lgdtl	gdt_desc
	movl	%cr0, %eax
	orl	$1, %eax
	movl	%eax, %cr0
	ljmpl	*far32

	.code32
pm32:
	movl	$GDT_DATA, %eax
	movl	%eax, %ds
	movl	%eax, %es
	movl	%eax, %ss
	movl	%eax, %fs
	movl	%eax, %gs
	movl	code32_start(%ebx), %ebp	/* the image, where the loader put it */
	movl	tables_off(%ebx), %edx
	addl	%ebp, %edx			/* edx = 6 page-table pages */
	BOOT_PAGE_TABLES %edx
	movl	%cr0, %eax
	orl	$0x80000000, %eax		/* PG */
	movl	%eax, %cr0
	ljmpl	*far64(%ebx)

	.code64
lm64:
	movl	%ebx, %esi			/* boot_params (32-bit moves zero-extend) */
	movl	%ebp, %eax
	addq	$0x200, %rax			/* the 64-bit entry */
	jmp	*%rax

	.balign	8
gdt:
	.quad	0
	.quad	0x00cf9b000000ffff		/* 0x08: 32-bit code */
	.quad	0x00cf93000000ffff		/* 0x10: data */
	.quad	0x00af9b000000ffff		/* 0x18: 64-bit code */
gdt_desc:
	.word	4 * 8 - 1
	.long	0				/* patched: linear address of gdt */
far32:	.long	0
	.word	GDT_CODE32
far64:	.long	0
	.word	GDT_CODE64

	.org	0x3f8
tables_off:	.long	0		/* mkimage: .pvhtables - _start */
	.org	0x400
