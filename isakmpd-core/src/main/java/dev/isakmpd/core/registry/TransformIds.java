package dev.isakmpd.core.registry;

/**
 * Transform identifiers of the IPsec DOI, whose meaning depends on the proposal's protocol
 * (RFC 2407 s4.4.2 ISAKMP, s4.4.3 AH, s4.4.4 ESP, s4.4.5 IPCOMP; RFC 3602; RFC 4106).
 */
public final class TransformIds {
    // PROTO_ISAKMP
    public static final int KEY_IKE = 1;

    // PROTO_IPSEC_AH
    public static final int AH_MD5 = 2;
    public static final int AH_SHA = 3;
    public static final int AH_DES = 4;
    /** RFC 4868 s4; the rest from the IANA "IPSEC AH Transform Identifiers" registry. */
    public static final int AH_SHA2_256 = 5;
    public static final int AH_SHA2_384 = 6;
    public static final int AH_SHA2_512 = 7;
    public static final int AH_RIPEMD = 8;
    public static final int AH_AES_XCBC_MAC = 9;
    public static final int AH_RSA = 10;
    public static final int AH_AES_128_GMAC = 11;
    public static final int AH_AES_192_GMAC = 12;
    public static final int AH_AES_256_GMAC = 13;

    // PROTO_IPSEC_ESP
    public static final int ESP_DES_IV64 = 1;
    public static final int ESP_DES = 2;
    public static final int ESP_3DES = 3;
    public static final int ESP_RC5 = 4;
    public static final int ESP_IDEA = 5;
    public static final int ESP_CAST = 6;
    public static final int ESP_BLOWFISH = 7;
    public static final int ESP_3IDEA = 8;
    public static final int ESP_DES_IV32 = 9;
    public static final int ESP_RC4 = 10;
    public static final int ESP_NULL = 11;
    /** RFC 3602 s7. */
    public static final int ESP_AES = 12;
    /** IANA "IPSEC ESP Transform Identifiers": RFC 3686 (CTR), RFC 4309 (CCM). */
    public static final int ESP_AES_CTR = 13;
    public static final int ESP_AES_CCM_8 = 14;
    public static final int ESP_AES_CCM_12 = 15;
    public static final int ESP_AES_CCM_16 = 16;
    /** RFC 4106 s12: AES-GCM with 8, 12 and 16 octet ICV. */
    public static final int ESP_AES_GCM_8 = 18;
    public static final int ESP_AES_GCM_12 = 19;
    public static final int ESP_AES_GCM_16 = 20;
    /** RFC 4196, RFC 4312, RFC 4543. */
    public static final int ESP_SEED_CBC = 21;
    public static final int ESP_CAMELLIA = 22;
    public static final int ESP_NULL_AUTH_AES_GMAC = 23;

    // PROTO_IPCOMP
    public static final int IPCOMP_OUI = 1;
    public static final int IPCOMP_DEFLATE = 2;
    public static final int IPCOMP_LZS = 3;
    public static final int IPCOMP_LZJH = 4;

    private static final Names ISAKMP = new Names().put(KEY_IKE, "KEY_IKE");
    private static final Names AH = new Names()
            .put(AH_MD5, "AH_MD5").put(AH_SHA, "AH_SHA").put(AH_DES, "AH_DES")
            .put(AH_SHA2_256, "AH_SHA2-256").put(AH_SHA2_384, "AH_SHA2-384").put(AH_SHA2_512, "AH_SHA2-512")
            .put(AH_RIPEMD, "AH_RIPEMD").put(AH_AES_XCBC_MAC, "AH_AES-XCBC-MAC").put(AH_RSA, "AH_RSA")
            .put(AH_AES_128_GMAC, "AH_AES-128-GMAC").put(AH_AES_192_GMAC, "AH_AES-192-GMAC")
            .put(AH_AES_256_GMAC, "AH_AES-256-GMAC");
    private static final Names ESP = new Names()
            .put(ESP_DES_IV64, "ESP_DES_IV64").put(ESP_DES, "ESP_DES").put(ESP_3DES, "ESP_3DES")
            .put(ESP_RC5, "ESP_RC5").put(ESP_IDEA, "ESP_IDEA").put(ESP_CAST, "ESP_CAST")
            .put(ESP_BLOWFISH, "ESP_BLOWFISH").put(ESP_3IDEA, "ESP_3IDEA").put(ESP_DES_IV32, "ESP_DES_IV32")
            .put(ESP_RC4, "ESP_RC4").put(ESP_NULL, "ESP_NULL").put(ESP_AES, "ESP_AES")
            .put(ESP_AES_GCM_8, "ESP_AES_GCM_8").put(ESP_AES_GCM_12, "ESP_AES_GCM_12")
            .put(ESP_AES_GCM_16, "ESP_AES_GCM_16")
            .put(ESP_AES_CTR, "ESP_AES-CTR").put(ESP_AES_CCM_8, "ESP_AES-CCM_8").put(ESP_AES_CCM_12, "ESP_AES-CCM_12")
            .put(ESP_AES_CCM_16, "ESP_AES-CCM_16").put(ESP_SEED_CBC, "ESP_SEED_CBC")
            .put(ESP_CAMELLIA, "ESP_CAMELLIA").put(ESP_NULL_AUTH_AES_GMAC, "ESP_NULL_AUTH_AES-GMAC");
    private static final Names IPCOMP = new Names()
            .put(IPCOMP_OUI, "IPCOMP_OUI").put(IPCOMP_DEFLATE, "IPCOMP_DEFLATE").put(IPCOMP_LZS, "IPCOMP_LZS")
            .put(IPCOMP_LZJH, "IPCOMP_LZJH");

    private TransformIds() {
    }

    /** Name of a transform ID within the given protocol, "UNKNOWN(n)" otherwise. */
    public static String name(ProtocolId protocol, int transformId) {
        Names names;
        if (ProtocolId.ISAKMP.equals(protocol)) {
            names = ISAKMP;
        } else if (ProtocolId.IPSEC_AH.equals(protocol)) {
            names = AH;
        } else if (ProtocolId.IPSEC_ESP.equals(protocol)) {
            names = ESP;
        } else if (ProtocolId.IPCOMP.equals(protocol)) {
            names = IPCOMP;
        } else {
            return "UNKNOWN(" + transformId + ")";
        }
        return names.describe(transformId);
    }
}
