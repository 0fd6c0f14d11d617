package dev.isakmpd.core.sa;

import dev.isakmpd.core.kernel.SoftLifetime;
import dev.isakmpd.core.policy.Addresses;
import dev.isakmpd.core.policy.EspCipher;
import dev.isakmpd.core.policy.EspIntegrity;
import dev.isakmpd.core.policy.EspProposal;
import dev.isakmpd.core.policy.IpsecMode;
import dev.isakmpd.core.policy.Subnet;
import dev.isakmpd.core.registry.ProtocolId;
import dev.isakmpd.oakley.SecretBytes;
import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * One ESP or AH SA as negotiated by Quick Mode, in tunnel or transport mode: one direction,
 * identified by (destination, SPI). An AH SA ({@code protocol} PROTO_IPSEC_AH, RFC 4302) has
 * the NULL cipher and an empty encryption key; {@code integrity} and the authentication key are
 * AH's. The {@code bundle} holds the SAs negotiated in the same proposal (AH around this ESP SA,
 * IPComp inside it), which are installed, wiped and deleted with it. It lives {@code lifetime}, and carries at most {@code lifeKilobytes} KiB
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
        ProtocolId protocol, List<BundledSa> bundle, double softShare) {

    public IpsecSa {
        bundle = List.copyOf(bundle);
    }

    /** An ESP SA without a bundle. */
    public IpsecSa(String peer, String tunnel, Direction direction, int spi, InetAddress source,
            InetAddress destination, Subnet sourceSelector, Subnet destinationSelector, EspCipher cipher, int keyBits,
            SecretBytes encryptionKey, EspIntegrity integrity, SecretBytes authenticationKey, Duration lifetime,
            boolean pfs, Optional<UdpEncapsulation> udpEncapsulation, IpsecMode mode, long lifeKilobytes) {
        this(peer, tunnel, direction, spi, source, destination, sourceSelector, destinationSelector, cipher, keyBits,
                encryptionKey, integrity, authenticationKey, lifetime, pfs, udpEncapsulation, mode, lifeKilobytes,
                ProtocolId.IPSEC_ESP, List.of(), SoftLifetime.SHARE);
    }

    /** A tunnel-mode SA in plain ESP, limited by time only. */
    public IpsecSa(String peer, String tunnel, Direction direction, int spi, InetAddress source,
            InetAddress destination, Subnet sourceSelector, Subnet destinationSelector, EspCipher cipher, int keyBits,
            SecretBytes encryptionKey, EspIntegrity integrity, SecretBytes authenticationKey, Duration lifetime,
            boolean pfs) {
        this(peer, tunnel, direction, spi, source, destination, sourceSelector, destinationSelector, cipher, keyBits,
                encryptionKey, integrity, authenticationKey, lifetime, pfs, Optional.empty(), IpsecMode.TUNNEL, 0);
    }

    /**
     * The same SA (same keys, which the caller must not wipe twice) after the peer moved: its NAT
     * mapping changed, so its address and the UDP encapsulation are new.
     */
    public IpsecSa movedTo(InetAddress newSource, InetAddress newDestination, Optional<UdpEncapsulation> encapsulation) {
        return new IpsecSa(peer, tunnel, direction, spi, newSource, newDestination, sourceSelector,
                destinationSelector, cipher, keyBits, encryptionKey, integrity, authenticationKey, lifetime, pfs,
                encapsulation, mode, lifeKilobytes, protocol, bundle, softShare);
    }

    /** The same SA (same keys, which the caller must not wipe twice) living {@code newLifetime}. */
    public IpsecSa withLifetime(Duration newLifetime) {
        return new IpsecSa(peer, tunnel, direction, spi, source, destination, sourceSelector, destinationSelector,
                cipher, keyBits, encryptionKey, integrity, authenticationKey, newLifetime, pfs, udpEncapsulation, mode,
                lifeKilobytes, protocol, bundle, softShare);
    }

    /** The same SA carried in UDP (or not). */
    public IpsecSa withUdpEncapsulation(Optional<UdpEncapsulation> encapsulation) {
        return movedTo(source, destination, encapsulation);
    }

    public enum Direction { IN, OUT }

    public String spiHex() {
        String hex = Integer.toHexString(spi); // not String.format: every status line and kernel log line has one
        return "0".repeat(8 - hex.length()) + hex;
    }

    public boolean isAh() {
        return protocol.equals(ProtocolId.IPSEC_AH);
    }

    /** "ESP" or "AH". */
    public String protocolName() {
        return isAh() ? "AH" : "ESP";
    }

    /** The bundled AH SA, if this ESP SA has one. */
    public Optional<BundledSa> ah() {
        return bundled(true);
    }

    /** The bundled IPComp SA, if compression was agreed. */
    public Optional<BundledSa> ipcomp() {
        return bundled(false);
    }

    /** A loop, not a stream: the XFRM back-end asks for each SA it writes (an HA takeover: thousands). */
    private Optional<BundledSa> bundled(boolean ah) {
        for (int i = 0; i < bundle.size(); i++) {
            if (bundle.get(i).isAh() == ah) {
                return Optional.of(bundle.get(i));
            }
        }
        return Optional.empty();
    }

    /**
     * Algorithms as strongSwan names them, e.g. "aes128-sha1", "ah-sha256" for AH alone;
     * an AH+ESP bundle "ah-sha256+aes128-sha1", with IPComp "+deflate".
     */
    public String algorithms() {
        String esp = isAh() ? "ah-" + integrity.displayName() : EspProposal.name(cipher, keyBits, integrity);
        return ah().map(a -> "ah-" + a.integrity().displayName() + "+").orElse("") + esp
                + ipcomp().map(c -> "+deflate").orElse("");
    }

    /**
     * A one-line description without keys material, only key fingerprints. Built by hand, not by
     * String.format: every SA installed or deleted logs it (an HA standby one per record it applies).
     */
    public String describe() {
        StringBuilder b = new StringBuilder(200).append(protocolName()).append(' ')
                .append(mode == IpsecMode.TRANSPORT ? "transport " : "").append(direction == Direction.IN ? "in" : "out")
                .append(" spi=0x").append(spiHex()).append(' ').append(Addresses.format(source)).append(" -> ")
                .append(Addresses.format(destination)).append(" (").append(sourceSelector).append(" === ")
                .append(destinationSelector).append(") ").append(algorithms()).append(" lifetime=")
                .append(lifetime.toSeconds()).append('s');
        if (lifeKilobytes > 0) {
            b.append('/').append(lifeKilobytes).append("KB");
        }
        b.append(" enc-key-fp=").append(encryptionKey.fingerprint()).append(" auth-key-fp=")
                .append(authenticationKey.fingerprint()).append(pfs ? " pfs" : "");
        udpEncapsulation.ifPresent(u -> b.append(' ').append(u));
        for (BundledSa s : bundle) {
            b.append(", ").append(s.describe());
        }
        return b.toString();
    }

    /** Wipes the keys, the bundle's too, once the SA is gone. */
    public void wipe() {
        encryptionKey.wipe();
        authenticationKey.wipe();
        bundle.forEach(b -> b.key().wipe());
    }
}
