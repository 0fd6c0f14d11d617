package dev.isakmpd.oakley;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** RSA PKCS#1 v1.5 encryption of payload bodies (RFC 2409 s5.2), both ways against OpenSSL's pkeyutl. */
class RsaPayloadCipherTest {
    static final IkeCrypto CRYPTO = IkeCrypto.bouncyCastle(new SecureRandom(), false);
    static final Path KEYS = Path.of("src/test/resources/signatures");

    @TempDir
    Path dir;

    static byte[] pem(String file) throws Exception {
        String text = Files.readString(KEYS.resolve(file));
        return Base64.getMimeDecoder().decode(text.replaceAll("-----[A-Z ]+-----", ""));
    }

    static String openssl(String... args) throws Exception {
        String[] cmd = new String[args.length + 1];
        cmd[0] = "openssl";
        System.arraycopy(args, 0, cmd, 1, args.length);
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertEquals(0, p.waitFor(), out);
        return out;
    }

    @Test
    void openSslDecryptsOursAndWeDecryptOpenSsls() throws Exception {
        PublicKey pub = KeyFactory.getInstance("RSA").generatePublic(new X509EncodedKeySpec(pem("rsa2048.pub.pem")));
        PrivateKey priv = KeyFactory.getInstance("RSA").generatePrivate(new PKCS8EncodedKeySpec(pem("rsa2048.pem")));
        byte[] nonce = new byte[32];
        new SecureRandom().nextBytes(nonce);
        Files.write(dir.resolve("ct"), CRYPTO.rsaEncrypt(pub, nonce));
        openssl("pkeyutl", "-decrypt", "-inkey", KEYS.resolve("rsa2048.pem").toString(), "-in",
                dir.resolve("ct").toString(), "-out", dir.resolve("pt").toString());
        assertArrayEquals(nonce, Files.readAllBytes(dir.resolve("pt")));

        Files.write(dir.resolve("pt2"), nonce);
        openssl("pkeyutl", "-encrypt", "-pubin", "-inkey", KEYS.resolve("rsa2048.pub.pem").toString(), "-in",
                dir.resolve("pt2").toString(), "-out", dir.resolve("ct2").toString());
        assertArrayEquals(nonce, CRYPTO.rsaDecrypt(priv, Files.readAllBytes(dir.resolve("ct2"))).orElseThrow());
    }

    @Test
    void anythingElseDecryptsToNothingWithoutSayingWhy() throws Exception {
        PrivateKey priv = KeyFactory.getInstance("RSA").generatePrivate(new PKCS8EncodedKeySpec(pem("rsa2048.pem")));
        byte[] garbage = new byte[256];
        new SecureRandom().nextBytes(garbage);
        assertTrue(CRYPTO.rsaDecrypt(priv, garbage).isEmpty());
        assertTrue(CRYPTO.rsaDecrypt(priv, new byte[3]).isEmpty());
        assertTrue(CRYPTO.rsaDecrypt(priv, new byte[0]).isEmpty());
    }
}
