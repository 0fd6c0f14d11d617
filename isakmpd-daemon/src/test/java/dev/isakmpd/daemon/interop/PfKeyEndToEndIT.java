package dev.isakmpd.daemon.interop;

import org.junit.jupiter.api.Test;

/**
 * {@link EndToEnd} with {@code kernel = "pfkey"}: SPD entries through PF_KEY, SAs with
 * GETSPI/UPDATE inbound and ADD outbound, ACQUIRE and EXPIREs from PF_KEY; aes128-sha1, since
 * Linux's af_key cannot install hmac(sha256) with the RFC 4868 ICV.
 */
class PfKeyEndToEndIT {
    @Test
    void pingThroughEspNegotiatedOnAcquire() throws Exception {
        EndToEnd.pingRekeyPing("pfkey", "aes128-sha1", "SPD entries");
    }
}
