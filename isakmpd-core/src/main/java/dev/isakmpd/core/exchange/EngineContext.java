package dev.isakmpd.core.exchange;

import dev.isakmpd.core.kernel.SpiAllocator;
import dev.isakmpd.oakley.IkeCrypto;

/**
 * What every exchange of one engine shares: the crypto provider (with its randomness and legacy
 * policy), the SPI source, timers' policy, the SA table.
 */
record EngineContext(IkeCrypto crypto, SpiAllocator spis, RetransmitPolicy retransmit, ChildSas children) {

    byte[] randomBytes(int n) {
        byte[] b = new byte[n];
        crypto.random().nextBytes(b);
        return b;
    }

    /** A message ID for a new phase-2 or informational exchange: random and never 0 (RFC 2408 s3.1). */
    int newMessageId() {
        int id;
        do {
            id = crypto.random().nextInt();
        } while (id == 0);
        return id;
    }
}
