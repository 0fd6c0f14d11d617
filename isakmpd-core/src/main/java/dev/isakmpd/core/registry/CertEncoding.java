package dev.isakmpd.core.registry;

/** Certificate encodings used by CERT and CR payloads (RFC 2408 s3.9). */
public final class CertEncoding {
    public static final int NONE = 0;
    public static final int PKCS7_X509 = 1;
    public static final int PGP = 2;
    public static final int DNS_SIGNED_KEY = 3;
    public static final int X509_SIGNATURE = 4;
    public static final int X509_KEY_EXCHANGE = 5;
    public static final int KERBEROS_TOKENS = 6;
    public static final int CRL = 7;
    public static final int ARL = 8;
    public static final int SPKI = 9;
    public static final int X509_ATTRIBUTE = 10;

    private static final Names NAMES = new Names()
            .put(NONE, "NONE")
            .put(PKCS7_X509, "PKCS #7 wrapped X.509 certificate")
            .put(PGP, "PGP Certificate")
            .put(DNS_SIGNED_KEY, "DNS Signed Key")
            .put(X509_SIGNATURE, "X.509 Certificate - Signature")
            .put(X509_KEY_EXCHANGE, "X.509 Certificate - Key Exchange")
            .put(KERBEROS_TOKENS, "Kerberos Tokens")
            .put(CRL, "Certificate Revocation List (CRL)")
            .put(ARL, "Authority Revocation List (ARL)")
            .put(SPKI, "SPKI Certificate")
            .put(X509_ATTRIBUTE, "X.509 Certificate - Attribute");

    private CertEncoding() {
    }

    public static String name(int encoding) {
        return NAMES.describe(encoding);
    }
}
