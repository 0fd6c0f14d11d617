package dev.isakmpd.core.exchange;

import dev.isakmpd.core.registry.PayloadType;
import dev.isakmpd.core.wire.IdentificationPayload;
import dev.isakmpd.core.wire.Payload;
import dev.isakmpd.oakley.CbcCipher;
import dev.isakmpd.oakley.HashAlgorithm;
import dev.isakmpd.oakley.Phase1Keys;
import dev.isakmpd.oakley.Prf;
import dev.isakmpd.oakley.SecretBytes;
import java.time.Instant;
import java.util.List;

/**
 * One authentication method of RFC 2409 s5 as phase 1 uses it: how SKEYID is made, how we prove
 * HASH_I/HASH_R to the peer, and how we check the peer's proof. Main Mode and Aggressive Mode
 * differ only in where these payloads travel, so both use the same strategy.
 */
interface Phase1Auth {

    /** The Authentication Method attribute value (RFC 2409 Appendix A, class 3). */
    int method();

    /** The payload that carries the proof: HASH (pre-shared key) or SIG (signatures). */
    PayloadType proofType();

    /** SKEYID and its descendants for this method (RFC 2409 s5). */
    Phase1Keys deriveKeys(Prf prf, HashAlgorithm hash, CbcCipher cipher, byte[] ni, byte[] nr, SecretBytes gxy,
            Cookies cookies, byte[] gxi, byte[] gxr);

    /** What we ask of the peer beside our KE and nonce: CERTREQs naming the CAs we trust. */
    default List<Payload> certificateRequests() {
        return List.of();
    }

    /**
     * Our proof of {@code hash} (HASH_I or HASH_R), with whatever must travel beside it
     * (certificates, when {@code peerAskedForCertificate} or always, as configured).
     */
    List<Payload> prove(byte[] hash, boolean peerAskedForCertificate) throws ExchangeFailure;

    /**
     * Checks the peer's proof of {@code expected} (the {@code hashName}, HASH_I or HASH_R, we
     * computed) and that {@code peerId} is an identity the proof vouches for.
     *
     * @return a one-line description of who the peer proved to be, for the log
     */
    String verify(List<Payload> payloads, byte[] expected, String hashName, IdentificationPayload peerId,
            Instant now) throws ExchangeFailure;
}
