package dev.isakmpd.daemon.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.isakmpd.core.exchange.Action;
import dev.isakmpd.core.exchange.Engine.PeerEvent;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The counters follow the engine's log lines as they are worded (pinned here). */
class StatsTest {
    private static Action.Log log(String text) {
        return new Action.Log(Action.Level.INFO, text);
    }

    @Test
    void countsHandshakesRetransmitsDropsAndPeerEvents() {
        Stats s = new Stats();
        List<String> took = new ArrayList<>();
        s.onLatency((exchange, seconds) -> took.add(exchange + " " + seconds));
        String tag = "peer gw-b 127.0.0.2:500 [0011223344556677 8899aabbccddeeff] ";
        s.count(List.of(
                log(tag + "ISAKMP SA established (initiator, aes128-sha256-modp2048, lifetime 10800s) in 915 ms"),
                log(tag + "Quick Mode 0a0b0c0d: IPsec SAs established for tunnel net: aes128-sha1, in spi 0x01, out "
                        + "spi 0x02, lifetime 3600s, in 12 ms"),
                log(tag + "Main Mode: retransmission 1 in state MM1_SENT"),
                log(tag + "Quick Mode 0a0b0c0d: retransmission 2 in state QM1_SENT"),
                log(tag + "Main Mode: retransmitted message, resending our reply"),
                log(tag + "Main Mode: no valid answer in state MM1_SENT after 5 retransmissions; giving up"),
                log(tag + "Main Mode: failed: no proposal acceptable (notify NO-PROPOSAL-CHOSEN)"),
                log(tag + "Main Mode: dropped message: authentication failed: HASH_I does not verify "
                        + "(pre-shared key mismatch?) (notify INVALID-HASH-INFORMATION)"),
                log(tag + "Quick Mode 0a0b0c0d: failed: no acceptable proposal (notify NO-PROPOSAL-CHOSEN)"),
                log("from 127.0.0.9:500: dropped 10-byte datagram: ISAKMP header needs 28 bytes"),
                log("from 127.0.0.9:500: dropped INFORMATIONAL message for unknown cookies [..] (INVALID-COOKIE)"),
                log("from 127.0.0.9:500: peer gw-b has 16 half-open Main Mode exchanges; dropping new requests"),
                log("peer gw-b: installed nothing worth counting")),
                List.of(new PeerEvent("gw-b", PeerEvent.Kind.GAVE_UP), new PeerEvent("gw-b", PeerEvent.Kind.DEAD)));
        Stats.Snapshot snap = s.snapshot();
        assertEquals(Map.of("main-mode.established", 1L, "quick-mode.established", 1L, "main-mode.timed-out", 1L,
                "main-mode.failed.NO-PROPOSAL-CHOSEN", 1L, "main-mode.auth-failed", 1L,
                "quick-mode.failed.NO-PROPOSAL-CHOSEN", 1L), snap.handshakes());
        assertEquals(2, snap.retransmits());
        assertEquals(1, snap.duplicatesAnswered());
        assertEquals(Map.of("malformed", 1L, "unknown-cookies", 1L, "half-open-limit", 1L), snap.drops());
        assertEquals(Map.of("gave-up", 1L, "dead", 1L), snap.peerEvents());
        assertEquals(List.of("main-mode 0.915", "quick-mode 0.012"), took, "latencies of the established exchanges");
    }

    @Test
    void everyDropCauseAndFailureAsTheEngineWordsIt() {
        Stats s = new Stats();
        String tag = "peer gw-b 127.0.0.2:500 [0011223344556677 8899aabbccddeeff] ";
        String from = "from 127.0.0.9:500: ";
        s.count(List.of(
                log(tag + "Quick Mode 0a0b0c0d: no answer in state QM1_SENT after 5 retransmissions; giving up"),
                log(tag + "Quick Mode 0a0b0c0d: cannot start: GETSPI failed: no SPI left"),
                log(from + "dropped malformed message: payload length 3 < 4"),
                log(from + "dropped message for the ISAKMP SA of peer gw-b: wrong source address"),
                log(from + "Main Mode request from an address with no peer policy; ignored"),
                log(tag + "Main Mode: dropped message: no acceptable proposal"),
                log(tag + "dropped a copy of a message already rejected"),
                log(tag + "Quick Mode 0a0b0c0d: ignored a message in state QM2_SENT"),
                log(tag + "dropped Quick Mode message before the ISAKMP SA is established"),
                log(tag + "dropped message with encryption flag false in state MM5_WAIT"),
                log(tag + "ignored an Informational of unknown type"),
                log(tag + "Main Mode: failed: authentication failed without a notify"),
                log(tag + "peer deleted the ISAKMP SA")),
                List.of());
        Stats.Snapshot snap = s.snapshot();
        assertEquals(Map.of("quick-mode.timed-out", 1L, "quick-mode.failed", 1L, "main-mode.failed", 1L),
                snap.handshakes());
        assertEquals(Map.of("malformed", 1L, "wrong-source", 1L, "unknown-peer", 1L, "rejected", 2L,
                "out-of-state", 3L, "other", 1L), snap.drops());
        assertEquals(0, snap.retransmits());
    }
}
