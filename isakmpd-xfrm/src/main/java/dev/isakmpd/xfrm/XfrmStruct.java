package dev.isakmpd.xfrm;

import dev.isakmpd.core.policy.Addresses;
import dev.isakmpd.core.policy.Subnet;
import java.net.InetAddress;

/** The XFRM structs that are parts of messages (linux/xfrm.h), as immutable values. */
public final class XfrmStruct {
    private XfrmStruct() {
    }

    /**
     * struct xfrm_selector: the traffic an SA or policy applies to. Ports are in host numbers here
     * (the codec writes them in network order); {@code proto} 0 is any protocol.
     */
    public record Selector(InetAddress daddr, InetAddress saddr, int dport, int dportMask, int sport, int sportMask,
            int family, int prefixlenD, int prefixlenS, int proto, int ifindex, int user) {

        /**
         * From {@code src} to {@code dst}, as `ip xfrm` shows "src A dst B"; the one protocol either
         * names (TunnelPolicy lets them name no other), each port with a full mask where it names one.
         */
        public static Selector of(Subnet src, Subnet dst) {
            return new Selector(dst.network(), src.network(), dst.port(), dst.port() == 0 ? 0 : 0xffff, src.port(),
                    src.port() == 0 ? 0 : 0xffff, XfrmCodec.family(src.network()), dst.prefixLength(),
                    src.prefixLength(), src.protocol() != 0 ? src.protocol() : dst.protocol(), 0, 0);
        }

        /** UDP between two hosts from or to one local port: IKE's own packets, bypassed in transport mode. */
        public static Selector udpPort(InetAddress src, InetAddress dst, int sport, int dport) {
            int max = src.getAddress().length * 8;
            return new Selector(dst, src, dport, dport == 0 ? 0 : 0xffff, sport, sport == 0 ? 0 : 0xffff,
                    XfrmCodec.family(src), max, max, Xfrm.IPPROTO_UDP, 0, 0);
        }

        /** The empty selector (family unspecified): where the kernel ignores it, e.g. in ALLOCSPI. */
        public static Selector none() {
            InetAddress any = Subnet.parse("0.0.0.0/0").network();
            return new Selector(any, any, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);
        }

        public Subnet source() {
            return new Subnet(saddr, prefixlenS, proto, sportMask == 0 ? 0 : sport);
        }

        public Subnet destination() {
            return new Subnet(daddr, prefixlenD, proto, dportMask == 0 ? 0 : dport);
        }

        public String describe() {
            return Addresses.format(saddr) + "/" + prefixlenS + " -> " + Addresses.format(daddr) + "/" + prefixlenD
                    + (proto != 0 ? " proto " + proto : "") + (sportMask != 0 ? " sport " + sport : "")
                    + (dportMask != 0 ? " dport " + dport : "");
        }
    }

    /** struct xfrm_lifetime_cfg; {@link Xfrm#INF} is "no limit". */
    public record LifetimeCfg(long softByteLimit, long hardByteLimit, long softPacketLimit, long hardPacketLimit,
            long softAddExpiresSeconds, long hardAddExpiresSeconds, long softUseExpiresSeconds,
            long hardUseExpiresSeconds) {

        /** Expiry after {@code soft}/{@code hard} seconds from installation, no byte or packet limit. */
        public static LifetimeCfg seconds(long soft, long hard) {
            return new LifetimeCfg(Xfrm.INF, Xfrm.INF, Xfrm.INF, Xfrm.INF, soft, hard, 0, 0);
        }

        /**
         * Expiry after {@code soft}/{@code hard} seconds or bytes, whichever comes first (a byte
         * limit of 0 means none: {@link Xfrm#INF}).
         */
        public static LifetimeCfg secondsOrBytes(long soft, long hard, long softBytes, long hardBytes) {
            return new LifetimeCfg(softBytes == 0 ? Xfrm.INF : softBytes, hardBytes == 0 ? Xfrm.INF : hardBytes,
                    Xfrm.INF, Xfrm.INF, soft, hard, 0, 0);
        }

        /** No limit at all (policies). */
        public static LifetimeCfg infinite() {
            return new LifetimeCfg(Xfrm.INF, Xfrm.INF, Xfrm.INF, Xfrm.INF, 0, 0, 0, 0);
        }
    }

    /** struct xfrm_lifetime_cur: the kernel's counters. */
    public record LifetimeCur(long bytes, long packets, long addTime, long useTime) {
        public static final LifetimeCur ZERO = new LifetimeCur(0, 0, 0, 0);
    }

    /**
     * struct xfrm_user_tmpl: one SA of a policy's bundle (xfrm_id daddr/spi/proto, saddr, reqid,
     * mode). {@code reqid} ties the policy to SAs with the same reqid.
     */
    public record Template(InetAddress daddr, int spi, int proto, int family, InetAddress saddr, int reqid, int mode,
            int share, int optional, int aalgos, int ealgos, int calgos) {

        /** An ESP tunnel between the two endpoints, any algorithm, SAs with this reqid. */
        public static Template espTunnel(InetAddress source, InetAddress destination, int reqid) {
            return new Template(destination, 0, Xfrm.IPPROTO_ESP, XfrmCodec.family(destination), source, reqid,
                    Xfrm.MODE_TUNNEL, Xfrm.SHARE_ANY, 0, -1, -1, -1);
        }

        /**
         * One protocol's template: the first of a bundle (the innermost) has the policy's mode, the
         * others transport (strongSwan's kernel-netlink does the same). {@code optional}: the
         * inbound IPComp template, since a peer sends packets too small to compress without it.
         */
        public static Template of(int proto, InetAddress source, InetAddress destination, int reqid, int mode,
                boolean optional) {
            return new Template(destination, 0, proto, XfrmCodec.family(destination), source, reqid, mode,
                    Xfrm.SHARE_ANY, optional ? 1 : 0, -1, -1, -1);
        }

        /** ESP in transport mode between the two hosts (the kernel takes the addresses from the packet). */
        public static Template espTransport(InetAddress source, InetAddress destination, int reqid) {
            return new Template(destination, 0, Xfrm.IPPROTO_ESP, XfrmCodec.family(destination), source, reqid,
                    Xfrm.MODE_TRANSPORT, Xfrm.SHARE_ANY, 0, -1, -1, -1);
        }
    }
}
