package dev.isakmpd.core.sa;

import dev.isakmpd.core.kernel.SoftLifetime;
import dev.isakmpd.core.policy.Addresses;
import dev.isakmpd.core.policy.EspCipher;
import dev.isakmpd.core.policy.EspIntegrity;
import dev.isakmpd.core.policy.EspProposal;
import dev.isakmpd.core.policy.IpsecMode;
import dev.isakmpd.core.policy.Subnet;
import dev.isakmpd.oakley.SecretBytes;
import java.net.InetAddress;
import java.time.Duration;
import java.util.Optional;

/**
 * One ESP SA as negotiated by Quick Mode, in tunnel or transport mode: one direction, identified
 * by (destination, SPI). It lives {@code lifetime}, and carries at most {@code lifeKilobytes} KiB
 * when that is not 0. Keys are {@link SecretBytes}, so toString shows fingerprints only.
 *
 * @param udpEncapsulation ESP in UDP when NAT traversal found a NAT (RFC 3948); empty: plain ESP
 * @param softShare the share of its lifetime, in time and in bytes, at which its replacement
 *        starts ({@link SoftLifetime}); the kernel's soft limits are set from it
 */
public record IpsecSa(String peer, String tunnel, Direction direction, int spi, InetAddress source,
        InetAddress destination, Subnet sourceSelector, Subnet destinationSelector, EspCipher cipher, int keyBits,
        SecretBytes encryptionKey, EspIntegrity integrity, SecretBytes authenticationKey, Duration lifetime,
        boolean pfs, Optional<UdpEncapsulation> udpEncapsulation, IpsecMode mode, long lifeKilobytes,
        double softShare) {

    /** A tunnel-mode SA in plain ESP, limited by time only. */
    public IpsecSa(String peer, String tunnel, Direction direction, int spi, InetAddress source,
            InetAddress destination, Subnet sourceSelector, Subnet destinationSelector, EspCipher cipher, int keyBits,
            SecretBytes encryptionKey, EspIntegrity integrity, SecretBytes authenticationKey, Duration lifetime,
            boolean pfs) {
        this(peer, tunnel, direction, spi, source, destination, sourceSelector, destinationSelector, cipher, keyBits,
                encryptionKey, integrity, authenticationKey, lifetime, pfs, Optional.empty(), IpsecMode.TUNNEL, 0,
                SoftLifetime.SHARE);
    }

    /**
     * The same SA (same keys, which the caller must not wipe twice) after the peer moved: its NAT
     * mapping changed, so its address and the UDP encapsulation are new.
     */
    public IpsecSa movedTo(InetAddress newSource, InetAddress newDestination, Optional<UdpEncapsulation> encapsulation) {
        return new IpsecSa(peer, tunnel, direction, spi, newSource, newDestination, sourceSelector,
                destinationSelector, cipher, keyBits, encryptionKey, integrity, authenticationKey, lifetime, pfs,
                encapsulation, mode, lifeKilobytes, softShare);
    }

    /** The same SA carried in UDP (or not). */
    public IpsecSa withUdpEncapsulation(Optional<UdpEncapsulation> encapsulation) {
        return movedTo(source, destination, encapsulation);
    }

    public enum Direction { IN, OUT }

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
                encryptionKey.fingerprint(), authenticationKey.fingerprint(), pfs ? " pfs" : "")
                + udpEncapsulation.map(u -> " " + u).orElse("");
    }

    /** Wipes both keys once the SA is gone. */
    public void wipe() {
        encryptionKey.wipe();
        authenticationKey.wipe();
    }
}
