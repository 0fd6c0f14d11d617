package dev.isakmpd.core.exchange;

import static dev.isakmpd.core.exchange.EngineScenarioTest.A;
import static dev.isakmpd.core.exchange.EngineScenarioTest.B;
import static dev.isakmpd.core.exchange.EngineScenarioTest.policy;
import static dev.isakmpd.core.exchange.HalfOpenFloodTest.deliver;
import static dev.isakmpd.core.exchange.HalfOpenFloodTest.sent;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.isakmpd.core.kernel.InMemoryKernel;
import dev.isakmpd.oakley.DhKeyPair;
import dev.isakmpd.oakley.IkeCrypto;
import dev.isakmpd.oakley.InvalidKeyInformationException;
import dev.isakmpd.oakley.PendingAgreement;
import dev.isakmpd.oakley.SecretBytes;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The Main Mode responder asks for g^xy when MM5 arrives, not when it answers MM3
 * (IkeCrypto#agreeLater), so a daemon can compute it on another core while MM4 travels; an
 * exchange that ends before MM5 gives the secret up; a bad KE value is still refused at MM3.
 */
class DeferredAgreementTest {
    private static final Instant NOW = Instant.parse("2026-01-01T00:00:00Z");
    private static final String IKE = "aes256-sha256-modp2048";

    /** Bouncy Castle, with agreements that count when they are started, joined and discarded. */
    static final class CountingCrypto implements IkeCrypto {
        private final IkeCrypto bc = IkeCrypto.bouncyCastle(new SecureRandom(), false);
        int started;
        int joined;
        int discarded;

        @Override
        public String name() {
            return bc.name();
        }

        @Override
        public SecureRandom random() {
            return bc.random();
        }

        @Override
        public boolean allowsLegacy() {
            return false;
        }

        @Override
        public PendingAgreement agreeLater(DhKeyPair own, byte[] peerPublic) {
            started++;
            PendingAgreement inner = PendingAgreement.now(own, peerPublic);
            return new PendingAgreement() {
                @Override
                public SecretBytes join() throws InvalidKeyInformationException {
                    joined++;
                    return inner.join();
                }

                @Override
                public void discard() {
                    discarded++;
                    inner.discard();
                }
            };
        }
    }

    private final CountingCrypto crypto = new CountingCrypto();
    private final Engine r = new Engine(List.of(policy("a", B, A, "k", IKE, "aes128-sha1", null, "10.2.0.0/16",
            "10.1.0.0/16", false)), crypto, new InMemoryKernel(), RetransmitPolicy.DEFAULT);
    private final Engine a = new Engine(List.of(policy("b", A, B, "k", IKE, "aes128-sha1", null, "10.1.0.0/16",
            "10.2.0.0/16", true)), IkeCrypto.bouncyCastle(new SecureRandom(), false), new InMemoryKernel(),
            RetransmitPolicy.DEFAULT);

    @Test
    void theResponderJoinsTheAgreementWhenMm5ArrivesNotBeforeMm4() {
        List<Datagram> toR = sent(a.initiate("b", NOW)); // MM1
        List<Datagram> toA = deliver(r, toR); // MM2
        toR = deliver(a, toA); // MM3
        toA = deliver(r, toR); // MM4
        assertEquals(1, toA.size(), "no MM4");
        assertEquals(1, crypto.started, "g^xy not started at MM3");
        assertEquals(0, crypto.joined, "the responder waited for g^xy before sending MM4");
        toR = deliver(a, toA); // MM5
        toA = deliver(r, toR); // MM6
        assertEquals(1, crypto.joined);
        deliver(a, toA);
        assertTrue(r.isakmpSas().stream().anyMatch(s -> s.state().equals("ESTABLISHED")), r.isakmpSas().toString());
        assertEquals(0, crypto.discarded);
    }

    @Test
    void anExchangeForgottenBeforeMm5DiscardsItsSecret() {
        List<Datagram> toA = deliver(r, sent(a.initiate("b", NOW)));
        deliver(r, deliver(a, toA)); // MM3 in, MM4 out; the initiator never answers
        r.timeout(NOW.plus(Duration.ofMinutes(10)));
        assertEquals(0, crypto.joined);
        assertEquals(1, crypto.discarded, "the computed g^xy of a forgotten exchange was not given up");
    }

    @Test
    void aBadKeyExchangeValueIsRefusedAtMm3() {
        List<Datagram> toA = deliver(r, sent(a.initiate("b", NOW)));
        List<Datagram> mm3 = deliver(a, toA);
        byte[] data = mm3.get(0).data().clone();
        // PSK MM3 is HDR, KE, Ni: KE's data (256 octets of modp2048) follows the 28-octet header and its own 4
        Arrays.fill(data, 28 + 4, 28 + 4 + 256, (byte) 0);
        List<Action> actions = r.receive(new Datagram(mm3.get(0).remote(), mm3.get(0).local(), data), NOW);
        assertEquals(0, crypto.started, "an invalid g^xi was handed on");
        assertTrue(actions.stream().anyMatch(x -> x instanceof Action.Log l
                && l.message().contains("INVALID-KEY-INFORMATION")), actions.toString());
        List<Datagram> answer = sent(actions);
        assertEquals(1, answer.size());
        assertEquals(5, answer.get(0).data()[18], "not an Informational notify");
    }
}
