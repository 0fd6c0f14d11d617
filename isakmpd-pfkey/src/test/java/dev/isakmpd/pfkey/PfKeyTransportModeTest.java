package dev.isakmpd.pfkey;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.isakmpd.core.kernel.SpdTunnel;
import dev.isakmpd.core.policy.IpsecMode;
import dev.isakmpd.core.policy.Subnet;
import dev.isakmpd.pfkey.SadbExtension.Address;
import dev.isakmpd.pfkey.SadbExtension.Policy;
import java.net.InetAddress;
import java.nio.ByteOrder;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Transport mode over PF_KEY: SA2 mode 1 (linux/ipsec.h numbering) and SPD bypass entries for IKE. */
class PfKeyTransportModeTest {
    static final SadbCodec LE = new SadbCodec(ByteOrder.LITTLE_ENDIAN);

    @Test
    void modesUsePfKeyNumbering() {
        assertEquals(1, PfKeyKernel.mode(IpsecMode.TRANSPORT));
        assertEquals(2, PfKeyKernel.mode(IpsecMode.TUNNEL));
    }

    /** An SPD selector's protocol goes in sadb_address_proto, its port in the sockaddr (RFC 2367 s2.3.3). */
    @Test
    void protocolAndPortSelectorsGoInTheSadbAddress() throws Exception {
        Subnet l2tp = Subnet.host(InetAddress.getByName("198.51.100.1")).withProtocolPort(Subnet.UDP, 1701);
        Address a = PfKeyKernel.selector(Sadb.EXT_ADDRESS_SRC, l2tp);
        assertEquals(17, a.proto());
        assertEquals(1701, a.port());
        assertEquals(32, a.prefixLength());
        byte[] b = LE.encode(SadbMessage.request(Sadb.X_SPDADD, Sadb.SATYPE_UNSPEC, a));
        // sadb_msg 16 octets, sadb_address 8 (proto at 4), then sockaddr_in: family, port in network order
        assertEquals(17, b[16 + 4]);
        assertEquals(0x06, b[16 + 8 + 2]);
        assertEquals((byte) 0xa5, b[16 + 8 + 3]);
        Address any = PfKeyKernel.selector(Sadb.EXT_ADDRESS_DST, Subnet.parse("10.1.0.0/16"));
        assertEquals(Sadb.IPSEC_ULPROTO_ANY, any.proto());
        assertEquals(0, any.port());
    }

    @Test
    void bypassEntriesLetIkePassOnBothPorts() throws Exception {
        InetAddress us = InetAddress.getByName("198.51.100.1");
        InetAddress peer = InetAddress.getByName("198.51.100.2");
        SpdTunnel t = new SpdTunnel("p", "t", us, peer, Subnet.host(us), Subnet.host(peer), IpsecMode.TRANSPORT, 500);
        List<SadbMessage> add = PfKeyKernel.bypasses(t, Sadb.X_SPDUPDATE);
        assertEquals(4, add.size());
        SadbMessage out500 = add.get(0);
        Address src = out500.address(Sadb.EXT_ADDRESS_SRC).orElseThrow();
        assertEquals(17, src.proto());
        assertEquals(500, src.port());
        assertEquals(32, src.prefixLength());
        Policy p = out500.find(Policy.class).orElseThrow();
        assertEquals(Sadb.IPSEC_POLICY_NONE, p.policyType(), "no ipsecrequest: bypass");
        assertEquals(Sadb.IPSEC_DIR_OUTBOUND, p.direction());
        assertTrue(p.requests().isEmpty());
        SadbMessage in4500 = add.get(3);
        assertEquals(4500, in4500.address(Sadb.EXT_ADDRESS_DST).orElseThrow().port());
        assertEquals(Sadb.IPSEC_DIR_INBOUND, in4500.find(Policy.class).orElseThrow().direction());
        for (SadbMessage m : add) {
            assertEquals(m, LE.decode(LE.encode(m)));
        }
        assertEquals(Sadb.X_SPDDELETE, PfKeyKernel.bypasses(t, Sadb.X_SPDDELETE).get(0).type());
    }
}
