package dev.isakmpd.core.ha;

import dev.isakmpd.core.kernel.ReplayState;
import dev.isakmpd.core.sa.IpsecSa;
import dev.isakmpd.core.wire.IdentificationPayload;
import dev.isakmpd.oakley.SecretBytes;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Optional;

/**
 * What an active gateway replicates to its standby so that the standby can answer the peers with
 * the same cookies, keys and SPIs after a failover (issue 15). Encoded by {@link HaCodec}. Keys
 * are {@link SecretBytes}; every toString shows fingerprints only.
 */
public sealed interface HaRecord {

    /** The record's wire type in {@link HaCodec}. */
    int type();

    /**
     * The SA this record is about, for ordering and coalescing: two records with one key describe
     * the same ISAKMP SA (its cookies) or IPsec SA pair (its inbound SA's destination and SPI).
     */
    Object saKey();

    /** An ISAKMP SA's cookies, as replicated: value equality, hex in toString. */
    record CookiePair(byte[] initiator, byte[] responder) {
        public CookiePair {
            if (initiator.length != 8 || responder.length != 8) {
                throw new IllegalArgumentException("cookies are 8 octets each (RFC 2408 s3.1)");
            }
            initiator = initiator.clone();
            responder = responder.clone();
        }

        @Override
        public byte[] initiator() {
            return initiator.clone();
        }

        @Override
        public byte[] responder() {
            return responder.clone();
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof CookiePair c && Arrays.equals(initiator, c.initiator)
                    && Arrays.equals(responder, c.responder);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(initiator) * 31 + Arrays.hashCode(responder);
        }

        @Override
        public String toString() {
            return HexFormat.of().formatHex(initiator) + ":" + HexFormat.of().formatHex(responder);
        }
    }

    /** An IPsec SA by (destination, SPI), as the kernel knows it. */
    record SpiKey(InetAddress destination, int spi) {
        @Override
        public String toString() {
            return destination.getHostAddress() + "/0x" + String.format("%08x", spi);
        }
    }

    /**
     * The phase-1 algorithms as IANA numbers (RFC 2409 Appendix A): what rebuilds the PRF and
     * the CBC cipher of the ISAKMP SA.
     */
    record Phase1Algorithms(int encryption, int keyBits, int hash, int group, int authMethod, long lifetimeSeconds) {
    }

    /**
     * What the peer advertised or did in phase 1 that later exchanges depend on.
     *
     * @param natTraversalVersion 0: no NAT between us; else the NAT-T version phase 1 chose, 1 RFC
     *     3947, 2 draft-ietf-ipsec-nat-t-ike-03, 3 its -02, 4 -02 with the newline typo
     * @param dpd the peer sent the DPD vendor ID (RFC 3706 s5.1): it answers R-U-THERE
     * @param localBehindNat we are behind the NAT, so we send the keepalives (RFC 3948 s4)
     */
    record Capabilities(boolean dpd, int natTraversalVersion, boolean localBehindNat, boolean peerBehindNat,
            boolean fragmentation, boolean remoteAccessDone) {
    }

    /**
     * An established ISAKMP SA. {@code lastPhase1Block} seeds every phase-2 IV (RFC 2409 Appendix
     * B); it went over the wire and is no secret, unlike SKEYID_d/a/e.
     *
     * @param expiresAt the hard lifetime deadline, epoch milliseconds
     */
    record IsakmpSa(CookiePair cookies, boolean initiator, String policy, String peerKey, InetSocketAddress local,
            InetSocketAddress remote, Phase1Algorithms algorithms, IdentificationPayload localId,
            Optional<IdentificationPayload> peerId, SecretBytes skeyidD, SecretBytes skeyidA, SecretBytes skeyidE,
            byte[] lastPhase1Block, Capabilities capabilities, long expiresAt) implements HaRecord {
        public IsakmpSa {
            lastPhase1Block = lastPhase1Block.clone();
        }

        @Override
        public byte[] lastPhase1Block() {
            return lastPhase1Block.clone();
        }

        @Override
        public int type() {
            return 1;
        }

        @Override
        public Object saKey() {
            return cookies;
        }

        @Override
        public String toString() {
            return "IsakmpSa[" + cookies + " " + (initiator ? "initiator" : "responder") + " peer " + peerKey
                    + " " + local + " <-> " + remote + " " + algorithms + " " + capabilities + " SKEYID_d-fp="
                    + skeyidD.fingerprint() + " SKEYID_a-fp=" + skeyidA.fingerprint() + " SKEYID_e-fp="
                    + skeyidE.fingerprint() + " expires " + expiresAt + "]";
        }
    }

    /**
     * An IPsec SA pair, owned by the ISAKMP SA {@code owner} that negotiated it. {@code pending}: a
     * responder's pair between QM2 and QM3, whose outbound SA is not in use yet.
     *
     * @param expiresAt the hard lifetime deadline, epoch milliseconds; {@code rekeyAt} the soft one
     *     (0 once the replacement started)
     */
    record IpsecPair(CookiePair owner, String peerKey, String identity, IpsecSa inbound, IpsecSa outbound,
            boolean initiator, boolean pending, boolean esn, long expiresAt, long rekeyAt) implements HaRecord {
        @Override
        public int type() {
            return 2;
        }

        /** This pair no longer pending: what a {@link PairLive} makes of it. */
        public IpsecPair live() {
            return new IpsecPair(owner, peerKey, identity, inbound, outbound, initiator, false, esn, expiresAt,
                    rekeyAt);
        }

        @Override
        public Object saKey() {
            return new SpiKey(inbound.destination(), inbound.spi());
        }

        @Override
        public String toString() {
            return "IpsecPair[" + owner + " peer " + peerKey + (pending ? " pending" : "") + (esn ? " esn" : "")
                    + " in " + inbound.describe() + "; out " + outbound.describe() + " expires " + expiresAt + "]";
        }
    }

    /**
     * The pending pair whose inbound SA is {@code inbound} went live: QM3 came, and nothing else of
     * the pair changed since its pending record (else the whole {@link IpsecPair} goes instead). A
     * sixth of a pair record's size, and no keys to encode, decode and wipe.
     */
    record PairLive(SpiKey inbound) implements HaRecord {
        @Override
        public int type() {
            return 7;
        }

        @Override
        public Object saKey() {
            return inbound;
        }
    }

    /** The ISAKMP SA is gone (deleted, expired, dead peer). */
    record IsakmpDelete(CookiePair cookies) implements HaRecord {
        @Override
        public int type() {
            return 3;
        }

        @Override
        public Object saKey() {
            return cookies;
        }
    }

    /** The IPsec SA pair whose inbound SA is {@code inbound} is gone (deleted or expired). */
    record PairDelete(SpiKey inbound) implements HaRecord {
        @Override
        public int type() {
            return 4;
        }

        @Override
        public Object saKey() {
            return inbound;
        }
    }

    /**
     * The kernel's counters of one SA (XFRM_MSG_NEWAE): its anti-replay state as the kernel
     * reported it (the outbound sequence number; the highest inbound one and the window below it)
     * and the bytes carried.
     */
    record Counters(SpiKey sa, ReplayState replay, long bytes) implements HaRecord {
        @Override
        public int type() {
            return 5;
        }

        @Override
        public Object saKey() {
            return sa;
        }
    }

    /** The sequence number of the R-U-THERE we are about to send (RFC 3706 s6.2): a new active goes on after it. */
    record DpdSequence(CookiePair cookies, int sequence) implements HaRecord {
        @Override
        public int type() {
            return 6;
        }

        @Override
        public Object saKey() {
            return cookies;
        }
    }
}
