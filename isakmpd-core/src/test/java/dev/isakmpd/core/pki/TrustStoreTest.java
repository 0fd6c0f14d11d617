package dev.isakmpd.core.pki;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.isakmpd.core.registry.NotifyType;
import java.io.IOException;
import java.io.InputStream;
import java.security.GeneralSecurityException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Path validation on the OpenSSL-made test PKI (scripts/make-test-pki.sh). */
class TrustStoreTest {
    private static final Instant MID_2026 = Instant.parse("2026-06-01T00:00:00Z");

    static List<X509Certificate> certs(String file) throws IOException, GeneralSecurityException {
        try (InputStream in = TrustStoreTest.class.getResourceAsStream("/pki/" + file)) {
            return CertificateFactory.getInstance("X.509").generateCertificates(in).stream()
                    .map(X509Certificate.class::cast).toList();
        }
    }

    static TrustStore store(boolean crl) throws Exception {
        List<X509CRL> crls = List.of();
        if (crl) {
            try (InputStream in = TrustStoreTest.class.getResourceAsStream("/pki/intermediate.crl.pem")) {
                crls = List.of((X509CRL) CertificateFactory.getInstance("X.509").generateCRL(in));
            }
        }
        return new TrustStore(certs("root.crt.pem"), crls);
    }

    @Test
    void chainToTheRootValidatesWithAndWithoutTheCrl() throws Exception {
        List<X509Certificate> chain = certs("gw-a.chain.pem");
        store(false).validate(chain.get(0), chain.subList(1, 2), MID_2026);
        store(true).validate(chain.get(0), chain.subList(1, 2), MID_2026);
    }

    @Test
    void revokedExpiredUntrustedAndMissingIntermediateAreEachNamed() throws Exception {
        List<X509Certificate> revoked = certs("revoked.chain.pem");
        CertificateRejected e = assertThrows(CertificateRejected.class,
                () -> store(true).validate(revoked.get(0), revoked.subList(1, 2), MID_2026));
        assertEquals(NotifyType.INVALID_CERTIFICATE, e.notifyType());
        assertTrue(e.getMessage().contains("revoked"), e.getMessage());

        List<X509Certificate> chain = certs("gw-a.chain.pem");
        e = assertThrows(CertificateRejected.class,
                () -> store(false).validate(chain.get(0), chain.subList(1, 2), Instant.parse("2036-01-02T00:00:00Z")));
        assertTrue(e.getMessage().contains("expired on 2036-01-01T00:00:00Z"), e.getMessage());

        e = assertThrows(CertificateRejected.class, () -> store(false).validate(chain.get(0), List.of(), MID_2026));
        assertEquals(NotifyType.INVALID_CERT_AUTHORITY, e.notifyType());

        List<X509Certificate> rogue = certs("rogue-gw-b.crt.pem");
        e = assertThrows(CertificateRejected.class, () -> store(false).validate(rogue.get(0), List.of(), MID_2026));
        assertEquals(NotifyType.INVALID_CERT_AUTHORITY, e.notifyType());
    }
}
