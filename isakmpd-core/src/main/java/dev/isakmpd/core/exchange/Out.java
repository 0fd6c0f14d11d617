package dev.isakmpd.core.exchange;

import dev.isakmpd.core.kernel.SpdTunnel;
import dev.isakmpd.core.sa.IpsecSa;
import dev.isakmpd.oakley.SecretBytes;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiFunction;

/** Collects the actions produced while one input is processed. */
final class Out {
    private final List<Action> actions = new ArrayList<>();
    /** Whether DEBUG lines are wanted at all: packet dumps are not built for nothing. */
    private final boolean debugging;
    /** Whether the runtime writes a decrypted capture: {@link Action.Plaintext} and {@link Action.DecryptionKey}. */
    private final boolean capturing;
    private final BiFunction<Datagram, Out, List<Datagram>> wire;

    /** For tests: everything logged, nothing captured. */
    Out() {
        this(true, false);
    }

    Out(boolean debugging, boolean capturing) {
        this(debugging, capturing, (d, out) -> List.of(d));
    }

    /** @param wire what a datagram goes out as: itself, or its IKE fragments */
    Out(boolean debugging, boolean capturing, BiFunction<Datagram, Out, List<Datagram>> wire) {
        this.debugging = debugging;
        this.capturing = capturing;
        this.wire = wire;
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
        for (Datagram x : wire.apply(d, this)) {
            actions.add(new Action.Send(x));
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
        return List.copyOf(actions);
    }
}
