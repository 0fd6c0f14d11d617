package dev.isakmpd.xfrm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.isakmpd.core.kernel.SpdTunnel;
import dev.isakmpd.core.policy.IpsecMode;
import dev.isakmpd.core.policy.Subnet;
import dev.isakmpd.xfrm.XfrmBody.PolicyInfo;
import dev.isakmpd.xfrm.XfrmStruct.Template;
import java.net.InetAddress;
import java.nio.ByteOrder;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Transport mode over XFRM: SA and template mode 0, and the IKE bypass policies a host-to-host policy needs. */
class XfrmTransportModeTest {
    static final XfrmCodec LE = new XfrmCodec(ByteOrder.LITTLE_ENDIAN);

    @Test
    void transportSasAndTemplatesUseMode0() throws Exception {
        assertEquals(Xfrm.MODE_TRANSPORT, XfrmKernel.mode(IpsecMode.TRANSPORT));
        assertEquals(Xfrm.MODE_TUNNEL, XfrmKernel.mode(IpsecMode.TUNNEL));
        Template t = Template.espTransport(XfrmCodecTest.US, XfrmCodecTest.PEER, 0x15a00001);
        assertEquals(0, t.mode());
        assertEquals(Xfrm.IPPROTO_ESP, t.proto());
    }

    @Test
    void aTransportPolicyLetsIkePassOnBothPorts() throws Exception {
        InetAddress us = XfrmCodecTest.US;
        InetAddress peer = XfrmCodecTest.PEER;
        SpdTunnel t = new SpdTunnel("p", "t", us, peer, Subnet.host(us), Subnet.host(peer), IpsecMode.TRANSPORT, 500);
        List<PolicyInfo> b = XfrmKernel.bypasses(t);
        assertEquals(4, b.size());
        PolicyInfo out500 = b.get(0);
        assertEquals(Xfrm.POLICY_OUT, out500.dir());
        assertEquals(17, out500.sel().proto());
        assertEquals(500, out500.sel().sport());
        assertEquals(0xffff, out500.sel().sportMask());
        assertEquals(0, out500.sel().dportMask());
        assertEquals(Subnet.host(us).withProtocolPort(17, 500), out500.sel().source());
        PolicyInfo in4500 = b.get(3);
        assertEquals(Xfrm.POLICY_IN, in4500.dir());
        assertEquals(4500, in4500.sel().dport());
        assertEquals(Subnet.host(peer).withProtocolPort(17, 0), in4500.sel().source());
        for (PolicyInfo p : b) {
            assertEquals(0, p.priority(), "before the ESP policy (priority 1)");
            assertEquals(Xfrm.POLICY_ALLOW, p.action());
            XfrmMessage m = XfrmMessage.of(Xfrm.MSG_UPDPOLICY, 0, p);
            assertEquals(m, LE.decode(LE.encode(m)));
            assertTrue(m.templates().isEmpty(), "no template: bypass");
        }
        assertTrue(XfrmKernel.bypasses(new SpdTunnel("p", "t", us, peer, Subnet.parse("10.1.0.0/16"),
                Subnet.parse("10.2.0.0/16"))).isEmpty(), "tunnel mode needs none");
    }

    /** xfrm_selector of an L2TP policy (RFC 2407 s4.6.2 selectors): proto, ports in network order with full masks. */
    @Test
    void protocolAndPortSelectorsGoInTheXfrmSelector() throws Exception {
        Subnet us = Subnet.host(XfrmCodecTest.US).withProtocolPort(Subnet.UDP, 1701);
        Subnet peer = Subnet.host(XfrmCodecTest.PEER).withProtocolPort(Subnet.UDP, 0);
        PolicyInfo p = new PolicyInfo(XfrmStruct.Selector.of(us, peer), XfrmStruct.LifetimeCfg.infinite(),
                XfrmStruct.LifetimeCur.ZERO, 1, 0, Xfrm.POLICY_OUT, Xfrm.POLICY_ALLOW, 0, Xfrm.SHARE_ANY);
        XfrmMessage m = XfrmMessage.of(Xfrm.MSG_UPDPOLICY, 0, p);
        byte[] b = LE.encode(m);
        int sel = 16; // xfrm_selector: dport 32, dport_mask 34, sport 36, sport_mask 38, family 40, proto 44
        assertEquals("0000" + "0000" + "06a5" + "ffff", java.util.HexFormat.of().formatHex(b, sel + 32, sel + 40));
        assertEquals(17, b[sel + 44], "proto");
        PolicyInfo back = (PolicyInfo) LE.decode(b).body();
        assertEquals(us, back.sel().source());
        assertEquals(peer, back.sel().destination());
        assertEquals(Subnet.host(XfrmCodecTest.US), XfrmStruct.Selector.of(Subnet.host(XfrmCodecTest.US),
                Subnet.host(XfrmCodecTest.PEER)).source(), "no protocol: any");
    }

    /**
     * A bypass policy has no template to carry a reqid: its index marks it as ours (one of our
     * reqids times 8 plus the direction, which Linux requires in the low 3 bits), for the crash
     * clean-up; the kernel's own indexes (counting up from 8) and other reqids' are not ours.
     */
    @Test
    void bypassPoliciesAreMarkedOursByTheirIndex() throws Exception {
        assertTrue(XfrmKernel.isOurBypass(XfrmKernel.REQID_MIN << 3 | Xfrm.POLICY_OUT));
        assertTrue(XfrmKernel.isOurBypass(XfrmKernel.REQID_MAX << 3 | Xfrm.POLICY_IN));
        assertEquals(0xad000001, XfrmKernel.REQID_MIN << 3 | Xfrm.POLICY_OUT, "as ip xfrm policy shows it");
        assertFalse(XfrmKernel.isOurBypass(8 | Xfrm.POLICY_OUT), "a kernel-chosen index");
        assertFalse(XfrmKernel.isOurBypass((XfrmKernel.REQID_MIN - 1) << 3 | Xfrm.POLICY_OUT));
        assertFalse(XfrmKernel.isOurBypass((XfrmKernel.REQID_MAX + 1) << 3 | Xfrm.POLICY_OUT));
        assertFalse(XfrmKernel.isOurBypass(XfrmKernel.REQID_MIN << 3 | 3), "a socket policy's direction");
        PolicyInfo b = XfrmKernel.withIndex(XfrmKernel.bypasses(new SpdTunnel("p", "t", XfrmCodecTest.US,
                XfrmCodecTest.PEER, Subnet.host(XfrmCodecTest.US), Subnet.host(XfrmCodecTest.PEER),
                IpsecMode.TRANSPORT, 500)).get(0), XfrmKernel.REQID_MIN << 3 | Xfrm.POLICY_OUT);
        XfrmMessage m = XfrmMessage.of(Xfrm.MSG_UPDPOLICY, 0, b);
        assertEquals(0xad000001, ((PolicyInfo) LE.decode(LE.encode(m)).body()).index(), "the index goes on the wire");
    }
}
