package dev.isakmpd.daemon.interop;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;

/**
 * {@link EndToEnd} with {@code kernel = "pfkey"}: SPD entries through PF_KEY, SAs with
 * GETSPI/UPDATE inbound and ADD outbound, ACQUIRE and EXPIREs from PF_KEY; aes128-sha1, since
 * Linux's af_key cannot install hmac(sha256) with the RFC 4868 ICV.
 */
@Execution(ExecutionMode.CONCURRENT)
class PfKeyEndToEndIT {
    @Test
    void pingThroughEspNegotiatedOnAcquire() throws Exception {
        EndToEnd.pingRekeyPing("pfkey", "aes128-sha1", "SPD entries");
    }

    /**
     * Transport mode and AES-CTR (RFC 3686) through PF_KEY, one boot: both kernels hold
     * rfc3686(ctr(aes)) with key + nonce (160 bits) in mode transport and count the ping; our SPD
     * has the type-NONE bypass entries that keep IKE out of the host-to-host policy. Then a
     * kilobyte lifetime (RFC 2407 s4.5) over PF_KEY: sadb_lifetime_bytes carries 100 KB, 20 s of
     * 1400-byte pings reach the soft limit, af_key's byte SADB_EXPIRE starts the rekey, and the
     * ping never misses more than 4 replies in a row (run-scenario.sh --ping-for).
     */
    @Test
    void pingThroughAesCtrInTransportMode() throws Exception {
        EndToEnd.Result r = EndToEnd.pingOnce("pfkey-ctr-transport", "pfkey", "aes128ctr-sha1",
                "lifetime-kilobytes = 100", List.of("--transport", "--ping-for", "20", "--ping-size", "1400"));
        EndToEnd.assertTransport(r, Pattern.compile("enc rfc3686\\(ctr\\(aes\\)\\) 0x[0-9a-f]{40}"));
        assertTrue(r.ours().contains("aes128ctr-sha1 transport mode"), "our log names the transform and mode");
        EndToEnd.assertByteLifetimeRekey(r);
    }

    /**
     * IPv6 through PF_KEY (issue 12 item 4): a ping6 between 2001:db8:1::1 and 2001:db8:2::1 starts
     * the negotiation (af_key's SADB_ACQUIRE with IPv6 sockaddrs), and the four ESP SAs between
     * 2001:db8::1 and 2001:db8::2 count it in both kernels.
     */
    @Test
    void ping6ThroughEspNegotiatedOnAcquire() throws Exception {
        EndToEnd.Result r = EndToEnd.pingOnce("pfkey-ipv6", "pfkey", "aes128-sha1", "", List.of("--ipv6"));
        assertTrue(r.usState().contains("src 2001:db8::1 dst 2001:db8::2"), r.usState());
        assertTrue(r.ours().contains("ACQUIRE 2001:db8::1 -> 2001:db8::2"), "af_key's IPv6 ACQUIRE started it");
    }
}
