package dev.isakmpd.core.exchange;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.isakmpd.core.ha.HaRecord;
import dev.isakmpd.core.sa.IpsecSa;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * What the HA takeover scenarios share: a standby taking over on the simulated network, and the
 * check that what one side sends on, the other receives on with the same keys.
 */
final class HaScenarios {
    /** The outbound sequence margin handed to takeover: 2 x the default replay-threshold of 1024. */
    static final long MARGIN = 2048;

    private HaScenarios() {
    }

    /**
     * The standby of {@code ha} takes the active's address and its SAs ({@link Engine#takeover});
     * the active dies first if it has not. The peer's check of the standby table ends: the table
     * is live now.
     */
    static SimulatedNetwork.Node takeOver(HaReplicationScenarioTest.Ha ha) {
        SimulatedNetwork.Node standby = ha.channel().standby;
        if (!ha.active().dead) {
            ha.active().dead = true;
            ha.net().remove(ha.active());
        }
        ha.peer().observer = a -> { };
        ha.net().add(standby);
        takeOver(ha.net(), standby);
        return standby;
    }

    /** A record the active sends about an IPsec SA pair: the pair itself or its going live; null otherwise. */
    static HaRecord pairRecord(Action a) {
        return a instanceof Action.Replicate r && (r.record() instanceof HaRecord.IpsecPair
                || r.record() instanceof HaRecord.PairLive) ? r.record() : null;
    }

    /** {@code n}, which holds the address already, takes over what its standby table holds. */
    static void takeOver(SimulatedNetwork net, SimulatedNetwork.Node n) {
        net.apply(n, n.engine.takeover(net.now, MARGIN));
    }

    /**
     * Whether {@code receiver}'s kernel has the SA {@code out} sends on installed inbound; if it
     * has, it must hold the same keys (one key per SPI).
     */
    static boolean receives(SimulatedNetwork.Node receiver, IpsecSa out) {
        Optional<IpsecSa> in = receiver.kernel.list().stream().filter(sa -> sa.direction() == IpsecSa.Direction.IN
                && sa.spi() == out.spi() && sa.destination().equals(out.destination())).findFirst();
        in.ifPresent(sa -> {
            assertEquals(out.encryptionKey(), sa.encryptionKey(), "one key per SPI 0x" + out.spiHex());
            assertEquals(out.authenticationKey(), sa.authenticationKey(), "one key per SPI 0x" + out.spiHex());
        });
        return in.isPresent();
    }

    /** The ISAKMP SAs {@code n} holds, by their cookies. */
    static Set<String> cookies(SimulatedNetwork.Node n) {
        return n.engine.isakmpSas().stream().map(s -> s.initiatorCookie() + ":" + s.responderCookie())
                .collect(Collectors.toSet());
    }
}
