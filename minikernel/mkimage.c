/*
 * minikernel/mkimage.c - post-link step for the minikernel (host tool).
 *
 *   mkimage rdmk.pie setup.bin rdmk.elf rdmk.bzImage
 *
 * 1. Checks that the static PIE has only R_X86_64_RELATIVE relocations
 *    and that none of them lands in the self-checked range.
 * 2. Computes CRC-32 over [__check_start, __check_end) and stores it in
 *    mk_image_check (minikernel/selfcheck.c).
 * 3. Writes rdmk.elf (ET_EXEC, PVH note; QEMU -kernel) and rdmk.bzImage:
 *    setup.bin (minikernel/setup.S: the boot protocol 2.15 header and a
 *    real-mode entry) with syssize, init_size and the offset of the boot
 *    page tables filled in, followed by the flat image (64-bit entry at
 *    +0x200), padded to a whole 512-byte sector.
 *    The bzImage is also a PE/COFF image (written into the free bytes
 *    before the setup header, as Linux's bzImage does), so that sbsign can
 *    sign it and kexec_file_load can verify it under lockdown: see
 *    pe_header() and Documentation/minikernel.md "PE/COFF form".
 * 4. Prints the memory budget against crashkernel=4M and fails if the
 *    footprint does not fit.
 */
#include <elf.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#define LINK_BASE		0x200000ull
#define SETUP_BYTES		1024		/* setup_sects 1, plus the boot sector */
#define SETUP_SYSSIZE		0x1f4
#define SETUP_INIT_SIZE		0x260
#define SETUP_TABLES_OFF	0x3f8
#define SETUP_HDR_START		0x1f1		/* struct setup_header begins here */
#define CHECK_MAGIC		0x4b43484bu
#define INIT_SIZE_MAX		0x300000u
#define CRASH_KIB		4096u
/* What kexec adds in the crash region besides our image (KiB): the
 * backup copy of low memory (kexec_load), purgatory with its stack,
 * elfcorehdr, boot_params + command line. Generous upper estimates. */
#define KEXEC_BACKUP_KIB	640u
#define KEXEC_PURGATORY_KIB	64u
#define KEXEC_ELFCOREHDR_KIB	64u
#define KEXEC_PARAMS_KIB	16u

struct img {
	uint8_t *buf;
	size_t len;
	Elf64_Ehdr *eh;
	Elf64_Phdr *load;
	Elf64_Shdr *sh;
	const char *shstr;
};

static void die(const char *msg, const char *arg)
{
	fprintf(stderr, "mkimage: %s%s%s\n", msg, arg ? ": " : "", arg ? arg : "");
	exit(1);
}

static uint8_t *read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	uint8_t *b;
	long n;

	if (!f)
		die(strerror(errno), path);
	if (fseek(f, 0, SEEK_END) || (n = ftell(f)) < 0 || fseek(f, 0, SEEK_SET))
		die("cannot size", path);
	b = malloc((size_t)n);
	if (!b || fread(b, 1, (size_t)n, f) != (size_t)n)
		die("cannot read", path);
	fclose(f);
	*len = (size_t)n;
	return b;
}

static void write_file(const char *path, const void *a, size_t alen, const void *b, size_t blen)
{
	FILE *f = fopen(path, "wb");

	if (!f || fwrite(a, 1, alen, f) != alen || (blen && fwrite(b, 1, blen, f) != blen) ||
	    fclose(f))
		die("cannot write", path);
}

static Elf64_Shdr *section(struct img *im, const char *name)
{
	int i;

	for (i = 0; i < im->eh->e_shnum; i++)
		if (strcmp(im->shstr + im->sh[i].sh_name, name) == 0)
			return &im->sh[i];
	return NULL;
}

static uint64_t symbol(struct img *im, const char *name)
{
	Elf64_Shdr *symtab = section(im, ".symtab"), *strtab = section(im, ".strtab");
	Elf64_Sym *s;
	size_t i, n;

	if (!symtab || !strtab)
		die("no symbol table", NULL);
	s = (Elf64_Sym *)(im->buf + symtab->sh_offset);
	n = symtab->sh_size / sizeof(*s);
	for (i = 0; i < n; i++)
		if (strcmp((const char *)im->buf + strtab->sh_offset + s[i].st_name, name) == 0)
			return s[i].st_value;
	die("symbol not found", name);
	return 0;
}

/* File offset of link address va inside the loaded file bytes. */
static size_t file_off(struct img *im, uint64_t va, uint64_t len)
{
	if (va < im->load->p_vaddr || va + len > im->load->p_vaddr + im->load->p_filesz)
		die("address outside the loaded file bytes", NULL);
	return (size_t)(im->load->p_offset + (va - im->load->p_vaddr));
}

static void open_image(struct img *im, const char *path)
{
	int i;

	im->buf = read_file(path, &im->len);
	im->eh = (Elf64_Ehdr *)im->buf;
	if (im->len < sizeof(Elf64_Ehdr) || memcmp(im->eh->e_ident, ELFMAG, SELFMAG) ||
	    im->eh->e_ident[EI_CLASS] != ELFCLASS64 || im->eh->e_machine != EM_X86_64)
		die("not an x86-64 ELF64", path);
	if (im->eh->e_phoff + (size_t)im->eh->e_phnum * sizeof(Elf64_Phdr) > im->len ||
	    im->eh->e_shoff + (size_t)im->eh->e_shnum * sizeof(Elf64_Shdr) > im->len ||
	    im->eh->e_shstrndx >= im->eh->e_shnum)
		die("truncated ELF", path);
	for (i = 0; i < im->eh->e_phnum; i++) {
		Elf64_Phdr *p = (Elf64_Phdr *)(im->buf + im->eh->e_phoff) + i;

		if (p->p_type != PT_LOAD)
			continue;
		if (im->load)
			die("more than one PT_LOAD", path);
		im->load = p;
	}
	if (!im->load || im->load->p_vaddr != LINK_BASE || im->load->p_offset + im->load->p_filesz > im->len)
		die("PT_LOAD missing or not at the link base", path);
	im->sh = (Elf64_Shdr *)(im->buf + im->eh->e_shoff);
	im->shstr = (const char *)im->buf + im->sh[im->eh->e_shstrndx].sh_offset;
}

static void check_relocs(struct img *im, uint64_t c0, uint64_t c1)
{
	Elf64_Shdr *rs = section(im, ".rela.dyn");
	Elf64_Rela *r;
	size_t i, n;

	if (!rs)
		return;
	r = (Elf64_Rela *)(im->buf + rs->sh_offset);
	n = rs->sh_size / sizeof(*r);
	for (i = 0; i < n; i++) {
		if (ELF64_R_TYPE(r[i].r_info) != R_X86_64_RELATIVE)
			die("dynamic relocation other than R_X86_64_RELATIVE", NULL);
		if (r[i].r_offset + 8 > c0 && r[i].r_offset < c1)
			die("relocation inside the self-checked range", NULL);
	}
	printf("mkimage: %zu RELATIVE relocations, none in the checked range\n", n);
}

static void put16(uint8_t *b, size_t off, uint16_t v) { memcpy(b + off, &v, 2); }
static void put32(uint8_t *b, size_t off, uint32_t v) { memcpy(b + off, &v, 4); }
static void put64(uint8_t *b, size_t off, uint64_t v) { memcpy(b + off, &v, 8); }

/*
 * PE/COFF form of the bzImage (Microsoft PE format specification; Linux's
 * arch/x86/boot/header.S does the same for its bzImage). The headers live
 * in bytes 0 .. 0x1f0 of the setup sector, which no boot protocol reads:
 *
 *   0x000 "MZ", e_lfanew (0x3c) = PE_OFF
 *   PE_OFF "PE\0\0", COFF file header (x86-64, 1 section)
 *          PE32+ optional header with 6 data directories; directory 4,
 *          the certificate table, is what sbsign fills in
 *          section table: ".text" = file bytes [SETUP_BYTES, file end)
 *   PE_EFI_STUB  AddressOfEntryPoint: "return EFI_UNSUPPORTED" - the image
 *          is no EFI application; a firmware that starts it gets an error
 *
 * SizeOfHeaders is the setup area (1 KiB), so headers + the one section
 * cover every byte of the file, as sbsign's and the kernel's
 * (crypto/asymmetric_keys/verify_pefile.c) Authenticode digests expect:
 * no gap, no trailing data; the certificate table is appended after it.
 * Signing changes only CheckSum and the certificate directory entry here
 * and appends; the minikernel's self-check covers text and rodata of the
 * flat image only, so a signed image checks exactly as an unsigned one.
 */
#define PE_OFF			0x40
#define PE_OPT_OFF		(PE_OFF + 24)		/* after "PE\0\0" + COFF header */
#define PE_OPT_SIZE		(112 + PE_NDIRS * 8)
#define PE_NDIRS		6
#define PE_SEC_OFF		(PE_OPT_OFF + PE_OPT_SIZE)
#define PE_SEC_SIZE		40
#define PE_EFI_STUB		0x1e0
#define PE_FILE_ALIGN		512u
#define PE_SECT_ALIGN		4096u
#define PE_TEXT_RVA		0x1000u

static uint32_t align_up32(uint32_t v, uint32_t a) { return (v + a - 1) & ~(a - 1); }

static void pe_header(uint8_t *setup, uint32_t raw_size, uint32_t init_size)
{
	/* movabs $0x8000000000000003, %rax (EFI_UNSUPPORTED); ret */
	static const uint8_t efi_stub[] = { 0x48, 0xb8, 3, 0, 0, 0, 0, 0, 0, 0x80, 0xc3 };
	uint32_t image_size = PE_TEXT_RVA + align_up32(init_size, PE_SECT_ALIGN);
	size_t i, o = PE_OPT_OFF, s = PE_SEC_OFF;

	for (i = 0; i < SETUP_HDR_START; i++)
		if (setup[i])
			die("setup sectors: bytes before the setup header must be free for the PE header", NULL);
	if (PE_SEC_OFF + PE_SEC_SIZE > PE_EFI_STUB || PE_EFI_STUB + sizeof(efi_stub) > SETUP_HDR_START)
		die("PE header does not fit before the setup header", NULL);

	setup[0] = 'M';
	setup[1] = 'Z';
	put32(setup, 0x3c, PE_OFF);
	memcpy(setup + PE_OFF, "PE\0\0", 4);
	put16(setup, PE_OFF + 4, 0x8664);		/* Machine: x86-64 */
	put16(setup, PE_OFF + 6, 1);			/* NumberOfSections */
	put16(setup, PE_OFF + 20, PE_OPT_SIZE);		/* SizeOfOptionalHeader */
	/* EXECUTABLE_IMAGE | LINE_NUMS_STRIPPED | LARGE_ADDRESS_AWARE | DEBUG_STRIPPED */
	put16(setup, PE_OFF + 22, 0x0226);

	put16(setup, o + 0, 0x20b);			/* PE32+ */
	put32(setup, o + 4, raw_size);			/* SizeOfCode */
	put32(setup, o + 16, PE_EFI_STUB);		/* AddressOfEntryPoint */
	put32(setup, o + 20, PE_TEXT_RVA);		/* BaseOfCode */
	put64(setup, o + 24, 0);			/* ImageBase: relocatable */
	put32(setup, o + 32, PE_SECT_ALIGN);
	put32(setup, o + 36, PE_FILE_ALIGN);
	put32(setup, o + 56, image_size);		/* SizeOfImage */
	put32(setup, o + 60, SETUP_BYTES);		/* SizeOfHeaders */
	put16(setup, o + 68, 10);			/* Subsystem: EFI application */
	put32(setup, o + 108, PE_NDIRS);		/* NumberOfRvaAndSizes, all empty */

	memcpy(setup + s, ".text\0\0\0", 8);
	put32(setup, s + 8, init_size);			/* VirtualSize: the footprint */
	put32(setup, s + 12, PE_TEXT_RVA);
	put32(setup, s + 16, raw_size);			/* SizeOfRawData */
	put32(setup, s + 20, SETUP_BYTES);		/* PointerToRawData */
	/* CODE | INITIALIZED_DATA | EXECUTE | READ | WRITE */
	put32(setup, s + 36, 0xe0000060u);

	memcpy(setup + PE_EFI_STUB, efi_stub, sizeof(efi_stub));
}

int main(int argc, char **argv)
{
	struct img im = { 0 };
	uint64_t c0, c1, chk, end, bss0, start, tables;
	uint8_t setup[SETUP_BYTES], *flat;
	size_t flat_len, raw_len;
	uint32_t crc, init_size, total_kib;
	struct { uint32_t magic, crc; uint64_t length; } mc;

	if (argc != 5) {
		fprintf(stderr, "usage: mkimage rdmk.pie setup.bin rdmk.elf rdmk.bzImage\n");
		return 1;
	}
	open_image(&im, argv[1]);
	start = symbol(&im, "_start");
	c0 = symbol(&im, "__check_start");
	c1 = symbol(&im, "__check_end");
	chk = symbol(&im, "mk_image_check");
	end = symbol(&im, "_end");
	bss0 = symbol(&im, "__bss_start");
	tables = symbol(&im, "pvh_boot_tables");
	if (start != LINK_BASE || c0 != LINK_BASE || c1 <= c0 || (chk >= c0 && chk < c1))
		die("unexpected layout (_start, __check_start/end, mk_image_check)", NULL);
	check_relocs(&im, c0, c1);

	crc = (uint32_t)crc32(0, im.buf + file_off(&im, c0, c1 - c0), (uInt)(c1 - c0));
	mc.magic = CHECK_MAGIC;
	mc.crc = crc;
	mc.length = c1 - c0;
	memcpy(im.buf + file_off(&im, chk, sizeof(mc)), &mc, sizeof(mc));
	printf("mkimage: self-check crc32 %08x over %lu bytes\n", crc, (unsigned long)(c1 - c0));

	/* rdmk.elf: the same bytes, typed ET_EXEC for loaders that want it */
	im.eh->e_type = ET_EXEC;
	write_file(argv[3], im.buf, im.len, NULL, 0);

	flat = im.buf + im.load->p_offset;
	flat_len = (size_t)im.load->p_filesz;
	init_size = (uint32_t)((end - LINK_BASE + 4095) & ~4095ull);

	{
		size_t slen;
		uint8_t *sb = read_file(argv[2], &slen);

		if (slen != SETUP_BYTES || memcmp(sb + 0x202, "HdrS", 4) || sb[0x1f1] != 1)
			die("setup sectors malformed", argv[2]);
		memcpy(setup, sb, SETUP_BYTES);
		free(sb);
	}
	put32(setup, SETUP_SYSSIZE, (uint32_t)((flat_len + 15) / 16));
	put32(setup, SETUP_INIT_SIZE, init_size);
	put32(setup, SETUP_TABLES_OFF, (uint32_t)(tables - LINK_BASE));
	/* the flat image padded to a whole sector: the PE section's raw size */
	raw_len = align_up32((uint32_t)flat_len, PE_FILE_ALIGN);
	if (raw_len > im.load->p_memsz)
		die("padded image overruns the loaded segment", NULL);
	{
		uint8_t *padded = calloc(1, raw_len);

		if (!padded)
			die("out of memory", NULL);
		memcpy(padded, flat, flat_len);
		pe_header(setup, (uint32_t)raw_len, init_size);
		write_file(argv[4], setup, sizeof(setup), padded, raw_len);
		free(padded);
	}

	total_kib = init_size / 1024 + KEXEC_BACKUP_KIB + KEXEC_PURGATORY_KIB +
		    KEXEC_ELFCOREHDR_KIB + KEXEC_PARAMS_KIB;
	printf("mkimage: budget: image %zu KiB + bss %lu KiB = init_size %u KiB"
	       " (limit %u KiB)\n", flat_len / 1024,
	       (unsigned long)((end - bss0) / 1024), init_size / 1024, INIT_SIZE_MAX / 1024);
	printf("mkimage: budget: + kexec backup %u + purgatory %u + elfcorehdr %u + params %u"
	       " = %u KiB of crashkernel=4M (%u KiB)\n", KEXEC_BACKUP_KIB,
	       KEXEC_PURGATORY_KIB, KEXEC_ELFCOREHDR_KIB, KEXEC_PARAMS_KIB, total_kib, CRASH_KIB);
	if (init_size > INIT_SIZE_MAX || total_kib > CRASH_KIB)
		die("footprint does not fit crashkernel=4M", NULL);
	return 0;
}
