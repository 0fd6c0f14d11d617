package dev.isakmpd.core.ha;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.isakmpd.core.policy.Addresses;
import dev.isakmpd.core.policy.IpsecMode;
import dev.isakmpd.core.sa.IpsecSa;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@link IpsecSa#describe} (every SA install and delete logs it) is built by hand now: the same line
 * as the String.format it replaced, for SAs with every optional part present or not (RandomHaRecords'
 * pairs: transport mode, kilobyte lifetimes, PFS, UDP encapsulation with and without NAT-OA, AH and
 * IPComp bundles, IPv4 and IPv6).
 */
class IpsecSaDescribeTest {
    @Test
    void describeIsTheFormattedLine() {
        RandomHaRecords gen = new RandomHaRecords(15);
        for (int i = 0; i < 500; i++) {
            HaRecord.IpsecPair p = gen.pair();
            for (IpsecSa sa : List.of(p.inbound(), p.outbound())) {
                assertEquals(formatted(sa), sa.describe());
            }
        }
    }

    private static String formatted(IpsecSa sa) {
        return String.format("%s %s%s spi=0x%s %s -> %s (%s === %s) %s lifetime=%ds%s enc-key-fp=%s auth-key-fp=%s%s",
                sa.protocolName(), sa.mode() == IpsecMode.TRANSPORT ? "transport " : "",
                sa.direction().name().toLowerCase(), sa.spiHex(), Addresses.format(sa.source()),
                Addresses.format(sa.destination()), sa.sourceSelector(), sa.destinationSelector(), sa.algorithms(),
                sa.lifetime().toSeconds(), sa.lifeKilobytes() > 0 ? "/" + sa.lifeKilobytes() + "KB" : "",
                sa.encryptionKey().fingerprint(), sa.authenticationKey().fingerprint(), sa.pfs() ? " pfs" : "")
                + sa.udpEncapsulation().map(u -> " " + u).orElse("")
                + String.join("", sa.bundle().stream().map(b -> ", " + b.describe()).toList());
    }
}
