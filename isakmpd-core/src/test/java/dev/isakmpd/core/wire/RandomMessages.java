package dev.isakmpd.core.wire;

import dev.isakmpd.core.registry.AttributeMessageType;
import dev.isakmpd.core.registry.CertEncoding;
import dev.isakmpd.core.registry.ExchangeType;
import dev.isakmpd.core.registry.IdType;
import dev.isakmpd.core.registry.IpsecDoi;
import dev.isakmpd.core.registry.NotifyType;
import dev.isakmpd.core.registry.PayloadType;
import dev.isakmpd.core.registry.ProtocolId;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/** Seeded generator of valid payloads and plaintext messages covering every payload class. */
final class RandomMessages {
    /** Private-use types without a class of their own, carried as OpaquePayload. */
    static final PayloadType[] OPAQUE_TYPES = {PayloadType.of(128), PayloadType.of(200), PayloadType.of(255)};
    /** Number of payload kinds {@link #payload(int)} knows (FRAGMENT is separate: it stands alone). */
    static final int KINDS = 15;
    private static final ProtocolId[] PROTOCOLS = {
        ProtocolId.ISAKMP, ProtocolId.IPSEC_AH, ProtocolId.IPSEC_ESP, ProtocolId.IPCOMP, ProtocolId.of(0),
        ProtocolId.of(77)
    };
    private static final NotifyType[] NOTIFY_TYPES = {
        NotifyType.INVALID_PAYLOAD_TYPE, NotifyType.NO_PROPOSAL_CHOSEN, NotifyType.INITIAL_CONTACT,
        NotifyType.RESPONDER_LIFETIME, NotifyType.R_U_THERE, NotifyType.R_U_THERE_ACK, NotifyType.of(40500)
    };

    private final Random rnd;

    RandomMessages(long seed) {
        this.rnd = new Random(seed);
    }

    int between(int min, int max) {
        return min + rnd.nextInt(max - min + 1);
    }

    byte[] bytes(int min, int max) {
        byte[] b = new byte[between(min, max)];
        rnd.nextBytes(b);
        return b;
    }

    DataAttribute attribute() {
        int type = rnd.nextBoolean() ? between(1, 16) : between(0, DataAttribute.MAX_TYPE);
        return rnd.nextBoolean() ? DataAttribute.basic(type, between(0, 0xFFFF))
                : DataAttribute.variable(type, bytes(0, 12));
    }

    TransformPayload transform(int number) {
        List<DataAttribute> attributes = new ArrayList<>();
        for (int i = between(0, 8); i > 0; i--) {
            attributes.add(attribute());
        }
        return new TransformPayload(number, between(0, 255), attributes);
    }

    ProposalPayload proposal(int number) {
        ProtocolId protocol = PROTOCOLS[rnd.nextInt(PROTOCOLS.length)];
        int spiSize;
        if (protocol.equals(ProtocolId.IPSEC_AH) || protocol.equals(ProtocolId.IPSEC_ESP)) {
            spiSize = 4;
        } else if (protocol.equals(ProtocolId.IPCOMP)) {
            spiSize = rnd.nextBoolean() ? 2 : 4;
        } else {
            spiSize = between(0, 16);
        }
        List<TransformPayload> transforms = new ArrayList<>();
        for (int i = 1, n = between(1, 4); i <= n; i++) {
            transforms.add(transform(i));
        }
        return new ProposalPayload(number, protocol, bytes(spiSize, spiSize), transforms);
    }

    SaPayload sa() {
        List<ProposalPayload> proposals = new ArrayList<>();
        for (int i = 1, n = between(1, 3); i <= n; i++) {
            proposals.add(proposal(i));
        }
        return new SaPayload(IpsecDoi.DOI_IPSEC, rnd.nextBoolean() ? IpsecDoi.SIT_IDENTITY_ONLY : 0, proposals);
    }

    IdentificationPayload id() {
        IdType type = IdType.of(rnd.nextInt(6) == 0 ? between(12, 255) : between(1, 11));
        int fixed = type.fixedDataLength();
        byte[] data = fixed >= 0 ? bytes(fixed, fixed) : bytes(1, 40);
        return new IdentificationPayload(type, between(0, 255), between(0, 0xFFFF), data);
    }

    NotificationPayload notification() {
        int doi = rnd.nextInt(4) == 0 ? rnd.nextInt() : rnd.nextInt(2);
        NotifyType type = rnd.nextBoolean() ? NOTIFY_TYPES[rnd.nextInt(NOTIFY_TYPES.length)]
                : NotifyType.of(between(0, 0xFFFF));
        return new NotificationPayload(doi, PROTOCOLS[rnd.nextInt(PROTOCOLS.length)], bytes(0, 16), type,
                bytes(0, 40));
    }

    DeletePayload delete() {
        ProtocolId protocol = PROTOCOLS[rnd.nextInt(PROTOCOLS.length)];
        int size;
        if (protocol.equals(ProtocolId.ISAKMP)) {
            size = 16;
        } else if (protocol.equals(ProtocolId.IPSEC_AH) || protocol.equals(ProtocolId.IPSEC_ESP)) {
            size = 4;
        } else if (protocol.equals(ProtocolId.IPCOMP)) {
            size = 2;
        } else {
            size = between(1, 16);
        }
        List<byte[]> spis = new ArrayList<>();
        for (int i = between(1, 4); i > 0; i--) {
            spis.add(bytes(size, size));
        }
        return new DeletePayload(rnd.nextInt(2), protocol, size, spis);
    }

    AttributePayload attributes() {
        List<DataAttribute> attributes = new ArrayList<>();
        for (int i = between(0, 10); i > 0; i--) {
            int type = rnd.nextBoolean() ? between(1, 15) : (rnd.nextBoolean() ? between(16520, 16529)
                    : between(0, DataAttribute.MAX_TYPE));
            attributes.add(rnd.nextBoolean() ? DataAttribute.basic(type, between(0, 0xFFFF))
                    : DataAttribute.variable(type, bytes(0, 20)));
        }
        return new AttributePayload(AttributeMessageType.of(rnd.nextBoolean() ? between(1, 4) : between(0, 255)),
                between(0, 0xFFFF), attributes);
    }

    NatOriginalAddressPayload natOa() {
        boolean v4 = rnd.nextBoolean();
        return new NatOriginalAddressPayload(rnd.nextBoolean() ? PayloadType.NAT_OA : PayloadType.NAT_OA_DRAFT,
                v4 ? IdType.IPV4_ADDR : IdType.IPV6_ADDR, v4 ? bytes(4, 4) : bytes(16, 16));
    }

    FragmentPayload fragment() {
        return new FragmentPayload(between(0, 0xFFFF), between(1, 255), rnd.nextBoolean(), bytes(1, 200));
    }

    /** Any top-level payload except FRAGMENT; kind 0..KINDS-1 picks the class. */
    Payload payload(int kind) {
        switch (kind) {
            case 0: return sa();
            case 1: return new KeyExchangePayload(bytes(0, 300));
            case 2: return id();
            case 3: return new HashPayload(bytes(0, 64));
            case 4: return new NoncePayload(bytes(NoncePayload.MIN_LENGTH, NoncePayload.MAX_LENGTH));
            case 5: return notification();
            case 6: return delete();
            case 7: return new VendorIdPayload(bytes(0, 20));
            case 8: return new CertificatePayload(CertEncoding.of(between(0, 12)), bytes(1, 300));
            case 9: return new CertificateRequestPayload(CertEncoding.of(between(0, 12)), bytes(0, 60));
            case 10: return new SignaturePayload(bytes(0, 256));
            case 11: return attributes();
            case 12: return new NatDiscoveryPayload(rnd.nextBoolean() ? PayloadType.NAT_D : PayloadType.NAT_D_DRAFT,
                    bytes(1, 64));
            case 13: return natOa();
            default: return new OpaquePayload(OPAQUE_TYPES[rnd.nextInt(OPAQUE_TYPES.length)], bytes(0, 60));
        }
    }

    Payload payload() {
        return payload(rnd.nextInt(KINDS));
    }

    List<Payload> payloads() {
        if (rnd.nextInt(16) == 0) {
            return List.of(fragment());
        }
        List<Payload> payloads = new ArrayList<>();
        for (int i = between(0, 8); i > 0; i--) {
            payloads.add(payload());
        }
        return payloads;
    }

    /** A plaintext header (no encryption flag), fields to be fixed up by IsakmpMessage.encode(). */
    IsakmpHeader header() {
        int flags = rnd.nextInt(4) * 2; // commit and auth-only bits only
        return IsakmpHeader.create(bytes(8, 8), rnd.nextBoolean() ? new byte[8] : bytes(8, 8),
                ExchangeType.of(between(0, 255)), flags, rnd.nextBoolean() ? 0 : rnd.nextInt());
    }

    IsakmpMessage message() {
        return new IsakmpMessage(header(), payloads());
    }
}
