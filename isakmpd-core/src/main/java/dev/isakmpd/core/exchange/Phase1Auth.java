package dev.isakmpd.core.exchange;

import dev.isakmpd.core.registry.PayloadType;
import dev.isakmpd.core.wire.IdentificationPayload;
import dev.isakmpd.core.wire.KeyExchangePayload;
import dev.isakmpd.core.wire.NoncePayload;
import dev.isakmpd.core.wire.Payload;
import dev.isakmpd.oakley.CbcCipher;
import dev.isakmpd.oakley.DhGroup;
import dev.isakmpd.oakley.HashAlgorithm;
import dev.isakmpd.oakley.IkeCrypto;
import dev.isakmpd.oakley.Phase1Keys;
import dev.isakmpd.oakley.Prf;
import dev.isakmpd.oakley.SecretBytes;
import java.time.Instant;
import java.util.List;
import java.util.Set;

/**
 * One authentication method of RFC 2409 s5 as phase 1 uses it: how SKEYID is made, how we prove
 * HASH_I/HASH_R to the peer, and how we check the peer's proof. Main Mode and Aggressive Mode
 * differ only in where these payloads travel, so both use the same strategy.
 */
interface Phase1Auth {

    /** The Authentication Method attribute value (RFC 2409 Appendix A, class 3). */
    int method();

    /** The payload that carries the peer's proof: HASH (pre-shared key, hybrid) or SIG (signatures). */
    PayloadType proofType();

    /** Which of RFC 2409 s5's SKEYID formulas this method uses. */
    Phase1Keys.AuthMethod skeyidFormula();

    /** The pre-shared key, for the one formula that takes it. */
    default SecretBytes preSharedKey() {
        return null;
    }

    /** SKEYID and its descendants for this method (RFC 2409 s5). */
    default Phase1Keys deriveKeys(Prf prf, HashAlgorithm hash, CbcCipher cipher, byte[] ni, byte[] nr,
            SecretBytes gxy, Cookies cookies, byte[] gxi, byte[] gxr) {
        return Phase1Keys.derive(skeyidFormula(), prf, hash, cipher, preSharedKey(), ni, nr, gxy,
                cookies.initiator(), cookies.responder(), gxi, gxr);
    }

    /** What a method needs to seal or open the key exchange message (public key encryption only). */
    record KeyExchangeContext(IkeCrypto crypto, Prf prf, CbcCipher cipher, byte[] ownCookie, byte[] peerCookie,
            DhGroup group) {
    }

    /** The peer's KE data and nonce, and its ID where the method carries it beside them. */
    record Exchanged(byte[] keyData, byte[] nonce, IdentificationPayload id) {
    }

    /** Payload types of the key exchange messages (MM3, MM4) whose bodies this method encrypts. */
    default Set<PayloadType> encryptedInKeyExchange() {
        return Set.of();
    }

    /** Whether the IDs travel with KE and nonce (public key encryption) instead of with the proof. */
    default boolean identifiesInKeyExchange() {
        return false;
    }

    /** Our KE message: KE and nonce as they are (and our ID, for methods that carry it there). */
    default List<Payload> sealKeyExchange(byte[] keyData, byte[] nonce, IdentificationPayload ownId,
            KeyExchangeContext c) {
        return List.of(new KeyExchangePayload(keyData), new NoncePayload(nonce));
    }

    /** The peer's KE message opened. */
    default Exchanged openKeyExchange(List<Payload> payloads, KeyExchangeContext c) throws ExchangeFailure {
        return new Exchanged(Payloads.required(payloads, KeyExchangePayload.class, "KE").keyData(),
                Payloads.required(payloads, NoncePayload.class, "NONCE").nonce(), null);
    }

    /**
     * Whether the peer's proof vouches for the ID it sent; when not (hybrid), nothing may act on
     * that ID alone, such as an INITIAL-CONTACT deleting that identity's other SAs.
     */
    default boolean provesPeerIdentity() {
        return true;
    }

    /** What usually makes message 5 or 6 decrypt to garbage under this method, for the log. */
    default String mismatchHint() {
        return "pre-shared key mismatch?";
    }

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
