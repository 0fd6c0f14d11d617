package dev.isakmpd.daemon.config;

import dev.isakmpd.core.pki.TrustStore;
import dev.isakmpd.core.policy.PeerAuth;
import dev.isakmpd.daemon.config.Section.Value;
import dev.isakmpd.oakley.IkeCrypto;
import dev.isakmpd.oakley.IkeSigner;
import dev.isakmpd.oakley.IkeVerifier;
import dev.isakmpd.oakley.HashAlgorithm;
import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.security.PrivateKey;
import java.security.cert.CRL;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.bouncycastle.openssl.PEMEncryptedKeyPair;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.openssl.jcajce.JceOpenSSLPKCS8DecryptorProviderBuilder;
import org.bouncycastle.openssl.jcajce.JcePEMDecryptorProviderBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.pkcs.PKCSException;
import org.bouncycastle.pkcs.PKCS8EncryptedPrivateKeyInfo;

/**
 * Certificates, CA certificates, CRLs and private keys from PEM (or DER) files for
 * {@code auth = "pubkey"}. Private keys come in every form OpenSSL and strongSwan's pki write:
 * PKCS#1, SEC1, PKCS#8, encrypted PKCS#8 or traditional encrypted PEM with a passphrase file.
 * A key file others can read is refused. No key or passphrase byte reaches a message.
 */
final class Credentials {
    /** PBES2 variants OpenSSL writes (e.g. PBKDF2 with HMAC-SHA-256) are not all in the JDK's providers. */
    private static final BouncyCastleProvider BC = new BouncyCastleProvider();
    private final Path baseDir;
    private final Problems problems;
    private final IkeCrypto crypto;

    Credentials(Path baseDir, Problems problems, IkeCrypto crypto) {
        this.baseDir = baseDir;
        this.problems = problems;
        this.crypto = crypto;
    }

    Optional<PeerAuth.Signatures> load(Section p) {
        int errorsBefore = problems.errorCount();
        Optional<Value<String>> certKey = p.requiredString("certificate");
        Optional<Value<String>> keyKey = p.requiredString("private-key");
        List<X509Certificate> chain = certKey.map(v -> certificates(v)).orElse(List.of());
        if (certKey.isPresent() && chain.isEmpty() && problems.errorCount() == errorsBefore) {
            problems.error(certKey.get().at(), "no certificate in " + path(certKey.get()));
        }
        Optional<PrivateKey> key = keyKey.flatMap(v -> privateKey(v, p.string("private-key-passphrase-file")));
        Optional<TrustStore> trust = loadTrust(p);
        boolean sendAlways = sendCertificate(p);
        if (problems.errorCount() > errorsBefore || key.isEmpty() || chain.isEmpty() || trust.isEmpty()) {
            return Optional.empty();
        }
        IkeSigner signer;
        try {
            signer = crypto.signer(key.get());
        } catch (IllegalArgumentException e) {
            problems.error(keyKey.get().at(), path(keyKey.get()) + ": " + e.getMessage());
            return Optional.empty();
        }
        if (!belongTogether(signer, chain.get(0))) {
            problems.error(keyKey.get().at(), path(keyKey.get()) + " is not the private key of certificate '"
                    + chain.get(0).getSubjectX500Principal() + "' (" + path(certKey.get()) + ")");
            return Optional.empty();
        }
        return Optional.of(new PeerAuth.Signatures(signer, chain, trust.get(), sendAlways));
    }

    /** The CAs ({@code ca}, required) and CRLs ({@code crl}) a peer's certificate is checked against. */
    Optional<TrustStore> loadTrust(Section p) {
        int errorsBefore = problems.errorCount();
        List<X509Certificate> cas = new ArrayList<>();
        for (Value<String> v : p.strings("ca", true)) {
            List<X509Certificate> found = certificates(v);
            if (found.isEmpty() && problems.errorCount() == errorsBefore) {
                problems.error(v.at(), "no certificate in " + path(v));
            }
            cas.addAll(found);
        }
        List<X509CRL> crls = new ArrayList<>();
        for (Value<String> v : p.strings("crl", false)) {
            crls.addAll(crls(v));
        }
        return problems.errorCount() > errorsBefore || cas.isEmpty() ? Optional.empty()
                : Optional.of(new TrustStore(cas, crls));
    }

    /**
     * auth = "pubkey-encryption" / "pubkey-encryption-revised" (RFC 2409 s5.2/5.3): our RSA key,
     * and the peer's RSA public key from its certificate (peer-certificate), known beforehand.
     */
    Optional<PeerAuth.PublicKeyEncryption> loadEncryption(Section p, boolean revised) {
        int errorsBefore = problems.errorCount();
        Optional<Value<String>> keyKey = p.requiredString("private-key");
        Optional<Value<String>> peerKey = p.requiredString("peer-certificate");
        Optional<PrivateKey> key = keyKey.flatMap(v -> privateKey(v, p.string("private-key-passphrase-file")));
        List<X509Certificate> peer = peerKey.map(this::certificates).orElse(List.of());
        if (problems.errorCount() > errorsBefore || key.isEmpty()) {
            return Optional.empty();
        }
        if (peer.isEmpty()) {
            problems.error(peerKey.get().at(), "no certificate in " + path(peerKey.get()));
            return Optional.empty();
        }
        if (!key.get().getAlgorithm().equals("RSA") || !peer.get(0).getPublicKey().getAlgorithm().equals("RSA")) {
            problems.error(keyKey.get().at(), "public key encryption needs RSA keys on both sides (RFC 2409 s5.2: "
                    + "PKCS #1)");
            return Optional.empty();
        }
        return Optional.of(new PeerAuth.PublicKeyEncryption(key.get(), peer.get(0).getPublicKey(), revised));
    }

    /** A test signature: a key that does not match the certificate would fail every handshake. */
    private static boolean belongTogether(IkeSigner signer, X509Certificate cert) {
        try {
            IkeVerifier v = IkeVerifier.forKey(cert.getPublicKey());
            byte[] probe = HashAlgorithm.SHA2_256.digest("isakmpd key check".getBytes(StandardCharsets.US_ASCII));
            return v.authMethod() == signer.authMethod() && v.verify(probe, signer.sign(probe));
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private boolean sendCertificate(Section p) {
        Optional<Value<String>> v = p.string("send-cert");
        if (v.isEmpty()) {
            return true;
        }
        return switch (v.get().value()) {
            case "always" -> true;
            case "ifasked" -> false;
            default -> {
                problems.error(v.get().at(), "unknown value '" + v.get().value() + "' (known: always, ifasked)");
                yield true;
            }
        };
    }

    private List<X509Certificate> certificates(Value<String> v) {
        Path file = path(v);
        try (InputStream in = Files.newInputStream(file)) {
            Collection<? extends java.security.cert.Certificate> certs =
                    CertificateFactory.getInstance("X.509").generateCertificates(in);
            return certs.stream().map(X509Certificate.class::cast).toList();
        } catch (IOException e) {
            problems.error(v.at(), "cannot read " + file + ": " + IoErrors.reason(e));
        } catch (CertificateException e) {
            problems.error(v.at(), file + " does not hold PEM or DER X.509 certificates: " + e.getMessage());
        }
        return List.of();
    }

    private List<X509CRL> crls(Value<String> v) {
        Path file = path(v);
        try (InputStream in = Files.newInputStream(file)) {
            Collection<? extends CRL> crls = CertificateFactory.getInstance("X.509").generateCRLs(in);
            if (crls.isEmpty()) {
                problems.error(v.at(), "no CRL in " + file);
            }
            return crls.stream().map(X509CRL.class::cast).toList();
        } catch (IOException e) {
            problems.error(v.at(), "cannot read " + file + ": " + IoErrors.reason(e));
        } catch (java.security.cert.CRLException | CertificateException e) {
            problems.error(v.at(), file + " does not hold PEM or DER CRLs: " + e.getMessage());
        }
        return List.of();
    }

    private Optional<PrivateKey> privateKey(Value<String> v, Optional<Value<String>> passphraseKey) {
        Path file = path(v);
        if (readableByOthers(file)) {
            problems.error(v.at(), "private key " + file + " is readable by other users; chmod 600 it");
            return Optional.empty();
        }
        char[] passphrase = passphraseKey.flatMap(this::passphrase).orElse(null);
        try (Reader r = Files.newBufferedReader(file, StandardCharsets.US_ASCII); PEMParser pem = new PEMParser(r)) {
            Object o = pem.readObject();
            JcaPEMKeyConverter convert = new JcaPEMKeyConverter();
            if (o instanceof PEMKeyPair kp) {
                return Optional.of(convert.getPrivateKey(kp.getPrivateKeyInfo()));
            }
            if (o instanceof PrivateKeyInfo info) {
                return Optional.of(convert.getPrivateKey(info));
            }
            if (o instanceof PKCS8EncryptedPrivateKeyInfo || o instanceof PEMEncryptedKeyPair) {
                if (passphrase == null) {
                    problems.error(v.at(), file + " is encrypted: set private-key-passphrase-file");
                    return Optional.empty();
                }
                PrivateKeyInfo info = o instanceof PKCS8EncryptedPrivateKeyInfo enc
                        ? enc.decryptPrivateKeyInfo(
                                new JceOpenSSLPKCS8DecryptorProviderBuilder().setProvider(BC).build(passphrase))
                        : ((PEMEncryptedKeyPair) o).decryptKeyPair(
                                new JcePEMDecryptorProviderBuilder().setProvider(BC).build(passphrase))
                                .getPrivateKeyInfo();
                return Optional.of(convert.getPrivateKey(info));
            }
            problems.error(v.at(), file + " holds no PEM private key (PKCS#1, SEC1 or PKCS#8)");
        } catch (PKCSException | OperatorCreationException | org.bouncycastle.openssl.EncryptionException e) {
            problems.error(v.at(), "cannot decrypt " + file + ": wrong passphrase?");
        } catch (IOException | RuntimeException e) {
            problems.error(v.at(), "cannot read private key " + file + ": " + e.getClass().getSimpleName());
        } finally {
            if (passphrase != null) {
                Arrays.fill(passphrase, '\0');
            }
        }
        return Optional.empty();
    }

    /** The first line of the passphrase file; the file must be as private as the key. */
    private Optional<char[]> passphrase(Value<String> v) {
        Path file = path(v);
        if (readableByOthers(file)) {
            problems.error(v.at(), "passphrase file " + file + " is readable by other users; chmod 600 it");
            return Optional.empty();
        }
        try {
            byte[] all = Files.readAllBytes(file);
            int end = 0;
            while (end < all.length && all[end] != '\n' && all[end] != '\r') {
                end++;
            }
            char[] out = new String(all, 0, end, StandardCharsets.UTF_8).toCharArray();
            Arrays.fill(all, (byte) 0);
            return Optional.of(out);
        } catch (IOException e) {
            problems.error(v.at(), "cannot read " + file + ": " + IoErrors.reason(e));
            return Optional.empty();
        }
    }

    private Path path(Value<String> v) {
        return baseDir.resolve(v.value());
    }

    private static boolean readableByOthers(Path file) {
        try {
            return Files.getPosixFilePermissions(file).contains(PosixFilePermission.OTHERS_READ);
        } catch (UnsupportedOperationException | IOException e) {
            return false; // unreadable files are reported when read
        }
    }
}
