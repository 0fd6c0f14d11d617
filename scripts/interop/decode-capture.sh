#!/usr/bin/env bash
# decode-capture.sh - decode DIR/capture.pcap of a scenario with tshark on the
# host, decrypting IKEv1 (Main Mode 5/6, Quick Mode, Informational) when the
# encryption keys are known.
#
# usage: decode-capture.sh DIR [ICOOKIE:KEY ...]
#
# Keys: given as ICOOKIE:KEY (initiator cookie and IKE encryption key, both
# hex), else taken from DIR/charon.log when the scenario ran with
# CHARON_LOG_IKE=4 (charon then logs "encryption key Ka"); the n-th key in the
# log is paired with the n-th distinct initiator cookie in the capture.
# Writes DIR/capture.txt (one line per packet) and DIR/capture-decoded.txt
# (full tshark -V dissection); prints the pairs it used.
set -u
dir=${1:?usage: decode-capture.sh DIR [ICOOKIE:KEY ...]}; shift
pcap=$dir/capture.pcap
[ -s "$pcap" ] || { echo "decode-capture: no $pcap" >&2; exit 1; }
command -v tshark >/dev/null || { echo "decode-capture: tshark not installed" >&2; exit 1; }

pairs=("$@")
if [ ${#pairs[@]} -eq 0 ] && [ -s "$dir/charon.log" ]; then
    # "encryption key Ka => 16 bytes @ 0x..." then hex dump lines "   0: AA BB ...";
    # a key longer than 16 bytes continues on the "16:" line
    mapfile -t keys < <(awk '/encryption key Ka =>/ {n = $(NF-3); getline; sub(/.*> +0: /, ""); k = substr($0, 1, 47);
            if (n > 16) { getline; sub(/.*> +16: /, ""); k = k " " substr($0, 1, 3 * (n - 16) - 1) }
            gsub(/ /, "", k); print tolower(k)}' "$dir/charon.log")
    mapfile -t cookies < <(tshark -n -r "$pcap" -Y isakmp -T fields -e isakmp.ispi 2>/dev/null | awk '!seen[$0]++')
    for ((i = 0; i < ${#keys[@]} && i < ${#cookies[@]}; i++)); do pairs+=("${cookies[i]}:${keys[i]}"); done
fi
opts=()
for p in "${pairs[@]}"; do
    opts+=(-o "uat:ikev1_decryption_table:${p%%:*},${p#*:}")
    echo "decode-capture: decrypting cookie ${p%%:*} with key ${p#*:}"
done
[ ${#pairs[@]} -gt 0 ] || echo "decode-capture: no keys (run the scenario with CHARON_LOG_IKE=4); encrypted payloads stay opaque"
tshark -n -r "$pcap" "${opts[@]}" >"$dir/capture.txt" 2>/dev/null
tshark -n -r "$pcap" "${opts[@]}" -V -O isakmp >"$dir/capture-decoded.txt" 2>/dev/null
echo "decode-capture: wrote $dir/capture.txt and $dir/capture-decoded.txt"
