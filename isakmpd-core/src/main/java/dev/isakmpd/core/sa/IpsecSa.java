package dev.isakmpd.core.sa;

import dev.isakmpd.core.policy.Addresses;
import dev.isakmpd.core.policy.EspCipher;
import dev.isakmpd.core.policy.EspIntegrity;
import dev.isakmpd.core.policy.EspProposal;
import dev.isakmpd.core.policy.IpsecMode;
import dev.isakmpd.core.policy.Subnet;
import dev.isakmpd.oakley.SecretBytes;
import java.net.InetAddress;
import java.time.Duration;

/**
 * One ESP SA as negotiated by Quick Mode, in tunnel or transport mode: one direction, identified
 * by (destination, SPI). It lives {@code lifetime}, and carries at most {@code lifeKilobytes} KiB
 * when that is not 0. Keys are {@link SecretBytes}, so toString shows fingerprints only.
 */
public record IpsecSa(String peer, String tunnel, Direction direction, int spi, InetAddress source,
        InetAddress destination, Subnet sourceSelector, Subnet destinationSelector, EspCipher cipher, int keyBits,
        SecretBytes encryptionKey, EspIntegrity integrity, SecretBytes authenticationKey, Duration lifetime,
        boolean pfs, IpsecMode mode, long lifeKilobytes) {

    public enum Direction { IN, OUT }

    /** A tunnel-mode SA. */
    public IpsecSa(String peer, String tunnel, Direction direction, int spi, InetAddress source,
            InetAddress destination, Subnet sourceSelector, Subnet destinationSelector, EspCipher cipher, int keyBits,
            SecretBytes encryptionKey, EspIntegrity integrity, SecretBytes authenticationKey, Duration lifetime,
            boolean pfs) {
        this(peer, tunnel, direction, spi, source, destination, sourceSelector, destinationSelector, cipher, keyBits,
                encryptionKey, integrity, authenticationKey, lifetime, pfs, IpsecMode.TUNNEL, 0);
    }

    public String spiHex() {
        return String.format("%08x", spi);
    }

    /** Algorithms as strongSwan names them, e.g. "aes128-sha1". */
    public String algorithms() {
        return EspProposal.name(cipher, keyBits, integrity);
    }

    /** A one-line description without keys material, only key fingerprints. */
    public String describe() {
        return String.format("ESP %s%s spi=0x%s %s -> %s (%s === %s) %s lifetime=%ds%s enc-key-fp=%s auth-key-fp=%s%s",
                mode == IpsecMode.TRANSPORT ? "transport " : "", direction.name().toLowerCase(), spiHex(),
                Addresses.format(source), Addresses.format(destination), sourceSelector, destinationSelector,
                algorithms(), lifetime.toSeconds(), lifeKilobytes > 0 ? "/" + lifeKilobytes + "KB" : "",
                encryptionKey.fingerprint(), authenticationKey.fingerprint(), pfs ? " pfs" : "");
    }

    /** Wipes both keys once the SA is gone. */
    public void wipe() {
        encryptionKey.wipe();
        authenticationKey.wipe();
    }
}
