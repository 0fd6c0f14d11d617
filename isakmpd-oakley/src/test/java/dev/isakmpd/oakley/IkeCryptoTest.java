package dev.isakmpd.oakley;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.security.SecureRandom;
import org.junit.jupiter.api.Test;

class IkeCryptoTest {
    @Test
    void legacyAlgorithmsOnlyWhenAllowed() {
        IkeCrypto strict = IkeCrypto.bouncyCastle(new SecureRandom(), false);
        IkeCrypto lenient = IkeCrypto.bouncyCastle(new SecureRandom(), true);
        assertTrue(strict.dhGroup(3).isEmpty());
        assertTrue(strict.dhGroup(4).isEmpty());
        assertTrue(strict.encryption(1).isEmpty());
        assertEquals(3, lenient.dhGroup(3).orElseThrow().id());
        assertEquals(EncryptionAlgorithm.DES_CBC, lenient.encryption(1).orElseThrow());
        assertThrows(IllegalArgumentException.class, () -> strict.cipher(EncryptionAlgorithm.DES_CBC, 64));
        DhGroup ec2n = lenient.dhGroup(4).orElseThrow();
        assertThrows(IllegalArgumentException.class, () -> strict.generateKeyPair(ec2n));
        assertEquals(ec2n.publicValueLength(), lenient.generateKeyPair(ec2n).publicValue().length);
    }

    @Test
    void lookupsAndPrimitives() throws Exception {
        IkeCrypto c = IkeCrypto.bouncyCastle(new SecureRandom(), false);
        assertEquals("curve25519", c.dhGroup(31).orElseThrow().name());
        assertEquals(HashAlgorithm.SHA2_384, c.hash(5).orElseThrow());
        assertEquals(48, c.prf(HashAlgorithm.SHA2_384).outputLength());
        assertEquals(16, c.cipher(EncryptionAlgorithm.CAMELLIA_CBC, 256).blockSize());
        DhGroup g = c.dhGroup(19).orElseThrow();
        DhKeyPair a = c.generateKeyPair(g);
        DhKeyPair b = c.generateKeyPair(g);
        assertArrayEquals(g.agree(a, b.publicValue()).bytes(), g.agree(b, a.publicValue()).bytes());
    }
}
