package dev.isakmpd.core.registry;

/**
 * Names of data-attribute classes and their enumerated values within one attribute space (IKE phase 1, IPsec DOI
 * phase 2, later mode-cfg), for logs and message dumps.
 */
public interface AttributeSpace {

    /** The class name, e.g. "Encryption Algorithm", or "UNKNOWN(n)". */
    String className(int type);

    /** The name of an enumerated value, e.g. "AES-CBC", or {@code null} if the class is numeric or the value unknown. */
    String valueName(int type, long value);

    /**
     * True for classes whose value is a secret (XAUTH passwords and passcodes): dumps and toString must not show
     * the value, only its length.
     */
    default boolean isSecret(int type) {
        return false;
    }

    /** Proposal protocol PROTO_ISAKMP carries IKE phase-1 attributes; the IPsec protocols carry RFC 2407 s4.5 ones. */
    static AttributeSpace forProtocol(ProtocolId protocol) {
        return ProtocolId.ISAKMP.equals(protocol) ? IkeAttributes.SPACE : IpsecAttributes.SPACE;
    }
}
