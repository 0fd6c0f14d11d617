package dev.isakmpd.core.wire;

import dev.isakmpd.core.registry.PayloadType;

/**
 * One ISAKMP payload (RFC 2408 s3.4-3.16). Implementations are immutable values; byte arrays are copied in and out
 * and compared by content. Proposal and Transform payloads exist only nested inside an SA payload.
 */
public sealed interface Payload
        permits SaPayload, ProposalPayload, TransformPayload, KeyExchangePayload, IdentificationPayload,
        HashPayload, NoncePayload, NotificationPayload, DeletePayload, VendorIdPayload, CertificatePayload,
        CertificateRequestPayload, SignaturePayload, AttributePayload, NatDiscoveryPayload, NatOriginalAddressPayload,
        FragmentPayload, OpaquePayload, EncryptedPayload {

    PayloadType type();
}
