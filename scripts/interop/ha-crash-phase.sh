# ha-crash-phase.sh - sourced by ha-failover-scenario.sh: issue 15 "Crash at the worst moments" in
# the lab, in the same boot, after the failback's checks.  The daemons run with the test-only
# -Disakmpd.test-hooks=true, so that the control socket's test-crash can arm CrashHook: the armed
# daemon halts (Runtime.halt, as a SIGKILL: no Delete, no clean-up) right after the datagram
# carrying that message left its socket; the script then does the rest of a node's death.
#   QM2: the dead node returns as standby; the peer rekeys tunnel cbc (swanctl --rekey); the active
#        answers QM2 and dies; the peer's QM3 goes to the VIP while it moves; the standby takes
#        over the pending pair, whose outbound SA it installs once traffic arrives on its inbound SA.
#   QM3: the node that died returns as standby; the active rekeys tunnel gcm (control socket
#        "rekey"), sends QM3 and dies; the other takes over the new pair.
# Each under numbered streams both ways (udp-seq.py); result lines crash-qm2-* and crash-qm3-*
# (ha-crash-check.py has the checks' keys) plus, per crash: halted (the daemon halted itself),
# halt-status (its exit status, 137), tunnel, seq-errors-peer/-survivor, main-mode-after-kill,
# pending-promoted (QM2: the survivor installed the pending pair's outbound SA on its traffic).

# Seconds of streams per crash, and when into them the rekey that triggers it starts (armed before).
# The SAs are listed just after the streams: before the survivor retires the old pair (10 s after
# QM3 when it rekeyed), which the peer's kernel holds until the Delete arrives.
CRASH_STREAM_S=8
CRASH_AT_S=2

# crash_phases ACTIVE DEAD: both crashes; the node dead before each returns first (its log GW-crash.log).
# Status 1: the lab failed (the reason on stdout); 2: keepalived moved the addresses between live
# nodes (a starved guest missed adverts), so the phase stopped, with a crash-stopped line saying why.
crash_phases() {
    local a=$1 b=$2
    crash_rejoin $b && crash_at qm2 $a $b crash-qm2- && crash_rejoin $a && crash_at qm3 $b $a crash-qm3-
}

# crash_rejoin GW: GW returns as standby (see rejoin) and leaves the addresses where they are
crash_rejoin() {
    rejoin $1 -crash || return 1
    if grep -q 'is now ACTIVE' "${LOG[$1]}"; then
        echo "crash-stopped=$1 took the addresses on its return" >>"$dir/result.txt"
        return 2
    fi
}

# proc_gone PID: the process has ended (gone or a zombie)
proc_gone() {
    local st
    st=$(cut -d' ' -f3 "/proc/$1/stat" 2>/dev/null) || return 0
    [ "$st" = Z ]
}

# crash_at MOMENT VICTIM SURVIVOR PREFIX: MOMENT qm2 or qm3, see the header
crash_at() {
    local moment=$1 victim=$2 sv=$3 prefix=$4 tunnel=gcm reply halted=no status in_spi
    local vlog=${LOG[$2]} svlog=${LOG[$3]} from_v from_sv charon_at seq_peer_0 seq_sv_0 takeover=no
    [ $moment = qm2 ] && tunnel=cbc
    from_v=$(wc -l <"$vlog") from_sv=$(wc -l <"$svlog") charon_at=$(wc -l <"$dir/charon.log")
    seq_peer_0=$(xfrm_stat peer) seq_sv_0=$(xfrm_stat $sv)
    # before the streams: each ctl is a python start, over a second in a loaded guest
    if ! ctl $victim '{"command":"status"}' | grep -q '"ha-role":"active"' ||
        ! ctl $sv '{"command":"status"}' | grep -q '"ha-role":"standby"'; then
        echo "crash-stopped=$victim is not the active or $sv not the standby before $moment" >>"$dir/result.txt"
        return 2
    fi
    reply=$(ctl $victim "{\"command\":\"test-crash\",\"after\":\"$moment\"}")
    echo "$reply" >"$dir/${prefix}ctl-test-crash.txt"
    case $reply in *'"ok":true'*) ;; *) echo "$victim refused test-crash: $reply"; return 1 ;; esac
    streams_start "$prefix" $CRASH_STREAM_S || return 1
    msleep_until "$STREAM_T0" $CRASH_AT_S
    say "$name: $victim armed for $moment, rekeying tunnel $tunnel"
    if [ $moment = qm2 ]; then
        swanctl_ --rekey --child $tunnel >"$dir/${prefix}swanctl-rekey.txt" 2>&1
    else
        ctl $victim "{\"command\":\"rekey\",\"peer\":\"strongswan\",\"tunnel\":\"$tunnel\"}" >"$dir/${prefix}ctl-rekey.txt" 2>&1
    fi
    for _ in $(seq 1 100); do
        proc_gone ${D_PID[$victim]} && { halted=yes; break; }
        msleep 0.1
    done
    [ $halted = yes ] || kill -KILL ${D_PID[$victim]}
    wait ${D_PID[$victim]}
    status=$?
    node_dies_rest $victim
    say "$name: $victim died after $moment (halted by itself: $halted, status $status)"
    for _ in $(seq 1 50); do
        tail -n +"$((from_sv + 1))" "$svlog" | grep -q 'takeover: ' && { takeover=yes; break; }
        msleep 0.2
    done
    streams_end
    ip netns exec peer ip -s xfrm state >"$dir/${prefix}xfrm-state-peer.txt"
    ip netns exec $sv ip -s xfrm state >"$dir/${prefix}xfrm-state-$sv.txt"
    swanctl_ --list-sas --raw >"$dir/${prefix}swanctl-list-sas.txt" 2>&1
    # the new pair's inbound SA: the victim installed it before QM2 (responder) or QM3 (initiator)
    in_spi=$(tail -n +"$((from_v + 1))" "$vlog" | sed -n "s/.*installed strongswan\/$tunnel ESP in spi=0x\([0-9a-f]*\) .*/\1/p" | tail -1)
    {
        echo "${prefix}tunnel=$tunnel"
        echo "${prefix}halted=$halted"
        echo "${prefix}halt-status=$status"
        echo "${prefix}takeover=$takeover"
        stream_lines "$prefix"
        /usr/bin/python3 "$HERE/ha-crash-check.py" "$dir" "$prefix" $sv $PEER "${in_spi:-none}" "${TUNNELS[@]}"
        echo "${prefix}seq-errors-peer=$(( $(xfrm_stat peer) - seq_peer_0 ))"
        echo "${prefix}seq-errors-survivor=$(( $(xfrm_stat $sv) - seq_sv_0 ))"
        echo "${prefix}main-mode-after-kill=$(tail -n +"$charon_at" "$dir/charon.log" | grep -c 'ID_PROT')"
        echo "${prefix}pending-promoted=$(tail -n +"$((from_sv + 1))" "$svlog" | grep -c 'of a pending pair taken over: the peer uses it')"
    } >>"$dir/result.txt"
}
