package dev.isakmpd.xfrm;

/**
 * The numbers of netlink ({@code linux/netlink.h}) and XFRM ({@code linux/xfrm.h}) this back-end
 * uses. Values and struct sizes as listed, with their sources, in the team's
 * specs/xfrm-linux-constants.md (Linux 6.1 UAPI, x86-64; the same in later kernels).
 */
public final class Xfrm {
    private Xfrm() {
    }

    // ---- socket (linux/netlink.h, bits/socket.h)
    public static final int AF_NETLINK = 16;
    public static final int NETLINK_XFRM = 6;
    public static final int SOL_NETLINK = 270;
    /** Error answers carry only our request's header, not its body (which holds keys). */
    public static final int NETLINK_CAP_ACK = 10;
    /** Error answers may carry the kernel's explanation (NLMSGERR_ATTR_MSG). */
    public static final int NETLINK_EXT_ACK = 11;
    /** Joins one more multicast group on a bound socket (the group's number, not its bit). */
    public static final int NETLINK_ADD_MEMBERSHIP = 1;

    // ---- nlmsghdr
    public static final int NLMSG_HDRLEN = 16;
    public static final int NLMSG_NOOP = 1;
    public static final int NLMSG_ERROR = 2;
    public static final int NLMSG_DONE = 3;
    public static final int NLM_F_REQUEST = 0x1;
    public static final int NLM_F_MULTI = 0x2;
    public static final int NLM_F_ACK = 0x4;
    public static final int NLM_F_DUMP_INTR = 0x10;
    public static final int NLM_F_DUMP = 0x300;
    /** A NEWAE request must carry it (xfrm_new_ae: "thou shalt sayeth replaceth"). */
    public static final int NLM_F_REPLACE = 0x100;
    /** In an NLMSG_ERROR: the request was capped (NETLINK_CAP_ACK); extended-ack TLVs follow. */
    public static final int NLM_F_CAPPED = 0x100;
    public static final int NLM_F_ACK_TLVS = 0x200;
    public static final int NLMSGERR_ATTR_MSG = 1;

    // ---- XFRM message types (enum order from XFRM_MSG_BASE = 0x10)
    public static final int MSG_NEWSA = 16;
    public static final int MSG_DELSA = 17;
    public static final int MSG_GETSA = 18;
    public static final int MSG_NEWPOLICY = 19;
    public static final int MSG_DELPOLICY = 20;
    public static final int MSG_GETPOLICY = 21;
    public static final int MSG_ALLOCSPI = 22;
    public static final int MSG_ACQUIRE = 23;
    public static final int MSG_EXPIRE = 24;
    public static final int MSG_UPDPOLICY = 25;
    public static final int MSG_UPDSA = 26;
    public static final int MSG_POLEXPIRE = 27;
    /** Replay and lifetime state of one SA ("async events"): set with NLM_F_REPLACE, streamed to AEVENTS. */
    public static final int MSG_NEWAE = 30;
    public static final int MSG_GETAE = 31;

    // ---- multicast groups (enum xfrm_nlgroups); bind() takes the bit 1 << (group - 1)
    public static final int XFRMNLGRP_ACQUIRE = 1;
    public static final int XFRMNLGRP_EXPIRE = 2;
    /** NEWAE: an SA's sequence numbers and counters, every REPLAY_THRESH packets or ETIMER_THRESH. */
    public static final int XFRMNLGRP_AEVENTS = 5;

    // ---- xfrm_aevent_id.flags (enum xfrm_ae_ftype_t)
    /** Asks GETAE for the current replay state. */
    public static final int XFRM_AE_RVAL = 2;
    /** Asks GETAE for the current lifetime counters. */
    public static final int XFRM_AE_LVAL = 4;
    /** In a NEWAE event: a NEWAE request set the numbers ("caused by update"), not traffic or the timer. */
    public static final int XFRM_AE_CU = 64;

    // ---- attributes (enum xfrm_attr_type_t)
    public static final int XFRMA_ALG_AUTH = 1;
    public static final int XFRMA_ALG_CRYPT = 2;
    /** struct xfrm_algo without a key: IPComp's compression algorithm ("deflate"). */
    public static final int XFRMA_ALG_COMP = 3;
    /** struct xfrm_encap_tmpl: ESP in UDP (RFC 3948). */
    public static final int XFRMA_ENCAP = 4;
    public static final int XFRMA_TMPL = 5;
    /** linux/udp.h: the RFC 3948 format, ESP behind nothing and IKE behind the non-ESP marker. */
    public static final int UDP_ENCAP_ESPINUDP = 2;
    public static final int XFRMA_LTIME_VAL = 9;
    /** struct xfrm_replay_state: oseq, seq, bitmap (the non-ESN window of at most 32 packets). */
    public static final int XFRMA_REPLAY_VAL = 10;
    /** u32: a NEWAE event once the sequence numbers moved this many packets. */
    public static final int XFRMA_REPLAY_THRESH = 11;
    /**
     * u32: a NEWAE event this long after the sequence numbers last moved. The kernel takes it in
     * jiffies (xfrm_update_ae_params stores it as replay_maxage) but reports it in 100 ms units
     * (xfrm_aevent: replay_maxage * 10 / HZ); see XfrmKernel#reportCounters.
     */
    public static final int XFRMA_ETIMER_THRESH = 12;
    public static final int XFRMA_ALG_AEAD = 18;
    public static final int XFRMA_ALG_AUTH_TRUNC = 20;
    public static final int NLA_HDRLEN = 4;

    // ---- struct sizes (x86-64)
    public static final int SIZEOF_ID = 24;
    public static final int SIZEOF_SELECTOR = 56;
    public static final int SIZEOF_LIFETIME_CFG = 64;
    public static final int SIZEOF_LIFETIME_CUR = 32;
    public static final int SIZEOF_USERSA_INFO = 224;
    public static final int SIZEOF_USERSA_ID = 24;
    public static final int SIZEOF_USERSPI_INFO = 232;
    public static final int SIZEOF_USERPOLICY_INFO = 168;
    public static final int SIZEOF_USERPOLICY_ID = 64;
    public static final int SIZEOF_USER_TMPL = 64;
    public static final int SIZEOF_USER_ACQUIRE = 280;
    public static final int SIZEOF_USER_EXPIRE = 232;
    public static final int SIZEOF_ALGO = 68;
    public static final int SIZEOF_ALGO_AUTH = 72;
    public static final int SIZEOF_NLMSGERR = 4 + NLMSG_HDRLEN;
    public static final int SIZEOF_AEVENT_ID = 48;
    public static final int SIZEOF_REPLAY_STATE = 12;
    public static final int ALG_NAME_LEN = 64;

    // ---- values
    public static final int AF_INET = 2;
    public static final int AF_INET6 = 10;
    public static final int IPPROTO_ESP = 50;
    public static final int IPPROTO_AH = 51;
    /** IPComp (RFC 3173); its SPI field holds the CPI. */
    public static final int IPPROTO_COMP = 108;
    public static final int IPPROTO_UDP = 17;
    /** XFRM numbers modes differently from PF_KEY (there transport 1, tunnel 2). */
    /**
     * xfrm_usersa_info.flags XFRM_STATE_ALIGN4: pad the AH header of IPv4 to 32 bits, as RFC 4302
     * s2.6 asks, not Linux's default 64; strongSwan sets it, and hmac(sha256)'s 128-bit ICV differs.
     */
    public static final int STATE_ALIGN4 = 64;
    public static final int MODE_TRANSPORT = 0;
    public static final int MODE_TUNNEL = 1;
    public static final int POLICY_IN = 0;
    public static final int POLICY_OUT = 1;
    public static final int POLICY_FWD = 2;
    public static final int POLICY_ALLOW = 0;
    public static final int SHARE_ANY = 0;
    /** XFRM_INF: no limit, for lifetime fields. */
    public static final long INF = -1L;

    public static String messageName(int type) {
        return switch (type) {
            case NLMSG_NOOP -> "NLMSG_NOOP";
            case NLMSG_ERROR -> "NLMSG_ERROR";
            case NLMSG_DONE -> "NLMSG_DONE";
            case MSG_NEWSA -> "XFRM_MSG_NEWSA";
            case MSG_DELSA -> "XFRM_MSG_DELSA";
            case MSG_GETSA -> "XFRM_MSG_GETSA";
            case MSG_NEWPOLICY -> "XFRM_MSG_NEWPOLICY";
            case MSG_DELPOLICY -> "XFRM_MSG_DELPOLICY";
            case MSG_GETPOLICY -> "XFRM_MSG_GETPOLICY";
            case MSG_ALLOCSPI -> "XFRM_MSG_ALLOCSPI";
            case MSG_ACQUIRE -> "XFRM_MSG_ACQUIRE";
            case MSG_EXPIRE -> "XFRM_MSG_EXPIRE";
            case MSG_UPDPOLICY -> "XFRM_MSG_UPDPOLICY";
            case MSG_UPDSA -> "XFRM_MSG_UPDSA";
            case MSG_POLEXPIRE -> "XFRM_MSG_POLEXPIRE";
            case MSG_NEWAE -> "XFRM_MSG_NEWAE";
            case MSG_GETAE -> "XFRM_MSG_GETAE";
            default -> "type " + type;
        };
    }

    public static String directionName(int dir) {
        return switch (dir) {
            case POLICY_IN -> "in";
            case POLICY_OUT -> "out";
            case POLICY_FWD -> "fwd";
            default -> "dir " + dir;
        };
    }
}
