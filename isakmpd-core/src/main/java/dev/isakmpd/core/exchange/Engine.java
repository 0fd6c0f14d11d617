package dev.isakmpd.core.exchange;

import dev.isakmpd.core.ha.HaCodec;
import dev.isakmpd.core.ha.HaCodecException;
import dev.isakmpd.core.ha.HaRecord;
import dev.isakmpd.core.ha.StandbyTable;
import dev.isakmpd.core.kernel.KernelEvent;
import dev.isakmpd.core.kernel.ReplayState;
import dev.isakmpd.core.kernel.SpdTunnel;
import dev.isakmpd.core.kernel.SpiAllocator;
import dev.isakmpd.core.policy.Addresses;
import dev.isakmpd.core.policy.Identity;
import dev.isakmpd.core.policy.IkeFragmentation;
import dev.isakmpd.core.policy.IpsecMode;
import dev.isakmpd.core.policy.PeerAuth;
import dev.isakmpd.core.policy.PeerPolicy;
import dev.isakmpd.core.policy.Phase1Proposal;
import dev.isakmpd.core.policy.TunnelPolicy;
import dev.isakmpd.core.registry.ExchangeType;
import dev.isakmpd.core.registry.PayloadType;
import dev.isakmpd.core.sa.IpsecSa;
import dev.isakmpd.core.wire.FragmentPayload;
import dev.isakmpd.core.wire.IdentificationPayload;
import dev.isakmpd.core.wire.IsakmpHeader;
import dev.isakmpd.core.wire.WireException;
import dev.isakmpd.oakley.DhGroup;
import dev.isakmpd.oakley.IkeCrypto;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Predicate;

/**
 * The sans-I/O heart of the daemon: the table of ISAKMP SAs and IPsec SAs, fed with datagrams,
 * operator requests and the current time, answering with {@link Action}s. It owns no socket,
 * thread or clock; its caller must not use it from two threads at once.
 */
public final class Engine {
    private record HalfOpen(InetSocketAddress remote, Cookies cookies) {
    }

    /**
     * Something that happened to a peer's SAs that the caller may want to act on: whether to try
     * again, restart or wait is site policy (keying tries, close and DPD actions), not protocol.
     */
    public record PeerEvent(String peer, Kind kind) {
        public enum Kind {
            /** A Main Mode we initiated ended without an ISAKMP SA (no answer, or a fatal error). */
            GAVE_UP,
            /** The peer deleted IPsec SAs or the ISAKMP SA it had with us. */
            CLOSED_BY_PEER,
            /** Dead Peer Detection declared the peer dead; its SAs are gone. */
            DEAD,
            /** An ISAKMP SA with the peer came up: its keying tries succeeded. */
            ESTABLISHED,
            /**
             * XAUTH or Mode-Config failed (refused or unanswered credentials, no address left) and
             * the ISAKMP SA was deleted: by us, or by the gateway that refused our client.
             */
            REMOTE_ACCESS_FAILED
        }
    }

    private final EngineContext ctx;
    /** Whether the runtime wants DEBUG lines; without them no packet dump is built (they cost more than DH). */
    private boolean debug = true;
    /** Whether the runtime writes a decrypted capture (plaintext messages and phase-1 keys as actions). */
    private boolean capture;
    /** Replaced as a whole by {@link #reconfigure}; unchanged peers keep their policy object. */
    private List<PeerPolicy> peers;
    /** Responder Main Modes waiting for MM3 or MM5, bounded per address and in all. */
    private final HalfOpenTable<IsakmpSession> halfOpenTable;
    /** Addresses whose half-open exchanges are being displaced by new MM1s: warned once per episode. */
    private final Set<InetAddress> clogged = new HashSet<>();
    private final Map<String, PeerPolicy> peersByName = new HashMap<>();
    private final Map<Cookies, IsakmpSession> sessions = new LinkedHashMap<>();
    private final Map<HalfOpen, IsakmpSession> halfOpen = new HashMap<>();
    /** Each policy's ISAKMP SAs (every client's, for a road-warrior policy): for policy-wide work. */
    private final Map<String, List<IsakmpSession>> byPeer = new HashMap<>();
    /**
     * ISAKMP SAs by {@link IsakmpSession#peerKey}: one client's, so that what one road warrior does
     * (INITIAL-CONTACT, establishing) never walks its thousands of fellow clients.
     */
    private final Map<String, List<IsakmpSession>> byPeerKey = new HashMap<>();
    /**
     * ISAKMP SAs by peer key and proved identity ({@link #identityKey}): one PSK policy may serve
     * thousands of identities (a load generator, peers behind one NAT), and superseding,
     * INITIAL-CONTACT and a pair's Delete concern one identity's SAs only.
     */
    private final Map<String, List<IsakmpSession>> byPeerIdentity = new HashMap<>();
    /** Every live ISAKMP SA under its next deadline (retransmission, DPD, lifetime, Quick Mode linger). */
    private final Deadlines<IsakmpSession> timers = new Deadlines<>();
    /** The local ports that are NAT-T ports (RFC 3948 s2.2 framing): every policy's, usually just 4500. */
    private Set<Integer> natPorts;
    /** IKE fragments waiting for the rest of their message. */
    private final FragmentReassembler reassembler = new FragmentReassembler(FragmentReassembler.Limits.DEFAULT);
    /** What the last call did to peers' SAs; replaced at every call. */
    private List<PeerEvent> events = List.of();
    /** What a standby's kernel adds to the lifetime left of an inbound SA it holds ({@link #applyReplica}). */
    static final Duration STANDBY_LIFETIME_GRACE = Duration.ofSeconds(30);
    /** HA replication to a standby (issue 15); null while off, the default. */
    private Replication replication;
    /** What a standby holds of its active's SAs ({@link #applyReplica}). */
    private final StandbyTable standby = new StandbyTable();
    /** Policies whose SAs this node took over: never told INITIAL-CONTACT (issue 15 s5), which would drop them. */
    private final Set<String> takenOver = new HashSet<>();
    /** Taken-over responder pairs the peer may not hold (QM2 sent, QM3 not seen), by inbound SA, till {@link #inboundTraffic}. */
    private final Map<HaRecord.SpiKey, Takeover.Pending> pendingTakeover = new HashMap<>();
    private final Deadlines<HaRecord.SpiKey> pendingExpiry = new Deadlines<>();
    /** Which pairs a takeover rekeys, and when ({@link #takeoverRekey}). */
    private Takeover.Rekey takeoverRekey = Takeover.Rekey.DEFAULT;

    /**
     * @param crypto every algorithm lookup, key pair and random byte of the exchanges comes from
     *     here, so its legacy policy (DES, EC2N) also governs what a peer may choose
     * @throws IllegalArgumentException if a policy names a legacy algorithm that {@code crypto} refuses
     */
    public Engine(List<PeerPolicy> peers, IkeCrypto crypto, SpiAllocator spis, RetransmitPolicy retransmit) {
        this(peers, crypto, spis, retransmit, HalfOpenLimits.DEFAULT);
    }

    /**
     * @param halfOpen how many responder Main Modes may wait for the initiator, per address and in all
     * @throws IllegalArgumentException if a policy names a legacy algorithm that {@code crypto} refuses
     */
    public Engine(List<PeerPolicy> peers, IkeCrypto crypto, SpiAllocator spis, RetransmitPolicy retransmit,
            HalfOpenLimits halfOpen) {
        for (PeerPolicy p : peers) {
            boolean legacy = p.ikeProposals().stream().anyMatch(Phase1Proposal::isLegacy)
                    || p.tunnels().stream().anyMatch(t -> t.pfsGroup().filter(DhGroup::isLegacy).isPresent());
            if (legacy && !crypto.allowsLegacy()) {
                throw new IllegalArgumentException("peer " + p.name() + " names a legacy algorithm, refused by "
                        + crypto);
            }
        }
        this.peers = List.copyOf(peers);
        for (PeerPolicy p : this.peers) {
            peersByName.put(p.name(), p);
        }
        this.natPorts = natPorts(this.peers);
        this.ctx = new EngineContext(crypto, spis, retransmit, new ChildSas(), new HashMap<>());
        this.halfOpenTable = new HalfOpenTable<>(halfOpen);
    }

    /** Whether DEBUG log actions are wanted (the runtime asks its logger before each input). */
    public void debugLogging(boolean on) {
        debug = on;
    }

    /**
     * Whether the runtime writes a decrypted capture: then every encrypted message sent or received
     * also comes out as an {@link Action.Plaintext}, and every phase-1 encryption key as an
     * {@link Action.DecryptionKey}. Off by default.
     */
    public void capture(boolean on) {
        capture = on;
    }

    /**
     * Turns HA replication on (issue 15; off by default, and then no {@link Action.Replicate} is
     * ever emitted): each ISAKMP SA, IPsec SA pair and R-U-THERE number reaches the standby before
     * the message that lets the peer use it (see docs/architecture.md "HA: the engine side"); a
     * message waits at most {@code ackTimeout} for {@link #replicated}, then the engine goes on
     * degraded.
     */
    public void replication(Duration ackTimeout) {
        replication = new Replication(ackTimeout);
        ctx.children().onRemove(p -> replication.queue(
                new HaRecord.PairDelete(new HaRecord.SpiKey(p.inbound().destination(), p.inbound().spi()))));
    }

    /** The standby stored the record of {@link Action.Replicate} {@code id}: what waited for it is sent. */
    public List<Action> replicated(long id, Instant now) {
        Out out = out();
        events = List.of();
        if (replication != null) {
            replication.acknowledged(id, out);
        }
        return out.actions();
    }

    /**
     * The standby is reachable again after the engine went degraded: the records it may lack are
     * sent again, and guarded messages wait for its acks again.
     */
    public List<Action> standbyBack(Instant now) {
        Out out = out();
        events = List.of();
        if (replication != null) {
            replication.standbyBack(out);
        }
        return out.actions();
    }

    /** Whether a standby's ack timed out and it has not been reported back ({@link #standbyBack}). */
    public boolean replicationDegraded() {
        return replication != null && replication.degraded();
    }

    /** Guarded messages sent without the standby's ack, since replication was turned on. */
    public long degradedSends() {
        return replication == null ? 0 : replication.degradedSends();
    }

    /**
     * On a standby: stores a record its active replicated. Nothing is sent, nothing is scheduled.
     * The inbound SA of each IpsecPair record is installed at once, so that its SPI stays reserved
     * in this kernel (issue 15 s4; the in/fwd policies of configured tunnels are there from the
     * start), and removed with its PairDelete. Never the outbound SA: a standby must not emit ESP
     * under a live key; {@link #takeover} installs it.
     */
    public List<Action> applyReplica(HaRecord record, Instant now) {
        Out out = out();
        events = List.of();
        applyReplica(record, now, out);
        return out.actions();
    }

    /**
     * On a standby: the active's snapshot replaces the standby table, in one call, so that its
     * inbound SAs reach the kernel as one run of writes. At a first join the table is empty; a
     * standby that takes a fresh snapshot (it synced alone, the sync link was down, it lost a split
     * brain) may hold SAs the active deleted meanwhile: their records go and each such pair's inbound
     * SA leaves the kernel, which would otherwise keep it until its lifetime while a takeover would
     * bring the pair back to life (an outbound SA for a pair the peer has deleted). What the
     * snapshot holds is applied as each record is ({@link #applyReplica}): a pair that comes again
     * with the same inbound SA keeps it, so the kernel is not churned, and counters only grow. The
     * live records the active sends after taking the snapshot come after this call (the sync link
     * holds them while the snapshot transfers, ReplicationChannel), so the replace loses none of
     * them; those sent before that arrive again change nothing.
     */
    public List<Action> applySnapshot(List<HaRecord> snapshot, Instant now) {
        Out out = out();
        events = List.of();
        List<HaRecord> gone = standby.absentFrom(snapshot);
        gone.forEach(r -> applyReplica(r, now, out));
        snapshot.forEach(r -> applyReplica(r, now, out));
        if (!gone.isEmpty()) {
            long pairs = gone.stream().filter(HaRecord.PairDelete.class::isInstance).count();
            out.info("HA: the active's snapshot replaced the standby table: dropped " + (gone.size() - pairs)
                    + " ISAKMP SA(s) and " + pairs + " IPsec SA pair(s) the active no longer holds");
        }
        return out.actions();
    }

    private void applyReplica(HaRecord record, Instant now, Out out) {
        Optional<IpsecSa> before = standbyInbound(record);
        if (record instanceof HaRecord.PairLive l && before.isEmpty()) {
            // sent before this standby's snapshot, which has the pair live already (or deleted)
            out.info("HA: IPsec SA pair " + l.inbound() + " went live at the active; not in the standby table,"
                    + " ignored");
            return;
        }
        standby.apply(record);
        Optional<IpsecSa> after = record instanceof HaRecord.PairDelete ? Optional.empty() : standbyInbound(record);
        if (before.isPresent() && (after.isEmpty() || before.get() != after.get())) {
            out.delete(before.get());
        }
        if (after.isPresent() && (before.isEmpty() || before.get() != after.get())) {
            out.install(standbyLifetime(after.get(), ((HaRecord.IpsecPair) record).expiresAt(), now));
        }
    }

    /**
     * The inbound SA as a standby's kernel gets it: living what is left of the pair's lifetime at
     * the active ({@code expiresAt}) plus {@link #STANDBY_LIFETIME_GRACE}, not its whole lifetime
     * from its arrival here, which outlived the active's SA by its age when it came (a snapshot
     * brings SAs of any age); the grace leaves the deletion to the active's PairDelete (or, after a
     * takeover, to this engine's own deadline) rather than to the kernel. The table keeps the SA as
     * replicated.
     */
    private static IpsecSa standbyLifetime(IpsecSa inbound, long expiresAt, Instant now) {
        Duration left = Duration.ofMillis(Math.max(0, expiresAt - now.toEpochMilli())).plus(STANDBY_LIFETIME_GRACE);
        return left.compareTo(inbound.lifetime()) < 0 ? inbound.withLifetime(left) : inbound;
    }

    /** The inbound SA the standby table holds (and its kernel has) for the pair {@code r} is about. */
    private Optional<IpsecSa> standbyInbound(HaRecord r) {
        HaRecord.SpiKey in = r instanceof HaRecord.IpsecPair p ? new HaRecord.SpiKey(p.inbound().destination(),
                p.inbound().spi()) : r instanceof HaRecord.PairDelete d ? d.inbound()
                : r instanceof HaRecord.PairLive l ? l.inbound() : null;
        return in == null ? Optional.empty() : standby.pair(in.destination(), in.spi())
                .filter(p -> p.inbound().spi() == in.spi() && p.inbound().destination().equals(in.destination()))
                .map(HaRecord.IpsecPair::inbound);
    }

    /** On a standby: what it holds of its active's SAs. */
    public StandbyTable standbyTable() {
        return standby;
    }

    /**
     * Every established SA as records, for a standby that joins (its state transfer, before the live
     * stream). Taken-over pairs still pending go too, pending, with the counters they would start
     * at: the peer may use them (see {@link #standDown}).
     */
    public List<HaRecord> snapshot() {
        List<HaRecord> all = new ArrayList<>(Replication.snapshot(sessions.values(), ctx.children()));
        for (Takeover.Pending p : pendingTakeover.values()) {
            all.add(Replication.pending(p.pair()));
            all.addAll(p.pair().counters()); // after its own pair, as Replication.snapshot has them
        }
        return all;
    }

    /**
     * How the next {@link #takeover} retires the dead node's key material (issue 15 s5): each
     * AES-GCM and AES-CTR pair is rekeyed by Quick Mode at a random point within {@code spread}
     * (default 60 s); the others keep their replicated deadlines. With {@code all} (a kernel
     * back-end that cannot set the outbound counters: PF_KEY) every pair is rekeyed at once.
     *
     * @throws IllegalArgumentException if {@code spread} is not positive
     */
    public void takeoverRekey(Duration spread, boolean all) {
        takeoverRekey = new Takeover.Rekey(spread, all);
    }

    /**
     * HA takeover (issue 15 s5), when this standby becomes the active: every ISAKMP SA and IPsec
     * SA pair of the standby table goes live, with the dead active's cookies, keys and SPIs, so
     * that the peers renegotiate nothing. Each pair's inbound SA is in the kernel already
     * ({@link #applyReplica}); its replay window moves up to the last replicated report
     * ({@link Action.InboundWindow}). Its outbound SA is installed with
     * {@link Action.OutboundSequence} above the last replicated counter. A pending
     * responder pair (QM2 sent, QM3 not seen: the peer may not hold it) gets only its inbound SA
     * until {@link #inboundTraffic} shows the peer uses it; at its lifetime it is deleted. Lifetime
     * and rekey deadlines are the replicated ones; an ISAKMP SA's already past is spread over
     * {@link Takeover#SPREAD}, a pair's over the spread of {@link #takeoverRekey}, which also
     * rekeys the AES-GCM and AES-CTR pairs (or all, on PF_KEY) early. Records of policies we do
     * not have (the two nodes' configurations differ) are logged and dropped.
     *
     * @param sequenceMargin added to each outbound SA's last replicated counter (docs/ha.md: max(2 x
     *     replay-threshold, peak-pps x (replay-interval + replication lag)))
     */
    public List<Action> takeover(Instant now, long sequenceMargin) {
        Out out = out();
        events = List.of();
        List<HaRecord> records = standby.drain();
        Map<HaRecord.CookiePair, Integer> dpdSequences = new HashMap<>();
        Map<HaRecord.SpiKey, HaRecord.Counters> counters = new HashMap<>();
        for (HaRecord r : records) {
            if (r instanceof HaRecord.DpdSequence d) {
                dpdSequences.put(d.cookies(), d.sequence());
            } else if (r instanceof HaRecord.Counters c) {
                counters.put(c.sa(), c);
            }
        }
        int isakmpSas = 0;
        int pairs = 0;
        for (HaRecord r : records) {
            if (r instanceof HaRecord.IsakmpSa sa) {
                PeerPolicy peer = peersByName.get(sa.policy());
                Optional<IsakmpSession> s = peer == null ? Optional.empty() : IsakmpSession.resume(ctx, peer, sa,
                        Optional.ofNullable(dpdSequences.get(sa.cookies())), now, out);
                if (peer == null) {
                    out.warn("ISAKMP SA [" + sa.cookies() + "] not taken over: no peer " + sa.policy() + " here");
                }
                s.ifPresent(this::register);
                isakmpSas += s.isPresent() ? 1 : 0;
                sa.skeyidD().wipe(); // resume copied them
                sa.skeyidA().wipe();
                sa.skeyidE().wipe();
            } else if (r instanceof HaRecord.IpsecPair p) {
                if (takeOver(p, counters, sequenceMargin, now, out)) {
                    pairs++;
                }
            }
        }
        out.info("takeover: " + isakmpSas + " ISAKMP SAs and " + pairs + " IPsec SA pairs (" + pendingTakeover.size()
                + " pending) taken over; outbound sequence numbers " + sequenceMargin + " above the last replicated");
        logTakeoverRekey(records, out);
        return out.actions();
    }

    private void logTakeoverRekey(List<HaRecord> records, Out out) {
        if (takeoverRekey.all()) {
            out.info("takeover: every IPsec SA pair is rekeyed now, make-before-break (the kernel back-end cannot"
                    + " carry the dead node's ESP counters)");
            return;
        }
        long counted = records.stream().filter(r -> r instanceof HaRecord.IpsecPair p
                && takenOverBy(peersByName.get(policyName(p.peerKey()))) && Takeover.ivFromCounter(p.outbound()))
                .count();
        if (counted > 0) {
            out.info("takeover: " + counted + " IPsec SA pair(s) with AES-GCM or AES-CTR are rekeyed within "
                    + takeoverRekey.spread().toSeconds() + "s (the dead node may have used their counters beyond"
                    + " the replicated ones)");
        }
    }

    /** Whether a pair of {@code peer}'s takes part in a takeover: a policy here, without XAUTH or Mode-Config. */
    private static boolean takenOverBy(PeerPolicy peer) {
        return peer != null && !peer.remoteAccess().any();
    }

    private boolean takeOver(HaRecord.IpsecPair p, Map<HaRecord.SpiKey, HaRecord.Counters> counters,
            long margin, Instant now, Out out) {
        PeerPolicy peer = peersByName.get(policyName(p.peerKey()));
        // XAUTH and Mode-Config: IsakmpSession.resume refuses the client's ISAKMP SA (its lease is not
        // replicated); live without it, the pair would send to the client's virtual address with no
        // lease, policy or ISAKMP SA behind it until its lifetime, while the client renegotiates
        if (!takenOverBy(peer)) {
            out.warn("IPsec SAs " + p.inbound().describe() + " not taken over: " + (peer == null ? "no peer "
                    + p.peerKey() + " here" : "XAUTH and Mode-Config state is not replicated"));
            out.delete(p.inbound()); // installed when its record came
            p.inbound().wipe();
            p.outbound().wipe();
            return false;
        }
        takenOver.add(peer.name());
        HaRecord.SpiKey in = new HaRecord.SpiKey(p.inbound().destination(), p.inbound().spi());
        HaRecord.Counters sent = counters.get(new HaRecord.SpiKey(p.outbound().destination(), p.outbound().spi()));
        Random random = ctx.crypto().random();
        long sequence = Takeover.outboundSequence(sent, margin);
        // an outbound counter too close to its end cannot carry on: its replacement starts at once
        boolean exhausted = sequence == Takeover.LAST_SEQUENCE;
        ChildSas.Pair pair = Takeover.pair(p, exhausted ? now : takeoverRekey.at(p, now, random));
        HaRecord.Counters received = counters.get(in);
        if (received != null) {
            out.inboundWindow(p.inbound(), received.replay());
            pair.counters(received);
        }
        // what this node's own joining standby gets in its snapshot until the kernel reports: a takeover
        // from it adds the margin again, above everything this node may send before that report
        pair.counters(new HaRecord.Counters(new HaRecord.SpiKey(p.outbound().destination(), p.outbound().spi()),
                new ReplayState(sequence, 0, 0), sent == null ? 0 : sent.bytes()));
        if (p.pending()) {
            pendingTakeover.put(in, new Takeover.Pending(pair, sequence));
            pendingExpiry.schedule(in, pair.expires());
            out.info("peer " + pair.peer() + ": pending IPsec SAs of tunnel " + pair.tunnel() + " (in spi 0x"
                    + p.inbound().spiHex() + ") taken over; outbound SA 0x" + p.outbound().spiHex()
                    + " waits for traffic on the inbound one (the peer may not have QM2)");
            return true;
        }
        goLive(pair, sequence, now, out);
        return true;
    }

    /**
     * A taken-over pair joins the live ones: its outbound SA is installed, its counter set above the
     * replicated one. Without counters (PF_KEY: {@link #takeoverRekey} with all) an AES-GCM or
     * AES-CTR outbound SA is not installed at all: it would start again at sequence number 1, and
     * the IV is the sequence number (RFC 4106 s3.1, RFC 3686 s3.1), so every packet would repeat a
     * nonce the dead node used under that key. Its replacement, negotiated at once, carries the
     * traffic; until then the tunnel's outbound packets are dropped.
     */
    private void goLive(ChildSas.Pair pair, long sequence, Instant now, Out out) {
        ctx.children().add(pair, now);
        holdClientPolicy(pair, out);
        if (takeoverRekey.all() && Takeover.ivFromCounter(pair.outbound())) {
            pair.outboundWaits(true); // never installed: the rekey's switch replaces it
            return;
        }
        out.install(pair.outbound());
        out.outboundSequence(pair.outbound(), sequence);
    }

    /**
     * A road warrior's transport-mode pair needs its per-client policy, or our replies to the client
     * leave in the clear. Policies are not replicated: the node that negotiated the pair made it
     * from the pair's addresses and selectors (QuickMode), so this one rebuilds it from them.
     */
    private void holdClientPolicy(ChildSas.Pair pair, Out out) {
        PeerPolicy peer = peersByName.get(policyName(pair.peer()));
        if (peer == null) {
            return;
        }
        IpsecSa o = pair.outbound();
        peer.tunnels().stream().filter(t -> t.name().equals(pair.tunnel()) && t.isRoadWarriorTransport()).findFirst()
                .map(t -> new SpdTunnel(peer.name(), t.name(), o.source(), o.destination(), o.sourceSelector(),
                        o.destinationSelector(), IpsecMode.TRANSPORT, peer.local().getPort(), t.protocols()))
                .filter(spd -> ctx.children().holdPolicy(pair, spd)).ifPresent(out::addPolicy);
    }

    /**
     * HA split brain (issue 15 s6): another node is active too and wins, so this one turns standby
     * at once. Every ISAKMP SA and IPsec SA pair is forgotten without a Delete to any peer: the
     * winner holds them under the same cookies and SPIs, and a Delete would make the peer drop them
     * there too. Both SAs of each pair leave the kernel: the outbound one so that this node emits
     * no ESP under a key the winner uses, the inbound one because this node is a fresh standby now
     * and its next takeover installs it again from the winner's snapshot. A road warrior's
     * per-client policy and address go with its SAs. The standby table is emptied (a fresh
     * snapshot follows) and so is the replication: what waited for an ack is never sent, and no
     * Delete goes to the winner. Nothing is renegotiated.
     */
    public List<Action> demote(Instant now) {
        Out out = new Out(debug, capture, this::wire, null); // nothing of this reaches the winner
        events = List.of();
        out.warn("HA: demoted to standby: forgot " + forgetAll(out) + " without a Delete (the other node holds"
                + " them), their SAs removed from the kernel");
        return out.actions();
    }

    /**
     * HA: keepalived made this active node a standby (BACKUP or FAULT) without a split brain seen
     * on the sync link. The other node may take over now and send under these SAs from above their
     * replicated counters, so this node must not go on with its kernel's own counters if it becomes
     * active again: its SAs leave the live state and the kernel without a Delete, as in
     * {@link #demote}, and go into its standby table as the records a joining standby would get
     * (counters included; the inbound SAs go back into the kernel, as a standby's). Records the
     * other node replicates meanwhile update them, and a later {@link #takeover} starts each
     * outbound SA above the highest counter known.
     *
     * <p>A taken-over pair still pending (QM2 sent by the dead node, no traffic seen yet) is kept
     * as pending, not forgotten. Issue 15 s5 gives such a pair its outbound SA only when traffic
     * shows that the peer holds it; it may: the peer installs the pair when it sends QM3, which
     * nobody here saw, and it sends on it whenever it likes. Forgotten, its inbound SPI would be
     * held by no node, and a peer that uses it would send into a void until it rekeyed or deleted the
     * pair. Kept pending, a later {@link #takeover} (of this node, or of the other one, whose
     * snapshot carries it the same way) applies the same rule again: it emits nothing on it until the
     * peer's traffic arrives, and deletes its inbound SA at its lifetime otherwise.
     */
    public List<Action> standDown(Instant now) {
        List<HaRecord> own = snapshot().stream().map(Engine::copy).toList(); // forgetAll wipes the live keys
        Out out = new Out(debug, capture, this::wire, null);
        events = List.of();
        out.warn("HA: standing down: " + forgetAll(out) + " go into the standby table without a Delete (the other"
                + " node may take them over); their outbound SAs leave the kernel");
        List<Action> actions = new ArrayList<>(out.actions());
        own.forEach(r -> actions.addAll(applyReplica(r, now)));
        return actions;
    }

    /** A record of this engine's live state, with keys of its own. */
    private static HaRecord copy(HaRecord r) {
        try {
            return HaCodec.decode(HaCodec.encode(r));
        } catch (HaCodecException e) {
            throw new IllegalStateException("HA: a record of this node's own does not decode: " + e.getMessage(), e);
        }
    }

    /**
     * Forgets every ISAKMP SA and IPsec SA pair without a Delete and removes their SAs from the
     * kernel; empties the standby table and what waited for the standby. Returns what it forgot.
     */
    private String forgetAll(Out out) {
        int pairs = ctx.children().all().size() + pendingTakeover.size();
        int isakmpSas = sessions.size();
        Set<HaRecord.SpiKey> removed = new HashSet<>(pendingTakeover.keySet());
        for (ChildSas.Pair p : List.copyOf(ctx.children().all())) {
            p.inKernel().forEach(sa -> removed.add(new HaRecord.SpiKey(sa.destination(), sa.spi())));
            dropPair(p, sa -> true, out);
        }
        for (Takeover.Pending p : pendingTakeover.values()) {
            out.delete(p.pair().inbound()); // its outbound SA was never installed
            p.pair().inbound().wipe();
            p.pair().outbound().wipe();
        }
        pendingTakeover.keySet().forEach(k -> pendingExpiry.schedule(k, null));
        pendingTakeover.clear();
        for (IsakmpSession s : List.copyOf(sessions.values())) {
            s.die(out);
            track(s);
        }
        ctx.children().takeRemoved(); // nothing is renegotiated
        // the other node's records that reached this node while both were active: their inbound SAs
        // went into the kernel (those of the SAs just removed as live ones are gone already)
        standby.records().stream().filter(HaRecord.IpsecPair.class::isInstance).map(r -> (HaRecord.IpsecPair) r)
                .filter(r -> !removed.contains(new HaRecord.SpiKey(r.inbound().destination(), r.inbound().spi())))
                .forEach(r -> out.delete(r.inbound()));
        standby.clear();
        takenOver.clear();
        if (replication != null) {
            replication.forget();
        }
        return isakmpSas + " ISAKMP SAs and " + pairs + " IPsec SA pairs";
    }

    /**
     * Traffic arrived on an inbound SA (the runtime sees it in the kernel's counters): if it belongs
     * to a taken-over pending pair, the peer holds the pair (it installs it when it sends QM3), so
     * its outbound SA is installed now (issue 15 s5). Otherwise nothing happens.
     */
    public List<Action> inboundTraffic(InetAddress destination, int spi, Instant now) {
        Out out = out();
        events = List.of();
        HaRecord.SpiKey in = new HaRecord.SpiKey(destination, spi);
        Takeover.Pending p = pendingTakeover.remove(in);
        if (p != null) {
            pendingExpiry.schedule(in, null);
            out.info("peer " + p.pair().peer() + ": traffic on inbound SA 0x" + p.pair().inbound().spiHex()
                    + " of a pending pair taken over: the peer uses it; installing outbound SA 0x"
                    + p.pair().outbound().spiHex());
            goLive(p.pair(), p.outboundSequence(), now, out);
            out.replicate(() -> Replication.pair(p.pair()));
        }
        return out.actions();
    }

    /**
     * The kernel reported an SA's counters (XFRM_MSG_NEWAE, issue 15 s4). With replication on,
     * those of an SA of a pair this engine holds go to the standby, asynchronously: a takeover
     * starts the outbound SA above them and sets the inbound window to them. One record per SA and
     * call; the runtime coalesces the reports that queue up (docs/ha.md "What is synced").
     */
    public List<Action> counters(KernelEvent.Counters c, Instant now) {
        Out out = out();
        events = List.of();
        Optional<ChildSas.Pair> p = replication == null ? Optional.empty()
                : ctx.children().find(c.destination(), c.spi());
        if (p.isPresent()) {
            HaRecord.Counters r = new HaRecord.Counters(new HaRecord.SpiKey(c.destination(), c.spi()), c.replay(),
                    c.bytes());
            p.get().counters(r); // for a standby that joins later: an idle SA reports nothing more
            out.replicate(() -> r);
        }
        return out.actions();
    }

    private Out out() {
        return new Out(debug, capture, this::wire, replication);
    }

    /** A datagram arrived on one of our UDP endpoints. */
    public List<Action> receive(Datagram d, Instant now) {
        Out out = out();
        List<PeerEvent> happened = new ArrayList<>();
        events = happened;
        if (natPorts.contains(d.local().getPort())) {
            d = unframe(d, out);
            if (d == null) {
                return out.actions();
            }
        }
        if (isFragment(d)) {
            d = defragment(d, now, out);
            if (d == null) {
                return out.actions();
            }
        }
        byte[] data = d.rawData();
        IsakmpHeader h;
        try {
            h = IsakmpHeader.decode(data);
        } catch (WireException e) {
            out.warn(from(d) + "dropped " + data.length + "-byte datagram: " + e.getMessage());
            notifyKnownSession(data, e, out);
            return out.actions();
        }
        IsakmpSession s = lookup(d, h);
        if (s == null) {
            if (isPhase1Start(h)) {
                respond(d, h, now, out);
            } else {
                out.warn(from(d) + "dropped " + h.exchangeType() + " message for unknown cookies ["
                        + new Cookies(h.initiatorCookie(), h.responderCookie()) + "] (INVALID-COOKIE)");
            }
        } else if (!s.remote.getAddress().equals(d.remote().getAddress()) && !s.natDetected()) {
            out.warn(from(d) + "dropped message for the ISAKMP SA of peer " + s.peer.name() + ": wrong source address");
        } else {
            Cookies before = s.cookies();
            IsakmpSession.State stateBefore = s.state();
            boolean wasEstablished = stateBefore == IsakmpSession.State.ESTABLISHED;
            String keyBefore = s.peerKey();
            int removedMark = ctx.children().removedMark(); // not a copy of the peer's pairs: a policy may hold 100,000
            s.receive(d, h, now, out);
            noteEnd(s, stateBefore, happened);
            // an SA that XAUTH or Mode-Config ended was deleted by us, not closed by the peer
            boolean remoteAccessFailed = noteRemoteAccessFailure(s, stateBefore, happened);
            if (!remoteAccessFailed && ((stateBefore == IsakmpSession.State.ESTABLISHED
                    && s.state() == IsakmpSession.State.DEAD)
                    || ctx.children().removedSince(removedMark, keyBefore))) {
                happened.add(new PeerEvent(s.peer.name(), PeerEvent.Kind.CLOSED_BY_PEER));
            }
            if (!before.equals(s.cookies())) {
                sessions.remove(before);
                sessions.put(s.cookies(), s);
            }
            if (s.takeInitialContact()) {
                forgetOlderSas(s, out);
            }
            if (!wasEstablished && s.state() == IsakmpSession.State.ESTABLISHED) {
                supersede(s, now, out);
                happened.add(new PeerEvent(s.peer.name(), PeerEvent.Kind.ESTABLISHED));
            }
            track(s);
        }
        renegotiateLost(now, out, happened);
        return out.actions();
    }

    /** Negotiates all the peer's tunnels (again): Main Mode first unless an ISAKMP SA is already up. */
    public List<Action> initiate(String peerName, Instant now) {
        Out out = out();
        events = List.of();
        PeerPolicy peer = peer(peerName);
        if (!peer.hasFixedAddress()) {
            throw new IllegalArgumentException("peer " + peerName + " accepts initiators from "
                    + peer.remoteRange().orElseThrow() + ": it has no address to initiate to");
        }
        start(peer, peer.tunnels(), now, out);
        return out.actions();
    }

    /**
     * Brings up those of the peer's tunnels that have no IPsec SAs and are not being negotiated,
     * so that an operator's or a restart policy's repeated call starts nothing twice.
     */
    public List<Action> up(String peerName, Instant now) {
        Out out = out();
        events = List.of();
        PeerPolicy peer = peer(peerName);
        List<TunnelPolicy> missing = peer.tunnels().stream().filter(t -> !negotiating(peer, t)
                && !ctx.children().hasCurrent(peerName, t.name())).toList();
        if (missing.isEmpty()) {
            out.info("peer " + peerName + ": every tunnel is up or being negotiated");
        } else {
            start(peer, missing, now, out);
        }
        return out.actions();
    }

    /**
     * An operator's rekey of a fixed-address peer's tunnel, or of all its tunnels: a new IPsec SA
     * pair by Quick Mode under the current ISAKMP SA, make-before-break as at the soft lifetime (the
     * old pair is deleted {@link ChildSas#OVERLAP} after the new one is up). A tunnel without SAs is
     * negotiated as by {@link #up}. With {@code isakmp}, a new Main Mode comes first and the Quick
     * Modes run under it; the new ISAKMP SA then supersedes the old one.
     *
     * @throws IllegalArgumentException for an unknown peer or tunnel, or a road-warrior policy (its
     *     clients' addresses are only where they were: they rekey, we cannot reach them first)
     */
    public List<Action> rekey(String peerName, Optional<String> tunnelName, boolean isakmp, Instant now) {
        Out out = out();
        events = List.of();
        PeerPolicy peer = peer(peerName);
        if (!peer.hasFixedAddress()) {
            throw new IllegalArgumentException("peer " + peerName + " accepts initiators from "
                    + peer.remoteRange().orElseThrow() + ": its clients rekey, we cannot reach them first");
        }
        List<TunnelPolicy> named = tunnelName.isEmpty() ? peer.tunnels()
                : List.of(peer.tunnel(tunnelName.get()).orElseThrow(() -> new IllegalArgumentException("peer "
                        + peerName + " has no tunnel " + tunnelName.get() + " (known: "
                        + String.join(", ", peer.tunnels().stream().map(TunnelPolicy::name).toList()) + ")")));
        List<TunnelPolicy> tunnels = new ArrayList<>();
        for (TunnelPolicy t : named) {
            if (negotiating(peer, t)) {
                out.info("peer " + peerName + ": tunnel " + t.name() + " is already being negotiated");
                continue;
            }
            // its soft deadline must not start a second replacement
            ctx.children().current(peerName, t.name()).forEach(ctx.children()::startRekey);
            tunnels.add(t);
        }
        if (isakmp) {
            out.info("peer " + peerName + ": negotiating a new ISAKMP SA on request (make-before-break)"
                    + (tunnels.isEmpty() ? "" : ", then rekeying " + names(tunnels)));
            register(IsakmpSession.initiate(ctx, peer, tunnels, false, now, out));
        } else if (!tunnels.isEmpty()) {
            out.info("peer " + peerName + ": rekeying " + names(tunnels) + " on request");
            start(peer, tunnels, now, out);
        }
        return out.actions();
    }

    private static String names(List<TunnelPolicy> tunnels) {
        return "tunnel(s) " + String.join(", ", tunnels.stream().map(TunnelPolicy::name).toList());
    }

    /** Takes the peer's tunnels down: Deletes for its IPsec SAs and ISAKMP SAs, which are then forgotten. */
    public List<Action> down(String peerName, Instant now) {
        Out out = out();
        events = List.of();
        out.info("peer " + peerName + ": taking it down on request");
        takeDown(peer(peerName), out);
        return out.actions();
    }

    /** Deletes the policy's IPsec SA pairs (every client's, for a road-warrior policy) and ISAKMP SAs. */
    private void takeDown(PeerPolicy peer, Out out) {
        List<ChildSas.Pair> pairs = ctx.children().all().stream()
                .filter(p -> policyName(p.peer()).equals(peer.name())).toList();
        List<IsakmpSession> own = List.copyOf(sessionsOf(peer.name()));
        out.info("peer " + peer.name() + ": deleting " + pairs.size() + " IPsec SA pair(s) and " + own.size()
                + " ISAKMP SA(s)");
        pairs.forEach(p -> deletePair(p, out));
        for (IsakmpSession s : own) {
            s.delete(out);
            track(s);
        }
        ctx.children().takeRemoved(); // taken down on purpose: nothing to renegotiate
    }

    /**
     * A configuration reload. An unchanged peer keeps everything. A removed peer's SAs are deleted
     * (with Deletes). A changed peer's ISAKMP SAs are deleted, since they were negotiated under
     * the old policy, and so are the IPsec SAs of its tunnels that changed or went away, or all of
     * them when its own settings changed; IPsec SAs of unchanged tunnels run on untouched. The
     * caller then brings up what it wants up ({@link #up}), which negotiates only the missing tunnels.
     *
     * @return the actions, and the names of the peers that changed or are new (to bring up)
     */
    public Reconfigured reconfigure(List<PeerPolicy> next, Instant now) {
        Out out = out();
        events = List.of();
        List<PeerPolicy> merged = new ArrayList<>();
        List<String> changed = new ArrayList<>();
        for (PeerPolicy q : next) {
            Optional<PeerPolicy> old = peers.stream().filter(p -> p.name().equals(q.name())).findFirst();
            if (old.isPresent() && old.get().equals(q)) {
                merged.add(old.get());
                continue;
            }
            merged.add(q);
            changed.add(q.name());
            old.ifPresent(p -> replacePolicy(p, q, out));
        }
        for (PeerPolicy p : peers) {
            if (next.stream().noneMatch(q -> q.name().equals(p.name()))) {
                out.info("peer " + p.name() + ": removed from the configuration");
                takeDown(p, out);
            }
        }
        peers = List.copyOf(merged);
        peersByName.clear();
        peers.forEach(p -> peersByName.put(p.name(), p));
        natPorts = natPorts(peers);
        return new Reconfigured(out.actions(), changed);
    }

    /** What {@link #reconfigure} did, and which peers are new or changed. */
    public record Reconfigured(List<Action> actions, List<String> changedPeers) {
    }

    private void replacePolicy(PeerPolicy old, PeerPolicy next, Out out) {
        boolean sameSettings = next.withTunnels(old.tunnels()).equals(old);
        List<ChildSas.Pair> stale = ctx.children().all().stream()
                .filter(p -> policyName(p.peer()).equals(old.name())).filter(p -> !sameSettings
                || !old.tunnel(p.outbound().tunnel()).equals(next.tunnel(p.outbound().tunnel()))).toList();
        out.info("peer " + old.name() + ": configuration changed; deleting its ISAKMP SA(s) and " + stale.size()
                + " IPsec SA pair(s) of changed tunnels");
        stale.forEach(p -> deletePair(p, out));
        for (IsakmpSession s : List.copyOf(sessionsOf(old.name()))) {
            s.delete(out);
            track(s);
        }
        ctx.children().takeRemoved(); // the reload brings up what it wants, with up()
    }

    /** What the last call (receive, timeout, ...) did to peers' SAs. */
    public List<PeerEvent> peerEvents() {
        return events;
    }

    private PeerPolicy peer(String name) {
        PeerPolicy p = peersByName.get(name);
        if (p == null) {
            throw new IllegalArgumentException("no peer named " + name);
        }
        return p;
    }

    /** A Main Mode of ours that died before it was established is a failed keying try. */
    /** Reports an established ISAKMP SA that XAUTH or Mode-Config ended; whether it did. */
    private static boolean noteRemoteAccessFailure(IsakmpSession s, IsakmpSession.State before,
            List<PeerEvent> happened) {
        if (before != IsakmpSession.State.ESTABLISHED || s.state() != IsakmpSession.State.DEAD
                || !s.remoteAccessFailed()) {
            return false;
        }
        happened.add(new PeerEvent(s.peer.name(), PeerEvent.Kind.REMOTE_ACCESS_FAILED));
        return true;
    }

    private static void noteEnd(IsakmpSession s, IsakmpSession.State before, List<PeerEvent> happened) {
        if (s.role == IsakmpSaInfo.Role.INITIATOR && before != IsakmpSession.State.ESTABLISHED
                && before != IsakmpSession.State.DEAD && s.state() == IsakmpSession.State.DEAD) {
            happened.add(new PeerEvent(s.peer.name(), PeerEvent.Kind.GAVE_UP));
        }
    }

    /**
     * Kernel ACQUIRE: outbound traffic hit the policy of a tunnel that has no SA. Starts Quick Mode
     * for the matching tunnel (after Main Mode if no ISAKMP SA is up); does nothing when that
     * tunnel is already being negotiated, holds IPsec SAs this node took over (HA: the ACQUIRE was
     * raised before they were installed), or the ACQUIRE matches no configured tunnel.
     */
    public List<Action> acquire(KernelEvent.Acquire a, Instant now) {
        Out out = out();
        events = List.of();
        String what = "ACQUIRE " + Addresses.format(a.source()) + " -> " + Addresses.format(a.destination())
                + a.localSelector().map(l -> " (" + l + " -> " + a.remoteSelector().map(Object::toString).orElse("?")
                        + ")").orElse("");
        for (PeerPolicy p : peers) {
            if (!p.remote().getAddress().equals(a.destination())) {
                continue;
            }
            for (TunnelPolicy t : p.tunnels()) {
                boolean selectorsMatch = a.localSelector().map(t.local()::equals).orElse(true)
                        && a.remoteSelector().map(t.remote()::equals).orElse(true);
                if (selectorsMatch) {
                    if (negotiating(p, t)) {
                        out.debug("peer " + p.name() + ": " + what + ": tunnel " + t.name()
                                + " is already being negotiated");
                    } else if (takenOver.contains(p.name()) && ctx.children().hasCurrent(p.name(), t.name())) {
                        // HA: traffic reached this node with the address, before takeover installed the SA
                        out.info("peer " + p.name() + ": " + what + ": tunnel " + t.name() + " has the IPsec SAs "
                                + "this node took over; the kernel asked before they were installed; ignored");
                    } else {
                        out.info("peer " + p.name() + ": " + what + ": negotiating tunnel " + t.name());
                        start(p, List.of(t), now, out);
                    }
                    return out.actions();
                }
            }
        }
        out.warn(what + " matches no configured tunnel; ignored");
        return out.actions();
    }

    /**
     * Kernel EXPIRE for one of our IPsec SAs. Soft: negotiate a replacement for its tunnel, if the
     * engine's own soft deadline has not done so already (once per pair; the old pair is retired
     * shortly after the new one is installed). Hard: the kernel has removed the SA; the rest of the
     * pair goes too, and the peer is told with a Delete.
     */
    public List<Action> expired(KernelEvent.Expire e, Instant now) {
        Out out = out();
        events = List.of();
        Optional<ChildSas.Pair> pair = ctx.children().find(e.destination(), e.spi());
        String what = (e.hard() ? "hard" : "soft") + " EXPIRE for ESP SA " + Addresses.format(e.destination()) + "/0x"
                + e.spiHex();
        if (pair.isEmpty()) {
            out.debug(what + ": not one of ours (any more); ignored");
            return out.actions();
        }
        ChildSas.Pair p = pair.get();
        String tunnelName = p.outbound().tunnel();
        if (e.hard()) {
            out.info("peer " + p.peer() + ": " + what + " (tunnel " + tunnelName + "): deleting the pair");
            deletePair(p, sa -> !matches(sa, e), out); // the kernel already dropped the expired one
        } else {
            rekey(p, what, now, out);
        }
        renegotiateLost(now, out, List.of());
        return out.actions();
    }

    /** The pair's soft lifetime ran out (our deadline or the kernel's EXPIRE): start its replacement, once. */
    private void rekey(ChildSas.Pair p, String what, Instant now, Out out) {
        String tunnelName = p.tunnel();
        if (!ctx.children().startRekey(p)) {
            out.debug("peer " + p.peer() + ": " + what + ": tunnel " + tunnelName + " is already being rekeyed");
            return;
        }
        Optional<PeerPolicy> peer = Optional.ofNullable(peersByName.get(policyName(p.peer())));
        Optional<TunnelPolicy> tunnel = peer.flatMap(x -> x.tunnel(tunnelName));
        if (tunnel.isPresent() && !peer.get().hasFixedAddress()) {
            rekeyRoadWarrior(p, tunnel.get(), what, now, out);
        } else if (tunnel.isEmpty()) {
            out.warn("peer " + p.peer() + ": " + what + ": tunnel " + tunnelName + " is no longer configured");
        } else if (negotiating(peer.get(), tunnel.get())) {
            out.debug("peer " + p.peer() + ": " + what + ": tunnel " + tunnelName + " is already being negotiated");
        } else {
            out.info("peer " + p.peer() + ": " + what + ": rekeying tunnel " + tunnelName);
            start(peer.get(), List.of(tunnel.get()), now, out);
        }
    }

    /**
     * A road warrior's pair: Quick Mode under the client's own ISAKMP SA, to where the client is now
     * (its NAT mapping), for exactly the pair's selectors (its virtual IP, or its address in
     * transport mode), as strongSwan's IKEv1 does (task_manager_v1 queue_child_rekey: the CHILD_SA's
     * own traffic selectors). The client normally rekeys first (SoftLifetime: the negotiator's share
     * is earlier); this is the fallback. With no ISAKMP SA left we cannot reach the client (its
     * address is only where it was, maybe behind a NAT that maps nothing new): its rekey is its own,
     * and the pair serves until its hard lifetime.
     */
    private void rekeyRoadWarrior(ChildSas.Pair p, TunnelPolicy configured, String what, Instant now, Out out) {
        Optional<IsakmpSession> s = establishedSession(p.peer());
        if (s.isEmpty()) {
            out.info("peer " + p.peer() + ": " + what + ": no ISAKMP SA with the road warrior; its client rekeys"
                    + " tunnel " + p.tunnel() + " or lets it expire");
            return;
        }
        TunnelPolicy narrowed = configured.withSelectors(p.outbound().sourceSelector(),
                p.outbound().destinationSelector());
        if (s.get().negotiating(narrowed)) {
            out.debug("peer " + p.peer() + ": " + what + ": tunnel " + p.tunnel() + " is already being negotiated");
            return;
        }
        InetSocketAddress to = s.get().remote;
        out.info("peer " + p.peer() + ": " + what + ": rekeying tunnel " + p.tunnel() + " for " + narrowed.remote()
                + " with the client at " + Addresses.format(to.getAddress()) + ":" + to.getPort());
        s.get().startTunnels(List.of(narrowed), now, out);
        track(s.get());
    }

    /**
     * {@code auto = "start"} tunnels are kept up whatever removed their SAs (lifetime, a failed
     * rekey, INITIAL-CONTACT): one left with no current pair and no negotiation under way is
     * negotiated anew. Not after the peer's own Delete or its death by DPD: those are reported as
     * {@link PeerEvent}s, and whether to restart, wait for traffic or clear is the runtime's
     * close-action / dpd-action.
     */
    private void renegotiateLost(Instant now, Out out, List<PeerEvent> reported) {
        for (ChildSas.Pair p : ctx.children().takeRemoved()) {
            String name = policyName(p.peer());
            if (reported.stream().anyMatch(e -> e.peer().equals(name) && e.kind() != PeerEvent.Kind.GAVE_UP)) {
                continue;
            }
            PeerPolicy peer = peersByName.get(p.peer());
            Optional<TunnelPolicy> tunnel = peer == null || !peer.autoStart() ? Optional.empty() : peer.tunnel(p.tunnel());
            if (tunnel.isPresent() && !ctx.children().hasCurrent(p.peer(), p.tunnel())
                    && !negotiating(peer, tunnel.get())) {
                out.info("peer " + p.peer() + ": tunnel " + p.tunnel() + " has no IPsec SAs left; negotiating anew "
                        + "(auto = start)");
                start(peer, List.of(tunnel.get()), now, out);
            }
        }
    }

    private static boolean matches(IpsecSa sa, KernelEvent.Expire e) {
        return sa.spi() == e.spi() && sa.destination().equals(e.destination());
    }

    private boolean negotiating(PeerPolicy p, TunnelPolicy t) {
        for (IsakmpSession s : sessionsOf(p.name())) {
            if (s.negotiating(t)) {
                return true;
            }
        }
        return false;
    }

    /** Quick Mode for these tunnels: under the peer's ISAKMP SA, or after a new Main Mode. */
    private void start(PeerPolicy peer, List<TunnelPolicy> tunnels, Instant now, Out out) {
        Optional<IsakmpSession> existing = establishedSession(peer.name()).or(() -> sessionsOf(peer.name()).stream()
                .filter(s -> s.state() == IsakmpSession.State.NEGOTIATING).findFirst());
        if (existing.isPresent()) {
            existing.get().startTunnels(tunnels, now, out);
            track(existing.get());
        } else {
            boolean firstContact = establishedSession(peer.name()).isEmpty() && !ctx.children().hasPeer(peer.name())
                    && !takenOver.contains(peer.name());
            register(IsakmpSession.initiate(ctx, peer, tunnels, firstContact, now, out));
        }
    }

    /** Fires every timer that is due: retransmissions, give-ups, SA lifetimes. */
    public List<Action> timeout(Instant now) {
        Out out = out();
        List<PeerEvent> happened = new ArrayList<>();
        events = happened;
        if (replication != null) {
            replication.expire(now, out);
        }
        reassembler.expire(now, out);
        for (IsakmpSession s : timers.due(now)) {
            IsakmpSession.State before = s.state();
            s.timeout(now, out);
            noteEnd(s, before, happened);
            noteRemoteAccessFailure(s, before, happened);
            if (s.takeRekeyDue()) {
                rekeyIsakmpSa(s, now, out);
            }
            if (s.takePeerDead()) {
                forgetSas(s, "did not answer Dead Peer Detection", out);
                // what follows (restart, hold, clear) is the runtime's dpd-action
                happened.add(new PeerEvent(s.peer.name(), PeerEvent.Kind.DEAD));
            }
            track(s);
        }
        for (ChildSas.Pair p : ctx.children().due(now)) {
            String which = "IPsec SAs of tunnel " + p.tunnel() + " (in spi 0x" + p.inbound().spiHex() + ", out spi 0x"
                    + p.outbound().spiHex() + ")";
            if (p.expired(now)) {
                out.info("peer " + p.peer() + ": " + which + " reached their lifetime "
                        + p.outbound().lifetime().toSeconds() + "s; deleting them");
                deletePair(p, out);
            } else if (p.retireDue(now)) {
                out.info("peer " + p.peer() + ": " + which + " were replaced " + ChildSas.OVERLAP.toSeconds()
                        + "s ago or more; deleting them");
                deletePair(p, out);
            } else if (p.rekeyDue(now)) {
                rekey(p, which + " reached their soft lifetime", now, out);
            }
            ctx.children().reschedule(p);
        }
        for (HaRecord.SpiKey k : pendingExpiry.due(now)) {
            ChildSas.Pair p = pendingTakeover.remove(k).pair();
            out.info("peer " + p.peer() + ": pending IPsec SAs taken over (in spi 0x" + p.inbound().spiHex()
                    + ") carried no traffic until their lifetime; deleting the inbound SA");
            out.delete(p.inbound());
            out.replicate(() -> new HaRecord.PairDelete(k)); // its standby got it with the snapshot
            p.inbound().wipe();
            p.outbound().wipe();
        }
        renegotiateLost(now, out, happened);
        return out.actions();
    }

    /**
     * The ISAKMP SA reached its soft lifetime. If it is the peer's newest and we hold IPsec SAs with
     * the peer (or Quick Modes wait for it), a new Main Mode starts now; the old SA serves until the
     * new one is up and is deleted {@link ChildSas#OVERLAP} after. Without IPsec SAs it is left to
     * expire: the next Quick Mode will start a Main Mode if it needs one.
     */
    private void rekeyIsakmpSa(IsakmpSession s, Instant now, Out out) {
        String name = s.peer.name();
        // a road warrior's address is only where it was: its client rekeys, we cannot reach it first
        if (!s.peer.hasFixedAddress() || establishedSession(name).orElse(null) != s || s.retiring()) {
            return;
        }
        for (IsakmpSession other : sessionsOf(name)) {
            if (other.state() == IsakmpSession.State.NEGOTIATING && other.role == IsakmpSaInfo.Role.INITIATOR) {
                out.debug(s.tag() + "soft lifetime reached; a new ISAKMP SA is already being negotiated");
                return;
            }
        }
        if (!ctx.children().hasPeer(name) && s.quickModes().isEmpty()) {
            out.info(s.tag() + "soft lifetime reached; no IPsec SAs with the peer, so no new ISAKMP SA until one is"
                    + " needed");
            return;
        }
        out.info(s.tag() + "soft lifetime reached; negotiating a new ISAKMP SA with the peer (make-before-break)");
        register(s.natDetected() ? IsakmpSession.initiate(ctx, s.peer, List.of(), false, now, out, s.local, s.remote)
                : IsakmpSession.initiate(ctx, s.peer, List.of(), false, now, out));
    }

    /**
     * {@code fresh} is established: the older ISAKMP SAs of the same peer and identity serve no new
     * exchange and are deleted (Delete for the ISAKMP SA only) after {@link ChildSas#OVERLAP}, so
     * that a Quick Mode or Informational in flight under them can still finish. IPsec SAs are not
     * tied to them. Another identity behind the same address keeps its SA (RFC 2407 s4.6.3.3).
     */
    private void supersede(IsakmpSession fresh, Instant now, Out out) {
        for (IsakmpSession old : List.copyOf(sessionsWithIdentity(fresh.peerKey(), fresh.peerIdentity()))) {
            if (old != fresh && old.state() == IsakmpSession.State.ESTABLISHED && !old.retiring()
                    && Objects.equals(old.peerIdentity(), fresh.peerIdentity())) {
                out.info(old.tag() + "superseded by ISAKMP SA [" + fresh.cookies() + "]; deleting it in "
                        + ChildSas.OVERLAP.toSeconds() + "s");
                old.retire(now.plus(ChildSas.OVERLAP));
                track(old);
                rekeyOrphans(old, fresh, now, out);
            }
        }
    }

    /**
     * Deleting an ISAKMP SA leaves its IPsec SAs alone (RFC 2409 s5.5), but strongSwan's IKEv1
     * deletes the CHILD_SAs of an IKE_SA it deletes, except those it moved to the new IKE_SA when
     * it saw the reauthentication. A pair negotiated under {@code old} while {@code fresh} was being
     * set up can miss that move at the peer and die with {@code old}'s Delete (seen in the lab: a
     * soft lifetime's Quick Mode and a phase-1 rekey at the same moment, 16 s without traffic).
     * Such a pair is rekeyed at once under {@code fresh}, make-before-break.
     */
    private void rekeyOrphans(IsakmpSession old, IsakmpSession fresh, Instant now, Out out) {
        for (ChildSas.Pair p : ctx.children().ofPeer(fresh.peerKey(), fresh.peerIdentity())) {
            if (p.rekeyAt() != null && old.cookies().equals(p.owner())
                    && !p.negotiated().isBefore(fresh.startedAt())) {
                rekey(p, "IPsec SAs of tunnel " + p.tunnel() + " were negotiated under ISAKMP SA [" + old.cookies()
                        + "] while [" + fresh.cookies() + "] was being set up (the peer may delete them with it)",
                        now, out);
            }
        }
    }

    /** When {@link #timeout} next has work, if ever. */
    public Optional<Instant> nextTimeout() {
        Optional<Instant> sa = earliest(earliest(timers.next(), reassembler.nextDeadline()),
                replication == null ? Optional.empty() : replication.nextDeadline());
        sa = earliest(sa, pendingExpiry.next());
        Optional<Instant> pair = ctx.children().nextDeadline();
        if (sa.isEmpty() || pair.isEmpty()) {
            return sa.isEmpty() ? pair : sa;
        }
        return sa.get().isBefore(pair.get()) ? sa : pair;
    }

    private static Optional<Instant> earliest(Optional<Instant> a, Optional<Instant> b) {
        return a.isEmpty() || (b.isPresent() && b.get().isBefore(a.get())) ? b : a;
    }

    /** Deletes everything: Delete notifications to the peers, DeleteSa for the kernel. */
    public List<Action> shutdown(Instant now) {
        Out out = out();
        events = List.of();
        for (ChildSas.Pair p : ctx.children().all()) {
            deletePair(p, out);
        }
        for (IsakmpSession s : List.copyOf(sessions.values())) {
            s.delete(out);
            track(s);
        }
        ctx.children().takeRemoved(); // nothing is renegotiated on the way out
        return out.actions();
    }

    public List<IsakmpSaInfo> isakmpSas() {
        return sessions.values().stream().map(IsakmpSession::info).toList();
    }

    /** Entries per table, for tests that check nothing is left behind. */
    Map<String, Integer> tableSizes() {
        Map<String, Integer> sizes = new TreeMap<>(ctx.children().tableSizes());
        sizes.putAll(reassembler.sizes());
        sizes.put("ISAKMP SAs", sessions.size());
        sizes.put("half-open", halfOpen.size());
        sizes.put("half-open limited", halfOpenTable.size());
        sizes.put("half-open addresses", halfOpenTable.addresses());
        sizes.put("ISAKMP SAs by peer", byPeer.size());
        sizes.put("ISAKMP SAs by peer key", byPeerKey.size());
        sizes.put("ISAKMP SAs by peer identity", byPeerIdentity.size());
        sizes.put("ISAKMP SA deadlines", timers.size());
        sizes.put("Quick Modes", sessions.values().stream().mapToInt(s -> s.quickModes().size()).sum());
        sizes.put("Quick Modes on one ISAKMP SA", sessions.values().stream().mapToInt(s -> s.quickModes().size())
                .max().orElse(0));
        sizes.put("CBC chains", sessions.values().stream().mapToInt(s -> s.cbc() == null ? 0 : s.cbc().chains()).sum());
        return sizes;
    }

    /** The ISAKMP SA filed under these cookies, or null: for tests that speak as its peer. */
    IsakmpSession session(Cookies c) {
        return sessions.get(c);
    }

    public List<IpsecSa> ipsecSas() {
        List<IpsecSa> all = new ArrayList<>();
        for (ChildSas.Pair p : ctx.children().all()) {
            all.add(p.inbound());
            all.add(p.outbound());
        }
        return all;
    }

    private void deletePair(ChildSas.Pair p, Out out) {
        deletePair(p, sa -> true, out);
    }

    /** Forgets the pair, tells the peer, and removes from the kernel those SAs {@code inKernel} says are there. */
    private void deletePair(ChildSas.Pair p, Predicate<IpsecSa> inKernel, Out out) {
        establishedSession(p.peer(), p.identity()).ifPresent(s -> Informational.sendDelete(s, p.inbound(), out));
        dropPair(p, inKernel, out);
    }

    /** Forgets the pair and removes from the kernel those SAs {@code inKernel} says are there; tells nobody. */
    private void dropPair(ChildSas.Pair p, Predicate<IpsecSa> inKernel, Out out) {
        ctx.children().remove(p).ifPresent(out::deletePolicy); // the client's last pair: its transport policy goes
        for (IpsecSa sa : p.inKernel()) {
            if (inKernel.test(sa)) {
                out.delete(sa);
            }
        }
    }

    /**
     * The peer said INITIAL-CONTACT in the Main Mode that set up {@code fresh}: it has restarted
     * and lost the keys of every SA it had with us (RFC 2407 s4.6.3.3). Its older SAs go.
     */
    private void forgetOlderSas(IsakmpSession fresh, Out out) {
        forgetSas(fresh, "sent INITIAL-CONTACT (it has restarted)", out);
    }

    /**
     * Drops every other established ISAKMP SA and every IPsec SA pair that {@code keep}'s peer has
     * with us under the identity it proved, from the kernel too, without Deletes: it has lost
     * their keys or is gone, and our outbound SAs would otherwise carry traffic into a void until
     * their lifetime ends. Only that identity's: many peers may share one address or policy
     * (behind a NAT, or a load generator), and INITIAL-CONTACT speaks for its sender only
     * (RFC 2407 s4.6.3.3).
     */
    private void forgetSas(IsakmpSession keep, String why, Out out) {
        String name = keep.peerKey();
        String identity = keep.peerIdentity();
        List<IsakmpSession> older = sessionsWithIdentity(name, identity).stream().filter(s -> s != keep
                && Objects.equals(s.peerIdentity(), identity) && s.state() == IsakmpSession.State.ESTABLISHED)
                .toList();
        List<ChildSas.Pair> pairs = ctx.children().ofPeer(name, identity);
        if (older.isEmpty() && pairs.isEmpty()) {
            out.debug("peer " + name + " " + why + "; we hold no other SA with it");
            return;
        }
        out.info("peer " + name + " " + why + ": forgetting " + older.size() + " ISAKMP SA(s) and " + pairs.size()
                + " IPsec SA pair(s)");
        for (IsakmpSession s : older) {
            s.die(out);
            track(s);
        }
        pairs.forEach(p -> dropPair(p, sa -> true, out));
    }

    /** The peer's newest established ISAKMP SA: the one new Quick Modes, DPD and Deletes use. */
    private Optional<IsakmpSession> establishedSession(String peer) {
        IsakmpSession newest = null;
        for (IsakmpSession s : sessionsWithKey(peer)) {
            if (s.state() == IsakmpSession.State.ESTABLISHED
                    && (newest == null || !s.establishedAt().isBefore(newest.establishedAt()))) {
                newest = s;
            }
        }
        return Optional.ofNullable(newest);
    }

    /**
     * The newest established ISAKMP SA of {@code peer} under {@code identity}: where a Delete for a
     * pair that identity negotiated goes. One PSK policy may serve many identities (a load
     * generator, peers behind one NAT); another identity's SA, often one whose MM6 the peer has not
     * read yet, is not where that peer looks for it.
     */
    private Optional<IsakmpSession> establishedSession(String peer, String identity) {
        IsakmpSession newest = null;
        for (IsakmpSession s : sessionsWithIdentity(peer, identity)) {
            if (s.state() == IsakmpSession.State.ESTABLISHED && Objects.equals(s.peerIdentity(), identity)
                    && (newest == null || !s.establishedAt().isBefore(newest.establishedAt()))) {
                newest = s;
            }
        }
        return Optional.ofNullable(newest);
    }

    private List<IsakmpSession> sessionsOf(String policy) {
        return byPeer.getOrDefault(policy, List.of());
    }

    private List<IsakmpSession> sessionsWithKey(String peerKey) {
        return byPeerKey.getOrDefault(peerKey, List.of());
    }

    /**
     * The ISAKMP SAs filed under {@code peerKey} that proved {@code identity} (all of the key's
     * before any proved one, for null): callers still check the identity of each.
     */
    private List<IsakmpSession> sessionsWithIdentity(String peerKey, String identity) {
        return identity == null ? sessionsWithKey(peerKey)
                : byPeerIdentity.getOrDefault(identityKey(peerKey, identity), List.of());
    }

    /** The {@link #byPeerIdentity} key; null before the peer proved an identity. */
    private static String identityKey(String peerKey, String identity) {
        return identity == null ? null : peerKey + '\0' + identity;
    }

    /**
     * The policy name in a pair's peer key: "rw" in "rw/C=XX, CN=alice" (IsakmpSession.peerKey;
     * policy names cannot contain '/').
     */
    private static String policyName(String peerKey) {
        int slash = peerKey.indexOf('/');
        return slash < 0 ? peerKey : peerKey.substring(0, slash);
    }

    private void register(IsakmpSession s) {
        sessions.put(s.cookies(), s);
        byPeer.computeIfAbsent(s.peer.name(), k -> new ArrayList<>()).add(s);
        track(s);
    }

    /**
     * After anything happened to {@code s}: files it under its next deadline, or, once it is dead,
     * removes it from every table. Called for each SA an input touched, never for all of them.
     */
    private void track(IsakmpSession s) {
        if (!s.halfOpen()) {
            halfOpenTable.remove(s);
        } else if (s.peerAnsweredFromItsAddress()) {
            halfOpenTable.verify(s);
        }
        if (s.state() != IsakmpSession.State.DEAD) {
            timers.schedule(s, s.nextDeadline());
            file(s, s.peerKey());
            fileIdentity(s, identityKey(s.filedUnder, s.peerIdentity()));
            return;
        }
        timers.schedule(s, null);
        file(s, null);
        fileIdentity(s, null);
        if (sessions.remove(s.cookies(), s) && replication != null && s.establishedAt() != null) {
            replication.queue(new HaRecord.IsakmpDelete(Replication.cookies(s.cookies())));
        }
        halfOpen.remove(new HalfOpen(s.firstRemote, Cookies.initiatorOnly(s.cookies().initiator())), s);
        List<IsakmpSession> ofPeer = byPeer.get(s.peer.name());
        if (ofPeer != null && ofPeer.remove(s) && ofPeer.isEmpty()) {
            byPeer.remove(s.peer.name());
        }
    }

    /** Moves {@code s} to {@code key}'s list in {@link #byPeerKey} (out of it, for null). */
    private void file(IsakmpSession s, String key) {
        if (Objects.equals(key, s.filedUnder)) {
            return;
        }
        if (s.filedUnder != null) {
            List<IsakmpSession> was = byPeerKey.get(s.filedUnder);
            if (was != null && was.remove(s) && was.isEmpty()) {
                byPeerKey.remove(s.filedUnder);
            }
        }
        if (key != null) {
            byPeerKey.computeIfAbsent(key, k -> new ArrayList<>(2)).add(s);
        }
        s.filedUnder = key;
    }

    /** Moves {@code s} to {@code key}'s list in {@link #byPeerIdentity} (out of it, for null). */
    private void fileIdentity(IsakmpSession s, String key) {
        if (Objects.equals(key, s.filedUnderIdentity)) {
            return;
        }
        if (s.filedUnderIdentity != null) {
            List<IsakmpSession> was = byPeerIdentity.get(s.filedUnderIdentity);
            if (was != null && was.remove(s) && was.isEmpty()) {
                byPeerIdentity.remove(s.filedUnderIdentity);
            }
        }
        if (key != null) {
            byPeerIdentity.computeIfAbsent(key, k -> new ArrayList<>(2)).add(s);
        }
        s.filedUnderIdentity = key;
    }

    private IsakmpSession lookup(Datagram d, IsakmpHeader h) {
        Cookies c = new Cookies(h.initiatorCookie(), h.responderCookie());
        IsakmpSession s = sessions.get(c);
        if (s != null) {
            return s;
        }
        if (!c.responderKnown()) {
            return halfOpen.get(new HalfOpen(d.remote(), c));
        }
        // MM2: our half-open initiator SA is still filed under (CKY-I, 0).
        IsakmpSession initiator = sessions.get(Cookies.initiatorOnly(h.initiatorCookie()));
        return initiator != null && initiator.role == IsakmpSaInfo.Role.INITIATOR ? initiator : null;
    }

    /**
     * Nothing after the last payload, or up to 3 zero octets that pad the message to a multiple of
     * 4: libreswan does that by default (ikepad=yes, for old Cisco and Juniper peers), which an
     * Aggressive Mode with an identity of odd length shows.
     */
    static boolean alignmentPadding(byte[] message, int chainEnd) {
        int extra = message.length - chainEnd;
        if (extra == 0) {
            return true;
        }
        if (extra > 3 || message.length % 4 != 0) {
            return false;
        }
        for (int i = chainEnd; i < message.length; i++) {
            if (message[i] != 0) {
                return false;
            }
        }
        return true;
    }

    /** MM1 or AM1: a new phase-1 exchange, unencrypted, message ID 0, CKY-R zero (RFC 2408 s3.1). */
    private static boolean isPhase1Start(IsakmpHeader h) {
        return (h.exchangeType().equals(ExchangeType.IDENTITY_PROTECTION)
                || h.exchangeType().equals(ExchangeType.AGGRESSIVE)) && h.messageId() == 0 && !h.encrypted()
                && !new Cookies(h.initiatorCookie(), h.responderCookie()).responderKnown();
    }

    private void respond(Datagram d, IsakmpHeader h, Instant now, Out out) {
        boolean aggressive = h.exchangeType().equals(ExchangeType.AGGRESSIVE);
        String exchange = aggressive ? "Aggressive Mode" : "Main Mode";
        Packet p;
        try {
            p = Packet.decode(h, Packet.body(h, d.rawData()), aggressive ? sealedInAm1(d) : Set.of());
        } catch (WireException e) {
            out.warn(from(d) + "malformed " + exchange + " request: " + e.getMessage());
            return;
        }
        if ((h.flags() & IsakmpHeader.FLAG_AUTH_ONLY) != 0) {
            // RFC 2408 s3.1: Authentication Only is for Informational exchanges with Notifies.
            out.warn(from(d) + exchange + " request with the Authentication Only flag; dropped");
            return;
        }
        if (!alignmentPadding(p.plaintext(), p.chainEnd())) {
            // RFC 2408 s3.1: the message is its header and payloads; an unencrypted one has no padding
            out.warn(from(d) + exchange + " request with " + (p.plaintext().length - p.chainEnd())
                    + " bytes after its last payload; dropped");
            return;
        }
        Optional<IdentificationPayload> idii = aggressive
                ? Payloads.first(p.payloads(), IdentificationPayload.class) : Optional.empty();
        Optional<PeerPolicy> peer = peerFor(d, idii);
        if (peer.isEmpty()) {
            out.info(from(d) + exchange + " request from an address with no peer policy"
                    + idii.map(i -> " for '" + Identity.describe(i) + "'").orElse("") + "; ignored");
            return;
        }
        if (aggressive && !peer.get().aggressive()) {
            out.warn(from(d) + "Aggressive Mode request refused: peer " + peer.get().name()
                    + " allows Main Mode only (set aggressive = true to allow it)");
            return;
        }
        IsakmpSession s = IsakmpSession.respond(ctx, peer.get(), d, p, now, out);
        if (s != null) {
            halfOpen.put(new HalfOpen(d.remote(), Cookies.initiatorOnly(h.initiatorCookie())), s);
            register(s);
            admitHalfOpen(s, d, out);
        }
    }

    /**
     * The payloads whose bodies an AM1 from {@code d} carries sealed for us: with public key
     * encryption its ID and nonce (and KE, revised), RFC 2409 s5.2/s5.3. The ID cannot choose the
     * policy then, so the address does, as in Main Mode.
     */
    private Set<PayloadType> sealedInAm1(Datagram d) {
        return peerFor(d, Optional.empty()).map(PeerPolicy::auth)
                .filter(PeerAuth.PublicKeyEncryption.class::isInstance)
                .map(a -> new PublicKeyEncryptionAuth((PeerAuth.PublicKeyEncryption) a).encryptedInKeyExchange())
                .orElse(Set.of());
    }

    /** Files a new responder exchange as half-open, ending the ones it displaces (see {@link HalfOpenTable}). */
    private void admitHalfOpen(IsakmpSession s, Datagram d, Out out) {
        InetAddress address = d.remote().getAddress();
        List<IsakmpSession> evicted = halfOpenTable.admit(s, address);
        if (evicted.isEmpty()) {
            clogged.remove(address);
            return;
        }
        HalfOpenLimits limits = halfOpenTable.limits();
        for (IsakmpSession old : evicted) {
            String why = from(d) + "half-open Main Mode limit reached (" + limits.perAddress() + " per address, "
                    + limits.total() + " in all): forgetting the oldest, " + old.tag().trim()
                    + " (flood of spoofed requests?)";
            if (clogged.add(address)) {
                out.warn(why);
            } else {
                out.debug(why);
            }
            old.die(out);
            track(old);
        }
    }

    /**
     * The policy for an MM1 or AM1 from {@code d}: a peer configured with exactly that address,
     * else one that accepts a range of addresses (remote = "any" or a subnet): in Aggressive Mode
     * preferably the one whose remote-id is the IDii that AM1 carries. In Main Mode this choice
     * also picks a pre-shared key, before any ID is seen (RFC 2409 s5.4).
     */
    private Optional<PeerPolicy> peerFor(Datagram d, Optional<IdentificationPayload> idii) {
        InetAddress from = d.remote().getAddress();
        Optional<PeerPolicy> fixed = peers.stream()
                .filter(p -> p.hasFixedAddress() && p.acceptsFrom(from)).findFirst();
        if (fixed.isPresent()) {
            return fixed;
        }
        List<PeerPolicy> ranged = peers.stream().filter(p -> !p.hasFixedAddress() && p.acceptsFrom(from)).toList();
        Optional<PeerPolicy> byId = idii.flatMap(id -> ranged.stream()
                .filter(p -> p.remoteId().map(r -> r.matches(id)).orElse(false)).findFirst());
        return byId.isPresent() ? byId : ranged.stream().filter(p -> p.remoteId().isEmpty() || idii.isEmpty())
                .findFirst();
    }

    /** RFC 2408 s5.1 lets us tell a peer its message was malformed; only peers we have an SA with are told. */
    private void notifyKnownSession(byte[] data, WireException e, Out out) {
        if (data.length < IsakmpHeader.LENGTH) {
            return;
        }
        Cookies c = new Cookies(Arrays.copyOfRange(data, 0, 8), Arrays.copyOfRange(data, 8, 16));
        IsakmpSession s = sessions.get(c);
        if (s != null && s.state() != IsakmpSession.State.DEAD) {
            Informational.sendPlainNotify(s, e.notifyType(), out);
        }
    }

    private static Set<Integer> natPorts(List<PeerPolicy> peers) {
        Set<Integer> ports = new HashSet<>();
        peers.forEach(p -> ports.add(p.natTraversal().port()));
        return ports;
    }

    /**
     * A datagram on a NAT-T port (RFC 3948 s2.2): an ISAKMP message behind four zero octets, or a
     * one-octet 0xFF keepalive (s2.3), which is ignored. ESP never reaches us here: the kernel
     * takes it off the socket (UDP_ENCAP). Returns the bare message, or null when there is none.
     */
    private static Datagram unframe(Datagram d, Out out) {
        byte[] data = d.rawData();
        if (data.length == 1 && data[0] == (byte) 0xff) {
            out.debug(from(d) + "NAT-T keepalive");
            return null;
        }
        int marker = IsakmpSession.NON_ESP_MARKER;
        if (data.length < marker || data[0] != 0 || data[1] != 0 || data[2] != 0 || data[3] != 0) {
            out.warn(from(d) + "dropped " + data.length + "-byte datagram on NAT-T port " + d.local().getPort()
                    + ": no non-ESP marker (RFC 3948 s2.2)");
            return null;
        }
        return new Datagram(d.local(), d.remote(), Arrays.copyOfRange(data, marker, data.length));
    }

    /** Whether the datagram's first payload is a FRAGMENT (payload 132): before its header is checked. */
    private static boolean isFragment(Datagram d) {
        byte[] data = d.rawData();
        return data.length > IsakmpHeader.LENGTH && (data[16] & 0xff) == PayloadType.FRAGMENT.value();
    }

    /**
     * An IKE fragment: kept until its message is complete, for an ISAKMP SA we have and from
     * where its peer is (MS-IKEE s3.3). Returns the whole message once it is, as if it came in one
     * datagram, else null; a fragment that is malformed or for no SA of ours is dropped here.
     */
    private Datagram defragment(Datagram d, Instant now, Out out) {
        byte[] data = d.rawData();
        IsakmpHeader h;
        FragmentPayload f;
        try {
            h = IsakmpHeader.decode(data);
            Packet p = Packet.decode(h, Packet.body(h, data));
            if (h.encrypted() || p.chainEnd() != p.plaintext().length) {
                out.warn(from(d) + "dropped IKE fragment: " + (h.encrypted() ? "the encryption flag is set"
                        : (p.plaintext().length - p.chainEnd()) + " octets after its payload") + " (MS-IKEE s2.2.3)");
                return null;
            }
            f = (FragmentPayload) p.payloads().get(0);
        } catch (WireException e) {
            out.warn(from(d) + "dropped " + data.length + "-byte IKE fragment: " + e.getMessage());
            return null;
        }
        Cookies c = new Cookies(h.initiatorCookie(), h.responderCookie());
        IsakmpSession s = lookup(d, h);
        if (s == null || s.state() == IsakmpSession.State.DEAD) {
            out.warn(from(d) + "dropped IKE fragment " + f + " for unknown cookies [" + c + "] (no such ISAKMP SA)");
            return null;
        }
        if (!s.remote.getAddress().equals(d.remote().getAddress()) && !s.natDetected()) {
            out.warn(from(d) + "dropped IKE fragment for the ISAKMP SA of peer " + s.peer.name()
                    + ": wrong source address");
            return null;
        }
        s.peerSentFragments();
        Optional<byte[]> whole = reassembler.add(d.remote(), c, h, f, now, s.tag(), out);
        if (whole.isEmpty()) {
            return null;
        }
        byte[] m = whole.get();
        if (m.length < IsakmpHeader.LENGTH || !Arrays.equals(m, 0, 16, data, 0, 16)) {
            out.warn(s.tag() + "dropped a reassembled message: it does not start with its fragments' cookies");
            return null;
        }
        if ((m[16] & 0xff) == PayloadType.FRAGMENT.value()) {
            out.warn(s.tag() + "dropped a reassembled message: it is a fragment itself");
            return null;
        }
        return new Datagram(d.local(), d.remote(), m);
    }

    /**
     * What our datagram {@code d} goes out as: itself, or, when it is a message too long for the
     * fragment size towards a peer that takes IKE fragments, those fragments, each framed as
     * {@code d} is (behind the non-ESP marker on the NAT-T port).
     */
    private List<Datagram> wire(Datagram d, Out out) {
        byte[] data = d.rawData();
        if (data.length <= IkeFragmentation.MIN_SIZE) {
            return List.of(d);
        }
        int marker = natPorts.contains(d.local().getPort()) ? IsakmpSession.NON_ESP_MARKER : 0;
        Cookies c = new Cookies(Arrays.copyOfRange(data, marker, marker + 8),
                Arrays.copyOfRange(data, marker + 8, marker + 16));
        IsakmpSession s = sessions.get(c);
        if (s == null) { // an initiator's MM3 or AM3: filed under (CKY-I, 0) until its input is done
            s = sessions.get(Cookies.initiatorOnly(c.initiator()));
        }
        OptionalInt size = s == null ? OptionalInt.empty() : s.fragmentSize();
        if (size.isEmpty() || data.length <= size.getAsInt()) {
            return List.of(d);
        }
        byte[] message = Arrays.copyOfRange(data, marker, data.length);
        int id = s.fragmentId(message);
        List<byte[]> pieces = IkeFragments.split(message, id, size.getAsInt() - marker);
        if (pieces.isEmpty()) {
            out.warn(s.tag() + "sending a " + message.length + "-octet message whole: in fragments of "
                    + size.getAsInt() + " octets it would take more than " + IkeFragments.MAX_FRAGMENTS);
            return List.of(d);
        }
        out.info(s.tag() + "sending a " + message.length + "-octet message as " + pieces.size() + " IKE fragments"
                + " (ID " + id + ", at most " + size.getAsInt() + " octets each)");
        List<Datagram> framed = new ArrayList<>(pieces.size());
        for (byte[] piece : pieces) {
            byte[] f = new byte[marker + piece.length];
            System.arraycopy(piece, 0, f, marker, piece.length);
            framed.add(new Datagram(d.local(), d.remote(), f));
        }
        return framed;

    }

    private static String from(Datagram d) {
        return "from " + Addresses.format(d.remote().getAddress()) + ":" + d.remote().getPort() + ": ";
    }
}
