/*
 * state.h - the names of the files in a lab's state directory (lab.h
 * says what each holds), for every file that opens one.
 */
#ifndef XK_LAB_STATE_H
#define XK_LAB_STATE_H

#define XK_LAB_QEMU_PID		"qemu.pid"
#define XK_LAB_QEMU_LOG		"qemu.log"
#define XK_LAB_SERIAL_LOG	"serial.log"
#define XK_LAB_SERIAL_SOCK	"serial.sock"
#define XK_LAB_QMP_SOCK		"qmp.sock"
#define XK_LAB_DOM0_IMG		"dom0.img"
#define XK_LAB_OVERLAY		"overlay.cpio.gz"
#define XK_LAB_HYPERVISOR	"hypervisor"
#define XK_LAB_BOOT		"boot"		/* restart.h */
#define XK_LAB_XEN_BUILD	"xen-build"	/* the build booted (up --xen) */

#endif
