#!/bin/bash
# PID 1 inside the User-Mode-Linux guest started by run-in-uml.sh.
# Not meant to be run by hand: run-in-uml.sh copies it into its work dir W and
# boots UML with init=W/init LAB_DIR=W.  The guest's root file system is the
# host's / through hostfs, so W, the caller's cwd, java, ip, ... are visible at
# the same paths as on the host.
#
# Prepared by run-in-uml.sh in W:
#   job.sh            exports the caller's environment, cd's, execs the command
#   job.conf          LAB_MODULES LAB_TIMEOUT LAB_STDOUT_TTY LAB_STDERR_TTY
#   fstab             guest mounts (sys, devpts, /dev/shm, /run, ...)
#   lib/modules/<ver> -> the UML modules (used as "modprobe -d W")
#   dev/              symlinks fd stdin stdout stderr, copied into the guest's /dev
# Written here:  ready (guest uptime when the command starts), rc (exit status).
# Guest devices: /dev/console (con0) -> W/uml.log on the host,
#                /dev/ttyS0 (ssl0) -> caller's stdout, /dev/ttyS1 (ssl1) -> caller's stderr.
#
# Every exec costs 0.1-0.5 s in UML, so this script sticks to builtins where it can.

PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
export PATH
W=${LAB_DIR:?LAB_DIR not set on the kernel command line}
exec </dev/null
log() { local u _; read -r u _ </proc/uptime; echo "lab-init[$u]: $*"; }

power_off() {
    echo s >/proc/sysrq-trigger   # sync
    echo o >/proc/sysrq-trigger   # asynchronous: PID 1 must stay alive until it happens
    sleep 30                      # (if PID 1 exits first, the kernel panics)
    echo b >/proc/sysrq-trigger
    sleep 30
}

mount -t proc proc /proc
log "init started"
mount -a -T "$W/fstab" || log "mount -a reported errors"
cp -a "$W/dev/." /dev/     # /dev/fd, /dev/stdin, ... (devtmpfs lacks them)
. "$W/job.conf"

# Guest watchdog: power off even if the host-side script was SIGKILLed.
( sleep "${LAB_TIMEOUT:-600}"; log "guest watchdog: timeout"; echo 124 >"$W/rc"; power_off ) &

echo uml-lab >/proc/sys/kernel/hostname
[ -n "${LAB_MODULES:-}" ] && { modprobe -d "$W" -a $LAB_MODULES || log "modprobe -a reported errors"; }
# Kernel request_module() is disabled: an empty helper path makes every request
# fail at once.  Each helper exec costs ~0.2 s here and a single SADB_REGISTER
# makes ~50 requests (crypto-hmac(sha1), ...) that would all fail anyway.
echo >/proc/sys/kernel/modprobe
ip link set lo up
mods=; while read -r m _; do mods+="$m "; done </proc/modules
log "modules: $mods"

# Output: the serial lines keep their default termios (ONLCR: "\n" is sent as
# "\r\n"); run-in-uml.sh undoes exactly that on the host.  The command gets
# pipes, relayed to the serial lines by cat, unless the caller's stream is a tty.
cat_pids=()
[ "${LAB_STDOUT_TTY:-0}" = 1 ] && [ "${LAB_STDERR_TTY:-0}" = 1 ] || mkfifo /run/lab-out /run/lab-err
if [ "${LAB_STDOUT_TTY:-0}" = 1 ]; then exec {outfd}>/dev/ttyS0
else cat /run/lab-out >/dev/ttyS0 & cat_pids+=($!); exec {outfd}>/run/lab-out; fi
if [ "${LAB_STDERR_TTY:-0}" = 1 ]; then exec {errfd}>/dev/ttyS1
else cat /run/lab-err >/dev/ttyS1 & cat_pids+=($!); exec {errfd}>/run/lab-err; fi

read -r u _ </proc/uptime; echo "$u" >"$W/ready"
log "running job"
# A subshell instead of a new bash (saves an exec): drop init's environment
# (HOME=/ TERM=linux LAB_DIR=... from the kernel command line), then job.sh
# sets the caller's environment, cd's and execs the command.
(
    unset $(compgen -e)
    exec >&"$outfd" 2>&"$errfd" {outfd}>&- {errfd}>&-
    . "$W/job.sh"
) </dev/null
rc=$?
log "job exit status $rc"

# Let the relays drain.  Daemons started by the command may keep the pipes
# open, so wait at most ~2 s for EOF.
exec {outfd}>&- {errfd}>&-
alive() { local st; [ -r "/proc/$1/stat" ] && read -r _ _ st _ <"/proc/$1/stat" && [ "$st" != Z ]; }
for _ in {1..40}; do
    any=0
    for p in "${cat_pids[@]}"; do alive "$p" && any=1; done
    [ $any = 0 ] && break
    read -r -t 0.05 _ <>/dev/ptmx       # builtin sleep
done
for p in "${cat_pids[@]}"; do kill "$p" 2>/dev/null; done

echo "$rc" >"$W/rc"
log "power off"
power_off
