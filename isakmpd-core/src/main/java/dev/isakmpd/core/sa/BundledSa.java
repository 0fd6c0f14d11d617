package dev.isakmpd.core.sa;

import dev.isakmpd.core.policy.EspIntegrity;
import dev.isakmpd.core.registry.ProtocolId;
import dev.isakmpd.oakley.SecretBytes;

/**
 * An SA negotiated in the same proposal as an ESP SA (RFC 2408 s4.2, a "logical AND" bundle), for
 * the same direction and endpoints: AH around ESP (RFC 4302; {@code integrity} and its
 * {@code key}), or IPComp inside it (RFC 3173; {@code spi} is the 16-bit CPI, no key). The key is
 * {@link SecretBytes}, so toString shows a fingerprint only.
 */
public record BundledSa(ProtocolId protocol, int spi, EspIntegrity integrity, SecretBytes key) {

    public BundledSa {
        if (!protocol.equals(ProtocolId.IPSEC_AH) && !protocol.equals(ProtocolId.IPCOMP)) {
            throw new IllegalArgumentException("a bundle adds AH or IPComp, not " + protocol);
        }
    }

    /** An IPComp SA (deflate) with this CPI. */
    public static BundledSa ipcomp(int cpi) {
        return new BundledSa(ProtocolId.IPCOMP, cpi, EspIntegrity.NONE, SecretBytes.copyOf(new byte[0]));
    }

    public boolean isAh() {
        return protocol.equals(ProtocolId.IPSEC_AH);
    }

    /** "ah spi=0x... sha256 key-fp=..." or "ipcomp cpi=0x...". */
    public String describe() {
        return isAh() ? String.format("ah spi=0x%08x %s key-fp=%s", spi, integrity.displayName(), key.fingerprint())
                : String.format("ipcomp cpi=0x%04x deflate", spi);
    }
}
