// SPDX-License-Identifier: GPL-2.0
/*
 * xen_powerclamp - a thermal cooling device with intel_powerclamp's
 * semantics for a Xen dom0, driving xenkit's power cap (xk-powercap(1)).
 *
 * intel_powerclamp cannot work in dom0: Xen hides MWAIT from guests, and
 * idling dom0's vCPUs would not idle the host anyway.  This device keeps
 * powerclamp's interface, so that thermald, tmon or anything that writes
 * /sys/class/thermal/cooling_deviceN/cur_state can drive the host's idle:
 *
 *	cur_state	the target idle percentage; 0 = off.  Reads give the
 *			target, as the 6.3+ intel_powerclamp does.
 *	max_state	max_idle (module parameter, default 50 as powerclamp);
 *			a write above it is refused with -EINVAL.
 *
 * The kernel enforces nothing itself.  The target is published as the
 * read-only module parameter /sys/module/xen_powerclamp/parameters/target,
 * which `xk powercap run` reads every control window: a change there
 * becomes the daemon's target (the last writer, the device or
 * `xk powercap set`, wins).  sysfs_notify() on it wakes a poll(2)er.
 *
 * compat=1 registers the device as "intel_powerclamp", the type thermald
 * looks for (intel_powerclamp itself never loads in a Xen dom0).
 */
#include <linux/kernel.h>
#include <linux/module.h>
#include <linux/thermal.h>
#include <xen/xen.h>

static unsigned int max_idle = 50;
module_param(max_idle, uint, 0444);
MODULE_PARM_DESC(max_idle, "max_state: the highest idle percentage (1-100)");

static bool compat;
module_param(compat, bool, 0444);
MODULE_PARM_DESC(compat, "register as type intel_powerclamp (thermald)");

static unsigned long target;
module_param(target, ulong, 0444);
MODULE_PARM_DESC(target, "the idle percentage asked for (read-only)");

static struct thermal_cooling_device *cdev;

static int xpc_get_max_state(struct thermal_cooling_device *cd,
			     unsigned long *state)
{
	*state = max_idle;
	return 0;
}

static int xpc_get_cur_state(struct thermal_cooling_device *cd,
			     unsigned long *state)
{
	*state = READ_ONCE(target);
	return 0;
}

static int xpc_set_cur_state(struct thermal_cooling_device *cd,
			     unsigned long state)
{
	/* as the thermal core of later kernels refuses by itself */
	if (state > max_idle)
		return -EINVAL;
	WRITE_ONCE(target, state);
	sysfs_notify(&THIS_MODULE->mkobj.kobj, "parameters", "target");
	return 0;
}

static const struct thermal_cooling_device_ops xpc_ops = {
	.get_max_state = xpc_get_max_state,
	.get_cur_state = xpc_get_cur_state,
	.set_cur_state = xpc_set_cur_state,
};

static int __init xpc_init(void)
{
	if (!xen_initial_domain())
		return -ENODEV;
	if (max_idle < 1 || max_idle > 100)
		return -EINVAL;
	cdev = thermal_cooling_device_register(compat ? "intel_powerclamp" :
					       "xen_powerclamp", NULL,
					       &xpc_ops);
	return PTR_ERR_OR_ZERO(cdev);
}

static void __exit xpc_exit(void)
{
	thermal_cooling_device_unregister(cdev);
}

module_init(xpc_init);
module_exit(xpc_exit);
MODULE_DESCRIPTION("powerclamp-like cooling device for xenkit's Xen power cap");
MODULE_LICENSE("GPL");
