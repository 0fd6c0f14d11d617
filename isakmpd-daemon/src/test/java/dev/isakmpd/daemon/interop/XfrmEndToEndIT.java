package dev.isakmpd.daemon.interop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;

/**
 * {@link EndToEnd} with {@code kernel = "xfrm"}: policies, SAs (ALLOCSPI/UPDSA inbound, NEWSA
 * outbound), ACQUIRE and EXPIREs over XFRM netlink, with aes128-sha256: both kernels must hold
 * hmac(sha256) with the RFC 4868 128-bit ICV (strongSwan's kernel-netlink installs 128 too), or
 * no ping would pass.
 */
@Execution(ExecutionMode.CONCURRENT)
class XfrmEndToEndIT {
    @Test
    void pingThroughEspWithSha256NegotiatedOnAcquire() throws Exception {
        EndToEnd.Result r = EndToEnd.pingRekeyPing("xfrm", "aes128-sha256", "XFRM policies out/in/fwd");
        for (String side : List.of(r.usState(), r.swState())) {
            List<String> auth = Pattern.compile("auth-trunc hmac\\(sha256\\) 0x[0-9a-f]{64} \\(256 bits\\) (\\d+)")
                    .matcher(side).results().map(m -> m.group(1)).toList();
            assertEquals(List.of("128", "128"), auth, side);
        }
        assertTrue(r.usState().contains("reqid 362807297(0x15a00001)"), "our SAs carry our reqid:\n" + r.usState());
    }

    /**
     * AES-GCM with a 16-byte ICV (RFC 4106) in transport mode, one boot: both kernels hold
     * rfc4106(gcm(aes)) as an AEAD with key + salt (160 bits) and a 128-bit ICV, in mode
     * transport between the two hosts, and count the ping on all four SAs; our IKE keeps flowing
     * past the host-to-host policy through the bypass policies. Then a kilobyte lifetime (RFC
     * 2407 s4.5): our SAs carry 100 KB as the kernel's byte limits, 20 s of 1400-byte pings
     * (about 7 KB/s each way) reach the soft one, the kernel's byte EXPIRE starts the rekey, and
     * the ping never misses more than 4 replies in a row (run-scenario.sh --ping-for).
     */
    @Test
    void pingThroughAesGcm16InTransportMode() throws Exception {
        EndToEnd.Result r = EndToEnd.pingOnce("xfrm-gcm16-transport", "xfrm", "aes128gcm16",
                "lifetime-kilobytes = 100", List.of("--transport", "--ping-for", "20", "--ping-size", "1400"));
        EndToEnd.assertTransport(r,
                Pattern.compile("aead rfc4106\\(gcm\\(aes\\)\\) 0x[0-9a-f]{40} \\(160 bits\\) 128"));
        assertTrue(OurSide.read(r.out().resolve("ip-xfrm-policy-us.txt"))
                .contains("proto esp reqid 362807297 mode transport"), "our reqid on the transport template");
        assertTrue(r.ours().contains("aes128gcm16 transport mode"), "our log names the transform and mode");
        EndToEnd.assertByteLifetimeRekey(r);
    }

    /**
     * IPv6 through XFRM, started by the kernel: a ping6 between 2001:db8:1::1 and 2001:db8:2::1 hits
     * our policy, the XFRM_MSG_ACQUIRE (IPv6 selector and addresses) starts the negotiation, and
     * the four ESP SAs between 2001:db8::1 and 2001:db8::2 count the ping in both kernels.
     */
    @Test
    void ping6ThroughEspNegotiatedOnAcquire() throws Exception {
        EndToEnd.Result r = EndToEnd.pingOnce("xfrm-ipv6", "xfrm", "aes128-sha256", "", List.of("--ipv6"));
        assertTrue(r.usState().contains("src 2001:db8::1 dst 2001:db8::2"), r.usState());
        assertTrue(r.ours().contains("ACQUIRE 2001:db8::1 -> 2001:db8::2"), "the kernel's IPv6 ACQUIRE started it");
    }
}
