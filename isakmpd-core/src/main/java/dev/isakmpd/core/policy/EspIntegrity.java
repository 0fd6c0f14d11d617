package dev.isakmpd.core.policy;

/**
 * ESP authentication algorithms: the IPsec DOI "Authentication Algorithm" attribute values
 * (RFC 2407 s4.5, RFC 4868 s2.4 for SHA-2), with their key and ICV sizes.
 */
public enum EspIntegrity {
    HMAC_MD5(1, "md5", "hmac(md5)", 16, 96),
    HMAC_SHA1(2, "sha1", "hmac(sha1)", 20, 96),
    HMAC_SHA2_256(5, "sha256", "hmac(sha256)", 32, 128),
    HMAC_SHA2_384(6, "sha384", "hmac(sha384)", 48, 192),
    HMAC_SHA2_512(7, "sha512", "hmac(sha512)", 64, 256),
    /** RFC 3566; strongSwan's name. */
    AES_XCBC_MAC(9, "aesxcbc", "xcbc(aes)", 16, 96),
    /** No integrity algorithm: with an AEAD cipher (AES-GCM), which authenticates by itself. */
    NONE(0, "none", "", 0, 0);

    private final int attributeValue;
    private final String name;
    private final String kernelName;
    private final int keyLength;
    private final int icvBits;

    EspIntegrity(int attributeValue, String name, String kernelName, int keyLength, int icvBits) {
        this.attributeValue = attributeValue;
        this.name = name;
        this.kernelName = kernelName;
        this.keyLength = keyLength;
        this.icvBits = icvBits;
    }

    public int attributeValue() {
        return attributeValue;
    }

    public String displayName() {
        return name;
    }

    public String kernelName() {
        return kernelName;
    }

    /** Key length in bytes, taken from KEYMAT after the encryption key. */
    public int keyLength() {
        return keyLength;
    }

    public int icvBits() {
        return icvBits;
    }

    /**
     * The AH transform ID that names this algorithm (RFC 2407 s4.4.3, RFC 4868 s4, IANA for
     * XCBC); the AH transform carries the same Authentication Algorithm attribute. 0 for NONE.
     */
    public int ahTransformId() {
        return switch (this) {
            case HMAC_MD5 -> 2;
            case HMAC_SHA1 -> 3;
            case NONE -> 0;
            default -> attributeValue;
        };
    }

    /** The algorithm of an AH transform ID, or null if we support none by that ID. */
    public static EspIntegrity fromAhTransformId(int id) {
        for (EspIntegrity i : values()) {
            if (i != NONE && i.ahTransformId() == id) {
                return i;
            }
        }
        return null;
    }

    public static EspIntegrity fromAttribute(int value) {
        for (EspIntegrity i : values()) {
            if (i != NONE && i.attributeValue == value) {
                return i;
            }
        }
        return null;
    }
}
