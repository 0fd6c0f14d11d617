package dev.isakmpd.core.policy;

/**
 * ESP encryption transforms (IPsec DOI transform IDs, RFC 2407 s4.4.4, RFC 3602, RFC 3686, RFC
 * 4106). The AEAD ones (AES-GCM) authenticate as well, with the ICV their transform ID names, and
 * take no separate integrity algorithm. AES-CTR and AES-GCM take 4 bytes of KEYMAT beyond the key
 * (RFC 3686 s5.1 nonce, RFC 4106 s8.1 salt), which the kernel expects at the end of the key.
 */
public enum EspCipher {
    DES3_CBC(3, "3des", "cbc(des3_ede)", 0, 0),
    AES_CBC(12, "aes", "cbc(aes)", 0, 0),
    /** RFC 3686. */
    AES_CTR(13, "aes%dctr", "rfc3686(ctr(aes))", 4, 0),
    /** RFC 4106: the transform ID says the ICV, 8, 12 or 16 bytes. */
    AES_GCM_8(18, "aes%dgcm8", "rfc4106(gcm(aes))", 4, 64),
    AES_GCM_12(19, "aes%dgcm12", "rfc4106(gcm(aes))", 4, 96),
    AES_GCM_16(20, "aes%dgcm16", "rfc4106(gcm(aes))", 4, 128),
    /** RFC 2410: integrity only; configured only with daemon.allow-esp-null. */
    NULL(11, "null", "ecb(cipher_null)", 0, 0);

    private final int transformId;
    private final String name;
    private final String kernelName;
    private final int saltLength;
    private final int icvBits;

    EspCipher(int transformId, String name, String kernelName, int saltLength, int icvBits) {
        this.transformId = transformId;
        this.name = name;
        this.kernelName = kernelName;
        this.saltLength = saltLength;
        this.icvBits = icvBits;
    }

    public int transformId() {
        return transformId;
    }

    /** The Linux crypto API name, as `ip xfrm state` shows it. */
    public String kernelName() {
        return kernelName;
    }

    public boolean isValidKeyBits(int bits) {
        return switch (this) {
            case DES3_CBC -> bits == 192;
            case NULL -> bits == 0;
            default -> bits == 128 || bits == 192 || bits == 256;
        };
    }

    /**
     * The AES modes carry their key length in the Key Length attribute (RFC 3602 s5; for CTR and
     * GCM it MUST be there, RFC 3686 s5.4, RFC 4106 s8.4); 3DES and NULL have a fixed key.
     */
    public boolean hasKeyLengthAttribute() {
        return this != DES3_CBC && this != NULL;
    }

    /** Whether the Key Length attribute may be left out (then 128 bits, RFC 3602 s5.3). */
    public boolean keyLengthOptional() {
        return this == AES_CBC;
    }

    /** A combined-mode cipher (RFC 4303 s3.2.3): no separate integrity algorithm. */
    public boolean isAead() {
        return icvBits > 0;
    }

    /** The AEAD's ICV in bits (XFRM alg_icv_len); 0 for the others. */
    public int icvBits() {
        return icvBits;
    }

    /** Bytes of KEYMAT taken after the key: the nonce (CTR) or salt (GCM). */
    public int saltLength() {
        return saltLength;
    }

    /** KEYMAT bytes of the encryption key, salt or nonce included. */
    public int keymatLength(int keyBits) {
        return keyBits / 8 + saltLength;
    }

    /** strongSwan's name: "3des", "aes128", "aes256ctr", "aes128gcm16", "null". */
    public String displayName(int keyBits) {
        return name.contains("%d") ? String.format(name, keyBits) : this == AES_CBC ? name + keyBits : name;
    }

    public static EspCipher fromTransformId(int id) {
        for (EspCipher c : values()) {
            if (c.transformId == id) {
                return c;
            }
        }
        return null;
    }
}
