package dev.isakmpd.core.exchange;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.Instant;

/** A read-only view of one ISAKMP SA for status output. */
public record IsakmpSaInfo(String peer, Role role, InetSocketAddress local, InetSocketAddress remote,
        String initiatorCookie, String responderCookie, String proposal, String state, Instant established,
        Duration lifetime) {

    public enum Role { INITIATOR, RESPONDER }
}
