package dev.isakmpd.core.registry;

/** Domain of Interpretation and Situation values (RFC 2408 s3.4, RFC 2407 s4.2). */
public final class IpsecDoi {
    /** RFC 2408 s3.4: DOI 0 is the generic ISAKMP DOI (seen in some Notification/Delete payloads). */
    public static final int DOI_ISAKMP = 0;
    /** RFC 2407: the IPsec DOI. */
    public static final int DOI_IPSEC = 1;

    // RFC 2407 s4.2 situation bitmap
    public static final int SIT_IDENTITY_ONLY = 0x01;
    public static final int SIT_SECRECY = 0x02;
    public static final int SIT_INTEGRITY = 0x04;

    private IpsecDoi() {
    }

    public static String doiName(int doi) {
        return switch (doi) {
            case DOI_ISAKMP -> "ISAKMP";
            case DOI_IPSEC -> "IPSEC";
            default -> "UNKNOWN(" + Integer.toUnsignedString(doi) + ")";
        };
    }

    /** Situation bitmap as names joined with '|', e.g. "SIT_IDENTITY_ONLY". */
    public static String situationName(int situation) {
        StringBuilder sb = new StringBuilder();
        appendBit(sb, situation, SIT_IDENTITY_ONLY, "SIT_IDENTITY_ONLY");
        appendBit(sb, situation, SIT_SECRECY, "SIT_SECRECY");
        appendBit(sb, situation, SIT_INTEGRITY, "SIT_INTEGRITY");
        int rest = situation & ~(SIT_IDENTITY_ONLY | SIT_SECRECY | SIT_INTEGRITY);
        if (rest != 0) {
            sb.append(sb.length() > 0 ? "|" : "").append(String.format("0x%x", rest));
        }
        return sb.length() > 0 ? sb.toString() : "0";
    }

    private static void appendBit(StringBuilder sb, int bits, int bit, String name) {
        if ((bits & bit) != 0) {
            sb.append(sb.length() > 0 ? "|" : "").append(name);
        }
    }
}
