package dev.isakmpd.core.pki;

import dev.isakmpd.core.registry.NotifyType;
import java.security.GeneralSecurityException;
import java.security.InvalidAlgorithmParameterException;
import java.security.cert.CertPathBuilder;
import java.security.cert.CertPathBuilderException;
import java.security.cert.CertStore;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateNotYetValidException;
import java.security.cert.CollectionCertStoreParameters;
import java.security.cert.PKIXBuilderParameters;
import java.security.cert.PKIXCertPathBuilderResult;
import java.security.cert.TrustAnchor;
import java.security.cert.X509CRL;
import java.security.cert.X509CertSelector;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The CA certificates we trust and the CRLs we hold: validates a peer's certificate path with the
 * JDK's PKIX (RFC 5280) at a given instant. Revocation is checked against the configured CRLs
 * only; a certificate whose issuer has no CRL here passes, a listed one never does. (The JDK's
 * own revocation checker, asked to use only these CRLs, let a listed certificate through when
 * driven by CertPathBuilder; the explicit check is also clearer to read.)
 */
public final class TrustStore {
    private final List<X509Certificate> anchors;
    private final List<X509CRL> crls;

    public TrustStore(List<X509Certificate> anchors, List<X509CRL> crls) {
        if (anchors.isEmpty()) {
            throw new IllegalArgumentException("no CA certificate to trust");
        }
        this.anchors = List.copyOf(anchors);
        this.crls = List.copyOf(crls);
    }

    public List<X509Certificate> anchors() {
        return anchors;
    }

    /**
     * Validates {@code endEntity} with the intermediates the peer sent.
     *
     * @throws CertificateRejected with the notify RFC 2408 s5.9 names: INVALID-CERT-AUTHORITY when
     *     no path leads to a trusted CA, INVALID-CERTIFICATE when it is expired, not yet valid,
     *     revoked, or its key may not sign (RFC 4945 s5.1.3.2)
     */
    public void validate(X509Certificate endEntity, List<X509Certificate> intermediates, Instant now)
            throws CertificateRejected {
        checkDates(endEntity, now);
        boolean[] usage = endEntity.getKeyUsage();
        if (usage != null && !usage[0] && !usage[1]) {
            throw new CertificateRejected(NotifyType.INVALID_CERTIFICATE, "its key usage allows neither "
                    + "digitalSignature nor nonRepudiation (RFC 4945 s5.1.3.2)");
        }
        try {
            Set<TrustAnchor> trust = new HashSet<>();
            anchors.forEach(a -> trust.add(new TrustAnchor(a, null)));
            X509CertSelector target = new X509CertSelector();
            target.setCertificate(endEntity);
            PKIXBuilderParameters params = new PKIXBuilderParameters(trust, target);
            List<Object> store = new ArrayList<>(intermediates);
            store.add(endEntity);
            store.addAll(crls);
            params.addCertStore(CertStore.getInstance("Collection", new CollectionCertStoreParameters(store)));
            params.setDate(Date.from(now));
            // Revocation is checked below against the configured CRLs only: never OCSP or a
            // CRL fetched from the network at handshake time.
            params.setRevocationEnabled(false);
            PKIXCertPathBuilderResult result = (PKIXCertPathBuilderResult) CertPathBuilder.getInstance("PKIX")
                    .build(params);
            List<? extends java.security.cert.Certificate> path = result.getCertPath().getCertificates();
            for (int i = 0; i < path.size(); i++) {
                X509Certificate c = (X509Certificate) path.get(i);
                checkDates(c, now);
                X509Certificate issuer = i + 1 < path.size() ? (X509Certificate) path.get(i + 1)
                        : result.getTrustAnchor().getTrustedCert();
                checkRevocation(c, issuer);
            }
        } catch (CertPathBuilderException e) {
            String why = String.valueOf(e.getMessage());
            throw new CertificateRejected(NotifyType.INVALID_CERT_AUTHORITY,
                    "no path to a trusted CA (" + why + ")");
        } catch (InvalidAlgorithmParameterException e) {
            throw new IllegalStateException("PKIX parameters", e);
        } catch (GeneralSecurityException e) {
            throw new CertificateRejected(NotifyType.INVALID_CERTIFICATE, String.valueOf(e.getMessage()));
        }
    }

    /** A certificate listed by a CRL that its issuer signed is refused (RFC 5280 s6.3). */
    private void checkRevocation(X509Certificate c, X509Certificate issuer) throws CertificateRejected {
        for (X509CRL crl : crls) {
            if (!crl.getIssuerX500Principal().equals(c.getIssuerX500Principal())) {
                continue;
            }
            try {
                crl.verify(issuer.getPublicKey());
            } catch (GeneralSecurityException e) {
                continue; // not this issuer's CRL (or forged): it proves nothing
            }
            if (crl.isRevoked(c)) {
                throw new CertificateRejected(NotifyType.INVALID_CERTIFICATE, "it is revoked (serial "
                        + c.getSerialNumber().toString(16) + " is listed in the CRL of '"
                        + crl.getIssuerX500Principal() + "')");
            }
        }
    }

    private static void checkDates(X509Certificate c, Instant now) throws CertificateRejected {
        try {
            c.checkValidity(Date.from(now));
        } catch (CertificateExpiredException e) {
            throw new CertificateRejected(NotifyType.INVALID_CERTIFICATE, "'" + c.getSubjectX500Principal()
                    + "' expired on " + c.getNotAfter().toInstant());
        } catch (CertificateNotYetValidException e) {
            throw new CertificateRejected(NotifyType.INVALID_CERTIFICATE, "'" + c.getSubjectX500Principal()
                    + "' is not valid before " + c.getNotBefore().toInstant());
        }
    }
}
