#! /bin/bash
# dovetail-bench-bringup.sh: the bring-up benchmark of
# Documentation/performance.rst: the time from an empty fabric to full
# connectivity, on dovetail and on OVN, with the same logical topology.
#
#   dovetail-bench-bringup.sh           run it (as root)
#   dovetail-bench-bringup.sh --help    this text
#
# Builds H hypervisors with V VMs each, spread round-robin over N
# networks (VM j is in network j mod N; every VM's address is in
# 10.0.0.0/16, so a VM of another network is on the same subnet and only
# the overlay keeps it apart), once on dovetail and once on OVN, each
# hypervisor a network namespace with its own ovsdb-server and userspace
# (netdev) ovs-vswitchd (utilities/dovetail-fabric.sh), and each VM a
# namespace with a veth into it.
#
# "Empty fabric, processes up": the underlay, every hypervisor's Open
# vSwitch with br-phy and br-int, the control plane (dovetail: its
# database and dovetail-controller, every hypervisor registered; OVN:
# NB and SB ovsdb-servers, ovn-northd, one ovn-controller per hypervisor,
# every chassis in the SB and its Geneve tunnels up), and every VM's
# namespace with its addresses and its veth up, not yet plugged.  No
# network or port exists in the control plane.  Then the probe (below) is
# run once for 2 s and must get no answer.
#
# The timed part, from T0: one transaction creates every network and
# every port (dovetail: dovetail-ctl network-add and endpoint-add with
# --hypervisor/--port; OVN: ovn-nbctl ls-add, lsp-add and
# lsp-set-addresses "MAC IP"), then every hypervisor plugs its VMs into
# br-int (one ovs-vsctl transaction per hypervisor, all hypervisors at
# once, external_ids:iface-id set), then the probe starts.  OVN also runs
# "ovn-nbctl --wait=hv sync" beside the probe; when it returns is
# reported ("sync").
#
# Full connectivity: every VM has sent an ICMP echo request every 0.5 s
# to each of its sampled peers in its own network until each answered
# once, and "full" is the time from T0 to the first answer of the last
# pair.  A VM's peers ($DT_BRINGUP_PEERS, default 3, or "all" for a full
# mesh of each network): the next VM of its network on its own
# hypervisor, the VM of its network in the same slot on the next
# hypervisor, then pseudo-random ones of its network; and, with more than
# one network, one VM of the next network, which must never answer (a
# leak fails the run).  utilities/dovetail-bench-probe.py does the
# probing: one raw socket per VM, in one process.
#
# Environment:
#   DT_BRINGUP_HVS      hypervisors (default 10)
#   DT_BRINGUP_VMS      VMs per hypervisor (default 100)
#   DT_BRINGUP_NETS     networks (default 2)
#   DT_BRINGUP_PEERS    peers per VM, or "all" (default 3)
#   DT_BRINGUP_SIDES    what to run, in order (default "dovetail ovn")
#   DT_BRINGUP_TIMEOUT  seconds from T0 before a run fails (default 600)
#   DT_BRINGUP_DIR      work directory (default a new temporary one; it
#                       is kept, with every daemon's log)
#   DT_BRINGUP_OVN_ROOT where Debian's OVN 23.03 packages (ovn-common,
#                       ovn-central, ovn-host) are unpacked, when
#                       ovn-controller is not in PATH (default
#                       /var/cache/dovetail-bench/ovn; filled with
#                       "apt-get download" and "dpkg -x" if empty)
#   DT_SCHEMA, DT_OVS_SCHEMA  as in utilities/dovetail-fabric.sh
#                       (DT_OVS_SCHEMA defaults to vswitch.ovsschema
#                       beside ovs-vswitchd, as in an OVS build tree)
# Needs root, unshare, python3, ethtool, and in PATH dovetail-controller,
# dovetail-ctl, ovsdb-server, ovsdb-tool, ovs-vswitchd, ovs-vsctl,
# ovs-ofctl and ovs-appctl (the OVN side uses the same Open vSwitch).
#
# Runs inside "unshare --net --mount" (it re-executes itself there) with
# a private /run/netns: every namespace, veth, tap and bridge it makes
# goes when it ends, and it stops every process it started, on failure
# too.  Progress goes to stderr; stdout gets one JSON object per run and
# a last one with the ratio OVN / dovetail of the "full" times.

case ${1:-} in
-h|--help) sed -n '2,/^$/s/^# \{0,1\}//p' "$0"; exit 0 ;;
'') ;;
*) echo "usage: $0 [--help]" >&2; exit 2 ;;
esac

srcdir=$(cd "$(dirname "$0")/.." && pwd)

# ovn_unpack DIR: unless ovn-controller is in PATH or DIR already holds
# it, unpacks Debian's ovn-common, ovn-central and ovn-host into DIR
# ("apt-get download", "dpkg -x": "apt-get install ovn-host" would also
# install Debian's openvswitch-switch and start its daemons on the host).
ovn_unpack () {
    local p
    command -v ovn-controller >/dev/null 2>&1 && return 0
    test -x "$1/usr/bin/ovn-controller" && return 0
    echo "bringup: unpacking Debian's ovn-common, ovn-central, ovn-host into $1" >&2
    mkdir -p "$1/debs" || return 1
    (cd "$1/debs" && apt-get download ovn-common ovn-central ovn-host >&2) \
        || return 1
    for p in "$1"/debs/*.deb; do
        dpkg -x "$p" "$1" || return 1
    done
}

if test "${DT_BRINGUP_INNER:-}" != yes; then
    test "$(id -u)" = 0 || { echo "$0: needs root" >&2; exit 1; }
    # The kernel's ARP table is one for all network namespaces, its
    # limits set only in the initial one: with the default gc_thresh3
    # (1024 entries) a thousand VMs with a few peers each fill it, and
    # sends fail with ENOBUFS (here and in anything else running on the
    # machine).  Raise the limits for the run, restore them after.
    need=$(( ${DT_BRINGUP_HVS:-10} * ${DT_BRINGUP_VMS:-100} * 8 + 4096 ))
    neigh=net.ipv4.neigh.default
    saved=$(sysctl -n $neigh.gc_thresh1 $neigh.gc_thresh2 $neigh.gc_thresh3)
    set -- $saved
    if test "$3" -lt "$need"; then
        sysctl -qw $neigh.gc_thresh3=$need $neigh.gc_thresh2=$need \
            $neigh.gc_thresh1=$(( need / 2 ))
    fi
    # Debian's OVN, unpacked here: inside the unshared namespace there is
    # no network to fetch it over.
    case " ${DT_BRINGUP_SIDES:-ovn} " in
    *" ovn "*) ovn_unpack "${DT_BRINGUP_OVN_ROOT:-/var/cache/dovetail-bench/ovn}" \
                   || { echo "$0: cannot unpack Debian's OVN" >&2; exit 1; } ;;
    esac
    trap : INT TERM HUP     # The child cleans up, then so do we.
    DT_BRINGUP_INNER=yes unshare --net --mount --propagation private \
        "$0"
    rc=$?
    set -- $saved
    test "$3" -lt "$need" \
        && sysctl -qw $neigh.gc_thresh1=$1 $neigh.gc_thresh2=$2 \
                      $neigh.gc_thresh3=$3
    exit $rc
fi

hvs=${DT_BRINGUP_HVS:-10}
vms=${DT_BRINGUP_VMS:-100}
nets=${DT_BRINGUP_NETS:-2}
peers=${DT_BRINGUP_PEERS:-3}
sides=${DT_BRINGUP_SIDES:-dovetail ovn}
timeout=${DT_BRINGUP_TIMEOUT:-600}
dir=${DT_BRINGUP_DIR:-$(mktemp -d /tmp/dovetail-bringup.XXXXXX)}
ovn_root=${DT_BRINGUP_OVN_ROOT:-/var/cache/dovetail-bench/ovn}
probe=$srcdir/utilities/dovetail-bench-probe.py
python=$(command -v /usr/bin/python3 || command -v python3)

say () { printf 'bringup: %s\n' "$*" >&2; }
die () { say "$*"; exit 1; }
now () { date +%s.%N; }
elapsed () { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", b - a }'; }

test $((hvs * vms)) -le 64000 || die "at most 64000 VMs"
mkdir -p "$dir" || exit 1
dir=$(cd "$dir" && pwd)

# Our own /run/netns, so that no name collides with the host's.
mkdir -p /run/netns && mount -t tmpfs -o mode=755 dt-bringup /run/netns \
    || die "cannot mount a private /run/netns"
ip link set lo up

if test -z "${DT_OVS_SCHEMA:-}"; then
    DT_OVS_SCHEMA=$(dirname "$(command -v ovs-vswitchd)")/vswitch.ovsschema
    test -e "$DT_OVS_SCHEMA" \
        || DT_OVS_SCHEMA=/usr/share/openvswitch/vswitch.ovsschema
fi
: "${DT_SCHEMA:=$srcdir/lib/dovetail.ovsschema}"
export DT_OVS_SCHEMA DT_SCHEMA
DT_SRCDIR=$srcdir
. "$srcdir/utilities/dovetail-fabric.sh"
DT_TIMEOUT=60

# ---------------------------------------------------------------------
# Cleanup: graceful first (dt_fabric_stop, the OVN daemons), then every
# process left in a namespace under our /run/netns.  Leaving the
# unshare'd namespaces takes every link with them.

stop_side () {
    local f
    test -n "${DT_RUNDIR:-}" || return 0
    # ovn-controller has no --unixctl: its socket is in OVN_RUNDIR.
    for f in "$DT_RUNDIR"/hv[0-9]*/ovn-controller.pid; do
        test -e "$f" || continue
        dt_daemon_stop "$(ls "${f%/*}"/ovn-controller*.ctl 2>/dev/null \
                          | head -1)" "$f"
    done
    # The VMs run nothing (the probe is gone): delete their namespaces
    # in one batch, not one by one with a search of /proc for each as
    # dt_fabric_stop would.
    if test -e "$DT_RUNDIR/netns.names"; then
        grep '^vm' "$DT_RUNDIR/netns.names" | sed 's/^/netns del /' \
            | ip -force -batch - 2>/dev/null
        grep -v '^vm' "$DT_RUNDIR/netns.names" > "$DT_RUNDIR/netns.hvs"
        mv "$DT_RUNDIR/netns.hvs" "$DT_RUNDIR/netns.names"
    fi
    DT_TIMEOUT=3 dt_fabric_stop
    for f in northd nb sb; do
        dt_daemon_stop "$DT_RUNDIR/$f.ctl" "$DT_RUNDIR/$f.pid"
    done
    sweep
}

sweep () {
    local inodes f
    inodes=$(for f in /run/netns/*; do
                 test -e "$f" && stat -L -c %i "$f"
             done)
    test -n "$inodes" && dt_kill_netns_procs $inodes
    for f in /run/netns/*; do
        test -e "$f" && ip netns del "${f##*/}" 2>/dev/null
    done
    ip link del underlay 2>/dev/null
    return 0
}

cleanup () {
    test -n "${probe_pid:-}" && kill "$probe_pid" 2>/dev/null
    stop_side
    sweep
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

# run_probe T0: runs the probe in the background (a trapped signal ends
# "wait", not a foreground child), sets probe_out and probe_rc.
run_probe () {
    "$python" "$probe" "$dir/pairs" "$1" "$timeout" > "$dir/probe.out" &
    probe_pid=$!
    wait "$probe_pid"; probe_rc=$?
    probe_pid=
    probe_out=$(cat "$dir/probe.out")
}

# ---------------------------------------------------------------------
# The topology, shared by both sides.

# vm_net J: network of VM J (0-based).  vm_ip, vm_mac: its addresses.
vm_net () { echo $(( $1 % nets )); }
vm_ip () { echo "10.0.$(( $1 / 250 )).$(( $1 % 250 + 1 ))"; }
vm_mac () { printf '02:00:0a:00:%02x:%02x\n' $(( $1 / 256 )) $(( $1 % 256 )); }
# vm_hv J: hypervisor number (1-based) of VM J.
vm_hv () { echo $(( $1 / vms + 1 )); }

# write_pairs FILE: the probe's pairs (see the header).
write_pairs () {
    awk -v hvs="$hvs" -v vms="$vms" -v nets="$nets" -v peers="$peers" '
    function ip(j) { return "10.0." int(j / 250) "." (j % 250 + 1) }
    BEGIN {
        total = hvs * vms
        for (j = 0; j < total; j++) {
            n = j % nets
            members[n] = members[n] " " j
        }
        srand(7)
        for (j = 0; j < total; j++) {
            n = j % nets
            delete chosen
            cnt = 0
            if (peers == "all") {
                m = split(members[n], list, " ")
                for (k = 1; k <= m; k++)
                    if (list[k] != j) { chosen[list[k]] = 1 }
            } else {
                # Next VM of the network on the same hypervisor.
                for (k = j + 1; k < total && int(k / vms) == int(j / vms); k++)
                    if (k % nets == n) { chosen[k] = 1; cnt++; break }
                # The first of its network from the same slot on the
                # next hypervisor.
                for (k = (j + vms) % total; k % nets != n; k = (k + 1) % total)
                    ;
                if (k != j && !(k in chosen)) { chosen[k] = 1; cnt++ }
                m = split(members[n], list, " ")
                tries = 0
                while (cnt < peers && tries++ < 100 && m > 1) {
                    k = list[1 + int(rand() * m)]
                    if (k != j && !(k in chosen)) { chosen[k] = 1; cnt++ }
                }
            }
            for (k in chosen)
                print "vm" j, ip(k), 1
            if (nets > 1) {
                k = (j + 1) % total      # Always in the next network.
                print "vm" j, ip(k), 0
            }
        }
    }' > "$1"
}

# create_vms: every VM's namespace, addresses and veth, up and unplugged
# (the hypervisor end named vmJ, in hvN).
create_vms () {
    local j hv
    for j in $(seq 0 $((hvs * vms - 1))); do
        hv=hv$(vm_hv "$j")
        dt_netns_add "vm$j" || return 1
        ip -n "$hv" link add "vm$j" mtu 1450 type veth peer name eth0 \
            netns "vm$j" || return 1
        ip netns exec "vm$j" sh -c "
            sysctl -qw net.ipv6.conf.all.disable_ipv6=1 \
                net.ipv6.conf.default.disable_ipv6=1 \
                net.ipv6.conf.eth0.disable_ipv6=1
            ip link set lo up
            ip link set eth0 address $(vm_mac "$j") mtu 1450
            ip addr add $(vm_ip "$j")/16 dev eth0
            ethtool -K eth0 tx off >/dev/null 2>&1
            ip link set eth0 up" || return 1
        ip netns exec "$hv" sh -c "
            sysctl -qw net.ipv6.conf.vm$j.disable_ipv6=1
            ip link set vm$j up" || return 1
        vm_mac "$j" > "$DT_RUNDIR/vm-vm$j.mac"
        vm_ip "$j" > "$DT_RUNDIR/vm-vm$j.ip"
        echo "$hv" > "$DT_RUNDIR/vm-vm$j.hv"
        test $(( (j + 1) % 100 )) = 0 && say "$((j + 1)) VMs created"
    done
    return 0
}

# plug_all: every hypervisor, at once, plugs its VMs into br-int in one
# ovs-vsctl transaction.
plug_all () {
    local n j args pids= rc=0 pid
    for n in $(seq "$hvs"); do
        args=
        for j in $(seq $(( (n - 1) * vms )) $(( n * vms - 1 ))); do
            args="$args -- add-port br-int vm$j -- set interface vm$j"
            args="$args external_ids:iface-id=vm$j"
            args="$args external_ids:attached-mac=$(vm_mac "$j")"
        done
        dt_vsctl "hv$n" $args &
        pids="$pids $!"
    done
    for pid in $pids; do
        wait "$pid" || rc=1
    done
    return $rc
}

# precheck: the probe, before anything is plugged, must get no answer.
precheck () {
    local out
    out=$("$python" "$probe" "$dir/pairs" "$(now)" 2 --expect-none) \
        || die "probe got answers before any port was plugged: $out"
    say "precheck: no answer before bring-up, as expected"
}

# report SIDE T0 CONFIG PLUG SYNC PROBE-JSON: one JSON line on stdout.
report () {
    local load
    load=$(cut -d' ' -f1 /proc/loadavg)
    printf '{"system":"%s","hvs":%d,"vms_per_hv":%d,"nets":%d,"config":%s,"plug":%s,"sync":%s,"load1":%s,"probe":%s}\n' \
        "$1" "$hvs" "$vms" "$nets" "$2" "$3" "${4:-null}" "$load" "$5" \
        | tee "$dir/$1.json"
}

# ---------------------------------------------------------------------
# dovetail.

run_dovetail () {
    local n j cmds t0 t1 t2
    say "dovetail: starting the database, the controller, $hvs hypervisors"
    dt_fabric_init "$dir/dovetail" || return 1
    dt_db_start || return 1
    dt_controller_start || return 1
    for n in $(seq "$hvs"); do
        dt_hv_start "$n" || return 1
    done
    dt_wait_until "test \$(ovs-appctl -t $DT_RUNDIR/dovetail-controller.ctl switch/list | grep -c ' synced ') = $hvs" \
        || { say "dovetail: not every switch connected"; return 1; }
    say "dovetail: creating $((hvs * vms)) VMs"
    create_vms || return 1
    precheck

    cmds=
    for n in $(seq 0 $((nets - 1))); do
        cmds="$cmds -- network-add net$n $((100 + n))"
    done
    for j in $(seq 0 $((hvs * vms - 1))); do
        cmds="$cmds -- --hypervisor=hv$(vm_hv "$j") --port=vm$j endpoint-add net$(vm_net "$j") vm$j $(vm_mac "$j") $(vm_ip "$j")"
    done

    say "dovetail: T0, configuring and plugging"
    t0=$(now)
    dovetail-ctl $cmds || return 1
    t1=$(now)
    plug_all || return 1
    t2=$(now)
    run_probe "$t0"
    report dovetail "$(elapsed "$t0" "$t1")" "$(elapsed "$t1" "$t2")" "" \
        "$probe_out"
    return $probe_rc
}

# ---------------------------------------------------------------------
# OVN.

# ovn_find: puts Debian's OVN programs in PATH (ovn_unpack put them in
# $ovn_root if they were nowhere).
ovn_find () {
    if ! command -v ovn-controller >/dev/null 2>&1; then
        test -x "$ovn_root/usr/bin/ovn-controller" \
            || { say "ovn: no ovn-controller"; return 1; }
        PATH=$PATH:$ovn_root/usr/bin
    fi
    ovn_schemas=$(dirname "$(command -v ovn-nbctl)")/../share/ovn
    test -e "$ovn_schemas/ovn-nb.ovsschema" \
        || ovn_schemas=/usr/share/ovn
}

ovn_nbctl () { ovn-nbctl --db=unix:"$DT_RUNDIR/nb.sock" "$@"; }
ovn_sbctl () { ovn-sbctl --db=unix:"$DT_RUNDIR/sb.sock" "$@"; }

# ovn_central_start: NB and SB ovsdb-servers and ovn-northd in the root
# netns, on Unix sockets (which ovn-controller reaches from any netns).
ovn_central_start () {
    local d=$DT_RUNDIR db
    for db in nb sb; do
        ovsdb-tool create "$d/$db.db" "$ovn_schemas/ovn-$db.ovsschema" \
            || return 1
        ovsdb-server --detach --no-chdir -vconsole:off \
            --pidfile="$d/$db.pid" --log-file="$d/$db.log" \
            --unixctl="$d/$db.ctl" --remote=punix:"$d/$db.sock" \
            "$d/$db.db" || return 1
    done
    ovn_nbctl init || return 1
    env OVN_RUNDIR="$d" ovn-northd --detach --no-chdir -vconsole:off \
        --pidfile="$d/northd.pid" --log-file="$d/northd.log" \
        --unixctl="$d/northd.ctl" \
        --ovnnb-db=unix:"$d/nb.sock" --ovnsb-db=unix:"$d/sb.sock"
}

# ovn_hv_start N: hypervisor hvN with the underlay side dt_hv_start gives
# it (dt_hv_phy_start) and its neighbours primed, but br-int belongs to
# ovn-controller: Geneve encapsulation from hvN's underlay address,
# userspace datapath.
ovn_hv_start () {
    local n=$1 hv=hv$1 d=$DT_RUNDIR/hv$1 ip
    ip=$(dt_hv_ip "$n")
    dt_hv_phy_start "$n" || return 1
    dt_vsctl "$hv" -- add-br br-int \
        -- set bridge br-int datapath_type=netdev fail-mode=secure \
               other-config:disable-in-band=true \
        -- set open_vswitch . external_ids:system-id="$hv" \
               external_ids:ovn-remote=unix:"$DT_RUNDIR/sb.sock" \
               external_ids:ovn-encap-type=geneve \
               external_ids:ovn-encap-ip="$ip" \
               external_ids:ovn-bridge-datapath-type=netdev || return 1
    dt_hv_prime_neighbours "$n"
    dt_hv_exec "$hv" env OVS_RUNDIR="$d" OVN_RUNDIR="$d" \
        ovn-controller --detach --no-chdir -vconsole:off \
        --pidfile="$d/ovn-controller.pid" \
        --log-file="$d/ovn-controller.log" unix:"$d/db.sock"
}

# ovn_tunnels_up: every hypervisor has a Geneve port to every other.
ovn_tunnels_up () {
    local n c
    for n in $(seq "$hvs"); do
        c=$(dt_vsctl "hv$n" --bare --columns=name find interface \
                type=geneve | grep -c .)
        test "$c" = $((hvs - 1)) || return 1
    done
}

run_ovn () {
    local n j cmds t0 t1 t2 syncpid sync
    ovn_find || return 1
    say "ovn: $(ovn-controller --version | head -1), Open vSwitch from $(dirname "$(command -v ovs-vswitchd)")"
    say "ovn: starting NB, SB, ovn-northd, $hvs hypervisors with ovn-controller"
    dt_fabric_init "$dir/ovn" || return 1
    ovn_central_start || return 1
    for n in $(seq "$hvs"); do
        ovn_hv_start "$n" || return 1
    done
    dt_wait_until "test \$(ovn_sbctl --bare --columns=name list chassis | grep -c .) = $hvs" \
        || { say "ovn: not every chassis registered"; return 1; }
    if test "$hvs" -gt 1; then
        dt_wait_until ovn_tunnels_up \
            || { say "ovn: Geneve tunnels missing"; return 1; }
    fi
    ovn_nbctl --timeout=60 --wait=hv sync || return 1
    say "ovn: creating $((hvs * vms)) VMs"
    create_vms || return 1
    precheck

    cmds=
    for n in $(seq 0 $((nets - 1))); do
        cmds="$cmds -- ls-add net$n"
    done
    for j in $(seq 0 $((hvs * vms - 1))); do
        cmds="$cmds -- lsp-add net$(vm_net "$j") vm$j -- lsp-set-addresses vm$j \"$(vm_mac "$j") $(vm_ip "$j")\""
    done

    say "ovn: T0, configuring and plugging"
    t0=$(now)
    eval ovn_nbctl $cmds || return 1
    t1=$(now)
    plug_all || return 1
    t2=$(now)
    (ovn_nbctl --timeout="$timeout" --wait=hv sync \
        && now > "$DT_RUNDIR/sync.time") &
    syncpid=$!
    run_probe "$t0"
    wait "$syncpid"
    sync=null
    test -s "$DT_RUNDIR/sync.time" \
        && sync=$(elapsed "$t0" "$(cat "$DT_RUNDIR/sync.time")")
    report ovn "$(elapsed "$t0" "$t1")" "$(elapsed "$t1" "$t2")" "$sync" \
        "$probe_out"
    return $probe_rc
}

# ---------------------------------------------------------------------

say "$hvs hypervisors x $vms VMs, $nets networks, peers $peers; files in $dir"
write_pairs "$dir/pairs"
say "$(awk '$3 == 1' "$dir/pairs" | wc -l) pairs must answer, $(awk '$3 == 0' "$dir/pairs" | wc -l) must not"
status=0
for side in $sides; do
    case $side in
    dovetail) run_dovetail || { say "dovetail: FAILED"; status=1; } ;;
    ovn) run_ovn || { say "ovn: FAILED"; status=1; } ;;
    *) die "unknown side $side" ;;
    esac
    stop_side
    DT_RUNDIR=
done

if test -s "$dir/dovetail.json" && test -s "$dir/ovn.json"; then
    "$python" - "$dir/dovetail.json" "$dir/ovn.json" <<'EOF'
import json, sys
d, o = (json.load(open(f)) for f in sys.argv[1:3])
df, of = d["probe"]["full"], o["probe"]["full"]
print(json.dumps({"ratio_ovn_over_dovetail":
                  round(of / df, 2) if df and of else None,
                  "dovetail_full": df, "ovn_full": of,
                  "hvs": d["hvs"], "vms_per_hv": d["vms_per_hv"]}))
EOF
fi
exit $status
