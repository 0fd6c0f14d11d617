# ha-splitbrain-phase.sh - sourced by ha-failover-scenario.sh: issue 15 "Split brain" in the lab.
#
#   esp_capture_start, esp_capture_check: tcpdump on the outside bridge over a whole run (before its
#       first packet to its end, every failover included), then esp-seq-check.py: no
#       (destination, SPI, ESP sequence number) may be sent twice.  Keys esp-packets-captured,
#       esp-spis, esp-duplicate-spi-seq, esp-forwarded-copies, outside-cleartext-from-inside,
#       esp-capture-dropped.
#   split_brain ACTIVE DEAD: the last phase of the full run.  DEAD returns as standby; under
#       numbered streams VRRP (IP protocol 112) is dropped between the gateways while the sync link
#       stays up, so DEAD's keepalived turns MASTER too: two actives.  The role announcements on
#       the sync link must leave exactly one within 1 s (docs/ha.md "Split brain": DEAD's later
#       takeover has the higher epoch, ACTIVE demotes).  VRRP is dropped 2 s into 8 s of streams
#       and comes back 3 s later.
#       Keys splitbrain-*: see split_brain.
#
# Uses the scenario's globals (dir, HERE, LOG, TUNNELS, PEER_HOST, INSIDE_HOST, VIP_OUT, VIP_IN) and
# functions (rejoin, ctl, wait_log, msleep_until, ms, xfrm_stat).

INSIDE_NET=203.0.113.0/25   # br-in: nothing from it may cross the outside bridge in clear

# esp_capture_start: tcpdump on the hub's br-out into DIR/outside.pcap, 64 bytes of each IPv4 packet
# (Ethernet, IPv4 and the ESP header; 800 ESP packets/s while the streams run)
esp_capture_start() {
    ip netns exec hub tcpdump -i br-out -n -U -Z root -s 64 -w "$dir/outside.pcap" ip >"$dir/tcpdump.log" 2>&1 &
    ESP_CAPTURE_PID=$!
    pids+=($ESP_CAPTURE_PID)
    wait_log "$dir/tcpdump.log" 'listening on' 20
}

# esp_capture_check: stops the capture, appends its esp-* keys to DIR/result.txt
esp_capture_check() {
    kill -TERM "$ESP_CAPTURE_PID"
    wait "$ESP_CAPTURE_PID"
    /usr/bin/python3 "$HERE/esp-seq-check.py" "$dir/outside.pcap" $INSIDE_NET >>"$dir/result.txt" \
        2>"$dir/esp-seq-check.txt" || return 1
    # what the kernel dropped was not checked (a missed duplicate, never a false one)
    echo "esp-capture-dropped=$(sed -n 's/^\([0-9]*\) packets\{0,1\} dropped by kernel$/\1/p' "$dir/tcpdump.log")" \
        >>"$dir/result.txt"
}

# vrrp_between_gateways -A|-D: start (stop) dropping IP protocol 112 in and out of both gateways,
# one iptables-legacy-restore per gateway; the sync link (TCP) and everything else passes
vrrp_between_gateways() {
    local gw
    for gw in gwa gwb; do
        printf '*filter\n%s INPUT -p 112 -j DROP\n%s OUTPUT -p 112 -j DROP\nCOMMIT\n' "$1" "$1" |
            ip netns exec $gw iptables-legacy-restore --noflush || return 1
    done
}

# sb_streams SECONDS: numbered datagrams through each tunnel both ways, 200/s each, for SECONDS
# (DIR/splitbrain-TUNNEL-{stream,sent}-DIRECTION.txt); pids in SB_RX, SB_TX, the start in SB_T0
sb_streams() {
    local t d
    SB_RX=() SB_TX=()
    for t in "${TUNNELS[@]}"; do
        local -A host=([peer]=${PEER_HOST[$t]} [inside]=${INSIDE_HOST[$t]})
        for d in peer-inside inside-peer; do   # FROM-TO
            ip netns exec ${d#*-} /usr/bin/python3 "$HERE/udp-seq.py" recv ${host[${d#*-}]} 5001 \
                >"$dir/splitbrain-$t-stream-$d.txt" 2>&1 &
            SB_RX+=($!)
        done
    done
    pids+=("${SB_RX[@]}")
    for t in "${TUNNELS[@]}"; do
        for d in peer-inside inside-peer; do
            wait_log "$dir/splitbrain-$t-stream-$d.txt" listening 30 || return 1
        done
    done
    SB_T0=${EPOCHREALTIME/./}
    for t in "${TUNNELS[@]}"; do
        local -A host=([peer]=${PEER_HOST[$t]} [inside]=${INSIDE_HOST[$t]})
        for d in peer-inside inside-peer; do
            ip netns exec ${d%-*} /usr/bin/python3 "$HERE/udp-seq.py" send ${host[${d%-*}]} ${host[${d#*-}]} 5001 200 "$1" \
                >"$dir/splitbrain-$t-sent-$d.txt" 2>&1 &
            SB_TX+=($!)
        done
    done
    pids+=("${SB_TX[@]}")
}

# log_ms FILE REGEX [FROM-LINE]: the time of FILE's first line matching REGEX (from FROM-LINE on), in
# milliseconds since midnight (the daemon's lines begin with an ISO-8601 UTC time); empty if none
log_ms() {
    local t
    t=$(tail -n +"${3:-1}" "$1" | grep -m 1 -E "$2" | cut -d ' ' -f 1)
    [ -n "$t" ] || return 0
    t=${t#*T}
    ms "${t%Z}"
}

# roles GW...: each daemon's ha-role as its control socket reports it, one line each
roles() {
    local a=() gw
    for gw in "$@"; do a+=($gw '{"command":"status"}'); done
    ctl "${a[@]}" | sed 's/.*"ha-role" *: *"\([a-z]*\)".*/\1/'
}

# split_brain ACTIVE DEAD: see the header.  Appends to DIR/result.txt: splitbrain-second-active
# (yes: DEAD's daemon turned active while ACTIVE was), splitbrain-demoted (the node that logged its
# demotion), splitbrain-both-active-ms (DEAD's "is now ACTIVE" line to the demotion line),
# splitbrain-master-after-drop-ms (the VRRP drop to DEAD's "is now ACTIVE"), splitbrain-activations
# (changes to active on either node from the drop on), splitbrain-roles and splitbrain-active-count
# (both daemons' ha-role at the end), splitbrain-vip-holders (the nodes holding the outside VIP
# at the end), splitbrain-seq-errors-peer, and per stream splitbrain-TUNNEL-lost-/-duplicates-
# DIRECTION; or splitbrain-stopped when DEAD took the addresses on its return (a starved guest
# missed adverts: no split brain to judge).
split_brain() {
    local act=$1 dead=$2 t d gw from_act seq_peer_0 drop_ms master_ms demote_ms demoted=none roles='' actives=0 vips=''
    rejoin $dead || return 1
    if grep -q 'is now ACTIVE' "${LOG[$dead]}"; then
        # a starved guest missed adverts: keepalived moved the addresses between live nodes (phase_end sees it)
        echo "splitbrain-stopped=$dead took the addresses on its return" >>"$dir/result.txt"
        return 0
    fi
    modprobe -a iptable_filter || { echo "cannot load iptable_filter"; return 1; }
    from_act=$(( $(wc -l <"${LOG[$act]}") + 1 ))
    seq_peer_0=$(xfrm_stat peer)
    sb_streams 8 || { echo "the split brain's receivers did not start"; return 1; }
    msleep_until "$SB_T0" 2
    say "split brain: VRRP dropped between the gateways"
    drop_ms=$(ms "$(date -u +%H:%M:%S.%3N)")
    vrrp_between_gateways -A || { echo "iptables-legacy-restore cannot drop VRRP"; return 1; }
    wait_log "${LOG[$dead]}" 'is now ACTIVE' 10 && wait_log "${LOG[$act]}" 'demoting to STANDBY' 5
    msleep_until "$SB_T0" 5
    vrrp_between_gateways -D || { echo "iptables-legacy-restore cannot stop dropping VRRP"; return 1; }
    say "split brain: VRRP restored"
    wait "${SB_TX[@]}"
    msleep 1   # the last datagrams in flight
    kill -TERM "${SB_RX[@]}"; wait "${SB_RX[@]}"
    master_ms=$(log_ms "${LOG[$dead]}" 'is now ACTIVE')
    local -A from=([$act]=$from_act [$dead]=1) role   # DEAD's log began with its return
    { read -r role[$act]; read -r role[$dead]; } < <(roles $act $dead)
    for gw in $act $dead; do
        t=$(log_ms "${LOG[$gw]}" 'demoting to STANDBY' "${from[$gw]}")
        [ -n "$t" ] && { demoted=$gw demote_ms=$t; }
        roles="$roles $gw=${role[$gw]}"
        [ "${role[$gw]}" = active ] && actives=$(( actives + 1 ))
        ip -n $gw -4 addr show dev out | grep -q " $VIP_OUT/" && vips="$vips $gw"
    done
    {
        echo "splitbrain-second-active=$([ -n "$master_ms" ] && echo yes || echo no)"
        echo "splitbrain-demoted=$demoted"
        echo "splitbrain-both-active-ms=$([ -n "$master_ms" ] && [ -n "$demote_ms" ] && echo $(( demote_ms - master_ms )) || echo none)"
        echo "splitbrain-master-after-drop-ms=$([ -n "$master_ms" ] && echo $(( master_ms - drop_ms )) || echo none)"
        echo "splitbrain-activations=$(( $(tail -n +"$from_act" "${LOG[$act]}" | grep -c 'is now ACTIVE') + $(grep -c 'is now ACTIVE' "${LOG[$dead]}") ))"
        echo "splitbrain-roles=${roles# }"
        echo "splitbrain-active-count=$actives"
        echo "splitbrain-vip-holders=${vips# }"
        echo "splitbrain-seq-errors-peer=$(( $(xfrm_stat peer) - seq_peer_0 ))"
        for t in "${TUNNELS[@]}"; do
            for d in peer-inside inside-peer; do
                awk -v k="splitbrain-$t-" -v d=$d '/^sent / { s = $2 } /^received / { r = $2; u = $4 }
                    END { printf "%slost-%s=%d\n%sduplicates-%s=%s\n", k, d, s - r, k, d, u == "" ? "none" : u }' \
                    "$dir/splitbrain-$t-sent-$d.txt" "$dir/splitbrain-$t-stream-$d.txt"
            done
        done
    } >>"$dir/result.txt"
}
