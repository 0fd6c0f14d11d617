package dev.isakmpd.daemon.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.isakmpd.core.exchange.Action;
import dev.isakmpd.core.exchange.Datagram;
import dev.isakmpd.core.exchange.Engine;
import dev.isakmpd.core.kernel.InMemoryKernel;
import dev.isakmpd.core.sa.IpsecSa;
import dev.isakmpd.daemon.config.ConfigLoader;
import dev.isakmpd.daemon.config.DaemonConfig;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The lab's crash hook (issue 15 "Crash at the worst moments"): two engines with replication on
 * negotiate Main Mode and Quick Mode, each record acknowledged at once as the daemon's sync link
 * would; the hook, driven as the daemon drives it (ReplicatedEngine, Daemon's replicator), must
 * halt the responder right after its QM2 and the initiator right after its QM3, and nothing else.
 */
class CrashHookTest {
    private static final String GW = "198.51.100.10";
    private static final String FAR = "203.0.113.7";
    private static final int QUICK_MODE = 32;
    private final Instant now = Instant.parse("2026-01-01T00:00:00Z");

    /** One engine as its daemon runs it, the hook wired in, and the datagrams it sent. */
    private final class Node {
        final Engine engine;
        final CrashHook hook;
        final List<Datagram> sent = new ArrayList<>();
        final List<IpsecSa> installed = new ArrayList<>();
        /** The number of datagrams it had sent when it halted; -1 while alive. */
        int haltedAfter = -1;

        Node(String local, String remote, boolean initiator) throws Exception {
            DaemonConfig c = ConfigLoader.parse(config(local, remote, initiator), "t.toml", Path.of("/etc/isakmpd"));
            engine = new Engine(c.peers(), c.crypto().create(new SecureRandom(), false), new InMemoryKernel(),
                    c.retransmit());
            engine.replication(Duration.ofMillis(200));
            hook = new CrashHook(() -> haltedAfter = sent.size());
        }

        boolean alive() {
            return haltedAfter < 0;
        }

        /** EventLoop.dispatch: the actions run in order; a sync record is acked at once (ReplicatedEngine). */
        void execute(List<Action> actions, Deque<Datagram> toOther) {
            List<Long> acks = new ArrayList<>();
            for (Action a : actions) {
                if (a instanceof Action.Send s) {
                    sent.add(s.datagram());
                    toOther.add(s.datagram());
                } else if (a instanceof Action.InstallSa in) {
                    installed.add(in.sa());
                } else if (a instanceof Action.Replicate r) {
                    hook.replicating(r);
                    if (r.sync()) {
                        acks.add(r.id());
                    }
                }
            }
            for (long id : acks) {
                if (alive()) {
                    execute(hook.acknowledged(id, engine.replicated(id, now)), toOther);
                    hook.haltIfDue();
                }
            }
        }
    }

    @Test
    void armedForQm2TheResponderHaltsRightAfterSendingQm2() throws Exception {
        Run r = negotiate(Optional.empty(), Optional.of(CrashHook.Moment.QM2));
        assertFalse(r.responder.alive(), "the responder did not halt");
        List<Datagram> quick = quickModes(r.responder.sent.subList(0, r.responder.haltedAfter));
        assertEquals(1, quick.size(), "halted after its first Quick Mode message, QM2");
        assertEquals(r.responder.sent.get(r.responder.haltedAfter - 1), quick.get(0), "QM2 was the last it sent");
        assertTrue(r.initiator.alive());
    }

    @Test
    void armedForQm3TheInitiatorHaltsRightAfterSendingQm3() throws Exception {
        Run r = negotiate(Optional.of(CrashHook.Moment.QM3), Optional.empty());
        assertFalse(r.initiator.alive(), "the initiator did not halt");
        List<Datagram> quick = quickModes(r.initiator.sent.subList(0, r.initiator.haltedAfter));
        assertEquals(2, quick.size(), "halted after its second Quick Mode message, QM3");
        assertEquals(messageId(quick.get(0)), messageId(quick.get(1)), "of one exchange");
        assertEquals(r.initiator.sent.get(r.initiator.haltedAfter - 1), quick.get(1), "QM3 was the last it sent");
        assertTrue(r.responder.installed.stream().anyMatch(sa -> sa.direction() == IpsecSa.Direction.OUT),
                "QM3 reached the responder, which now sends on the pair");
    }

    /** A responder sends no QM3 and an initiator no QM2: armed for those, neither ever halts. */
    @Test
    void armedForTheOtherSidesMessageNeitherHalts() throws Exception {
        Run r = negotiate(Optional.of(CrashHook.Moment.QM2), Optional.of(CrashHook.Moment.QM3));
        assertTrue(r.initiator.alive() && r.responder.alive());
        assertEquals(2, quickModes(r.initiator.sent).size(), "QM1 and QM3");
        assertEquals(1, quickModes(r.responder.sent).size(), "QM2");
    }

    @Test
    void notArmedNothingHalts() throws Exception {
        Run r = negotiate(Optional.empty(), Optional.empty());
        assertTrue(r.initiator.alive() && r.responder.alive());
        assertEquals(3, quickModes(r.initiator.sent).size() + quickModes(r.responder.sent).size());
    }

    @Test
    void theControlSocketArmsItOnlyWithTheTestHooksOnAndHa() {
        assertTrue(CrashHook.refusal(false, true, "qm2").orElseThrow().contains("-Disakmpd.test-hooks=true"));
        assertTrue(CrashHook.refusal(true, false, "qm2").orElseThrow().contains("[ha]"));
        assertTrue(CrashHook.refusal(true, true, "qm4").orElseThrow().contains("\"qm2\" or \"qm3\""));
        assertTrue(CrashHook.refusal(true, true, null).isPresent());
        assertEquals(Optional.empty(), CrashHook.refusal(true, true, "qm3"));
        assertEquals(Optional.of(CrashHook.Moment.QM2), CrashHook.Moment.named("qm2"));
    }

    private record Run(Node initiator, Node responder) {
    }

    /** Main Mode and one Quick Mode between two nodes, over a lossless wire, until nothing is in flight. */
    private Run negotiate(Optional<CrashHook.Moment> initiatorArmed, Optional<CrashHook.Moment> responderArmed)
            throws Exception {
        Node i = new Node(FAR, GW, true);
        Node r = new Node(GW, FAR, false);
        initiatorArmed.ifPresent(i.hook::arm);
        responderArmed.ifPresent(r.hook::arm);
        Deque<Datagram> toR = new ArrayDeque<>();
        Deque<Datagram> toI = new ArrayDeque<>();
        i.execute(i.engine.up("gw", now), toR);
        for (int steps = 0; steps < 100 && !(toR.isEmpty() && toI.isEmpty()); steps++) {
            if (!toR.isEmpty()) {
                Datagram d = toR.poll();
                if (r.alive()) {
                    r.execute(r.engine.receive(arrived(d), now), toI);
                }
            } else {
                Datagram d = toI.poll();
                if (i.alive()) {
                    i.execute(i.engine.receive(arrived(d), now), toR);
                }
            }
        }
        assertTrue(toR.isEmpty() && toI.isEmpty(), "still in flight");
        return new Run(i, r);
    }

    /** A datagram as its receiver sees it: the sender's remote is the receiver's local. */
    private static Datagram arrived(Datagram sent) {
        return new Datagram(sent.remote(), sent.local(), sent.data());
    }

    private static List<Datagram> quickModes(List<Datagram> sent) {
        return sent.stream().filter(d -> (d.data()[18] & 0xff) == QUICK_MODE).toList();
    }

    private static int messageId(Datagram d) {
        return java.nio.ByteBuffer.wrap(d.data(), 20, 4).getInt();
    }

    private static String config(String local, String remote, boolean initiator) {
        String mine = local.equals(GW) ? "10.1.0.0/16" : "10.2.0.0/16";
        String theirs = local.equals(GW) ? "10.2.0.0/16" : "10.1.0.0/16";
        return """
                [daemon]
                listen = ["%1$s:500"]
                kernel = "memory"
                control-socket = "off"

                [peers.%5$s]
                local = "%1$s:500"
                remote = "%2$s:500"
                psk = "a crash hook test secret"
                ike = ["aes128-sha256-modp2048"]
                auto = "add"

                [peers.%5$s.tunnels.net]
                local-subnet = "%3$s"
                remote-subnet = "%4$s"
                esp = ["aes128-sha256"]
                pfs = "none"
                """.formatted(local, remote, mine, theirs, initiator ? "gw" : "far");
    }
}
