package dev.isakmpd.core.wire;

import dev.isakmpd.core.registry.NotifyType;
import dev.isakmpd.core.registry.PayloadType;

import java.util.Arrays;
import java.util.Objects;

/**
 * IKEv1 fragment payload (private type 132; MS-IKEE s2.2.3.1, summarised in specs/ike-fragmentation-notes.md):
 * fragment ID (2 octets), fragment number (1..255), flags (only LAST_FRAGMENT = 0x01 defined, the rest must be
 * zero), then a non-empty piece of the original message. A fragment datagram carries this payload and nothing else
 * ({@link PayloadCodec} enforces that in both directions).
 */
public record FragmentPayload(int fragmentId, int fragmentNumber, boolean last, byte[] data) implements Payload {
    public static final int FLAG_LAST = 0x01;

    public FragmentPayload {
        Bytes.checkRange(fragmentId, 0, 0xFFFF, "fragment ID");
        data = Bytes.copy(data, "data");
        Violation.throwIfPresent(checkNumber(fragmentNumber));
        Violation.throwIfPresent(checkData(data.length));
    }

    @Override
    public PayloadType type() {
        return PayloadType.FRAGMENT;
    }

    @Override
    public byte[] data() {
        return data.clone();
    }

    private static Violation checkNumber(int number) {
        return number < 1 || number > 0xFF ? new Violation(NotifyType.PAYLOAD_MALFORMED, "fragment number",
                number + " is outside 1..255 (fragments count from 1)") : null;
    }

    private static Violation checkData(int length) {
        return length == 0 ? new Violation(NotifyType.PAYLOAD_MALFORMED, "fragment data", "is empty") : null;
    }

    void writeBody(WireWriter w) {
        w.u16(fragmentId);
        w.u8(fragmentNumber);
        w.u8(last ? FLAG_LAST : 0);
        w.bytes(data);
    }

    static FragmentPayload decodeBody(WireReader r) throws WireException {
        int id = r.u16("fragment ID");
        int numberAt = r.position();
        int number = r.u8("fragment number");
        Violation bad = checkNumber(number);
        if (bad != null) {
            throw bad.at(numberAt);
        }
        int flagsAt = r.position();
        int flags = r.u8("fragment flags");
        if ((flags & ~FLAG_LAST) != 0) {
            throw WireException.malformed(flagsAt, "fragment flags",
                    String.format("0x%02x has undefined bits set (only LAST_FRAGMENT 0x01)", flags));
        }
        bad = checkData(r.remaining());
        if (bad != null) {
            throw bad.at(r.position());
        }
        return new FragmentPayload(id, number, (flags & FLAG_LAST) != 0, r.rest());
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof FragmentPayload p && p.fragmentId == fragmentId && p.fragmentNumber == fragmentNumber
                && p.last == last && Arrays.equals(p.data, data);
    }

    @Override
    public int hashCode() {
        return Objects.hash(fragmentId, fragmentNumber, last, Arrays.hashCode(data));
    }

    @Override
    public String toString() {
        return "FRAG[id=" + fragmentId + " #" + fragmentNumber + (last ? " last" : "") + " " + data.length
                + " bytes]";
    }
}
