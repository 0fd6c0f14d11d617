package dev.isakmpd.core.policy;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.OptionalInt;

/**
 * IKEv1 fragmentation with one peer (the FRAGMENTATION vendor ID and payload 132; MS-IKEE s3.3,
 * specs/ike-fragmentation-notes.md). We always reassemble fragments a peer sends for one of our
 * ISAKMP SAs; this says whether we offer fragmentation ourselves and how big our fragments are.
 *
 * @param enabled we send the FRAGMENTATION vendor ID, and fragment a message once the peer sent it too
 *     (or sent us fragments)
 * @param size the largest UDP payload a message of ours may occupy (the non-ESP marker included);
 *     a longer one goes out in fragments of at most this size. Empty: {@link #DEFAULT_IPV4}
 *     towards IPv4 peers, {@link #DEFAULT_IPV6} towards IPv6 ones
 */
public record IkeFragmentation(boolean enabled, OptionalInt size) {
    /** 576, the IPv4 datagram every host accepts (RFC 791), less the IPv4 and UDP headers. */
    public static final int DEFAULT_IPV4 = 576 - 20 - 8;
    /** 1280, the IPv6 minimum MTU (RFC 8200 s5), less the IPv6 and UDP headers. */
    public static final int DEFAULT_IPV6 = 1280 - 40 - 8;
    /** Room for the non-ESP marker, an ISAKMP header, a fragment payload header and some data. */
    public static final int MIN_SIZE = 256;
    /** The largest UDP payload over IPv4. */
    public static final int MAX_SIZE = 65507;
    public static final IkeFragmentation DEFAULT = new IkeFragmentation(true, OptionalInt.empty());

    public IkeFragmentation {
        if (size.isPresent() && (size.getAsInt() < MIN_SIZE || size.getAsInt() > MAX_SIZE)) {
            throw new IllegalArgumentException("fragment size " + size.getAsInt() + " is outside " + MIN_SIZE + ".."
                    + MAX_SIZE);
        }
    }

    /** The largest UDP payload of ours towards {@code peer}. */
    public int size(InetAddress peer) {
        return size.orElse(peer instanceof Inet6Address ? DEFAULT_IPV6 : DEFAULT_IPV4);
    }
}
