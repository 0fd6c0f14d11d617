package dev.isakmpd.daemon.interop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * {@link EndToEnd} with {@code kernel = "xfrm"}: policies, SAs (ALLOCSPI/UPDSA inbound, NEWSA
 * outbound), ACQUIRE and EXPIREs over XFRM netlink, with aes128-sha256: both kernels must hold
 * hmac(sha256) with the RFC 4868 128-bit ICV (strongSwan's kernel-netlink installs 128 too), or
 * no ping would pass.
 */
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
}
