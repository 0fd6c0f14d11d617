package dev.isakmpd.core.exchange;

/**
 * How many responder Main Modes may wait for the initiator's next message (MM2 or MM4 sent):
 * per source address and in all. Each costs memory; without a bound a flood of spoofed MM1s would
 * exhaust it (the clogging attack of RFC 2408 s2.5.3).
 *
 * @param perAddress many peers may share one NAT address, each with a handshake in flight
 * @param total the whole table, across addresses
 */
public record HalfOpenLimits(int perAddress, int total) {
    /** strongSwan's load generator keeps up to 34 handshakes in flight from one address. */
    public static final HalfOpenLimits DEFAULT = new HalfOpenLimits(64, 4096);

    public HalfOpenLimits {
        if (perAddress < 1 || total < perAddress) {
            throw new IllegalArgumentException("half-open limits need 1 <= per address (" + perAddress
                    + ") <= total (" + total + ")");
        }
    }
}
