package dev.isakmpd.xfrm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.isakmpd.core.kernel.KernelEvent;
import dev.isakmpd.core.kernel.ReplayState;
import dev.isakmpd.core.policy.Subnet;
import dev.isakmpd.xfrm.XfrmAttribute.Algorithm;
import dev.isakmpd.xfrm.XfrmAttribute.Templates;
import dev.isakmpd.xfrm.XfrmBody.SaInfo;
import dev.isakmpd.xfrm.XfrmStruct.LifetimeCfg;
import dev.isakmpd.xfrm.XfrmStruct.LifetimeCur;
import dev.isakmpd.xfrm.XfrmStruct.Selector;
import dev.isakmpd.xfrm.XfrmStruct.Template;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Byte layouts: every offset and size asserted here is from the table "Struct layouts" of
 * specs/xfrm-linux-constants.md, which a C program printed with offsetof/sizeof against Debian's
 * linux-libc-dev 6.1 headers on x86-64 (so little-endian, u64 aligned to 8); nlmsghdr, nlattr and
 * nlmsgerr are from linux/netlink.h.
 */
class XfrmCodecTest {
    static final XfrmCodec LE = new XfrmCodec(ByteOrder.LITTLE_ENDIAN);
    static final InetAddress US = ip("198.51.100.1");
    static final InetAddress PEER = ip("198.51.100.2");
    static final byte[] ENC = HexFormat.of().parseHex("00112233445566778899aabbccddeeff");
    static final byte[] AUTH = HexFormat.of().parseHex("000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f");

    static InetAddress ip(String s) {
        try {
            return InetAddress.getByName(s);
        } catch (java.io.IOException e) {
            throw new IllegalArgumentException(e);
        }
    }

    static SaInfo sa() {
        return new SaInfo(Selector.of(Subnet.parse("10.1.0.0/16"), Subnet.parse("10.2.0.0/24")), PEER, 0x12345678,
                Xfrm.IPPROTO_ESP, US, LifetimeCfg.seconds(3240, 3600), LifetimeCur.ZERO, 0, 0, 0, 7, 0x15a00001,
                Xfrm.AF_INET, Xfrm.MODE_TUNNEL, 32, 0);
    }

    static XfrmMessage newSa() {
        return XfrmMessage.of(Xfrm.MSG_NEWSA, Xfrm.NLM_F_REQUEST | Xfrm.NLM_F_ACK, sa(),
                Algorithm.authTrunc("hmac(sha256)", AUTH, 128), Algorithm.crypt("cbc(aes)", ENC))
                .withSeqPid(0x01020304, 4242);
    }

    static ByteBuffer le(byte[] b) {
        return ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
    }

    static byte[] slice(byte[] b, int from, int n) {
        return Arrays.copyOfRange(b, from, from + n);
    }

    @Test
    void newSaWithRfc4868TruncationHasTheKernelsLayout() throws Exception {
        byte[] b = LE.encode(newSa());
        // nlmsghdr 16 + xfrm_usersa_info 224 + nlattr(4 + xfrm_algo_auth 72 + 32 key) + nlattr(4 + xfrm_algo 68 + 16)
        assertEquals(16 + 224 + 108 + 88, b.length);
        ByteBuffer x = le(b);
        assertEquals(b.length, x.getInt(0), "nlmsg_len");
        assertEquals(Xfrm.MSG_NEWSA, x.getShort(4));
        assertEquals(Xfrm.NLM_F_REQUEST | Xfrm.NLM_F_ACK, x.getShort(6));
        assertEquals(0x01020304, x.getInt(8));
        assertEquals(4242, x.getInt(12));
        int u = 16; // xfrm_usersa_info: sel 0:56
        assertArrayEquals(ip("10.2.0.0").getAddress(), slice(b, u, 4), "sel.daddr");
        assertArrayEquals(new byte[12], slice(b, u + 4, 12), "rest of the IPv4 xfrm_address_t");
        assertArrayEquals(ip("10.1.0.0").getAddress(), slice(b, u + 16, 4), "sel.saddr");
        assertEquals(Xfrm.AF_INET, x.getShort(u + 40), "sel.family");
        assertEquals(24, b[u + 42], "sel.prefixlen_d");
        assertEquals(16, b[u + 43], "sel.prefixlen_s");
        assertArrayEquals(PEER.getAddress(), slice(b, u + 56, 4), "id.daddr");
        assertArrayEquals(new byte[] {0x12, 0x34, 0x56, 0x78}, slice(b, u + 72, 4), "id.spi (be32)");
        assertEquals(50, b[u + 76], "id.proto");
        assertArrayEquals(US.getAddress(), slice(b, u + 80, 4), "saddr");
        assertEquals(-1L, x.getLong(u + 96), "lft.soft_byte_limit = XFRM_INF");
        assertEquals(-1L, x.getLong(u + 120), "lft.hard_packet_limit = XFRM_INF");
        assertEquals(3240L, x.getLong(u + 128), "lft.soft_add_expires_seconds");
        assertEquals(3600L, x.getLong(u + 136), "lft.hard_add_expires_seconds");
        assertEquals(0L, x.getLong(u + 160), "curlft.bytes");
        assertEquals(7, x.getInt(u + 204), "seq");
        assertEquals(0x15a00001, x.getInt(u + 208), "reqid");
        assertEquals(Xfrm.AF_INET, x.getShort(u + 212), "family");
        assertEquals(1, b[u + 214], "mode tunnel");
        assertEquals(32, b[u + 215], "replay_window");
        assertEquals(0, b[u + 216], "flags");
        int a = u + 224; // XFRMA_ALG_AUTH_TRUNC
        assertEquals(108, x.getShort(a), "nla_len");
        assertEquals(20, x.getShort(a + 2), "nla_type");
        assertEquals("hmac(sha256)", new String(slice(b, a + 4, 12), StandardCharsets.US_ASCII));
        assertArrayEquals(new byte[64 - 12], slice(b, a + 4 + 12, 64 - 12), "alg_name NUL padded");
        assertEquals(256, x.getInt(a + 4 + 64), "alg_key_len (bits)");
        assertEquals(128, x.getInt(a + 4 + 68), "alg_trunc_len (bits)");
        assertArrayEquals(AUTH, slice(b, a + 4 + 72, 32));
        int c = a + 108; // XFRMA_ALG_CRYPT
        assertEquals(88, x.getShort(c));
        assertEquals(2, x.getShort(c + 2));
        assertEquals("cbc(aes)", new String(slice(b, c + 4, 8), StandardCharsets.US_ASCII));
        assertEquals(128, x.getInt(c + 4 + 64), "alg_key_len");
        assertArrayEquals(ENC, slice(b, c + 4 + 68, 16));
    }

    @Test
    void roundTripsAndNeverShowsKeys() throws Exception {
        XfrmMessage m = newSa();
        XfrmMessage back = LE.decode(LE.encode(m));
        assertEquals(m, back);
        assertEquals(128, back.algorithm(Xfrm.XFRMA_ALG_AUTH_TRUNC).orElseThrow().extraBits());
        for (String shown : List.of(back.describe(), back.toString())) {
            assertFalse(shown.contains("00112233") || shown.contains("ccddeeff") || shown.contains("1c1d1e1f"), shown);
        }
        back.wipeKeys();
        assertArrayEquals(new byte[16], back.algorithm(Xfrm.XFRMA_ALG_CRYPT).orElseThrow().key());
        // the big-endian host order changes only the host-order fields
        XfrmCodec be = new XfrmCodec(ByteOrder.BIG_ENDIAN);
        assertEquals(m, be.decode(be.encode(m)));
        assertEquals(0x12345678, ByteBuffer.wrap(be.encode(m)).getInt(16 + 72), "SPI is big-endian either way");
    }

    @Test
    void aeadCarriesTheIcvLength() throws Exception {
        // xfrm_algo_aead: alg_name 0:64, alg_key_len 64:4 (key + 4-byte salt), alg_icv_len 68:4, alg_key 72..
        byte[] key = new byte[20];
        XfrmMessage m = XfrmMessage.of(Xfrm.MSG_NEWSA, 0, sa(),
                new Algorithm(Xfrm.XFRMA_ALG_AEAD, "rfc4106(gcm(aes))", 160, 128, key));
        byte[] b = LE.encode(m);
        ByteBuffer x = le(b);
        assertEquals(4 + 72 + 20, x.getShort(240));
        assertEquals(18, x.getShort(242));
        assertEquals(160, x.getInt(244 + 64));
        assertEquals(128, x.getInt(244 + 68));
        assertEquals(m, LE.decode(b));
    }

    @Test
    void policyWithTemplateHasTheKernelsLayout() throws Exception {
        XfrmBody.PolicyInfo p = new XfrmBody.PolicyInfo(Selector.of(Subnet.parse("10.1.0.0/16"),
                Subnet.parse("10.2.0.0/16")), LifetimeCfg.infinite(), LifetimeCur.ZERO, 0x100, 0, Xfrm.POLICY_OUT,
                Xfrm.POLICY_ALLOW, 0, Xfrm.SHARE_ANY);
        XfrmMessage m = XfrmMessage.of(Xfrm.MSG_NEWPOLICY, Xfrm.NLM_F_REQUEST, p,
                new Templates(List.of(Template.espTunnel(US, PEER, 0x15a00002))));
        byte[] b = LE.encode(m);
        assertEquals(16 + 168 + 4 + 64, b.length);
        ByteBuffer x = le(b);
        int u = 16; // xfrm_userpolicy_info: sel 0:56, lft 56:64, curlft 120:32, priority 152, index 156, dir 160
        assertEquals(-1L, x.getLong(u + 56));
        assertEquals(0x100, x.getInt(u + 152), "priority");
        assertEquals(0, x.getInt(u + 156), "index");
        assertEquals(1, b[u + 160], "dir out");
        assertEquals(0, b[u + 161], "action allow");
        int t = u + 168 + 4; // xfrm_user_tmpl
        assertEquals(68, x.getShort(u + 168));
        assertEquals(5, x.getShort(u + 170), "XFRMA_TMPL");
        assertArrayEquals(PEER.getAddress(), slice(b, t, 4), "id.daddr");
        assertEquals(50, b[t + 20], "id.proto");
        assertEquals(Xfrm.AF_INET, x.getShort(t + 24), "family");
        assertArrayEquals(US.getAddress(), slice(b, t + 28, 4), "saddr");
        assertEquals(0x15a00002, x.getInt(t + 44), "reqid");
        assertEquals(1, b[t + 48], "mode tunnel");
        assertEquals(-1, x.getInt(t + 52), "aalgos");
        assertEquals(-1, x.getInt(t + 60), "calgos");
        assertEquals(m, LE.decode(b));
    }

    @Test
    void nlmsgLenCountsThePaddingOfTheLastAttribute() throws Exception {
        // nla_put (lib/nlattr.c) reserves nla_total_size = NLA_ALIGN(4 + len): a 6-byte
        // xfrm_userpolicy_type attribute is 10 long and takes 12 bytes of the message
        XfrmMessage m = XfrmMessage.of(Xfrm.MSG_UPDSA, 0, sa(), new XfrmAttribute.Raw(16, new byte[6]));
        byte[] b = LE.encode(m);
        assertEquals(16 + 224 + 12, b.length);
        assertEquals(b.length, le(b).getInt(0));
        assertEquals(10, le(b).getShort(240));
        assertEquals(m, LE.decode(b));
    }

    @Test
    void allocSpiAndIdsHaveTheKernelsLayout() throws Exception {
        // xfrm_userspi_info: info 0:224, min 224:4, max 228:4 (host order)
        byte[] b = LE.encode(XfrmMessage.of(Xfrm.MSG_ALLOCSPI, Xfrm.NLM_F_REQUEST,
                new XfrmBody.SpiInfo(sa(), 0x100, 0xffffffff)));
        assertEquals(16 + 232, b.length);
        assertEquals(0x100, le(b).getInt(16 + 224));
        assertEquals(-1, le(b).getInt(16 + 228));
        // xfrm_usersa_id: daddr 0:16, spi 16:4 (be32), family 20:2, proto 22:1
        byte[] d = LE.encode(XfrmMessage.of(Xfrm.MSG_DELSA, Xfrm.NLM_F_REQUEST,
                new XfrmBody.SaId(PEER, 0x2345, Xfrm.AF_INET, Xfrm.IPPROTO_ESP)));
        assertEquals(16 + 24, d.length);
        assertEquals("c6336402000000000000000000000000" + "00002345" + "0200" + "32" + "00",
                HexFormat.of().formatHex(slice(d, 16, 24)));
        // xfrm_userpolicy_id: sel 0:56, index 56:4, dir 60:1
        byte[] p = LE.encode(XfrmMessage.of(Xfrm.MSG_DELPOLICY, Xfrm.NLM_F_REQUEST, new XfrmBody.PolicyId(
                Selector.of(Subnet.parse("10.2.0.0/16"), Subnet.parse("10.1.0.0/16")), 0, Xfrm.POLICY_FWD)));
        assertEquals(16 + 64, p.length);
        assertEquals(2, p[16 + 60]);
        assertEquals(16, p[16 + 43], "prefixlen_s");
    }

    @Test
    void ipv6AddressesUseAll16Bytes() throws Exception {
        InetAddress a = ip("2001:db8::1");
        InetAddress z = ip("2001:db8::2");
        SaInfo s = new SaInfo(Selector.of(Subnet.parse("2001:db8:1::/48"), Subnet.parse("2001:db8:2::/48")), z, 0x300,
                Xfrm.IPPROTO_ESP, a, LifetimeCfg.seconds(9, 10), LifetimeCur.ZERO, 0, 0, 0, 0, 1, Xfrm.AF_INET6,
                Xfrm.MODE_TUNNEL, 32, 0);
        byte[] b = LE.encode(XfrmMessage.of(Xfrm.MSG_NEWSA, 0, s));
        assertArrayEquals(z.getAddress(), slice(b, 16 + 56, 16));
        assertEquals(Xfrm.AF_INET6, le(b).getShort(16 + 40));
        assertEquals(48, b[16 + 42]);
        assertEquals(s, LE.decode(b).body());
    }

    @Test
    void readsTheUnspecifiedSelectorOfAnIpv6AllocSpiReply() throws Exception {
        // the kernel answers XFRM_MSG_ALLOCSPI with the larval SA it made (__find_acq_core):
        // its selector has the SA's host addresses and /128 prefixes, but family 0
        InetAddress a = ip("2001:db8::1");
        InetAddress z = ip("2001:db8::2");
        Selector larval = new Selector(z, a, 0, 0, 0, 0, 0, 128, 128, 0, 0, 0);
        SaInfo s = new SaInfo(larval, z, 0xc0ffee01, Xfrm.IPPROTO_ESP, a, LifetimeCfg.seconds(0, 0), LifetimeCur.ZERO,
                0, 0, 0, 0, 0x15a00000, Xfrm.AF_INET6, Xfrm.MODE_TUNNEL, 0, 0);
        byte[] b = LE.encode(XfrmMessage.of(Xfrm.MSG_NEWSA, 0, s));
        assertEquals(Xfrm.AF_INET6, le(b).getShort(16 + 212), "xfrm_usersa_info.family");
        assertEquals(0, le(b).getShort(16 + 40), "sel.family");
        assertEquals(s, LE.decode(b).body());
        // an IPv4 SA's selector of family 0 still has at most /32
        SaInfo v4 = new SaInfo(new Selector(PEER, US, 0, 0, 0, 0, 0, 128, 128, 0, 0, 0), PEER, 1, Xfrm.IPPROTO_ESP,
                US, LifetimeCfg.seconds(0, 0), LifetimeCur.ZERO, 0, 0, 0, 0, 1, Xfrm.AF_INET, Xfrm.MODE_TUNNEL, 0, 0);
        byte[] b4 = LE.encode(XfrmMessage.of(Xfrm.MSG_NEWSA, 0, v4));
        XfrmFormatException e = assertThrows(XfrmFormatException.class, () -> LE.decode(b4));
        assertTrue(e.getMessage().contains("selector prefix length 128 over 32"), e.getMessage());
    }

    /** Written field by field at the table's offsets, independently of the encoder. */
    static byte[] acquireByHand() {
        ByteBuffer x = ByteBuffer.allocate(16 + 280 + 68).order(ByteOrder.LITTLE_ENDIAN);
        x.putInt(0, 16 + 280 + 68).putShort(4, (short) 23).putInt(8, 0).putInt(12, 0);
        int u = 16; // xfrm_user_acquire: id 0:24, saddr 24:16, sel 40:56, policy 96:168, aalgos 264, seq 276
        x.put(u, PEER.getAddress()).put(u + 20, (byte) 50);
        x.put(u + 24, US.getAddress());
        x.put(u + 40, ip("10.2.0.1").getAddress()).put(u + 40 + 16, ip("10.1.0.1").getAddress())
                .putShort(u + 40 + 40, (short) 2).put(u + 40 + 42, (byte) 32).put(u + 40 + 43, (byte) 32)
                .put(u + 40 + 44, (byte) 17);
        int p = u + 96; // the policy's xfrm_userpolicy_info
        x.put(p, ip("10.2.0.0").getAddress()).put(p + 16, ip("10.1.0.0").getAddress()).putShort(p + 40, (short) 2)
                .put(p + 42, (byte) 16).put(p + 43, (byte) 16);
        x.putInt(p + 156, 0x219).put(p + 160, (byte) 1);
        x.putInt(u + 264, -1).putInt(u + 268, -1).putInt(u + 272, -1).putInt(u + 276, 0x55);
        int t = u + 280; // XFRMA_TMPL with one xfrm_user_tmpl
        x.putShort(t, (short) 68).putShort(t + 2, (short) 5);
        x.put(t + 4, PEER.getAddress()).put(t + 4 + 20, (byte) 50).putShort(t + 4 + 24, (short) 2)
                .put(t + 4 + 28, US.getAddress()).putInt(t + 4 + 44, 0x15a00002).put(t + 4 + 48, (byte) 1);
        return x.array();
    }

    @Test
    void decodesAnAcquireWrittenByHand() throws Exception {
        byte[] bytes = acquireByHand();
        XfrmMessage m = LE.decode(bytes);
        XfrmBody.Acquire a = (XfrmBody.Acquire) m.body();
        assertEquals(PEER, a.daddr());
        assertEquals(US, a.saddr());
        assertEquals(50, a.proto());
        assertEquals(Subnet.parse("10.1.0.0/16"), a.policy().sel().source());
        assertEquals(Subnet.parse("10.2.0.0/16"), a.policy().sel().destination());
        assertEquals(Xfrm.POLICY_OUT, a.policy().dir());
        assertEquals(0x219, a.policy().index());
        assertEquals(17, a.sel().proto());
        assertEquals(0x55, a.seq());
        assertEquals(0x15a00002, m.templates().orElseThrow().templates().get(0).reqid());
        assertArrayEquals(bytes, LE.encode(m));
    }

    @Test
    void decodesAnExpireAndTheMessagesThatFollowIt() throws Exception {
        // xfrm_user_expire: state 0:224, hard 224:1, size 232; then an NLMSG_DONE in the same datagram
        XfrmMessage e = XfrmMessage.of(Xfrm.MSG_EXPIRE, 0, new XfrmBody.Expire(sa(), 1));
        byte[] one = LE.encode(e);
        assertEquals(16 + 232, one.length);
        assertEquals(1, one[16 + 224]);
        byte[] two = Arrays.copyOf(one, one.length + 20);
        le(two).putInt(one.length, 20).putShort(one.length + 4, (short) Xfrm.NLMSG_DONE);
        List<XfrmMessage> all = LE.decodeAll(two, two.length);
        assertEquals(2, all.size());
        assertEquals(1, ((XfrmBody.Expire) all.get(0).body()).hard());
        assertEquals(0x12345678, ((XfrmBody.Expire) all.get(0).body()).state().spi());
        assertEquals(Xfrm.NLMSG_DONE, all.get(1).type());
    }

    @Test
    void decodesAnErrorWithTheKernelsExplanation() throws Exception {
        // struct nlmsgerr {int error; struct nlmsghdr msg;} capped (NETLINK_CAP_ACK), then the
        // NLMSGERR_ATTR_MSG TLV (NETLINK_EXT_ACK)
        String text = "Invalid algorithm";
        int tlv = 4 + text.length() + 1;
        ByteBuffer x = ByteBuffer.allocate(16 + 20 + XfrmCodec.align(tlv)).order(ByteOrder.LITTLE_ENDIAN);
        x.putInt(x.capacity()).putShort((short) 2).putShort((short) (Xfrm.NLM_F_CAPPED | Xfrm.NLM_F_ACK_TLVS))
                .putInt(99).putInt(4242);
        x.putInt(-22).putInt(436).putShort((short) 16).putShort((short) 5).putInt(99).putInt(4242);
        x.putShort((short) tlv).putShort((short) 1).put(text.getBytes(StandardCharsets.US_ASCII));
        XfrmBody.Error e = (XfrmBody.Error) LE.decode(x.array()).body();
        assertEquals(-22, e.error());
        assertEquals(Xfrm.MSG_NEWSA, e.request().type());
        assertEquals(99, e.request().seq());
        assertEquals(text, e.message());
    }

    @Test
    void rejectsWhatDoesNotFit() {
        byte[] ok = LE.encode(newSa());
        assertThrows(XfrmFormatException.class, () -> LE.decode(Arrays.copyOf(ok, 12)), "short header");
        assertThrows(XfrmFormatException.class, () -> LE.decode(Arrays.copyOf(ok, ok.length - 4)), "length mismatch");
        byte[] shortStruct = Arrays.copyOf(ok, 16 + 200);
        le(shortStruct).putInt(0, shortStruct.length);
        XfrmFormatException e = assertThrows(XfrmFormatException.class, () -> LE.decode(shortStruct));
        assertTrue(e.getMessage().contains("XFRM_MSG_NEWSA: 200 bytes after the header, its struct needs 224"),
                e.getMessage());
        byte[] longAttr = ok.clone();
        le(longAttr).putShort(240, (short) 2000);
        e = assertThrows(XfrmFormatException.class, () -> LE.decode(longAttr));
        assertTrue(e.getMessage().contains("attribute 20 at offset 240 has length 2000"), e.getMessage());
        byte[] longKey = ok.clone();
        le(longKey).putInt(240 + 4 + 64, 4096);
        e = assertThrows(XfrmFormatException.class, () -> LE.decode(longKey));
        assertTrue(e.getMessage().contains("alg_key_len 4096 bits but 32 key bytes"), e.getMessage());
        byte[] noNul = ok.clone();
        Arrays.fill(noNul, 244, 244 + 64, (byte) 'a');
        assertThrows(XfrmFormatException.class, () -> LE.decode(noNul), "unterminated alg_name");
        byte[] badPrefix = ok.clone();
        badPrefix[16 + 42] = 33;
        assertThrows(XfrmFormatException.class, () -> LE.decode(badPrefix), "IPv4 prefix 33");
        byte[] acq = Arrays.copyOf(acquireByHand(), 16 + 280 + 64);
        le(acq).putInt(0, acq.length).putShort(16 + 280, (short) 64);
        e = assertThrows(XfrmFormatException.class, () -> LE.decode(acq));
        assertTrue(e.getMessage().contains("XFRMA_TMPL of 60 bytes, not a multiple of 64"), e.getMessage());
        byte[] two = Arrays.copyOf(ok, ok.length + 8);
        assertThrows(XfrmFormatException.class, () -> LE.decodeAll(two, two.length), "8 trailing bytes");
    }

    @Test
    void encapsulationTemplateIsEspInUdpWithPortsInNetworkOrder() {
        XfrmAttribute.Raw a = (XfrmAttribute.Raw) XfrmKernel.encapsulation(new dev.isakmpd.core.sa.UdpEncapsulation(
                4500, 40001, java.util.Optional.of(dev.isakmpd.core.policy.Addresses.parseLiteral("10.0.0.2"))));
        assertEquals(Xfrm.XFRMA_ENCAP, a.type());
        byte[] v = a.value();
        assertEquals(24, v.length);
        assertEquals(2, java.nio.ByteBuffer.wrap(v).order(java.nio.ByteOrder.nativeOrder()).getShort(0));
        assertEquals("11949c41", java.util.HexFormat.of().formatHex(v, 2, 6));
        assertEquals("0a000002", java.util.HexFormat.of().formatHex(v, 8, 12));
    }

    /** xfrm_aevent_id: sa_id 0:24 (daddr, spi in network order, family, proto), saddr 24:16, flags 40, reqid 44. */
    @Test
    void newAeWithReplayStateHasTheKernelsLayout() throws Exception {
        XfrmMessage m = XfrmMessage.of(Xfrm.MSG_NEWAE, Xfrm.NLM_F_REPLACE,
                new XfrmBody.AeventId(PEER, 0x12345678, Xfrm.AF_INET, Xfrm.IPPROTO_ESP, US, Xfrm.XFRM_AE_RVAL, 0x15a00001),
                new XfrmAttribute.Replay(1000, 500, 0xffff0000), new XfrmAttribute.U32(Xfrm.XFRMA_REPLAY_THRESH, 1024),
                new XfrmAttribute.CurrentLifetime(new LifetimeCur(3000, 30, 1_700_000_000L, 1_700_000_009L)));
        byte[] b = LE.encode(m);
        ByteBuffer v = le(b);
        int body = Xfrm.NLMSG_HDRLEN;
        assertEquals(Xfrm.NLMSG_HDRLEN + 48 + (4 + 12) + (4 + 4) + (4 + 32), b.length);
        assertEquals(Xfrm.MSG_NEWAE, v.getShort(4));
        assertEquals(Xfrm.NLM_F_REPLACE, v.getShort(6));
        assertArrayEquals(PEER.getAddress(), Arrays.copyOfRange(b, body, body + 4));
        assertEquals(0x12345678, ByteBuffer.wrap(b, body + 16, 4).getInt(), "spi in network order");
        assertEquals(Xfrm.AF_INET, v.getShort(body + 20));
        assertEquals(Xfrm.IPPROTO_ESP, b[body + 22]);
        assertArrayEquals(US.getAddress(), Arrays.copyOfRange(b, body + 24, body + 28));
        assertEquals(Xfrm.XFRM_AE_RVAL, v.getInt(body + 40));
        assertEquals(0x15a00001, v.getInt(body + 44));
        int attr = body + 48;
        assertEquals(16, v.getShort(attr));
        assertEquals(Xfrm.XFRMA_REPLAY_VAL, v.getShort(attr + 2));
        assertEquals(1000, v.getInt(attr + 4));
        assertEquals(500, v.getInt(attr + 8));
        assertEquals(0xffff0000, v.getInt(attr + 12));
        assertEquals(Xfrm.XFRMA_REPLAY_THRESH, v.getShort(attr + 18));
        assertEquals(1024, v.getInt(attr + 20));
        assertEquals(Xfrm.XFRMA_LTIME_VAL, v.getShort(attr + 26));
        assertEquals(3000, v.getLong(attr + 28));
        assertEquals(m, LE.decode(b));

        KernelEvent.Counters c = XfrmCounters.event(LE.decode(b)).orElseThrow();
        assertEquals(new ReplayState(1000, 500, 0xffff0000), c.replay());
        assertEquals(PEER, c.destination());
        assertEquals(0x12345678, c.spi());
        assertEquals(3000, c.bytes());
        assertEquals(30, c.packets());
    }

    @Test
    void aReplayStateOfTheWrongSizeStaysRawAndIsNoCounters() throws Exception {
        XfrmMessage m = XfrmMessage.of(Xfrm.MSG_NEWAE, 0,
                new XfrmBody.AeventId(PEER, 1, Xfrm.AF_INET, Xfrm.IPPROTO_ESP, US, 0, 0),
                new XfrmAttribute.Raw(Xfrm.XFRMA_REPLAY_VAL, new byte[8]));
        XfrmMessage back = LE.decode(LE.encode(m));
        assertTrue(back.find(Xfrm.XFRMA_REPLAY_VAL).orElseThrow() instanceof XfrmAttribute.Raw);
        assertTrue(XfrmCounters.event(back).isEmpty());
        // sequence numbers are unsigned 32-bit on the wire
        XfrmMessage high = XfrmMessage.of(Xfrm.MSG_NEWAE, 0, m.body(), new XfrmAttribute.Replay(-1, -2, 0));
        assertEquals(new ReplayState(0xffffffffL, 0xfffffffeL, 0), XfrmCounters.event(high).orElseThrow().replay());
    }

    @Test
    void etimerJiffiesFollowTheMeasuredTickRate() {
        assertEquals(100, XfrmCounters.jiffies(java.time.Duration.ofSeconds(1), 100));
        assertEquals(250, XfrmCounters.jiffies(java.time.Duration.ofSeconds(1), 250));
        assertEquals(25, XfrmCounters.jiffies(java.time.Duration.ofMillis(100), 250));
        assertEquals(1, XfrmCounters.jiffies(java.time.Duration.ofMillis(1), 100), "never 0: that switches the timer off");
    }
}
