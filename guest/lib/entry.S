/*
 * entry.S - the guest's two entry points and Xen's ELF notes (see
 * xg_boot.h).  Facts from xen/include/public/elfnote.h and
 * docs/misc/pvh.pandoc (the PVH boot ABI); the code is our own.
 */
#include <xen/elfnote.h>

/* One ELF note: namesz 4 ("Xen"), descsz, type, then the descriptor. */
#define NOTE(type, desc)		\
	.balign 4;			\
	.long 4, 2f - 1f, type;		\
	.asciz "Xen";			\
	.balign 4;			\
1:	desc;				\
2:	.balign 4

	.section .note.Xen, "a", @note
	NOTE(XEN_ELFNOTE_GUEST_OS, .asciz "xenkit-guest")
	NOTE(XEN_ELFNOTE_XEN_VERSION, .asciz "xen-3.0")
	NOTE(XEN_ELFNOTE_LOADER, .asciz "generic")
	NOTE(XEN_ELFNOTE_VIRT_BASE, .quad 0)
	NOTE(XEN_ELFNOTE_PADDR_OFFSET, .quad 0)
	NOTE(XEN_ELFNOTE_ENTRY, .quad xg_start_pv)
	NOTE(XEN_ELFNOTE_HYPERCALL_PAGE, .quad xg_hypercall_page)
	NOTE(XEN_ELFNOTE_PHYS32_ENTRY, .long xg_start_pvh)

#define STACK_SIZE 16384
#define MSR_EFER 0xc0000080
#define EFER_LME (1 << 8)
#define CR0_PG (1 << 31)
#define CR4_PAE (1 << 5)
#define PTE_P 0x1
#define PTE_RW 0x2
#define PTE_PS 0x80

	.section .text.entry, "ax", @progbits
	.code64
	.globl xg_start_pv
xg_start_pv:
	lea xg_stack_top(%rip), %rsp
	mov %rsi, %rdi
	call xg_boot_pv
1:	hlt
	jmp 1b

	.code32
	.globl xg_start_pvh
xg_start_pvh:
	cli
	cld
	mov %ebx, %esi			/* hvm_start_info, kept for C */
	lgdt gdt_ptr
	mov $0x10, %eax
	mov %eax, %ds
	mov %eax, %es
	mov %eax, %ss
	mov %eax, %fs
	mov %eax, %gs
	/* pml4[0] -> pdpt; pdpt[0..3] -> pd0..3; pd[i] maps 2 MiB at i << 21 */
	mov $xg_pdpt, %eax
	or $(PTE_P | PTE_RW), %eax
	mov %eax, xg_pml4
	mov $xg_pd, %eax
	or $(PTE_P | PTE_RW), %eax
	xor %ecx, %ecx
1:	mov %eax, xg_pdpt(, %ecx, 8)
	add $4096, %eax
	inc %ecx
	cmp $4, %ecx
	jb 1b
	mov $(PTE_P | PTE_RW | PTE_PS), %eax
	xor %ecx, %ecx
2:	mov %eax, xg_pd(, %ecx, 8)
	add $(1 << 21), %eax
	inc %ecx
	cmp $2048, %ecx
	jb 2b
	mov %cr4, %eax
	or $CR4_PAE, %eax
	mov %eax, %cr4
	mov $xg_pml4, %eax
	mov %eax, %cr3
	mov $MSR_EFER, %ecx
	rdmsr
	or $EFER_LME, %eax
	wrmsr
	mov %cr0, %eax
	or $CR0_PG, %eax
	mov %eax, %cr0
	ljmp $0x08, $long_mode

	.code64
long_mode:
	mov $0x10, %eax
	mov %eax, %ds
	mov %eax, %es
	mov %eax, %ss
	lea xg_stack_top(%rip), %rsp
	mov %esi, %edi
	call xg_boot_pvh
1:	hlt
	jmp 1b

	.section .rodata.entry, "a", @progbits
	.balign 16
gdt:
	.quad 0				/* null */
	.quad 0x00af9a000000ffff	/* 0x08: 64-bit code, DPL 0 */
	.quad 0x00cf92000000ffff	/* 0x10: flat data */
gdt_end:
gdt_ptr:
	.word gdt_end - gdt - 1
	.long gdt

	/* Xen writes the page: it need not take room in the file */
	.section .bss.hypercall, "aw", @nobits
	.balign 4096
	.globl xg_hypercall_page
xg_hypercall_page:
	.skip 4096

	.section .bss.entry, "aw", @nobits
	.balign 4096
xg_pml4:
	.skip 4096
xg_pdpt:
	.skip 4096
xg_pd:
	.skip 4 * 4096
	.balign 16
xg_stack:
	.skip STACK_SIZE
xg_stack_top:

	.section .note.GNU-stack, "", @progbits
