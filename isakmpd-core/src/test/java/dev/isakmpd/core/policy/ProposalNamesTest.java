package dev.isakmpd.core.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.isakmpd.oakley.EncryptionAlgorithm;
import dev.isakmpd.oakley.HashAlgorithm;
import org.junit.jupiter.api.Test;

class ProposalNamesTest {
    @Test
    void parsesStrongSwanIkeNames() {
        Phase1Proposal p = ProposalNames.parseIke("aes256-sha256-modp2048");
        assertEquals(EncryptionAlgorithm.AES_CBC, p.encryption());
        assertEquals(256, p.keyBits());
        assertEquals(HashAlgorithm.SHA2_256, p.hash());
        assertEquals(14, p.group().id());
        assertEquals("aes256-sha256-modp2048", p.name());
        assertEquals("3des-sha1-modp1024", ProposalNames.parseIke("3DES-SHA-MODP1024").name());
        assertEquals("aes128-sha1-modp2048", ProposalNames.parseIke("aes-sha1-modp2048").name());
    }

    @Test
    void parsesEspNamesWithOptionalPfsGroup() {
        ProposalNames.EspSpec s = ProposalNames.parseEsp("esp aes128-sha1");
        assertEquals(EspCipher.AES_CBC, s.proposal().cipher());
        assertEquals(EspIntegrity.HMAC_SHA1, s.proposal().integrity());
        assertTrue(s.pfsGroup().isEmpty());
        ProposalNames.EspSpec g = ProposalNames.parseEsp("aes256-sha256-modp2048");
        assertEquals(14, g.pfsGroup().orElseThrow().id());
        assertEquals(64, g.proposal().keymatLength());
        assertEquals("3des-md5", ProposalNames.parseEsp("3des-md5").proposal().name());
    }

    @Test
    void parsesAeadCtrXcbcAndNullEspNames() {
        ProposalNames.EspSpec g = ProposalNames.parseEsp("aes256gcm16-modp2048");
        assertEquals(EspCipher.AES_GCM_16, g.proposal().cipher());
        assertEquals(256, g.proposal().keyBits());
        assertEquals(EspIntegrity.NONE, g.proposal().integrity());
        assertEquals("modp2048", g.pfsGroup().orElseThrow().name());
        assertEquals("aes128gcm16", ProposalNames.parseEsp("aes128gcm").proposal().name());
        assertEquals("aes128gcm12", ProposalNames.parseEsp("aes128gcm96").proposal().name());
        assertEquals("aes192gcm8", ProposalNames.parseEsp("aes192gcm8").proposal().name());
        assertEquals("aes128ctr-sha256", ProposalNames.parseEsp("aes128ctr-sha256").proposal().name());
        assertEquals("aes128-aesxcbc", ProposalNames.parseEsp("aes128-aesxcbc").proposal().name());
        assertEquals("null-sha1", ProposalNames.parseEsp("null-sha1", false, true).proposal().name());
        assertTrue(assertThrows(IllegalArgumentException.class, () -> ProposalNames.parseEsp("aes128gcm16-sha1"))
                .getMessage().contains("AES-GCM has no integrity part"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> ProposalNames.parseEsp("aes128gcm10"))
                .getMessage().contains("8, 12 or 16 byte ICV"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> ProposalNames.parseEsp("null-sha1"))
                .getMessage().contains("allow-esp-null = true"));
    }

    @Test
    void parsesTheOtherPhase1CiphersAndGroups() {
        assertEquals("camellia256-sha384-ecp384bp", ProposalNames.parseIke("camellia256-sha384-ecp384bp").name());
        assertEquals(EncryptionAlgorithm.BLOWFISH_CBC, ProposalNames.parseIke("blowfish128-sha1-modp1536").encryption());
        assertEquals("cast128-md5-curve25519", ProposalNames.parseIke("cast128-md5-curve25519").name());
        assertEquals(32, ProposalNames.parseIke("aes128-sha256-curve448").group().id());
        assertEquals(24, ProposalNames.parseIke("aes128-sha256-modp2048s256").group().id());
        // Legacy algorithms are not configurable by name (DES, EC2N groups 3 and 4).
        assertThrows(IllegalArgumentException.class, () -> ProposalNames.parseIke("des-sha1-modp1024"));
        assertThrows(IllegalArgumentException.class, () -> ProposalNames.parseIke("aes128-sha1-ec2n155"));
    }

    @Test
    void rejectsUnknownNamesWithAPreciseMessage() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ProposalNames.parseIke("aes512-sha1-modp2048"));
        assertTrue(e.getMessage().contains("unknown cipher 'aes512'"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> ProposalNames.parseIke("aes128-sha1"));
        assertThrows(IllegalArgumentException.class, () -> ProposalNames.parseIke("aes128-sha1-modp9999"));
        assertThrows(IllegalArgumentException.class, () -> ProposalNames.parseEsp("aes128-whirlpool"));
    }
}
