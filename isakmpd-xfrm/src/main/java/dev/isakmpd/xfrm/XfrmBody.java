package dev.isakmpd.xfrm;

import dev.isakmpd.core.policy.Addresses;
import dev.isakmpd.xfrm.XfrmStruct.LifetimeCfg;
import dev.isakmpd.xfrm.XfrmStruct.LifetimeCur;
import dev.isakmpd.xfrm.XfrmStruct.Selector;
import java.net.InetAddress;
import java.util.Arrays;
import java.util.HexFormat;

/** The fixed part of a netlink message, after the nlmsghdr; which one depends on the message type. */
public sealed interface XfrmBody {

    /** Nothing after the header (dump requests). */
    record Empty() implements XfrmBody {
    }

    /**
     * struct xfrm_usersa_info (NEWSA, UPDSA, and the kernel's answers to GETSA and ALLOCSPI):
     * an SA. {@code daddr}/{@code spi}/{@code proto} are its xfrm_id.
     */
    record SaInfo(Selector sel, InetAddress daddr, int spi, int proto, InetAddress saddr, LifetimeCfg lft,
            LifetimeCur curlft, int statsReplayWindow, int statsReplay, int statsIntegrityFailed, int seq, int reqid,
            int family, int mode, int replayWindow, int flags) implements XfrmBody {

        public String describe() {
            return String.format("proto %d spi 0x%08x %s -> %s reqid 0x%x mode %d", proto, spi,
                    Addresses.format(saddr), Addresses.format(daddr), reqid, mode);
        }
    }

    /** struct xfrm_usersa_id (DELSA, GETSA): an SA by (daddr, spi, proto). */
    record SaId(InetAddress daddr, int spi, int family, int proto) implements XfrmBody {
    }

    /**
     * struct xfrm_aevent_id (NEWAE, GETAE): an SA by (daddr, spi, proto) with its source and reqid;
     * {@code flags} says what a GETAE asks for or an event reports (Xfrm.XFRM_AE_*).
     */
    record AeventId(InetAddress daddr, int spi, int family, int proto, InetAddress saddr, int flags, int reqid)
            implements XfrmBody {
    }

    /** struct xfrm_userspi_info (ALLOCSPI): the larval SA and the SPI range (host order). */
    record SpiInfo(SaInfo info, int min, int max) implements XfrmBody {
    }

    /** struct xfrm_userpolicy_info (NEWPOLICY, UPDPOLICY, policy dumps). */
    record PolicyInfo(Selector sel, LifetimeCfg lft, LifetimeCur curlft, int priority, int index, int dir,
            int action, int flags, int share) implements XfrmBody {
    }

    /** struct xfrm_userpolicy_id (DELPOLICY, GETPOLICY): by selector and direction, or by index. */
    record PolicyId(Selector sel, int index, int dir) implements XfrmBody {
    }

    /**
     * struct xfrm_user_acquire: outbound traffic ({@code sel}) hit {@code policy} and no SA
     * {@code saddr -> daddr} exists; the kernel's own sequence number {@code seq}.
     */
    record Acquire(InetAddress daddr, int spi, int proto, InetAddress saddr, Selector sel, PolicyInfo policy,
            int aalgos, int ealgos, int calgos, int seq) implements XfrmBody {
    }

    /** struct xfrm_user_expire: {@code state} reached its soft ({@code hard} = 0) or hard lifetime. */
    record Expire(SaInfo state, int hard) implements XfrmBody {
    }

    /**
     * struct nlmsgerr: {@code error} is 0 (an ACK) or a negative errno; {@code request} the header
     * of the request it answers; {@code message} the kernel's explanation (extended ACK), or "".
     */
    record Error(int error, NetlinkHeader request, String message) implements XfrmBody {
    }

    /** Any other fixed part, kept byte for byte (never holds keys: those are attributes). */
    record Opaque(byte[] bytes) implements XfrmBody {
        public Opaque {
            bytes = bytes.clone();
        }

        @Override
        public byte[] bytes() {
            return bytes.clone();
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Opaque x && Arrays.equals(bytes, x.bytes);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(bytes);
        }

        @Override
        public String toString() {
            return "Opaque[" + HexFormat.of().formatHex(bytes) + "]";
        }
    }
}
