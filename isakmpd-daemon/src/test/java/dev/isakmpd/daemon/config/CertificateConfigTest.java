package dev.isakmpd.daemon.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.isakmpd.core.policy.Identity;
import dev.isakmpd.core.policy.PeerAuth;
import dev.isakmpd.core.policy.PeerPolicy;
import dev.isakmpd.core.policy.Subnet;
import dev.isakmpd.core.policy.XauthUsers;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** auth = "pubkey", identities and remote = "any" in the config, on the test PKI of isakmpd-core. */
class CertificateConfigTest {
    /** Made by scripts/make-test-pki.sh; git does not keep the keys' mode 600, so they are copied. */
    static final Path PKI = Path.of("../isakmpd-core/src/test/resources/pki");

    static final String PUBKEY = """
            [daemon]
            listen = ["198.51.100.1:500"]
            kernel = "memory"

            [peers.gw-b]
            local = "198.51.100.1:500"
            remote = "198.51.100.2"
            auth = "pubkey"
            certificate = "gw-a.chain.pem"
            private-key = "gw-a.key.pem"
            ca = ["root.crt.pem"]
            crl = ["intermediate.crl.pem"]
            remote-id = "C=XX, O=isakmpd test, CN=gw-b.example.org"
            ike = ["aes256-sha256-modp2048"]
            auto = "start"
            """;

    @TempDir
    Path dir;

    @BeforeEach
    void copyPki() throws Exception {
        try (var files = Files.list(PKI)) {
            for (Path f : files.toList()) {
                Path to = dir.resolve(f.getFileName());
                Files.copy(f, to, StandardCopyOption.REPLACE_EXISTING);
                Files.setPosixFilePermissions(to, PosixFilePermissions.fromString("rw-------"));
            }
        }
    }

    DaemonConfig load(String text) throws Exception {
        Path conf = dir.resolve("isakmpd.toml");
        Files.writeString(conf, text);
        Files.setPosixFilePermissions(conf, PosixFilePermissions.fromString("rw-------")); // inline psks
        return ConfigLoader.load(conf);
    }

    List<String> errors(String text) {
        return assertThrows(ConfigException.class, () -> load(text)).errors();
    }

    @Test
    void certificatesKeysAndIdentitiesLoad() throws Exception {
        PeerPolicy p = load(PUBKEY).peers().get(0);
        PeerAuth.Signatures s = (PeerAuth.Signatures) p.auth();
        assertEquals(2, s.chain().size(), "our certificate, then the intermediate");
        assertEquals(3, s.signer().authMethod(), "RSA signatures");
        assertEquals(Identity.parse("C=XX, O=isakmpd test, CN=gw-a.example.org"), p.localId(),
                "our ID defaults to our certificate's subject");
        assertEquals(Optional.of(Identity.parse("C=XX, O=isakmpd test, CN=gw-b.example.org")), p.remoteId());
        assertFalse(s.toString().contains("PRIVATE"), s.toString());
    }

    @Test
    void ecdsaKeyAndAnAlternativeNameAsOurId() throws Exception {
        PeerPolicy p = load(PUBKEY.replace("gw-a.chain.pem", "gw-a-ec.chain.pem").replace("gw-a.key.pem",
                "gw-a-ec.key.pem").replace("auto = \"start\"", "local-id = \"@gw-a.example.org\"")).peers().get(0);
        assertEquals(9, ((PeerAuth.Signatures) p.auth()).signer().authMethod(), "ECDSA-256");
        assertEquals(Identity.parse("@gw-a.example.org"), p.localId());
    }

    @Test
    void keyOthersCanReadIsRefused() throws Exception {
        Files.setPosixFilePermissions(dir.resolve("gw-a.key.pem"), PosixFilePermissions.fromString("rw-r--r--"));
        List<String> e = errors(PUBKEY);
        assertEquals(1, e.size(), e.toString());
        assertTrue(e.get(0).endsWith(":10: peers.gw-b.private-key: private key " + dir.resolve("gw-a.key.pem")
                + " is readable by other users; chmod 600 it"), e.get(0));
    }

    @Test
    void keyOfAnotherCertificateIsRefused() {
        List<String> e = errors(PUBKEY.replace("gw-a.key.pem", "gw-b.key.pem"));
        assertTrue(e.get(0).contains("is not the private key of certificate 'CN=gw-a.example.org"), e.toString());
    }

    @Test
    void localIdOurCertificateDoesNotNameIsRefused() {
        List<String> e = errors(PUBKEY.replace("auto = \"start\"", "local-id = \"@gw-b.example.org\""));
        assertTrue(e.get(0).contains("local-id '@gw-b.example.org' is not in our certificate"), e.toString());
    }

    @Test
    void encryptedKeyNeedsItsPassphraseFile() throws Exception {
        Path enc = dir.resolve("enc.key.pem");
        Process p = new ProcessBuilder("openssl", "pkey", "-in", dir.resolve("gw-a.key.pem").toString(), "-aes256",
                "-passout", "pass:open sesame", "-out", enc.toString()).inheritIO().start();
        assertEquals(0, p.waitFor());
        Files.setPosixFilePermissions(enc, PosixFilePermissions.fromString("rw-------"));
        String withEnc = PUBKEY.replace("gw-a.key.pem", "enc.key.pem");
        assertTrue(errors(withEnc).get(0).endsWith("is encrypted: set private-key-passphrase-file"));
        Path pass = dir.resolve("pass");
        Files.writeString(pass, "wrong\n");
        Files.setPosixFilePermissions(pass, PosixFilePermissions.fromString("rw-------"));
        String withPass = withEnc.replace("auto = \"start\"", "private-key-passphrase-file = \"pass\"");
        List<String> e = errors(withPass);
        assertTrue(e.get(0).endsWith("wrong passphrase?"), e.toString());
        Files.writeString(pass, "open sesame\n");
        assertEquals(3, ((PeerAuth.Signatures) load(withPass).peers().get(0).auth()).signer().authMethod());
    }

    @Test
    void roadWarriorPolicies() throws Exception {
        String any = PUBKEY.replace("remote = \"198.51.100.2\"", "remote = \"any\"").replace("auto = \"start\"", "");
        PeerPolicy p = load(any).peers().get(0);
        assertEquals(Optional.of(Subnet.parse("0.0.0.0/0")), p.remoteRange());
        assertFalse(p.hasFixedAddress());

        List<String> e = errors(PUBKEY.replace("remote = \"198.51.100.2\"", "remote = \"203.0.113.0/24\""));
        assertTrue(e.get(0).contains("auto = \"start\" needs a remote address to initiate to, not 203.0.113.0/24"),
                e.toString());

        String psk = """
                [daemon]
                listen = ["198.51.100.1:500"]
                kernel = "memory"
                [peers.rw]
                local = "198.51.100.1:500"
                remote = "any"
                psk = "a group secret"
                ike = ["aes256-sha256-modp2048"]
                """;
        DaemonConfig c = load(psk);
        assertEquals(1, c.warnings().size(), c.warnings().toString());
        assertTrue(c.warnings().get(0).contains("one pre-shared key for a range of addresses"), c.warnings().get(0));
    }

    @Test
    void pubkeyAndPskKeysDoNotMix() {
        List<String> e = errors(PUBKEY.replace("auth = \"pubkey\"", "auth = \"psk\"\npsk = \"x\""));
        assertTrue(e.stream().anyMatch(m -> m.contains("peers.gw-b.certificate: is for auth = \"pubkey\"")),
                e.toString());
        e = errors(PUBKEY.replace("auth = \"pubkey\"", "auth = \"rsa\""));
        assertTrue(e.get(0).contains("unknown value 'rsa' (known: psk, pubkey, pubkey-encryption"), e.toString());
    }

    @Test
    void aggressiveModeWithAPreSharedKeyMustNameItsRisk() throws Exception {
        String psk = """
                [daemon]
                listen = ["198.51.100.1:500"]
                kernel = "memory"
                [peers.gw]
                local = "198.51.100.1:500"
                remote = "198.51.100.2"
                psk = "a long random secret"
                ike = ["aes256-sha256-modp2048"]
                aggressive = true
                """;
        List<String> e = errors(psk);
        assertTrue(e.get(0).endsWith(":9: peers.gw.aggressive: Aggressive Mode with a pre-shared key lets anyone who "
                + "sends one request crack the key offline; to accept that, also set aggressive-exposes-psk = true "
                + "(or use auth = \"pubkey\")"), e.toString());
        DaemonConfig c = load(psk + "aggressive-exposes-psk = true\n");
        assertTrue(c.peers().get(0).aggressive());
        assertTrue(c.warnings().get(0).contains("the key can be cracked offline"), c.warnings().toString());

        e = errors(psk.replace("[\"aes256-sha256-modp2048\"]", "[\"aes256-sha256-modp2048\", \"aes128-sha1-ecp256\"]")
                + "aggressive-exposes-psk = true\n");
        assertTrue(e.get(0).contains("with aggressive = true every proposal must use the same group"), e.toString());
        assertTrue(load(PUBKEY + "aggressive = true\n").peers().get(0).aggressive(), "no extra key with certificates");
    }

    @Test
    void publicKeyEncryptionNeedsOurKeyAndThePeersCertificate() throws Exception {
        String pke = """
                [daemon]
                listen = ["198.51.100.1:500"]
                kernel = "memory"
                [peers.gw]
                local = "198.51.100.1:500"
                remote = "198.51.100.2"
                auth = "pubkey-encryption-revised"
                private-key = "gw-a.key.pem"
                peer-certificate = "gw-b.crt.pem"
                ike = ["aes256-sha256-modp2048"]
                """;
        PeerAuth.PublicKeyEncryption a = (PeerAuth.PublicKeyEncryption) load(pke).peers().get(0).auth();
        assertTrue(a.revised());
        assertEquals("revised public key encryption", a.toString(), "no key material in toString");
        List<String> e = errors(pke.replace("gw-b.crt.pem", "gw-b-ec.crt.pem"));
        assertTrue(e.get(0).contains("public key encryption needs RSA keys on both sides"), e.toString());
        assertTrue(load(pke + "aggressive = true\n").peers().get(0).aggressive());
        e = errors(pke.replace("[\"aes256-sha256-modp2048\"]", "[\"aes256-sha256-modp2048\", \"aes128-sha256-modp2048\"]")
                + "aggressive = true\n");
        assertTrue(e.get(0).contains("every proposal must use the same cipher and hash (AM1 is encrypted with them)"),
                e.toString());
    }

    /** A hybrid gateway (draft-ietf-ipsec-isakmp-hybrid-auth-05): gw-a signs, clients do XAUTH as in users. */
    private String hybridGateway() throws Exception {
        Files.writeString(dir.resolve("users"), "alice:" + XauthUsers.hash("pw".toCharArray(), new byte[16], 4) + "\n");
        return PUBKEY.replace("auth = \"pubkey\"", "auth = \"hybrid\"").replace("remote = \"198.51.100.2\"",
                "remote = \"any\"").replace("remote-id = \"C=XX, O=isakmpd test, CN=gw-b.example.org\"\n", "")
                .replace("auto = \"start\"", "xauth = \"server\"\nxauth-users = \"users\"");
    }

    @Test
    void hybridGatewaySignsWithItsCertificate() throws Exception {
        PeerPolicy p = load(hybridGateway()).peers().get(0);
        PeerAuth.Hybrid h = (PeerAuth.Hybrid) p.auth();
        assertEquals(3, h.gateway().signer().authMethod(), "RSA: HybridInitRSA");
        assertEquals(Identity.parse("C=XX, O=isakmpd test, CN=gw-a.example.org"), p.localId());
        assertTrue(p.remoteAccess().xauthServer().isPresent());
    }

    @Test
    void hybridWithoutXauthIsRefused() throws Exception {
        List<String> e = errors(hybridGateway().replace("xauth = \"server\"\nxauth-users = \"users\"", ""));
        assertEquals(1, e.size(), e.toString());
        assertTrue(e.get(0).endsWith(":8: peers.gw-b.auth: auth = \"hybrid\" needs xauth = \"server\" (or \"client\"): "
                + "the client proves nothing in phase 1, XAUTH is its only authentication "
                + "(draft-ietf-ipsec-isakmp-hybrid-auth-05 s4)"), e.get(0));
    }

    @Test
    void hybridWithAnEcdsaKeyIsRefused() throws Exception {
        List<String> e = errors(hybridGateway().replace("gw-a.chain.pem", "gw-a-ec.chain.pem")
                .replace("gw-a.key.pem", "gw-a-ec.key.pem"));
        assertTrue(e.get(0).endsWith(":10: peers.gw-b.private-key: auth = \"hybrid\" needs an RSA or DSA key "
                + "(hybrid authentication has no method for ECDSA)"), e.toString());
    }

    @Test
    void hybridClientTrustsTheCasAndHasNoCertificate() throws Exception {
        Files.writeString(dir.resolve("pw"), "secret\n");
        String client = PUBKEY.replace("auth = \"pubkey\"", "auth = \"hybrid\"")
                .replace("certificate = \"gw-a.chain.pem\"\nprivate-key = \"gw-a.key.pem\"\n", "")
                .replace("auto = \"start\"", "xauth = \"client\"\nxauth-user = \"alice\"\nxauth-password-file = \"pw\"");
        PeerPolicy p = load(client).peers().get(0);
        PeerAuth.HybridClient h = (PeerAuth.HybridClient) p.auth();
        assertEquals(1, h.trust().anchors().size(), "the root");
        assertEquals(Identity.parse("198.51.100.1"), p.localId(), "no certificate: our address");
        List<String> e = errors(client.replace("auth = \"hybrid\"", "auth = \"hybrid\"\nprivate-key = \"gw-a.key.pem\""));
        assertTrue(e.get(0).endsWith("peers.gw-b.private-key: is not for a hybrid client (the gateway signs, we do XAUTH)"),
                e.toString());
    }
}
