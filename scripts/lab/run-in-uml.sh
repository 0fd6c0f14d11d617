#!/usr/bin/env bash
# run-in-uml.sh - run one command as root inside a User-Mode-Linux kernel that
# has PF_KEY (af_key), xfrm_user, ESP/AH, veth, IPv6 and the IPsec crypto
# modules loaded.  The host kernel of a CI box often lacks PF_KEY and ESP; the
# UML kernel is an ordinary process, so no privileges beyond a normal root
# shell (and no KVM) are needed.
#
# usage: run-in-uml.sh [--timeout S] [--mem SIZE] [-v] [--keep] -- COMMAND [ARGS...]
#
#   --timeout S   wall-clock limit for boot + command + shutdown in seconds
#                 (default 600, env LAB_TIMEOUT); exit 124 when hit
#   --mem SIZE    guest RAM, e.g. 256M, 2G (default 1G, env LAB_MEM); it is a
#                 sparse file in /dev/shm, or in the work dir if /dev/shm is
#                 too small; only touched pages cost host memory
#   -v            print timings and the guest init log on stderr (env LAB_VERBOSE=1)
#   --keep        keep the work dir /tmp/isakmpd-lab.* (guest console: uml.log)
#
# The guest's root file system is the host's / (hostfs): the caller's cwd,
# the JDK, ~/.m2, /tmp, ip, charon ... are used in place, and writes are real.
# Guest-private: /run (= /var/run), /dev, /dev/shm, /sys, /proc,
# /tmp/hsperfdata_root.  Only "lo" is up; the guest has no network towards the
# host (create namespaces/veths yourself).  The command runs as root in the
# caller's cwd with the caller's exported environment plus LAB_IN_UML=1;
# stdin is /dev/null; stdout/stderr are streamed back (byte-exact).
#
# Exit status: the command's own (128+N if killed by signal N, 127 if not
# found); 124 on timeout; 125 if the lab itself failed (the tail of the
# guest console log is printed on stderr).
# UML is killed on timeout, Ctrl-C/TERM/HUP and even when this script is
# SIGKILLed (pdeathsig + PID namespace); the work dir is removed (a dir left
# by a SIGKILLed run is removed by the next run).
# Needs: user-mode-linux kmod iproute2 util-linux perl (scripts/install-deps.sh).
set -u

prog=run-in-uml
SELF_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
INIT_SRC=$SELF_DIR/uml-init.sh

timeout_s=${LAB_TIMEOUT:-600}
mem=${LAB_MEM:-1G}
verbose=${LAB_VERBOSE:-0}
keep=0
# Loaded by one "modprobe -a" at boot (~1 s).  Covers every algorithm that
# af_key/xfrm know (SADB_REGISTER probes them all), so the guest never needs
# on-demand module loading, which is disabled (see uml-init.sh).
modules="af_key xfrm_user esp4 esp6 ah4 ah6 ipcomp ipcomp6 xfrm4_tunnel xfrm6_tunnel
  ipv6 veth authenc authencesn seqiv echainiv drbg ansi_cprng
  cbc ctr ecb gcm ghash_generic ccm chacha20poly1305 chacha_generic poly1305_generic
  hmac cmac xcbc sha512_generic sha3_generic rmd160 md4 des_generic blowfish_generic
  camellia_generic cast5_generic serpent_generic twofish_generic deflate"

W=''
die()  { echo "$prog: $*" >&2; [ -n "$W" ] && [ "$keep" != 1 ] && rm -rf "$W"; exit 125; }
info() { [ "$verbose" = 1 ] && echo "$prog: $*" >&2; return 0; }
usage() {   # usage [EXIT]: help on stdout for -h, else on stderr with 125
    if [ "${1:-125}" = 0 ]; then exec 3>&1; else exec 3>&2; fi
    sed -n '2,/^set -u/p' "${BASH_SOURCE[0]}" | sed -e '$d' -e 's/^# \{0,1\}//' >&3
    exit "${1:-125}"
}

while [ $# -gt 0 ]; do
    case $1 in
        --timeout) [ $# -ge 2 ] || usage; timeout_s=$2; shift 2 ;;
        --timeout=*) timeout_s=${1#*=}; shift ;;
        --mem) [ $# -ge 2 ] || usage; mem=$2; shift 2 ;;
        --mem=*) mem=${1#*=}; shift ;;
        --keep) keep=1; shift ;;
        -v|--verbose) verbose=1; shift ;;
        -h|--help) usage 0 ;;
        --) shift; break ;;
        -*) echo "$prog: unknown option $1" >&2; usage ;;
        *) break ;;
    esac
done
[ $# -ge 1 ] || usage
[[ $timeout_s =~ ^[0-9]+$ ]] && [ "$timeout_s" -gt 0 ] || die "--timeout wants whole seconds > 0"
[[ $mem =~ ^[0-9]+[KMG]?$ ]] || die "--mem wants e.g. 512M or 2G"

# ------------------------------------------------------------------ host needs
missing=''
for c in linux.uml:user-mode-linux modprobe:kmod ip:iproute2 mount:mount setsid:util-linux \
         setpriv:util-linux unshare:util-linux mkfifo:coreutils perl:perl-base; do
    command -v "${c%%:*}" >/dev/null 2>&1 || missing="$missing ${c#*:}"
done
[ -z "$missing" ] || die "missing packages:$missing (run scripts/install-deps.sh as root)"
[ "$(id -u)" = 0 ] || echo "$prog: warning: not root; the guest is root but reaches host files with your uid" >&2

uml_ver=$(linux.uml --version 2>/dev/null | head -n1)
[ -n "$uml_ver" ] && [ -d "/usr/lib/uml/modules/$uml_ver" ] ||
    die "no UML modules for '$uml_ver' in /usr/lib/uml/modules"
case $PWD in /dev/*|/run/*|/var/run/*|/proc/*|/sys/*)
    die "cwd $PWD is guest-private in the lab; cd to an ordinary directory" ;; esac

# ------------------------------------------------------------------ work dir
proc_start() { local s; s=$(cat "/proc/$1/stat" 2>/dev/null) || return 1; s=${s##*) }; set -- $s; echo "${20}"; }
# Sweep work dirs of earlier runs whose script died without cleaning up (SIGKILL).
for d in /tmp/isakmpd-lab.*; do
    [ -f "$d/owner" ] && [ ! -e "$d/keep" ] || continue
    read -r opid ostart <"$d/owner" 2>/dev/null || continue
    [ "$(proc_start "$opid")" = "$ostart" ] || rm -rf "$d"
done

W=$(mktemp -d /tmp/isakmpd-lab.XXXXXX) || die "mktemp failed"
echo "$$ $(proc_start $$)" >"$W/owner"
[ "$keep" = 1 ] && : >"$W/keep"
uml_pid='' sleeper='' relay_out='' relay_err=''

cleanup() {
    if [ -n "$uml_pid" ]; then
        # No graceful shutdown needed (hostfs writes are synchronous).  Killing
        # the group kills unshare, whose --kill-child kills linux.uml, PID 1 of
        # its own PID namespace, so every UML helper process dies with it.
        kill -KILL -- "-$uml_pid" 2>/dev/null
        wait "$uml_pid" 2>/dev/null
        uml_pid=''
    fi
    if [ -n "$sleeper" ]; then kill "$sleeper" 2>/dev/null; wait "$sleeper" 2>/dev/null; sleeper=''; fi
    for p in $relay_out $relay_err; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done
    relay_out='' relay_err=''
    if [ "$keep" = 1 ]; then echo "$prog: kept work dir $W (console log: $W/uml.log)" >&2; else rm -rf "$W"; fi
}
trap 'cleanup; exit 130' INT
trap 'cleanup; exit 143' TERM
trap 'cleanup; exit 129' HUP

cp "$INIT_SRC" "$W/init" && chmod 755 "$W/init" || die "cannot copy $INIT_SRC"

# modprobe in the guest: W/lib/modules/<ver> -> the UML modules; "modprobe -d W"
mkdir -p "$W/lib/modules" "$W/dev" &&
    ln -s "/usr/lib/uml/modules/$uml_ver" "$W/lib/modules/$uml_ver" || die "cannot prepare $W"
# devtmpfs has no /dev/fd, /dev/stdin, ...; init copies these in
ln -s /proc/self/fd "$W/dev/fd" && ln -s /proc/self/fd/0 "$W/dev/stdin" &&
    ln -s /proc/self/fd/1 "$W/dev/stdout" && ln -s /proc/self/fd/2 "$W/dev/stderr" ||
    die "cannot prepare $W/dev"

# Guest mounts (init mounts /proc first).  /run is a guest tmpfs: daemons put
# pid files and sockets there, "ip netns" its bind mounts.  A guest JVM must
# not see the host's /tmp/hsperfdata_root (it would delete the host JVMs' perf
# files as stale), so that gets a guest tmpfs as well.
[ -d /tmp/hsperfdata_root ] || mkdir -p -m 755 /tmp/hsperfdata_root
cat >"$W/fstab" <<'FSTAB'
sysfs    /sys                  sysfs    defaults                                                0 0
devpts   /dev/pts              devpts   X-mount.mkdir,newinstance,ptmxmode=0666,mode=0620,gid=5 0 0
tmpfs    /dev/shm              tmpfs    X-mount.mkdir,mode=1777                                 0 0
tmpfs    /run                  tmpfs    mode=0755                                               0 0
tmpfs    /tmp/hsperfdata_root  tmpfs    mode=0755                                               0 0
FSTAB

# The job: the caller's exported environment, cwd, then exec the command.
{
    echo '#!/bin/bash'
    while IFS= read -r name; do
        case $name in
            PWD|OLDPWD|SHLVL|_|BASH_*|BASHOPTS|SHELLOPTS|EUID|UID|PPID|MODPROBE_OPTIONS|LAB_*) continue ;;
        esac
        [[ $name =~ ^[A-Za-z_][A-Za-z0-9_]*$ ]] || continue
        printf 'export %s=%q\n' "$name" "${!name}"
    done < <(compgen -e)
    echo 'export LAB_IN_UML=1'
    [ -n "${PATH:-}" ] || echo 'export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'
    # plain "modprobe NAME" in the guest finds the UML modules
    printf 'export MODPROBE_OPTIONS=%q\n' "-d $W"
    printf 'cd -- %q || exit 125\n' "$PWD"
    printf 'exec'; printf ' %q' "$@"; printf '\n'
} >"$W/job.sh"
out_tty=0; [ -t 1 ] && out_tty=1
err_tty=0; [ -t 2 ] && err_tty=1
{
    printf 'LAB_MODULES=%q\n' "$(echo $modules)"
    printf 'LAB_TIMEOUT=%q\n' "$timeout_s"
    printf 'LAB_STDOUT_TTY=%q\n' "$out_tty"
    printf 'LAB_STDERR_TTY=%q\n' "$err_tty"
} >"$W/job.conf"

# UML's RAM is a file in $TMPDIR (UML's default: /dev/shm) that must be able
# to hold --mem; a small /dev/shm (containers: 64M) would make the guest die
# with SIGBUS once it touches more, so fall back to the work dir.
case $mem in
    *G) mem_kb=$(( ${mem%G} * 1048576 )) ;;
    *M) mem_kb=$(( ${mem%M} * 1024 )) ;;
    *K) mem_kb=${mem%K} ;;
    *)  mem_kb=$(( mem / 1024 )) ;;
esac
shm_free_kb=$(df -Pk /dev/shm 2>/dev/null | awk 'NR==2{print $4}')
if [ -n "$shm_free_kb" ] && [ "$shm_free_kb" -ge "$mem_kb" ] && [ -w /dev/shm ]; then uml_tmp=/dev/shm; else uml_tmp=$W; fi

# Own fifos between UML and the caller's stdout/stderr, so that UML never
# changes the caller's terminal modes or O_NONBLOCK flags.  The guest's serial
# lines turn every "\n" into "\r\n" (termios ONLCR); the relays undo exactly that.
mkfifo "$W/out.fifo" "$W/err.fifo" || die "mkfifo failed"
unonlcr='binmode STDIN; binmode STDOUT; $| = 1; my $h = "";
  while (sysread(STDIN, my $d, 65536)) { $d = $h . $d; $h = "";
    if (substr($d, -1) eq "\r") { $h = "\r"; chop $d }
    $d =~ s/\r\n/\n/g; print $d }
  print $h;'
perl -e "$unonlcr" <"$W/out.fifo" & relay_out=$!
perl -e "$unonlcr" <"$W/err.fifo" >&2 & relay_err=$!

# A host whose XSAVE area is larger than UML's (AMX) refuses UML's FPU switches and the guest's
# init dies at once ("ptrace set fp regs failed, errno = 14"): uml-xstate.c mends that call.
xstate_shim=''
if command -v gcc >/dev/null 2>&1; then
    gcc -shared -fPIC -O2 -o "$W/uml-xstate.so" "$(dirname "$0")/uml-xstate.c" -ldl &&
        xstate_shim=$W/uml-xstate.so
else
    echo "$prog: warning: no gcc: a host with AMX cannot boot the guest (see uml-xstate.c)" >&2
fi

t0=$(date +%s.%N)
info "work dir $W, mem $mem (backing file in $uml_tmp), timeout ${timeout_s}s"
# setsid: own session + process group, which cleanup() kills.
# setpriv --pdeathsig: unshare is killed if this script dies (even by SIGKILL);
# unshare --kill-child: then linux.uml is killed; it is PID 1 of a new PID
# namespace, so the kernel then kills every UML helper process as well.
# con*/ssl*: no xterms; con0 (console) -> uml.log, ssl0/ssl1 -> our fifos.
# pty.legacy_count=0 saves ~3 s of boot.
TMPDIR=$uml_tmp LD_PRELOAD=$xstate_shim setsid setpriv --pdeathsig KILL unshare --pid --fork --kill-child=KILL \
    linux.uml mem="$mem" root=/dev/root rootfstype=hostfs rootflags=/ rw \
    init="$W/init" LAB_DIR="$W" quiet pty.legacy_count=0 \
    con=null ssl=null con0=null,fd:1 ssl0=null,fd:5 ssl1=null,fd:6 \
    uml_dir="$W" umid=uml ${LAB_KERNEL_ARGS:-} \
    </dev/null 5>"$W/out.fifo" 6>"$W/err.fifo" >"$W/uml.log" 2>&1 &
uml_pid=$!
# Watchdog: exit 0 at the timeout, 3 if the guest kernel panicked (UML then
# spins forever instead of exiting); it ends itself if this script is gone.
(
    end=$(( ${EPOCHREALTIME/./} + timeout_s * 1000000 ))   # microseconds
    while [ "${EPOCHREALTIME/./}" -lt "$end" ]; do
        sleep 0.5
        kill -0 $$ 2>/dev/null || exit 0
        grep -aq 'Kernel panic' "$W/uml.log" 2>/dev/null && exit 3
    done
    exit 0
) & sleeper=$!

done_pid=''
wait -n -p done_pid "$uml_pid" "$sleeper"
uml_status=$?
t1=$(date +%s.%N)
timed_out=0 panicked=0
if [ "$done_pid" = "$sleeper" ]; then
    sleeper=''
    if [ "$uml_status" = 3 ]; then
        panicked=1
        echo "$prog: guest kernel panic, killing UML" >&2
    else
        timed_out=1
        echo "$prog: timeout after ${timeout_s}s, killing UML" >&2
    fi
else
    kill -KILL -- "-$uml_pid" 2>/dev/null   # UML is gone; sweep its group
    uml_pid=''
fi

rc=''
[ -s "$W/rc" ] && rc=$(head -c 16 "$W/rc" | tr -dc 0-9)
if [ "$timed_out" = 1 ]; then
    rc=124
elif [ "$panicked" = 1 ] || [ -z "$rc" ]; then
    [ "$panicked" = 1 ] || echo "$prog: lab failure: UML exited (status $uml_status) without a command exit status" >&2
    echo "$prog: tail of the guest console log:" >&2
    tail -n 40 "$W/uml.log" | tr -d '\r' >&2
    rc=125
fi
if [ -n "$uml_pid" ]; then   # timeout: stop UML before waiting for the relays
    kill -KILL -- "-$uml_pid" 2>/dev/null; wait "$uml_pid" 2>/dev/null; uml_pid=''
fi
for p in $relay_out $relay_err; do wait "$p" 2>/dev/null; done
relay_out='' relay_err=''
if [ "$verbose" = 1 ]; then
    ready=$(cat "$W/ready" 2>/dev/null)
    echo "$prog: wall $(awk -v a="$t0" -v b="$t1" 'BEGIN{printf "%.2f", b-a}')s (UML start to exit), guest uptime at command start ${ready:-?}s, exit $rc" >&2
    grep -a 'lab-init' "$W/uml.log" | tr -d '\r' >&2
fi
cleanup
exit "$rc"
