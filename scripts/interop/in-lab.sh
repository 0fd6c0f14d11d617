#!/usr/bin/env bash
# in-lab.sh - run one interop scenario (run-scenario.sh) inside the kernel lab,
# from the host.
#
# usage: in-lab.sh [--lab-timeout S] [--lab-mem SIZE] [--lab-keep] [--lab-verbose]
#                  RUN-SCENARIO-ARGS...
#
#   = scripts/lab/run-in-uml.sh -- scripts/interop/run-scenario.sh RUN-SCENARIO-ARGS...
#   --lab-timeout S  limit for the whole lab run (default: scenario --timeout + 90)
#   --lab-mem SIZE   guest RAM (default: run-in-uml.sh's, 1G)
#   --lab-keep       keep the lab work dir (guest console log uml.log)
#   --lab-verbose    lab timings and guest init log on stderr
#
# --out DIR must be a host directory outside /run and /dev/shm (e.g. under
# /tmp or target/): the guest's root is the host's /, so the results land
# there directly.  Afterwards, on the host, DIR/capture.pcap is decoded with
# tshark (decode-capture.sh) into DIR/capture.txt (one line per packet) and
# DIR/capture-decoded.txt (full ISAKMP dissection; decrypted when the scenario
# ran with CHARON_LOG_IKE=4) if tshark is installed.
# If the lab itself failed (timeout 124, lab error 125) and the scenario left
# no result, DIR/result gets "FAIL lab exit N".
# Exit status: run-scenario.sh's (0 OK, 1 FAIL, 2 usage), or 124/125 from the lab.
set -u
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
LAB=$HERE/../lab/run-in-uml.sh

lab_opts=() lab_timeout=''
while [ $# -gt 0 ]; do
    case $1 in
        --lab-timeout) lab_timeout=$2; shift 2 ;;
        --lab-mem) lab_opts+=(--mem "$2"); shift 2 ;;
        --lab-keep) lab_opts+=(--keep); shift ;;
        --lab-verbose) lab_opts+=(-v); shift ;;
        -h|--help) sed -n '2,/^set -u/p' "$0" | sed -e '$d' -e 's/^# \{0,1\}//'; exit 0 ;;
        *) break ;;
    esac
done
out='' scen_timeout=45
args=("$@")
for ((i = 0; i < ${#args[@]}; i++)); do
    case ${args[i]} in
        --out) out=${args[i+1]:-} ;;
        --timeout) scen_timeout=${args[i+1]:-45} ;;
    esac
done
[ -n "$lab_timeout" ] || lab_timeout=$(( scen_timeout + 90 ))

"$LAB" --timeout "$lab_timeout" "${lab_opts[@]}" -- "$HERE/run-scenario.sh" "$@"
rc=$?
if [ -n "$out" ] && [ -d "$out" ]; then
    if [ $rc -ge 124 ] && [ ! -s "$out/result" ]; then echo "FAIL lab exit $rc" >"$out/result"; fi
    if [ -s "$out/capture.pcap" ] && command -v tshark >/dev/null; then
        "$HERE/decode-capture.sh" "$out" >/dev/null
    fi
fi
exit $rc
