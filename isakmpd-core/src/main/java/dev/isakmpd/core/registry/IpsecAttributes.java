package dev.isakmpd.core.registry;

/** IPsec DOI (phase 2) SA attribute classes and values (RFC 2407 s4.5, plus RFC 3947, RFC 4304, RFC 4868). */
public final class IpsecAttributes {
    // Attribute classes
    public static final int SA_LIFE_TYPE = 1;               // B
    public static final int SA_LIFE_DURATION = 2;           // V
    public static final int GROUP_DESCRIPTION = 3;          // B
    public static final int ENCAPSULATION_MODE = 4;         // B
    public static final int AUTHENTICATION_ALGORITHM = 5;   // B
    public static final int KEY_LENGTH = 6;                 // B
    public static final int KEY_ROUNDS = 7;                 // B
    public static final int COMPRESS_DICTIONARY_SIZE = 8;   // B
    public static final int COMPRESS_PRIVATE_ALGORITHM = 9; // V
    /** RFC 4304 s2. */
    public static final int EXTENDED_SEQUENCE_NUMBER = 11;  // B

    // SA Life Type values
    public static final int LIFE_SECONDS = 1;
    public static final int LIFE_KILOBYTES = 2;

    // Encapsulation Mode values
    public static final int ENCAP_TUNNEL = 1;
    public static final int ENCAP_TRANSPORT = 2;
    /** RFC 3947 s4. */
    public static final int ENCAP_UDP_TUNNEL = 3;
    public static final int ENCAP_UDP_TRANSPORT = 4;
    /** draft-ietf-ipsec-nat-t-ike-02..08 values, still sent by old peers. */
    public static final int ENCAP_UDP_TUNNEL_DRAFT = 61443;
    public static final int ENCAP_UDP_TRANSPORT_DRAFT = 61444;

    // Authentication Algorithm values
    public static final int AUTH_HMAC_MD5 = 1;
    public static final int AUTH_HMAC_SHA1 = 2;
    public static final int AUTH_DES_MAC = 3;
    public static final int AUTH_KPDK = 4;
    /** RFC 4868 s4. */
    public static final int AUTH_HMAC_SHA2_256 = 5;
    public static final int AUTH_HMAC_SHA2_384 = 6;
    public static final int AUTH_HMAC_SHA2_512 = 7;
    /** IANA "IPSEC Authentication Algorithms". */
    public static final int AUTH_HMAC_RIPEMD = 8;
    public static final int AUTH_AES_XCBC_MAC = 9;
    public static final int AUTH_SIG_RSA = 10;
    public static final int AUTH_AES_128_GMAC = 11;
    public static final int AUTH_AES_192_GMAC = 12;
    public static final int AUTH_AES_256_GMAC = 13;

    // Extended Sequence Number values (RFC 4304)
    public static final int ESN_64_BIT = 1;

    public static final AttributeSpace SPACE = new AttributeTable()
            .attributeClass(SA_LIFE_TYPE, "SA Life Type")
            .attributeClass(SA_LIFE_DURATION, "SA Life Duration")
            .attributeClass(GROUP_DESCRIPTION, "Group Description")
            .attributeClass(ENCAPSULATION_MODE, "Encapsulation Mode")
            .attributeClass(AUTHENTICATION_ALGORITHM, "Authentication Algorithm")
            .attributeClass(KEY_LENGTH, "Key Length")
            .attributeClass(KEY_ROUNDS, "Key Rounds")
            .attributeClass(COMPRESS_DICTIONARY_SIZE, "Compress Dictionary Size")
            .attributeClass(COMPRESS_PRIVATE_ALGORITHM, "Compress Private Algorithm")
            .attributeClass(EXTENDED_SEQUENCE_NUMBER, "Extended Sequence Number")
            .values(SA_LIFE_TYPE, new Names()
                    .put(LIFE_SECONDS, "seconds")
                    .put(LIFE_KILOBYTES, "kilobytes"))
            .values(GROUP_DESCRIPTION, GroupDescription.NAMES)
            .values(ENCAPSULATION_MODE, new Names()
                    .put(ENCAP_TUNNEL, "Tunnel")
                    .put(ENCAP_TRANSPORT, "Transport")
                    .put(ENCAP_UDP_TUNNEL, "UDP-Encapsulated-Tunnel")
                    .put(ENCAP_UDP_TRANSPORT, "UDP-Encapsulated-Transport")
                    .put(ENCAP_UDP_TUNNEL_DRAFT, "UDP-Encapsulated-Tunnel(draft)")
                    .put(ENCAP_UDP_TRANSPORT_DRAFT, "UDP-Encapsulated-Transport(draft)"))
            .values(AUTHENTICATION_ALGORITHM, new Names()
                    .put(AUTH_HMAC_MD5, "HMAC-MD5")
                    .put(AUTH_HMAC_SHA1, "HMAC-SHA")
                    .put(AUTH_DES_MAC, "DES-MAC")
                    .put(AUTH_KPDK, "KPDK")
                    .put(AUTH_HMAC_SHA2_256, "HMAC-SHA2-256")
                    .put(AUTH_HMAC_SHA2_384, "HMAC-SHA2-384")
                    .put(AUTH_HMAC_SHA2_512, "HMAC-SHA2-512")
                    .put(AUTH_HMAC_RIPEMD, "HMAC-RIPEMD")
                    .put(AUTH_AES_XCBC_MAC, "AES-XCBC-MAC")
                    .put(AUTH_SIG_RSA, "SIG-RSA")
                    .put(AUTH_AES_128_GMAC, "AES-128-GMAC")
                    .put(AUTH_AES_192_GMAC, "AES-192-GMAC")
                    .put(AUTH_AES_256_GMAC, "AES-256-GMAC"))
            .values(EXTENDED_SEQUENCE_NUMBER, new Names()
                    .put(ESN_64_BIT, "64-bit Sequence Number"));

    private IpsecAttributes() {
    }

    /** RFC 2407 s4.5 type column: true for classes defined as variable-length (V). */
    public static boolean isVariableClass(int type) {
        return type == SA_LIFE_DURATION || type == COMPRESS_PRIVATE_ALGORITHM;
    }
}
