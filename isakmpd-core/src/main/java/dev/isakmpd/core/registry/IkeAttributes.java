package dev.isakmpd.core.registry;

/** IKE phase-1 SA attribute classes and values (RFC 2409 Appendix A, with later IANA assignments noted). */
public final class IkeAttributes {
    // Attribute classes (B = basic, V = variable per RFC 2409 Appendix A)
    public static final int ENCRYPTION_ALGORITHM = 1;   // B
    public static final int HASH_ALGORITHM = 2;         // B
    public static final int AUTHENTICATION_METHOD = 3;  // B
    public static final int GROUP_DESCRIPTION = 4;      // B
    public static final int GROUP_TYPE = 5;             // B
    public static final int GROUP_PRIME = 6;            // V
    public static final int GROUP_GENERATOR_ONE = 7;    // V
    public static final int GROUP_GENERATOR_TWO = 8;    // V
    public static final int GROUP_CURVE_A = 9;          // V
    public static final int GROUP_CURVE_B = 10;         // V
    public static final int LIFE_TYPE = 11;             // B
    public static final int LIFE_DURATION = 12;         // V
    public static final int PRF = 13;                   // B
    public static final int KEY_LENGTH = 14;            // B
    public static final int FIELD_SIZE = 15;            // B
    public static final int GROUP_ORDER = 16;           // V

    // Encryption Algorithm values
    public static final int ENC_DES_CBC = 1;
    public static final int ENC_IDEA_CBC = 2;
    public static final int ENC_BLOWFISH_CBC = 3;
    public static final int ENC_RC5_R16_B64_CBC = 4;
    public static final int ENC_3DES_CBC = 5;
    public static final int ENC_CAST_CBC = 6;
    /** RFC 3602 s7. */
    public static final int ENC_AES_CBC = 7;
    /** RFC 4312. */
    public static final int ENC_CAMELLIA_CBC = 8;

    // Hash Algorithm values
    public static final int HASH_MD5 = 1;
    public static final int HASH_SHA1 = 2;
    public static final int HASH_TIGER = 3;
    /** RFC 4868 s4. */
    public static final int HASH_SHA2_256 = 4;
    public static final int HASH_SHA2_384 = 5;
    public static final int HASH_SHA2_512 = 6;

    // Authentication Method values
    public static final int AUTH_PRE_SHARED_KEY = 1;
    public static final int AUTH_DSS_SIGNATURES = 2;
    public static final int AUTH_RSA_SIGNATURES = 3;
    public static final int AUTH_RSA_ENCRYPTION = 4;
    public static final int AUTH_RSA_REVISED_ENCRYPTION = 5;
    /** RFC 4754. */
    public static final int AUTH_ECDSA_256 = 9;
    public static final int AUTH_ECDSA_384 = 10;
    public static final int AUTH_ECDSA_521 = 11;
    /** draft-ietf-ipsec-isakmp-hybrid-auth-05 (private use range). */
    public static final int AUTH_HYBRID_INIT_RSA = 64221;
    public static final int AUTH_HYBRID_RESP_RSA = 64222;
    public static final int AUTH_HYBRID_INIT_DSS = 64223;
    public static final int AUTH_HYBRID_RESP_DSS = 64224;
    /** draft-beaulieu-ike-xauth-02 (private use range). */
    public static final int AUTH_XAUTH_INIT_PRE_SHARED = 65001;
    public static final int AUTH_XAUTH_RESP_PRE_SHARED = 65002;
    public static final int AUTH_XAUTH_INIT_DSS = 65003;
    public static final int AUTH_XAUTH_RESP_DSS = 65004;
    public static final int AUTH_XAUTH_INIT_RSA = 65005;
    public static final int AUTH_XAUTH_RESP_RSA = 65006;
    public static final int AUTH_XAUTH_INIT_RSA_ENCRYPTION = 65007;
    public static final int AUTH_XAUTH_RESP_RSA_ENCRYPTION = 65008;
    public static final int AUTH_XAUTH_INIT_RSA_REVISED_ENCRYPTION = 65009;
    public static final int AUTH_XAUTH_RESP_RSA_REVISED_ENCRYPTION = 65010;

    // Group Type values
    public static final int GROUP_TYPE_MODP = 1;
    public static final int GROUP_TYPE_ECP = 2;
    public static final int GROUP_TYPE_EC2N = 3;

    // Life Type values
    public static final int LIFE_SECONDS = 1;
    public static final int LIFE_KILOBYTES = 2;

    /** Names for {@link dev.isakmpd.core.registry.AttributeSpace} users such as the message dump. */
    public static final AttributeSpace SPACE = new AttributeTable()
            .attributeClass(ENCRYPTION_ALGORITHM, "Encryption Algorithm")
            .attributeClass(HASH_ALGORITHM, "Hash Algorithm")
            .attributeClass(AUTHENTICATION_METHOD, "Authentication Method")
            .attributeClass(GROUP_DESCRIPTION, "Group Description")
            .attributeClass(GROUP_TYPE, "Group Type")
            .attributeClass(GROUP_PRIME, "Group Prime/Irreducible Polynomial")
            .attributeClass(GROUP_GENERATOR_ONE, "Group Generator One")
            .attributeClass(GROUP_GENERATOR_TWO, "Group Generator Two")
            .attributeClass(GROUP_CURVE_A, "Group Curve A")
            .attributeClass(GROUP_CURVE_B, "Group Curve B")
            .attributeClass(LIFE_TYPE, "Life Type")
            .attributeClass(LIFE_DURATION, "Life Duration")
            .attributeClass(PRF, "PRF")
            .attributeClass(KEY_LENGTH, "Key Length")
            .attributeClass(FIELD_SIZE, "Field Size")
            .attributeClass(GROUP_ORDER, "Group Order")
            .values(ENCRYPTION_ALGORITHM, new Names()
                    .put(ENC_DES_CBC, "DES-CBC")
                    .put(ENC_IDEA_CBC, "IDEA-CBC")
                    .put(ENC_BLOWFISH_CBC, "Blowfish-CBC")
                    .put(ENC_RC5_R16_B64_CBC, "RC5-R16-B64-CBC")
                    .put(ENC_3DES_CBC, "3DES-CBC")
                    .put(ENC_CAST_CBC, "CAST-CBC")
                    .put(ENC_AES_CBC, "AES-CBC")
                    .put(ENC_CAMELLIA_CBC, "Camellia-CBC"))
            .values(HASH_ALGORITHM, new Names()
                    .put(HASH_MD5, "MD5")
                    .put(HASH_SHA1, "SHA")
                    .put(HASH_TIGER, "Tiger")
                    .put(HASH_SHA2_256, "SHA2-256")
                    .put(HASH_SHA2_384, "SHA2-384")
                    .put(HASH_SHA2_512, "SHA2-512"))
            .values(AUTHENTICATION_METHOD, new Names()
                    .put(AUTH_PRE_SHARED_KEY, "pre-shared key")
                    .put(AUTH_DSS_SIGNATURES, "DSS signatures")
                    .put(AUTH_RSA_SIGNATURES, "RSA signatures")
                    .put(AUTH_RSA_ENCRYPTION, "Encryption with RSA")
                    .put(AUTH_RSA_REVISED_ENCRYPTION, "Revised encryption with RSA")
                    .put(AUTH_ECDSA_256, "ECDSA-256")
                    .put(AUTH_ECDSA_384, "ECDSA-384")
                    .put(AUTH_ECDSA_521, "ECDSA-521")
                    .put(AUTH_HYBRID_INIT_RSA, "HybridInitRSA")
                    .put(AUTH_HYBRID_RESP_RSA, "HybridRespRSA")
                    .put(AUTH_HYBRID_INIT_DSS, "HybridInitDSS")
                    .put(AUTH_HYBRID_RESP_DSS, "HybridRespDSS")
                    .put(AUTH_XAUTH_INIT_PRE_SHARED, "XAUTHInitPreShared")
                    .put(AUTH_XAUTH_RESP_PRE_SHARED, "XAUTHRespPreShared")
                    .put(AUTH_XAUTH_INIT_DSS, "XAUTHInitDSS")
                    .put(AUTH_XAUTH_RESP_DSS, "XAUTHRespDSS")
                    .put(AUTH_XAUTH_INIT_RSA, "XAUTHInitRSA")
                    .put(AUTH_XAUTH_RESP_RSA, "XAUTHRespRSA")
                    .put(AUTH_XAUTH_INIT_RSA_ENCRYPTION, "XAUTHInitRSAEncryption")
                    .put(AUTH_XAUTH_RESP_RSA_ENCRYPTION, "XAUTHRespRSAEncryption")
                    .put(AUTH_XAUTH_INIT_RSA_REVISED_ENCRYPTION, "XAUTHInitRSARevisedEncryption")
                    .put(AUTH_XAUTH_RESP_RSA_REVISED_ENCRYPTION, "XAUTHRespRSARevisedEncryption"))
            .values(GROUP_DESCRIPTION, GroupDescription.NAMES)
            .values(GROUP_TYPE, new Names()
                    .put(GROUP_TYPE_MODP, "MODP")
                    .put(GROUP_TYPE_ECP, "ECP")
                    .put(GROUP_TYPE_EC2N, "EC2N"))
            .values(LIFE_TYPE, new Names()
                    .put(LIFE_SECONDS, "seconds")
                    .put(LIFE_KILOBYTES, "kilobytes"));

    private IkeAttributes() {
    }

    /** RFC 2409 Appendix A type column: true for classes defined as variable-length (V). */
    public static boolean isVariableClass(int type) {
        return switch (type) {
            case GROUP_PRIME, GROUP_GENERATOR_ONE, GROUP_GENERATOR_TWO, GROUP_CURVE_A, GROUP_CURVE_B,
                    LIFE_DURATION, GROUP_ORDER -> true;
            default -> false;
        };
    }
}
