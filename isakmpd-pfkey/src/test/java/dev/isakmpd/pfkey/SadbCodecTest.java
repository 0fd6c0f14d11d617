package dev.isakmpd.pfkey;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.isakmpd.pfkey.SadbExtension.Address;
import dev.isakmpd.pfkey.SadbExtension.IpsecRequest;
import dev.isakmpd.pfkey.SadbExtension.Key;
import dev.isakmpd.pfkey.SadbExtension.Lifetime;
import dev.isakmpd.pfkey.SadbExtension.Policy;
import dev.isakmpd.pfkey.SadbExtension.Sa;
import dev.isakmpd.pfkey.SadbExtension.Sa2;
import java.net.InetAddress;
import java.nio.ByteOrder;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * Byte vectors are messages the Linux kernel sent, captured inside the project's kernel lab
 * (Debian UML kernel 6.1.176, x86-64, so host order = little-endian) by
 * {@code dev.isakmpd.pfkey.lab.PfKeyLabSuite}, which writes every received message to
 * {@code OUT/vectors/NAME.txt} (run: scripts/lab/run-in-uml.sh -- scripts/lab/pfkey-suite.sh OUT CP).
 * The file each vector came from is named next to it. Keys in them are the suite's test keys.
 */
class SadbCodecTest {
    static final SadbCodec LE = new SadbCodec(ByteOrder.LITTLE_ENDIAN);

    /** vectors/dump-in.txt: SADB_DUMP answer for the inbound SA the suite created with GETSPI + UPDATE. */
    static final String DUMP_IN = "020a000322000000000000000201000002000100000013b52001030c0000000004000300000000000000000000000000"
            + "100e000000000000000000000000000004000400000000000000000000000000a80c0000000000000000000000000000"
            + "04000200000000000000000000000000ae2f096b000000000000000000000000030005000020000002000000c6336402"
            + "0000000000000000030006000020000002000000c6336401000000000000000003000700ff0000000200000000000000"
            + "000000000000000004000800a00000000102030405060708090a0b0c0d0e0f1011121314000000000300090080000000"
            + "00112233445566778899aabbccddeeff02001300020000000000000000000000";

    /** vectors/recv-acquire.txt: SADB_ACQUIRE after a datagram 10.1.0.1 -> 10.2.0.1 hit the tunnel policy. */
    static final String ACQUIRE = "020600030b0000000100000000000000030005000020000002000000c633640100000000000000000300060000200000"
            + "02000000c633640200000000000000000200120002000200010000000000000001000d0020000000";

    /** vectors/recv-expire-hard.txt: hard SADB_EXPIRE of the suite's 3-second SA (spi 0x4567). */
    static final String EXPIRE_HARD = "0208000317000000000000000000000002000100000045672003030c0000000004000300000000000000000000000000"
            + "0300000000000000000000000000000004000200000000000000000000000000b32f096b000000000000000000000000"
            + "030005000020000002000000c63364010000000000000000030006000020000002000000c63364020000000000000000"
            + "03000700ff0000000200000000000000000000000000000002001300020000000000000000000000";

    /**
     * vectors/spddump-dir2.txt: SADB_X_SPDDUMP answer for the outbound policy 10.1.0.0/16 -> 10.2.0.0/16,
     * ESP tunnel 198.51.100.1 -> .2, level require. Note sadb_msg_reserved = 2: Linux puts the
     * policy's reference count there.
     */
    static final String SPDDUMP_OUT = "021200001c000200000000000201000003000500ff100000020000000a010000000000000000000003000600ff100000"
            + "020000000a02000000000000000000000400030000000000000000000000000000000000000000000000000000000000"
            + "040004000000000000000000000000000000000000000000000000000000000004000200000000000000000000000000"
            + "b22f096b0000000000000000000000000800120002000200010000000000000030003200020200000000000000000000"
            + "02000000c6336401000000000000000002000000c63364020000000000000000";

    /**
     * vectors/get-ip-xfrm-added.txt: SADB_GET answer for an SA made by another program
     * ({@code ip xfrm state add ... spi 0x5678 ... enc 'cbc(aes)' 0x000102..0f auth 'hmac(sha1)' 0x0001..19}).
     */
    static final String GET_FOREIGN = "0205000322000000a76f2b3d0201000002000100000056780001030c0000000004000300000000000000000000000000"
            + "000000000000000000000000000000000400040000000000000000000000000000000000000000000000000000000000"
            + "04000200000000000000000000000000b62f096b000000000000000000000000030005000020000002000000c6336402"
            + "0000000000000000030006000020000002000000c6336401000000000000000003000700ff0000000200000000000000"
            + "000000000000000004000800a00000000001020304050607080910111213141516171819000000000300090080000000"
            + "000102030405060708090a0b0c0d0e0f02001300020000000000000000000000";

    /** vectors/register-reply.txt: the kernel's answer to SADB_REGISTER for ESP. */
    static final String REGISTER = "0207000316000000f391a8250701000009000e0000000000fb0000000000000002008000800000000300a000a0000000"
            + "0500000100010000060080018001000007000002000200000800a000a000000009008000800000000b000f0000000000"
            + "0b0000000000000002084000400000000308c000c0000000060828008000000007082800c00100000c08800000010000"
            + "fc088000000100001608800000010000fd088000000100000d08a00020010000";

    static byte[] hex(String s) {
        return HexFormat.of().parseHex(s);
    }

    static InetAddress ip(String s) throws Exception {
        return InetAddress.getByName(s);
    }

    @Test
    void decodesTheKernelsDumpOfAnSaWeWrote() throws Exception {
        SadbMessage m = LE.decode(hex(DUMP_IN));
        assertEquals(Sadb.DUMP, m.type());
        assertEquals(Sadb.SATYPE_ESP, m.satype());
        assertEquals(0, m.seq()); // the last message of a dump
        assertEquals(258, m.pid());
        assertEquals(new Sa(0x13b5, 32, Sadb.SASTATE_MATURE, Sadb.AALG_SHA1HMAC, Sadb.X_EALG_AESCBC, 0),
                m.find(Sa.class).orElseThrow());
        assertEquals(new Lifetime(Sadb.EXT_LIFETIME_HARD, 0, 0, 3600, 0), m.lifetime(Sadb.EXT_LIFETIME_HARD).get());
        assertEquals(new Lifetime(Sadb.EXT_LIFETIME_SOFT, 0, 0, 3240, 0), m.lifetime(Sadb.EXT_LIFETIME_SOFT).get());
        assertEquals(Address.host(Sadb.EXT_ADDRESS_SRC, ip("198.51.100.2")), m.address(Sadb.EXT_ADDRESS_SRC).get());
        assertEquals(Address.host(Sadb.EXT_ADDRESS_DST, ip("198.51.100.1")), m.address(Sadb.EXT_ADDRESS_DST).get());
        // Linux adds the (empty) selector as ADDRESS_PROXY: 0.0.0.0/0, any protocol
        assertEquals(new Address(Sadb.EXT_ADDRESS_PROXY, 255, 0, ip("0.0.0.0"), 0),
                m.address(Sadb.EXT_ADDRESS_PROXY).get());
        Key auth = (Key) m.find(Sadb.EXT_KEY_AUTH).get();
        Key enc = (Key) m.find(Sadb.EXT_KEY_ENCRYPT).get();
        assertEquals(160, auth.bits());
        assertArrayEquals(hex("0102030405060708090a0b0c0d0e0f1011121314"), auth.key());
        assertEquals(128, enc.bits());
        assertArrayEquals(hex("00112233445566778899aabbccddeeff"), enc.key());
        assertEquals(new Sa2(Sadb.IPSEC_MODE_TUNNEL, 0, 0), m.find(Sa2.class).get());
        assertFalse(m.toString().contains("00112233"), "keys must be redacted");
        assertTrue(m.toString().contains("KEY_ENCRYPT{128 bits, redacted}"));
    }

    @Test
    void decodesTheKernelsAlgorithmListAndDecidesWhatWeMayOffer() throws Exception {
        SadbMessage m = LE.decode(hex(REGISTER));
        SadbExtension.Supported auth = (SadbExtension.Supported) m.find(Sadb.EXT_SUPPORTED_AUTH).get();
        SadbExtension.Supported enc = (SadbExtension.Supported) m.find(Sadb.EXT_SUPPORTED_ENCRYPT).get();
        assertEquals(List.of(251, 2, 3, 5, 6, 7, 8, 9), auth.algs().stream().map(SadbExtension.Alg::id).toList());
        assertEquals(List.of(11, 2, 3, 6, 7, 12, 252, 22, 253, 13), enc.algs().stream().map(SadbExtension.Alg::id).toList());
        assertEquals(new SadbExtension.Alg(12, 8, 128, 256), enc.find(Sadb.X_EALG_AESCBC).get());
        assertTrue(enc.algs().stream().noneMatch(a -> a.id() >= 14 && a.id() <= 20), "no AEAD through af_key");
        var aes = dev.isakmpd.core.policy.EspCipher.AES_CBC;
        var des3 = dev.isakmpd.core.policy.EspCipher.DES3_CBC;
        var sha1 = dev.isakmpd.core.policy.EspIntegrity.HMAC_SHA1;
        assertTrue(PfKeyKernel.supports(auth, enc, aes, 128, sha1));
        assertTrue(PfKeyKernel.supports(auth, enc, aes, 256, dev.isakmpd.core.policy.EspIntegrity.HMAC_SHA2_512));
        assertTrue(PfKeyKernel.supports(auth, enc, des3, 192, dev.isakmpd.core.policy.EspIntegrity.HMAC_MD5));
        assertFalse(PfKeyKernel.supports(auth, enc, aes, 512, sha1));
        assertFalse(PfKeyKernel.supports(new SadbExtension.Supported(Sadb.EXT_SUPPORTED_AUTH, List.of()), enc, aes, 128,
                sha1));
        assertEquals(!PfKeyKernel.SHA256_TRUNCATED_TO_96,
                PfKeyKernel.supports(auth, enc, aes, 128, dev.isakmpd.core.policy.EspIntegrity.HMAC_SHA2_256));
        // AES-CTR: Linux lists it with the 4-byte nonce counted in the key (160..288 bits)
        assertEquals(new SadbExtension.Alg(13, 8, 160, 288), enc.find(Sadb.X_EALG_AESCTR).get());
        assertTrue(PfKeyKernel.supports(auth, enc, dev.isakmpd.core.policy.EspCipher.AES_CTR, 256, sha1));
        assertTrue(PfKeyKernel.supports(auth, enc, aes, 128, dev.isakmpd.core.policy.EspIntegrity.AES_XCBC_MAC));
        // AES-GCM: PF_KEY has no ICV length, whatever the kernel lists
        assertFalse(PfKeyKernel.supports(auth, enc, dev.isakmpd.core.policy.EspCipher.AES_GCM_16, 128,
                dev.isakmpd.core.policy.EspIntegrity.NONE));
        // what check and run say about it
        assertEquals("PF_KEY cannot express AEAD ciphers (it has no ICV length); kernel = \"xfrm\" can",
                PfKeyKernel.whyUnsupported(dev.isakmpd.core.policy.EspCipher.AES_GCM_8,
                        dev.isakmpd.core.policy.EspIntegrity.NONE));
    }

    @Test
    void kernelMessagesReEncodeToTheSameBytes() throws Exception {
        for (String v : List.of(DUMP_IN, ACQUIRE, EXPIRE_HARD, SPDDUMP_OUT, GET_FOREIGN, REGISTER)) {
            assertEquals(v, HexFormat.of().formatHex(LE.encode(LE.decode(hex(v)))));
        }
    }

    @Test
    void decodesAcquire() throws Exception {
        SadbMessage m = LE.decode(hex(ACQUIRE));
        assertEquals(Sadb.ACQUIRE, m.type());
        assertEquals(0, m.pid());
        assertEquals(ip("198.51.100.1"), m.address(Sadb.EXT_ADDRESS_SRC).get().address());
        assertEquals(ip("198.51.100.2"), m.address(Sadb.EXT_ADDRESS_DST).get().address());
        Policy p = m.find(Policy.class).get();
        assertEquals(Sadb.IPSEC_DIR_OUTBOUND, p.direction());
        assertEquals(1, p.id());
        assertTrue(p.requests().isEmpty());
        assertEquals(32, m.find(SadbExtension.Proposal.class).get().replay());
    }

    @Test
    void decodesHardExpire() throws Exception {
        SadbMessage m = LE.decode(hex(EXPIRE_HARD));
        assertEquals(Sadb.EXPIRE, m.type());
        assertEquals(0x4567, m.find(Sa.class).get().spi());
        assertEquals(3, m.lifetime(Sadb.EXT_LIFETIME_HARD).get().addtime());
        assertEquals(Sadb.SASTATE_DEAD, m.find(Sa.class).get().state());
        assertTrue(m.lifetime(Sadb.EXT_LIFETIME_HARD).isPresent());
        assertTrue(m.lifetime(Sadb.EXT_LIFETIME_SOFT).isEmpty());
        assertEquals(3, m.lifetime(Sadb.EXT_LIFETIME_HARD).get().addtime());
    }

    @Test
    void decodesAnSpdEntryWithItsTunnelRequest() throws Exception {
        SadbMessage m = LE.decode(hex(SPDDUMP_OUT));
        assertEquals(Sadb.X_SPDDUMP, m.type());
        assertEquals(2, m.reserved()); // the policy's reference count at the time
        assertEquals(new Address(Sadb.EXT_ADDRESS_SRC, 255, 16, ip("10.1.0.0"), 0), m.address(Sadb.EXT_ADDRESS_SRC).get());
        assertEquals(new Address(Sadb.EXT_ADDRESS_DST, 255, 16, ip("10.2.0.0"), 0), m.address(Sadb.EXT_ADDRESS_DST).get());
        assertEquals(new Policy(Sadb.IPSEC_POLICY_IPSEC, Sadb.IPSEC_DIR_OUTBOUND, 1, 0,
                List.of(new IpsecRequest(Sadb.IPPROTO_ESP, Sadb.IPSEC_MODE_TUNNEL, Sadb.IPSEC_LEVEL_REQUIRE, 0,
                        Optional.of(ip("198.51.100.1")), Optional.of(ip("198.51.100.2"))))),
                m.find(Policy.class).get());
    }

    @Test
    void ourSpdAddHasTheKernelsLayout() throws Exception {
        // what PfKeyKernel.spdAdd sends; the kernel's echo of it (minus reserved, seq, the lifetimes
        // it adds, and the id it assigns) is SPDDUMP_OUT's policy extension, byte for byte
        SadbMessage req = SadbMessage.request(Sadb.X_SPDADD, Sadb.SATYPE_UNSPEC,
                new Address(Sadb.EXT_ADDRESS_SRC, 255, 16, ip("10.1.0.0"), 0),
                new Address(Sadb.EXT_ADDRESS_DST, 255, 16, ip("10.2.0.0"), 0),
                new Policy(Sadb.IPSEC_POLICY_IPSEC, Sadb.IPSEC_DIR_OUTBOUND, 1, 0,
                        List.of(new IpsecRequest(Sadb.IPPROTO_ESP, Sadb.IPSEC_MODE_TUNNEL, Sadb.IPSEC_LEVEL_REQUIRE,
                                0, Optional.of(ip("198.51.100.1")), Optional.of(ip("198.51.100.2"))))));
        String ours = HexFormat.of().formatHex(LE.encode(req));
        String policyExt = "080012000200020001000000000000003000320002020000000000000000000002000000c633640100000000"
                + "0000000002000000c63364020000000000000000";
        assertTrue(SPDDUMP_OUT.endsWith(policyExt));
        assertTrue(ours.endsWith(policyExt), ours);
        String addresses = "03000500ff100000020000000a01000000000000000000000300060" + "0ff100000020000000a020000"
                + "0000000000000000";
        assertTrue(ours.contains(addresses) && SPDDUMP_OUT.contains(addresses));
        assertEquals("020e0000" + "1000" + "0000", ours.substring(0, 16)); // 16 words = 128 bytes
    }

    @Test
    void lengthsAreIn64BitWordsBothWays() throws Exception {
        byte[] b = LE.encode(SadbMessage.request(Sadb.GETSPI, Sadb.SATYPE_ESP,
                Address.host(Sadb.EXT_ADDRESS_SRC, ip("192.0.2.1")),
                Address.host(Sadb.EXT_ADDRESS_DST, ip("2001:db8::1")),
                new SadbExtension.SpiRange(0x100, 0xffffffff)));
        assertEquals(0, b.length % 8);
        assertEquals(b.length / 8, (b[4] & 0xff) | (b[5] & 0xff) << 8);
        // sadb_address + sockaddr_in = 24 bytes (3 words); + sockaddr_in6 (28, padded to 32) = 40 (5 words)
        assertEquals(3, b[16]);
        assertEquals(5, b[16 + 24]);
        assertEquals(2, b[16 + 24 + 40]);
        SadbMessage back = LE.decode(b);
        assertEquals(ip("2001:db8::1"), back.address(Sadb.EXT_ADDRESS_DST).get().address());
        assertEquals(new SadbExtension.SpiRange(0x100, 0xffffffff), back.find(SadbExtension.SpiRange.class).get());
    }

    @Test
    void everyExtensionRoundTrips() throws Exception {
        SadbMessage m = new SadbMessage(Sadb.ADD, 0, Sadb.SATYPE_ESP, 7, 99, List.of(
                new Sa(0xdeadbeef, 64, 1, 3, 12, 0x20000000),
                new Lifetime(Sadb.EXT_LIFETIME_CURRENT, 1, 2, 3, 4),
                new Lifetime(Sadb.EXT_LIFETIME_HARD, 0, 1L << 40, 3600, 0),
                new Lifetime(Sadb.EXT_LIFETIME_SOFT, 0, 1L << 39, 3000, 0),
                new Address(Sadb.EXT_ADDRESS_SRC, 17, 32, ip("192.0.2.1"), 4500),
                Address.host(Sadb.EXT_ADDRESS_DST, ip("192.0.2.2")),
                new Address(Sadb.EXT_ADDRESS_PROXY, 255, 64, ip("2001:db8::"), 0),
                new Key(Sadb.EXT_KEY_AUTH, 160, hex("0102030405060708090a0b0c0d0e0f1011121314")),
                new Key(Sadb.EXT_KEY_ENCRYPT, 192, hex("000102030405060708090a0b0c0d0e0f1011121314151617")),
                new SadbExtension.Identity(Sadb.EXT_IDENTITY_SRC, Sadb.IDENTTYPE_FQDN, 0, "gw.example"),
                new SadbExtension.Identity(Sadb.EXT_IDENTITY_DST, Sadb.IDENTTYPE_USERFQDN, 5, "a@example.org"),
                new SadbExtension.Sensitivity(1, 2, 3, new long[] {5, 6}, new long[] {7}),
                new SadbExtension.Proposal(32, List.of(new SadbExtension.Comb(3, 12, 0, 160, 160, 128, 256, 0, 0,
                        0, 0, 2880, 3600, 0, 0))),
                new SadbExtension.Supported(Sadb.EXT_SUPPORTED_AUTH, List.of(new SadbExtension.Alg(3, 0, 160, 160))),
                new SadbExtension.Supported(Sadb.EXT_SUPPORTED_ENCRYPT,
                        List.of(new SadbExtension.Alg(12, 16, 128, 256), new SadbExtension.Alg(3, 8, 192, 192))),
                new SadbExtension.SpiRange(0x100, 0x1000),
                new SadbExtension.Opaque(Sadb.X_EXT_KMPRIVATE, new byte[4]),
                new Policy(Sadb.IPSEC_POLICY_IPSEC, Sadb.IPSEC_DIR_INBOUND, 9, 100, List.of(
                        new IpsecRequest(Sadb.IPPROTO_ESP, 2, 2, 7, Optional.of(ip("2001:db8::1")),
                                Optional.of(ip("2001:db8::2"))),
                        new IpsecRequest(Sadb.IPPROTO_AH, 1, 1, 0, Optional.empty(), Optional.empty()))),
                new Sa2(Sadb.IPSEC_MODE_TUNNEL, 5, 42),
                new SadbExtension.NatTType(Sadb.UDP_ENCAP_ESPINUDP),
                new SadbExtension.NatTPort(Sadb.X_EXT_NAT_T_SPORT, 4500),
                new SadbExtension.NatTPort(Sadb.X_EXT_NAT_T_DPORT, 61234),
                new Address(Sadb.X_EXT_NAT_T_OA, 0, 32, ip("10.0.0.1"), 0)));
        for (ByteOrder order : List.of(ByteOrder.LITTLE_ENDIAN, ByteOrder.BIG_ENDIAN)) {
            SadbCodec c = new SadbCodec(order);
            byte[] b = c.encode(m);
            SadbMessage back = c.decode(b);
            assertEquals(m, back);
            assertArrayEquals(b, c.encode(back));
        }
        byte[] le = LE.encode(m);
        // SPI and NAT-T ports are network order whatever the host order
        assertEquals("deadbeef", HexFormat.of().formatHex(le, 16 + 4, 16 + 8));
        assertFalse(m.toString().contains("0102030405"), "keys must be redacted");
    }

    @Test
    void rejectsBrokenLengths() {
        byte[] v = hex(DUMP_IN);
        assertThrows(PfKeyFormatException.class, () -> LE.decode(v, v.length - 8)); // msg_len says more
        byte[] shortMsg = v.clone();
        shortMsg[4] = 0x21; // one word less than received
        assertTrue(assertThrows(PfKeyFormatException.class, () -> LE.decode(shortMsg)).getMessage()
                .contains("sadb_msg_len"));
        assertThrows(PfKeyFormatException.class, () -> LE.decode(v, 12)); // shorter than sadb_msg
        assertThrows(PfKeyFormatException.class, () -> LE.decode(java.util.Arrays.copyOf(v, v.length + 4)));
        byte[] zeroExt = v.clone();
        zeroExt[16] = 0; // SA extension of length 0
        assertTrue(assertThrows(PfKeyFormatException.class, () -> LE.decode(zeroExt)).getMessage().contains("length 0"));
        byte[] longExt = v.clone();
        longExt[16] = 0x30; // SA extension runs past the end
        assertThrows(PfKeyFormatException.class, () -> LE.decode(longExt));
        byte[] smallSa = v.clone();
        smallSa[16] = 1; // SA extension of 8 bytes (needs 16); the rest then misparses
        assertThrows(PfKeyFormatException.class, () -> LE.decode(smallSa));
        byte[] version = v.clone();
        version[0] = 1;
        assertThrows(PfKeyFormatException.class, () -> LE.decode(version));
    }

    @Test
    void rejectsDuplicateExtensionsAndBadContents() throws Exception {
        byte[] v = hex(DUMP_IN);
        byte[] dup = v.clone();
        dup[16 + 16 + 2] = 4; // LIFETIME_HARD relabelled LIFETIME_SOFT: now twice
        assertTrue(assertThrows(PfKeyFormatException.class, () -> LE.decode(dup)).getMessage().contains("twice"));
        byte[] family = v.clone();
        int src = 16 + 16 + 3 * 32; // SA, 3 lifetimes, then ADDRESS_SRC
        family[src + 8] = 7; // sockaddr family 7
        assertTrue(assertThrows(PfKeyFormatException.class, () -> LE.decode(family)).getMessage()
                .contains("address family"));
        byte[] prefix = v.clone();
        prefix[src + 5] = 33;
        assertThrows(PfKeyFormatException.class, () -> LE.decode(prefix));
        byte[] keyBits = v.clone();
        int keyAuth = src + 3 * 24;
        keyBits[keyAuth + 4] = (byte) 0xc8; // 200 bits in 24 bytes of room is fine; 0x1c8 = 456 is not
        keyBits[keyAuth + 5] = 1;
        assertTrue(assertThrows(PfKeyFormatException.class, () -> LE.decode(keyBits)).getMessage().contains("bits"));
        byte[] req = hex(SPDDUMP_OUT);
        int rq = req.length - 48;
        req[rq] = 0x34; // ipsecrequest_len 52: not a multiple of 8
        assertTrue(assertThrows(PfKeyFormatException.class, () -> LE.decode(req)).getMessage()
                .contains("ipsecrequest"));
        assertThrows(IllegalArgumentException.class, () -> LE.encode(SadbMessage.request(Sadb.ADD, 3,
                new Sa(1, 0, 0, 0, 0, 0), new Sa(2, 0, 0, 0, 0, 0))));
    }

    @Test
    void udpEncapsulatedSasCarryTheNatTExtensions() throws Exception {
        java.net.InetAddress a = java.net.InetAddress.getByName("198.51.100.1");
        java.net.InetAddress b = java.net.InetAddress.getByName("203.0.113.7");
        dev.isakmpd.core.sa.IpsecSa sa = new dev.isakmpd.core.sa.IpsecSa("p", "t", dev.isakmpd.core.sa.IpsecSa.Direction.OUT,
                0x1234, a, b, dev.isakmpd.core.policy.Subnet.parse("10.1.0.0/16"),
                dev.isakmpd.core.policy.Subnet.parse("10.2.0.0/16"), dev.isakmpd.core.policy.EspCipher.AES_CBC, 128,
                dev.isakmpd.oakley.SecretBytes.copyOf(new byte[16]), dev.isakmpd.core.policy.EspIntegrity.HMAC_SHA1,
                dev.isakmpd.oakley.SecretBytes.copyOf(new byte[20]), java.time.Duration.ofHours(1), false)
                .withUdpEncapsulation(java.util.Optional.of(new dev.isakmpd.core.sa.UdpEncapsulation(4500, 40001,
                        java.util.Optional.empty())));
        assertEquals(java.util.List.of(new SadbExtension.NatTType(2),
                new SadbExtension.NatTPort(Sadb.X_EXT_NAT_T_SPORT, 4500),
                new SadbExtension.NatTPort(Sadb.X_EXT_NAT_T_DPORT, 40001)), PfKeyKernel.natTraversal(sa));
        assertEquals(java.util.List.of(), PfKeyKernel.natTraversal(sa.withUdpEncapsulation(java.util.Optional.empty())));
    }
}
