# shellcheck shell=sh
# ceph-lib.sh - a one-node Ceph cluster for the lab's block-rbd test:
# one monitor and one OSD on dom0 (the OSD keeps its objects in memory:
# memstore, no disk to prepare), cephx on, one pool "rbd" with one copy.
# No manager: mapping and I/O need only the monitor and the OSD.
# Sourced by a test; the caller stops it with ceph_down.

# ceph_up DIR IP USER: the cluster's files under DIR (its configuration
# is DIR/ceph.conf, client.admin's keyring DIR/ceph.client.admin.keyring),
# its monitor on IP; the pool rbd created and initialised; client.USER
# with the rights of an RBD client on that pool (its keyring
# DIR/ceph.client.USER.keyring)
ceph_up() {
	_cd=$1 _ip=$2
	_fsid=$(cat /proc/sys/kernel/random/uuid)
	mkdir -p "$_cd/run" "$_cd/log" "$_cd/mon-a" "$_cd/osd-0" || return 1
	cat >"$_cd/ceph.conf" <<EOC || return 1
[global]
fsid = $_fsid
mon_host = $_ip
mon_initial_members = a
auth_cluster_required = cephx
auth_service_required = cephx
auth_client_required = cephx
keyring = $_cd/ceph.\$name.keyring
run_dir = $_cd/run
admin_socket = $_cd/run/\$name.asok
log_file = $_cd/log/\$name.log
osd_pool_default_size = 1
osd_pool_default_min_size = 1
osd_pool_default_pg_num = 8
osd_pool_default_pgp_num = 8
osd_crush_chooseleaf_type = 0
mon_allow_pool_size_one = true
mon_warn_on_pool_no_redundancy = false
# no erasure-code plugin preloaded: jerasure's gf-complete dies of
# SIGILL on the lab's emulated CPU, and a replicated pool needs none
osd_erasure_code_plugins =
[mon]
mon_data = $_cd/mon-\$id
keyring = $_cd/mon-\$id/keyring
[osd]
osd_data = $_cd/osd-\$id
keyring = $_cd/osd-\$id/keyring
osd_objectstore = memstore
memstore_device_bytes = 268435456
EOC
	# every key made here and given to the monitor at its mkfs, and the
	# two monitor commands in one run of the ceph command (Python: its
	# start costs seconds under TCG)
	_k() { ceph-authtool --create-keyring "$1" --gen-key -n "$2" \
	    --cap mon "$3" --cap osd "$4" >/dev/null &&
	    ceph-authtool "$_cd/mon.keyring" --import-keyring "$1" >/dev/null; }
	ceph-authtool --create-keyring "$_cd/mon.keyring" --gen-key -n mon. \
	    --cap mon 'allow *' >/dev/null &&
	_k "$_cd/ceph.client.admin.keyring" client.admin 'allow *' 'allow *' &&
	_k "$_cd/osd-0/keyring" osd.0 'allow profile osd' 'allow *' &&
	_k "$_cd/ceph.client.$3.keyring" "client.$3" 'profile rbd' \
	    'profile rbd pool=rbd' &&
	monmaptool --create --add a "$_ip" --fsid "$_fsid" "$_cd/monmap" \
	    >/dev/null &&
	ceph-mon -c "$_cd/ceph.conf" --mkfs -i a --monmap "$_cd/monmap" \
	    --keyring "$_cd/mon.keyring" &&
	ceph-mon -c "$_cd/ceph.conf" -i a || return 1
	_uuid=$(cat /proc/sys/kernel/random/uuid)
	printf 'osd new %s\nosd pool create rbd 8\n' "$_uuid" |
	    timeout 120 ceph -c "$_cd/ceph.conf" >"$_cd/log/ceph-cli.log" 2>&1 &&
	ceph-osd -c "$_cd/ceph.conf" -i 0 --mkfs --osd-uuid "$_uuid" \
	    >"$_cd/log/mkfs.log" 2>&1 &&
	ceph-osd -c "$_cd/ceph.conf" -i 0 &&
	timeout 60 rbd -c "$_cd/ceph.conf" pool init rbd
}

# ceph_down DIR: its daemons stopped, its files removed
ceph_down() {
	pkill -x ceph-osd
	pkill -x ceph-mon
	wait_for 30 ceph_stopped || { pkill -KILL -x ceph-osd; pkill -KILL -x ceph-mon; }
	rm -rf "$1"
}

# shellcheck disable=SC2317 # called through wait_for
ceph_stopped() { ! pgrep -x ceph-osd >/dev/null && ! pgrep -x ceph-mon >/dev/null; }
