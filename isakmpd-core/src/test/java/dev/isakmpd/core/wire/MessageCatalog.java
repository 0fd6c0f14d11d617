package dev.isakmpd.core.wire;

import dev.isakmpd.core.registry.AttributeMessageType;
import dev.isakmpd.core.registry.CertEncoding;
import dev.isakmpd.core.registry.ConfigAttributes;
import dev.isakmpd.core.registry.ExchangeType;
import dev.isakmpd.core.registry.IdType;
import dev.isakmpd.core.registry.IkeAttributes;
import dev.isakmpd.core.registry.IpsecAttributes;
import dev.isakmpd.core.registry.IpsecDoi;
import dev.isakmpd.core.registry.NotifyType;
import dev.isakmpd.core.registry.PayloadType;
import dev.isakmpd.core.registry.ProtocolId;
import dev.isakmpd.core.registry.TransformIds;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Every kind of message the encoder can produce, with realistic contents (what a daemon would send): Main,
 * Aggressive and Quick Mode messages, Informational notifies and deletes, Transaction (mode-config, XAUTH), every
 * ID type, NAT-D/NAT-OA in RFC and draft numbering, fragments. Messages that are encrypted on the wire appear here
 * in plaintext form, as a daemon would log them decrypted (OpenBSD isakmpd -L). Deterministic.
 */
final class MessageCatalog {
    private static final byte[] CKY_I = HexFormat.of().parseHex("0123456789abcdef");
    private static final byte[] CKY_R = HexFormat.of().parseHex("fedcba9876543210");
    private final Random rnd = new Random(3);

    private byte[] bytes(int n) {
        byte[] b = new byte[n];
        rnd.nextBytes(b);
        return b;
    }

    private static byte[] ip(String s) {
        try {
            return InetAddress.getByName(s).getAddress();
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(s, e);
        }
    }

    private static byte[] concat(byte[]... parts) {
        int n = 0;
        for (byte[] p : parts) {
            n += p.length;
        }
        byte[] out = new byte[n];
        int at = 0;
        for (byte[] p : parts) {
            System.arraycopy(p, 0, out, at, p.length);
            at += p.length;
        }
        return out;
    }

    private static IsakmpHeader header(ExchangeType x, boolean responderKnown, int messageId) {
        return IsakmpHeader.create(CKY_I, responderKnown ? CKY_R : new byte[8], x, 0, messageId);
    }

    private static TransformPayload ike(int n, int enc, int keyLength, int hash, int group, int auth) {
        List<DataAttribute> a = new ArrayList<>();
        a.add(DataAttribute.basic(IkeAttributes.ENCRYPTION_ALGORITHM, enc));
        if (keyLength > 0) {
            a.add(DataAttribute.basic(IkeAttributes.KEY_LENGTH, keyLength));
        }
        a.add(DataAttribute.basic(IkeAttributes.HASH_ALGORITHM, hash));
        a.add(DataAttribute.basic(IkeAttributes.GROUP_DESCRIPTION, group));
        a.add(DataAttribute.basic(IkeAttributes.AUTHENTICATION_METHOD, auth));
        a.add(DataAttribute.basic(IkeAttributes.LIFE_TYPE, IkeAttributes.LIFE_SECONDS));
        a.add(DataAttribute.number(IkeAttributes.LIFE_DURATION, 86400)); // TLV (> 16 bits)
        return new TransformPayload(n, TransformIds.KEY_IKE, a);
    }

    private SaPayload phase1Sa(int auth) {
        return new SaPayload(IpsecDoi.DOI_IPSEC, IpsecDoi.SIT_IDENTITY_ONLY, new ProposalPayload(1, ProtocolId.ISAKMP,
                new byte[0], ike(1, IkeAttributes.ENC_AES_CBC, 256, IkeAttributes.HASH_SHA2_256, 14, auth),
                ike(2, IkeAttributes.ENC_AES_CBC, 128, IkeAttributes.HASH_SHA1, 2, auth),
                ike(3, IkeAttributes.ENC_3DES_CBC, 0, IkeAttributes.HASH_MD5, 2, auth)));
    }

    private static TransformPayload esp(int n, int id, int keyLength, int auth, int mode) {
        List<DataAttribute> a = new ArrayList<>();
        a.add(DataAttribute.basic(IpsecAttributes.SA_LIFE_TYPE, IpsecAttributes.LIFE_SECONDS));
        a.add(DataAttribute.number(IpsecAttributes.SA_LIFE_DURATION, 3600));
        a.add(DataAttribute.basic(IpsecAttributes.SA_LIFE_TYPE, IpsecAttributes.LIFE_KILOBYTES));
        a.add(DataAttribute.number(IpsecAttributes.SA_LIFE_DURATION, 4_608_000));
        a.add(DataAttribute.basic(IpsecAttributes.GROUP_DESCRIPTION, 14));
        a.add(DataAttribute.basic(IpsecAttributes.ENCAPSULATION_MODE, mode));
        if (auth > 0) {
            a.add(DataAttribute.basic(IpsecAttributes.AUTHENTICATION_ALGORITHM, auth));
        }
        if (keyLength > 0) {
            a.add(DataAttribute.basic(IpsecAttributes.KEY_LENGTH, keyLength));
        }
        return new TransformPayload(n, id, a);
    }

    private SaPayload phase2Sa(int mode) {
        return new SaPayload(IpsecDoi.DOI_IPSEC, IpsecDoi.SIT_IDENTITY_ONLY,
                new ProposalPayload(1, ProtocolId.IPSEC_ESP, bytes(4),
                        esp(1, TransformIds.ESP_AES, 256, IpsecAttributes.AUTH_HMAC_SHA2_256, mode),
                        esp(2, TransformIds.ESP_AES_GCM_16, 128, 0, mode),
                        esp(3, TransformIds.ESP_3DES, 0, IpsecAttributes.AUTH_HMAC_SHA1, mode)),
                // AH + IPCOMP in one proposal number: an AND of protocols (RFC 2408 s4.2)
                new ProposalPayload(2, ProtocolId.IPSEC_AH, bytes(4),
                        esp(1, TransformIds.AH_SHA, 0, IpsecAttributes.AUTH_HMAC_SHA1, mode)),
                new ProposalPayload(2, ProtocolId.IPCOMP, new byte[] {0x12, 0x34},
                        new TransformPayload(1, TransformIds.IPCOMP_DEFLATE,
                                DataAttribute.basic(IpsecAttributes.ENCAPSULATION_MODE, mode))));
    }

    private List<VendorIdPayload> vids() {
        HexFormat h = HexFormat.of();
        return List.of(new VendorIdPayload(h.parseHex("09002689dfd6b712")),
                new VendorIdPayload(h.parseHex("afcad71368a1f1c96b8696fc77570100")),
                new VendorIdPayload(h.parseHex("4048b7d56ebce88525e7de7f00d6c2d380000000")),
                new VendorIdPayload(h.parseHex("4a131c81070358455c5728f20e95452f")),
                new VendorIdPayload(h.parseHex("90cb80913ebb696e086381b5ec427b1f")));
    }

    private static IsakmpMessage msg(IsakmpHeader h, Payload... payloads) {
        return new IsakmpMessage(h, List.of(payloads));
    }

    private static IsakmpMessage msg(IsakmpHeader h, List<? extends Payload> first, Payload... more) {
        List<Payload> all = new ArrayList<>(first);
        all.addAll(Arrays.asList(more));
        return new IsakmpMessage(h, all);
    }

    /** The real DER distinguished name and X.509 certificate strongSwan sent in the captured Main Mode (frame 7). */
    private static final class Real {
        static final IdentificationPayload DN_ID;
        static final CertificatePayload CERT;
        static final CertificateRequestPayload CR;

        static {
            IdentificationPayload id = null;
            CertificatePayload cert = null;
            CertificateRequestPayload cr = null;
            try {
                for (Vectors.Entry e : Vectors.load("strongswan-5.9.8-loopback.txt")) {
                    if (e.decrypted() == null || !e.info().contains("Main Mode")) {
                        continue;
                    }
                    for (Payload p : WireVectorsTest.decode(e)) {
                        if (p instanceof IdentificationPayload x && x.idType().equals(IdType.DER_ASN1_DN)) {
                            id = x;
                        } else if (p instanceof CertificatePayload x) {
                            cert = x;
                        } else if (p instanceof CertificateRequestPayload x) {
                            cr = x;
                        }
                    }
                }
            } catch (WireException e) {
                throw new IllegalStateException(e);
            }
            DN_ID = id;
            CERT = cert;
            CR = cr != null ? cr : new CertificateRequestPayload(CertEncoding.X509_SIGNATURE, new byte[0]);
        }
    }

    /** name -> message, in a stable order. */
    Map<String, IsakmpMessage> messages() {
        Map<String, IsakmpMessage> m = new LinkedHashMap<>();
        int psk = IkeAttributes.AUTH_PRE_SHARED_KEY;
        int rsa = IkeAttributes.AUTH_RSA_SIGNATURES;
        // Main Mode (RFC 2409 s5)
        m.put("MM1", msg(header(ExchangeType.IDENTITY_PROTECTION, false, 0), List.of(phase1Sa(psk)),
                vids().toArray(new Payload[0])));
        m.put("MM2", msg(header(ExchangeType.IDENTITY_PROTECTION, true, 0), new SaPayload(IpsecDoi.DOI_IPSEC,
                IpsecDoi.SIT_IDENTITY_ONLY, new ProposalPayload(1, ProtocolId.ISAKMP, new byte[0],
                        ike(2, IkeAttributes.ENC_AES_CBC, 128, IkeAttributes.HASH_SHA1, 2, psk))),
                vids().get(0), vids().get(3)));
        m.put("MM3", msg(header(ExchangeType.IDENTITY_PROTECTION, true, 0), new KeyExchangePayload(bytes(256)),
                new NoncePayload(bytes(32)), new NatDiscoveryPayload(bytes(20)), new NatDiscoveryPayload(bytes(20))));
        m.put("MM3-draft-NAT-D", msg(header(ExchangeType.IDENTITY_PROTECTION, true, 0),
                new KeyExchangePayload(bytes(128)), new NoncePayload(bytes(16)),
                new NatDiscoveryPayload(PayloadType.NAT_D_DRAFT, bytes(20)),
                new NatDiscoveryPayload(PayloadType.NAT_D_DRAFT, bytes(20))));
        m.put("MM4-CR", msg(header(ExchangeType.IDENTITY_PROTECTION, true, 0), new KeyExchangePayload(bytes(256)),
                new NoncePayload(bytes(32)), Real.CR, new NatDiscoveryPayload(bytes(32)),
                new NatDiscoveryPayload(bytes(32))));
        m.put("MM5-PSK", msg(header(ExchangeType.IDENTITY_PROTECTION, true, 0),
                new IdentificationPayload(IdType.IPV4_ADDR, 17, 500, ip("192.0.2.1")),
                new HashPayload(bytes(32)), new NotificationPayload(IpsecDoi.DOI_IPSEC, ProtocolId.ISAKMP,
                        concat(CKY_I, CKY_R), NotifyType.INITIAL_CONTACT, new byte[0])));
        m.put("MM5-RSA", msg(header(ExchangeType.IDENTITY_PROTECTION, true, 0), Real.DN_ID, Real.CERT,
                new SignaturePayload(bytes(256))));
        m.put("MM6-PSK", msg(header(ExchangeType.IDENTITY_PROTECTION, true, 0),
                IdentificationPayload.fqdn("gw.example.org"), new HashPayload(bytes(20))));
        // Aggressive Mode
        m.put("AM1", msg(header(ExchangeType.AGGRESSIVE, false, 0), List.of(phase1Sa(rsa),
                        new KeyExchangePayload(bytes(256)), new NoncePayload(bytes(32)),
                        IdentificationPayload.userFqdn("alice@example.org"), Real.CR),
                vids().toArray(new Payload[0])));
        m.put("AM2", msg(header(ExchangeType.AGGRESSIVE, true, 0), new SaPayload(IpsecDoi.DOI_IPSEC,
                        IpsecDoi.SIT_IDENTITY_ONLY, new ProposalPayload(1, ProtocolId.ISAKMP, new byte[0],
                        ike(1, IkeAttributes.ENC_AES_CBC, 256, IkeAttributes.HASH_SHA2_256, 14, rsa))),
                new KeyExchangePayload(bytes(256)), new NoncePayload(bytes(32)), Real.DN_ID, Real.CERT,
                new SignaturePayload(bytes(256)), new NatDiscoveryPayload(bytes(32)),
                new NatDiscoveryPayload(bytes(32))));
        m.put("AM3", msg(header(ExchangeType.AGGRESSIVE, true, 0), new HashPayload(bytes(32))));
        // Quick Mode (RFC 2409 s5.5), with PFS and client IDs; NAT-OA (RFC 3947 s5.2)
        int mid = 0x5e0a77c1;
        m.put("QM1", msg(header(ExchangeType.QUICK_MODE, true, mid), new HashPayload(bytes(32)),
                phase2Sa(IpsecAttributes.ENCAP_TUNNEL), new NoncePayload(bytes(32)), new KeyExchangePayload(bytes(256)),
                new IdentificationPayload(IdType.IPV4_ADDR_SUBNET, 0, 0, concat(ip("10.1.0.0"), ip("255.255.0.0"))),
                new IdentificationPayload(IdType.IPV4_ADDR_SUBNET, 0, 0, concat(ip("10.2.0.0"), ip("255.255.0.0")))));
        m.put("QM1-transport-NAT-OA", msg(header(ExchangeType.QUICK_MODE, true, mid + 1), new HashPayload(bytes(20)),
                phase2Sa(IpsecAttributes.ENCAP_UDP_TRANSPORT), new NoncePayload(bytes(16)),
                new IdentificationPayload(IdType.IPV4_ADDR, 17, 1701, ip("192.168.1.10")),
                new IdentificationPayload(IdType.IPV4_ADDR, 17, 1701, ip("198.51.100.7")),
                NatOriginalAddressPayload.of(addr("192.168.1.10")), NatOriginalAddressPayload.of(addr("198.51.100.7"))));
        m.put("QM1-draft-NAT-OA", msg(header(ExchangeType.QUICK_MODE, true, mid + 2), new HashPayload(bytes(20)),
                phase2Sa(IpsecAttributes.ENCAP_UDP_TRANSPORT_DRAFT), new NoncePayload(bytes(16)),
                new NatOriginalAddressPayload(PayloadType.NAT_OA_DRAFT, IdType.IPV6_ADDR, ip("2001:db8::10")),
                new NatOriginalAddressPayload(PayloadType.NAT_OA_DRAFT, IdType.IPV4_ADDR, ip("203.0.113.9"))));
        m.put("QM2", msg(header(ExchangeType.QUICK_MODE, true, mid), new HashPayload(bytes(32)),
                new SaPayload(IpsecDoi.DOI_IPSEC, IpsecDoi.SIT_IDENTITY_ONLY, new ProposalPayload(1,
                        ProtocolId.IPSEC_ESP, bytes(4), esp(1, TransformIds.ESP_AES, 256,
                        IpsecAttributes.AUTH_HMAC_SHA2_256, IpsecAttributes.ENCAP_TUNNEL))),
                new NoncePayload(bytes(32)), new KeyExchangePayload(bytes(256)),
                new IdentificationPayload(IdType.IPV4_ADDR_SUBNET, 0, 0, concat(ip("10.1.0.0"), ip("255.255.0.0"))),
                new IdentificationPayload(IdType.IPV4_ADDR_SUBNET, 0, 0, concat(ip("10.2.0.0"), ip("255.255.0.0"))),
                new NotificationPayload(IpsecDoi.DOI_IPSEC, ProtocolId.IPSEC_ESP, bytes(4),
                        NotifyType.RESPONDER_LIFETIME, concat(
                        attr(DataAttribute.basic(IpsecAttributes.SA_LIFE_TYPE, IpsecAttributes.LIFE_SECONDS)),
                        attr(DataAttribute.number(IpsecAttributes.SA_LIFE_DURATION, 1800))))));
        m.put("QM3", msg(header(ExchangeType.QUICK_MODE, true, mid), new HashPayload(bytes(32))));
        // every IPsec DOI ID type (RFC 2407 s4.6.2), as client IDs of Quick Mode messages
        List<IdentificationPayload> ids = List.of(
                new IdentificationPayload(IdType.IPV4_ADDR, 6, 80, ip("10.1.2.3")),
                new IdentificationPayload(IdType.FQDN, 0, 0, "vpn.example.org".getBytes(StandardCharsets.US_ASCII)),
                new IdentificationPayload(IdType.USER_FQDN, 0, 0, "bob@example.org".getBytes(StandardCharsets.US_ASCII)),
                new IdentificationPayload(IdType.IPV4_ADDR_SUBNET, 17, 0, concat(ip("10.3.0.0"), ip("255.255.255.0"))),
                new IdentificationPayload(IdType.IPV6_ADDR, 58, 0, ip("2001:db8::1")),
                new IdentificationPayload(IdType.IPV6_ADDR_SUBNET, 0, 0, concat(ip("2001:db8:1::"),
                        ip("ffff:ffff:ffff:ffff::"))),
                new IdentificationPayload(IdType.IPV4_ADDR_RANGE, 0, 0, concat(ip("10.4.0.1"), ip("10.4.0.200"))),
                new IdentificationPayload(IdType.IPV6_ADDR_RANGE, 0, 0, concat(ip("2001:db8::100"), ip("2001:db8::1ff"))),
                Real.DN_ID,
                // GeneralName [2] dNSName "gn.example.org" (RFC 5280 s4.2.1.6), DER
                new IdentificationPayload(IdType.DER_ASN1_GN, 0, 0, concat(new byte[] {(byte) 0x82, 14},
                        "gn.example.org".getBytes(StandardCharsets.US_ASCII))),
                new IdentificationPayload(IdType.KEY_ID, 0, 0, "key-id-0042".getBytes(StandardCharsets.US_ASCII)));
        for (int i = 0; i < ids.size(); i += 2) {
            IdentificationPayload a = ids.get(i);
            IdentificationPayload b = ids.get(Math.min(i + 1, ids.size() - 1));
            m.put("QM1-IDs-" + a.idType().value() + "-" + b.idType().value(), msg(
                    header(ExchangeType.QUICK_MODE, true, mid + 10 + i), new HashPayload(bytes(32)),
                    phase2Sa(IpsecAttributes.ENCAP_TUNNEL), new NoncePayload(bytes(32)), a, b));
        }
        // Informational (RFC 2408 s4.8), protected form: HASH first (RFC 2409 s5.7)
        m.put("INFO-R-U-THERE", msg(header(ExchangeType.INFORMATIONAL, true, 0x1234), new HashPayload(bytes(32)),
                new NotificationPayload(IpsecDoi.DOI_IPSEC, ProtocolId.ISAKMP, concat(CKY_I, CKY_R),
                        NotifyType.R_U_THERE, new byte[] {0, 0, 0x12, 0x34})));
        m.put("INFO-R-U-THERE-ACK", msg(header(ExchangeType.INFORMATIONAL, true, 0x1235),
                new HashPayload(bytes(32)), new NotificationPayload(IpsecDoi.DOI_IPSEC, ProtocolId.ISAKMP,
                        concat(CKY_I, CKY_R), NotifyType.R_U_THERE_ACK, new byte[] {0, 0, 0x12, 0x34})));
        m.put("INFO-NO-PROPOSAL-CHOSEN", msg(header(ExchangeType.INFORMATIONAL, true, 0),
                new NotificationPayload(IpsecDoi.DOI_IPSEC, ProtocolId.ISAKMP, new byte[0],
                        NotifyType.NO_PROPOSAL_CHOSEN, new byte[0])));
        m.put("INFO-INVALID-SPI", msg(header(ExchangeType.INFORMATIONAL, true, 0x77), new HashPayload(bytes(32)),
                new NotificationPayload(IpsecDoi.DOI_IPSEC, ProtocolId.IPSEC_ESP, bytes(4), NotifyType.INVALID_SPI,
                        bytes(4))));
        m.put("INFO-D-ESP", msg(header(ExchangeType.INFORMATIONAL, true, 0x78), new HashPayload(bytes(32)),
                new DeletePayload(IpsecDoi.DOI_IPSEC, ProtocolId.IPSEC_ESP, 4, List.of(bytes(4), bytes(4), bytes(4)))));
        m.put("INFO-D-ISAKMP", msg(header(ExchangeType.INFORMATIONAL, true, 0x79), new HashPayload(bytes(32)),
                new DeletePayload(IpsecDoi.DOI_IPSEC, ProtocolId.ISAKMP, 16, List.of(concat(CKY_I, CKY_R)))));
        // Transaction exchange: mode-config (draft-dukes-ike-mode-cfg-02) and XAUTH (draft-beaulieu-ike-xauth-02)
        int tid = 0x42424242;
        m.put("CFG-REQUEST", msg(header(ExchangeType.TRANSACTION, true, tid), new HashPayload(bytes(32)),
                new AttributePayload(AttributeMessageType.CFG_REQUEST, 0,
                        DataAttribute.variable(ConfigAttributes.INTERNAL_IP4_ADDRESS, new byte[0]),
                        DataAttribute.variable(ConfigAttributes.INTERNAL_IP4_NETMASK, new byte[0]),
                        DataAttribute.variable(ConfigAttributes.INTERNAL_IP4_DNS, new byte[0]),
                        DataAttribute.variable(ConfigAttributes.APPLICATION_VERSION, new byte[0]))));
        m.put("CFG-REPLY", msg(header(ExchangeType.TRANSACTION, true, tid), new HashPayload(bytes(32)),
                new AttributePayload(AttributeMessageType.CFG_REPLY, 0,
                        DataAttribute.variable(ConfigAttributes.INTERNAL_IP4_ADDRESS, ip("10.3.0.1")),
                        DataAttribute.variable(ConfigAttributes.INTERNAL_IP4_NETMASK, ip("255.255.255.0")),
                        DataAttribute.variable(ConfigAttributes.INTERNAL_IP4_DNS, ip("10.3.0.53")),
                        DataAttribute.variable(ConfigAttributes.INTERNAL_ADDRESS_EXPIRY, new byte[] {0, 0, 0x0e, 0x10}),
                        DataAttribute.variable(ConfigAttributes.INTERNAL_IP4_SUBNET,
                                concat(ip("10.1.0.0"), ip("255.255.0.0"))),
                        DataAttribute.variable(ConfigAttributes.APPLICATION_VERSION,
                                "isakmpd-java 0.1".getBytes(StandardCharsets.US_ASCII)))));
        m.put("XAUTH-REQUEST", msg(header(ExchangeType.TRANSACTION, true, tid + 1), new HashPayload(bytes(32)),
                new AttributePayload(AttributeMessageType.CFG_REQUEST, 7,
                        DataAttribute.basic(ConfigAttributes.XAUTH_TYPE, ConfigAttributes.XAUTH_TYPE_GENERIC),
                        DataAttribute.variable(ConfigAttributes.XAUTH_USER_NAME, new byte[0]),
                        DataAttribute.variable(ConfigAttributes.XAUTH_USER_PASSWORD, new byte[0]))));
        m.put("XAUTH-REPLY", msg(header(ExchangeType.TRANSACTION, true, tid + 1), new HashPayload(bytes(32)),
                new AttributePayload(AttributeMessageType.CFG_REPLY, 7,
                        DataAttribute.basic(ConfigAttributes.XAUTH_TYPE, ConfigAttributes.XAUTH_TYPE_GENERIC),
                        DataAttribute.variable(ConfigAttributes.XAUTH_USER_NAME,
                                "alice".getBytes(StandardCharsets.US_ASCII)),
                        DataAttribute.variable(ConfigAttributes.XAUTH_USER_PASSWORD,
                                "not-a-real-secret".getBytes(StandardCharsets.US_ASCII)))));
        m.put("XAUTH-SET", msg(header(ExchangeType.TRANSACTION, true, tid + 2), new HashPayload(bytes(32)),
                new AttributePayload(AttributeMessageType.CFG_SET, 8,
                        DataAttribute.basic(ConfigAttributes.XAUTH_STATUS, ConfigAttributes.XAUTH_STATUS_OK))));
        m.put("XAUTH-ACK", msg(header(ExchangeType.TRANSACTION, true, tid + 2), new HashPayload(bytes(32)),
                new AttributePayload(AttributeMessageType.CFG_ACK, 8)));
        // IKE fragmentation (MS-IKEE): an encrypted MM5 of 1200 bytes in three fragments
        IsakmpHeader mm5 = header(ExchangeType.IDENTITY_PROTECTION, true, 0).withFlags(IsakmpHeader.FLAG_ENCRYPTION)
                .withNextPayload(PayloadType.ID).withLength(1200);
        byte[] whole = concat(mm5.encode(), bytes(1200 - IsakmpHeader.LENGTH));
        for (int i = 0, n = 1; i < whole.length; i += 500, n++) {
            m.put("FRAGMENT-" + n, msg(header(ExchangeType.IDENTITY_PROTECTION, true, 0), new FragmentPayload(1, n,
                    i + 500 >= whole.length, Arrays.copyOfRange(whole, i, Math.min(whole.length, i + 500)))));
        }
        return m;
    }

    private static InetAddress addr(String s) {
        try {
            return InetAddress.getByName(s);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(s, e);
        }
    }

    private static byte[] attr(DataAttribute a) {
        WireWriter w = new WireWriter();
        a.write(w);
        return w.toByteArray();
    }
}
