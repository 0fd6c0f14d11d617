package dev.isakmpd.core.exchange;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.isakmpd.core.policy.EspCipher;
import dev.isakmpd.core.policy.EspIntegrity;
import dev.isakmpd.core.policy.Subnet;
import dev.isakmpd.core.sa.IpsecSa;
import dev.isakmpd.oakley.SecretBytes;
import java.net.InetAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * A tunnel's current pair and the ones it superseded (make-before-break), as strongSwan's load
 * generator uses them: every pair in one tunnel, thousands retiring at once.
 */
class ChildSasTest {
    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
    private static final Duration LIFETIME = Duration.ofHours(1);

    private int nextSpi = 0x1000;

    private ChildSas.Pair pair(String peer, String tunnel) throws Exception {
        InetAddress us = InetAddress.getByName("198.51.100.1");
        InetAddress them = InetAddress.getByName("198.51.100.2");
        return new ChildSas.Pair(peer, sa(peer, tunnel, IpsecSa.Direction.IN, them, us),
                sa(peer, tunnel, IpsecSa.Direction.OUT, us, them), T0.plus(LIFETIME), T0.plus(LIFETIME.dividedBy(2)),
                false, "id" + nextSpi, new Cookies(new byte[8], new byte[8]));
    }

    private IpsecSa sa(String peer, String tunnel, IpsecSa.Direction d, InetAddress from, InetAddress to) {
        return new IpsecSa(peer, tunnel, d, nextSpi++, from, to, Subnet.parse("10.1.0.0/16"),
                Subnet.parse("10.2.0.0/16"), EspCipher.AES_CBC, 128, SecretBytes.copyOf(new byte[16]),
                EspIntegrity.HMAC_SHA1, SecretBytes.copyOf(new byte[20]), LIFETIME, false);
    }

    /** A table of {@code pairs}, the first added at T0, each next one a second later. */
    private static ChildSas holding(ChildSas.Pair... pairs) {
        ChildSas c = new ChildSas();
        for (int i = 0; i < pairs.length; i++) {
            c.add(pairs[i], T0.plusSeconds(i));
        }
        return c;
    }

    @Test
    void aNewPairSupersedesOnlyTheCurrentOneAndEachRetiresOnceAfterTheOverlapOfItsSuccessor() throws Exception {
        ChildSas.Pair a = pair("load", "net");
        ChildSas.Pair b = pair("load", "net");
        ChildSas.Pair n = pair("load", "net");
        ChildSas c = holding(a, b, n);
        assertEquals(List.of(n), c.current("load", "net"));
        assertTrue(c.hasCurrent("load", "net"));
        assertEquals(null, a.rekeyAt(), "a superseded pair does not rekey");
        assertEquals(null, b.rekeyAt());
        // the responder's overlap is three times OVERLAP; a was retired by b, not again by n
        Instant aRetires = T0.plusSeconds(1).plus(ChildSas.OVERLAP.multipliedBy(3));
        assertEquals(List.of(), c.due(aRetires.minusMillis(1)));
        assertEquals(List.of(a), c.due(aRetires));
        assertEquals(List.of(b), c.due(aRetires.plusSeconds(1)));
        assertTrue(a.retireDue(aRetires) && !n.retireDue(aRetires.plusSeconds(60)));
    }

    @Test
    void removingPairsInAnyOrderKeepsTheCurrentOneAndEmptiesTheTunnelAtTheEnd() throws Exception {
        ChildSas c = new ChildSas();
        List<ChildSas.Pair> old = List.of(pair("load", "net"), pair("load", "net"), pair("load", "net"));
        for (ChildSas.Pair p : old) {
            c.add(p, T0);
        }
        ChildSas.Pair n = pair("load", "net");
        c.add(n, T0);
        c.remove(old.get(1));
        assertEquals(List.of(n), c.current("load", "net"));
        c.remove(n);
        assertFalse(c.hasCurrent("load", "net"), "the retiring pairs are not current");
        assertEquals(List.of(), c.current("load", "net"));
        assertEquals(1, c.tableSizes().get("pairs by tunnel"), "the retiring pairs still hold the tunnel");
        ChildSas.Pair again = pair("load", "net");
        c.add(again, T0.plusSeconds(5));
        assertEquals(List.of(again), c.current("load", "net"));
        c.remove(old.get(0));
        c.remove(old.get(2));
        c.remove(again);
        assertTrue(c.tableSizes().entrySet().stream().filter(e -> !e.getKey().equals("pairs removed"))
                .allMatch(e -> e.getValue() == 0), c.tableSizes()::toString);
        assertEquals(List.of(old.get(1), n, old.get(0), old.get(2), again), c.takeRemoved());
    }

    @Test
    void aPairWhoseReplacementStartedStaysCurrentUntilTheReplacementIsUp() throws Exception {
        ChildSas c = new ChildSas();
        ChildSas.Pair ours = pair("load", "net");
        ChildSas.Pair next = pair("load", "net");
        c.add(ours, T0);
        assertTrue(c.startRekey(ours));
        assertEquals(List.of(ours), c.current("load", "net"), "a pair whose replacement started is still current");
        c.add(next, T0);
        assertEquals(List.of(next), c.current("load", "net"));
        assertFalse(c.startRekey(ours), "a superseded pair does not rekey");
    }

    @Test
    void tunnelsOfOtherPeersAndNamesAreApart() throws Exception {
        ChildSas.Pair a = pair("load", "net");
        ChildSas.Pair b = pair("load", "other");
        ChildSas.Pair d = pair("road", "net");
        ChildSas c = holding(a, b, d);
        assertEquals(List.of(a), c.current("load", "net"));
        assertEquals(List.of(b), c.current("load", "other"));
        assertEquals(List.of(d), c.current("road", "net"));
        assertEquals(Optional.of(b), c.find(b.outbound().destination(), b.outbound().spi()));
        assertEquals(List.of(), c.due(T0.plus(ChildSas.OVERLAP.multipliedBy(4))));
    }
}
