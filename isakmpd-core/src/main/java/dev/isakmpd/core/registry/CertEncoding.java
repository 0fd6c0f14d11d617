package dev.isakmpd.core.registry;

/**
 * Certificate encoding of CERT and CR payloads (RFC 2408 s3.9), an open enum over 0..255: 11..252 are reserved,
 * 253..255 private use; unknown values are kept so that a CR can be answered with CERT-TYPE-UNSUPPORTED naming them.
 */
public record CertEncoding(int value) {
    private static final Registry<CertEncoding> REGISTRY = new Registry<>(CertEncoding::new);

    public static final CertEncoding NONE = REGISTRY.define(0, "NONE");
    public static final CertEncoding PKCS7_X509 = REGISTRY.define(1, "PKCS #7 wrapped X.509 certificate");
    public static final CertEncoding PGP = REGISTRY.define(2, "PGP Certificate");
    public static final CertEncoding DNS_SIGNED_KEY = REGISTRY.define(3, "DNS Signed Key");
    public static final CertEncoding X509_SIGNATURE = REGISTRY.define(4, "X.509 Certificate - Signature");
    public static final CertEncoding X509_KEY_EXCHANGE = REGISTRY.define(5, "X.509 Certificate - Key Exchange");
    public static final CertEncoding KERBEROS_TOKENS = REGISTRY.define(6, "Kerberos Tokens");
    public static final CertEncoding CRL = REGISTRY.define(7, "Certificate Revocation List (CRL)");
    public static final CertEncoding ARL = REGISTRY.define(8, "Authority Revocation List (ARL)");
    public static final CertEncoding SPKI = REGISTRY.define(9, "SPKI Certificate");
    public static final CertEncoding X509_ATTRIBUTE = REGISTRY.define(10, "X.509 Certificate - Attribute");

    public CertEncoding {
        if (value < 0 || value > 0xFF) {
            throw new IllegalArgumentException("certificate encoding out of range 0..255: " + value);
        }
    }

    public static CertEncoding of(int value) {
        return REGISTRY.of(value);
    }

    public boolean isKnown() {
        return REGISTRY.isKnown(value);
    }

    /** The name of an encoding number, or UNKNOWN(n). */
    public static String name(int encoding) {
        return REGISTRY.describe(encoding);
    }

    @Override
    public String toString() {
        return REGISTRY.describe(value);
    }
}
