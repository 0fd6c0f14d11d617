package dev.isakmpd.core.exchange;

import dev.isakmpd.core.ha.HaRecord;
import dev.isakmpd.core.sa.IpsecSa;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The active side of HA replication (issue 15 s3), sans-I/O. A guarded message (MM6, QM2, QM3,
 * R-U-THERE, see docs/architecture.md "HA: the engine side") waits here until the standby
 * acknowledged the record that makes it safe to send, or until the ack timeout passed: then the
 * engine is degraded, sends anyway, and re-sends what was not acknowledged once the standby is
 * back. While degraded nothing waits (the active never waits on a dead standby). Deletes go
 * asynchronously, in order, one per SA per input.
 */
final class Replication {
    /** A guarded record sent to the standby and the datagrams waiting for its ack. */
    private record Guard(HaRecord record, List<Datagram> held, Instant deadline) {
    }

    /** What {@link #missed} files a record under: one per kind of record per SA. */
    private record Missed(int type, Object saKey) {
    }

    /** The types of IsakmpSa, IpsecPair and DpdSequence: what a Delete makes obsolete. */
    private static final int[] RECORDS_OF_AN_SA = {1, 2, 6};

    private final Duration ackTimeout;
    private long nextId = 1;
    /** By id, which is also deadline order: every guard waits the same timeout. */
    private final LinkedHashMap<Long, Guard> waiting = new LinkedHashMap<>();
    /** The held datagrams' bytes, so that a retransmission of one is not sent ahead of it. */
    private final Map<ByteBuffer, Long> heldBytes = new HashMap<>();
    /** Asynchronous records of this input, one per SA (a later one replaces an earlier in its place). */
    private final LinkedHashMap<Object, HaRecord> async = new LinkedHashMap<>();
    /** Records the standby may lack (their ack timed out, or sent while degraded): re-sent when it is back. */
    private final LinkedHashMap<Missed, HaRecord> missed = new LinkedHashMap<>();
    private boolean degraded;
    private long degradedSends;

    Replication(Duration ackTimeout) {
        if (ackTimeout.isNegative() || ackTimeout.isZero()) {
            throw new IllegalArgumentException("HA ack timeout must be positive, not " + ackTimeout);
        }
        this.ackTimeout = ackTimeout;
    }

    /** Sends {@code record}; {@code held} goes out once the standby has it, or degraded without. */
    void guard(HaRecord record, List<Datagram> held, Instant now, Out out) {
        long id = nextId++;
        if (degraded) {
            out.add(new Action.Replicate(id, record, false));
            missed.put(new Missed(record.type(), record.saKey()), record);
            held.forEach(out::sendReleased);
            degradedSends++;
            return;
        }
        out.add(new Action.Replicate(id, record, true));
        waiting.put(id, new Guard(record, held, now.plus(ackTimeout)));
        for (Datagram d : held) {
            heldBytes.put(ByteBuffer.wrap(d.rawData()), id);
        }
    }

    /** Whether {@code d} is a message that waits for an ack (so a retransmission must wait too). */
    boolean holds(Datagram d) {
        return !heldBytes.isEmpty() && heldBytes.containsKey(ByteBuffer.wrap(d.rawData()));
    }

    /**
     * Queues an asynchronous record; a Delete also cancels the re-sending of what it deletes, and
     * any other record replaces its SA's record waiting to be re-sent: a re-send must never take
     * the standby back to an older state (a pending pair's record over the one sent when it went live).
     */
    void queue(HaRecord r) {
        async.put(r.saKey(), r);
        if (r instanceof HaRecord.IsakmpDelete || r instanceof HaRecord.PairDelete) {
            for (int type : RECORDS_OF_AN_SA) {
                missed.remove(new Missed(type, r.saKey()));
            }
        } else if (r instanceof HaRecord.PairLive) {
            // the standby may lack the pending record this flips: the re-send brings the pair whole, live
            missed.computeIfPresent(new Missed(2, r.saKey()), (k, older) -> ((HaRecord.IpsecPair) older).live());
        } else {
            missed.computeIfPresent(new Missed(r.type(), r.saKey()), (k, older) -> r);
        }
    }

    /** Emits the asynchronous records queued during this input, in order. */
    void drain(Out out) {
        for (HaRecord r : async.values()) {
            out.add(new Action.Replicate(nextId++, r, false));
        }
        async.clear();
    }

    /**
     * The standby stored record {@code id}: its held messages go out. A late ack while degraded
     * proves the standby alive: it is back ({@link #standbyBack}). Otherwise one ack slower than the
     * timeout (a loaded standby) left every later guarded message unguarded for as long as the
     * standby stayed on the sync link, since only a rejoin reported it back.
     */
    void acknowledged(long id, Out out) {
        Guard g = waiting.remove(id);
        if (g == null) {
            out.debug("HA: acknowledgement " + id + " for no waiting record (late, after its timeout, or twice)");
            if (degraded && id < nextId) {
                out.info("HA: the standby acknowledged record " + id + " late: it is alive");
                standbyBack(out);
            }
            return;
        }
        release(g, out);
    }

    /** Acks that did not come in time: their messages go out, and the engine is degraded. */
    void expire(Instant now, Out out) {
        for (Iterator<Guard> it = waiting.values().iterator(); it.hasNext();) {
            Guard g = it.next();
            if (g.deadline().isAfter(now)) {
                return;
            }
            it.remove();
            if (!degraded) {
                out.warn("HA: the standby did not acknowledge " + describe(g.record()) + " within "
                        + ackTimeout.toMillis() + " ms; degraded: sending without its copy until it is back");
                degraded = true;
            }
            degradedSends++;
            missed.put(new Missed(g.record().type(), g.record().saKey()), g.record());
            release(g, out);
        }
    }

    private void release(Guard g, Out out) {
        for (Datagram d : g.held()) {
            heldBytes.remove(ByteBuffer.wrap(d.rawData()));
            out.sendReleased(d);
        }
    }

    /** The standby is back: what it may lack is sent again (asynchronously), and guards wait for it again. */
    void standbyBack(Out out) {
        out.info("HA: the standby is back; re-sending " + missed.size() + " record(s) it may lack"
                + (degraded ? "; no longer degraded" : ""));
        degraded = false;
        for (HaRecord r : missed.values()) {
            out.add(new Action.Replicate(nextId++, r, false));
        }
        missed.clear();
    }

    /**
     * Split brain: this node demotes (Engine#demote). What waits for an ack is dropped unsent (its
     * SA is gone) and nothing is owed to the other node, which is the active now.
     */
    void forget() {
        waiting.clear();
        heldBytes.clear();
        async.clear();
        missed.clear();
        degraded = false;
    }

    Optional<Instant> nextDeadline() {
        return waiting.isEmpty() ? Optional.empty() : Optional.of(waiting.values().iterator().next().deadline());
    }

    boolean degraded() {
        return degraded;
    }

    /** Guarded messages sent without the standby's ack, in all. */
    long degradedSends() {
        return degradedSends;
    }

    private static String describe(HaRecord r) {
        return r.getClass().getSimpleName() + " " + r.saKey();
    }

    // ---------------------------------------------------------------- records from the engine's state

    static HaRecord.CookiePair cookies(Cookies c) {
        return new HaRecord.CookiePair(c.initiator(), c.responder());
    }

    /** A pair the engine holds: in use unless {@code pending}. */
    static HaRecord.IpsecPair pair(ChildSas.Pair p) {
        return new HaRecord.IpsecPair(cookies(p.owner()), p.peer(), p.identity(), p.inbound(), p.outbound(),
                p.initiator(), false, false, p.expires().toEpochMilli(),
                p.rekeyAt() == null ? 0 : p.rekeyAt().toEpochMilli());
    }

    /**
     * What tells the standby that a responder's pair went live at QM3: a short {@link HaRecord.PairLive}
     * if the pending record it holds ({@code sent}) still describes the pair, else the whole pair. The
     * peer may have moved between QM2 and QM3 (NAT-T, {@link IsakmpSession#authenticated}; QM3 itself
     * may come from the new address): the outbound SA is then made for the new address and port. All
     * else of the pair comes from the exchange (keys: KEYMAT of the same SPI, RFC 2409 s5.5).
     */
    static HaRecord wentLive(HaRecord.IpsecPair sent, ChildSas.Pair p) {
        HaRecord.IpsecPair live = pair(p);
        IpsecSa out = live.outbound();
        IpsecSa was = sent == null ? null : sent.outbound();
        boolean same = was != null && sent.inbound() == live.inbound() && was.spi() == out.spi()
                && was.source().equals(out.source()) && was.destination().equals(out.destination())
                && was.udpEncapsulation().equals(out.udpEncapsulation()) && sent.owner().equals(live.owner())
                && sent.peerKey().equals(live.peerKey()) && sent.expiresAt() == live.expiresAt()
                && sent.rekeyAt() == live.rekeyAt();
        return same ? new HaRecord.PairLive((HaRecord.SpiKey) live.saKey()) : live;
    }

    /** A taken-over pair whose outbound SA waits for the peer's traffic ({@link Takeover.Pending}): pending again. */
    static HaRecord.IpsecPair pending(ChildSas.Pair p) {
        HaRecord.IpsecPair live = pair(p);
        return new HaRecord.IpsecPair(live.owner(), live.peerKey(), live.identity(), live.inbound(), live.outbound(),
                live.initiator(), true, live.esn(), live.expiresAt(), live.rekeyAt());
    }

    /** The NAT-T version as {@link HaRecord.Capabilities} numbers it: 0 none, then in the order of RFC 3947 s3's list. */
    static int natVersion(Optional<NatDiscovery.Version> v) {
        return v.map(x -> switch (x) {
            case RFC3947 -> 1;
            case DRAFT_03 -> 2;
            case DRAFT_02 -> 3;
            case DRAFT_02_NEWLINE -> 4;
        }).orElse(0);
    }

    /** The NAT-T version of {@link HaRecord.Capabilities}' number; empty for 0 (no NAT). */
    static Optional<NatDiscovery.Version> natVersion(int n) {
        return switch (n) {
            case 1 -> Optional.of(NatDiscovery.Version.RFC3947);
            case 2 -> Optional.of(NatDiscovery.Version.DRAFT_03);
            case 3 -> Optional.of(NatDiscovery.Version.DRAFT_02);
            case 4 -> Optional.of(NatDiscovery.Version.DRAFT_02_NEWLINE);
            default -> Optional.empty();
        };
    }

    /**
     * Every SA as records, for a standby that joins: ISAKMP SAs first, so that pairs find their
     * owner, then the pairs' last counters (after their pairs, which the standby keeps them for).
     * Without the counters a standby that joined after an SA's last kernel report (an idle SA
     * reports nothing) would take it over at the margin, below what this node sent: sequence
     * numbers, and with AES-GCM nonces, used twice under one key.
     */
    static List<HaRecord> snapshot(Iterable<IsakmpSession> sessions, ChildSas children) {
        List<HaRecord> all = new ArrayList<>();
        List<HaRecord> pending = new ArrayList<>();
        for (IsakmpSession s : sessions) {
            if (s.state() == IsakmpSession.State.ESTABLISHED) {
                all.add(s.replica());
                s.dpdReplica().ifPresent(all::add);
                s.quickModes().values().forEach(q -> q.pendingReplica().ifPresent(pending::add));
            }
        }
        children.all().forEach(p -> all.add(pair(p)));
        all.addAll(pending);
        children.all().forEach(p -> all.addAll(p.counters()));
        return all;
    }
}
