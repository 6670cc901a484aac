/*
 * tinypv - a Xen PV guest kernel (x86_64) that does one thing: shut
 * down at once, with the reason its command line names.
 *
 *	extra = "poweroff"	(reboot, suspend, crash, soft_reset: the
 *				same SCHEDOP_shutdown a Linux guest makes)
 *	extra = "watchdog"	arms Xen's domain watchdog for 1 s
 *				(SCHEDOP_watchdog, what Linux's xen_wdt
 *				driver uses) and never feeds it
 *
 * The lab tests use it where a booting Linux guest would only add time:
 * the race under test is between xl's monitor and xenkit's at the
 * moment the hypervisor marks the domain shut down, and this guest
 * reaches that moment within milliseconds of being unpaused instead of
 * the ~10 s a Debian kernel takes under TCG.
 *
 * Built freestanding (tests/events/meson.build) and loaded by Xen's
 * generic ELF loader: the notes below say where the entry point and
 * the hypercall page are; Xen enters _start with %rsi = start_info.
 */
#define __XEN_INTERFACE_VERSION__ 0x00040e00
#include <stddef.h>
#include <stdint.h>

#include <xen/elfnote.h>
#include <xen/sched.h>
#include <xen/xen.h>

#define STR_(x) #x
#define STR(x) STR_(x)

/* One ELF note: namesz 4 ("Xen"), descsz, type, then the descriptor. */
#define NOTE(type, desc)                                                   \
	".balign 4\n"                                                      \
	".long 4, 2f - 1f, " STR(type) "\n"                                \
	".asciz \"Xen\"\n"                                                 \
	".balign 4\n"                                                      \
	"1: " desc "\n"                                                    \
	"2: .balign 4\n"

__asm__(
	".pushsection .note.Xen, \"a\", @note\n"
	NOTE(XEN_ELFNOTE_GUEST_OS, ".asciz \"xk-tinypv\"")
	NOTE(XEN_ELFNOTE_XEN_VERSION, ".asciz \"xen-3.0\"")
	NOTE(XEN_ELFNOTE_LOADER, ".asciz \"generic\"")
	NOTE(XEN_ELFNOTE_VIRT_BASE, ".quad 0")
	NOTE(XEN_ELFNOTE_PADDR_OFFSET, ".quad 0")
	NOTE(XEN_ELFNOTE_ENTRY, ".quad _start")
	NOTE(XEN_ELFNOTE_HYPERCALL_PAGE, ".quad hypercall_page")
	".popsection\n"
	".pushsection .text.entry, \"ax\", @progbits\n"
	".globl _start\n"
	"_start:\n"
	"	lea stack_top(%rip), %rsp\n"
	"	mov %rsi, %rdi\n"
	"	call tiny_main\n"
	"0:	jmp 0b\n"
	".popsection\n"
	/* Xen writes the page: it need not take room in the file */
	".pushsection .bss.hypercall, \"aw\", @nobits\n"
	".balign 4096\n"
	".globl hypercall_page\n"
	"hypercall_page: .skip 4096\n"
	".popsection\n");

extern char hypercall_page[];
void tiny_main(const start_info_t *si);

static char stack[8192] __attribute__((aligned(16), used));
__asm__(".globl stack_top\n.set stack_top, stack + 8192\n");

static long
sched_op(long cmd, void *arg)
{
	register long rdi __asm__("rdi") = cmd;
	register void *rsi __asm__("rsi") = arg;
	long ret;

	__asm__ volatile("call *%[page]"
	    : "=a"(ret), "+D"(rdi), "+S"(rsi)
	    : [page] "r"(hypercall_page + __HYPERVISOR_sched_op * 32)
	    : "memory", "rcx", "rdx", "r8", "r9", "r10", "r11");
	return ret;
}

static int
starts(const char *s, const char *word)
{
	while (*word != '\0')
		if (*s++ != *word++)
			return 0;
	return *s == '\0' || *s == ' ';
}

void
tiny_main(const start_info_t *si)
{
	static const struct {
		const char *word;
		unsigned int reason;
	} reasons[] = {
		{ "poweroff", SHUTDOWN_poweroff },
		{ "reboot", SHUTDOWN_reboot },
		{ "suspend", SHUTDOWN_suspend },
		{ "crash", SHUTDOWN_crash },
		{ "soft_reset", SHUTDOWN_soft_reset },
	};
	const char *cmd = (const char *)si->cmd_line;
	struct sched_shutdown sd = { SHUTDOWN_crash };
	struct sched_watchdog wd = { 0, 1 };

	if (starts(cmd, "watchdog")) {
		sched_op(SCHEDOP_watchdog, &wd);
		for (;;)	/* no callbacks registered: never block */
			sched_op(SCHEDOP_yield, NULL);
	}
	for (size_t i = 0; i < sizeof(reasons) / sizeof(reasons[0]); i++)
		if (starts(cmd, reasons[i].word))
			sd.reason = reasons[i].reason;
	for (;;)
		sched_op(SCHEDOP_shutdown, &sd);
}
