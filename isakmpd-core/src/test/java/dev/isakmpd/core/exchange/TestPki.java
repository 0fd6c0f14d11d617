package dev.isakmpd.core.exchange;

import dev.isakmpd.core.pki.TrustStore;
import dev.isakmpd.core.policy.PeerAuth;
import dev.isakmpd.oakley.IkeSigner;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.cert.CertificateFactory;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.List;

/** The OpenSSL-made test PKI in resources/pki (scripts/make-test-pki.sh says what is in it). */
final class TestPki {
    private TestPki() {
    }

    /** Signatures with NAME's key and chain, trusting the test root, with or without the CRL. */
    static PeerAuth.Signatures auth(String name, boolean withCrl) {
        return new PeerAuth.Signatures(IkeSigner.forKey(key(name)), certificates(name + ".chain.pem"),
                trust(withCrl), true);
    }

    static TrustStore trust(boolean withCrl) {
        return new TrustStore(certificates("root.crt.pem"), withCrl ? List.of(crl()) : List.of());
    }

    static List<X509Certificate> certificates(String file) {
        try (InputStream in = open(file)) {
            return CertificateFactory.getInstance("X.509").generateCertificates(in).stream()
                    .map(X509Certificate.class::cast).toList();
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalStateException(file, e);
        }
    }

    static X509CRL crl() {
        try (InputStream in = open("intermediate.crl.pem")) {
            return (X509CRL) CertificateFactory.getInstance("X.509").generateCRL(in);
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    static PrivateKey key(String name) {
        try (InputStream in = open(name + ".key.pem")) {
            String pem = new String(in.readAllBytes(), StandardCharsets.US_ASCII);
            byte[] der = Base64.getMimeDecoder().decode(pem.replaceAll("-----[A-Z ]+-----", ""));
            for (String alg : List.of("RSA", "EC")) {
                try {
                    return KeyFactory.getInstance(alg).generatePrivate(new PKCS8EncodedKeySpec(der));
                } catch (GeneralSecurityException e) {
                    // try the next algorithm
                }
            }
            throw new IllegalStateException("no RSA or EC key in " + name);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static InputStream open(String file) throws IOException {
        InputStream in = TestPki.class.getResourceAsStream("/pki/" + file);
        if (in == null) {
            throw new IOException("missing test resource pki/" + file);
        }
        return in;
    }
}
