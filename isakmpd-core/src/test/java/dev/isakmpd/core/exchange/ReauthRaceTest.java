package dev.isakmpd.core.exchange;

import static dev.isakmpd.core.exchange.EngineScenarioTest.A;
import static dev.isakmpd.core.exchange.EngineScenarioTest.B;
import static dev.isakmpd.core.exchange.EngineScenarioTest.policy;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.isakmpd.core.kernel.InMemoryKernel;
import dev.isakmpd.oakley.IkeCrypto;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * A Quick Mode that completes under the old ISAKMP SA while a new one is being set up (a soft
 * lifetime and a phase-1 rekey at the same moment): strongSwan moves to the new IKE_SA only the
 * CHILD_SAs it holds when it sees the reauthentication, and deletes the rest with the old IKE_SA.
 * Found in the lab (Phase1RekeyInteropIT, 76 pings lost). The pair is rekeyed under the new SA.
 */
class ReauthRaceTest {
    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
    private static final Instant T1 = T0.plusSeconds(30);
    private static final String IKE = "aes128-sha256-modp2048";

    private final List<String> logA = new ArrayList<>();
    private final Engine a = new Engine(List.of(policy("b", A, B, "k", IKE, "aes128-sha1", null, "10.1.0.0/16",
            "10.2.0.0/16", true)), IkeCrypto.bouncyCastle(new SecureRandom(), false), new InMemoryKernel(),
            RetransmitPolicy.DEFAULT);
    private final Engine b = new Engine(List.of(policy("a", B, A, "k", IKE, "aes128-sha1", null, "10.2.0.0/16",
            "10.1.0.0/16", false)), IkeCrypto.bouncyCastle(new SecureRandom(), false), new InMemoryKernel(),
            RetransmitPolicy.DEFAULT);

    @Test
    void aPairNegotiatedUnderTheOldIsakmpSaWhileTheNewOneWasSetUpIsRekeyedUnderTheNewOne() {
        toB(sent(a.initiate("b", T0)), T0); // ISAKMP SA X and the first pair
        List<Datagram> qm1 = sent(a.rekey("b", Optional.of("net"), false, T1)); // under X
        List<Datagram> mm1 = sent(a.rekey("b", Optional.empty(), true, T1)); // the new ISAKMP SA Y starts
        List<Datagram> qm2 = deliver(b, qm1, T1);
        List<Datagram> mm2 = deliver(b, mm1, T1);
        deliver(b, deliver(a, qm2, T1), T1); // QM3: the pair is up under X, after Y started
        toB(deliver(a, mm2, T1), T1); // Y's Main Mode, then whatever it starts
        Matcher y = Pattern.compile("superseded by ISAKMP SA \\[([0-9a-f:]+)\\]").matcher(String.join("\n", logA));
        assertTrue(y.find(), String.join("\n", logA));
        String underY = "[" + y.group(1) + "] Quick Mode";
        // both ends hold the pair and see the race, so both rekey it (two of our daemons: one pair retires the other)
        assertTrue(logA.stream().anyMatch(l -> l.contains("negotiated under ISAKMP SA")), String.join("\n", logA));
        assertTrue(logA.stream().anyMatch(l -> l.contains(underY) && l.contains("IPsec SAs established for tunnel net")),
                () -> "the pair negotiated under the old ISAKMP SA was not rekeyed under the new one:\n"
                        + String.join("\n", logA));
    }

    /** a's datagrams to b, and what follows, back and forth until nothing is sent. */
    private void toB(List<Datagram> toB, Instant now) {
        while (!toB.isEmpty()) {
            toB = deliver(a, deliver(b, toB, now), now);
        }
    }

    private List<Datagram> sent(List<Action> actions) {
        List<Datagram> out = new ArrayList<>();
        for (Action x : actions) {
            if (x instanceof Action.Send s) {
                out.add(s.datagram());
            } else if (x instanceof Action.Log l) {
                logA.add(l.message());
            }
        }
        return out;
    }

    private List<Datagram> deliver(Engine to, List<Datagram> datagrams, Instant now) {
        List<Datagram> answers = new ArrayList<>();
        for (Datagram d : datagrams) {
            List<Action> actions = to.receive(new Datagram(d.remote(), d.local(), d.data()), now);
            if (to == a) {
                answers.addAll(sent(actions));
            } else {
                actions.stream().filter(x -> x instanceof Action.Send).map(x -> ((Action.Send) x).datagram())
                        .forEach(answers::add);
            }
        }
        return answers;
    }
}
