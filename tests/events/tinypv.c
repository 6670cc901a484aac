/*
 * tinypv - a Xen PV guest kernel (x86_64) that does one thing: shut
 * down at once, with the reason its command line names.
 *
 *	extra = "poweroff"	(reboot, suspend, crash, soft_reset: the
 *				same SCHEDOP_shutdown a Linux guest makes)
 *	extra = "watchdog"	arms Xen's domain watchdog for 1 s
 *				(SCHEDOP_watchdog, what Linux's xen_wdt
 *				driver uses) and never feeds it
 *	extra = "spin"		burns its vCPU for ever, without a
 *				hypercall: a guest that wants all of its
 *				pCPU (the power cap's tests, t95xx)
 *	extra = "poweroff at=MS"
 *				sleeps until Xen's wallclock reaches MS
 *				(milliseconds since the epoch) first, so
 *				that many guests ask at the same instant
 *
 * Just before the shutdown request it writes "xk-tiny: t=NS" to its
 * console: Xen's wallclock in nanoseconds since the epoch (the clock
 * dom0's Linux keeps too), so that bench/events-latency can measure
 * from the request itself.
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
#include <xen/event_channel.h>
#include <xen/io/console.h>
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
hypercall3(unsigned int nr, unsigned long a1, unsigned long a2,
    unsigned long a3)
{
	register unsigned long rdi __asm__("rdi") = a1;
	register unsigned long rsi __asm__("rsi") = a2;
	register unsigned long rdx __asm__("rdx") = a3;
	long ret;

	__asm__ volatile("call *%[page]"
	    : "=a"(ret), "+D"(rdi), "+S"(rsi), "+d"(rdx)
	    : [page] "r"(hypercall_page + nr * 32)
	    : "memory", "rcx", "r8", "r9", "r10", "r11");
	return ret;
}

static long
sched_op(long cmd, void *arg)
{
	return hypercall3(__HYPERVISOR_sched_op, cmd, (unsigned long)arg, 0);
}

/*
 * Two pages of our own bss whose mappings we replace: Xen gives a PV
 * guest the machine addresses of shared_info and of its console ring,
 * not mappings of them.
 */
static char shared_page[4096] __attribute__((aligned(4096)));
static char console_page[4096] __attribute__((aligned(4096)));

static int
map_machine_page(void *va, uint64_t maddr)
{
	/* present, writable, user (Xen runs a PV kernel in ring 3) */
	return hypercall3(__HYPERVISOR_update_va_mapping, (unsigned long)va,
	    (maddr & ~0xfffULL) | 7, UVMF_INVLPG) == 0;
}

#define barrier() __asm__ volatile("" ::: "memory")

static uint64_t
rdtsc(void)
{
	uint32_t lo, hi;

	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return (uint64_t)hi << 32 | lo;
}

/* Xen's system time: ns since boot, from vcpu 0's TSC scaling record. */
static uint64_t
system_time_ns(volatile shared_info_t *sh)
{
	volatile struct vcpu_time_info *t = &sh->vcpu_info[0].time;
	uint32_t version, mul;
	uint64_t stamp, base, delta;
	int8_t shift;

	do {
		version = t->version;
		barrier();
		stamp = t->tsc_timestamp;
		base = t->system_time;
		mul = t->tsc_to_system_mul;
		shift = t->tsc_shift;
		barrier();
	} while ((version & 1) != 0 || version != t->version);
	delta = rdtsc() - stamp;
	delta = shift < 0 ? delta >> -shift : delta << shift;
	return base + (uint64_t)(((unsigned __int128)delta * mul) >> 32);
}

/* Xen's wallclock at boot: ns since the epoch at system time 0. */
static uint64_t
boot_wallclock_ns(volatile shared_info_t *sh)
{
	uint32_t version;
	uint64_t ns;

	do {
		version = sh->wc_version;
		barrier();
		ns = ((uint64_t)sh->wc_sec_hi << 32 | sh->wc_sec) * 1000000000ULL +
		    sh->wc_nsec;
		barrier();
	} while ((version & 1) != 0 || version != sh->wc_version);
	return ns;
}

/* Sleep until system time reaches @until (events stay masked). */
static void
sleep_until(volatile shared_info_t *sh, uint64_t until)
{
	struct sched_poll poll = { .nr_ports = 0, .timeout = until };

	sh->vcpu_info[0].evtchn_upcall_mask = 1;
	while (system_time_ns(sh) < until)
		sched_op(SCHEDOP_poll, &poll);
}

/* Queue @s on the console ring and kick xenconsoled; no waiting. */
static void
console_write(const start_info_t *si, const char *s)
{
	volatile struct xencons_interface *ring = (void *)console_page;
	struct evtchn_send send = { .port = si->console.domU.evtchn };
	XENCONS_RING_IDX prod = ring->out_prod;

	while (*s != '\0' && prod - ring->out_cons < sizeof(ring->out))
		ring->out[MASK_XENCONS_IDX(prod++, ring->out)] = *s++;
	__asm__ volatile("sfence" ::: "memory");
	ring->out_prod = prod;
	hypercall3(__HYPERVISOR_event_channel_op, EVTCHNOP_send,
	    (unsigned long)&send, 0);
}

static char *
put_u64(char *p, uint64_t v)
{
	char digits[20];
	int n = 0;

	do
		digits[n++] = (char)('0' + v % 10);
	while ((v /= 10) != 0);
	while (n > 0)
		*p++ = digits[--n];
	return p;
}

static uint64_t
parse_u64(const char *s)
{
	uint64_t v = 0;

	while (*s >= '0' && *s <= '9')
		v = v * 10 + (uint64_t)(*s++ - '0');
	return v;
}

/* The value of "KEY=" in the command line @cmd, or NULL. */
static const char *
option(const char *cmd, const char *key)
{
	for (const char *w = cmd; *w != '\0'; w++) {
		const char *k = key, *v = w;

		if (w != cmd && w[-1] != ' ')
			continue;
		while (*k != '\0' && *v == *k)
			k++, v++;
		if (*k == '\0' && *v == '=')
			return v + 1;
	}
	return NULL;
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
	volatile shared_info_t *sh = (void *)shared_page;
	struct sched_shutdown sd = { SHUTDOWN_crash };
	struct sched_watchdog wd = { 0, 1 };
	const char *at = option(cmd, "at");
	int have_time = map_machine_page(shared_page, si->shared_info);
	int have_console = map_machine_page(console_page,
	    si->console.domU.mfn << 12);
	char line[48] = "xk-tiny: t=", *p;

	if (starts(cmd, "spin"))
		for (;;)	/* the compiler must not drop the loop */
			__asm__ volatile("" ::: "memory");
	if (starts(cmd, "watchdog")) {
		sched_op(SCHEDOP_watchdog, &wd);
		for (;;)	/* no callbacks registered: never block */
			sched_op(SCHEDOP_yield, NULL);
	}
	for (size_t i = 0; i < sizeof(reasons) / sizeof(reasons[0]); i++)
		if (starts(cmd, reasons[i].word))
			sd.reason = reasons[i].reason;
	if (have_time && at != NULL) {
		uint64_t when = parse_u64(at) * 1000000ULL;
		uint64_t boot = boot_wallclock_ns(sh);

		if (when > boot)
			sleep_until(sh, when - boot);
	}
	if (have_time && have_console) {
		p = put_u64(line + 11, boot_wallclock_ns(sh) +
		    system_time_ns(sh));
		*p++ = '\n';
		*p = '\0';
		console_write(si, line);
	}
	for (;;)
		sched_op(SCHEDOP_shutdown, &sd);
}
