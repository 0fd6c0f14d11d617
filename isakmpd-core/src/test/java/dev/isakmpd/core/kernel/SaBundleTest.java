package dev.isakmpd.core.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.isakmpd.core.kernel.SoftLifetime;
import dev.isakmpd.core.policy.EspCipher;
import dev.isakmpd.core.policy.EspIntegrity;
import dev.isakmpd.core.policy.IpsecMode;
import dev.isakmpd.core.policy.Subnet;
import dev.isakmpd.core.registry.ProtocolId;
import dev.isakmpd.core.sa.BundledSa;
import dev.isakmpd.core.sa.IpsecSa;
import dev.isakmpd.oakley.SecretBytes;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The bundle layout both back-ends share: innermost first, the first in the SA's mode, all or nothing. */
class SaBundleTest {
    static IpsecSa bundle() throws Exception {
        return new IpsecSa("p", "t", IpsecSa.Direction.OUT, 0x1001, InetAddress.getByName("198.51.100.1"),
                InetAddress.getByName("198.51.100.2"), Subnet.parse("10.1.0.0/16"), Subnet.parse("10.2.0.0/16"),
                EspCipher.AES_CBC, 128, SecretBytes.copyOf(new byte[16]), EspIntegrity.HMAC_SHA1,
                SecretBytes.copyOf(new byte[20]), Duration.ofHours(1), false, Optional.empty(), IpsecMode.TUNNEL, 0,
                ProtocolId.IPSEC_ESP, List.of(new BundledSa(ProtocolId.IPSEC_AH, 0x2002, EspIntegrity.HMAC_SHA2_256,
                SecretBytes.copyOf(new byte[32])), BundledSa.ipcomp(0x4321)), SoftLifetime.SHARE);
    }

    @Test
    void ipcompThenEspThenAh() throws Exception {
        assertEquals(List.of(new SaBundle.Member(ProtocolId.IPCOMP, 0x4321),
                new SaBundle.Member(ProtocolId.IPSEC_ESP, 0x1001), new SaBundle.Member(ProtocolId.IPSEC_AH, 0x2002)),
                SaBundle.innermostFirst(bundle()));
        assertEquals(List.of(ProtocolId.IPCOMP, ProtocolId.IPSEC_ESP, ProtocolId.IPSEC_AH), SaBundle.innermostFirst(
                List.of(ProtocolId.IPSEC_AH, ProtocolId.IPSEC_ESP, ProtocolId.IPCOMP)));
    }

    @Test
    void onlyTheFirstIsInnermostAndAFailureRemovesWhatWentIn() {
        List<String> log = new ArrayList<>();
        KernelException boom = new KernelException("AH refused");
        KernelException e = assertThrows(KernelException.class, () -> SaBundle.install(List.of("comp", "esp", "ah"),
                (k, innermost) -> {
                    if (k.equals("ah")) {
                        throw boom;
                    }
                    log.add("add " + k + (innermost ? " innermost" : ""));
                }, k -> log.add("remove " + k)));
        assertSame(boom, e);
        assertEquals(List.of("add comp innermost", "add esp", "remove comp", "remove esp"), log);
    }

    @Test
    void deleteTriesEveryMemberAndReportsTheFirstError() {
        List<String> log = new ArrayList<>();
        KernelException e = assertThrows(KernelException.class, () -> SaBundle.delete(List.of("comp", "esp", "ah"),
                k -> {
                    log.add(k);
                    if (!k.equals("ah")) {
                        throw new KernelException(k + " gone");
                    }
                }));
        assertEquals("comp gone", e.getMessage());
        assertEquals(List.of("comp", "esp", "ah"), log);
    }
}
