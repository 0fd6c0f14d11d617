package dev.isakmpd.core.kernel;

/**
 * An SA's anti-replay state (RFC 4303 s3.3.3, s3.4.3): the last sequence number sent on it
 * ({@code outbound}), the highest received ({@code inbound}) and the window below that one
 * ({@code window}: bit i set = inbound - i was received). 32-bit numbers, as without ESN.
 */
public record ReplayState(long outbound, long inbound, int window) {
    public ReplayState {
        if (outbound < 0 || outbound > 0xffffffffL || inbound < 0 || inbound > 0xffffffffL) {
            throw new IllegalArgumentException("sequence numbers are 32-bit: " + outbound + ", " + inbound);
        }
    }
}
