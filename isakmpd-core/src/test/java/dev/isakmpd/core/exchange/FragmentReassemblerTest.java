package dev.isakmpd.core.exchange;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.isakmpd.core.policy.Addresses;
import dev.isakmpd.core.registry.ExchangeType;
import dev.isakmpd.core.registry.PayloadType;
import dev.isakmpd.core.wire.FragmentPayload;
import dev.isakmpd.core.wire.IsakmpHeader;
import dev.isakmpd.core.wire.PayloadCodec;
import dev.isakmpd.core.wire.VendorIdPayload;
import dev.isakmpd.core.wire.WireException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Splitting into IKE fragments and putting them back together, within bounds (MS-IKEE s3.3). */
class FragmentReassemblerTest {
    private static final InetSocketAddress PEER = Addresses.parseEndpoint("198.51.100.7", 500);
    private static final InetSocketAddress OTHER_PORT = Addresses.parseEndpoint("198.51.100.7", 4500);
    private static final InetSocketAddress OTHER = Addresses.parseEndpoint("203.0.113.9", 500);
    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
    private static final FragmentReassembler.Limits SMALL =
            new FragmentReassembler.Limits(8, 2000, 2, 4000, 5000, Duration.ofSeconds(30));

    private final Out out = new Out();

    /** A whole ISAKMP message of {@code length} octets with these cookies: header then random octets. */
    private static byte[] message(Cookies c, int length, Random r) {
        byte[] body = new byte[length - IsakmpHeader.LENGTH];
        r.nextBytes(body);
        IsakmpHeader h = new IsakmpHeader(c.initiator(), c.responder(), PayloadType.ID, 1, 0,
                ExchangeType.IDENTITY_PROTECTION, IsakmpHeader.FLAG_ENCRYPTION, 0, length);
        return Packet.concat(h.encode(), body);
    }

    private static Cookies cookies(int seed) {
        Random r = new Random(seed);
        byte[] i = new byte[8];
        byte[] s = new byte[8];
        r.nextBytes(i);
        r.nextBytes(s);
        return new Cookies(i, s);
    }

    private record Fragment(IsakmpHeader header, FragmentPayload payload) {
    }

    private static Fragment decode(byte[] datagram) {
        try {
            IsakmpHeader h = IsakmpHeader.decode(datagram);
            Packet p = Packet.decode(h, Packet.body(h, datagram));
            return new Fragment(h, (FragmentPayload) p.payloads().get(0));
        } catch (WireException e) {
            throw new AssertionError(e);
        }
    }

    private static List<Fragment> split(byte[] message, int id, int room) {
        return IkeFragments.split(message, id, room).stream().map(FragmentReassemblerTest::decode).toList();
    }

    private static Fragment fragment(Cookies c, int id, int number, boolean last, byte[] data) {
        FragmentPayload f = new FragmentPayload(id, number, last, data);
        byte[] body = PayloadCodec.encode(List.of(f));
        return new Fragment(new IsakmpHeader(c.initiator(), c.responder(), PayloadType.FRAGMENT, 1, 0,
                ExchangeType.IDENTITY_PROTECTION, 0, 0, IsakmpHeader.LENGTH + body.length), f);
    }

    private Optional<byte[]> add(FragmentReassembler r, InetSocketAddress from, Cookies c, Fragment f, Instant now) {
        return r.add(from, c, f.header(), f.payload(), now, "test: ", out);
    }

    private boolean warned(String text) {
        return out.actions().stream().anyMatch(a -> a instanceof Action.Log l && l.level() == Action.Level.WARN
                && l.message().contains(text));
    }

    private static void assertEmpty(FragmentReassembler r) {
        assertTrue(r.sizes().values().stream().allMatch(v -> v == 0), r.sizes()::toString);
    }

    @Test
    void fragmentsCarryTheMessagesHeaderFieldsAndLastFlagAndFitTheRoom() {
        Cookies c = cookies(1);
        byte[] m = message(c, 1000, new Random(1));
        List<byte[]> raw = IkeFragments.split(m, 7, 300);
        assertEquals(4, raw.size(), "264 octets of data per 300-octet fragment");
        for (int i = 0; i < raw.size(); i++) {
            assertTrue(raw.get(i).length <= 300);
            Fragment f = decode(raw.get(i));
            assertEquals(PayloadType.FRAGMENT, f.header().nextPayload());
            assertEquals(0, f.header().flags(), "encryption flag cleared");
            assertEquals(ExchangeType.IDENTITY_PROTECTION, f.header().exchangeType());
            assertEquals(7, f.payload().fragmentId());
            assertEquals(i + 1, f.payload().fragmentNumber());
            assertEquals(i == raw.size() - 1, f.payload().last());
        }
        assertEquals(List.of(), IkeFragments.split(message(c, 60000, new Random(1)), 1, 256),
                "more than 255 fragments is no way to send it");
    }

    /**
     * Property: in any order the message comes back exactly once; with duplicates among the
     * fragments, each time whole (fragment 1 again after completion gives it again, as a peer's
     * retransmission must, so that our reply is resent), and nothing stays behind its deadline.
     */
    @Test
    void anyOrderReassemblesTheMessageAndDuplicatesNeverCorruptIt() {
        Random r = new Random(42);
        for (int run = 0; run < 300; run++) {
            FragmentReassembler fr = new FragmentReassembler(FragmentReassembler.Limits.DEFAULT);
            Cookies c = cookies(run);
            byte[] m = message(c, 40 + r.nextInt(6000), r);
            List<Fragment> fs = new ArrayList<>(split(m, r.nextInt(0x10000), 256 + r.nextInt(1200)));
            int duplicates = run % 2 == 0 ? 0 : 1 + r.nextInt(4);
            int distinct = fs.size();
            for (int i = 0; i < duplicates; i++) {
                fs.add(fs.get(r.nextInt(distinct)));
            }
            Collections.shuffle(fs, r);
            List<byte[]> got = new ArrayList<>();
            for (Fragment f : fs) {
                add(fr, PEER, c, f, T0).ifPresent(got::add);
            }
            if (duplicates == 0) {
                assertEquals(1, got.size(), "run " + run);
            }
            assertTrue(!got.isEmpty(), "run " + run);
            for (byte[] g : got) {
                assertArrayEquals(m, g, "run " + run);
            }
            fr.expire(T0.plus(FragmentReassembler.Limits.DEFAULT.timeout()), out);
            assertEmpty(fr);
        }
    }

    @Test
    void aLostFragmentIsFilledInByTheRetransmissionWithTheSameId() {
        FragmentReassembler fr = new FragmentReassembler(FragmentReassembler.Limits.DEFAULT);
        Cookies c = cookies(2);
        byte[] m = message(c, 2000, new Random(2));
        List<Fragment> fs = split(m, 9, 548);
        for (Fragment f : fs) {
            if (f.payload().fragmentNumber() != 2) {
                assertTrue(add(fr, PEER, c, f, T0).isEmpty());
            }
        }
        Optional<byte[]> got = Optional.empty();
        for (Fragment f : fs) {
            got = got.or(() -> add(fr, PEER, c, f, T0.plusSeconds(4)));
        }
        assertArrayEquals(m, got.orElseThrow());
    }

    @Test
    void aRetransmissionOfACompleteMessageGivesItAgainOnItsFirstFragment() {
        FragmentReassembler fr = new FragmentReassembler(FragmentReassembler.Limits.DEFAULT);
        Cookies c = cookies(11);
        byte[] m = message(c, 1500, new Random(11));
        List<Fragment> fs = split(m, 3, 548);
        fs.forEach(f -> add(fr, PEER, c, f, T0));
        // the resend loses all but its second and first fragments
        assertTrue(add(fr, PEER, c, fs.get(1), T0.plusSeconds(4)).isEmpty());
        assertArrayEquals(m, add(fr, PEER, c, fs.get(0), T0.plusSeconds(4)).orElseThrow());
        fr.expire(T0.plus(FragmentReassembler.Limits.DEFAULT.timeout()), out);
        assertEmpty(fr);
        assertFalse(warned(""), "a delivered message goes silently: " + out.actions());
    }

    @Test
    void sourcesAndSasAreKeptApart() {
        FragmentReassembler fr = new FragmentReassembler(FragmentReassembler.Limits.DEFAULT);
        Cookies c = cookies(3);
        List<Fragment> fs = split(message(c, 1200, new Random(3)), 1, 548);
        add(fr, PEER, c, fs.get(0), T0);
        add(fr, PEER, c, fs.get(1), T0);
        // the last fragment from another port or address, or under other cookies, completes nothing
        assertTrue(add(fr, OTHER_PORT, c, fs.get(2), T0).isEmpty());
        assertTrue(add(fr, OTHER, c, fs.get(2), T0).isEmpty());
        assertTrue(add(fr, PEER, cookies(4), fs.get(2), T0).isEmpty());
        assertEquals(4, fr.sizes().get("fragmented messages"));
        assertTrue(add(fr, PEER, c, fs.get(2), T0).isPresent());
    }

    @Test
    void overlappingFragmentIsDroppedAndTheHeldOneKept() {
        FragmentReassembler fr = new FragmentReassembler(SMALL);
        Cookies c = cookies(5);
        add(fr, PEER, c, fragment(c, 1, 1, false, new byte[] {1, 2, 3}), T0);
        add(fr, PEER, c, fragment(c, 1, 1, false, new byte[] {9, 9, 9}), T0);
        assertTrue(warned("fragment #1 of message 1 dropped: it overlaps the fragment #1 held, with other data"),
                out.actions()::toString);
        byte[] whole = add(fr, PEER, c, fragment(c, 1, 2, true, new byte[] {4}), T0).orElseThrow();
        assertArrayEquals(new byte[] {1, 2, 3, 4}, whole);
        fr.expire(T0.plus(SMALL.timeout()), out);
        assertEmpty(fr);
    }

    @Test
    void twoLastFlagsOrAFragmentAboveTheLastDropTheMessage() {
        FragmentReassembler fr = new FragmentReassembler(SMALL);
        Cookies c = cookies(6);
        add(fr, PEER, c, fragment(c, 1, 3, true, new byte[] {3}), T0);
        add(fr, PEER, c, fragment(c, 1, 2, true, new byte[] {2}), T0);
        assertTrue(warned("fragments of message 1 for [" + c + "] dropped (1 held): fragment #2 (last) contradicts "
                + "fragment #3, flagged LAST_FRAGMENT (MS-IKEE s3.3)"), out.actions()::toString);
        assertEmpty(fr);
        add(fr, PEER, c, fragment(c, 2, 2, true, new byte[] {2}), T0);
        add(fr, PEER, c, fragment(c, 2, 3, false, new byte[] {3}), T0);
        assertTrue(warned("fragment #3 contradicts fragment #2, flagged LAST_FRAGMENT"), out.actions()::toString);
        add(fr, PEER, c, fragment(c, 3, 5, false, new byte[] {5}), T0);
        add(fr, PEER, c, fragment(c, 3, 4, true, new byte[] {4}), T0);
        assertTrue(warned("fragment #4 (last) contradicts the fragments above it"), out.actions()::toString);
        assertEmpty(fr);
    }

    @Test
    void fragmentNumberAndMessageSizeAreBounded() {
        FragmentReassembler fr = new FragmentReassembler(SMALL);
        Cookies c = cookies(7);
        add(fr, PEER, c, fragment(c, 1, 1, false, new byte[10]), T0);
        add(fr, PEER, c, fragment(c, 1, 9, true, new byte[10]), T0);
        assertTrue(warned("fragment #9 (last) of message 1 dropped with the message's other fragments: fragment numbers "
                + "above 8 are not accepted"), out.actions()::toString);
        assertEmpty(fr);
        add(fr, PEER, c, fragment(c, 2, 1, false, new byte[1500]), T0);
        add(fr, PEER, c, fragment(c, 2, 2, false, new byte[600]), T0);
        assertTrue(warned("the message would exceed 2000 octets"), out.actions()::toString);
        assertEmpty(fr);
    }

    @Test
    void aFragmentWhoseHeaderNamesAnotherMessageIsDropped() {
        FragmentReassembler fr = new FragmentReassembler(SMALL);
        Cookies c = cookies(8);
        add(fr, PEER, c, fragment(c, 1, 1, false, new byte[10]), T0);
        Fragment f = fragment(c, 1, 2, true, new byte[10]);
        Fragment quick = new Fragment(f.header().withExchangeType(ExchangeType.QUICK_MODE).withMessageId(5),
                f.payload());
        assertTrue(add(fr, PEER, c, quick, T0).isEmpty());
        assertTrue(warned("its header names QUICK_MODE message ID 5"), out.actions()::toString);
        assertEquals(10, fr.sizes().get("fragment octets"));
    }

    @Test
    void aThirdMessageOnOneSaEndsItsOldest() {
        FragmentReassembler fr = new FragmentReassembler(SMALL);
        Cookies c = cookies(9);
        for (int id = 1; id <= 3; id++) {
            add(fr, PEER, c, fragment(c, id, 1, false, new byte[10]), T0);
        }
        assertTrue(warned("fragments of message 1 for [" + c + "] dropped (1 held): a newer message (3) started and "
                + "at most 2 may be in progress per ISAKMP SA"), out.actions()::toString);
        assertEquals(Map.of("fragmented messages", 2, "fragment octets", 20, "fragmenting SAs", 1,
                "fragmenting addresses", 1), fr.sizes());
    }

    @Test
    void oneAddressCannotHoldMoreThanItsShareAndTheTotalEvictsTheOldest() {
        FragmentReassembler fr = new FragmentReassembler(SMALL);
        for (int i = 0; i < 3; i++) {
            Cookies c = cookies(100 + i);
            add(fr, PEER, c, fragment(c, 1, 1, false, new byte[1500]), T0);
        }
        assertTrue(warned("fragment #1 of message 1 dropped: 4000 octets of fragments from 198.51.100.7 are already"
                + " waiting"), out.actions()::toString);
        assertEquals(3000, fr.sizes().get("fragment octets"));
        Cookies first = cookies(100);
        for (int i = 0; i < 2; i++) {
            Cookies c = cookies(200 + i);
            add(fr, OTHER, c, fragment(c, 1, 1, false, new byte[1500]), T0.plusSeconds(1));
        }
        assertTrue(warned("fragments of message 1 for [" + first + "] dropped (1 held): room was needed: 5000 "
                + "octets of fragments wait in all"), out.actions()::toString);
        assertEquals(4500, fr.sizes().get("fragment octets"));
    }

    @Test
    void anIncompleteMessageIsDroppedWhenItsTimeRunsOut() {
        FragmentReassembler fr = new FragmentReassembler(SMALL);
        Cookies c = cookies(10);
        add(fr, PEER, c, fragment(c, 4, 1, false, new byte[10]), T0);
        add(fr, PEER, c, fragment(c, 5, 2, true, new byte[10]), T0.plusSeconds(10));
        assertEquals(Optional.of(T0.plusSeconds(30)), fr.nextDeadline());
        fr.expire(T0.plusSeconds(29), out);
        assertEquals(2, fr.sizes().get("fragmented messages"));
        fr.expire(T0.plusSeconds(30), out);
        assertTrue(warned("from 198.51.100.7:500: fragments of message 4 for [" + c + "] dropped (1 held): not "
                + "complete within 30s (no LAST_FRAGMENT seen)"), out.actions()::toString);
        assertEquals(Optional.of(T0.plusSeconds(40)), fr.nextDeadline());
        fr.expire(T0.plusSeconds(40), out);
        assertTrue(warned("not complete within 30s (of 2 fragments)"), out.actions()::toString);
        assertEmpty(fr);
        assertEquals(Optional.empty(), fr.nextDeadline());
    }

    @Test
    void offeredMatchesTheHashWithOrWithoutTheCapabilityWord() {
        byte[] full = IkeFragments.VENDOR_ID.vendorId();
        assertTrue(IkeFragments.offered(List.of(new VendorIdPayload(
                Arrays.copyOf(full, 16)))));
        assertTrue(IkeFragments.offered(List.of(IkeFragments.VENDOR_ID)));
        assertFalse(IkeFragments.offered(List.of(new VendorIdPayload(
                Arrays.copyOf(full, 15)))));
    }
}
