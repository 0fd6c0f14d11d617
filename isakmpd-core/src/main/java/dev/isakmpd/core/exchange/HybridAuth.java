package dev.isakmpd.core.exchange;

import static dev.isakmpd.core.registry.IkeAttributes.AUTH_DSS_SIGNATURES;
import static dev.isakmpd.core.registry.IkeAttributes.AUTH_HYBRID_INIT_DSS;
import static dev.isakmpd.core.registry.IkeAttributes.AUTH_HYBRID_INIT_RSA;
import static dev.isakmpd.core.registry.IkeAttributes.AUTH_HYBRID_RESP_DSS;
import static dev.isakmpd.core.registry.IkeAttributes.AUTH_HYBRID_RESP_RSA;
import static dev.isakmpd.core.registry.IkeAttributes.AUTH_RSA_SIGNATURES;

import dev.isakmpd.core.pki.TrustStore;
import dev.isakmpd.core.policy.PeerAuth;
import dev.isakmpd.core.registry.NotifyType;
import dev.isakmpd.core.registry.PayloadType;
import dev.isakmpd.core.wire.HashPayload;
import dev.isakmpd.core.wire.IdentificationPayload;
import dev.isakmpd.core.wire.Payload;
import dev.isakmpd.oakley.IkeCrypto;
import dev.isakmpd.oakley.Phase1Keys;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.List;

/**
 * Hybrid authentication (draft-ietf-ipsec-isakmp-hybrid-auth-05 s4.2): SKEYID as for signatures
 * (RFC 2409 s5.1); the gateway proves its HASH with its certificate and signature, and the client
 * sends the plain HASH_I (HASH_R) in place of SIG_I (SIG_R), which proves only that it holds the
 * keys of this exchange. XAUTH, which the gateway starts at once and before which the ISAKMP SA
 * serves nothing else (s4), is the client's only authentication. One class for both sides: the
 * gateway's has its signing credentials, the client's only the CAs it trusts.
 */
final class HybridAuth implements Phase1Auth {
    /** Our signatures when we are the gateway; null when we are the client. */
    private final SignatureAuth gateway;
    /** Where the gateway's certificate must lead when we are the client. */
    private final TrustStore trust;
    private final IkeCrypto crypto;
    private final int method;

    private HybridAuth(SignatureAuth gateway, TrustStore trust, IkeCrypto crypto, int method) {
        this.gateway = gateway;
        this.trust = trust;
        this.crypto = crypto;
        this.method = method;
    }

    /** @param weInitiate whether we, the gateway, start phase 1: the Resp variant of the method (s5) */
    static HybridAuth gateway(PeerAuth.Hybrid config, IkeCrypto crypto, boolean weInitiate) {
        return new HybridAuth(new SignatureAuth(config.gateway(), crypto), null, crypto,
                method(config.gateway().signer().authMethod(), weInitiate));
    }

    /** @param weInitiate whether we, the client, start phase 1: the Init variant of the method (s5) */
    static HybridAuth client(PeerAuth.HybridClient config, IkeCrypto crypto, boolean weInitiate) {
        return new HybridAuth(null, config.trust(), crypto, method(AUTH_RSA_SIGNATURES, !weInitiate));
    }

    /**
     * The hybrid method for a gateway that signs with {@code signatureMethod}: the Init variants
     * when the client initiates phase 1, the Resp variants when the gateway does (s3.2.1, s5).
     *
     * @throws IllegalArgumentException for keys without a hybrid method (ECDSA)
     */
    static int method(int signatureMethod, boolean gatewayInitiates) {
        return switch (signatureMethod) {
            case AUTH_RSA_SIGNATURES -> gatewayInitiates ? AUTH_HYBRID_RESP_RSA : AUTH_HYBRID_INIT_RSA;
            case AUTH_DSS_SIGNATURES -> gatewayInitiates ? AUTH_HYBRID_RESP_DSS : AUTH_HYBRID_INIT_DSS;
            default -> throw new IllegalArgumentException("hybrid authentication is defined for RSA and DSS keys "
                    + "only (draft-ietf-ipsec-isakmp-hybrid-auth-05 s3.2.1), not " + Phase1Sa.authName(signatureMethod));
        };
    }

    @Override
    public int method() {
        return method;
    }

    /** The peer's proof: the client's HASH, or the gateway's SIG. */
    @Override
    public PayloadType proofType() {
        return gateway != null ? PayloadType.HASH : PayloadType.SIG;
    }

    @Override
    public Phase1Keys.AuthMethod skeyidFormula() {
        return Phase1Keys.AuthMethod.SIGNATURE;
    }

    @Override
    public String mismatchHint() {
        return "damaged key exchange?";
    }

    /**
     * The gateway asks for none: the client would have to answer with an empty CERT payload
     * (s4.2). The client asks for the gateway's certificate from the CAs it trusts.
     */
    @Override
    public List<Payload> certificateRequests() {
        return gateway != null ? List.of() : SignatureAuth.certificateRequests(trust);
    }

    @Override
    public List<Payload> prove(byte[] hash, boolean peerAskedForCertificate) throws ExchangeFailure {
        return gateway != null ? gateway.prove(hash, peerAskedForCertificate) : List.of(new HashPayload(hash));
    }

    @Override
    public String verify(List<Payload> payloads, byte[] expected, String hashName, IdentificationPayload peerId,
            Instant now) throws ExchangeFailure {
        if (gateway == null) {
            int signs = method == AUTH_HYBRID_INIT_RSA || method == AUTH_HYBRID_RESP_RSA ? AUTH_RSA_SIGNATURES
                    : AUTH_DSS_SIGNATURES;
            return SignatureAuth.verifySignature(payloads, expected, hashName, peerId, now, trust, crypto, signs);
        }
        HashPayload hash = Payloads.required(payloads, HashPayload.class, "HASH");
        if (!MessageDigest.isEqual(expected, hash.hash())) {
            throw ExchangeFailure.fatal(NotifyType.INVALID_HASH_INFORMATION, "authentication failed: the client's "
                    + hashName + " does not verify (" + Phase1Sa.authName(method) + ": its plain hash)");
        }
        return Phase1Sa.authName(method) + ": its ID is unproven until XAUTH authenticates the user";
    }

    /** At the gateway the client's ID is only claimed: XAUTH proves the user, nothing proves the ID. */
    @Override
    public boolean provesPeerIdentity() {
        return gateway == null;
    }

    @Override
    public String toString() {
        return Phase1Sa.authName(method);
    }
}
