package dev.isakmpd.core.exchange;

import dev.isakmpd.core.kernel.SpiAllocator;
import dev.isakmpd.core.policy.Subnet;
import dev.isakmpd.oakley.IkeCrypto;
import java.util.Map;

/**
 * What every exchange of one engine shares: the crypto provider (with its randomness and legacy
 * policy), the SPI source, timers' policy, the SA table, the Mode-Config address pools.
 */
record EngineContext(IkeCrypto crypto, SpiAllocator spis, RetransmitPolicy retransmit, ChildSas children,
        Map<String, AddressPool> pools) {

    /** The Mode-Config pool of a policy; a reload that changes the subnet starts a new one beside the old leases. */
    AddressPool pool(String policy, Subnet subnet) {
        return pools.computeIfAbsent(policy + " " + subnet, k -> new AddressPool(subnet));
    }

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
