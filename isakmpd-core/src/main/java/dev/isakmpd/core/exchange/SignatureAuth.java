package dev.isakmpd.core.exchange;

import dev.isakmpd.core.pki.CertificateIdentities;
import dev.isakmpd.core.pki.CertificateRejected;
import dev.isakmpd.core.pki.TrustStore;
import dev.isakmpd.core.policy.Identity;
import dev.isakmpd.core.policy.PeerAuth;
import dev.isakmpd.core.registry.CertEncoding;
import dev.isakmpd.core.registry.NotifyType;
import dev.isakmpd.core.registry.PayloadType;
import dev.isakmpd.core.wire.CertificatePayload;
import dev.isakmpd.core.wire.CertificateRequestPayload;
import dev.isakmpd.core.wire.IdentificationPayload;
import dev.isakmpd.core.wire.Payload;
import dev.isakmpd.core.wire.SignaturePayload;
import dev.isakmpd.oakley.IkeCrypto;
import dev.isakmpd.oakley.IkeVerifier;
import dev.isakmpd.oakley.Phase1Keys;
import java.io.ByteArrayInputStream;
import java.security.cert.CertificateEncodingException;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Authentication with signatures and X.509 certificates (RFC 2409 s5.1, RFC 4945): SKEYID =
 * prf(Ni_b | Nr_b, g^xy); each side signs its HASH and sends its certificate (always, or when
 * the peer asked with a CERTREQ); the peer's certificate must lead to a CA we trust, be valid
 * now, and vouch for the identity in its ID payload.
 */
final class SignatureAuth implements Phase1Auth {
    /** More certificates than any sane chain holds in one message: the rest is refused, not parsed. */
    static final int MAX_CERTIFICATES = 8;

    private final PeerAuth.Signatures config;
    private final IkeCrypto crypto;

    SignatureAuth(PeerAuth.Signatures config, IkeCrypto crypto) {
        this.config = config;
        this.crypto = crypto;
    }

    @Override
    public int method() {
        return config.signer().authMethod();
    }

    @Override
    public PayloadType proofType() {
        return PayloadType.SIG;
    }

    @Override
    public Phase1Keys.AuthMethod skeyidFormula() {
        return Phase1Keys.AuthMethod.SIGNATURE;
    }

    @Override
    public String mismatchHint() {
        return "damaged key exchange?";
    }

    /** One CERTREQ per CA we trust, naming its subject (RFC 2408 s3.10, RFC 4945 s3.2.4). */
    @Override
    public List<Payload> certificateRequests() {
        return certificateRequests(config.trust());
    }

    static List<Payload> certificateRequests(TrustStore trust) {
        List<Payload> out = new ArrayList<>();
        for (X509Certificate ca : trust.anchors()) {
            out.add(new CertificateRequestPayload(CertEncoding.X509_SIGNATURE,
                    ca.getSubjectX500Principal().getEncoded()));
        }
        return out;
    }

    @Override
    public List<Payload> prove(byte[] hash, boolean peerAskedForCertificate) throws ExchangeFailure {
        List<Payload> out = new ArrayList<>();
        if (config.sendCertificate() || peerAskedForCertificate) {
            for (X509Certificate c : config.chain()) {
                try {
                    out.add(new CertificatePayload(CertEncoding.X509_SIGNATURE, c.getEncoded()));
                } catch (CertificateEncodingException e) {
                    throw new IllegalStateException("our certificate does not encode", e);
                }
            }
        }
        out.add(new SignaturePayload(config.signer().sign(hash)));
        return out;
    }

    @Override
    public String verify(List<Payload> payloads, byte[] expected, String hashName, IdentificationPayload peerId,
            Instant now) throws ExchangeFailure {
        return verifySignature(payloads, expected, hashName, peerId, now, config.trust(), crypto, method());
    }

    /**
     * Checks that the peer's certificate leads to {@code trust} and vouches for {@code peerId},
     * and that its key signs for {@code method} and signed {@code expected} in the SIG payload.
     *
     * @return who the peer proved to be, for the log
     */
    static String verifySignature(List<Payload> payloads, byte[] expected, String hashName,
            IdentificationPayload peerId, Instant now, TrustStore trust, IkeCrypto crypto, int method)
            throws ExchangeFailure {
        List<X509Certificate> certs = certificates(payloads);
        if (certs.isEmpty()) {
            throw ExchangeFailure.fatal(NotifyType.CERTIFICATE_UNAVAILABLE, "authentication failed: the peer sent "
                    + "no certificate (did it get our CERTREQ? its send-cert policy?)");
        }
        Identity claimed;
        try {
            claimed = new Identity(peerId.idType(), peerId.data());
        } catch (IllegalArgumentException e) {
            throw ExchangeFailure.fatal(NotifyType.INVALID_ID_INFORMATION, "unusable peer ID " + peerId.idType());
        }
        X509Certificate endEntity = certs.stream().filter(c -> CertificateIdentities.vouchesFor(c, claimed))
                .findFirst().orElseThrow(() -> ExchangeFailure.fatal(NotifyType.AUTHENTICATION_FAILED,
                        "authentication failed: the peer's ID '" + claimed + "' is not in its certificate '"
                        + certs.get(0).getSubjectX500Principal() + "' (its identities: "
                        + CertificateIdentities.all(certs.get(0)) + ")"));
        List<X509Certificate> others = new ArrayList<>(certs);
        others.remove(endEntity);
        try {
            trust.validate(endEntity, others, now);
        } catch (CertificateRejected e) {
            throw ExchangeFailure.fatal(e.notifyType(), "authentication failed: certificate '"
                    + endEntity.getSubjectX500Principal() + "' refused: " + e.getMessage());
        }
        IkeVerifier verifier;
        try {
            verifier = crypto.verifier(endEntity.getPublicKey());
        } catch (IllegalArgumentException e) {
            throw ExchangeFailure.fatal(NotifyType.INVALID_CERTIFICATE, "authentication failed: "
                    + e.getMessage());
        }
        if (verifier.authMethod() != method) {
            throw ExchangeFailure.fatal(NotifyType.AUTHENTICATION_FAILED, "authentication failed: the peer's key "
                    + "signs for " + Phase1Sa.authName(verifier.authMethod()) + ", the SA agreed "
                    + Phase1Sa.authName(method));
        }
        SignaturePayload sig = Payloads.required(payloads, SignaturePayload.class, "SIG");
        if (!verifier.verify(expected, sig.signature())) {
            throw ExchangeFailure.fatal(NotifyType.INVALID_SIGNATURE, "authentication failed: the signature over "
                    + hashName + " does not verify with the key of '" + endEntity.getSubjectX500Principal() + "'");
        }
        return Phase1Sa.authName(method) + " of '" + endEntity.getSubjectX500Principal() + "', issued by '"
                + endEntity.getIssuerX500Principal() + "'";
    }

    /** The X.509 certificates of the message; RFC 2408 s5.9 answers other encodings. */
    private static List<X509Certificate> certificates(List<Payload> payloads) throws ExchangeFailure {
        List<CertificatePayload> cps = Payloads.all(payloads, CertificatePayload.class);
        if (cps.size() > MAX_CERTIFICATES) {
            throw ExchangeFailure.fatal(NotifyType.PAYLOAD_MALFORMED, cps.size() + " CERT payloads; at most "
                    + MAX_CERTIFICATES + " accepted");
        }
        List<X509Certificate> out = new ArrayList<>();
        for (CertificatePayload cp : cps) {
            if (!cp.encoding().equals(CertEncoding.X509_SIGNATURE)) {
                throw ExchangeFailure.fatal(NotifyType.CERT_TYPE_UNSUPPORTED, "certificate encoding " + cp.encoding()
                        + " is not supported (only X.509 Certificate - Signature)");
            }
            try {
                out.add((X509Certificate) CertificateFactory.getInstance("X.509")
                        .generateCertificate(new ByteArrayInputStream(cp.data())));
            } catch (CertificateException | RuntimeException e) {
                throw ExchangeFailure.fatal(NotifyType.INVALID_CERTIFICATE, "a " + cp.data().length
                        + "-byte certificate does not parse as X.509: " + e.getMessage());
            }
        }
        return out;
    }

    @Override
    public String toString() {
        return Phase1Sa.authName(method());
    }
}
