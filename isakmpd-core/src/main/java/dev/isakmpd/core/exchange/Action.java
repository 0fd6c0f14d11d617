package dev.isakmpd.core.exchange;

import dev.isakmpd.core.kernel.ReplayState;
import dev.isakmpd.core.kernel.SpdTunnel;
import dev.isakmpd.core.sa.IpsecSa;
import dev.isakmpd.oakley.SecretBytes;
import java.net.InetAddress;
import java.util.HexFormat;

/** What the engine asks its runtime to do; the engine itself performs no I/O. */
public sealed interface Action {

    /** Send a datagram (the local address says which socket). */
    record Send(Datagram datagram) implements Action {
    }

    /** Install an SA in the kernel (SADB_UPDATE for inbound SAs reserved by GETSPI, SADB_ADD outbound). */
    record InstallSa(IpsecSa sa) implements Action {
    }

    /** Remove an SA from the kernel. */
    record DeleteSa(IpsecSa sa) implements Action {
    }

    /**
     * Install the security policies of one road warrior's tunnel (its virtual address as the remote
     * subnet), when Mode-Config gave it that address; the tunnel's own policy cannot exist before.
     */
    record AddPolicy(SpdTunnel tunnel) implements Action {
    }

    /** Remove what {@link AddPolicy} installed: the client's lease ended with its ISAKMP SA. */
    record DeletePolicy(SpdTunnel tunnel) implements Action {
    }

    /** A log line. INFO: one per protocol event; DEBUG: packet dumps. Never carries secrets. */
    record Log(Level level, String message) implements Action {
    }

    enum Level { DEBUG, INFO, WARN, ERROR }

    /**
     * An encrypted message in plaintext form, for a decrypted capture (as OpenBSD isakmpd's -L):
     * a received one once it decrypted, a sent one before its encryption (it goes out in the
     * {@link Send} that follows). The header's encryption flag is cleared and its length is that
     * of the payloads, without CBC padding, so it decodes as a plaintext ISAKMP message. The
     * datagram's local and remote are the ISAKMP SA's. Only when the runtime asked for it
     * ({@link Engine#capture}).
     */
    record Plaintext(Datagram message, boolean received) implements Action {
    }

    /**
     * The phase-1 encryption key (derived from SKEYID_e, RFC 2409 Appendix B) of the ISAKMP SA
     * whose initiator cookie is {@code initiatorCookie}, just derived: what Wireshark's IKEv1
     * decryption table needs to decrypt a raw capture. A secret: the runtime writes it only to a
     * file it keeps private; toString shows its fingerprint. Only when the runtime asked for it
     * ({@link Engine#capture}).
     */
    record DecryptionKey(byte[] initiatorCookie, SecretBytes encryptionKey) implements Action {
        public DecryptionKey {
            initiatorCookie = initiatorCookie.clone();
        }

        @Override
        public byte[] initiatorCookie() {
            return initiatorCookie.clone();
        }

        @Override
        public String toString() {
            return "DecryptionKey[CKY-I=" + HexFormat.of().formatHex(initiatorCookie) + ", enc-key-fp="
                    + encryptionKey.fingerprint() + "]";
        }
    }

    /**
     * Put on this host the address the gateway of {@code peer} assigned us by Mode-Config (our
     * client side), so that traffic can leave from it into the tunnel whose local selector it is;
     * once per ISAKMP SA that was given it (a phase-1 rekey gives it again): the runtime counts.
     */
    record AddAddress(String peer, InetAddress address) implements Action {
    }

    /** One ISAKMP SA that was given the address is gone: the runtime removes it with the last one. */
    record DeleteAddress(String peer, InetAddress address) implements Action {
    }

    /**
     * Hand {@code record} to the standby (HA, issue 15). With {@code sync} a message of ours waits
     * for it: call {@link Engine#replicated} with {@code id} once the standby has stored it (the
     * engine goes on without it after its ack timeout). Without, nothing waits and no answer is
     * expected. Records are to be delivered in the order of these actions. Keys in the record show
     * as fingerprints in toString.
     */
    record Replicate(long id, dev.isakmpd.core.ha.HaRecord record, boolean sync) implements Action {
    }

    /**
     * HA takeover (issue 15 s5): set the kernel's counter of the outbound SA {@code sa}, just
     * installed, to {@code last} (XFRM oseq: its next packet carries {@code last + 1}): the dead
     * active's last replicated counter plus the takeover margin, so that no (SPI, sequence number) goes out twice (the peer's replay window
     * would drop it, and with AES-GCM the IV would repeat, RFC 4106 s3). The XFRM back-end sets it
     * with XfrmCounters.set after the install.
     */
    record OutboundSequence(IpsecSa sa, long last) implements Action {
    }

    /**
     * HA takeover (issue 15 s5): move the replay window of the inbound SA {@code sa} up to what the
     * dead active last reported for it ({@code replay}: its highest sequence number and the window
     * below), so that packets it had already received are not accepted again (RFC 4303 s3.4.3).
     * The XFRM back-end sets it with XfrmCounters.set (NEWAE with NLM_F_REPLACE).
     */
    record InboundWindow(IpsecSa sa, ReplayState replay) implements Action {
    }
}
