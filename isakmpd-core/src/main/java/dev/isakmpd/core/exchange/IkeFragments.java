package dev.isakmpd.core.exchange;

import dev.isakmpd.core.registry.ExchangeType;
import dev.isakmpd.core.registry.PayloadType;
import dev.isakmpd.core.wire.FragmentPayload;
import dev.isakmpd.core.wire.IsakmpHeader;
import dev.isakmpd.core.wire.PayloadCodec;
import dev.isakmpd.core.wire.VendorIdPayload;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;

/**
 * Splitting one of our ISAKMP messages into IKEv1 fragments (MS-IKEE s3.3; specs/ike-fragmentation-notes.md):
 * the whole message, header included and already encrypted, is cut into pieces, each sent behind
 * an ISAKMP header with the message's cookies, exchange type and message ID, the encryption flag
 * cleared and a FRAGMENT payload as its only payload.
 */
final class IkeFragments {
    /**
     * MD5("FRAGMENTATION"), then the capability word racoon and strongSwan send: 0x80000000,
     * fragments in Main and Aggressive Mode. Peers match the first 16 octets.
     */
    static final VendorIdPayload VENDOR_ID =
            new VendorIdPayload(HexFormat.of().parseHex("4048b7d56ebce88525e7de7f00d6c2d380000000"));
    /** The octets of a fragment datagram before its data: ISAKMP header and fragment payload header. */
    static final int OVERHEAD = IsakmpHeader.LENGTH + 8;
    /** Fragment numbers are one octet. */
    static final int MAX_FRAGMENTS = 255;

    private IkeFragments() {
    }

    /** Whether the peer's vendor IDs include FRAGMENTATION (any capability suffix). */
    static boolean offered(List<VendorIdPayload> vids) {
        byte[] hash = Arrays.copyOf(VENDOR_ID.vendorId(), 16);
        return vids.stream().map(VendorIdPayload::vendorId)
                .anyMatch(v -> v.length >= hash.length && Arrays.equals(v, 0, hash.length, hash, 0, hash.length));
    }

    /**
     * {@code message} (a whole ISAKMP message) as fragments with ID {@code id} whose own messages
     * are at most {@code room} octets each; empty when that would take more than
     * {@link #MAX_FRAGMENTS} fragments.
     */
    static List<byte[]> split(byte[] message, int id, int room) {
        int piece = room - OVERHEAD;
        if (piece < 1) {
            throw new IllegalArgumentException("no room for fragment data in " + room + " octets");
        }
        int count = (message.length + piece - 1) / piece;
        if (count > MAX_FRAGMENTS) {
            return List.of();
        }
        byte[] ckyI = Arrays.copyOfRange(message, 0, IsakmpHeader.COOKIE_LENGTH);
        byte[] ckyR = Arrays.copyOfRange(message, IsakmpHeader.COOKIE_LENGTH, 2 * IsakmpHeader.COOKIE_LENGTH);
        ExchangeType exchange = ExchangeType.of(message[18] & 0xff);
        int messageId = ((message[20] & 0xff) << 24) | ((message[21] & 0xff) << 16) | ((message[22] & 0xff) << 8)
                | (message[23] & 0xff);
        List<byte[]> fragments = new ArrayList<>(count);
        for (int n = 1; n <= count; n++) {
            byte[] data = Arrays.copyOfRange(message, (n - 1) * piece, Math.min(message.length, n * piece));
            byte[] body = PayloadCodec.encode(List.of(new FragmentPayload(id, n, n == count, data)));
            IsakmpHeader h = new IsakmpHeader(ckyI, ckyR, PayloadType.FRAGMENT, IsakmpHeader.MAJOR_VERSION,
                    IsakmpHeader.MINOR_VERSION, exchange, 0, messageId, IsakmpHeader.LENGTH + body.length);
            fragments.add(Packet.concat(h.encode(), body));
        }
        return fragments;
    }
}
