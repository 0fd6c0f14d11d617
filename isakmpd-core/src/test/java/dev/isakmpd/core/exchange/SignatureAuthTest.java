package dev.isakmpd.core.exchange;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.isakmpd.core.registry.CertEncoding;
import dev.isakmpd.core.registry.NotifyType;
import dev.isakmpd.core.registry.PayloadType;
import dev.isakmpd.core.wire.CertificatePayload;
import dev.isakmpd.core.wire.CertificateRequestPayload;
import dev.isakmpd.core.wire.IdentificationPayload;
import dev.isakmpd.core.wire.Payload;
import dev.isakmpd.core.wire.SignaturePayload;
import dev.isakmpd.oakley.IkeCrypto;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Hostile CERT/CERTREQ input to signature authentication: each refused with its own notify. */
class SignatureAuthTest {
    static final Instant NOW = Instant.parse("2026-06-01T00:00:00Z");
    static final IdentificationPayload ID_B = IdentificationPayload.fqdn("gw-b.example.org");
    final SignatureAuth auth = new SignatureAuth(TestPki.auth("gw-a", true),
            IkeCrypto.bouncyCastle(new SecureRandom(), false));

    private ExchangeFailure refused(List<Payload> payloads) {
        return assertThrows(ExchangeFailure.class, () -> auth.verify(payloads, new byte[32], "HASH_R", ID_B, NOW));
    }

    private static Payload sig() {
        return new SignaturePayload(new byte[256]);
    }

    @Test
    void unsupportedEncodingIsCertTypeUnsupported() {
        ExchangeFailure f = refused(List.of(new CertificatePayload(CertEncoding.PGP, new byte[10]), sig()));
        assertEquals(NotifyType.CERT_TYPE_UNSUPPORTED, f.notifyType());
        assertTrue(f.getMessage().contains("PGP"), f.getMessage());
    }

    @Test
    void garbageAndA64KilobyteCertificateAreInvalidCertificate() {
        assertEquals(NotifyType.INVALID_CERTIFICATE, refused(List.of(
                new CertificatePayload(CertEncoding.X509_SIGNATURE, new byte[] {0x30, 0x03, 1, 2, 3}), sig()))
                .notifyType());
        byte[] big = new byte[65_000];
        new SecureRandom().nextBytes(big);
        ExchangeFailure f = refused(List.of(new CertificatePayload(CertEncoding.X509_SIGNATURE, big), sig()));
        assertEquals(NotifyType.INVALID_CERTIFICATE, f.notifyType());
        assertTrue(f.getMessage().contains("65000-byte certificate does not parse"), f.getMessage());
    }

    @Test
    void tooManyCertificatesAreRefusedBeforeAnyIsParsed() throws Exception {
        byte[] der = TestPki.certificates("gw-b.crt.pem").get(0).getEncoded();
        List<Payload> payloads = new ArrayList<>(Collections.nCopies(SignatureAuth.MAX_CERTIFICATES + 1,
                new CertificatePayload(CertEncoding.X509_SIGNATURE, der)));
        payloads.add(sig());
        assertEquals(NotifyType.PAYLOAD_MALFORMED, refused(payloads).notifyType());
    }

    @Test
    void noCertificateIsCertificateUnavailable() {
        assertEquals(NotifyType.CERTIFICATE_UNAVAILABLE, refused(List.of(sig())).notifyType());
    }

    @Test
    void aFloodOfCertificateRequestsIsMalformed() {
        List<Payload> mm3 = new ArrayList<>(List.of(new dev.isakmpd.core.wire.KeyExchangePayload(new byte[256]),
                new dev.isakmpd.core.wire.NoncePayload(new byte[32])));
        for (int i = 0; i <= MainMode.MAX_CERTREQ; i++) {
            mm3.add(new CertificateRequestPayload(CertEncoding.X509_SIGNATURE, new byte[] {0x30, 0}));
        }
        ExchangeFailure f = assertThrows(ExchangeFailure.class, () -> MainMode.MM3.check(mm3));
        assertEquals(NotifyType.PAYLOAD_MALFORMED, f.notifyType());
        assertTrue(f.getMessage().contains("CERTREQ"), f.getMessage());
    }

    @Test
    void ourProofCarriesTheChainAndTheSignature() throws Exception {
        List<Payload> proof = auth.prove(new byte[32], false);
        assertEquals(List.of(PayloadType.CERT, PayloadType.CERT, PayloadType.SIG),
                proof.stream().map(Payload::type).toList());
        assertEquals(1, auth.certificateRequests().size(), "one CERTREQ per trusted CA (the root)");
    }
}
