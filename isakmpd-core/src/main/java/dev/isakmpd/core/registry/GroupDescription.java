package dev.isakmpd.core.registry;

/**
 * Group Description values shared by IKE phase 1 (RFC 2409 Appendix A class 4) and the IPsec DOI PFS attribute
 * (RFC 2407 s4.5 class 3). Later assignments: RFC 3526 (MODP 14-18), RFC 5903 (ECP 19-21),
 * RFC 5114 (22-26), RFC 6932 (Brainpool 27-30).
 */
public final class GroupDescription {
    public static final int MODP_768 = 1;
    public static final int MODP_1024 = 2;
    public static final int EC2N_155 = 3;
    public static final int EC2N_185 = 4;
    public static final int MODP_1536 = 5;
    public static final int MODP_2048 = 14;
    public static final int MODP_3072 = 15;
    public static final int MODP_4096 = 16;
    public static final int MODP_6144 = 17;
    public static final int MODP_8192 = 18;
    public static final int ECP_256 = 19;
    public static final int ECP_384 = 20;
    public static final int ECP_521 = 21;
    public static final int MODP_1024_S160 = 22;
    public static final int MODP_2048_S224 = 23;
    public static final int MODP_2048_S256 = 24;
    public static final int ECP_192 = 25;
    public static final int ECP_224 = 26;
    public static final int BRAINPOOL_P224R1 = 27;
    public static final int BRAINPOOL_P256R1 = 28;
    public static final int BRAINPOOL_P384R1 = 29;
    public static final int BRAINPOOL_P512R1 = 30;

    static final Names NAMES = new Names()
            .put(MODP_768, "MODP-768")
            .put(MODP_1024, "MODP-1024")
            .put(EC2N_155, "EC2N-155")
            .put(EC2N_185, "EC2N-185")
            .put(MODP_1536, "MODP-1536")
            .put(MODP_2048, "MODP-2048")
            .put(MODP_3072, "MODP-3072")
            .put(MODP_4096, "MODP-4096")
            .put(MODP_6144, "MODP-6144")
            .put(MODP_8192, "MODP-8192")
            .put(ECP_256, "ECP-256")
            .put(ECP_384, "ECP-384")
            .put(ECP_521, "ECP-521")
            .put(MODP_1024_S160, "MODP-1024-S160")
            .put(MODP_2048_S224, "MODP-2048-S224")
            .put(MODP_2048_S256, "MODP-2048-S256")
            .put(ECP_192, "ECP-192")
            .put(ECP_224, "ECP-224")
            .put(BRAINPOOL_P224R1, "BRAINPOOL-P224R1")
            .put(BRAINPOOL_P256R1, "BRAINPOOL-P256R1")
            .put(BRAINPOOL_P384R1, "BRAINPOOL-P384R1")
            .put(BRAINPOOL_P512R1, "BRAINPOOL-P512R1");

    private GroupDescription() {
    }

    /** Name for logs, "UNKNOWN(n)" if unassigned here. */
    public static String name(int group) {
        return NAMES.describe(group);
    }
}
