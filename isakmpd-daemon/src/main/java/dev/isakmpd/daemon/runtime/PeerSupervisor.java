package dev.isakmpd.daemon.runtime;

import dev.isakmpd.core.exchange.Engine.PeerEvent;
import dev.isakmpd.core.policy.PeerPolicy;
import dev.isakmpd.daemon.config.DaemonConfig;
import dev.isakmpd.daemon.config.Durations;
import dev.isakmpd.daemon.config.RestartPolicy;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the tunnels up that should be: auto = "start" peers and those brought up by isakmpctl.
 * The engine reports what happened (a Main Mode given up, SAs closed by the peer, a dead peer);
 * this applies each peer's keying-tries with backoff, close-action and dpd-action. Loop thread only.
 */
final class PeerSupervisor {
    private static final Logger LOG = LoggerFactory.getLogger("isakmpd.daemon");

    /** One peer's standing. {@code cleared}: its ACQUIREs are ignored until isakmpctl up. */
    static final class Standing {
        boolean wanted;
        boolean cleared;
        int failedTries;
        boolean gaveUp;
        Instant retryAt;
    }

    private DaemonConfig config;
    private final Map<String, Standing> peers = new LinkedHashMap<>();

    PeerSupervisor(DaemonConfig config) {
        this.config = config;
        for (PeerPolicy p : config.peers()) {
            Standing s = new Standing();
            s.wanted = p.autoStart();
            peers.put(p.name(), s);
        }
    }

    /**
     * After a reload: removed peers are forgotten; new and changed ones start afresh, wanted if
     * auto = "start". Returns the changed or new peers that are wanted, to bring up.
     */
    List<String> reconfigure(DaemonConfig next, List<String> changed) {
        config = next;
        peers.keySet().retainAll(next.peers().stream().map(PeerPolicy::name).toList());
        for (PeerPolicy p : next.peers()) {
            if (!peers.containsKey(p.name()) || changed.contains(p.name())) {
                Standing s = new Standing();
                s.wanted = p.autoStart();
                peers.put(p.name(), s);
            }
        }
        return changed.stream().filter(n -> peers.get(n).wanted).toList();
    }

    /** The peers to bring up at start. */
    List<String> autoStart() {
        return peers.entrySet().stream().filter(e -> e.getValue().wanted).map(Map.Entry::getKey).toList();
    }

    Standing standing(String peer) {
        return peers.get(peer);
    }

    void onEvent(PeerEvent e, Instant now) {
        Standing s = peers.get(e.peer());
        if (s == null || !s.wanted) {
            return;
        }
        RestartPolicy policy = config.restartPolicy(e.peer());
        switch (e.kind()) {
            // our XAUTH client refused (or unanswered) counts as a failed keying try
            case GAVE_UP, REMOTE_ACCESS_FAILED -> {
                s.failedTries++;
                if (!policy.forever() && s.failedTries >= policy.keyingTries()) {
                    s.gaveUp = true;
                    s.retryAt = null;
                    LOG.warn("peer {}: no ISAKMP SA after {} keying tries (keying-tries = {}); giving up until "
                            + "isakmpctl up {}", e.peer(), s.failedTries, policy.keyingTries(), e.peer());
                } else {
                    s.retryAt = now.plus(policy.delayAfter(s.failedTries));
                    LOG.info("peer {}: keying try {} failed; next try in {}", e.peer(), s.failedTries,
                            Durations.format(policy.delayAfter(s.failedTries)));
                }
            }
            case CLOSED_BY_PEER -> apply(e.peer(), s, policy.closeAction(), "close-action", "the peer closed SAs of ours",
                    now);
            case DEAD -> apply(e.peer(), s, policy.dpdAction(), "dpd-action", "Dead Peer Detection declared it dead",
                    now);
            case ESTABLISHED -> established(e.peer());
        }
    }

    private static void apply(String peer, Standing s, RestartPolicy.OnLoss action, String key, String why,
            Instant now) {
        switch (action) {
            case RESTART -> {
                LOG.info("peer {}: {}; bringing up what is missing ({} = restart)", peer, why, key);
                s.failedTries = 0;
                s.retryAt = now;
            }
            case HOLD -> LOG.info("peer {}: {}; waiting for traffic to restart it ({} = hold)", peer, why, key);
            case CLEAR -> {
                LOG.info("peer {}: {}; leaving it down until isakmpctl up ({} = clear)", peer, why, key);
                s.wanted = false;
                s.cleared = true;
                s.retryAt = null;
            }
        }
    }

    /** The peer has an ISAKMP SA: its failed tries are forgotten. */
    void established(String peer) {
        Standing s = peers.get(peer);
        if (s != null) {
            s.failedTries = 0;
            s.gaveUp = false;
        }
    }

    /** isakmpctl up: wanted from now on, with a fresh count of keying tries. */
    void up(String peer) {
        Standing s = peers.get(peer);
        s.wanted = true;
        s.cleared = false;
        s.gaveUp = false;
        s.failedTries = 0;
        s.retryAt = null;
    }

    /** isakmpctl down: neither restarted nor brought up by traffic until isakmpctl up. */
    void down(String peer) {
        Standing s = peers.get(peer);
        s.wanted = false;
        s.cleared = true;
        s.retryAt = null;
    }

    boolean acquireAllowed(String peer) {
        Standing s = peers.get(peer);
        return s == null || !s.cleared;
    }

    Optional<Instant> nextRetry() {
        return peers.values().stream().map(s -> s.retryAt).filter(t -> t != null).min(Instant::compareTo);
    }

    /** The peers whose retry is due now; their timers are cleared. */
    List<String> takeDue(Instant now) {
        List<String> due = peers.entrySet().stream()
                .filter(e -> e.getValue().retryAt != null && !e.getValue().retryAt.isAfter(now))
                .map(Map.Entry::getKey).toList();
        due.forEach(p -> peers.get(p).retryAt = null);
        return due;
    }
}
