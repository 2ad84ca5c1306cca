# dovetail-fabric.sh: build a dovetail overlay fabric out of network
# namespaces, veths and userspace (netdev) Open vSwitch instances.
#
# This file is sourced (POSIX sh or bash), never executed.  It is the one
# piece of code shared by the autotest system tests (tests/dovetail-macros.at)
# and the demo script, so both build exactly the same fabric:
#
#                      root netns of the fabric
#        +---------------------------------------------------+
#        |  Linux bridge ${DT_PREFIX}underlay  (172.31.0.0/24) |
#        +----+-----------------------+----------------------+
#             | veth ${DT_PREFIX}ul-hv1 | veth ${DT_PREFIX}ul-hv2
#   netns ${DT_PREFIX}hv1             netns ${DT_PREFIX}hv2        ...
#   +-------------------------+      +-------------------------+
#   | ovsdb-server            |      | ovsdb-server            |
#   | ovs-vswitchd (netdev):  |      | ovs-vswitchd (netdev):  |
#   |   br-phy: uplink,       |      |   br-phy: uplink,       |
#   |     IP 172.31.0.1/24    |      |     IP 172.31.0.2/24    |
#   |   br-int: vxlan0,       |      |   br-int: vxlan0,       |
#   |     geneve0, gre0, vm1  |      |     geneve0, gre0, vm2  |
#   +-----------+-------------+      +-----------+-------------+
#               | veth vm1 <-> eth0              | veth vm2 <-> eth0
#          netns ${DT_PREFIX}vm1            netns ${DT_PREFIX}vm2
#
# Runner indirection.  Every command that must run in the fabric's root
# network namespace goes through 'dt_root CMD...'; commands for a
# hypervisor or a VM through 'dt_hv_exec HV CMD...' and
# 'dt_vm_exec VM CMD...'.  By default dt_root runs the command directly
# (the demo, in the host's namespaces, with netns names prefixed by
# $DT_PREFIX); the test suite redefines dt_root, after sourcing this file,
# to enter a per-test holder namespace.  Unix-socket clients (ovs-vsctl,
# ovs-ofctl, ovs-appctl, dovetail-ctl) need no wrapper, only the socket
# paths this file computes.
#
# Variables read (set them before calling dt_fabric_init):
#   DT_PREFIX             prefix for netns and root-ns link names ("").
#   DT_SCHEMA             dovetail OVSDB schema (lib/dovetail.ovsschema).
#   DT_OVS_SCHEMA         Open vSwitch schema (vswitchd/vswitch.ovsschema).
#   DT_CONTROLLER_TARGET  OpenFlow target for every br-int
#                         (default unix:$DT_RUNDIR/controller.sock).
#   DT_VM_IPV6            "yes" keeps IPv6 on VM links (default: disabled,
#                         so no router solicitations or MLD reports reach
#                         the fabric unasked).
#   DT_TIMEOUT            seconds the helpers wait for a condition (10).
#
# Files in $DT_RUNDIR:
#   dovetail-db.{sock,pid,log}, dovetail.db     dovetail ovsdb-server
#   dovetail-controller.{pid,log,ctl}, controller.sock
#   hvN/                  one hypervisor: conf.db, db.sock, *.pid, *.log,
#                         *.ctl, br-int.mgmt, controller.sock (a symlink)
#   vm-VM.hv              the hypervisor VM is on now
#   vm-VM.mac, vm-VM.ip   its addresses
#   vm-VM.migration       its last dt_vm_migrate: "STOP RESUME", the times
#                         (ns since the epoch) it was stopped and resumed
#   ping-NAME.{pid,out}   background pings
#   netns.names           every netns the fabric created (no prefix)
#   netns.inodes          their inodes

# Where this file's source tree is (for lib/dovetail.ovsschema), if the
# shell tells (bash does).
if test -z "$DT_SRCDIR" && test -n "${BASH_SOURCE:-}"; then
    DT_SRCDIR=$(cd "$(dirname "$BASH_SOURCE")/.." && pwd)
fi

# ---------------------------------------------------------------------
# Runners.

if ! command -v dt_root >/dev/null 2>&1; then
    # dt_root CMD...: runs CMD in the fabric's root network namespace.
    dt_root () {
        "$@"
    }
fi

# dt_hv_exec HV CMD...: runs CMD inside hypervisor HV's network namespace.
dt_hv_exec () {
    local hv=$1; shift
    dt_root ip netns exec "$DT_PREFIX$hv" "$@"
}

# dt_vm_exec VM CMD...: runs CMD inside VM's network namespace.
dt_vm_exec () {
    local vm=$1; shift
    dt_root ip netns exec "$DT_PREFIX$vm" "$@"
}

# ---------------------------------------------------------------------
# Fabric.

# dt_fabric_init RUNDIR: sets DT_RUNDIR (made absolute, created) and
# creates the underlay, a Linux bridge ${DT_PREFIX}underlay in the root
# netns.
dt_fabric_init () {
    mkdir -p "$1" || return 1
    DT_RUNDIR=$(cd "$1" && pwd); export DT_RUNDIR
    : "${DT_PREFIX=}"
    : "${DT_TIMEOUT:=10}"
    if test -z "$DT_CONTROLLER_TARGET" || test "$dt_target_defaulted" = yes
    then
        DT_CONTROLLER_TARGET=unix:$DT_RUNDIR/controller.sock
        dt_target_defaulted=yes
    fi
    if test -z "$DT_SCHEMA"; then
        DT_SCHEMA=$(dt_find_file lib/dovetail.ovsschema \
                                  /usr/share/dovetail/dovetail.ovsschema)
    fi
    if test -z "$DT_OVS_SCHEMA"; then
        DT_OVS_SCHEMA=$(dt_find_file \
                        /usr/share/openvswitch/vswitch.ovsschema)
    fi
    export DT_PREFIX DT_SCHEMA DT_OVS_SCHEMA DT_CONTROLLER_TARGET

    local br=${DT_PREFIX}underlay
    dt_root ip link show "$br" >/dev/null 2>&1 \
        || dt_root ip link add "$br" type bridge forward_delay 0 stp_state 0 \
               mcast_snooping 0 \
        || return 1
    dt_root ip link set lo up
    dt_root sysctl -qw "net.ipv6.conf.$br.disable_ipv6=1"
    dt_root ip link set "$br" up
}

# dt_fabric_stop: stops the controller, the dovetail database, every
# hypervisor's daemons, background pings, and deletes every VM and
# hypervisor netns, veth and the underlay.  Idempotent; safe on a fabric
# that was only partly built.
dt_fabric_stop () {
    test -n "$DT_RUNDIR" && test -d "$DT_RUNDIR" || return 0
    local f name hv

    for f in "$DT_RUNDIR"/ping-*.pid; do
        test -e "$f" || continue
        name=${f##*/ping-}; name=${name%.pid}
        dt_ping_stop "$name" >/dev/null 2>&1
    done

    dt_controller_stop >/dev/null 2>&1

    for f in "$DT_RUNDIR"/hv[0-9]*/ "$DT_RUNDIR"/*/edge; do
        test -e "$f" || continue
        f=${f%/edge}
        hv=${f%/}; hv=${hv##*/}
        dt_hv_stop "$hv"
    done

    dt_daemon_stop "$DT_RUNDIR/dovetail-db.ctl" "$DT_RUNDIR/dovetail-db.pid"

    # VMs first, so that their veths never move into a dying hypervisor.
    if test -e "$DT_RUNDIR/netns.names"; then
        for name in $(grep -v '^hv[0-9]' "$DT_RUNDIR/netns.names") \
                    $(grep '^hv[0-9]' "$DT_RUNDIR/netns.names"); do
            dt_netns_del "$name"
        done
    fi
    for f in "$DT_RUNDIR"/hv[0-9]*/; do
        test -d "$f" || continue
        hv=${f%/}; hv=${hv##*/}
        dt_root ip link del "${DT_PREFIX}ul-$hv" >/dev/null 2>&1
    done
    rm -f "$DT_RUNDIR"/vm-*.hv
    dt_root ip link del "${DT_PREFIX}underlay" >/dev/null 2>&1
    return 0
}

# ---------------------------------------------------------------------
# The dovetail database and controller.

# dt_db_start: creates $DT_RUNDIR/dovetail.db from $DT_SCHEMA (if absent)
# and starts an ovsdb-server on it listening on
# $DT_RUNDIR/dovetail-db.sock.  Exports DOVETAIL_DB.
dt_db_start () {
    local d=$DT_RUNDIR
    if test ! -e "$d/dovetail.db"; then
        ovsdb-tool create "$d/dovetail.db" "$DT_SCHEMA" || return 1
    fi
    dt_root ovsdb-server --detach --no-chdir -vconsole:off \
        --pidfile="$d/dovetail-db.pid" --log-file="$d/dovetail-db.log" \
        --unixctl="$d/dovetail-db.ctl" \
        --remote=punix:"$d/dovetail-db.sock" "$d/dovetail.db" || return 1
    DOVETAIL_DB=unix:$d/dovetail-db.sock; export DOVETAIL_DB
}

# dt_controller_start [ARG...]: starts dovetail-controller on $DOVETAIL_DB,
# listening on punix:$DT_RUNDIR/controller.sock, with ARGs appended.
dt_controller_start () {
    local d=$DT_RUNDIR
    dt_root dovetail-controller --db="$DOVETAIL_DB" --detach -vconsole:off \
        --pidfile="$d/dovetail-controller.pid" \
        --log-file="$d/dovetail-controller.log" \
        --unixctl="$d/dovetail-controller.ctl" \
        "$@" punix:"$d/controller.sock"
}

# dt_controller_stop: asks the controller to exit and waits for it.
dt_controller_stop () {
    dt_daemon_stop "$DT_RUNDIR/dovetail-controller.ctl" \
                   "$DT_RUNDIR/dovetail-controller.pid"
}

# dt_controller_kill: kills the controller with SIGKILL (a crash) and
# waits until it is gone.
dt_controller_kill () {
    local pidfile=$DT_RUNDIR/dovetail-controller.pid pid
    pid=$(cat "$pidfile" 2>/dev/null) || return 0
    kill -9 "$pid" 2>/dev/null
    dt_wait_gone "$pid"
    rm -f "$pidfile"
}

# ---------------------------------------------------------------------
# Hypervisors.

# dt_hv_dpid N: prints hypervisor hvN's br-int datapath id (16 hex digits).
dt_hv_dpid () {
    printf '%016x\n' "$1"
}

# dt_hv_ip N: prints hvN's underlay (tunnel) IP address.
dt_hv_ip () {
    echo "172.31.0.$1"
}

# dt_hv_mac N: prints the MAC of hvN's br-phy (the tunnel source MAC).
dt_hv_mac () {
    printf '02:00:ac:1f:%02x:%02x\n' $(($1 / 256)) $(($1 % 256))
}

# Open vSwitch 3.1 re-reads the kernel's routing table whenever any
# interface of the hypervisor changes (a VM's port plugged or unplugged
# too) by emptying its copy and filling it again, and for that moment its
# userspace tunnels can neither send (a tunnel port with options:local_ip
# needs the local route of that address) nor receive (it forgets
# br-phy's addresses): packets in flight across the hypervisor are
# dropped.  So a hypervisor's ovs-vswitchd runs with DT_HV_VSWITCHD_OPTS,
# which keep it from reading the kernel's routes, the underlay route is
# OVS's own (dt_hv_underlay), and the tunnel ports have no local_ip: the
# route gives the source address.
DT_HV_VSWITCHD_OPTS=--disable-system-route

# dt_hv_start N: starts hypervisor hvN: its underlay side (dt_hv_phy_start)
# and br-int (VM ports, the controller, and one tunnel port per
# encapsulation: vxlan0 and geneve0 with the key from the flow, gre0
# keyless GRE).
# Primes the tunnel neighbour caches of hvN and every running hypervisor
# and registers hvN with dovetail-ctl if possible.
dt_hv_start () {
    local n=$1 hv=hv$1 dpid ip target
    dpid=$(dt_hv_dpid "$n")
    ip=$(dt_hv_ip "$n")

    dt_hv_phy_start "$n" || return 1

    # The integration bridge.
    target=$(dt_hv_controller_target "$hv")
    dt_vsctl "$hv" -- add-br br-int \
        -- set bridge br-int datapath_type=netdev fail-mode=secure \
               other-config:datapath-id="$dpid" \
               other-config:disable-in-band=true \
               protocols=OpenFlow10,OpenFlow13,OpenFlow14,OpenFlow15 \
        -- add-port br-int vxlan0 \
        -- set interface vxlan0 type=vxlan options:remote_ip=flow \
               options:key=flow ofport_request=1 \
        -- add-port br-int geneve0 \
        -- set interface geneve0 type=geneve options:remote_ip=flow \
               options:key=flow ofport_request=2 \
        -- add-port br-int gre0 \
        -- set interface gre0 type=gre options:remote_ip=flow \
               ofport_request=3 \
        -- set-controller br-int "$target" \
        -- set controller br-int max_backoff=1000 inactivity_probe=5000 \
        || return 1

    dt_hv_prime_neighbours "$n"

    if test -n "$DOVETAIL_DB" && command -v dovetail-ctl >/dev/null 2>&1
    then
        dovetail-ctl hypervisor-add "$hv" "$dpid" "$ip" || return 1
    fi
}

# dt_hv_phy_start N: the underlay side of hypervisor hvN: netns
# ${DT_PREFIX}hvN, an uplink veth into the underlay, ovsdb-server and
# ovs-vswitchd (with DT_HV_VSWITCHD_OPTS) in $DT_RUNDIR/hvN, and br-phy
# holding the uplink, with the underlay address and route
# (dt_hv_underlay).
dt_hv_phy_start () {
    local n=$1 hv=hv$1 ul=${DT_PREFIX}ul-hv$1
    mkdir -p "$DT_RUNDIR/$hv" || return 1

    dt_netns_add "$hv" || return 1
    # The underlay is IPv4 only: no IPv6 chatter on br-phy or the uplink.
    dt_hv_exec "$hv" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 \
        net.ipv6.conf.default.disable_ipv6=1
    dt_root ip link add "$ul" type veth peer name uplink \
        netns "$DT_PREFIX$hv" || return 1
    dt_root sysctl -qw "net.ipv6.conf.$ul.disable_ipv6=1"
    dt_root ip link set "$ul" master "${DT_PREFIX}underlay" up || return 1
    dt_root ethtool -K "$ul" tx off >/dev/null 2>&1
    dt_hv_exec "$hv" ip link set lo up
    dt_hv_exec "$hv" ip link set uplink up || return 1

    dt_ovs_start "$hv" $DT_HV_VSWITCHD_OPTS || return 1

    # The underlay bridge: uplink plus the tunnel IP on its internal port.
    dt_vsctl "$hv" -- add-br br-phy \
        -- set bridge br-phy datapath_type=netdev \
               other-config:hwaddr="$(dt_hv_mac "$n")" \
        -- add-port br-phy uplink || return 1
    dt_ofctl "$hv" del-flows br-phy
    dt_ofctl "$hv" add-flow br-phy actions=NORMAL || return 1
    dt_hv_underlay "$n"
}

# dt_ovs_start NAME [OPTION...]: starts ovsdb-server and ovs-vswitchd
# (dt_vswitchd_start NAME OPTION...) in netns NAME, their files in
# $DT_RUNDIR/NAME.
dt_ovs_start () {
    local d=$DT_RUNDIR/$1
    rm -f "$d/conf.db"
    ovsdb-tool create "$d/conf.db" "$DT_OVS_SCHEMA" || return 1
    dt_hv_exec "$1" env OVS_RUNDIR="$d" OVS_DBDIR="$d" OVS_LOGDIR="$d" \
        OVS_SYSCONFDIR="$d" \
        ovsdb-server --detach --no-chdir -vconsole:off \
        --pidfile="$d/ovsdb-server.pid" \
        --log-file="$d/ovsdb-server.log" --unixctl="$d/ovsdb-server.ctl" \
        --remote=punix:"$d/db.sock" "$d/conf.db" || return 1
    dt_vsctl "$1" --no-wait init || return 1
    dt_vswitchd_start "$@"
}

# dt_vswitchd_start NAME [OPTION...]: starts ovs-vswitchd in netns NAME
# with the extra OPTIONs, on the ovsdb-server dt_ovs_start started there.
# OVS_RUNDIR is what ovs-vswitchd accepts "unix:" controller targets
# under, and where it puts br-*.mgmt.
dt_vswitchd_start () {
    local name=$1 d=$DT_RUNDIR/$1
    shift
    dt_hv_exec "$name" env OVS_RUNDIR="$d" OVS_DBDIR="$d" \
        OVS_LOGDIR="$d" OVS_SYSCONFDIR="$d" \
        ovs-vswitchd --detach --no-chdir -vconsole:off \
        --pidfile="$d/ovs-vswitchd.pid" \
        --log-file="$d/ovs-vswitchd.log" --unixctl="$d/ovs-vswitchd.ctl" \
        --disable-system "$@" unix:"$d/db.sock"
}

# dt_hv_underlay N: gives hvN's br-phy its underlay address and brings it
# up, and gives ovs-vswitchd the route to the underlay's /24 through
# br-phy (DT_HV_VSWITCHD_OPTS), which it accepts once it has seen br-phy's
# address: the route's source is that address.
dt_hv_underlay () {
    local hv=hv$1 ip
    ip=$(dt_hv_ip "$1")
    dt_hv_exec "$hv" ip addr replace "$ip/24" dev br-phy || return 1
    dt_hv_exec "$hv" ip link set br-phy up || return 1
    dt_wait_until "dt_appctl $hv ovs/route/add ${ip%.*}.0/24 br-phy \
                       >/dev/null 2>&1" \
        || { echo "$hv: ovs-vswitchd never took the underlay route" >&2
             return 1; }
}

# dt_chv_start NAME N: starts conventional hypervisor NAME behind
# hypervisor hvN (its edge): a netns with its own Open vSwitch whose bridge
# br0 switches locally (NORMAL, fail mode standalone), one trunk port
# "trunk" to the edge, where it is port "trunk-NAME" of br-int.  VMs join it
# through dovetail-vif-plug, as access ports with the VLANs the controller
# gives them.
dt_chv_start () {
    local c=$1 edge=hv$2 d=$DT_RUNDIR/$1
    dt_l2_start "$c" || return 1
    dt_hv_exec "$c" ip link add trunk type veth peer name "trunk-$c" \
        netns "$DT_PREFIX$edge" || return 1
    dt_hv_exec "$edge" sysctl -qw "net.ipv6.conf.trunk-$c.disable_ipv6=1"
    dt_hv_exec "$c" ip link set trunk mtu 1500 up || return 1
    dt_hv_exec "$edge" ip link set "trunk-$c" mtu 1500 up || return 1
    dt_hv_exec "$c" ethtool -K trunk tx off >/dev/null 2>&1
    dt_hv_exec "$edge" ethtool -K "trunk-$c" tx off >/dev/null 2>&1
    dt_vsctl "$c" add-port br0 trunk || return 1
    dt_vsctl "$edge" add-port br-int "trunk-$c" || return 1
    echo "$edge" > "$d/edge"
}

# dt_chv_fanout NAME: makes conventional hypervisor NAME's br0 the
# multiplexing switch of fabric mode "channel" (seed arp-free-servers,
# FIG. 5): an IPv4 multicast frame from the edge with two VLAN tags (an
# 802.1ad outer tag and an 802.1Q inner tag, one VM's VLAN each) is
# delivered into both VLANs, one with a single tag into its own; all else
# is switched as before (NORMAL).  OVS parses two tags only with
# vlan-limit=2.
dt_chv_fanout () {
    local c=$1
    dt_vsctl "$c" set Open_vSwitch . other_config:vlan-limit=2 || return 1
    # The outer VLAN into reg0, the outer tag off: the copy into the
    # inner VLAN (a frame with one tag has none left: NORMAL sends an
    # untagged frame from the trunk to no VM); then the outer VLAN alone
    # (written over the inner tag, or pushed if there was none).
    local flow="priority=100,in_port=trunk,ip,nw_dst=224.0.0.0/4"
    flow="$flow,vlan_tci=0x1000/0x1000,actions="
    flow="${flow}move:NXM_OF_VLAN_TCI[]->NXM_NX_REG0[0..15],pop_vlan"
    flow="$flow,clone(NORMAL)"
    flow="$flow,move:NXM_NX_REG0[0..15]->NXM_OF_VLAN_TCI[],NORMAL"
    ovs-ofctl -O OpenFlow13 add-flow "unix:$DT_RUNDIR/$c/br0.mgmt" "$flow"
}

# dt_ic_start NAME: starts NAME, a plain layer-2 interconnect between SARP
# edges (controller/sarp.h): a netns with its own Open vSwitch whose
# bridge br0 switches in NORMAL mode (fail mode standalone), standing in
# for a physical L2 fabric.  Its MAC table: "dt_appctl NAME fdb/show br0".
dt_ic_start () {
    dt_l2_start "$1" || return 1
    # Stopped with the conventional hypervisors by dt_fabric_stop.
    echo none > "$DT_RUNDIR/$1/edge"
}

# dt_l2_start NAME: netns NAME (IPv4 only) with its own Open vSwitch and
# bridge br0 in NORMAL mode (fail mode standalone), files in
# $DT_RUNDIR/NAME.
dt_l2_start () {
    local c=$1
    mkdir -p "$DT_RUNDIR/$c" || return 1
    dt_netns_add "$c" || return 1
    dt_hv_exec "$c" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 \
        net.ipv6.conf.default.disable_ipv6=1
    dt_hv_exec "$c" ip link set lo up
    dt_ovs_start "$c" || return 1
    dt_vsctl "$c" -- add-br br0 \
        -- set bridge br0 datapath_type=netdev fail-mode=standalone
}

# dt_ic_attach NAME N: joins hypervisor hvN's br-int to interconnect NAME
# by a veth: port "sarp0" of br-int (the SARP edge's port), port
# "NAME-hvN" of NAME's br0.
dt_ic_attach () {
    local c=$1 hv=hv$2 p=$1-hv$2
    dt_hv_exec "$c" ip link add "$p" type veth peer name sarp0 \
        netns "$DT_PREFIX$hv" || return 1
    dt_hv_exec "$hv" sysctl -qw net.ipv6.conf.sarp0.disable_ipv6=1
    dt_hv_exec "$c" ip link set "$p" mtu 1500 up || return 1
    dt_hv_exec "$hv" ip link set sarp0 mtu 1500 up || return 1
    dt_hv_exec "$c" ethtool -K "$p" tx off >/dev/null 2>&1
    dt_hv_exec "$hv" ethtool -K sarp0 tx off >/dev/null 2>&1
    dt_vsctl "$c" add-port br0 "$p" || return 1
    dt_vsctl "$hv" add-port br-int sarp0
}

# dt_ic_foreign_edge IC NAME IP HOST MAC HOST_IP: a SARP edge that is not
# dovetail's, on interconnect IC: netns NAME, a Linux router with proxy
# ARP (answered at once) whose port ic0 (address IP/24) is on IC's br0;
# behind it, on its port h0, netns HOST (eth0: MAC, HOST_IP/24).  As the
# seed's edges do, it answers a request for HOST with its own MAC and asks
# for the other addresses of the /24 from its own; a gratuitous ARP on the
# interconnect updates its neighbour table at once (locktime 0).
dt_ic_foreign_edge () {
    local ic=$1 fe=$2 ip=$3 host=$4 mac=$5 hip=$6 p=$1-$2
    dt_netns_add "$fe" && dt_netns_add "$host" || return 1
    dt_hv_exec "$ic" ip link add "$p" type veth peer name ic0 \
        netns "$DT_PREFIX$fe" || return 1
    dt_hv_exec "$ic" ip link set "$p" up || return 1
    dt_hv_exec "$ic" ethtool -K "$p" tx off >/dev/null 2>&1
    dt_vsctl "$ic" add-port br0 "$p" || return 1
    dt_hv_exec "$fe" ip link add h0 type veth peer name eth0 \
        netns "$DT_PREFIX$host" || return 1
    dt_hv_exec "$fe" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 \
        net.ipv6.conf.default.disable_ipv6=1 net.ipv4.ip_forward=1 \
        net.ipv4.conf.ic0.proxy_arp=1 net.ipv4.conf.h0.proxy_arp=1 \
        net.ipv4.neigh.ic0.proxy_delay=0 net.ipv4.neigh.h0.proxy_delay=0 \
        net.ipv4.neigh.ic0.locktime=0 || return 1
    dt_hv_exec "$fe" ethtool -K ic0 tx off >/dev/null 2>&1
    dt_hv_exec "$fe" ip link set lo up || return 1
    dt_hv_exec "$fe" ip link set ic0 up || return 1
    dt_hv_exec "$fe" ip link set h0 up || return 1
    dt_hv_exec "$fe" ip addr add "$ip/24" dev ic0 || return 1
    dt_hv_exec "$fe" ip route add "$hip/32" dev h0 || return 1
    dt_vm_exec "$host" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 \
        net.ipv6.conf.default.disable_ipv6=1
    dt_vm_exec "$host" ip link set lo up || return 1
    dt_vm_exec "$host" ip link set eth0 address "$mac" up || return 1
    dt_vm_exec "$host" ip addr add "$hip/24" dev eth0
}

# dt_bridge HV: the bridge VMs plug into on HV (br0 on a conventional
# hypervisor, br-int on a dovetail one).
dt_bridge () {
    if test -e "$DT_RUNDIR/$1/edge"; then echo br0; else echo br-int; fi
}

# dt_hv_stop HV: stops HV's ovs-vswitchd (removing its bridges and taps)
# and ovsdb-server.  The netns and uplink stay (dt_fabric_stop removes
# them).
dt_hv_stop () {
    local d=$DT_RUNDIR/$1
    dt_daemon_stop "$d/ovs-vswitchd.ctl" "$d/ovs-vswitchd.pid" --cleanup
    dt_daemon_stop "$d/ovsdb-server.ctl" "$d/ovsdb-server.pid"
}

# dt_vsctl HV ARG...: ovs-vsctl against HV's database.
dt_vsctl () {
    local hv=$1; shift
    ovs-vsctl --timeout="${DT_TIMEOUT:-10}" \
              --db=unix:"$DT_RUNDIR/$hv/db.sock" "$@"
}

# dt_ofctl HV [OPTION...] CMD [BRIDGE] [ARG...]: ovs-ofctl -O OpenFlow13
# against a bridge of HV through its management socket.  BRIDGE (a name
# beginning "br-") defaults to br-int:
#   dt_ofctl hv1 add-flow 'in_port=1,actions=2'
#   dt_ofctl hv1 --no-stats dump-flows br-phy
dt_ofctl () {
    local hv=$1 opts='' br=br-int cmd; shift
    while test $# -gt 0; do
        case $1 in
        -*) opts="$opts $1"; shift ;;
        *) break ;;
        esac
    done
    cmd=$1; shift
    case $1 in
    br-*) br=$1; shift ;;
    esac
    ovs-ofctl -O OpenFlow13 --timeout="${DT_TIMEOUT:-10}" $opts "$cmd" \
              "unix:$DT_RUNDIR/$hv/$br.mgmt" "$@"
}

# dt_appctl HV ARG...: ovs-appctl to HV's ovs-vswitchd.
dt_appctl () {
    local hv=$1; shift
    ovs-appctl --timeout="${DT_TIMEOUT:-10}" \
               -t "$DT_RUNDIR/$hv/ovs-vswitchd.ctl" "$@"
}

# ---------------------------------------------------------------------
# VMs.

# dt_vm_add VM HV MAC IP/PLEN: creates netns ${DT_PREFIX}VM with eth0
# (MAC, IP/PLEN, mtu 1450), its veth peer named VM in HV's netns, plugged
# into HV's br-int as port VM (external_ids:iface-id=VM).
dt_vm_add () {
    local vm=$1 hv=$2 mac=$3 ip=$4
    dt_netns_add "$vm" || return 1
    if test "$DT_VM_IPV6" != yes; then
        dt_vm_exec "$vm" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 \
            net.ipv6.conf.default.disable_ipv6=1
    fi
    dt_hv_exec "$hv" ip link add "$vm" type veth peer name eth0 \
        netns "$DT_PREFIX$vm" || return 1
    dt_vm_exec "$vm" ip link set lo up
    if test "$DT_VM_IPV6" != yes; then
        dt_vm_exec "$vm" sysctl -qw net.ipv6.conf.eth0.disable_ipv6=1
    fi
    dt_vm_exec "$vm" ip link set eth0 address "$mac" mtu 1450 || return 1
    dt_vm_exec "$vm" ip addr add "$ip" dev eth0 || return 1
    dt_vm_exec "$vm" ethtool -K eth0 tx off >/dev/null 2>&1
    dt_vm_exec "$vm" ip link set eth0 up || return 1
    echo "$mac" > "$DT_RUNDIR/vm-$vm.mac"
    echo "$ip" > "$DT_RUNDIR/vm-$vm.ip"
    dt_vm_plug "$vm" "$hv"
}

# dt_vm_move VM NEWHV: unplugs VM from its hypervisor's br-int, moves the
# hypervisor side of its veth into NEWHV's netns and plugs it into NEWHV's
# br-int.  MAC and IP stay.
dt_vm_move () {
    local vm=$1 new=$2 old
    old=$(dt_vm_hv "$vm") || return 1
    dt_vsctl "$old" --if-exists del-port "$(dt_bridge "$old")" "$vm" \
        || return 1
    dt_hv_exec "$old" ip link set "$vm" netns "$DT_PREFIX$new" || return 1
    dt_vm_plug "$vm" "$new"
}

# dt_vm_migrate VM NEWHV: live-migrates VM to NEWHV the way a hypervisor's
# stop-and-copy does: every process of the VM is stopped (SIGSTOP), its
# link goes down, the link moves (dt_vm_move), and once the VM's eth0 has a carrier again the
# processes resume, and the VM is announced with a RARP as QEMU does
# (dt_vm_announce).  Prints the blackout (stop to resume) in milliseconds
# and records both times in $DT_RUNDIR/vm-VM.migration.
dt_vm_migrate () {
    local vm=$1 new=$2 old ino pids t0 t1 rc=0
    ino=$(dt_root stat -L -c %i "/run/netns/$DT_PREFIX$vm") || return 1
    pids=$(dt_netns_pids "$ino")
    t0=$(date +%s%N)
    test -z "$pids" || kill -STOP $pids
    # The stopped guest's link goes down before its port is unplugged, as
    # a tap does when QEMU stops the guest.
    old=$(dt_vm_hv "$vm")
    dt_hv_exec "$old" ip link set "$vm" down
    dt_wait_until "test \"\$(dt_vsctl $old get interface $vm link_state)\" = down" \
        || rc=1
    dt_vm_move "$vm" "$new" || rc=1
    dt_wait_until "dt_vm_exec $vm ip link show eth0 | grep -q LOWER_UP" \
        || rc=1
    test -z "$pids" || kill -CONT $pids 2>/dev/null
    t1=$(date +%s%N)
    echo "$t0 $t1" > "$DT_RUNDIR/vm-$vm.migration"
    dt_vm_announce "$vm" || rc=1
    echo $(( (t1 - t0) / 1000000 ))
    return $rc
}

# dt_vm_announce VM: sends from VM's eth0 the frames QEMU sends for a guest
# after a migration ("announce-self"): a RARP request from the guest's MAC.
dt_vm_announce () {
    local mac
    mac=$(cat "$DT_RUNDIR/vm-$1.mac") || return 1
    dt_vm_exec "$1" python3 -c '
import socket, sys
mac = bytes.fromhex(sys.argv[1].replace(":", ""))
rarp = (b"\xff" * 6 + mac + b"\x80\x35"
        + b"\x00\x01\x08\x00\x06\x04\x00\x03"
        + mac + b"\x00" * 4 + mac + b"\x00" * 4).ljust(60, b"\x00")
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
s.bind(("eth0", 0))
s.send(rarp)
' "$mac"
}

# dt_vm_hv VM: prints the hypervisor VM is on.
dt_vm_hv () {
    cat "$DT_RUNDIR/vm-$1.hv"
}

# dt_vm_ofport VM: prints the OpenFlow port number of VM on its hypervisor
# (waits until ovs-vswitchd assigned one).
dt_vm_ofport () {
    local hv
    hv=$(dt_vm_hv "$1") || return 1
    dt_ofport "$hv" "$1"
}

# dt_ofport HV PORT: prints PORT's OpenFlow port number on HV.
dt_ofport () {
    local hv=$1 port=$2 ofport i=0
    while :; do
        ofport=$(dt_vsctl "$hv" get interface "$port" ofport 2>/dev/null)
        case $ofport in
        ''|-1|'[]') ;;
        *) echo "$ofport"; return 0 ;;
        esac
        i=$((i + 1))
        test $i -lt $((${DT_TIMEOUT:-10} * 10)) || return 1
        sleep 0.1
    done
}

# ---------------------------------------------------------------------
# Traffic.

# dt_ping_start NAME VM DST [INTERVAL [COUNT]]: pings DST from VM in the
# background, every INTERVAL seconds (0.1), COUNT times (or until
# dt_ping_stop), with timestamps (-D) and a line per unanswered request
# (-O), into $DT_RUNDIR/ping-NAME.out.
dt_ping_start () {
    local name=$1 vm=$2 dst=$3 interval=${4:-0.1} count=${5:-}
    local out=$DT_RUNDIR/ping-$name.out pidfile=$DT_RUNDIR/ping-$name.pid
    rm -f "$pidfile" "$out"
    # The pidfile names ping itself, not the runners wrapped around it.
    dt_vm_exec "$vm" sh -c 'echo $$ > "$1"; shift; exec "$@"' sh "$pidfile" \
        ping -D -O -n -i "$interval" ${count:+-c "$count" -W 2} "$dst" \
        </dev/null >"$out" 2>&1 &
    dt_wait_until "test -s '$pidfile'"
}

# dt_ping_wait NAME: waits until ping NAME, started with a COUNT, has sent
# them all and waited for the last answer, then prints its summary as
# dt_ping_stop does (with no request still in flight to count as lost).
dt_ping_wait () {
    local name=$1 pid
    pid=$(cat "$DT_RUNDIR/ping-$name.pid" 2>/dev/null)
    if test -n "$pid"; then
        DT_TIMEOUT=60 dt_wait_until "! dt_pid_alive $pid" || return 1
    fi
    dt_ping_stop "$name"
}

# dt_ping_stop NAME: stops ping NAME and prints
# "transmitted=N received=N lost=N duplicates=N".
dt_ping_stop () {
    local name=$1 pid
    local out=$DT_RUNDIR/ping-$name.out pidfile=$DT_RUNDIR/ping-$name.pid
    local stopped=0
    pid=$(cat "$pidfile" 2>/dev/null)
    if test -n "$pid" && dt_pid_alive "$pid"; then
        kill -INT "$pid"
        dt_wait_gone "$pid" || kill -9 "$pid" 2>/dev/null
        stopped=1
    fi
    rm -f "$pidfile"
    dt_ping_summary "$out" "$stopped"
}

# dt_ping_summary FILE [STOPPED]: prints ping output FILE's summary as
# "transmitted=N received=N lost=N duplicates=N".  With STOPPED 1 (ping
# was interrupted, not done), the last request sent, if unanswered, was
# still in flight and is not counted.
dt_ping_summary () {
    awk -v stopped="${2:-0}" '
        / packets transmitted, / { tx = $1; rx = $4; summary = 1 }
        /icmp_seq=.*DUP!/ { dup++; next }
        /icmp_seq=[0-9]+ .*time=/ {
            seen++
            for (i = 1; i <= NF; i++) {
                if ($i ~ /^icmp_seq=/) { answered[substr($i, 10)] = 1 }
            }
        }
        /no answer yet for icmp_seq=/ { unanswered++ }
        END {
            if (!summary) { rx = seen; tx = seen + unanswered }
            if (stopped && tx > rx && !(tx in answered)) { tx-- }
            printf "transmitted=%d received=%d lost=%d duplicates=%d\n",
                   tx, rx, tx - rx, dup
        }' "$1" 2>/dev/null
}

# ---------------------------------------------------------------------
# Helpers.

# dt_wait_until 'SHELL CONDITION': evaluates the condition every 0.1 s for
# up to $DT_TIMEOUT seconds; returns 0 as soon as it holds, 1 on timeout.
dt_wait_until () {
    local i=0 limit=$((${DT_TIMEOUT:-10} * 10))
    while ! eval "$1"; do
        i=$((i + 1))
        test $i -lt $limit || return 1
        sleep 0.1
    done
}

# dt_wait_gone PID: waits until process PID no longer exists.
dt_wait_gone () {
    dt_wait_until "! dt_pid_alive $1"
}

# dt_pid_alive PID: succeeds if PID exists and is not a zombie (a daemon's
# parent is init, which may take a while to reap it).
dt_pid_alive () {
    local state
    state=$(sed -n 's/^State:[[:space:]]*\([A-Z]\).*/\1/p' \
            "/proc/$1/status" 2>/dev/null) || return 1
    test -n "$state" && test "$state" != Z && test "$state" != X
}

# dt_daemon_stop CTL PIDFILE [EXIT-ARG]: asks the OVS-style daemon behind
# unixctl socket CTL to exit, waits, and kills it if it does not go.
dt_daemon_stop () {
    local ctl=$1 pidfile=$2 pid
    pid=$(cat "$pidfile" 2>/dev/null)
    if test -n "$pid" && dt_pid_alive "$pid"; then
        ovs-appctl --timeout=5 -t "$ctl" exit $3 >/dev/null 2>&1
        if ! dt_wait_gone "$pid"; then
            kill -9 "$pid" 2>/dev/null
            dt_wait_gone "$pid"
        fi
    fi
    rm -f "$pidfile"
}

# dt_vm_plug VM HV: brings VM's hypervisor-side veth up in HV and adds it
# to HV's br-int; records that VM is on HV.
dt_vm_plug () {
    local vm=$1 hv=$2 mac
    mac=$(cat "$DT_RUNDIR/vm-$vm.mac")
    if test "$DT_VM_IPV6" != yes; then
        dt_hv_exec "$hv" sysctl -qw "net.ipv6.conf.$vm.disable_ipv6=1"
    fi
    dt_hv_exec "$hv" ip link set "$vm" mtu 1450 up || return 1
    if test -e "$DT_RUNDIR/$hv/edge"; then
        # Behind a conventional vswitch: an access port with the VLAN the
        # controller gave the VM.
        dovetail-vif-plug --ovs-db=unix:"$DT_RUNDIR/$hv/db.sock" \
            plug "$vm" > /dev/null || return 1
        echo "$hv" > "$DT_RUNDIR/vm-$vm.hv"
        return 0
    fi
    dt_vsctl "$hv" -- add-port br-int "$vm" \
        -- set interface "$vm" external_ids:iface-id="$vm" \
               external_ids:attached-mac="$mac" || return 1
    echo "$hv" > "$DT_RUNDIR/vm-$vm.hv"
}

# dt_hv_controller_target HV: prints the controller target for HV's
# br-int.  ovs-vswitchd only connects to "unix:" targets inside its own
# OVS_RUNDIR, so a socket elsewhere is reached through a symlink there.
dt_hv_controller_target () {
    local d=$DT_RUNDIR/$1 path
    case $DT_CONTROLLER_TARGET in
    unix:*)
        path=${DT_CONTROLLER_TARGET#unix:}
        case $path in
        "$d"/*) echo "$DT_CONTROLLER_TARGET" ;;
        *) ln -sf "$path" "$d/controller.sock"
           echo "unix:$d/controller.sock" ;;
        esac ;;
    *) echo "$DT_CONTROLLER_TARGET" ;;
    esac
}

# dt_hv_prime_neighbours N: tells hvN's tunnel neighbour cache (and its
# kernel) the br-phy MAC of every other running hypervisor, and them
# hvN's, so that no tunnelled packet waits for ARP.
dt_hv_prime_neighbours () {
    local n=$1 f m
    for f in "$DT_RUNDIR"/hv*/ovs-vswitchd.pid; do
        test -e "$f" || continue
        m=${f%/ovs-vswitchd.pid}; m=${m##*/hv}
        test "$m" = "$n" && continue
        dt_hv_neigh_set "$n" "$m"
        dt_hv_neigh_set "$m" "$n"
    done
}

# dt_hv_neigh_set N M: on hvN, resolves hvM's underlay IP to its MAC.
dt_hv_neigh_set () {
    local ip mac
    ip=$(dt_hv_ip "$2"); mac=$(dt_hv_mac "$2")
    dt_appctl "hv$1" tnl/neigh/set br-phy "$ip" "$mac" >/dev/null
    dt_hv_exec "hv$1" ip neigh replace "$ip" lladdr "$mac" dev br-phy \
        nud permanent
}

# dt_netns_add NAME: creates netns ${DT_PREFIX}NAME and records its name
# and inode in $DT_RUNDIR (for the record only: the kernel reuses inode
# numbers once a namespace is gone, so cleanups never search by them).
dt_netns_add () {
    dt_root ip netns add "$DT_PREFIX$1" || return 1
    echo "$1" >> "$DT_RUNDIR/netns.names"
    dt_root stat -L -c %i "/run/netns/$DT_PREFIX$1" \
        >> "$DT_RUNDIR/netns.inodes" 2>/dev/null
    return 0
}

# dt_netns_del NAME: kills every process in netns ${DT_PREFIX}NAME and
# deletes it (and with it every link inside).
dt_netns_del () {
    local ino
    ino=$(dt_root stat -L -c %i "/run/netns/$DT_PREFIX$1" 2>/dev/null) \
        || return 0
    dt_kill_netns_procs "$ino"
    dt_root ip netns del "$DT_PREFIX$1" 2>/dev/null
}

# dt_netns_pids INODE...: prints the pid of every process whose network
# namespace has one of the INODEs.
dt_netns_pids () {
    local p ns ino
    for p in /proc/[0-9]*; do
        ns=$(readlink "$p/ns/net" 2>/dev/null) || continue
        for ino; do
            if test "$ns" = "net:[$ino]"; then
                echo "${p#/proc/}"
                break
            fi
        done
    done
}

# dt_kill_netns_procs INODE...: kills (SIGKILL) every process in those
# network namespaces, repeating until none is left.
dt_kill_netns_procs () {
    local pids i=0
    while pids=$(dt_netns_pids "$@") && test -n "$pids"; do
        kill -9 $pids 2>/dev/null
        i=$((i + 1))
        test $i -lt 50 || return 1
        sleep 0.1
    done
}

# dt_find_file CANDIDATE...: prints the first CANDIDATE that exists,
# relative ones looked up beside this script's source tree.
dt_find_file () {
    local f
    for f; do
        case $f in
        /*) test -e "$f" && { echo "$f"; return 0; } ;;
        *) test -n "$DT_SRCDIR" && test -e "$DT_SRCDIR/$f" \
               && { echo "$DT_SRCDIR/$f"; return 0; } ;;
        esac
    done
    return 1
}

# ---------------------------------------------------------------------
# A clustered dovetail database.
#
# dt_cluster_start runs the dovetail database ("Dovetail") as a Raft
# cluster of ovsdb-servers in the fabric's root netns, every member on
# loopback, instead of the single server of dt_db_start.  Member I:
#
#   $DT_RUNDIR/dbI/dovetail.db                its copy of the log
#   $DT_RUNDIR/dbI/ovsdb-server.{pid,log,ctl} its daemon
#   tcp:127.0.0.1:$((DT_CLUSTER_RAFT_PORT + I))  Raft, to the other members
#   tcp:127.0.0.1:$((DT_CLUSTER_PORT + I))       OVSDB clients
#
# Clients name every member, comma-separated (dt_cluster_remotes), and
# find the leader themselves.  The ports are on loopback of the fabric's
# root netns: clients run there too (dt_cluster_ctl, dt_controller_start).
#
# Variables read:
#   DT_CLUSTER_PORT       base of the client ports (6640: 6641, 6642...).
#   DT_CLUSTER_RAFT_PORT  base of the Raft ports (6650: 6651, 6652...).
# Files in $DT_RUNDIR: cluster.size, the number of members.

# dt_cluster_start N: creates an N-member cluster (member 1 creates it
# from $DT_SCHEMA, the others join it; files that exist are kept), starts
# every member and waits until all of them are cluster members that
# agree on a leader.  Exports DOVETAIL_DB (dt_cluster_remotes).
dt_cluster_start () {
    local n=$1 i j others
    test "$n" -ge 1 2>/dev/null || return 1
    echo "$n" > "$DT_RUNDIR/cluster.size"
    for i in $(seq "$n"); do
        mkdir -p "$DT_RUNDIR/db$i" || return 1
        test ! -e "$DT_RUNDIR/db$i/dovetail.db" || continue
        if test "$i" = 1; then
            ovsdb-tool create-cluster "$DT_RUNDIR/db1/dovetail.db" \
                "$DT_SCHEMA" "$(dt_cluster_raft_address 1)" || return 1
        else
            others=
            for j in $(seq "$n"); do
                test "$j" = "$i" \
                    || others="$others $(dt_cluster_raft_address "$j")"
            done
            ovsdb-tool join-cluster "$DT_RUNDIR/db$i/dovetail.db" Dovetail \
                "$(dt_cluster_raft_address "$i")" $others || return 1
        fi
    done
    for i in $(seq "$n"); do
        dt_cluster_member_start "$i" || return 1
    done
    dt_wait_until dt_cluster_converged \
        || { echo "cluster: no leader all members agree on" >&2
             return 1; }
    DOVETAIL_DB=$(dt_cluster_remotes); export DOVETAIL_DB
}

# dt_cluster_member_start I: starts member I's ovsdb-server on its
# existing database file (a member dt_cluster_kill killed rejoins with
# the log it had and catches up from the leader).
dt_cluster_member_start () {
    local d=$DT_RUNDIR/db$1
    dt_root ovsdb-server --detach --no-chdir -vconsole:off \
        --pidfile="$d/ovsdb-server.pid" --log-file="$d/ovsdb-server.log" \
        --unixctl="$d/ovsdb-server.ctl" \
        --remote="$(dt_cluster_listener "$1")" "$d/dovetail.db"
}

# dt_cluster_kill I: kills member I with SIGKILL (a crash: no goodbye to
# the other members, no time to finish what it was doing) and waits
# until it is gone.
dt_cluster_kill () {
    local pidfile=$DT_RUNDIR/db$1/ovsdb-server.pid pid
    pid=$(cat "$pidfile" 2>/dev/null) || return 0
    kill -9 "$pid" 2>/dev/null
    dt_wait_gone "$pid" || return 1
    rm -f "$pidfile"
}

# dt_cluster_stop: asks every running member to exit and waits for it.
dt_cluster_stop () {
    local i
    for i in $(dt_cluster_members); do
        dt_daemon_stop "$DT_RUNDIR/db$i/ovsdb-server.ctl" \
                       "$DT_RUNDIR/db$i/ovsdb-server.pid"
    done
}

# dt_cluster_members: prints the number of every member whose
# ovsdb-server runs, one a line.
dt_cluster_members () {
    local i pid
    for i in $(seq "$(dt_cluster_size)"); do
        pid=$(cat "$DT_RUNDIR/db$i/ovsdb-server.pid" 2>/dev/null) \
            && dt_pid_alive "$pid" && echo "$i"
    done
    return 0
}

# dt_cluster_leader: prints the number of the running member that is the
# leader, if exactly one says it is and every running member follows it;
# fails otherwise (no leader yet, an election under way).
dt_cluster_leader () {
    local i role leader= sid= lsid
    for i in $(dt_cluster_members); do
        role=$(dt_cluster_status "$i" | sed -n 's/^Role: //p')
        if test "$role" = leader; then
            test -z "$leader" || return 1
            leader=$i
            sid=$(dt_cluster_appctl "$i" cluster/sid Dovetail) || return 1
        fi
    done
    test -n "$leader" || return 1
    for i in $(dt_cluster_members); do
        test "$i" = "$leader" && continue
        lsid=$(dt_cluster_status "$i" | sed -n 's/^Leader: //p')
        test -n "$lsid" || return 1
        case $sid in
        "$lsid"*) ;;
        *) return 1 ;;
        esac
    done
    echo "$leader"
}

# dt_cluster_converged: succeeds if every running member is a cluster
# member (it has joined and is connected) and they agree on a leader.
dt_cluster_converged () {
    local i
    for i in $(dt_cluster_members); do
        dt_cluster_status "$i" | grep -qx 'Status: cluster member' \
            || return 1
    done
    dt_cluster_leader >/dev/null
}

# dt_cluster_status I: member I's view of the cluster (cluster/status).
dt_cluster_status () {
    dt_cluster_appctl "$1" cluster/status Dovetail
}

# dt_cluster_appctl I ARG...: ovs-appctl to member I's ovsdb-server.
dt_cluster_appctl () {
    local i=$1; shift
    ovs-appctl --timeout="${DT_TIMEOUT:-10}" \
               -t "$DT_RUNDIR/db$i/ovsdb-server.ctl" "$@"
}

# dt_cluster_ctl ARG...: dovetail-ctl against the cluster, from the
# fabric's root netns.
dt_cluster_ctl () {
    dt_root dovetail-ctl --db="$(dt_cluster_remotes)" "$@"
}

# dt_cluster_remotes: prints the client remotes of every member (running
# or not), comma-separated: what --db of every client names.
dt_cluster_remotes () {
    local i remotes=
    for i in $(seq "$(dt_cluster_size)"); do
        remotes=$remotes${remotes:+,}$(dt_cluster_remote "$i")
    done
    echo "$remotes"
}

# dt_cluster_size: prints the number of members (0 without a cluster).
dt_cluster_size () {
    cat "$DT_RUNDIR/cluster.size" 2>/dev/null || echo 0
}

# dt_cluster_remote I: prints member I's client remote.
dt_cluster_remote () {
    echo "tcp:127.0.0.1:$((${DT_CLUSTER_PORT:-6640} + $1))"
}

# dt_cluster_listener I: prints member I's client listener (the
# --remote of its ovsdb-server, and what ovsdb-server/remove-remote and
# ovsdb-server/add-remote take).
dt_cluster_listener () {
    echo "ptcp:$((${DT_CLUSTER_PORT:-6640} + $1)):127.0.0.1"
}

# dt_cluster_raft_address I: prints member I's Raft address.
dt_cluster_raft_address () {
    echo "tcp:127.0.0.1:$((${DT_CLUSTER_RAFT_PORT:-6650} + $1))"
}
