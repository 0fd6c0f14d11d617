package dev.isakmpd.core.registry;

/**
 * ISAKMP payload type (RFC 2408 s3.1 "Next Payload"), an open enum over 0..255.
 * Values 14..127 are RESERVED in RFC 2408 but a few were assigned later (mode-cfg ATTR, RFC 3947 NAT-D/NAT-OA);
 * 128..255 are private use (NAT-T drafts, IKE fragmentation).
 */
public record PayloadType(int value) {
    private static final Registry<PayloadType> REGISTRY = new Registry<>(PayloadType::new);
    private static final Names SHORT = new Names();

    public static final PayloadType NONE = define(0, "NONE", "NONE");
    public static final PayloadType SA = define(1, "SA", "SA");
    public static final PayloadType P = define(2, "P", "P");
    public static final PayloadType T = define(3, "T", "T");
    public static final PayloadType KE = define(4, "KE", "KE");
    public static final PayloadType ID = define(5, "ID", "ID");
    public static final PayloadType CERT = define(6, "CERT", "CERT");
    public static final PayloadType CR = define(7, "CR", "CERTREQ");
    public static final PayloadType HASH = define(8, "HASH", "HASH");
    public static final PayloadType SIG = define(9, "SIG", "SIG");
    public static final PayloadType NONCE = define(10, "NONCE", "No");
    public static final PayloadType N = define(11, "N", "N");
    public static final PayloadType D = define(12, "D", "D");
    public static final PayloadType VID = define(13, "VID", "V");
    /** draft-dukes-ike-mode-cfg: Attribute payload. */
    public static final PayloadType ATTR = define(14, "ATTR", "ATTR");
    /** RFC 3947 NAT discovery. */
    public static final PayloadType NAT_D = define(20, "NAT-D", "NAT-D");
    /** RFC 3947 NAT original address. */
    public static final PayloadType NAT_OA = define(21, "NAT-OA", "NAT-OA");
    /** draft-ietf-ipsec-nat-t-ike-02/03 value of NAT-D (still sent by old peers). */
    public static final PayloadType NAT_D_DRAFT = define(130, "NAT-D(draft)", "NAT-D");
    /** draft-ietf-ipsec-nat-t-ike-02/03 value of NAT-OA. */
    public static final PayloadType NAT_OA_DRAFT = define(131, "NAT-OA(draft)", "NAT-OA");
    /** IKEv1 fragmentation (Microsoft MS-IKEE / Cisco), see specs/ike-fragmentation-notes.md. */
    public static final PayloadType FRAGMENT = define(132, "FRAGMENT", "FRAG");

    public PayloadType {
        if (value < 0 || value > 0xFF) {
            throw new IllegalArgumentException("payload type out of range 0..255: " + value);
        }
    }

    private static PayloadType define(int value, String name, String shortName) {
        SHORT.put(value, shortName);
        return REGISTRY.define(value, name);
    }

    /** The shared constant for a known value, otherwise a new instance that remembers the value. */
    public static PayloadType of(int value) {
        return REGISTRY.of(value);
    }

    public boolean isKnown() {
        return REGISTRY.isKnown(value);
    }

    /** RFC 2408 s3.1: 128..255 are for private use. */
    public boolean isPrivateUse() {
        return value >= 128;
    }

    /** Abbreviation for one-line message summaries in the style of "[ SA V V ]". */
    public String shortName() {
        String s = SHORT.get(value);
        return s != null ? s : (isPrivateUse() ? "PRIV(" + value + ")" : "UNKNOWN(" + value + ")");
    }

    @Override
    public String toString() {
        return REGISTRY.describe(value);
    }
}
