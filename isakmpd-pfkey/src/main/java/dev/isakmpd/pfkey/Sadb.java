package dev.isakmpd.pfkey;

/**
 * PF_KEY v2 numbers: RFC 2367 plus the KAME/Linux extensions (values as in Linux's
 * {@code pfkeyv2.h} and {@code ipsec.h}; see ../shared/specs/pfkey-linux-constants.md and
 * docs/pfkey.md for where the BSDs differ). Nothing outside this module uses them.
 */
public final class Sadb {
    private Sadb() {
    }

    public static final int PF_KEY = 15;
    public static final int PF_KEY_V2 = 2;

    // message types
    public static final int GETSPI = 1, UPDATE = 2, ADD = 3, DELETE = 4, GET = 5, ACQUIRE = 6, REGISTER = 7,
            EXPIRE = 8, FLUSH = 9, DUMP = 10, X_PROMISC = 11, X_PCHANGE = 12, X_SPDUPDATE = 13, X_SPDADD = 14,
            X_SPDDELETE = 15, X_SPDGET = 16, X_SPDACQUIRE = 17, X_SPDDUMP = 18, X_SPDFLUSH = 19, X_SPDSETIDX = 20,
            X_SPDEXPIRE = 21, X_SPDDELETE2 = 22, X_NAT_T_NEW_MAPPING = 23, X_MIGRATE = 24;

    private static final String[] MSG_NAMES = {"RESERVED", "GETSPI", "UPDATE", "ADD", "DELETE", "GET", "ACQUIRE",
        "REGISTER", "EXPIRE", "FLUSH", "DUMP", "X_PROMISC", "X_PCHANGE", "X_SPDUPDATE", "X_SPDADD", "X_SPDDELETE",
        "X_SPDGET", "X_SPDACQUIRE", "X_SPDDUMP", "X_SPDFLUSH", "X_SPDSETIDX", "X_SPDEXPIRE", "X_SPDDELETE2",
        "X_NAT_T_NEW_MAPPING", "X_MIGRATE"};

    // extension types
    public static final int EXT_SA = 1, EXT_LIFETIME_CURRENT = 2, EXT_LIFETIME_HARD = 3, EXT_LIFETIME_SOFT = 4,
            EXT_ADDRESS_SRC = 5, EXT_ADDRESS_DST = 6, EXT_ADDRESS_PROXY = 7, EXT_KEY_AUTH = 8, EXT_KEY_ENCRYPT = 9,
            EXT_IDENTITY_SRC = 10, EXT_IDENTITY_DST = 11, EXT_SENSITIVITY = 12, EXT_PROPOSAL = 13,
            EXT_SUPPORTED_AUTH = 14, EXT_SUPPORTED_ENCRYPT = 15, EXT_SPIRANGE = 16, X_EXT_KMPRIVATE = 17,
            X_EXT_POLICY = 18, X_EXT_SA2 = 19, X_EXT_NAT_T_TYPE = 20, X_EXT_NAT_T_SPORT = 21,
            X_EXT_NAT_T_DPORT = 22, X_EXT_NAT_T_OA = 23, X_EXT_SEC_CTX = 24, X_EXT_KMADDRESS = 25,
            X_EXT_FILTER = 26;

    private static final String[] EXT_NAMES = {"RESERVED", "SA", "LIFETIME_CURRENT", "LIFETIME_HARD",
        "LIFETIME_SOFT", "ADDRESS_SRC", "ADDRESS_DST", "ADDRESS_PROXY", "KEY_AUTH", "KEY_ENCRYPT", "IDENTITY_SRC",
        "IDENTITY_DST", "SENSITIVITY", "PROPOSAL", "SUPPORTED_AUTH", "SUPPORTED_ENCRYPT", "SPIRANGE",
        "X_KMPRIVATE", "X_POLICY", "X_SA2", "X_NAT_T_TYPE", "X_NAT_T_SPORT", "X_NAT_T_DPORT", "X_NAT_T_OA",
        "X_SEC_CTX", "X_KMADDRESS", "X_FILTER"};

    // SA types
    public static final int SATYPE_UNSPEC = 0, SATYPE_AH = 2, SATYPE_ESP = 3, X_SATYPE_IPCOMP = 9;

    // SA states
    public static final int SASTATE_LARVAL = 0, SASTATE_MATURE = 1, SASTATE_DYING = 2, SASTATE_DEAD = 3;

    // authentication algorithms (sadb_sa_auth)
    public static final int AALG_NONE = 0, AALG_MD5HMAC = 2, AALG_SHA1HMAC = 3, X_AALG_SHA2_256HMAC = 5,
            X_AALG_SHA2_384HMAC = 6, X_AALG_SHA2_512HMAC = 7, X_AALG_AES_XCBC_MAC = 9, X_AALG_NULL = 251;
    // encryption algorithms (sadb_sa_encrypt)
    public static final int EALG_NONE = 0, EALG_DESCBC = 2, EALG_3DESCBC = 3, EALG_NULL = 11, X_EALG_AESCBC = 12,
            X_EALG_AESCTR = 13, X_EALG_AES_GCM_ICV16 = 20;

    // identity types
    public static final int IDENTTYPE_PREFIX = 1, IDENTTYPE_FQDN = 2, IDENTTYPE_USERFQDN = 3;

    // ipsec.h
    public static final int IPSEC_MODE_ANY = 0, IPSEC_MODE_TRANSPORT = 1, IPSEC_MODE_TUNNEL = 2;
    public static final int IPSEC_DIR_ANY = 0, IPSEC_DIR_INBOUND = 1, IPSEC_DIR_OUTBOUND = 2, IPSEC_DIR_FWD = 3;
    public static final int IPSEC_POLICY_DISCARD = 0, IPSEC_POLICY_NONE = 1, IPSEC_POLICY_IPSEC = 2,
            IPSEC_POLICY_ENTRUST = 3, IPSEC_POLICY_BYPASS = 4;
    public static final int IPSEC_LEVEL_DEFAULT = 0, IPSEC_LEVEL_USE = 1, IPSEC_LEVEL_REQUIRE = 2,
            IPSEC_LEVEL_UNIQUE = 3;
    public static final int IPSEC_ULPROTO_ANY = 255;
    public static final int IPPROTO_AH = 51, IPPROTO_ESP = 50, IPPROTO_COMP = 108, IPPROTO_UDP = 17;
    /** UDP_ENCAP_ESPINUDP: RFC 3948 framing, the value of sadb_x_nat_t_type_type. */
    public static final int UDP_ENCAP_ESPINUDP = 2;

    public static String messageName(int type) {
        return type >= 0 && type < MSG_NAMES.length ? MSG_NAMES[type] : "type " + type;
    }

    public static String extensionName(int type) {
        return type >= 0 && type < EXT_NAMES.length ? EXT_NAMES[type] : "ext " + type;
    }

    public static String satypeName(int satype) {
        return switch (satype) {
            case SATYPE_UNSPEC -> "UNSPEC";
            case SATYPE_AH -> "AH";
            case SATYPE_ESP -> "ESP";
            case X_SATYPE_IPCOMP -> "IPCOMP";
            default -> "satype " + satype;
        };
    }
}
