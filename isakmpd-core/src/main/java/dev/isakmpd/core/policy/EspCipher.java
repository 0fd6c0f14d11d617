package dev.isakmpd.core.policy;

/** ESP encryption transforms (IPsec DOI transform IDs, RFC 2407 s4.4.4, RFC 3602). */
public enum EspCipher {
    DES3_CBC(3, "3des", "cbc(des3_ede)"),
    AES_CBC(12, "aes", "cbc(aes)");

    private final int transformId;
    private final String name;
    private final String kernelName;

    EspCipher(int transformId, String name, String kernelName) {
        this.transformId = transformId;
        this.name = name;
        this.kernelName = kernelName;
    }

    public int transformId() {
        return transformId;
    }

    /** The Linux crypto API name, as `ip xfrm state` shows it. */
    public String kernelName() {
        return kernelName;
    }

    public boolean isValidKeyBits(int bits) {
        return this == DES3_CBC ? bits == 192 : bits == 128 || bits == 192 || bits == 256;
    }

    /** AES carries its key length in the Key Length attribute (RFC 3602 s5); 3DES has a fixed key. */
    public boolean hasKeyLengthAttribute() {
        return this == AES_CBC;
    }

    public String displayName(int keyBits) {
        return this == DES3_CBC ? name : name + keyBits;
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
