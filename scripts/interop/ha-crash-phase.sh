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
# The hook fires only on a guarded message, one the standby acknowledged within the ack timeout
# (200 ms): on the one-CPU guest a freshly started standby sometimes acknowledges later, the message
# goes out degraded and the armed hook waits for the next.  So each crash rekeys again (a new Quick
# Mode, up to CRASH_TRIES in all) while the victim logs that its message went out degraded; a crash
# whose hook never fired is killed by the script, as a node dies, with the reason in the results.
# Each under numbered streams both ways (udp-seq.py), stopped CRASH_AFTER_S after the crash; result
# lines crash-qm2-* and crash-qm3-* (ha-crash-check.py has the checks' keys) plus, per crash: tries
# (the rekeys it took), halted (the daemon halted itself), not-halted (why not, when it did not),
# halt-status (its exit status, 137), tunnel, seq-errors-peer/-survivor, main-mode-after-kill,
# pending-promoted (QM2: the survivor installed the pending pair's outbound SA on its traffic).

# Seconds of streams before the first rekey (armed before), and after the crash: the checks judge
# gaps up to one DPD interval (2 s), and the SAs are listed just after the streams, before the
# survivor retires the pairs the rekeys replaced (10 s after each QM3; ha-crash-check.py lists
# again when an SA seems missing, so that one retired in between is not taken for a black hole).
CRASH_AT_S=2
CRASH_AFTER_S=3
# Rekeys per crash at most, and how long one may take to end in the crash or a degraded message.
CRASH_TRIES=4
CRASH_TRY_S=8

# crash_phases ACTIVE DEAD: both crashes; the node dead before each returns first (its log GW-crash.log).
# Status 1: the lab failed (the reason on stdout); 2: keepalived moved the addresses between live
# nodes (a starved guest missed adverts), so the phase stopped, with a crash-stopped line saying why.
# Each crash is a phase (phase_end): one role change, the survivor's takeover; none when it stopped.
crash_phases() {
    local a=$1 b=$2 st=0
    { crash_rejoin $b && crash_at qm2 $a $b crash-qm2-; } || st=$?
    phase_end crash-qm2 $(( st == 0 ))
    [ $st -eq 0 ] || return $st
    { crash_rejoin $a && crash_at qm3 $b $a crash-qm3-; } || st=$?
    phase_end crash-qm3 $(( st == 0 ))
    return $st
}

# crash_rejoin GW: GW returns as standby (see rejoin) and leaves the addresses where they are
crash_rejoin() {
    rejoin $1 -crash || return 1
    if grep -q 'is now ACTIVE' "${LOG[$1]}"; then
        echo "crash-stopped=$1 took the addresses on its return" >>"$dir/result.txt"
        return 2
    fi
}

# proc_gone PID: the process has ended (gone or a zombie); no fork, it is polled while the crash is due
proc_gone() {
    local st
    { read -r _ _ st _ <"/proc/$1/stat"; } 2>/dev/null || return 0
    [ "$st" = Z ]
}

# crash_rekey MOMENT VICTIM TUNNEL PREFIX: the Quick Mode that carries MOMENT (qm2: the peer rekeys,
# the victim answers; qm3: the victim rekeys)
crash_rekey() {
    if [ $1 = qm2 ]; then
        swanctl_ --rekey --child $3 >>"$dir/${4}swanctl-rekey.txt" 2>&1
    else
        ctl $2 "{\"command\":\"rekey\",\"peer\":\"strongswan\",\"tunnel\":\"$3\"}" >>"$dir/${4}ctl-rekey.txt" 2>&1
    fi
}

# crash_try VICTIM-PID VICTIM-LOG FROM-LINE: after a rekey, "halted" once the victim ended,
# "degraded" once its log (after FROM-LINE) shows the hook's message went out degraded, "none"
# after CRASH_TRY_S seconds of neither
crash_try() {
    local end=$(( ${EPOCHREALTIME%.*} + CRASH_TRY_S )) i=0
    while [ "${EPOCHREALTIME%.*}" -lt "$end" ]; do
        proc_gone $1 && { echo halted; return; }
        # the log every 0.5 s: forks are dear on the one-CPU guest, and the standby's ack is due
        if [ $(( ++i % 5 )) = 0 ] && tail -n +"$3" "$2" | grep -q "TEST HOOK: the QM[23] went out before the standby's ack"; then
            echo degraded
            return
        fi
        msleep 0.1
    done
    echo none
}

# crash_at MOMENT VICTIM SURVIVOR PREFIX: MOMENT qm2 or qm3, see the header
crash_at() {
    local moment=$1 victim=$2 sv=$3 prefix=$4 tunnel=gcm reply halted=no why='' status in_spi tries=0 try from_try qm checks sv_reply
    local vlog=${LOG[$2]} svlog=${LOG[$3]} from_v from_sv charon_at seq_peer_0 seq_sv_0 takeover=no crash_t
    [ $moment = qm2 ] && tunnel=cbc
    from_v=$(wc -l <"$vlog") from_sv=$(wc -l <"$svlog") charon_at=$(wc -l <"$dir/charon.log")
    seq_peer_0=$(xfrm_stat peer) seq_sv_0=$(xfrm_stat $sv)
    # before the streams: each ctl is a python start, over a second in a loaded guest
    { read -r reply; read -r sv_reply; } < <(ctl $victim '{"command":"status"}' $sv '{"command":"status"}')
    if [[ $reply != *'"ha-role":"active"'* || $sv_reply != *'"ha-role":"standby"'* ]]; then
        echo "crash-stopped=$victim is not the active or $sv not the standby before $moment" >>"$dir/result.txt"
        return 2
    fi
    reply=$(ctl $victim "{\"command\":\"test-crash\",\"after\":\"$moment\"}")
    echo "$reply" >"$dir/${prefix}ctl-test-crash.txt"
    case $reply in *'"ok":true'*) ;; *) echo "$victim refused test-crash: $reply"; return 1 ;; esac
    # the streams run until stopped, CRASH_AFTER_S after the crash
    streams_start "$prefix" 120 || return 1
    msleep_until "$STREAM_T0" $CRASH_AT_S
    while [ $halted = no ] && [ -z "$why" ]; do
        tries=$(( tries + 1 ))
        from_try=$(( $(wc -l <"$vlog") + 1 )) qm=$(established "$vlog")
        say "$name: $victim armed for $moment, rekeying tunnel $tunnel (try $tries)"
        crash_rekey $moment $victim $tunnel "$prefix"
        try=$(crash_try ${D_PID[$victim]} "$vlog" $from_try)
        case $try in
            halted) halted=yes ;;
            degraded)
                say "$name: the $moment of try $tries went out degraded (the standby's ack came after the timeout)"
                if [ $tries -ge $CRASH_TRIES ]; then
                    why="the $moment went out degraded (the standby's ack later than the timeout) on each of $tries rekeys"
                else
                    # the degraded Quick Mode ends (for qm2: the peer's QM3) before the next starts
                    for _ in $(seq 1 50); do
                        [ "$(established "$vlog")" -gt "$qm" ] && break
                        msleep 0.1
                    done
                fi ;;
            *) why="no $moment of tunnel $tunnel went out within ${CRASH_TRY_S} s of rekey $tries (see ${vlog##*/}, charon.log)" ;;
        esac
    done
    crash_t=${EPOCHREALTIME/./}
    # a hook that never fired: the node dies all the same, so that the run goes on; the checks fail with why
    [ $halted = yes ] || kill -KILL ${D_PID[$victim]}
    wait ${D_PID[$victim]}
    status=$?
    node_dies_rest $victim
    say "$name: $victim died after $moment (halted by itself: $halted${why:+, $why}, status $status)"
    for _ in $(seq 1 50); do
        tail -n +"$((from_sv + 1))" "$svlog" | grep -q 'takeover: ' && { takeover=yes; break; }
        msleep 0.2
    done
    msleep_until "$crash_t" $CRASH_AFTER_S
    kill -TERM "${STREAM_TX[@]}"
    streams_end
    crash_sas "$prefix" $sv ''
    # the new pair's inbound SA: the victim installed it before QM2 (responder) or QM3 (initiator)
    in_spi=$(tail -n +"$((from_v + 1))" "$vlog" | sed -n "s/.*installed strongswan\/$tunnel ESP in spi=0x\([0-9a-f]*\) .*/\1/p" | tail -1)
    checks=$(/usr/bin/python3 "$HERE/ha-crash-check.py" "$dir" "$prefix" $sv $PEER "${in_spi:-none}" "${TUNNELS[@]}")
    # an SA missing on one side may be a pair retired between the two kernels' listings: list again
    if grep -q -e '-sas-missing-on-survivor=[0-9a-f]' -e '-outbound-missing-on-peer=[0-9a-f]' <<<"$checks"; then
        msleep 1
        crash_sas "$prefix" $sv -2
        checks=$(/usr/bin/python3 "$HERE/ha-crash-check.py" "$dir" "$prefix" $sv $PEER "${in_spi:-none}" "${TUNNELS[@]}")
    fi
    {
        echo "${prefix}tunnel=$tunnel"
        echo "${prefix}tries=$tries"
        echo "${prefix}halted=$halted"
        [ -z "$why" ] || echo "${prefix}not-halted=$why"
        echo "${prefix}halt-status=$status"
        echo "${prefix}takeover=$takeover"
        stream_lines "$prefix"
        echo "$checks"
        echo "${prefix}seq-errors-peer=$(( $(xfrm_stat peer) - seq_peer_0 ))"
        echo "${prefix}seq-errors-survivor=$(( $(xfrm_stat $sv) - seq_sv_0 ))"
        echo "${prefix}main-mode-after-kill=$(tail -n +"$charon_at" "$dir/charon.log" | grep -c 'ID_PROT')"
        echo "${prefix}pending-promoted=$(tail -n +"$((from_sv + 1))" "$svlog" | grep -c 'of a pending pair taken over: the peer uses it')"
    } >>"$dir/result.txt"
}

# crash_sas PREFIX SURVIVOR ROUND: the peer's and the survivor's ESP SAs and the peer's child SAs, for
# ha-crash-check.py (ROUND '' the first listing, -2 the second one, if any)
crash_sas() {
    ip netns exec peer ip -s xfrm state >"$dir/${1}xfrm-state-peer$3.txt"
    ip netns exec $2 ip -s xfrm state >"$dir/${1}xfrm-state-$2$3.txt"
    swanctl_ --list-sas --raw >"$dir/${1}swanctl-list-sas$3.txt" 2>&1
}
