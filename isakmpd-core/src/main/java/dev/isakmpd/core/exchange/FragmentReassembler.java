package dev.isakmpd.core.exchange;

import dev.isakmpd.core.policy.Addresses;
import dev.isakmpd.core.registry.ExchangeType;
import dev.isakmpd.core.wire.FragmentPayload;
import dev.isakmpd.core.wire.IsakmpHeader;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Puts IKEv1 fragments (payload 132) back together (MS-IKEE s3.3; specs/ike-fragmentation-notes.md):
 * per fragment ID, fragments 1..n, fragment n flagged LAST_FRAGMENT, whose data joined in order is
 * the original message. Only for ISAKMP SAs that exist (the engine checks), and bounded: fragments
 * per message, octets per message, messages in progress per ISAKMP SA, octets per peer address and
 * in all, and the time a message may take. Whatever breaks a bound, contradicts itself or never
 * completes is dropped with a log line. A complete message is kept until its time is up, so that
 * the peer's retransmission of it (fragment 1 again, the same) is answered even where loss would
 * rarely let all its fragments through a second time. Sans-I/O: the caller passes the time.
 */
final class FragmentReassembler {
    /**
     * @param maxFragments highest fragment number accepted (libreswan allows 32; Windows was seen sending 29)
     * @param maxMessage octets one reassembled message may have
     * @param perSa messages in progress per ISAKMP SA (and peer endpoint); a new one ends the oldest
     * @param perAddress octets buffered for one peer address (many clients may share a NAT's address)
     * @param total octets buffered in all; the oldest message in progress goes to make room
     * @param timeout how long a message may take to complete from its first fragment, and how long a complete
     *     one is kept to answer its retransmission (MS-IKEE: at most 90 s)
     */
    record Limits(int maxFragments, int maxMessage, int perSa, int perAddress, int total, Duration timeout) {
        static final Limits DEFAULT = new Limits(64, 65535, 2, 1 << 20, 8 << 20, Duration.ofSeconds(60));

        Limits {
            if (maxFragments < 1 || maxFragments > IkeFragments.MAX_FRAGMENTS || maxMessage < IsakmpHeader.LENGTH
                    || perSa < 1 || perAddress < maxMessage || total < perAddress || timeout.isNegative()
                    || timeout.isZero()) {
                throw new IllegalArgumentException("inconsistent reassembly limits " + this);
            }
        }
    }

    /** One ISAKMP SA as seen from one peer endpoint: a spoofed source cannot mix into its messages. */
    private record Sa(InetSocketAddress remote, Cookies cookies) {
    }

    private record Key(Sa sa, int fragmentId) {
    }

    /** A message in progress: the pieces so far, by fragment number. */
    private static final class Partial {
        final ExchangeType exchange;
        final int messageId;
        final Instant deadline;
        final byte[][] pieces;
        int count;
        int octets;
        /** The number of the LAST_FRAGMENT fragment; 0 until it came. */
        int last;

        boolean complete() {
            return last != 0 && count == last;
        }

        Partial(IsakmpHeader h, int maxFragments, Instant deadline) {
            this.exchange = h.exchangeType();
            this.messageId = h.messageId();
            this.deadline = deadline;
            this.pieces = new byte[maxFragments + 1][];
        }

        /** The highest fragment number held. */
        int highest() {
            for (int n = pieces.length - 1; n > 0; n--) {
                if (pieces[n] != null) {
                    return n;
                }
            }
            return 0;
        }

        byte[] join() {
            byte[] whole = new byte[octets];
            int at = 0;
            for (int n = 1; n <= last; n++) {
                System.arraycopy(pieces[n], 0, whole, at, pieces[n].length);
                at += pieces[n].length;
            }
            return whole;
        }
    }

    private final Limits limits;
    /** Oldest first; every message gets the same time, so this is also deadline order. */
    private final LinkedHashMap<Key, Partial> partials = new LinkedHashMap<>();
    private final Map<Sa, ArrayDeque<Key>> bySa = new HashMap<>();
    private final Map<InetAddress, Integer> octetsByAddress = new HashMap<>();
    private long octets;

    FragmentReassembler(Limits limits) {
        this.limits = limits;
    }

    /**
     * A fragment from {@code remote} for the ISAKMP SA {@code cookies}; {@code h} is its header.
     *
     * @return the whole message once its last missing fragment came, else empty
     */
    Optional<byte[]> add(InetSocketAddress remote, Cookies cookies, IsakmpHeader h, FragmentPayload f, Instant now,
            String tag, Out out) {
        expire(now, out);
        Key key = new Key(new Sa(remote, cookies), f.fragmentId());
        String what = tag + "fragment #" + f.fragmentNumber() + (f.last() ? " (last)" : "") + " of message "
                + f.fragmentId();
        int n = f.fragmentNumber();
        if (n > limits.maxFragments()) {
            out.warn(what + " dropped" + (partials.containsKey(key) ? " with the message's other fragments" : "")
                    + ": fragment numbers above " + limits.maxFragments() + " are not accepted");
            forget(key);
            return Optional.empty();
        }
        byte[] data = f.data();
        Partial p = partials.get(key);
        if (p != null) {
            if (!p.exchange.equals(h.exchangeType()) || p.messageId != h.messageId()) {
                out.warn(what + " dropped: its header names " + h.exchangeType() + " message ID "
                        + Integer.toUnsignedString(h.messageId()) + ", the earlier fragments' " + p.exchange
                        + " message ID " + Integer.toUnsignedString(p.messageId));
                return Optional.empty();
            }
            if (p.complete() && n == 1 && Arrays.equals(p.pieces[1], data)) {
                // the peer sends the message again: our answer was lost, and it is owed one again
                out.debug(tag + "message " + f.fragmentId() + " sent again; its fragments came before");
                return Optional.of(p.join());
            }
            if (p.pieces[n] != null) {
                if (Arrays.equals(p.pieces[n], data)) {
                    out.debug(what + ": duplicate, ignored");
                } else {
                    out.warn(what + " dropped: it overlaps the fragment #" + n + " held, with other data");
                }
                return Optional.empty();
            }
            if ((f.last() && (p.last != 0 || p.highest() > n)) || (p.last != 0 && n > p.last)) {
                discard(key, "fragment #" + n + (f.last() ? " (last)" : "") + " contradicts "
                        + (p.last != 0 ? "fragment #" + p.last + ", flagged LAST_FRAGMENT" : "the fragments above it")
                        + " (MS-IKEE s3.3)", out);
                return Optional.empty();
            }
        }
        if ((p == null ? 0 : p.octets) + data.length > limits.maxMessage()) {
            out.warn(what + " dropped" + (p == null ? "" : " with the message's other fragments") + ": the message would"
                    + " exceed " + limits.maxMessage() + " octets");
            forget(key);
            return Optional.empty();
        }
        InetAddress address = remote.getAddress();
        if (octetsByAddress.getOrDefault(address, 0) + data.length > limits.perAddress()) {
            out.warn(what + " dropped: " + limits.perAddress() + " octets of fragments from "
                    + Addresses.format(address) + " are already waiting");
            return Optional.empty();
        }
        if (p == null) {
            p = open(key, h, now, out);
        }
        // room in all: the oldest others go (this message alone always fits: maxMessage <= total)
        while (octets + data.length > limits.total()) {
            discard(oldestBut(key), "room was needed: " + limits.total() + " octets of fragments wait in all",
                    out);
        }
        p.pieces[n] = data;
        p.count++;
        p.octets += data.length;
        if (f.last()) {
            p.last = n;
        }
        octets += data.length;
        octetsByAddress.merge(address, data.length, Integer::sum);
        if (!p.complete()) {
            return Optional.empty();
        }
        byte[] whole = p.join();
        out.debug(tag + "message " + f.fragmentId() + " reassembled from " + p.last + " fragments, " + whole.length
                + " octets");
        return Optional.of(whole);
    }

    /** A new message in progress; the SA's oldest goes when it has {@link Limits#perSa} already. */
    private Partial open(Key key, IsakmpHeader h, Instant now, Out out) {
        ArrayDeque<Key> ofSa = bySa.computeIfAbsent(key.sa(), k -> new ArrayDeque<>(limits.perSa()));
        if (ofSa.size() >= limits.perSa()) {
            discard(ofSa.peekFirst(), "a newer message (" + key.fragmentId() + ") started and at most "
                    + limits.perSa() + " may be in progress per ISAKMP SA", out);
            ofSa = bySa.computeIfAbsent(key.sa(), k -> new ArrayDeque<>(limits.perSa()));
        }
        Partial p = new Partial(h, limits.maxFragments(), now.plus(limits.timeout()));
        partials.put(key, p);
        ofSa.addLast(key);
        return p;
    }

    /** The oldest message in progress other than {@code key}'s. */
    private Key oldestBut(Key key) {
        for (Key k : partials.keySet()) {
            if (!k.equals(key)) {
                return k;
            }
        }
        throw new IllegalStateException("no other message in progress");
    }

    /** Drops the messages whose time ran out. */
    void expire(Instant now, Out out) {
        while (!partials.isEmpty()) {
            Map.Entry<Key, Partial> e = partials.entrySet().iterator().next();
            Partial p = e.getValue();
            if (now.isBefore(p.deadline)) {
                return;
            }
            if (p.complete()) {
                remove(e.getKey());
                continue;
            }
            discard(e.getKey(), "not complete within " + limits.timeout().toSeconds() + "s ("
                    + (p.last != 0 ? "of " + p.last + " fragments" : "no LAST_FRAGMENT seen") + ")", out);
        }
    }

    /** When {@link #expire} next has work. */
    Optional<Instant> nextDeadline() {
        return partials.isEmpty() ? Optional.empty() : Optional.of(partials.values().iterator().next().deadline);
    }

    /** Forgets a message in progress, saying why. */
    private void discard(Key key, String why, Out out) {
        Partial p = partials.get(key);
        if (p.complete()) {
            remove(key); // delivered already: nothing is lost
            return;
        }
        InetSocketAddress remote = key.sa().remote();
        out.warn("from " + Addresses.format(remote.getAddress()) + ":" + remote.getPort() + ": fragments of message "
                + key.fragmentId() + " for [" + key.sa().cookies() + "] dropped (" + p.count + " held): " + why);
        remove(key);
    }

    /** Forgets a message in progress, if there is one (the caller has said why). */
    private void forget(Key key) {
        if (partials.containsKey(key)) {
            remove(key);
        }
    }

    private void remove(Key key) {
        Partial p = partials.remove(key);
        ArrayDeque<Key> ofSa = bySa.get(key.sa());
        if (ofSa != null && ofSa.remove(key) && ofSa.isEmpty()) {
            bySa.remove(key.sa());
        }
        octets -= p.octets;
        InetAddress address = key.sa().remote().getAddress();
        if (octetsByAddress.merge(address, -p.octets, Integer::sum) <= 0) {
            octetsByAddress.remove(address);
        }
    }

    /** Messages in progress, octets buffered, and the tables' entries: for tests that check the bounds. */
    Map<String, Integer> sizes() {
        return Map.of("fragmented messages", partials.size(), "fragment octets", (int) octets,
                "fragmenting SAs", bySa.size(), "fragmenting addresses", octetsByAddress.size());
    }
}
