#! /bin/bash
# dovetail-bench-fabric.sh: the fabric measurements of
# Documentation/performance.rst ("Migration", "Data path", "Memory"), on the
# test suite's fabric (utilities/dovetail-fabric.sh: network namespaces as
# hypervisors and VMs, one userspace ovs-vswitchd per hypervisor).
#
#   dovetail-bench-fabric.sh [migration|datapath|memory|all]...  (default all)
#
# migration  Two VMs on hv1 and hv2 ping each other at 100 pps (400 pings
#            each way per migration) while vm1 live-migrates
#            (dt_vm_migrate) hv1 -> hv3 -> hv1 ... $DT_BENCH_MIGRATIONS
#            times (default 20), as in tests/migration.at.  Per migration,
#            times in ms from the moment vm1 is stopped: lost and
#            duplicated pings each way; the blackout (stopped to resumed);
#            "located", when "dps/resolve" in the controller first names
#            the new hypervisor (polled every 10 ms or so); each way, the
#            first reply after the blackout (the one that ends the longest
#            gap between replies) and that gap; "converge", the latest of
#            "located" and the two first replies.  Then a summary with
#            min/median/max of each.
# datapath   TCP throughput (iperf3, $DT_BENCH_IPERF_SECONDS each, default
#            10, both directions) between two VMs on two hypervisors (VXLAN
#            overlay) and two VMs on one hypervisor, through the dovetail
#            pipeline and through a plain NORMAL br-int (no controller,
#            one VXLAN port with a fixed remote_ip and key between the two
#            hypervisors) in the same fabric shape; and the datapath flows
#            (dpctl/dump-flows on hv1, flushed first) while iperf3 runs and
#            while $DT_BENCH_PING_PAIRS (default 2) pairs across the
#            hypervisors ping, divided by the active pairs.  In
#            $DT_BENCH_DATAPATH_ROUNDS rounds (default 4), dovetail first
#            in odd rounds and NORMAL first in even ones (whichever runs
#            second tends to be faster), then per case and direction the
#            mean of each setup and their ratio.
# memory     dovetail-controller's RSS on an empty database, then with the
#            fabric "dovetail-bench policy" writes for each N in
#            $DT_BENCH_ENDPOINTS (default "10000 100000"): first with no
#            switch connected (the database replica and the policy
#            service), then with $DT_BENCH_SWITCHES (default 4) emulated
#            switches, one a hypervisor, connected and synced (add the
#            desired and installed flow tables; the bench then sends
#            policy misses at 200/s for $DT_BENCH_MEMORY_SECONDS, default
#            60, so that the synced state lasts long enough to be seen);
#            then the time from adding one endpoint
#            until every switch is in sync again.  When the switches would
#            have more ports each than an Open vSwitch bridge can number
#            (65278 endpoints a switch), the fabric has as many hypervisors
#            as it takes to stay below that, and the switch part is
#            skipped.  Each N uses a fresh database and controller.
#
# Progress goes to stderr, one JSON object per result to stdout.  Needs
# root: it re-executes itself under "unshare --net --mount", with a private
# /run/netns, so every namespace, veth and tap it creates lives in a
# network namespace of its own that goes away with it; on exit, even on a
# failure or a signal, it stops the fabric and kills every process it
# started (they all carry an environment tag naming its run directory).
#
# Environment: DT_BENCH_DIR (run directory, default a new
# /tmp/dovetail-bench-fabric.XXXXXX; kept, with every log), DT_SCHEMA and
# DT_OVS_SCHEMA (the dovetail and Open vSwitch schemas; defaults from this
# source tree and from the ovs-vswitchd in PATH), DT_BENCH_MIGRATIONS,
# DT_BENCH_IPERF_SECONDS, DT_BENCH_DATAPATH_ROUNDS, DT_BENCH_PING_PAIRS,
# DT_BENCH_ENDPOINTS, DT_BENCH_SWITCHES, DT_BENCH_MEMORY_SECONDS.  Needs
# dovetail-controller, dovetail-ctl, dovetail-bench, ovsdb-server,
# ovsdb-tool, ovs-vswitchd, ovs-vsctl, ovs-ofctl, ovs-appctl, iperf3,
# ping, python3, unshare and nsenter in PATH.

srcdir=$(cd "$(dirname "$0")/.." && pwd)
self=$srcdir/utilities/$(basename "$0")

say () { echo "dovetail-bench-fabric: $*" >&2; }
die () { say "$*"; exit 1; }

# ---------------------------------------------------------------------
# Outside: check, then enter a network and mount namespace of our own.

if test -z "$DT_BENCH_FABRIC_INNER"; then
    test "$(id -u)" = 0 || die "needs root (network namespaces)"
    for cmd in dovetail-controller dovetail-ctl dovetail-bench ovsdb-server \
               ovsdb-tool ovs-vswitchd ovs-vsctl ovs-ofctl ovs-appctl iperf3 \
               python3 unshare nsenter; do
        command -v $cmd >/dev/null || die "$cmd: not in PATH"
    done
    for var in DT_BENCH_MIGRATIONS DT_BENCH_IPERF_SECONDS \
               DT_BENCH_DATAPATH_ROUNDS DT_BENCH_PING_PAIRS DT_BENCH_SWITCHES \
               DT_BENCH_MEMORY_SECONDS; do
        case ${!var-1} in
        '' | *[!0-9]* | 0) die "$var=${!var}: not a positive integer" ;;
        esac
    done
    for arg; do
        case $arg in
        migration|datapath|memory|all) ;;
        *) sed -n '7p' "$0" | sed 's/^#   /usage: /' >&2; exit 2 ;;
        esac
    done
    DT_BENCH_DIR=${DT_BENCH_DIR:-$(mktemp -d /tmp/dovetail-bench-fabric.XXXXXX)}
    mkdir -p "$DT_BENCH_DIR" || exit 1
    DT_BENCH_DIR=$(cd "$DT_BENCH_DIR" && pwd)
    say "run directory $DT_BENCH_DIR"
    DT_BENCH_FABRIC_INNER=1 DT_BENCH_DIR=$DT_BENCH_DIR \
        exec unshare --net --mount --propagation private bash "$self" "$@"
fi

# ---------------------------------------------------------------------
# Inside.

dir=$DT_BENCH_DIR
tag=DT_BENCH_FABRIC=$dir
migrations=${DT_BENCH_MIGRATIONS:-20}
iperf_seconds=${DT_BENCH_IPERF_SECONDS:-10}
datapath_rounds=${DT_BENCH_DATAPATH_ROUNDS:-4}
ping_pairs=${DT_BENCH_PING_PAIRS:-2}
endpoints=${DT_BENCH_ENDPOINTS:-10000 100000}
switches=${DT_BENCH_SWITCHES:-4}
memory_seconds=${DT_BENCH_MEMORY_SECONDS:-60}
# The most endpoints "dovetail-bench policy" puts on one switch: an Open
# vSwitch bridge numbers its ports below OFPP_MAX (65280), and the bench's
# first endpoint port is 2.
max_ports=65278

: "${DT_SCHEMA:=$srcdir/lib/dovetail.ovsschema}"
if test -z "$DT_OVS_SCHEMA"; then
    for f in "$(dirname "$(command -v ovs-vswitchd)")/vswitch.ovsschema" \
             /usr/share/openvswitch/vswitch.ovsschema; do
        test -e "$f" && { DT_OVS_SCHEMA=$f; break; }
    done
fi
test -e "$DT_OVS_SCHEMA" || die "no vswitch.ovsschema: set DT_OVS_SCHEMA"
export DT_SCHEMA DT_OVS_SCHEMA

mkdir -p /run/netns && mount -t tmpfs -o size=1m,mode=755 dt-bench /run/netns \
    || die "cannot mount a private /run/netns"
ip link set lo up

# Everything that runs in the fabric carries the tag, so that cleanup finds
# it wherever it is.
dt_root () {
    env "$tag" "$@"
}
. "$srcdir/utilities/dovetail-fabric.sh" || die "cannot source dovetail-fabric.sh"

# tagged_pids: every process carrying this run's tag.
tagged_pids () {
    grep -lzxF "$tag" /proc/[0-9]*/environ 2>/dev/null \
        | sed 's,^/proc/\([0-9]*\)/environ$,\1,' | grep -vx "$$"
}

# cleanup: stops the fabric (if any) and kills whatever of ours is left.
cleanup () {
    trap - EXIT INT TERM
    if test -n "$DT_RUNDIR"; then
        DT_TIMEOUT=3 dt_fabric_stop
    fi
    local i=0 pids
    while pids=$(tagged_pids) && test -n "$pids" && test $i -lt 50; do
        kill -9 $pids 2>/dev/null
        i=$((i + 1))
        sleep 0.1
    done
    for f in /run/netns/*; do
        test -e "$f" && ip netns del "${f##*/}" 2>/dev/null
    done
    umount /run/netns 2>/dev/null
    say "done; logs in $dir"
}
trap cleanup EXIT
trap 'say "interrupted"; exit 1' INT TERM

# ---------------------------------------------------------------------
# Helpers.

now_ns () { date +%s%N; }

# in_bg CMD...: runs CMD in the background and waits for it, so that a
# signal interrupts the wait (bash runs traps only between commands).
in_bg () {
    "$@" &
    wait $!
}

ctl_appctl () {
    ovs-appctl --timeout=10 -t "$DT_RUNDIR/dovetail-controller.ctl" "$@"
}

# wait_synced N: until the controller reports N switches in sync.
wait_synced () {
    DT_TIMEOUT=${2:-30} dt_wait_until \
        "test \$(ctl_appctl switch/list | grep -c ' synced ') = $1"
}

# median/min/max of numbers on stdin, as a JSON fragment.
stats_json () {
    sort -n | awk -v name="$1" '
        { v[NR] = $1 }
        END {
            if (!NR) { printf "\"%s\":null", name; exit }
            m = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
            printf "\"%s\":{\"min\":%s,\"median\":%s,\"max\":%s}", \
                   name, v[1], m, v[NR]
        }'
}

# fabric_start NAME: a fresh fabric in $dir/NAME.
fabric_start () {
    unset DOVETAIL_DB
    dt_fabric_init "$dir/$1" || die "$1: cannot create the underlay"
}

# fabric_stop: stops the current fabric.
fabric_stop () {
    DT_TIMEOUT=3 dt_fabric_stop
    DT_RUNDIR=
}

# dovetail_fabric NHV: database, controller, hypervisors hv1..hvNHV, and
# network blue (VNI 100).
dovetail_fabric () {
    local n
    dt_db_start || die "cannot start the dovetail database"
    dt_controller_start >/dev/null 2>&1 || die "cannot start the controller"
    for n in $(seq "$1"); do
        dt_hv_start "$n" || die "cannot start hv$n"
    done
    dovetail-ctl network-add blue 100 || die "network-add failed"
}

# vm_add VM HV I: VM with MAC 02:00:00:00:00:I and IP 10.0.0.I, on HV, and
# (with a database) its endpoint in network blue.
vm_add () {
    local mac ip
    mac=$(printf '02:00:00:00:00:%02x' "$3"); ip=10.0.0.$3
    dt_vm_add "$1" "$2" "$mac" "$ip/24" || die "cannot add $1"
    if test -n "$DOVETAIL_DB"; then
        dovetail-ctl -- --hypervisor="$2" --port="$1" \
            endpoint-add blue "$1" "$mac" "$ip" || die "endpoint-add $1"
    fi
}

# ping_check VM DST: three pings must get through.
ping_check () {
    dt_vm_exec "$1" ping -q -n -c 3 -i 0.1 -W 2 "$2" >/dev/null \
        || die "$1 cannot ping $2"
}

# ---------------------------------------------------------------------
# Migration.

# reply_gap FILE T0: the longest gap between replies in ping output FILE
# (ping -D) received after T0 - 0.2 s: the receive times (ns) of the
# replies before and after it, "START END".
reply_gap () {
    awk -v t0="$2" '
        /icmp_seq=.*time=/ && !/DUP!/ {
            t = substr($1, 2, length($1) - 2)
            if (t * 1e9 < t0 - 2e8) next
            if (prev != "" && t - prev > gap) {
                gap = t - prev; start = prev; end = t
            }
            prev = t
        }
        END { if (end != "") printf "%.0f %.0f\n", start * 1e9, end * 1e9 }' "$1"
}

# gap_ms "START END": END - START in ms, or null.
gap_ms () {
    test -n "$1" && echo $(((${1#* } - ${1% *}) / 1000000)) || echo null
}

# summary_json SUMMARY: "transmitted=N received=N lost=N duplicates=N" as
# a JSON object.
summary_json () {
    echo "$1" | sed 's/^/{"/; s/=/":/g; s/ /,"/g; s/$/}/'
}

bench_migration () {
    local i target t0 t1 tl b to from r_to r_from located conv
    say "migration: building the fabric (3 hypervisors, vm1 on hv1, vm2 on hv2)"
    fabric_start migration
    dovetail_fabric 3
    vm_add vm1 hv1 1
    vm_add vm2 hv2 2
    DT_TIMEOUT=30 dt_wait_until "dt_ofctl hv2 --no-stats dump-flows br-int \
        | grep -qE 'table=10,.*arp_tpa=10.0.0.1[, ].*actions=move'" \
        || die "migration: hv2 never got vm1's flows"
    wait_synced 3 || die "migration: the switches never synced"
    ping_check vm1 10.0.0.2

    : > "$DT_RUNDIR/migrations.json"
    target=hv1
    for i in $(seq "$migrations"); do
        if test "$target" = hv3; then target=hv1; else target=hv3; fi
        dt_ping_start to$i vm2 10.0.0.1 0.01 400
        dt_ping_start from$i vm1 10.0.0.2 0.01 400
        DT_TIMEOUT=30 dt_wait_until "test \$(grep -c 'icmp_seq=.*time=' \
            $DT_RUNDIR/ping-to$i.out) -ge 50 && test \$(grep -c \
            'icmp_seq=.*time=' $DT_RUNDIR/ping-from$i.out) -ge 50" \
            || die "migration $i: the pings do not get through"

        rm -f "$DT_RUNDIR/located$i" "$DT_RUNDIR/vm-vm1.migration"
        (
            until ctl_appctl dps/resolve blue vm1 vm1 2>/dev/null \
                  | grep -q "^location: $target "; do
                sleep 0.005
            done
            now_ns > "$DT_RUNDIR/located$i"
        ) &
        local poller=$! tc0 tc1 g_to g_from
        tc0=$(now_ns)
        b=$(dt_vm_migrate vm1 "$target") || say "migration $i: dt_vm_migrate failed"
        tc1=$(now_ns)
        # The move starts when the VM is stopped.
        read t0 t1 < "$DT_RUNDIR/vm-vm1.migration" || { t0=$tc0; t1=$tc1; }
        if ! DT_TIMEOUT=20 dt_wait_until "test -s $DT_RUNDIR/located$i"; then
            kill $poller 2>/dev/null
            say "migration $i: vm1 never located on $target"
        fi
        wait $poller 2>/dev/null
        tl=$(cat "$DT_RUNDIR/located$i" 2>/dev/null)
        to=$(dt_ping_wait to$i)
        from=$(dt_ping_wait from$i)
        g_to=$(reply_gap "$DT_RUNDIR/ping-to$i.out" "$t0")
        g_from=$(reply_gap "$DT_RUNDIR/ping-from$i.out" "$t0")
        ms () { test -n "$1" && echo $((($1 - t0) / 1000000)) || echo null; }
        located=$(ms "$tl")
        r_to=$(ms "${g_to#* }"); r_from=$(ms "${g_from#* }")
        conv=$(printf '%s\n' "$located" "$r_to" "$r_from" \
               | awk '$1 == "null" { bad = 1 } $1 > m { m = $1 }
                      END { print bad ? "null" : m + 0 }')
        printf '{"bench":"migration","n":%d,"to":"%s","blackout_ms":%s,"migrate_call_ms":%d,"located_ms":%s,"first_reply_vm2_vm1_ms":%s,"first_reply_vm1_vm2_ms":%s,"reply_gap_vm2_vm1_ms":%s,"reply_gap_vm1_vm2_ms":%s,"converge_ms":%s,"vm2_vm1":%s,"vm1_vm2":%s}\n' \
            "$i" "$target" "${b:-null}" $(((tc1 - tc0) / 1000000)) \
            "$located" "$r_to" "$r_from" \
            "$(gap_ms "$g_to")" "$(gap_ms "$g_from")" "$conv" \
            "$(summary_json "$to")" "$(summary_json "$from")" \
            | tee -a "$DT_RUNDIR/migrations.json"
        say "migration $i to $target: blackout ${b}ms located ${located}ms" \
            "converge ${conv}ms; vm2->vm1 $to; vm1->vm2 $from"
    done

    local m=$DT_RUNDIR/migrations.json field
    {
        printf '{"bench":"migration-summary","migrations":%d' "$migrations"
        for field in blackout_ms located_ms first_reply_vm2_vm1_ms \
                     first_reply_vm1_vm2_ms reply_gap_vm2_vm1_ms \
                     reply_gap_vm1_vm2_ms converge_ms; do
            printf ','
            sed -n "s/.*\"$field\":\([0-9]*\),.*/\1/p" "$m" | stats_json "$field"
        done
        for field in vm2_vm1 vm1_vm2; do
            printf ','
            sed -n "s/.*\"$field\":{[^}]*\"lost\":\([0-9]*\),.*/\1/p" "$m" \
                | stats_json "${field}_lost"
            printf ','
            sed -n "s/.*\"$field\":{[^}]*\"duplicates\":\([0-9]*\)}.*/\1/p" "$m" \
                | stats_json "${field}_duplicates"
        done
        echo '}'
    }
    fabric_stop
}

# ---------------------------------------------------------------------
# Data path.

# iperf SETUP CASE SERVER SERVER_IP CLIENT [-R]: one iperf3 run; prints
# its JSON result line and counts hv1's datapath flows while it runs.
iperf () {
    local setup=$1 case=$2 srv=$3 ip=$4 cli=$5 rev=$6 out bps flows pair
    out=$DT_RUNDIR/iperf-$case${rev:+-R}
    pair=$cli-$srv; test -n "$rev" && pair=$srv-$cli
    dt_vm_exec "$srv" iperf3 -s -1 -B "$ip" > "$out.server" 2>&1 &
    dt_wait_until "dt_vm_exec $srv ss -ltn | grep -q ':5201 '" \
        || die "iperf3 server in $srv did not start"
    dt_appctl hv1 dpctl/del-flows >/dev/null
    dt_vm_exec "$cli" iperf3 -J -c "$ip" -t "$iperf_seconds" $rev \
        > "$out.json" 2> "$out.err" &
    local client=$!
    sleep $((iperf_seconds / 2))
    dt_appctl hv1 dpctl/dump-flows > "$out.flows" 2>&1
    dt_appctl hv1 upcall/show > "$out.upcall" 2>&1
    wait $client
    wait
    flows=$(grep -c 'actions:' "$out.flows")
    bps=$(python3 -c '
import json, sys
r = json.load(open(sys.argv[1]))
print(r["end"]["sum_received"]["bits_per_second"])' "$out.json" 2>/dev/null)
    test -n "$bps" || { say "iperf3 $case $rev failed: $(cat "$out.err")"; bps=null; }
    printf '{"bench":"iperf3","setup":"%s","round":%d,"case":"%s","direction":"%s","seconds":%d,"bits_per_second":%s,"hv1_datapath_flows":%d,"active_pairs":1}\n' \
        "$setup" "$round" "$case" "$pair" "$iperf_seconds" "$bps" "$flows" \
        | tee -a "$dir/iperf.json"
    say "iperf3 $setup round $round $case $pair: $(awk -v b="$bps" 'BEGIN { printf "%.3f", b / 1e9 }') Gbit/s, hv1 datapath flows $flows"
}

# ping_flows SETUP: $ping_pairs pairs across the hypervisors ping (10 pps)
# for 3 s; prints hv1's datapath flow count divided by the pairs.
ping_flows () {
    local setup=$1 p flows
    dt_appctl hv1 dpctl/del-flows >/dev/null
    for p in $(seq "$ping_pairs"); do
        dt_ping_start pp$p vm$((2 * p + 1)) 10.0.0.$((2 * p + 2)) 0.1 30
    done
    sleep 2
    dt_appctl hv1 dpctl/dump-flows > "$DT_RUNDIR/ping.flows" 2>&1
    for p in $(seq "$ping_pairs"); do
        say "ping pair $p: $(dt_ping_wait pp$p)"
    done
    flows=$(grep -c 'actions:' "$DT_RUNDIR/ping.flows")
    printf '{"bench":"ping-flows","setup":"%s","round":%d,"active_pairs":%d,"hv1_datapath_flows":%d,"flows_per_pair":%s}\n' \
        "$setup" "$round" "$ping_pairs" "$flows" \
        "$(awk -v f="$flows" -v p="$ping_pairs" 'BEGIN { printf "%.2f", f / p }')"
    say "ping $setup round $round: $ping_pairs pairs, hv1 datapath flows $flows"
}

# datapath_vms: vm1 (hv1) and vm2 (hv2) for the iperf3 runs, vm9 (hv1)
# beside vm1, and the ping pairs vm(2p+1) (hv1) -> vm(2p+2) (hv2).
datapath_vms () {
    local p
    vm_add vm1 hv1 1
    vm_add vm2 hv2 2
    vm_add vm9 hv1 9
    for p in $(seq "$ping_pairs"); do
        vm_add vm$((2 * p + 1)) hv1 $((2 * p + 1))
        vm_add vm$((2 * p + 2)) hv2 $((2 * p + 2))
    done
}

datapath_runs () {
    local setup=$1
    ping_check vm1 10.0.0.2
    ping_check vm1 10.0.0.9
    iperf "$setup" two-hv vm2 10.0.0.2 vm1
    iperf "$setup" two-hv vm2 10.0.0.2 vm1 -R
    iperf "$setup" one-hv vm9 10.0.0.9 vm1
    iperf "$setup" one-hv vm9 10.0.0.9 vm1 -R
    ping_flows "$setup"
    dt_appctl hv1 coverage/show > "$DT_RUNDIR/hv1-coverage.txt" 2>&1
    dt_ofctl hv1 dump-flows br-int > "$DT_RUNDIR/hv1-br-int.flows" 2>&1
}

# datapath_dovetail: one round through the dovetail pipeline.
datapath_dovetail () {
    say "data path, round $round: dovetail pipeline (2 hypervisors)"
    fabric_start datapath-dovetail-$round
    dovetail_fabric 2
    datapath_vms
    wait_synced 2 || die "data path: the switches never synced"
    datapath_runs dovetail
    fabric_stop
}

# datapath_normal: one round through a NORMAL br-int.
datapath_normal () {
    local n
    say "data path, round $round: NORMAL br-int with one VXLAN port" \
        "(2 hypervisors)"
    fabric_start datapath-normal-$round
    for n in 1 2; do
        dt_hv_start "$n" || die "cannot start hv$n"
        dt_vsctl hv$n -- del-controller br-int \
            -- set bridge br-int fail-mode=standalone \
            -- del-port br-int vxlan0 -- del-port br-int geneve0 \
            -- del-port br-int gre0 \
            -- add-port br-int vx -- set interface vx type=vxlan \
                   options:remote_ip="$(dt_hv_ip $((3 - n)))" \
                   options:key=100 \
            || die "hv$n: cannot make br-int a NORMAL bridge"
        dt_ofctl hv$n del-flows br-int
        dt_ofctl hv$n add-flow br-int actions=NORMAL || die "hv$n: add-flow"
    done
    datapath_vms
    datapath_runs normal
    fabric_stop
}

# datapath_ratios: per case and direction, the mean throughput of each
# setup over the rounds and their ratio, from $dir/iperf.json.
datapath_ratios () {
    python3 - "$dir/iperf.json" <<'PYEOF'
import json, sys
runs = {}
for line in open(sys.argv[1]):
    r = json.loads(line)
    key = (r["case"], r["direction"])
    if r["bits_per_second"] is not None:
        runs.setdefault(key, {}).setdefault(r["setup"], []).append(
            r["bits_per_second"])
gbps = lambda b: "%.3f Gbit/s" % (b / 1e9) if b else "none"
for (case, direction), setups in runs.items():
    mean = {s: sum(v) / len(v) for s, v in setups.items()}
    d, n = mean.get("dovetail"), mean.get("normal")
    rounds = min(len(v) for v in setups.values())
    ratio = round(d / n, 3) if d and n else None
    print(json.dumps({
        "bench": "iperf3-ratio", "case": case, "direction": direction,
        "rounds": rounds, "dovetail_bits_per_second": d,
        "normal_bits_per_second": n, "ratio": ratio},
        separators=(",", ":")), flush=True)
    print("dovetail-bench-fabric: iperf3 %s %s, mean of %d rounds: "
          "dovetail %s, NORMAL %s, ratio %s"
          % (case, direction, rounds, gbps(d), gbps(n),
             "none" if ratio is None else ratio),
          file=sys.stderr, flush=True)
PYEOF
}

bench_datapath () {
    local round
    rm -f "$dir/iperf.json"
    for round in $(seq "$datapath_rounds"); do
        if test $((round % 2)) = 1; then
            datapath_dovetail
            datapath_normal
        else
            datapath_normal
            datapath_dovetail
        fi
    done
    datapath_ratios
}

# ---------------------------------------------------------------------
# Memory.

# rss_kb PID: resident set size in kB.
rss_kb () {
    sed -n 's/^VmRSS:[[:space:]]*\([0-9]*\).*/\1/p' "/proc/$1/status"
}

# memory_json N PHASE: one result line for the running controller.
memory_json () {
    local pid rss show
    pid=$(cat "$DT_RUNDIR/dovetail-controller.pid")
    rss=$(rss_kb "$pid")
    show=$(ctl_appctl memory/show 2>/dev/null | tr -d '\n')
    printf '{"bench":"memory","endpoints":%d,"phase":"%s","rss_kb":%d,"memory_show":"%s"}\n' \
        "$1" "$2" "$rss" "$show"
    say "memory N=$1 $2: RSS $rss kB ($show)"
}

installed_flows () {
    ctl_appctl memory/show | sed -n 's/.*installed-flows:\([0-9]*\).*/\1/p'
}

# memory_resynced FLOWS: every switch is in sync, with FLOWS installed in
# all.
memory_resynced () {
    test "$(installed_flows)" = "$1" \
        && test "$(ctl_appctl switch/list | grep -c ' synced ')" = "$switches"
}

# memory_resync N BENCH: one endpoint more in the synced fabric of N
# endpoints (dovetail-ctl, which reads the whole database first, is timed
# apart), and how long from its commit until every switch holds the
# endpoint's ARP answer and is in sync again (the controller computes every
# switch's flows again), while the bench whose pid is BENCH keeps the
# switches connected.
memory_resync () {
    local flows t0 t1 ctl_ms ms
    flows=$(installed_flows)
    t0=$(now_ns)
    dovetail-ctl endpoint-add bench bench-extra 02:be:ff:ff:ff:01 \
        10.255.255.1 > /dev/null || die "memory N=$1: endpoint-add failed"
    t1=$(now_ns)
    DT_TIMEOUT=600 dt_wait_until "memory_resynced $((flows + switches)) \
                                  || ! dt_pid_alive $2" \
        || die "memory N=$1: the switches never got the new endpoint"
    memory_resynced $((flows + switches)) \
        || die "memory N=$1: the bench ended before the switches had the" \
               "new endpoint: give more DT_BENCH_MEMORY_SECONDS"
    ms=$(( ($(now_ns) - t1) / 1000000 ))
    ctl_ms=$(( (t1 - t0) / 1000000 ))
    printf '{"bench":"memory","endpoints":%d,"phase":"endpoint-added","ctl_ms":%d,"resync_ms":%d}\n' \
        "$1" "$ctl_ms" "$ms"
    say "memory N=$1: one endpoint added (dovetail-ctl $ctl_ms ms)," \
        "$switches switches in sync again $ms ms after"
}

bench_memory () {
    local n t0
    for n in $endpoints; do
        fabric_start memory-$n
        dt_db_start || die "cannot start the dovetail database"
        dt_controller_start --packet-in-rate=100000000 \
            --packet-in-burst=100000000 >/dev/null 2>&1 \
            || die "cannot start the controller"
        DT_TIMEOUT=10 dt_wait_until "ctl_appctl dps/show >/dev/null 2>&1"
        sleep 1
        memory_json 0 empty

        # The fabric into the database; the bench then fails to reach its
        # (absent) target, which leaves the controller with no switch.
        # The bench gives each hypervisor at most max_ports endpoints, so
        # a fabric too large for $switches of them gets more.
        local hvs=$(( (n + max_ports - 1) / max_ports ))
        test $hvs -ge $switches || hvs=$switches
        if test $hvs = $switches; then
            say "memory N=$n: writing the fabric"
        else
            say "memory N=$n: writing the fabric over $hvs hypervisors" \
                "($switches would have more than $max_ports endpoints each)"
        fi
        t0=$(now_ns)
        in_bg dt_root dovetail-bench policy --db="$DOVETAIL_DB" \
            --endpoints="$n" --switches="$hvs" --requests=1 \
            unix:"$DT_RUNDIR/nowhere.sock" > "$DT_RUNDIR/load.out" 2>&1
        grep -q "^dovetail-bench: wrote $n of $n endpoints\$" \
                "$DT_RUNDIR/load.out" \
            || die "memory N=$n: the fabric was not written:" \
                   "$(grep -v '|timeval|' "$DT_RUNDIR/load.out" | tail -1)"
        DT_TIMEOUT=3600 dt_wait_until "ctl_appctl dps/show \
            | grep -q '^endpoints: $n\$'" \
            || die "memory N=$n: the controller never loaded the fabric"
        say "memory N=$n: loaded in $(( ($(now_ns) - t0) / 1000000 )) ms"
        sleep 2
        memory_json "$n" db-only

        # Four emulated switches, programmed and synced, on the same
        # fabric (not written again: that would churn every row), if
        # their ports fit on Open vSwitch bridges (below OFPP_MAX).
        if test $hvs != $switches; then
            say "memory N=$n: $switches switches would have" \
                "$(( (n + switches - 1) / switches ))" \
                "ports each, more than an Open vSwitch bridge can" \
                "number; no switch phase"
            fabric_stop
            continue
        fi
        say "memory N=$n: connecting $switches switches"
        t0=$(now_ns)
        dt_root dovetail-bench policy --db="$DOVETAIL_DB" --endpoints="$n" \
            --switches="$switches" --rate=200 \
            --requests=$((200 * memory_seconds)) --timeout=60 \
            --reuse-fabric \
            unix:"$DT_RUNDIR/controller.sock" \
            > "$DT_RUNDIR/bench.out" 2>&1 &
        local bench=$!
        DT_TIMEOUT=3600 dt_wait_until "! dt_pid_alive $bench || test \
            \$(ctl_appctl switch/list 2>/dev/null | grep -c ' synced ') = $switches"
        if dt_pid_alive $bench; then
            say "memory N=$n: $switches switches synced in $(( ($(now_ns) - t0) / 1000000 )) ms"
            memory_json "$n" switches-synced
            memory_resync "$n" $bench
        else
            say "memory N=$n: the bench ended before the switches synced:" \
                "$(tail -1 "$DT_RUNDIR/bench.out")"
            memory_json "$n" switches-failed
        fi
        wait $bench
        memory_json "$n" after-bench
        fabric_stop
    done
}

# ---------------------------------------------------------------------

test $# -gt 0 || set -- all
for what; do
    case $what in
    migration) bench_migration ;;
    datapath) bench_datapath ;;
    memory) bench_memory ;;
    all) bench_migration; bench_datapath; bench_memory ;;
    esac
done
exit 0
