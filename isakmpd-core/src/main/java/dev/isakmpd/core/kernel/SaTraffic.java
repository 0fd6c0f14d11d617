package dev.isakmpd.core.kernel;

import java.net.InetAddress;

/**
 * What the kernel counted on one SA since it was installed (XFRM's lifetime_cur, PF_KEY's
 * SADB_EXT_LIFETIME_CURRENT), for the operator's listings.
 */
public record SaTraffic(InetAddress destination, int spi, long bytes, long packets) {
}
