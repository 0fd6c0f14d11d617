package dev.isakmpd.core.exchange;

import dev.isakmpd.core.ha.HaRecord;
import dev.isakmpd.core.kernel.ReplayState;
import dev.isakmpd.core.kernel.SpdTunnel;
import dev.isakmpd.core.sa.IpsecSa;
import dev.isakmpd.oakley.SecretBytes;
import java.net.InetAddress;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiFunction;
import java.util.function.Supplier;

/** Collects the actions produced while one input is processed. */
final class Out {
    private final List<Action> actions = new ArrayList<>();
    /** Whether DEBUG lines are wanted at all: packet dumps are not built for nothing. */
    private final boolean debugging;
    /** Whether the runtime writes a decrypted capture: {@link Action.Plaintext} and {@link Action.DecryptionKey}. */
    private final boolean capturing;
    private final BiFunction<Datagram, Out, List<Datagram>> wire;
    /** HA replication, when on: guarded sends wait for the standby's ack. Null when off. */
    private final Replication replication;
    /** Sends held since {@link #hold}, until {@link #guard} hands them to the replication; null when not holding. */
    private List<Datagram> held;

    /** For tests: everything logged, nothing captured. */
    Out() {
        this(true, false);
    }

    Out(boolean debugging, boolean capturing) {
        this(debugging, capturing, (d, out) -> List.of(d));
    }

    /** @param wire what a datagram goes out as: itself, or its IKE fragments */
    Out(boolean debugging, boolean capturing, BiFunction<Datagram, Out, List<Datagram>> wire) {
        this(debugging, capturing, wire, null);
    }

    /** @param replication HA replication, or null when it is off */
    Out(boolean debugging, boolean capturing, BiFunction<Datagram, Out, List<Datagram>> wire,
            Replication replication) {
        this.debugging = debugging;
        this.capturing = capturing;
        this.wire = wire;
        this.replication = replication;
    }

    /**
     * With replication on, the sends from now until {@link #guard} wait for the standby's copy of
     * the record {@code guard} names (issue 15 s3). Without, a no-op.
     */
    void hold() {
        if (replication != null && held == null) {
            held = new ArrayList<>();
        }
    }

    /**
     * Replicates {@code record} synchronously: the sends held since {@link #hold} go out once the
     * standby acknowledged it or its ack timeout passed. Built only when replication is on.
     */
    void guard(Supplier<HaRecord> record, Instant now) {
        if (replication == null) {
            return;
        }
        List<Datagram> waiting = held == null ? List.of() : held;
        held = null;
        replication.guard(record.get(), waiting, now, this);
    }

    /** Replicates {@code record} asynchronously, when replication is on. */
    void replicate(Supplier<HaRecord> record) {
        if (replication != null) {
            replication.queue(record.get());
        }
    }

    /** A datagram that waited for the standby's ack, already split into fragments when it needed to be. */
    void sendReleased(Datagram d) {
        actions.add(new Action.Send(d));
    }

    /** For {@link Replication} only. */
    void add(Action a) {
        actions.add(a);
    }

    boolean capturing() {
        return capturing;
    }

    /** For a decrypted capture, when one is being written. */
    void plaintext(Datagram message, boolean received) {
        if (capturing) {
            actions.add(new Action.Plaintext(message, received));
        }
    }

    /** For a decrypted capture's key table, when one is being written. */
    void decryptionKey(byte[] initiatorCookie, SecretBytes encryptionKey) {
        if (capturing) {
            actions.add(new Action.DecryptionKey(initiatorCookie, encryptionKey));
        }
    }

    /** Check before building an expensive DEBUG line (a packet dump). */
    boolean debugging() {
        return debugging;
    }

    void send(Datagram d) {
        if (replication != null && replication.holds(d)) {
            // a retransmission of a message that still waits for the standby: it goes out with the first
            debug("not sending a message again before the standby acknowledged its record");
            return;
        }
        for (Datagram x : wire.apply(d, this)) {
            if (held != null) {
                held.add(x);
            } else {
                actions.add(new Action.Send(x));
            }
        }
    }

    void install(IpsecSa sa) {
        actions.add(new Action.InstallSa(sa));
    }

    void delete(IpsecSa sa) {
        actions.add(new Action.DeleteSa(sa));
    }

    void addPolicy(SpdTunnel t) {
        actions.add(new Action.AddPolicy(t));
    }

    void deletePolicy(SpdTunnel t) {
        actions.add(new Action.DeletePolicy(t));
    }

    void outboundSequence(IpsecSa sa, long next) {
        actions.add(new Action.OutboundSequence(sa, next));
    }

    void inboundWindow(IpsecSa sa, ReplayState replay) {
        actions.add(new Action.InboundWindow(sa, replay));
    }

    void addAddress(String peer, InetAddress address) {
        actions.add(new Action.AddAddress(peer, address));
    }

    void deleteAddress(String peer, InetAddress address) {
        actions.add(new Action.DeleteAddress(peer, address));
    }

    void log(Action.Level level, String message) {
        actions.add(new Action.Log(level, message));
    }

    void info(String message) {
        log(Action.Level.INFO, message);
    }

    void warn(String message) {
        log(Action.Level.WARN, message);
    }

    void debug(String message) {
        if (debugging) {
            log(Action.Level.DEBUG, message);
        }
    }

    List<Action> actions() {
        if (held != null) { // a hold that no guard followed: nothing to wait for
            held.forEach(this::sendReleased);
            held = null;
        }
        if (replication != null) {
            replication.drain(this);
        }
        return List.copyOf(actions);
    }
}
