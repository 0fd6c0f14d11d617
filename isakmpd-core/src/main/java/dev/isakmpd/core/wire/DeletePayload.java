package dev.isakmpd.core.wire;

import dev.isakmpd.core.registry.NotifyType;
import dev.isakmpd.core.registry.PayloadType;
import dev.isakmpd.core.registry.ProtocolId;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * Delete payload (RFC 2408 s3.15): one protocol, a fixed SPI size and 1..65535 SPIs of that size. For PROTO_ISAKMP
 * each SPI is the 16-byte cookie pair.
 */
public record DeletePayload(int doi, ProtocolId protocolId, int spiSize, List<byte[]> spis) implements Payload {

    public DeletePayload {
        Objects.requireNonNull(protocolId, "protocolId");
        Violation.throwIfPresent(Spi.checkDelete(protocolId, spiSize));
        List<byte[]> copies = new ArrayList<>(spis.size());
        for (byte[] spi : spis) {
            byte[] c = Bytes.copy(spi, "spi");
            if (c.length != spiSize) {
                throw new IllegalArgumentException("SPI of " + c.length + " bytes in a Delete with SPI size " + spiSize);
            }
            copies.add(c);
        }
        Violation.throwIfPresent(checkCount(copies.size()));
        spis = List.copyOf(copies);
    }

    @Override
    public PayloadType type() {
        return PayloadType.D;
    }

    /** Copies of the SPIs. */
    @Override
    public List<byte[]> spis() {
        List<byte[]> out = new ArrayList<>(spis.size());
        for (byte[] spi : spis) {
            out.add(spi.clone());
        }
        return out;
    }

    public int count() {
        return spis.size();
    }

    private static Violation checkCount(int count) {
        return count < 1 || count > 0xFFFF
                ? new Violation(NotifyType.PAYLOAD_MALFORMED, "# of SPIs", count + " is outside 1..65535")
                : null;
    }

    void writeBody(WireWriter w) {
        w.u32(doi);
        w.u8(protocolId.value());
        w.u8(spiSize);
        w.u16(spis.size());
        for (byte[] spi : spis) {
            w.bytes(spi);
        }
    }

    static DeletePayload decodeBody(WireReader r) throws WireException {
        int doi = r.u32("DOI");
        ProtocolId protocol = ProtocolId.of(r.u8("protocol ID"));
        int spiSizeAt = r.position();
        int spiSize = r.u8("SPI size");
        int countAt = r.position();
        int count = r.u16("# of SPIs");
        Violation bad = Spi.checkDelete(protocol, spiSize);
        if (bad != null) {
            throw bad.at(spiSizeAt);
        }
        bad = checkCount(count);
        if (bad != null) {
            throw bad.at(countAt);
        }
        // The SPIs must fill the payload exactly: s3.15 gives no room for anything after them.
        if ((long) count * spiSize != r.remaining()) {
            throw WireException.malformed(countAt, "# of SPIs", count + " SPIs of " + spiSize + " bytes do not match the "
                    + r.remaining() + " bytes left in the Delete payload");
        }
        List<byte[]> spis = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            spis.add(r.bytes(spiSize, "SPI"));
        }
        return new DeletePayload(doi, protocol, spiSize, spis);
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof DeletePayload p) || p.doi != doi || !p.protocolId.equals(protocolId)
                || p.spiSize != spiSize || p.spis.size() != spis.size()) {
            return false;
        }
        for (int i = 0; i < spis.size(); i++) {
            if (!Arrays.equals(p.spis.get(i), spis.get(i))) {
                return false;
            }
        }
        return true;
    }

    @Override
    public int hashCode() {
        int h = Objects.hash(doi, protocolId, spiSize);
        for (byte[] spi : spis) {
            h = 31 * h + Arrays.hashCode(spi);
        }
        return h;
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("D[doi=").append(Integer.toUnsignedString(doi)).append(' ')
                .append(protocolId).append(" spis=");
        for (int i = 0; i < spis.size(); i++) {
            sb.append(i == 0 ? "" : ",").append(Bytes.shortHex(spis.get(i)));
        }
        return sb.append(']').toString();
    }
}
