package dev.isakmpd.core.wire;

import dev.isakmpd.core.registry.ExchangeType;
import dev.isakmpd.core.registry.IkeAttributes;
import dev.isakmpd.core.registry.IpsecDoi;
import dev.isakmpd.core.registry.PayloadType;
import dev.isakmpd.core.registry.ProtocolId;
import dev.isakmpd.core.registry.TransformIds;
import org.junit.jupiter.api.Test;

import java.util.HexFormat;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A Main Mode message 1 written byte by byte from the RFC 2408 s3 layouts. */
class MainModeMessageTest {

    /**
     * Main Mode message 1: HDR, SA, VID (108 bytes).
     * <pre>
     * ISAKMP header (s3.1), 28 bytes
     *   0102030405060708  CKY-I
     *   0000000000000000  CKY-R (zero in the first message)
     *   01                next payload SA
     *   10                version 1.0
     *   02                exchange type Identity Protection
     *   00                flags
     *   00000000          message ID (0 in phase 1)
     *   0000006c          length 108
     * SA payload (s3.4, RFC 2407 s4.6.1), 60 bytes
     *   0d 00 003c        next VID, RESERVED, length 60
     *   00000001          DOI IPsec
     *   00000001          situation SIT_IDENTITY_ONLY
     *   Proposal payload (s3.5), 48 bytes
     *     00 00 0030      next NONE (last proposal), RESERVED, length 48
     *     01 01 00 01     proposal #1, PROTO_ISAKMP, SPI size 0, 1 transform
     *     Transform payload (s3.6), 40 bytes
     *       00 00 0028    next NONE (last transform), RESERVED, length 40
     *       01 01 0000    transform #1, KEY_IKE, RESERVED2
     *       800b 0001             Life Type = seconds (TV)
     *       000c 0004 00007080    Life Duration = 28800 (TLV, 4 bytes)
     *       8001 0007             Encryption Algorithm = AES-CBC
     *       800e 0100             Key Length = 256
     *       8002 0004             Hash Algorithm = SHA2-256
     *       8004 000e             Group Description = 14
     *       8003 0001             Authentication Method = pre-shared key
     * Vendor ID payload (s3.16), 20 bytes
     *   00 00 0014        next NONE, RESERVED, length 20
     *   afcad71368a1f1c96b8696fc77570100   RFC 3706 DPD vendor ID, version 1.0
     * </pre>
     */
    static final String MM1_HEX = ""
            + "0102030405060708" + "0000000000000000" + "01" + "10" + "02" + "00" + "00000000" + "0000006c"
            + "0d00003c" + "00000001" + "00000001"
            + "00000030" + "01010001"
            + "00000028" + "01010000"
            + "800b0001" + "000c000400007080" + "80010007" + "800e0100" + "80020004" + "8004000e" + "80030001"
            + "00000014" + "afcad71368a1f1c96b8696fc77570100";

    static byte[] mm1() {
        return HexFormat.of().parseHex(MM1_HEX);
    }

    @Test
    void decodesHandBuiltMainModeMessageOne() throws WireException {
        IsakmpMessage m = IsakmpMessage.decode(mm1());

        IsakmpHeader h = m.header();
        assertArrayEquals(HexFormat.of().parseHex("0102030405060708"), h.initiatorCookie());
        assertTrue(h.responderCookieIsZero());
        assertEquals(PayloadType.SA, h.nextPayload());
        assertEquals(1, h.majorVersion());
        assertEquals(0, h.minorVersion());
        assertEquals(ExchangeType.IDENTITY_PROTECTION, h.exchangeType());
        assertEquals(0, h.flags());
        assertFalse(h.encrypted());
        assertEquals(0, h.messageId());
        assertEquals(108, h.length());

        assertEquals(2, m.payloads().size());
        SaPayload sa = m.first(SaPayload.class).orElseThrow();
        assertEquals(IpsecDoi.DOI_IPSEC, sa.doi());
        assertEquals(IpsecDoi.SIT_IDENTITY_ONLY, sa.situation());
        assertEquals(1, sa.proposals().size());
        ProposalPayload p = sa.proposals().get(0);
        assertEquals(1, p.proposalNumber());
        assertEquals(ProtocolId.ISAKMP, p.protocolId());
        assertEquals(0, p.spi().length);
        TransformPayload t = p.transforms().get(0);
        assertEquals(1, t.transformNumber());
        assertEquals(TransformIds.KEY_IKE, t.transformId());
        assertEquals(7, t.attributes().size());
        assertEquals(IkeAttributes.LIFE_SECONDS, t.attribute(IkeAttributes.LIFE_TYPE).orElseThrow().longValue());
        DataAttribute life = t.attribute(IkeAttributes.LIFE_DURATION).orElseThrow();
        assertFalse(life.isBasic());
        assertEquals(28800, life.longValue());
        assertEquals(IkeAttributes.ENC_AES_CBC,
                t.attribute(IkeAttributes.ENCRYPTION_ALGORITHM).orElseThrow().longValue());
        assertEquals(256, t.attribute(IkeAttributes.KEY_LENGTH).orElseThrow().longValue());
        assertEquals(IkeAttributes.HASH_SHA2_256, t.attribute(IkeAttributes.HASH_ALGORITHM).orElseThrow().longValue());
        assertEquals(14, t.attribute(IkeAttributes.GROUP_DESCRIPTION).orElseThrow().longValue());
        assertEquals(IkeAttributes.AUTH_PRE_SHARED_KEY,
                t.attribute(IkeAttributes.AUTHENTICATION_METHOD).orElseThrow().longValue());

        List<VendorIdPayload> vids = m.all(VendorIdPayload.class);
        assertEquals(1, vids.size());
        assertEquals("afcad71368a1f1c96b8696fc77570100", HexFormat.of().formatHex(vids.get(0).vendorId()));
    }

    @Test
    void reencodesByteIdentically() throws WireException {
        assertEquals(MM1_HEX, HexFormat.of().formatHex(IsakmpMessage.decode(mm1()).encode()));
    }

    @Test
    void buildsTheSameBytesFromValues() {
        TransformPayload t = new TransformPayload(1, TransformIds.KEY_IKE,
                DataAttribute.basic(IkeAttributes.LIFE_TYPE, IkeAttributes.LIFE_SECONDS),
                DataAttribute.variable(IkeAttributes.LIFE_DURATION, HexFormat.of().parseHex("00007080")),
                DataAttribute.basic(IkeAttributes.ENCRYPTION_ALGORITHM, IkeAttributes.ENC_AES_CBC),
                DataAttribute.basic(IkeAttributes.KEY_LENGTH, 256),
                DataAttribute.basic(IkeAttributes.HASH_ALGORITHM, IkeAttributes.HASH_SHA2_256),
                DataAttribute.basic(IkeAttributes.GROUP_DESCRIPTION, 14),
                DataAttribute.basic(IkeAttributes.AUTHENTICATION_METHOD, IkeAttributes.AUTH_PRE_SHARED_KEY));
        SaPayload sa = new SaPayload(IpsecDoi.DOI_IPSEC, IpsecDoi.SIT_IDENTITY_ONLY,
                new ProposalPayload(1, ProtocolId.ISAKMP, new byte[0], t));
        VendorIdPayload dpd = new VendorIdPayload(HexFormat.of().parseHex("afcad71368a1f1c96b8696fc77570100"));
        IsakmpHeader h = IsakmpHeader.create(HexFormat.of().parseHex("0102030405060708"), new byte[8],
                ExchangeType.IDENTITY_PROTECTION, 0, 0);

        assertEquals(MM1_HEX, HexFormat.of().formatHex(new IsakmpMessage(h, List.of(sa, dpd)).encode()));
    }

    @Test
    void saBodyForHashesExcludesGenericHeader() throws WireException {
        SaPayload sa = IsakmpMessage.decode(mm1()).first(SaPayload.class).orElseThrow();
        // RFC 2409 s5: SAi_b is the SA payload minus its generic header, i.e. bytes 32..88 of the message
        assertEquals(MM1_HEX.substring(32 * 2, 88 * 2), HexFormat.of().formatHex(PayloadCodec.encodeBody(sa)));
    }
}
