package dev.isakmpd.core.exchange;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Which half-open exchange a full table forgets: per address first, then the busiest address's. */
class HalfOpenTableTest {
    private static InetAddress address(int i) throws Exception {
        return InetAddress.getByAddress(new byte[] {(byte) 198, 51, 100, (byte) i});
    }

    /** Exchanges are only keys here: identity is all the table uses. */
    private static Object session() {
        return new Object();
    }

    @Test
    void aFullTableForgetsTheOldestExchangeOfTheBusiestAddressNotAQuietPeers() throws Exception {
        HalfOpenTable<Object> t = new HalfOpenTable<>(new HalfOpenLimits(8, 10));
        Object peer = session();
        assertEquals(List.of(), t.admit(peer, address(1)));
        List<Object> flood = new ArrayList<>();
        for (int i = 0; i < 9; i++) {
            Object f = session();
            flood.add(f);
            assertEquals(List.of(), t.admit(f, address(2 + i % 3)));
        }
        assertEquals(10, t.size());
        // the flood's three addresses hold 3 each, the peer 1: the flood pays, oldest first
        for (int i = 0; i < 30; i++) {
            List<Object> out = t.admit(session(), address(2 + i % 3));
            assertEquals(1, out.size());
            assertTrue(out.get(0) != peer, "the quiet peer's exchange was forgotten at step " + i);
        }
        assertEquals(10, t.size());
        assertEquals(4, t.addresses());
    }

    @Test
    void anAddressAtItsOwnLimitLosesItsOwnOldestAndRemovalKeepsTheCountsRight() throws Exception {
        HalfOpenTable<Object> t = new HalfOpenTable<>(new HalfOpenLimits(2, 100));
        Object a = session();
        Object b = session();
        t.admit(a, address(1));
        t.admit(b, address(1));
        assertEquals(List.of(a), t.admit(session(), address(1)));
        t.remove(b);
        t.remove(b); // twice: harmless
        assertEquals(1, t.size());
        assertEquals(1, t.addresses());
    }

    /**
     * A flood from more addresses than the table holds leaves no busiest address: fairness cannot
     * choose, and oldest-first would forget a real peer's exchange within a fraction of a second.
     * A peer that answered MM2 from its address (verified) is kept while unverified ones remain.
     */
    @Test
    void aVerifiedExchangeOutlivesAFloodFromAsManyAddressesAsTheTableHolds() throws Exception {
        HalfOpenTable<Object> t = new HalfOpenTable<>(new HalfOpenLimits(4, 10));
        Object peer = session();
        t.admit(peer, address(1));
        t.verify(peer);
        t.verify(peer); // twice: harmless
        for (int i = 0; i < 200; i++) {
            List<Object> out = t.admit(session(), address(2 + i % 200));
            assertTrue(!out.contains(peer), "the verified exchange was forgotten at step " + i);
        }
        assertEquals(10, t.size());
    }

    @Test
    void verifiedExchangesCountAgainstTheirAddressAndGoWhenNothingElseIsLeft() throws Exception {
        HalfOpenTable<Object> t = new HalfOpenTable<>(new HalfOpenLimits(2, 3));
        Object a = session();
        Object b = session();
        t.admit(a, address(1));
        t.admit(b, address(1));
        t.verify(a);
        t.verify(b);
        Object x = session();
        assertEquals(List.of(a), t.admit(x, address(1)), "the address's limit covers verified ones");
        t.verify(x);
        Object c = session();
        t.admit(c, address(2));
        t.verify(c);
        assertEquals(3, t.size());
        assertEquals(List.of(b), t.admit(session(), address(3)), "only verified left: the oldest of them");
        t.remove(c);
        assertEquals(2, t.size());
        assertEquals(2, t.addresses());
    }
}
