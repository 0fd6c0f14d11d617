package dev.isakmpd.xfrm;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.isakmpd.core.policy.EspCipher;
import dev.isakmpd.core.policy.EspIntegrity;
import dev.isakmpd.core.policy.Subnet;
import dev.isakmpd.core.registry.ProtocolId;
import dev.isakmpd.core.sa.IpsecSa;
import dev.isakmpd.oakley.SecretBytes;
import dev.isakmpd.xfrm.XfrmAttribute.Algorithm;
import java.net.InetAddress;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Which XFRM algorithm attributes an SA's transform becomes (xfrm-linux-constants.md, "Algorithm
 * names"): AES-GCM alone as XFRMA_ALG_AEAD with key + salt and the transform's ICV, the others as
 * XFRMA_ALG_AUTH_TRUNC + XFRMA_ALG_CRYPT; each survives the codec.
 */
class XfrmAlgorithmsTest {
    static IpsecSa sa(EspCipher cipher, int keyBits, EspIntegrity integrity) throws Exception {
        return new IpsecSa("p", "t", IpsecSa.Direction.OUT, 0x1001, InetAddress.getByName("198.51.100.1"),
                InetAddress.getByName("198.51.100.2"), Subnet.parse("10.1.0.0/16"), Subnet.parse("10.2.0.0/16"), cipher,
                keyBits, SecretBytes.copyOf(new byte[cipher.keymatLength(keyBits)]), integrity,
                SecretBytes.copyOf(new byte[integrity.keyLength()]), Duration.ofHours(1), false);
    }

    static List<XfrmAttribute> attributes(IpsecSa sa) throws Exception {
        XfrmAttribute[] a = XfrmKernel.algorithms(sa, sa.encryptionKey().bytes(), sa.authenticationKey().bytes());
        XfrmMessage m = XfrmMessage.of(Xfrm.MSG_NEWSA, 0, XfrmCodecTest.sa(), a);
        XfrmCodec c = new XfrmCodec(ByteOrder.LITTLE_ENDIAN);
        assertEquals(m, c.decode(c.encode(m)), "round trip");
        return List.of(a);
    }

    @ParameterizedTest
    @CsvSource({"AES_GCM_8, 128, 160, 64", "AES_GCM_12, 192, 224, 96", "AES_GCM_16, 256, 288, 128"})
    void gcmIsOneAeadAttributeWithTheSaltInTheKey(EspCipher cipher, int keyBits, int withSalt, int icv)
            throws Exception {
        List<XfrmAttribute> a = attributes(sa(cipher, keyBits, EspIntegrity.NONE));
        assertEquals(1, a.size(), "ALG_AEAD must not be combined with AUTH or CRYPT");
        Algorithm aead = (Algorithm) a.get(0);
        assertEquals(Xfrm.XFRMA_ALG_AEAD, aead.type());
        assertEquals("rfc4106(gcm(aes))", aead.name());
        assertEquals(withSalt, aead.keyBits());
        assertEquals(icv, aead.extraBits());
    }

    @Test
    void ctrCarriesItsNonceAndXcbcItsTruncation() throws Exception {
        List<XfrmAttribute> a = attributes(sa(EspCipher.AES_CTR, 128, EspIntegrity.AES_XCBC_MAC));
        Algorithm auth = (Algorithm) a.get(0);
        Algorithm enc = (Algorithm) a.get(1);
        assertEquals(Xfrm.XFRMA_ALG_AUTH_TRUNC, auth.type());
        assertEquals("xcbc(aes)", auth.name());
        assertEquals(96, auth.extraBits());
        assertEquals(Xfrm.XFRMA_ALG_CRYPT, enc.type());
        assertEquals("rfc3686(ctr(aes))", enc.name());
        assertEquals(160, enc.keyBits(), "128-bit key + 32-bit nonce (RFC 3686 s5.1)");
    }

    @Test
    void aKilobyteLifetimeBecomesTheKernelsByteLimits() throws Exception {
        IpsecSa plain = sa(EspCipher.AES_CBC, 128, EspIntegrity.HMAC_SHA1);
        XfrmStruct.LifetimeCfg none = XfrmKernel.lifetime(plain);
        assertEquals(Xfrm.INF, none.hardByteLimit());
        assertEquals(Xfrm.INF, none.softByteLimit());
        assertEquals(3600, none.hardAddExpiresSeconds());
        IpsecSa limited = new IpsecSa(plain.peer(), plain.tunnel(), plain.direction(), plain.spi(), plain.source(),
                plain.destination(), plain.sourceSelector(), plain.destinationSelector(), plain.cipher(),
                plain.keyBits(), plain.encryptionKey(), plain.integrity(), plain.authenticationKey(), plain.lifetime(),
                false, Optional.empty(), plain.mode(), 100, ProtocolId.IPSEC_ESP, List.of(), 0.87);
        XfrmStruct.LifetimeCfg l = XfrmKernel.lifetime(limited);
        assertEquals(102400, l.hardByteLimit());
        assertEquals(89088, l.softByteLimit(), "the SA's soft share (87 %), as for time");
        assertEquals(3600, l.hardAddExpiresSeconds(), "and the time limit still applies");
        assertEquals(3132, l.softAddExpiresSeconds());
    }

    @Test
    void espNullHasAnEmptyKey() throws Exception {
        Algorithm enc = (Algorithm) attributes(sa(EspCipher.NULL, 0, EspIntegrity.HMAC_SHA2_256)).get(1);
        assertEquals("ecb(cipher_null)", enc.name());
        assertEquals(0, enc.keyBits());
    }
}
