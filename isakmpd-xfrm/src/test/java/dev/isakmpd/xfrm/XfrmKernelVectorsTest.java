package dev.isakmpd.xfrm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.isakmpd.core.policy.Subnet;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/**
 * Messages the lab's Linux 6.1 kernel sent (src/test/resources/dev/isakmpd/xfrm/vectors/, see the
 * README there for how they were captured): each decodes to what the suite had written and
 * re-encodes to the kernel's bytes.
 */
class XfrmKernelVectorsTest {
    static final XfrmCodec LE = XfrmCodecTest.LE;

    static byte[] vector(String name) throws IOException {
        try (InputStream in = XfrmKernelVectorsTest.class.getResourceAsStream("vectors/" + name + ".txt")) {
            String[] lines = new String(in.readAllBytes(), StandardCharsets.US_ASCII).split("\n");
            return HexFormat.of().parseHex(lines[1].strip());
        }
    }

    static XfrmMessage roundTrip(String name) throws Exception {
        byte[] bytes = vector(name);
        XfrmMessage m = LE.decode(bytes);
        assertArrayEquals(bytes, LE.encode(m), name + " re-encodes to the kernel's bytes");
        return m;
    }

    /** dump-out: the GETSA dump entry of the outbound SA (spi 0x2345, hmac(sha1) via AUTH_TRUNC 96, cbc(aes)). */
    @Test
    void anSaFromADumpCarriesBothAuthAttributes() throws Exception {
        XfrmMessage m = roundTrip("dump-out");
        XfrmBody.SaInfo i = (XfrmBody.SaInfo) m.body();
        assertEquals(0x2345, i.spi());
        assertEquals(0x15a00001, i.reqid());
        assertEquals(3600, i.lft().hardAddExpiresSeconds());
        assertEquals(3240, i.lft().softAddExpiresSeconds());
        assertEquals(Subnet.parse("10.1.0.0/16"), i.sel().source());
        assertEquals(Xfrm.NLM_F_MULTI, m.header().flags() & Xfrm.NLM_F_MULTI);
        // the kernel answers with XFRMA_ALG_AUTH as well as XFRMA_ALG_AUTH_TRUNC for the same key
        assertEquals(96, m.algorithm(Xfrm.XFRMA_ALG_AUTH_TRUNC).orElseThrow().extraBits());
        assertEquals("hmac(sha1)", m.algorithm(Xfrm.XFRMA_ALG_AUTH).orElseThrow().name());
        assertEquals(128, m.algorithm(Xfrm.XFRMA_ALG_CRYPT).orElseThrow().keyBits());
        m.wipeKeys();
    }

    /** policy-out: the policy dump entry, XFRMA_TMPL plus a 6-byte XFRMA_POLICY_TYPE whose padding nlmsg_len counts. */
    @Test
    void aPolicyFromADump() throws Exception {
        byte[] bytes = vector("policy-out");
        assertEquals(bytes.length, bytes[0] & 0xff | (bytes[1] & 0xff) << 8, "nlmsg_len includes the last padding");
        XfrmMessage m = roundTrip("policy-out");
        XfrmBody.PolicyInfo p = (XfrmBody.PolicyInfo) m.body();
        assertEquals(Xfrm.POLICY_OUT, p.dir());
        assertEquals(Subnet.parse("10.2.0.0/16"), p.sel().destination());
        XfrmStruct.Template t = m.templates().orElseThrow().templates().get(0);
        assertEquals(0x15a00001, t.reqid());
        assertEquals(XfrmCodecTest.PEER, t.daddr());
        assertEquals(XfrmCodecTest.US, t.saddr());
        assertTrue(m.find(16).isPresent(), "XFRMA_POLICY_TYPE");
    }

    /** recv-xfrm_msg_acquire: a UDP datagram 10.1.0.1 -> 10.2.0.1 port 9 hit the outbound policy. */
    @Test
    void anAcquire() throws Exception {
        XfrmMessage m = roundTrip("recv-xfrm_msg_acquire");
        XfrmBody.Acquire a = (XfrmBody.Acquire) m.body();
        assertEquals(0, m.header().pid());
        assertEquals(XfrmCodecTest.US, a.saddr());
        assertEquals(XfrmCodecTest.PEER, a.daddr());
        assertEquals(Subnet.parse("10.2.0.1/32").withProtocolPort(17, 9), a.sel().destination());
        assertEquals(17, a.sel().proto());
        assertEquals(9, a.sel().dport());
        assertEquals(Subnet.parse("10.1.0.0/16"), a.policy().sel().source());
        assertEquals(Xfrm.POLICY_OUT, a.policy().dir());
    }

    /** recv-xfrm_msg_expire-soft/-hard: the 3-second SA 0x4567. */
    @Test
    void softAndHardExpire() throws Exception {
        XfrmBody.Expire soft = (XfrmBody.Expire) roundTrip("recv-xfrm_msg_expire-soft").body();
        XfrmBody.Expire hard = (XfrmBody.Expire) roundTrip("recv-xfrm_msg_expire-hard").body();
        assertEquals(0, soft.hard());
        assertEquals(1, hard.hard());
        assertEquals(0x4567, hard.state().spi());
        assertEquals(3, hard.state().lft().hardAddExpiresSeconds());
        assertEquals(2, hard.state().lft().softAddExpiresSeconds());
    }
}
