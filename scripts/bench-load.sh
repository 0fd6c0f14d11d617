#!/usr/bin/env bash
# Issue 11's load benchmark: strongSwan's load-tester plugin (in a stock charon-systemd) runs
# WARMUP + COUNT IKEv1 Main Mode (PSK) + Quick Mode handshakes against a responder on
# 127.0.0.1:500: ours (in-memory kernel) and strongSwan's own (charon-systemd with the
# same plugin answering and its fake kernel), interleaved (who goes first alternates), RUNS times, for three loads:
# MODP-2048, MODP-2048 with PFS (MODP-2048), ECP-256. Load-tester's settings: two initiator
# threads, init_limit 32, its fixed responder identity (so every MM5 carries INITIAL-CONTACT).
# Reports the medians of handshakes/s and of the responder's CPU (utime + stime from
# /proc/PID/stat) per handshake over the COUNT handshakes after the warm-up.
#
#   scripts/bench-load.sh [COUNT [WARMUP [RUNS]]]   # defaults 1000 200 3; needs root
#   results: isakmpd-daemon/target/bench-load/ (logs, results.txt, threads.txt: CPU by thread)
#   BENCH_LOAD_NO_BUILD=1 skips mvn; BENCH_LOAD_JAVA_OPTS adds JVM options to our responder;
#   BENCH_LOAD_LOADS="ecp256 ..." runs only those loads; BENCH_LOAD_WHO=ours (or strongswan) only that responder;
#   BENCH_LOAD_WHO=ha: ours only, with HA off and on interleaved (on: [ha] mode = "active-standby" and
#   a standby daemon on 127.0.0.3 with its sync link on 127.0.0.51-52; ha_pair below);
#   BENCH_LOAD_JAVA=path/to/java runs our responder on another JDK;
#   BENCH_LOAD_DAEMON_CONF="crypto-threads = 0" adds lines to its [daemon]
#   BENCH_LOAD_JAR=path/to/isakmpd.jar (with its lib/ beside it) runs another build, for before/after runs;
#   BENCH_LOAD_JFR=1 records our responder over the measured window (Java Flight Recorder, its
#   profile settings) into <load>-ours/window.jfr: for profiles, not for CPU figures (JFR costs CPU);
#   with HA on, the standby too, into <load>-ours-ha/standby-window.jfr; BENCH_LOAD_JFR=start records from
#   the JVM's start instead (-XX:StartFlightRecording, settings BENCH_LOAD_JFR_SETTINGS, default profile:
#   no recompilation at the window's start; the same files then hold everything up to the window's end);
#   BENCH_LOAD_STANDBY_JAVA_OPTS adds JVM options to the standby only (e.g. -XX:+PrintCompilation)
#
# Debian does not ship the load-tester plugin: the first run builds it from Debian's strongswan
# source package (same version as the installed charon) in /var/cache/isakmpd-bench-load and copies
# it next to the stock plugins. Nothing is installed into the kernel: both charons use the plugin's
# fake kernel (kernel-netlink only for addresses; no routes). Loopback only; bounded runs.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
COUNT=${1:-1000}
WARMUP=${2:-200}
RUNS=${3:-3}
OUT=$ROOT/isakmpd-daemon/target/bench-load
CACHE=/var/cache/isakmpd-bench-load
PLUGINS=/usr/lib/ipsec/plugins
PLUGIN=$PLUGINS/libstrongswan-load-tester.so
CHARON=/usr/sbin/charon-systemd
TICK_MS=$((1000 / $(getconf CLK_TCK)))
STALL_S=30   # a measurement without a new handshake for this long is reported, not waited for

build_plugin() {
    local version src
    version=$(dpkg-query -W -f='${Version}' libstrongswan)
    echo "building the load-tester plugin from strongswan $version (Debian source package)" >&2
    if ! grep -rqs '^Types: deb-src' /etc/apt/sources.list.d/; then
        sed 's/^Types: deb$/Types: deb-src/' /etc/apt/sources.list.d/debian.sources \
            >/etc/apt/sources.list.d/isakmpd-bench-src.sources
    fi
    apt-get update -qq
    mkdir -p "$CACHE"
    (cd "$CACHE" && apt-get source -qq "strongswan=$version") >&2
    src=$(find "$CACHE" -maxdepth 1 -type d -name 'strongswan-*' | head -1)
    # Debian's paths and the options that change the layout of charon's structures (--enable-mediation:
    # daemon_t gains members under ME); the plugin needs no other library than the running charon's.
    (cd "$src" && ./configure -q --prefix=/usr --sysconfdir=/etc --libdir=/usr/lib --libexecdir=/usr/lib \
        --enable-mediation --enable-load-tester --disable-static >"$CACHE/configure.log" &&
        make -C src/libcharon/plugins/load_tester libstrongswan-load-tester.la >"$CACHE/make.log") >&2
    install -m 0644 "$src/src/libcharon/plugins/load_tester/.libs/libstrongswan-load-tester.so" "$PLUGIN"
}

# strongswan_conf FILE ROLE LOG IKE ESP [LOAD-TESTER KEYS...]: one charon-systemd instance, file log only
strongswan_conf() {
    local file=$1 role=$2 log=$3 ike=$4 esp=$5 port=500 natt=4500
    shift 5
    [ "$role" = initiator ] && port=5000 natt=5001
    cat >"$file" <<CONF
charon-systemd {
    port = $port
    port_nat_t = $natt
    # one address keeps up to init_limit + 2 Main Modes in flight: do not drop them
    block_threshold = 1000
    cookie_threshold = 1000
    init_limit_half_open = 0
    retransmit_tries = 5
    install_routes = no
    install_virtual_ip = no
    journal {
        default = -1
    }
    filelog {
        charon {
            path = $log
            time_format = %s
            append = no
            flush_line = yes
            default = 0
            ike = $([ "$role" = initiator ] && echo 1 || echo 0)
        }
    }
    load_modular = no
    load = random nonce openssl aes sha1 sha2 hmac gmp kdf drbg xcbc pem pkcs1 pkcs8 x509 pubkey load-tester kernel-netlink socket-default
    plugins {
        load-tester {
            enable = yes
            fake_kernel = yes
            version = 1
            initiator_auth = psk
            responder_auth = psk
            socket = unix://$OUT/$role.ldt
            proposal = $ike
            esp = $esp
            initiator_tsi = 10.2.0.0/16
            initiator_tsr = 10.1.0.0/16
$(printf '            %s\n' "$@")
        }
    }
}
CONF
}

# cpu_ms PID: utime + stime of the process so far
cpu_ms() {
    local f
    read -r -a f <"/proc/$1/stat"
    # fields after "(comm)": comm has no spaces here (java, charon-systemd)
    echo $(((f[13] + f[14]) * TICK_MS))
}
# thread_cpu PID: CPU ms so far per kind of thread of the process (compiler, GC, event loop ...)
thread_cpu() {
    local t name rest
    for t in /proc/"$1"/task/*; do
        read -r name <"$t/comm" 2>/dev/null || continue
        rest=$(<"$t/stat") || continue
        rest=${rest##*) }
        echo "${name//[ 0-9#]/} $(echo "$rest" | awk -v tick="$TICK_MS" '{ print ($12 + $13) * tick }')"
    done | awk '{ s[$1] += $2 } END { for (k in s) if (s[k] > 0) print k, s[k] }' | sort
}
now_ms() { date +%s%3N; }
established() { local n; n=$(grep -c 'CHILD_SA .* established' "$1" 2>/dev/null) || true; echo "${n:-0}"; }

# every process started here, stopped at exit whatever happens
PIDS=()
stop() {
    local i
    kill -TERM "$1" 2>/dev/null || true
    # a charon that sent thousands of Deletes can take minutes to tear down (seen: 7 min at 5,000 SAs)
    for i in $(seq 600); do kill -0 "$1" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$1" 2>/dev/null || true
    wait "$1" 2>/dev/null || true
}
trap 'for p in "${PIDS[@]}"; do stop "$p"; done' EXIT

# measure NAME PID IKE ESP DIR: the initiator against the responder PID; one line to raw.txt
measure() {
    local name=$1 rpid=$2 ike=$3 esp=$4 dir=$5 ipid n last=-1 t0 c0 i0 t1 c1 i1 deadline failed s0=0 s1=0
    strongswan_conf "$dir/initiator.conf" initiator "$dir/initiator.log" "$ike" "$esp" \
        "initiators = 2" "iterations = $(((WARMUP + COUNT) * 21 / 40))" "init_limit = 32" "responder = 127.0.0.1"
    STRONGSWAN_CONF=$dir/initiator.conf "$CHARON" >"$dir/initiator.stderr" 2>&1 &
    ipid=$!
    PIDS+=("$ipid")
    t0='' t1=''
    while :; do
        n=$(established "$dir/initiator.log")
        if [ "$n" != "$last" ]; then
            last=$n deadline=$(($(now_ms) + STALL_S * 1000))
        elif [ "$(now_ms)" -gt "$deadline" ]; then
            break
        fi
        if [ -z "$t0" ] && [ "$n" -ge "$WARMUP" ]; then
            t0=$(now_ms) c0=$(cpu_ms "$rpid") i0=$(cpu_ms "$ipid")
            [ -z "$STANDBY_PID" ] || s0=$(cpu_ms "$STANDBY_PID")
            thread_cpu "$rpid" >"$dir/threads.t0"
            jfr_window start "$rpid" "$dir/window.jfr"
            if [ -n "$STANDBY_PID" ]; then
                thread_cpu "$STANDBY_PID" >"$dir/standby-threads.t0"
                jfr_window start "$STANDBY_PID" "$dir/standby-window.jfr"
            fi
        fi
        if [ -n "$t0" ] && [ "$n" -ge $((WARMUP + COUNT)) ]; then
            t1=$(now_ms) c1=$(cpu_ms "$rpid") i1=$(cpu_ms "$ipid")
            [ -z "$STANDBY_PID" ] || s1=$(cpu_ms "$STANDBY_PID")
            thread_cpu "$rpid" >"$dir/threads.t1"
            jfr_window dump "$rpid" "$dir/window.jfr"
            if [ -n "$STANDBY_PID" ]; then
                thread_cpu "$STANDBY_PID" >"$dir/standby-threads.t1"
                jfr_window dump "$STANDBY_PID" "$dir/standby-window.jfr"
            fi
            break
        fi
        sleep 0.02
    done
    stop "$ipid"   # it deletes its SAs: a burst of Deletes (INFORMATIONAL [ HASH D ]) at the responder
    echo "window ${t0:-} ${t1:-} (epoch ms)" >"$dir/window.txt"   # to place JVM logs (-Xlog ...:time) in it
    failed=$(grep -oP 'QUICK_MODE response with message ID \d+ processing failed' "$dir/initiator.log" | sort -u | wc -l) || true
    [ "$failed" = 0 ] || echo "$name: $failed Quick Modes failed at the initiator (see $dir/initiator.log)" >&2
    if [ -z "$t1" ]; then
        echo "$name: only $(established "$dir/initiator.log") of $((WARMUP + COUNT)) handshakes, none for ${STALL_S}s" >&2
        echo "$name - - -" >>"$OUT/raw.txt"
        return
    fi
    # the initiator's CPU too: on these 2 cores, rate <= 2 cores / (initiator + responder CPU per handshake);
    # with HA on, the standby's CPU last
    awk -v n="$COUNT" -v ms=$((t1 - t0)) -v cpu=$((c1 - c0)) -v icpu=$((i1 - i0)) -v name="$name" \
        -v scpu=$((s1 - s0)) -v ha="$STANDBY_PID" 'BEGIN {
        printf "%s %.1f %.2f %.2f%s\n", name, n * 1000 / ms, cpu / n, icpu / n, ha == "" ? "" : sprintf(" %.2f", scpu / n) }' |
        tee -a "$OUT/raw.txt"
    # where the responder's CPU went over the window, per kind of thread (JIT compiler, GC, ...)
    by_thread "$dir/threads" "$name"
    [ ! -f "$dir/standby-threads.t1" ] || by_thread "$dir/standby-threads" "$name standby"
}

# by_thread PREFIX NAME: CPU ms per handshake by kind of thread between PREFIX.t0 and PREFIX.t1, to threads.txt
by_thread() {
    join -a 2 -e 0 -o 0,1.2,2.2 "$1.t0" "$1.t1" |
        awk -v n="$COUNT" '{ d = $3 - $2; if (d > 0) printf " %s %.2f", $1, d / n }
            END { print "" }' | sed "s/^/$2 ms\/handshake by thread:/" | tee -a "$OUT/threads.txt"
}

# jfr_window start|dump PID FILE: with BENCH_LOAD_JFR=1, Java Flight Recorder (profile settings) on
# our responder (or the standby) over the measured window only, written to FILE (charon is no JVM: nothing)
jfr_window() {
    [ -n "${BENCH_LOAD_JFR:-}" ] && [ "$(cat "/proc/$2/comm")" = java ] || return 0
    case $1:$BENCH_LOAD_JFR in
        start:start) ;;
        dump:start) jcmd "$2" JFR.dump name=1 filename="$3" >/dev/null ;;
        start:*) jcmd "$2" JFR.start name=window settings=profile >/dev/null ;;
        dump:*) jcmd "$2" JFR.stop name=window filename="$3" >/dev/null ;;
    esac
}
# jfr_opts: the JVM option of BENCH_LOAD_JFR=start (the daemon halts at its stop: no dump on exit)
jfr_opts() {
    [ "${BENCH_LOAD_JFR:-}" != start ] || echo "-XX:StartFlightRecording=settings=${BENCH_LOAD_JFR_SETTINGS:-profile}"
}

# rx_queue: bytes waiting in the receive queue of the socket on 127.0.0.1:500 (/proc/net/udp, hex)
rx_queue() {
    local hex
    hex=$(awk '$2 == "0100007F:01F4" { split($5, q, ":"); print q[2] }' /proc/net/udp)
    echo $((16#${hex:-0}))
}
port500_busy() { ss -Huln 'sport = :500' | grep -q .; }
wait_port500() {
    local i
    for i in $(seq 200); do
        ss -Huln 'sport = :500' | grep -q 127.0.0.1:500 && return 0
        ss -Huln 'sport = :500' | grep -q '0.0.0.0:500' && return 0
        sleep 0.05
    done
    echo "nothing listens on port 500" >&2
    return 1
}

# HA on (BENCH_LOAD_WHO=ha): our responder is node gw-a of a pair, gw-b its standby, on loopback, no
# keepalived: this script writes keepalived's notify lines (docs/ha.md "Roles") into their FIFOs
HA_SYNC_A=127.0.0.51:7800
HA_SYNC_B=127.0.0.52:7800
STANDBY_PID=''   # the standby's, while one runs (measure reports its CPU too)

# ha_conf DIR: DIR/isakmpd.toml gets its [ha] table; DIR/standby.toml is the same daemon listening on
# 127.0.0.3:500 with its own [ha] table and a control socket (for its status after the run)
ha_conf() {
    local dir=$1
    sed -e 's/127\.0\.0\.1:500/127.0.0.3:500/g' -e "s|^status-file = .*|status-file = \"$dir/standby-status\"|" \
        -e "s|^control-socket = .*|control-socket = \"$dir/gw-b.ctl\"|" "$dir/isakmpd.toml" >"$dir/standby.toml"
    [ -f "$OUT/ha.key" ] || (umask 077 && head -c 24 /dev/urandom | base64 >"$OUT/ha.key")
    ha_table gw-a "$HA_SYNC_A" "$HA_SYNC_B" "$dir" >>"$dir/isakmpd.toml"
    ha_table gw-b "$HA_SYNC_B" "$HA_SYNC_A" "$dir" >>"$dir/standby.toml"
}

# ha_table NODE SYNC-LOCAL SYNC-OTHER DIR: one node's [ha] table; makes its FIFO
ha_table() {
    mkfifo "$4/$1.fifo"
    cat <<TOML
[ha]
mode = "active-standby"
node = "$1"
sync-link = ["$2", "$3"]
key-file = "$OUT/ha.key"
keepalived-fifo = "$4/$1.fifo"
track-file = "$4/$1.weight"
TOML
}

# vrrp_line NODE DIR STATE: the line keepalived would write to NODE's vrrp_notify_fifo
vrrp_line() {
    timeout 30 sh -c 'echo "INSTANCE \"bench\" $1 100" >"$2"' - "$3" "$2/$1.fifo"
}

# wait_log FILE TEXT: until the daemon's log says TEXT (60 s at most)
wait_log() {
    local i
    for i in $(seq 600); do
        grep -q "$2" "$1" && return 0
        sleep 0.1
    done
    echo "no \"$2\" in $1 after 60 s" >&2
    return 1
}

# ha_pair DIR: gw-a (running) becomes active, then gw-b starts, joins as standby and takes the snapshot
ha_pair() {
    local dir=$1
    vrrp_line gw-a "$dir" MASTER
    wait_log "$dir/isakmpd.log" "is now ACTIVE"
    # shellcheck disable=SC2086
    "${BENCH_LOAD_JAVA:-java}" -XX:+UseSerialGC $(jfr_opts) ${BENCH_LOAD_JAVA_OPTS:-} ${BENCH_LOAD_STANDBY_JAVA_OPTS:-} \
        -jar "${BENCH_LOAD_JAR:-isakmpd-daemon/target/isakmpd.jar}" run --config "$dir/standby.toml" \
        >"$dir/standby.log" 2>&1 &
    STANDBY_PID=$!
    PIDS+=("$STANDBY_PID")
    vrrp_line gw-b "$dir" BACKUP
    wait_log "$dir/standby.log" "initial sync complete"
}

# ha_unpair TAG DIR: what the standby received, whether the active went on without its acks; stops it
ha_unpair() {
    local tag=$1 dir=$2 status
    status=$(ISAKMPD_JAR=${BENCH_LOAD_JAR:-} scripts/isakmpctl -s "$dir/gw-b.ctl" status 2>&1 | grep -E 'ha-(role|synced|records-received) ' | tr -s ' ' |
        tr '\n' ' ')
    # degraded: a sync record's ack took more than 200 ms, so messages went without waiting until a
    # late ack (or the standby's return) ended it
    echo "$tag ours-ha: standby $status; active: degraded $(grep -c 'did not acknowledge' "$dir/isakmpd.log")" \
        "times, ended by $(grep -c 'late: it is alive' "$dir/isakmpd.log") late acks" | tee -a "$OUT/ha.txt"
    # where the standby's CPU went since it started (warm-up and Deletes included), per kind of thread
    echo "$tag ours-ha: standby CPU ms by thread since its start: $(thread_cpu "$STANDBY_PID" | tr '\n' ' ')" |
        tee -a "$OUT/ha.txt"
    stop "$STANDBY_PID"
    STANDBY_PID=''
}

# run_ours TAG IKE ESP [ha]: our daemon answers (in-memory kernel, default settings); with "ha", as
# the active node of an HA pair (ha_pair)
run_ours() {
    local tag=$1 ike=$2 esp=$3 ha=${4:-} dir=$OUT/$1-ours${4:+-ha} pid pfs=none
    case $esp in *-modp*|*-ecp*) pfs=${esp##*-} ;; esac
    rm -rf "$dir"   # a previous run's initiator.log would count as this one's
    mkdir -p "$dir"
    cat >"$dir/isakmpd.toml" <<TOML
[daemon]
listen = ["127.0.0.1:500"]
kernel = "memory"
control-socket = "off"
status-file = "$dir/status"
${BENCH_LOAD_DAEMON_CONF:-}
[peers.load]
local = "127.0.0.1:500"
remote = "127.0.0.1:5000"
psk = "default-psk"
local-id = "@srv.strongswan.org"
ike = ["$ike"]
[peers.load.tunnels.net]
local-subnet = "10.1.0.0/16"
remote-subnet = "10.2.0.0/16"
esp = ["${esp%-$pfs}"]
pfs = "$pfs"
TOML
    [ -z "$ha" ] || ha_conf "$dir"
    # shellcheck disable=SC2086
    "${BENCH_LOAD_JAVA:-java}" -XX:+UseSerialGC $(jfr_opts) ${BENCH_LOAD_JAVA_OPTS:-} -jar "${BENCH_LOAD_JAR:-isakmpd-daemon/target/isakmpd.jar}" run --config "$dir/isakmpd.toml" \
        >"$dir/isakmpd.log" 2>&1 &
    pid=$!
    PIDS+=("$pid")
    wait_port500
    echo "$tag ours${ha:+-ha}: $(cpu_ms "$pid") ms of CPU until listening" | tee -a "$OUT/startup.txt"
    [ -z "$ha" ] || ha_pair "$dir"
    # what our socket's receive queue holds, every 0.05 s, for as long as the responder runs
    (while kill -0 "$pid" 2>/dev/null; do rx_queue; sleep 0.05; done >"$dir/rx-queue.txt") &
    measure "$tag ours${ha:+-ha}" "$pid" "$ike" "$esp" "$dir"
    # the Deletes the initiator sent as it stopped: every ISAKMP SA and IPsec SA must be gone
    local left i queue drops
    for i in $(seq 100); do
        left=$(grep -s -c -E '^(isakmp|esp) ' "$dir/status") || true
        [ "$left" = 0 ] && break
        sleep 0.1
    done
    queue=$(sort -n "$dir/rx-queue.txt" | tail -1)
    drops=$(awk '$2 == "0100007F:01F4" { print $NF }' /proc/net/udp)
    echo "$tag ours${ha:+-ha}: $(grep -c 'peer deleted the ISAKMP SA' "$dir/isakmpd.log") ISAKMP SAs deleted by the peer" \
        "($(grep -c 'deleting IKE_SA' "$dir/initiator.log") Deletes sent), $left SAs left;" \
        "receive queue at most ${queue:-0} bytes, $drops datagrams dropped by the kernel on it" |
        tee -a "$OUT/deletes.txt"
    [ -z "$ha" ] || ha_unpair "$tag" "$dir"
    stop "$pid"
}

# run_strongswan TAG IKE ESP: charon-systemd answers, configured by the load-tester plugin itself
run_strongswan() {
    local tag=$1 ike=$2 esp=$3 dir=$OUT/$1-strongswan pid
    rm -rf "$dir"
    mkdir -p "$dir"
    strongswan_conf "$dir/responder.conf" responder "$dir/responder.log" "$ike" "$esp" "initiators = 0"
    STRONGSWAN_CONF=$dir/responder.conf "$CHARON" >"$dir/responder.stderr" 2>&1 &
    pid=$!
    PIDS+=("$pid")
    wait_port500
    measure "$tag strongswan" "$pid" "$ike" "$esp" "$dir"
    local d=-1 i
    for i in $(seq 50); do   # until its count of deleted IKE_SAs stops growing
        [ "$d" = "$(grep -c 'deleting IKE_SA' "$dir/responder.log")" ] && break
        d=$(grep -c 'deleting IKE_SA' "$dir/responder.log") || true
        sleep 0.5
    done
    echo "$tag strongswan: $(grep -c 'deleting IKE_SA' "$dir/responder.log") of" \
        "$(grep -c 'IKE_SA .* established' "$dir/responder.log") IKE_SAs deleted" | tee -a "$OUT/deletes.txt"
    stop "$pid"
}

[ "$(id -u)" = 0 ] || { echo "bench-load.sh: needs root (port 500, the plugin's install)" >&2; exit 1; }
[ -f "$PLUGIN" ] || build_plugin
[ -n "${BENCH_LOAD_NO_BUILD:-}" ] || mvn -o -q -B -DskipTests package -pl isakmpd-daemon -am >&2
! port500_busy || { echo "bench-load.sh: port 500 is in use already" >&2; exit 1; }
rm -rf "$OUT"
mkdir -p "$OUT"
LOADS=()
for load in "modp2048 aes128-sha1-modp2048 aes128-sha1" \
        "modp2048-pfs aes128-sha1-modp2048 aes128-sha1-modp2048" \
        "ecp256 aes128-sha1-ecp256 aes128-sha1"; do
    [[ " ${BENCH_LOAD_LOADS:-modp2048 modp2048-pfs ecp256} " == *" ${load%% *} "* ]] && LOADS+=("$load")
done
WHO=${BENCH_LOAD_WHO:-both}
{
    echo "machine: $(nproc) CPUs, load average $(cut -d' ' -f1-3 /proc/loadavg); $(java -version 2>&1 | head -1);"
    echo "strongSwan $(dpkg-query -W -f='${Version}' libstrongswan); $COUNT handshakes after $WARMUP, $RUNS runs"
} | tee "$OUT/results.txt"
for run in $(seq "$RUNS"); do
    for load in "${LOADS[@]}"; do
        # interleaved, and which responder goes first alternates from run to run
        if [ "$WHO" = ours ]; then
            run_ours $load
        elif [ "$WHO" = strongswan ]; then
            run_strongswan $load
        elif [ "$WHO" = ha ] && [ $((run % 2)) = 1 ]; then
            run_ours $load
            run_ours $load ha
        elif [ "$WHO" = ha ]; then
            run_ours $load ha
            run_ours $load
        elif [ $((run % 2)) = 1 ]; then
            run_ours $load
            run_strongswan $load
        else
            run_strongswan $load
            run_ours $load
        fi
    done
done
# medians: "TAG WHO rate cpu" lines
# and the initiator's bound: with our responder at zero CPU, 2 cores / initiator CPU per handshake
# (ceiling), against strongSwan's pair (2 cores / both charons' CPU): issue 11 wants 1.5x its rate
awk '{ k = $1 " " $2; n[k]++; r[k, n[k]] = $3; c[k, n[k]] = $4; ic[k, n[k]] = $5; sc[k, n[k]] = $6 }
    function median(a, k, m,   v, i, j, t) {
        for (i = 1; i <= m; i++) v[i] = a[k, i]
        for (i = 1; i <= m; i++) for (j = i + 1; j <= m; j++) if (v[j] + 0 < v[i] + 0) { t = v[i]; v[i] = v[j]; v[j] = t }
        if (!m) return "-"
        return m % 2 ? v[(m + 1) / 2] : (v[m / 2] + v[m / 2 + 1]) / 2 }
    END {
        print "| load | ours handshakes/s | strongSwan | ours CPU ms/handshake | strongSwan |" \
            " initiator CPU ms/handshake (against ours / strongSwan) | handshakes/s ceiling: ours at 0 CPU / strongSwan pair |"
        print "|---|---|---|---|---|---|---|"
        split("modp2048 modp2048-pfs ecp256", loads, " ")
        for (l = 1; l <= 3; l++) {
            o = loads[l] " ours"; s = loads[l] " strongswan"
            if (!n[o] && !n[s]) continue
            io = median(ic, o, n[o]); is = median(ic, s, n[s]); cs = median(c, s, n[s])
            ceil = io + 0 > 0 ? sprintf("%.0f", 2000 / io) : "-"
            ceil_s = is + cs > 0 && n[s] ? sprintf("%.0f", 2000 / (is + cs)) : "-"
            printf "| %s | %s | %s | %s | %s | %s / %s | %s / %s = %sx |\n", loads[l], median(r, o, n[o]), median(r, s, n[s]),
                median(c, o, n[o]), cs, io, is, ceil, ceil_s,
                ceil != "-" && ceil_s != "-" ? sprintf("%.2f", ceil / ceil_s) : "-"
        }
        # BENCH_LOAD_WHO=ha: issue 15 wants HA on at >= 90% of the handshakes/s of HA off
        for (l = 1; l <= 3; l++) {
            o = loads[l] " ours"; h = loads[l] " ours-ha"
            if (!n[h]) continue
            if (!header++) {
                print "\n| load | HA off handshakes/s | HA on | on/off | HA off CPU ms/handshake | HA on: active |" \
                    " standby |"
                print "|---|---|---|---|---|---|---|"
            }
            ro = median(r, o, n[o]); rh = median(r, h, n[h])
            printf "| %s | %s | %s | %s | %s | %s | %s |\n", loads[l], ro, rh,
                (ro + 0 > 0 ? sprintf("%.0f%%", 100 * rh / ro) : "-"), median(c, o, n[o]), median(c, h, n[h]),
                median(sc, h, n[h])
        }
    }' "$OUT/raw.txt" | tee -a "$OUT/results.txt"
