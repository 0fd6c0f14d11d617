package dev.isakmpd.core.wire;

import dev.isakmpd.core.registry.NotifyType;
import dev.isakmpd.core.registry.PayloadType;
import dev.isakmpd.core.registry.ProtocolId;

import java.util.Arrays;
import java.util.Objects;

/**
 * Notification payload (RFC 2408 s3.14). The DOI is kept as received (some peers send 0 instead of 1); the SPI is
 * 0..16 bytes (for PROTO_ISAKMP its content is to be ignored); the data is notify-type specific.
 */
public record NotificationPayload(int doi, ProtocolId protocolId, byte[] spi, NotifyType notifyType, byte[] data)
        implements Payload {

    public NotificationPayload {
        Objects.requireNonNull(protocolId, "protocolId");
        Objects.requireNonNull(notifyType, "notifyType");
        spi = Bytes.copy(spi, "spi");
        data = Bytes.copy(data, "data");
        Violation.throwIfPresent(Spi.checkNotification(spi.length));
    }

    @Override
    public PayloadType type() {
        return PayloadType.N;
    }

    @Override
    public byte[] spi() {
        return spi.clone();
    }

    @Override
    public byte[] data() {
        return data.clone();
    }

    void writeBody(WireWriter w) {
        w.u32(doi);
        w.u8(protocolId.value());
        w.u8(spi.length);
        w.u16(notifyType.value());
        w.bytes(spi);
        w.bytes(data);
    }

    static NotificationPayload decodeBody(WireReader r) throws WireException {
        int doi = r.u32("DOI");
        ProtocolId protocol = ProtocolId.of(r.u8("protocol ID"));
        int spiSizeAt = r.position();
        int spiSize = r.u8("SPI size");
        NotifyType type = NotifyType.of(r.u16("notify message type"));
        Violation bad = Spi.checkNotification(spiSize);
        if (bad != null) {
            throw bad.at(spiSizeAt);
        }
        byte[] spi = r.bytes(spiSize, "SPI");
        return new NotificationPayload(doi, protocol, spi, type, r.rest());
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof NotificationPayload p && p.doi == doi && p.protocolId.equals(protocolId)
                && Arrays.equals(p.spi, spi) && p.notifyType.equals(notifyType) && Arrays.equals(p.data, data);
    }

    @Override
    public int hashCode() {
        return Objects.hash(doi, protocolId, Arrays.hashCode(spi), notifyType, Arrays.hashCode(data));
    }

    @Override
    public String toString() {
        return "N[" + notifyType + " doi=" + Integer.toUnsignedString(doi) + " " + protocolId + " spi="
                + Bytes.shortHex(spi) + " data=" + Bytes.shortHex(data) + "]";
    }
}
