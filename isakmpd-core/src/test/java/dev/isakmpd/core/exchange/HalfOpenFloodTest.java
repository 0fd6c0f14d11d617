package dev.isakmpd.core.exchange;

import static dev.isakmpd.core.exchange.EngineScenarioTest.A;
import static dev.isakmpd.core.exchange.EngineScenarioTest.B;
import static dev.isakmpd.core.exchange.EngineScenarioTest.policy;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.isakmpd.core.kernel.InMemoryKernel;
import dev.isakmpd.core.policy.Addresses;
import dev.isakmpd.core.policy.PeerPolicy;
import dev.isakmpd.oakley.IkeCrypto;
import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Issue 11's flood from more addresses than the half-open table holds (a spoofed /16, or random
 * sources): per-address fairness has no busiest address to pick, so a full table forgets the
 * oldest exchange. A real peer's exchange that has answered our MM2 (its MM3 named our responder
 * cookie) must not be that one, or its MM5 finds nothing and it starts over, in the same race.
 */
class HalfOpenFloodTest {
    private static final Instant NOW = Instant.parse("2026-01-01T00:00:00Z");
    private static final InetSocketAddress RESPONDER = Addresses.parseEndpoint(B, 500);
    private static final String IKE = "aes256-sha256-modp2048";
    private static final byte[] COOKIE = new byte[8];

    @Test
    void aPeerThatAnsweredMm2SurvivesAFloodFromMoreAddressesThanTheTableHolds() {
        PeerPolicy crowd = RoadWarriorScenarioTest.roadWarrior(policy("crowd", B, "198.51.100.1", "crowd key", IKE,
                "aes128-sha1", null, "10.2.0.0/16", "10.3.0.0/16", false), "198.51.100.0/24");
        PeerPolicy legit = policy("a", B, A, "k", IKE, "aes128-sha1", null, "10.2.0.0/16", "10.1.0.0/16", false);
        Engine r = new Engine(List.of(legit, crowd), IkeCrypto.bouncyCastle(new SecureRandom(), false),
                new InMemoryKernel(), RetransmitPolicy.DEFAULT, new HalfOpenLimits(4, 16));
        Engine a = new Engine(List.of(policy("b", A, B, "k", IKE, "aes128-sha1", null, "10.1.0.0/16", "10.2.0.0/16",
                true)), IkeCrypto.bouncyCastle(new SecureRandom(), false), new InMemoryKernel(), RetransmitPolicy.DEFAULT);
        Random random = new Random(11);

        List<Datagram> toR = sent(a.initiate("b", NOW)); // MM1
        List<Datagram> toA = deliver(r, toR); // MM2
        flood(r, random, 10); // the table (16) is not full yet: the peer's MM3 is quicker than the flood
        toR = deliver(a, toA); // MM3
        toA = deliver(r, toR); // MM4: the peer has answered from its address
        flood(r, random, 40); // every other exchange in the table is newer than the peer's
        toR = deliver(a, toA); // MM5
        toA = deliver(r, toR); // MM6
        assertEquals(1, toA.size(), "the responder forgot the peer's Main Mode before its MM5");
        deliver(a, toA);
        assertTrue(r.isakmpSas().stream().anyMatch(s -> s.peer().equals("a") && s.state().equals("ESTABLISHED")),
                r.isakmpSas().toString());
    }

    /** {@code n} valid MM1s for the crowd policy, each from its own address and with its own cookie. */
    private static void flood(Engine r, Random random, int n) {
        byte[] mm1 = MalformedFirstMessageTest.message(List.of(MalformedFirstMessageTest.sa(
                MalformedFirstMessageTest.goodAttributes())), 0, new byte[0]);
        for (int i = 0; i < n; i++) {
            random.nextBytes(COOKIE);
            System.arraycopy(COOKIE, 0, mm1, 0, COOKIE.length);
            InetSocketAddress spoofed = Addresses.parseEndpoint("198.51.100." + (1 + random.nextInt(254)), 500);
            assertEquals(1, sent(r.receive(new Datagram(RESPONDER, spoofed, mm1), NOW)).size(), "no MM2");
        }
    }

    static List<Datagram> sent(List<Action> actions) {
        List<Datagram> out = new ArrayList<>();
        for (Action x : actions) {
            if (x instanceof Action.Send s) {
                out.add(s.datagram());
            }
        }
        return out;
    }

    /** Hands each datagram to {@code to} as it arrives there; what {@code to} sends back. */
    static List<Datagram> deliver(Engine to, List<Datagram> datagrams) {
        List<Datagram> answers = new ArrayList<>();
        for (Datagram d : datagrams) {
            answers.addAll(sent(to.receive(new Datagram(d.remote(), d.local(), d.data()), NOW)));
        }
        return answers;
    }
}
