package dev.isakmpd.core.wire;

import dev.isakmpd.core.registry.NotifyType;
import dev.isakmpd.core.registry.ProtocolId;

/** SPI size rules shared by Proposal, Notification and Delete payloads. */
final class Spi {
    /** s3.5/s3.14: an ISAKMP "SPI" is at most the two cookies; no IPsec DOI protocol uses more. */
    static final int MAX_SIZE = 16;

    private Spi() {
    }

    /**
     * Proposal SPI: PROTO_ISAKMP 0..16 with content ignored (RFC 2408 s3.5); AH and ESP carry a 4-octet SPI
     * (RFC 2409 s5.5 example, RFC 4301); IPCOMP a 2-octet CPI, also seen as 4 octets; others at most 16.
     */
    static Violation checkProposal(ProtocolId protocol, int size) {
        if (size > MAX_SIZE) {
            return tooLarge(size);
        }
        if ((ProtocolId.IPSEC_AH.equals(protocol) || ProtocolId.IPSEC_ESP.equals(protocol)) && size != 4) {
            return new Violation(NotifyType.INVALID_SPI, "SPI size", size + " is not 4 for " + protocol);
        }
        if (ProtocolId.IPCOMP.equals(protocol) && size != 2 && size != 4) {
            return new Violation(NotifyType.INVALID_SPI, "SPI size", size + " is not 2 or 4 for " + protocol);
        }
        return null;
    }

    /** Notification SPI: 0..16 (s3.14; for ISAKMP the content is ignored, for phase-2 it names the SA). */
    static Violation checkNotification(int size) {
        return size > MAX_SIZE ? tooLarge(size) : null;
    }

    /** Delete SPI: ISAKMP deletes name the cookie pair, 16 octets (s3.15); AH/ESP 4; IPCOMP 2 or 4; never 0. */
    static Violation checkDelete(ProtocolId protocol, int size) {
        if (size > MAX_SIZE) {
            return tooLarge(size);
        }
        if (size == 0) {
            return new Violation(NotifyType.INVALID_SPI, "SPI size", "0 in Delete payload");
        }
        if (ProtocolId.ISAKMP.equals(protocol) && size != 16) {
            return new Violation(NotifyType.INVALID_SPI, "SPI size", size + " is not 16 (cookie pair) for "
                    + protocol + " (RFC 2408 s3.15)");
        }
        return checkProposal(protocol, size);
    }

    private static Violation tooLarge(int size) {
        return new Violation(NotifyType.INVALID_SPI, "SPI size", size + " exceeds " + MAX_SIZE);
    }
}
