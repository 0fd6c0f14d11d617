package dev.isakmpd.core.ha;

import dev.isakmpd.core.sa.IpsecSa;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * What a standby holds of its active's SAs: the latest record per SA, applied in the order the
 * active sent them. Applying is idempotent (a re-sent record replaces its copy), so a snapshot and
 * the live stream may overlap. Keys of a record that is replaced or deleted are wiped. Nothing here
 * sends or schedules; takeover (issue 15 s5) rebuilds sessions from these records. A pair whose
 * record comes again with the same inbound SA keeps its first inbound {@link IpsecSa} object: the
 * one the standby installed on receipt ({@code Engine.applyReplica}). A {@link HaRecord.PairLive}
 * flips a pending pair held to live and changes nothing else; for a pair not held it does nothing.
 */
public final class StandbyTable {
    private final Map<HaRecord.CookiePair, HaRecord.IsakmpSa> isakmp = new LinkedHashMap<>();
    private final Map<HaRecord.CookiePair, Integer> dpd = new HashMap<>();
    /** By the inbound SA; {@link #byOutbound} finds a pair by its outbound SA. */
    private final Map<HaRecord.SpiKey, HaRecord.IpsecPair> pairs = new LinkedHashMap<>();
    private final Map<HaRecord.SpiKey, HaRecord.SpiKey> byOutbound = new HashMap<>();
    private final Map<HaRecord.SpiKey, HaRecord.Counters> counters = new HashMap<>();

    public void apply(HaRecord r) {
        if (r instanceof HaRecord.IsakmpSa s) {
            HaRecord.IsakmpSa old = isakmp.put(s.cookies(), s);
            if (old != null && old != s) {
                wipe(old);
            }
        } else if (r instanceof HaRecord.IpsecPair received) {
            HaRecord.SpiKey in = key(received.inbound());
            HaRecord.IpsecPair old = pairs.get(in);
            HaRecord.IpsecPair p = received;
            if (old != null && old != received && old.inbound().equals(received.inbound())) {
                // the same inbound SA again (a pending pair gone live, a re-sent record): keep the
                // object the standby's kernel got, so that what it holds stays one SA with live keys
                received.inbound().wipe();
                p = new HaRecord.IpsecPair(received.owner(), received.peerKey(), received.identity(), old.inbound(),
                        received.outbound(), received.initiator(), received.pending(), received.esn(),
                        received.expiresAt(), received.rekeyAt());
            }
            pairs.put(in, p);
            if (old != null && old != received) {
                byOutbound.remove(key(old.outbound()));
                if (old.inbound() != p.inbound()) {
                    old.inbound().wipe();
                }
                old.outbound().wipe();
            }
            byOutbound.put(key(p.outbound()), in);
        } else if (r instanceof HaRecord.IsakmpDelete d) {
            HaRecord.IsakmpSa old = isakmp.remove(d.cookies());
            if (old != null) {
                wipe(old);
            }
            dpd.remove(d.cookies());
        } else if (r instanceof HaRecord.PairDelete d) {
            HaRecord.IpsecPair old = pairs.remove(d.inbound());
            if (old != null) {
                byOutbound.remove(key(old.outbound()));
                counters.remove(d.inbound());
                counters.remove(key(old.outbound()));
                wipe(old);
            }
        } else if (r instanceof HaRecord.PairLive l) {
            pairs.computeIfPresent(l.inbound(), (k, p) -> p.pending() ? p.live() : p);
        } else if (r instanceof HaRecord.Counters c) {
            // the newest report of each SA: its counters only grow (RFC 4303 s3.3.3), so a report
            // that arrives late (a snapshot overlapping the live stream) cannot move them back
            if (pairs.containsKey(c.sa()) || byOutbound.containsKey(c.sa())) {
                counters.merge(c.sa(), c, (old, now) -> now.replay().outbound() >= old.replay().outbound()
                        && now.replay().inbound() >= old.replay().inbound() ? now : old);
            }
        } else {
            HaRecord.DpdSequence d = (HaRecord.DpdSequence) r;
            dpd.put(d.cookies(), d.sequence());
        }
    }

    public Optional<HaRecord.IsakmpSa> isakmpSa(HaRecord.CookiePair cookies) {
        return Optional.ofNullable(isakmp.get(cookies));
    }

    /** The pair one of whose SAs is (destination, SPI). */
    public Optional<HaRecord.IpsecPair> pair(InetAddress destination, int spi) {
        HaRecord.SpiKey k = new HaRecord.SpiKey(destination, spi);
        HaRecord.IpsecPair p = pairs.get(k);
        if (p == null && byOutbound.containsKey(k)) {
            p = pairs.get(byOutbound.get(k));
        }
        return Optional.ofNullable(p);
    }

    public Optional<HaRecord.Counters> counters(InetAddress destination, int spi) {
        return Optional.ofNullable(counters.get(new HaRecord.SpiKey(destination, spi)));
    }

    /** The last R-U-THERE number the active sent or was about to send under that ISAKMP SA. */
    public Optional<Integer> dpdSequence(HaRecord.CookiePair cookies) {
        return Optional.ofNullable(dpd.get(cookies));
    }

    public int isakmpSas() {
        return isakmp.size();
    }

    public int pairs() {
        return pairs.size();
    }

    /** Everything held, ISAKMP SAs first. */
    public List<HaRecord> records() {
        List<HaRecord> all = new ArrayList<>(isakmp.values());
        dpd.forEach((c, seq) -> all.add(new HaRecord.DpdSequence(c, seq)));
        all.addAll(pairs.values());
        all.addAll(counters.values());
        return all;
    }

    /**
     * The deletes that leave only what {@code snapshot} holds (a fresh snapshot replaces the table):
     * an {@link HaRecord.IsakmpDelete} per ISAKMP SA (or R-U-THERE number) held whose cookies have no
     * ISAKMP SA in the snapshot, a {@link HaRecord.PairDelete} per pair whose inbound SA has no pair
     * there. What the snapshot holds too is left to its own records, which update it in place.
     */
    public List<HaRecord> absentFrom(List<HaRecord> snapshot) {
        Set<HaRecord.CookiePair> sas = new HashSet<>();
        Set<HaRecord.SpiKey> inbound = new HashSet<>();
        for (HaRecord r : snapshot) {
            if (r instanceof HaRecord.IsakmpSa s) {
                sas.add(s.cookies());
            } else if (r instanceof HaRecord.IpsecPair p) {
                inbound.add(key(p.inbound()));
            }
        }
        Set<HaRecord.CookiePair> held = new LinkedHashSet<>(isakmp.keySet());
        held.addAll(dpd.keySet());
        List<HaRecord> deletes = new ArrayList<>();
        held.stream().filter(c -> !sas.contains(c)).forEach(c -> deletes.add(new HaRecord.IsakmpDelete(c)));
        pairs.keySet().stream().filter(k -> !inbound.contains(k)).forEach(k -> deletes.add(new HaRecord.PairDelete(k)));
        return deletes;
    }

    /**
     * Takeover: every record held, as {@link #records}, and the table empties. Nothing is wiped:
     * the keys now belong to the caller.
     */
    public List<HaRecord> drain() {
        List<HaRecord> all = records();
        isakmp.clear();
        dpd.clear();
        pairs.clear();
        byOutbound.clear();
        counters.clear();
        return all;
    }

    /** Forgets everything held and wipes its keys: a demoted node takes a fresh snapshot (issue 15 s6). */
    public void clear() {
        isakmp.values().forEach(StandbyTable::wipe);
        pairs.values().forEach(StandbyTable::wipe);
        isakmp.clear();
        dpd.clear();
        pairs.clear();
        byOutbound.clear();
        counters.clear();
    }

    private static HaRecord.SpiKey key(IpsecSa sa) {
        return new HaRecord.SpiKey(sa.destination(), sa.spi());
    }

    private static void wipe(HaRecord.IsakmpSa s) {
        s.skeyidD().wipe();
        s.skeyidA().wipe();
        s.skeyidE().wipe();
    }

    private static void wipe(HaRecord.IpsecPair p) {
        p.inbound().wipe();
        p.outbound().wipe();
    }
}
