#! /bin/sh
# dovetail-bench-policy.sh: the policy-service benchmark of
# Documentation/performance.rst, end to end.
#
# Starts a fresh ovsdb-server with the dovetail schema, dovetail-controller
# pinned to CPU $DT_BENCH_CTL_CPU (default 0), and ovs-testcontroller and
# "dovetail-bench reflect" (a controller that answers without resolving)
# pinned to the same CPU, and runs "dovetail-bench policy" pinned to CPU
# $DT_BENCH_CPU (default 1):
#
#   - closed loop against dovetail-controller;
#   - open loop at each rate in $DT_BENCH_RATES against dovetail-controller
#     and then against the reflector (whose open-loop runs warm up for 2 s
#     only: it has no caches);
#   - closed loop against ovs-testcontroller and against the reflector.
#
# It prints one JSON line per run to stdout; the text summaries, the
# ratios of the closed loops and what dovetail-controller and the
# reflector spent an answer in their closed loops (their own code and the
# kernel, from /proc) to stderr.  It writes latency.dat,
# latency-reflect.dat and, if gnuplot is installed, latency.png (latency
# percentiles against offered load, the reflector's p50 and p99 dashed)
# in the work directory, and stops everything it started.
#
# Before that it runs "dovetail-bench noise" on both CPUs at once for
# $DT_BENCH_SECONDS: how much of each core a spinning thread did not get,
# the floor under the latency tails that follow.
#
# The defaults are the measurement of Documentation/performance.rst.
# Environment: DT_BENCH_DIR (work directory, default a new temporary
# one), DT_BENCH_SECONDS (per run, default 5), DT_BENCH_WARMUP (seconds
# sent before each measured run, so that the controller's policy caches
# have grown to their steady size, default 20: at least the TTL of 1 s
# plus the 2 s an entry is kept after it, and caches of millions of
# entries took about 20 s to grow on the development machine),
# DT_BENCH_ARGS (extra arguments for every dovetail-bench run, default
# "--endpoints=60000 --domains=64": 3.84M keys a switch, so that every
# request is for a key the controller does not hold up to 5.1M/s),
# DT_BENCH_RATES (default "5000 50000 100000 250000 500000"),
# DT_BENCH_TC_ARGS (extra
# arguments for the ovs-testcontroller run, default "--endpoints=1000":
# ovs-testcontroller drops replies beyond 10 queued per switch, so the
# MAC-learning burst of a larger fabric loses packet-outs),
# DT_BENCH_REFLECT_ARGS (extra arguments for the reflector's runs, after
# DT_BENCH_ARGS, default "--endpoints=80000": 5.12M keys a switch, so that
# no request waits for a key to be free again up to 10M/s).  Needs
# dovetail-bench,
# dovetail-controller, ovsdb-server, ovsdb-tool, ovs-testcontroller and
# taskset in PATH.
set -e

srcdir=$(cd "$(dirname "$0")/.." && pwd)
schema=${DT_SCHEMA:-$srcdir/lib/dovetail.ovsschema}
dir=${DT_BENCH_DIR:-$(mktemp -d /tmp/dovetail-bench.XXXXXX)}
ctl_cpu=${DT_BENCH_CTL_CPU:-0}
bench_cpu=${DT_BENCH_CPU:-1}
seconds=${DT_BENCH_SECONDS:-5}
warmup=${DT_BENCH_WARMUP:-20}
rates=${DT_BENCH_RATES:-5000 50000 100000 250000 500000}
args=${DT_BENCH_ARGS---endpoints=60000 --domains=64}
tc_args=${DT_BENCH_TC_ARGS:---endpoints=1000}
reflect_args=${DT_BENCH_REFLECT_ARGS---endpoints=80000}

mkdir -p "$dir"
cd "$dir"
stop () {
    for pid in db.pid ctl.pid tc.pid reflect.pid; do
        test -e $pid && kill "$(cat $pid)" 2>/dev/null || :
    done
}
trap stop EXIT

# The machine's share of the tail: both cores at once, as in the runs.
taskset -c "$ctl_cpu" dovetail-bench noise --format=json \
    --seconds="$seconds" > noise-ctl.json &
taskset -c "$bench_cpu" dovetail-bench noise --format=json \
    --seconds="$seconds" > noise-bench.json
wait
for f in noise-ctl.json noise-bench.json; do
    cat $f
    echo "== dovetail-bench noise: $(sed 's/,"/\n  "/g' $f | grep -E '"(cpu|gaps|max_gap_us|lost_fraction|preemptions|steal_ms)"' | tr -d '\n')" >&2
done

rm -f dovetail.db
ovsdb-tool create dovetail.db "$schema"
ovsdb-server --detach --no-chdir --pidfile="$dir/db.pid" \
    --log-file="$dir/db.log" --unixctl="$dir/db.ctl" \
    --remote=punix:"$dir/db.sock" dovetail.db
taskset -c "$ctl_cpu" dovetail-controller --db=unix:"$dir/db.sock" \
    --detach --no-chdir --pidfile="$dir/ctl.pid" --log-file="$dir/ctl.log" \
    --unixctl="$dir/ctl.ctl" --packet-in-rate=100000000 \
    --packet-in-burst=100000000 punix:"$dir/ctl.sock"
taskset -c "$ctl_cpu" ovs-testcontroller --detach --no-chdir \
    --pidfile="$dir/tc.pid" --log-file="$dir/tc.log" \
    --unixctl="$dir/tc.ctl" punix:"$dir/tc.sock"
taskset -c "$ctl_cpu" dovetail-bench reflect --detach --no-chdir \
    --pidfile="$dir/reflect.pid" --log-file="$dir/reflect.log" \
    --unixctl="$dir/reflect.ctl" punix:"$dir/reflect.sock"

bench () {
    taskset -c "$bench_cpu" dovetail-bench policy --format=json \
        --seconds="$seconds" --warmup="$warmup" $args "$@" > run.json
    cat run.json
    {
        echo "== dovetail-bench policy $*"
        sed 's/,"/\n  "/g' run.json | grep -E '"(rate|answered|wrong|fresh|refreshes|p50|p99|p99.9|bench_cpu_ns_per_request|checks_decoded)"'
    } >&2
}

# cpu_split NAME PID COUNT: in the background, once the number that
# function COUNT prints has started to grow, waits for the warm-up and then
# writes to cpu-NAME.txt what process PID spent per counted answer over
# the next $seconds - 1 seconds (half of $seconds for a run of 2 s or
# less; within the measured run): user and kernel
# time, from /proc/PID/stat, and the rate counted.  Sets split_pid, to be
# killed once the run is over (a run too short to measure never ends it).
cpu_split () {
    (
        name=$1 pid=$2 count=$3
        c0=$($count) || exit 0
        while c=$($count) && test "$c" -le $((c0 + 1000)); do
            sleep 0.2
        done
        sleep "$warmup"
        set -- $(awk '{print $14, $15}' /proc/$pid/stat)
        u1=$1 s1=$2 c1=$($count) t1=$(date +%s.%N)
        sleep "$(awk -v s="$seconds" 'BEGIN { print (s > 2 ? s - 1 : s / 2) }')"
        set -- $(awk '{print $14, $15}' /proc/$pid/stat)
        u2=$1 s2=$2 c2=$($count) t2=$(date +%s.%N)
        awk -v name="$name" -v u=$((u2 - u1)) -v s=$((s2 - s1)) \
            -v n=$((c2 - c1)) -v hz="$(getconf CLK_TCK)" -v t1="$t1" \
            -v t2="$t2" 'BEGIN {
                if (n <= 0) {
                    printf "%s: no answers counted in the window, too " \
                           "short a run to tell\n", name
                    exit
                }
                printf "%s: %.0f answers/s, %.0f ns an answer in its own " \
                       "code, %.0f in the kernel\n", name, n / (t2 - t1),
                       u * 1e9 / hz / n, s * 1e9 / hz / n }' > "cpu-$name.txt"
    ) &
    split_pid=$!
}

# field NAME: the number after "NAME": in run.json.
field () {
    sed -n "s/.*\"$1\":\([0-9.e+-]*\).*/\1/p" run.json
}

# ctl_quiet: waits (up to a minute) until dovetail-controller has let go
# of every switch of the run before and freed their flow tables, a batch
# a pass ("flows-to-free" in memory/show): about 1.3 s of its core for the
# 4 switches of 60000 endpoints, which it would take from the program
# measured next on the same core.
ctl_quiet () {
    for i in $(seq 600); do
        test -z "$(ovs-appctl -t "$dir/ctl.ctl" switch/list 2>/dev/null)" \
            && ! ovs-appctl -t "$dir/ctl.ctl" memory/show 2>/dev/null \
                 | grep -q flows-to-free \
            && return
        sleep 0.1
    done
    echo "dovetail-bench-policy.sh: dovetail-controller still has" \
         "switches after a minute" >&2
}

dovetail_count () {
    ovs-appctl -t "$dir/ctl.ctl" coverage/read-counter pcache_miss
}
cpu_split dovetail-controller "$(cat ctl.pid)" dovetail_count
bench --db=unix:"$dir/db.sock" unix:"$dir/ctl.sock"
kill $split_pid 2>/dev/null || :     # A run too short to measure.
wait
dovetail=$(field rate)
: > latency.dat
: > latency-reflect.dat
for rate in $rates; do
    bench --db=unix:"$dir/db.sock" --rate="$rate" unix:"$dir/ctl.sock"
    echo "$rate $(field rate) $(field p50) $(field p90) $(field p99) \
$(field p99.9)" >> latency.dat
    # The same load, at once, on a controller that does no work (and has
    # no caches to warm up): the tail the machine alone gives.
    ctl_quiet
    bench --target=reflect $reflect_args --warmup=2 --rate="$rate" \
        unix:"$dir/reflect.sock"
    echo "$rate $(field rate) $(field p50) $(field p90) $(field p99) \
$(field p99.9)" >> latency-reflect.dat
done
ctl_quiet
bench --target=testcontroller $tc_args unix:"$dir/tc.sock"
testcontroller=$(field rate)
reflect_count () {
    ovs-appctl -t "$dir/reflect.ctl" reflect/show \
        | sed -n 's/^answered: \([0-9]*\) .*/\1/p'
}
cpu_split reflect "$(cat reflect.pid)" reflect_count
bench --target=reflect $reflect_args unix:"$dir/reflect.sock"
kill $split_pid 2>/dev/null || :
wait
reflect=$(field rate)
echo "== closed loops: dovetail-controller $dovetail/s, ovs-testcontroller \
$testcontroller/s, reflect $reflect/s; dovetail-controller is \
$(awk "BEGIN { printf \"%.1f\", $dovetail / $testcontroller }")x \
ovs-testcontroller and \
$(awk "BEGIN { printf \"%.2f\", $dovetail / $reflect }") of reflect" >&2
cat cpu-dovetail-controller.txt cpu-reflect.txt 2>/dev/null \
    | sed 's/^/== CPU over the measured closed loop: /' >&2

# The plot: latency percentiles against offered load (open loop).
if command -v gnuplot >/dev/null && test -s latency.dat; then
    gnuplot <<GNUPLOT
set terminal pngcairo size 900,600
set rmargin 6
set output "$dir/latency.png"
set title "dovetail-controller: policy resolution latency, open loop"
set xlabel "offered load (resolutions/s)"
set ylabel "latency (us)"
set logscale y
set key top left
set grid
plot "$dir/latency.dat" using 1:3 with linespoints title "p50", \
     "" using 1:4 with linespoints title "p90", \
     "" using 1:5 with linespoints title "p99", \
     "" using 1:6 with linespoints title "p99.9", \
     "$dir/latency-reflect.dat" using 1:3 with linespoints dashtype 2 \
         title "p50, reflect (no work)", \
     "" using 1:5 with linespoints dashtype 2 title "p99, reflect (no work)"
GNUPLOT
    echo "plot: $dir/latency.png (data: $dir/latency.dat," \
         "$dir/latency-reflect.dat)" >&2
else
    echo "no plot (gnuplot not installed: apt-get install gnuplot-nox)" >&2
fi
