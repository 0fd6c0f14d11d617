package dev.isakmpd.core.exchange;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.isakmpd.core.policy.Subnet;
import dev.isakmpd.core.registry.IdType;
import dev.isakmpd.core.registry.NotifyType;
import dev.isakmpd.core.wire.IdentificationPayload;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Quick Mode client IDs (RFC 2407 s4.6.2.2-s4.6.2.6) to and from subnets. */
class TrafficSelectorsTest {
    @ParameterizedTest
    @ValueSource(strings = {"10.1.0.0/16", "198.51.100.7/32", "2001:db8:1::/48", "2001:db8::5/128", "0.0.0.0/0"})
    void subnetsGoThereAndBack(String text) throws Exception {
        Subnet s = Subnet.parse(text);
        assertEquals(s, TrafficSelectors.fromId(TrafficSelectors.toId(s)));
    }

    @Test
    void aHostIsAnAddressAndAPrefixAnAddressAndMask() {
        IdentificationPayload host = TrafficSelectors.toId(Subnet.parse("198.51.100.7/32"));
        assertEquals(IdType.IPV4_ADDR, host.idType());
        assertArrayEquals(new byte[] {(byte) 198, 51, 100, 7}, host.data());
        IdentificationPayload net = TrafficSelectors.toId(Subnet.parse("10.1.0.0/16"));
        assertEquals(IdType.IPV4_ADDR_SUBNET, net.idType());
        assertEquals("0a010000ffff0000", HexFormat.of().formatHex(net.data()));
        assertEquals(0, net.protocolId());
        assertEquals(0, net.port());
    }

    @Test
    void protocolAndPortGoInTheIdFieldsAndComeBack() throws Exception {
        Subnet l2tp = Subnet.parse("198.51.100.7").withProtocolPort(Subnet.UDP, 1701);
        IdentificationPayload id = TrafficSelectors.toId(l2tp);
        assertEquals(IdType.IPV4_ADDR, id.idType());
        assertEquals(17, id.protocolId());
        assertEquals(1701, id.port());
        assertEquals(l2tp, TrafficSelectors.fromId(id));
        Subnet anyPort = Subnet.parse("10.1.0.0/16").withProtocolPort(Subnet.UDP, 0);
        IdentificationPayload net = TrafficSelectors.toId(anyPort);
        assertEquals(17, net.protocolId());
        assertEquals(0, net.port());
        assertEquals(anyPort, TrafficSelectors.fromId(net));
        assertEquals("198.51.100.7/32[udp/1701]", l2tp.toString());
    }

    @Test
    void whatWeCannotInstallIsInvalidIdInformation() {
        ExchangeFailure ports = assertThrows(ExchangeFailure.class, () -> TrafficSelectors.fromId(
                new IdentificationPayload(IdType.IPV4_ADDR, 0, 500, new byte[] {10, 0, 0, 1})));
        assertEquals(NotifyType.INVALID_ID_INFORMATION, ports.notifyType());
        ExchangeFailure holeyMask = assertThrows(ExchangeFailure.class, () -> TrafficSelectors.fromId(
                new IdentificationPayload(IdType.IPV4_ADDR_SUBNET, 0, 0, new byte[] {10, 0, 0, 0, -1, 0, -1, 0})));
        assertEquals(NotifyType.INVALID_ID_INFORMATION, holeyMask.notifyType());
        assertThrows(ExchangeFailure.class, () -> TrafficSelectors.fromId(
                new IdentificationPayload(IdType.FQDN, 0, 0, "gw.example.org".getBytes())));
    }
}
