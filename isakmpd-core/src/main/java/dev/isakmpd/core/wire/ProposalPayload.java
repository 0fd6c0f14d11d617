package dev.isakmpd.core.wire;

import dev.isakmpd.core.registry.NotifyType;
import dev.isakmpd.core.registry.PayloadType;
import dev.isakmpd.core.registry.ProtocolId;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * Proposal payload (RFC 2408 s3.5), nested in an {@link SaPayload}, followed by its Transform payloads. Nested
 * next-payload fields are fixed by s3.5/s3.6: a P points to the next P or 0, a T to the next T or 0.
 */
public record ProposalPayload(int proposalNumber, ProtocolId protocolId, byte[] spi, List<TransformPayload> transforms)
        implements Payload {

    public ProposalPayload {
        Bytes.checkRange(proposalNumber, 0, 0xFF, "proposal #");
        Objects.requireNonNull(protocolId, "protocolId");
        spi = Bytes.copy(spi, "spi");
        transforms = List.copyOf(transforms);
        Violation.throwIfPresent(Spi.checkProposal(protocolId, spi.length));
        Violation.throwIfPresent(checkTransformCount(transforms.size()));
    }

    public ProposalPayload(int proposalNumber, ProtocolId protocolId, byte[] spi, TransformPayload... transforms) {
        this(proposalNumber, protocolId, spi, List.of(transforms));
    }

    @Override
    public PayloadType type() {
        return PayloadType.P;
    }

    @Override
    public byte[] spi() {
        return spi.clone();
    }

    /** s4.2: a proposal implies one or more transforms; the count field is one octet. */
    private static Violation checkTransformCount(int count) {
        if (count < 1 || count > 0xFF) {
            return new Violation(NotifyType.BAD_PROPOSAL_SYNTAX, "# of transforms",
                    count + " is outside 1..255 (RFC 2408 s4.2)");
        }
        return null;
    }

    void writeBody(WireWriter w) {
        w.u8(proposalNumber);
        w.u8(protocolId.value());
        w.u8(spi.length);
        w.u8(transforms.size());
        w.bytes(spi);
        for (int i = 0; i < transforms.size(); i++) {
            int start = w.beginPayload(i + 1 < transforms.size() ? PayloadType.T.value() : PayloadType.NONE.value());
            transforms.get(i).writeBody(w);
            w.endPayload(start);
        }
    }

    static ProposalPayload decodeBody(WireReader r) throws WireException {
        int number = r.u8("proposal #");
        ProtocolId protocol = ProtocolId.of(r.u8("protocol ID"));
        int spiSizeAt = r.position();
        int spiSize = r.u8("SPI size");
        int countAt = r.position();
        int declared = r.u8("# of transforms");
        Violation badSpi = Spi.checkProposal(protocol, spiSize);
        if (badSpi != null) {
            throw badSpi.at(spiSizeAt);
        }
        Violation badCount = checkTransformCount(declared);
        if (badCount != null) {
            throw badCount.at(countAt);
        }
        byte[] spi = r.bytes(spiSize, "SPI");
        List<TransformPayload> transforms = new ArrayList<>(declared); // declared <= 255
        boolean more = true;
        while (more) {
            if (!r.hasRemaining()) {
                throw WireException.malformed(r.position(), "transform header",
                        transforms.isEmpty() ? "missing: proposal has no transform"
                                : "missing: previous transform's next payload is T but the proposal ends");
            }
            GenericHeader h = GenericHeader.read(r, "transform", "proposal");
            if (h.nextPayload() != PayloadType.T.value() && h.nextPayload() != PayloadType.NONE.value()) {
                throw new WireException(NotifyType.BAD_PROPOSAL_SYNTAX, h.start(), "next payload",
                        PayloadType.of(h.nextPayload()) + " in transform, must be T or NONE (RFC 2408 s3.6)");
            }
            transforms.add(TransformPayload.decodeBody(h.body(r)));
            more = h.nextPayload() == PayloadType.T.value();
            if (transforms.size() > declared) {
                break; // reported as a count mismatch below, before walking further
            }
        }
        if (transforms.size() != declared) {
            throw new WireException(NotifyType.BAD_PROPOSAL_SYNTAX, countAt, "# of transforms",
                    "says " + declared + " but " + (transforms.size() > declared ? "more than " + declared
                            : String.valueOf(transforms.size())) + " transform payloads follow (RFC 2408 s3.5)");
        }
        if (r.hasRemaining()) {
            throw WireException.malformed(r.position(), "proposal length",
                    r.remaining() + " bytes left after the last transform of the proposal");
        }
        return new ProposalPayload(number, protocol, spi, transforms);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ProposalPayload p && p.proposalNumber == proposalNumber
                && p.protocolId.equals(protocolId) && Arrays.equals(p.spi, spi) && p.transforms.equals(transforms);
    }

    @Override
    public int hashCode() {
        return Objects.hash(proposalNumber, protocolId, Arrays.hashCode(spi), transforms);
    }

    @Override
    public String toString() {
        return "P[#" + proposalNumber + " " + protocolId + " spi=" + Bytes.shortHex(spi) + " " + transforms + "]";
    }
}
