#! /bin/bash
# dovetail-demo.sh: the quick start's demo fabric.
#
#   dovetail-demo.sh start BUILDDIR   (re)start the demo from a build dir
#   dovetail-demo.sh stop [BUILDDIR]  tear it down
#
# Builds the same fabric as the system tests (utilities/dovetail-fabric.sh)
# in the host's namespaces, every name prefixed "dt-": the underlay bridge
# and the controller live in netns dt-fabric, hypervisors in dt-hv1 and
# dt-hv2, VMs in dt-vm1..dt-vm4.  Everything it runs keeps its files in
# /run/dovetail-demo.  The host's own network is not touched.
set -u
# (dovetail-fabric.sh reads unset variables on purpose: not under set -u.)

top=$(cd "$(dirname "$0")/.." && pwd)
rundir=/run/dovetail-demo
DT_PREFIX=dt-
fabric_ns=${DT_PREFIX}fabric

usage() {
    sed -n '4,5s/^#   //p' "$0" >&2
    exit 2
}
say() { printf '==> %s\n' "$*"; }
die() { printf 'dovetail-demo: %s\n' "$*" >&2; exit 1; }

setup_env() {
    local build=$1 ovs ovssrc
    test -x "$build/controller/dovetail-controller" \
        || die "$build: no dovetail build there (run ./quickstart demo)"
    # The Open vSwitch tree the build used (configure's --with-ovs-*).
    ovs=$(sed -n 's/^OVSBUILDDIR = //p' "$build/Makefile")
    ovssrc=$(sed -n 's/^OVSDIR = //p' "$build/Makefile")
    dt_path=$build/controller:$build/utilities:$ovs/vswitchd:$ovs/ovsdb:$ovs/utilities
    PATH=$dt_path:$PATH
    export PATH
    DT_SCHEMA=$top/lib/dovetail.ovsschema
    DT_OVS_SCHEMA=$ovssrc/vswitchd/vswitch.ovsschema
    DT_CONTROLLER_TARGET=tcp:172.31.0.254:6653
    export DT_PREFIX DT_SCHEMA DT_OVS_SCHEMA DT_CONTROLLER_TARGET
}

# The fabric's "root" namespace is dt-fabric: entered with nsenter so that
# "ip netns add" inside it still creates the netns in the host's
# /run/netns.
dt_root() {
    nsenter --net=/run/netns/$fabric_ns -- "$@"
}

stop() {
    if [ -d "$rundir" ]; then
        say "stopping the demo fabric in $rundir"
        DT_RUNDIR=$rundir
        set +u
        . "$top/utilities/dovetail-fabric.sh"
        DT_TIMEOUT=3 dt_fabric_stop
    fi
    # Whatever is left in the demo's namespaces goes with them.
    for ns in $(ip netns list 2>/dev/null | awk '{print $1}' | grep "^$DT_PREFIX"); do
        pids=$(ip netns pids "$ns" 2>/dev/null)
        [ -n "$pids" ] && kill -9 $pids 2>/dev/null
        ip netns del "$ns" 2>/dev/null
    done
    rm -rf "$rundir"
}

ctl() { dovetail-ctl "$@" || die "dovetail-ctl $* failed"; }

# ping_matrix: reads "SRC DST IP reaches|cannot" lines, pings each pair
# and prints what happened; counts surprises in 'failures'.
ping_matrix() {
    local src dst ip want got verdict
    while read -r src dst ip want; do
        if dt_vm_exec "$src" ping -q -n -c 3 -i 0.2 -W 1 "$ip" >/dev/null 2>&1
        then
            got=reaches
        else
            got=cannot
        fi
        if [ "$got" = "$want" ]; then
            verdict="as expected"
        else
            verdict=UNEXPECTED
            failures=$((failures + 1))
        fi
        printf '    %s -> %s (%s): %s, %s\n' "$src" "$dst" "$ip" \
            "$([ $got = reaches ] && echo "reaches it" || echo "cannot reach it")" \
            "$verdict"
    done
}

start() {
    local build=$1
    setup_env "$build"
    stop >/dev/null 2>&1
    mkdir -p "$rundir"

    say "creating the fabric namespace $fabric_ns (underlay bridge, database, controller)"
    ip netns add "$fabric_ns" || die "ip netns add $fabric_ns failed"
    set +u
    . "$top/utilities/dovetail-fabric.sh"
    dt_fabric_init "$rundir" || die "could not create the underlay"
    echo fabric >> "$rundir/netns.names"
    dt_root ip addr add 172.31.0.254/24 dev ${DT_PREFIX}underlay
    dt_root ethtool -K ${DT_PREFIX}underlay tx off >/dev/null 2>&1

    dt_db_start || die "could not start the dovetail database"
    dt_controller_start ptcp:6653:172.31.0.254 || die "could not start dovetail-controller"

    for n in 1 2; do
        say "starting hypervisor hv$n (ovsdb-server + ovs-vswitchd, userspace datapath, in netns ${DT_PREFIX}hv$n)"
        dt_hv_start $n || die "could not start hv$n"
    done

    say "creating virtual networks blue (VNI 100) and red (VNI 200)"
    ctl network-add blue 100 -- network-add red 200

    say "adding VMs: vm1 (hv1) and vm2 (hv2) in blue; vm3 (hv1) and vm4 (hv2) in red"
    dt_vm_add vm1 hv1 02:00:00:00:01:01 10.0.0.1/24 || die "vm1"
    dt_vm_add vm2 hv2 02:00:00:00:01:02 10.0.0.2/24 || die "vm2"
    dt_vm_add vm3 hv1 02:00:00:00:02:03 10.0.0.3/24 || die "vm3"
    dt_vm_add vm4 hv2 02:00:00:00:02:04 10.0.0.4/24 || die "vm4"
    ctl -- --hypervisor=hv1 --port=vm1 endpoint-add blue vm1 02:00:00:00:01:01 10.0.0.1 \
        -- --hypervisor=hv2 --port=vm2 endpoint-add blue vm2 02:00:00:00:01:02 10.0.0.2 \
        -- --hypervisor=hv1 --port=vm3 endpoint-add red vm3 02:00:00:00:02:03 10.0.0.3 \
        -- --hypervisor=hv2 --port=vm4 endpoint-add red vm4 02:00:00:00:02:04 10.0.0.4

    say "waiting for the controller to program both hypervisors"
    dt_wait_until "test \$(ovs-appctl -t $rundir/dovetail-controller.ctl switch/list | grep -c ' synced ') = 2 \
                   && ovs-ofctl -O OpenFlow13 dump-flows unix:$rundir/hv1/br-int.mgmt | grep -q 02:00:00:00:02:04" \
        || die "the switches were not programmed; see $rundir/dovetail-controller.log"

    say "pinging (3 pings each):"
    failures=0
    ping_matrix <<'PAIRS'
vm1 vm2 10.0.0.2 reaches
vm2 vm1 10.0.0.1 reaches
vm3 vm4 10.0.0.4 reaches
vm1 vm3 10.0.0.3 cannot
vm1 vm4 10.0.0.4 cannot
vm4 vm2 10.0.0.2 cannot
PAIRS

    say "each vswitch resolved the first packet of every pair through the controller"
    say "and caches the answer (table 30, with the policy's TTL):"
    ovs-appctl -t $rundir/dovetail-controller.ctl cache/show | sed 's/^/    /'

    say "the policy service: loading the DOVE paper's three-tier application"
    say "(Documentation/blueprints/three-tier.json; its four dSwitches exist only in the database)"
    ctl hypervisor-add dswitch1 d1 10.0.0.1 -- hypervisor-add dswitch2 d2 10.0.0.2 \
        -- hypervisor-add dswitch3 d3 10.0.0.3 -- hypervisor-add dswitch4 d4 10.0.0.4 \
        -- import "$top/Documentation/blueprints/three-tier.json"
    dt_wait_until "ovs-appctl -t $rundir/dovetail-controller.ctl dps/show | grep -q '^endpoints: 11\$'" \
        || die "the controller did not load the blueprint"
    say "the controller resolves load balancer -> application server (LB -> 9.2.10.26):"
    ovs-appctl -t $rundir/dovetail-controller.ctl dps/resolve three-tier LB 9.2.10.26 | sed 's/^/    /'
    say "and load balancer -> database (no policy, so the default denies):"
    ovs-appctl -t $rundir/dovetail-controller.ctl dps/resolve three-tier LB 9.2.10.50 | tail -1 | sed 's/^/    /'

    cat <<EOF2

The demo fabric is running.  Look at it with:

    export PATH=$dt_path:\$PATH
    export DOVETAIL_DB=$DOVETAIL_DB
    dovetail-ctl show
    dovetail-ctl resolve three-tier WS1 LB
    dovetail-ctl policy-graph three-tier   # Graphviz dot: | dot -Tsvg
    ovs-appctl -t $rundir/dovetail-controller.ctl switch/list
    ovs-appctl -t $rundir/dovetail-controller.ctl cache/show
    ovs-appctl -t $rundir/dovetail-controller.ctl cache/dump 0000000000000001
    ovs-appctl -t $rundir/dovetail-controller.ctl pinctrl/show
    ovs-appctl -t $rundir/dovetail-controller.ctl coverage/show
    ovs-ofctl -O OpenFlow13 dump-flows unix:$rundir/hv1/br-int.mgmt
    ovs-vsctl --db=unix:$rundir/hv1/db.sock show
    ovs-appctl -t $rundir/hv1/ovs-vswitchd.ctl ofproto/trace br-int in_port=vm1,icmp,dl_src=02:00:00:00:01:01,dl_dst=02:00:00:00:01:02,nw_src=10.0.0.1,nw_dst=10.0.0.2
    ip netns exec ${DT_PREFIX}vm1 ping 10.0.0.2

Logs are in $rundir.  Stop it with:

    $top/quickstart stop

EOF2
    if [ "$failures" != 0 ]; then
        die "$failures ping results were not as expected"
    fi
}

case ${1:-} in
    start) [ $# -ge 2 ] || usage; start "$2" ;;
    stop) stop ;;
    *) usage ;;
esac
