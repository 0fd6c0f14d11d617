package dev.isakmpd.xfrm;

import dev.isakmpd.xfrm.XfrmAttribute.Algorithm;
import dev.isakmpd.xfrm.XfrmAttribute.CurrentLifetime;
import dev.isakmpd.xfrm.XfrmAttribute.Raw;
import dev.isakmpd.xfrm.XfrmAttribute.Replay;
import dev.isakmpd.xfrm.XfrmAttribute.Templates;
import dev.isakmpd.xfrm.XfrmAttribute.U32;
import dev.isakmpd.xfrm.XfrmBody.Acquire;
import dev.isakmpd.xfrm.XfrmBody.AeventId;
import dev.isakmpd.xfrm.XfrmBody.Empty;
import dev.isakmpd.xfrm.XfrmBody.Error;
import dev.isakmpd.xfrm.XfrmBody.Expire;
import dev.isakmpd.xfrm.XfrmBody.Opaque;
import dev.isakmpd.xfrm.XfrmBody.PolicyId;
import dev.isakmpd.xfrm.XfrmBody.PolicyInfo;
import dev.isakmpd.xfrm.XfrmBody.SaId;
import dev.isakmpd.xfrm.XfrmBody.SaInfo;
import dev.isakmpd.xfrm.XfrmBody.SpiInfo;
import dev.isakmpd.xfrm.XfrmStruct.LifetimeCfg;
import dev.isakmpd.xfrm.XfrmStruct.LifetimeCur;
import dev.isakmpd.xfrm.XfrmStruct.Selector;
import dev.isakmpd.xfrm.XfrmStruct.Template;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Pure-Java encoder and decoder of netlink XFRM messages. Structs are in the host's byte order
 * except the fields the kernel types {@code __be}: SPI, ports, addresses. Every length read from
 * the kernel is checked: the message must fit the bytes received, the fixed part must be at least
 * its struct, every attribute must fit the message and hold at least its struct.
 */
public final class XfrmCodec {
    /** Offset of family in xfrm_usersa_info (after sel, id, saddr, lft, curlft, stats, seq, reqid). */
    private static final int SA_FAMILY_OFFSET = 212;

    private final ByteOrder order;

    public XfrmCodec(ByteOrder order) {
        this.order = order;
    }

    /** The codec for talking to this machine's kernel. */
    public static XfrmCodec host() {
        return new XfrmCodec(ByteOrder.nativeOrder());
    }

    static int align(int n) {
        return (n + 3) & ~3;
    }

    static int family(InetAddress a) {
        return a instanceof Inet6Address ? Xfrm.AF_INET6 : Xfrm.AF_INET;
    }

    // ================================================================ encode

    public byte[] encode(XfrmMessage m) {
        int bodyLen = bodyLength(m.body());
        int len = Xfrm.NLMSG_HDRLEN + bodyLen;
        List<XfrmAttribute> attributes = m.attributes();
        // indexed loops: an HA takeover encodes thousands of messages, an iterator each is garbage
        for (int i = 0; i < attributes.size(); i++) {
            // like the kernel's nla_put: nlmsg_len counts each attribute's padding, the last one's too
            len = align(len) + align(Xfrm.NLA_HDRLEN + valueLength(attributes.get(i)));
        }
        ByteBuffer b = ByteBuffer.allocate(align(len)).order(order);
        b.putInt(len).putShort((short) m.header().type()).putShort((short) m.header().flags())
                .putInt(m.header().seq()).putInt(m.header().pid());
        putBody(b, m.body());
        for (int i = 0; i < attributes.size(); i++) {
            XfrmAttribute a = attributes.get(i);
            b.position(align(b.position()));
            int start = b.position();
            b.putShort((short) (Xfrm.NLA_HDRLEN + valueLength(a))).putShort((short) a.type());
            putAttribute(b, a);
            if (b.position() - start != Xfrm.NLA_HDRLEN + valueLength(a)) {
                throw new IllegalStateException("attribute " + a.type() + " length mismatch");
            }
        }
        byte[] out = b.array();
        if (len == out.length) {
            return out;
        }
        byte[] exact = Arrays.copyOf(out, len);
        Arrays.fill(out, (byte) 0); // it may hold keys
        return exact;
    }

    private static int bodyLength(XfrmBody body) {
        if (body instanceof Empty) {
            return 0;
        } else if (body instanceof SaInfo) {
            return Xfrm.SIZEOF_USERSA_INFO;
        } else if (body instanceof SaId) {
            return Xfrm.SIZEOF_USERSA_ID;
        } else if (body instanceof SpiInfo) {
            return Xfrm.SIZEOF_USERSPI_INFO;
        } else if (body instanceof PolicyInfo) {
            return Xfrm.SIZEOF_USERPOLICY_INFO;
        } else if (body instanceof PolicyId) {
            return Xfrm.SIZEOF_USERPOLICY_ID;
        } else if (body instanceof Acquire) {
            return Xfrm.SIZEOF_USER_ACQUIRE;
        } else if (body instanceof Expire) {
            return Xfrm.SIZEOF_USER_EXPIRE;
        } else if (body instanceof AeventId) {
            return Xfrm.SIZEOF_AEVENT_ID;
        } else if (body instanceof Opaque o) {
            return o.bytes().length;
        }
        throw new IllegalArgumentException("the kernel writes " + body.getClass().getSimpleName() + ", we do not");
    }

    private static int valueLength(XfrmAttribute a) {
        if (a instanceof Algorithm al) {
            return (al.hasExtraField() ? Xfrm.SIZEOF_ALGO_AUTH : Xfrm.SIZEOF_ALGO) + (al.keyBits() + 7) / 8;
        } else if (a instanceof Templates t) {
            return t.templates().size() * Xfrm.SIZEOF_USER_TMPL;
        } else if (a instanceof Replay) {
            return Xfrm.SIZEOF_REPLAY_STATE;
        } else if (a instanceof U32) {
            return 4;
        } else if (a instanceof CurrentLifetime) {
            return Xfrm.SIZEOF_LIFETIME_CUR;
        }
        return ((Raw) a).value().length;
    }

    private void putBody(ByteBuffer b, XfrmBody body) {
        if (body instanceof SaInfo i) {
            putSaInfo(b, i);
        } else if (body instanceof SaId i) {
            int at = b.position();
            putAddress(b, i.daddr());
            b.order(ByteOrder.BIG_ENDIAN).putInt(i.spi()).order(order);
            b.putShort((short) i.family()).put((byte) i.proto());
            b.position(at + Xfrm.SIZEOF_USERSA_ID);
        } else if (body instanceof SpiInfo i) {
            putSaInfo(b, i.info());
            b.putInt(i.min()).putInt(i.max());
        } else if (body instanceof PolicyInfo p) {
            putPolicyInfo(b, p);
        } else if (body instanceof PolicyId p) {
            int at = b.position();
            putSelector(b, p.sel());
            b.putInt(p.index()).put((byte) p.dir());
            b.position(at + Xfrm.SIZEOF_USERPOLICY_ID);
        } else if (body instanceof Acquire a) {
            putId(b, a.daddr(), a.spi(), a.proto());
            putAddress(b, a.saddr());
            putSelector(b, a.sel());
            putPolicyInfo(b, a.policy());
            b.putInt(a.aalgos()).putInt(a.ealgos()).putInt(a.calgos()).putInt(a.seq());
        } else if (body instanceof Expire e) {
            int at = b.position();
            putSaInfo(b, e.state());
            b.put((byte) e.hard());
            b.position(at + Xfrm.SIZEOF_USER_EXPIRE);
        } else if (body instanceof AeventId a) {
            int at = b.position();
            putAddress(b, a.daddr());
            b.order(ByteOrder.BIG_ENDIAN).putInt(a.spi()).order(order);
            b.putShort((short) a.family()).put((byte) a.proto());
            b.position(at + Xfrm.SIZEOF_USERSA_ID);
            putAddress(b, a.saddr());
            b.putInt(a.flags()).putInt(a.reqid());
        } else if (body instanceof Opaque o) {
            b.put(o.bytes());
        }
    }

    private void putSaInfo(ByteBuffer b, SaInfo i) {
        int at = b.position();
        putSelector(b, i.sel());
        putId(b, i.daddr(), i.spi(), i.proto());
        putAddress(b, i.saddr());
        putLifetimeCfg(b, i.lft());
        putLifetimeCur(b, i.curlft());
        b.putInt(i.statsReplayWindow()).putInt(i.statsReplay()).putInt(i.statsIntegrityFailed());
        b.putInt(i.seq()).putInt(i.reqid()).putShort((short) i.family()).put((byte) i.mode())
                .put((byte) i.replayWindow()).put((byte) i.flags());
        b.position(at + Xfrm.SIZEOF_USERSA_INFO);
    }

    private void putPolicyInfo(ByteBuffer b, PolicyInfo p) {
        int at = b.position();
        putSelector(b, p.sel());
        putLifetimeCfg(b, p.lft());
        putLifetimeCur(b, p.curlft());
        b.putInt(p.priority()).putInt(p.index()).put((byte) p.dir()).put((byte) p.action()).put((byte) p.flags())
                .put((byte) p.share());
        b.position(at + Xfrm.SIZEOF_USERPOLICY_INFO);
    }

    private void putSelector(ByteBuffer b, Selector s) {
        int at = b.position();
        putAddress(b, s.daddr());
        putAddress(b, s.saddr());
        b.order(ByteOrder.BIG_ENDIAN).putShort((short) s.dport()).putShort((short) s.dportMask())
                .putShort((short) s.sport()).putShort((short) s.sportMask()).order(order);
        b.putShort((short) s.family()).put((byte) s.prefixlenD()).put((byte) s.prefixlenS()).put((byte) s.proto());
        b.position(at + 48);
        b.putInt(s.ifindex()).putInt(s.user());
    }

    private void putId(ByteBuffer b, InetAddress daddr, int spi, int proto) {
        int at = b.position();
        putAddress(b, daddr);
        b.order(ByteOrder.BIG_ENDIAN).putInt(spi).order(order);
        b.put((byte) proto);
        b.position(at + Xfrm.SIZEOF_ID);
    }

    private static void putAddress(ByteBuffer b, InetAddress a) {
        int at = b.position();
        b.put(a.getAddress());
        b.position(at + 16);
    }

    private static void putLifetimeCfg(ByteBuffer b, LifetimeCfg l) {
        b.putLong(l.softByteLimit()).putLong(l.hardByteLimit()).putLong(l.softPacketLimit())
                .putLong(l.hardPacketLimit()).putLong(l.softAddExpiresSeconds()).putLong(l.hardAddExpiresSeconds())
                .putLong(l.softUseExpiresSeconds()).putLong(l.hardUseExpiresSeconds());
    }

    private static void putLifetimeCur(ByteBuffer b, LifetimeCur c) {
        b.putLong(c.bytes()).putLong(c.packets()).putLong(c.addTime()).putLong(c.useTime());
    }

    private void putAttribute(ByteBuffer b, XfrmAttribute a) {
        if (a instanceof Algorithm al) {
            byte[] name = al.name().getBytes(StandardCharsets.US_ASCII);
            if (name.length >= Xfrm.ALG_NAME_LEN) {
                throw new IllegalArgumentException("algorithm name too long: " + al.name());
            }
            int at = b.position();
            b.put(name);
            b.position(at + Xfrm.ALG_NAME_LEN);
            b.putInt(al.keyBits());
            if (al.hasExtraField()) {
                b.putInt(al.extraBits());
            }
            byte[] key = al.key();
            if (key.length != (al.keyBits() + 7) / 8) {
                Arrays.fill(key, (byte) 0);
                throw new IllegalArgumentException(al.name() + ": key of " + al.keyBits() + " bits but "
                        + key.length + " bytes");
            }
            b.put(key);
            Arrays.fill(key, (byte) 0);
        } else if (a instanceof Templates t) {
            for (Template x : t.templates()) {
                int at = b.position();
                putId(b, x.daddr(), x.spi(), x.proto());
                b.putShort((short) x.family()).putShort((short) 0);
                putAddress(b, x.saddr());
                b.putInt(x.reqid()).put((byte) x.mode()).put((byte) x.share()).put((byte) x.optional()).put((byte) 0);
                b.putInt(x.aalgos()).putInt(x.ealgos()).putInt(x.calgos());
                b.position(at + Xfrm.SIZEOF_USER_TMPL);
            }
        } else if (a instanceof Replay r) {
            b.putInt(r.oseq()).putInt(r.seq()).putInt(r.bitmap());
        } else if (a instanceof U32 u) {
            b.putInt(u.value());
        } else if (a instanceof CurrentLifetime c) {
            putLifetimeCur(b, c.value());
        } else {
            b.put(((Raw) a).value());
        }
    }

    // ================================================================ decode

    /** Every message in one datagram from the kernel (netlink packs several, each 4-aligned). */
    public List<XfrmMessage> decodeAll(byte[] buf, int length) throws XfrmFormatException {
        List<XfrmMessage> out = new ArrayList<>();
        int at = 0;
        while (at < length) {
            if (length - at < Xfrm.NLMSG_HDRLEN) {
                throw new XfrmFormatException("offset " + at + ": " + (length - at)
                        + " trailing bytes, less than a netlink header");
            }
            int len = ByteBuffer.wrap(buf, at, 4).order(order).getInt();
            if (len < Xfrm.NLMSG_HDRLEN || len > length - at) {
                throw new XfrmFormatException("offset " + at + ": nlmsg_len " + Integer.toUnsignedString(len)
                        + " outside " + Xfrm.NLMSG_HDRLEN + ".." + (length - at));
            }
            out.add(decode(Arrays.copyOfRange(buf, at, at + len)));
            at += align(len);
        }
        return out;
    }

    /** One message; its nlmsg_len must equal {@code m.length}. */
    public XfrmMessage decode(byte[] m) throws XfrmFormatException {
        ByteBuffer b = ByteBuffer.wrap(m).order(order);
        if (m.length < Xfrm.NLMSG_HDRLEN) {
            throw new XfrmFormatException(m.length + " bytes: less than a netlink header");
        }
        int len = b.getInt();
        if (len != m.length) {
            throw new XfrmFormatException("nlmsg_len " + len + " but " + m.length + " bytes");
        }
        NetlinkHeader h = new NetlinkHeader(b.getShort() & 0xffff, b.getShort() & 0xffff, b.getInt(), b.getInt());
        int fixed = fixedLength(h.type());
        int payload = len - Xfrm.NLMSG_HDRLEN;
        if (h.type() == Xfrm.NLMSG_ERROR) {
            return new XfrmMessage(h, error(b, h, len), List.of());
        }
        if (fixed < 0 || payload == 0) {
            byte[] rest = Arrays.copyOfRange(m, Xfrm.NLMSG_HDRLEN, len);
            return new XfrmMessage(h, payload == 0 ? new Empty() : new Opaque(rest), List.of());
        }
        if (payload < fixed) {
            throw new XfrmFormatException(Xfrm.messageName(h.type()) + ": " + payload + " bytes after the header, its"
                    + " struct needs " + fixed);
        }
        List<XfrmAttribute> attrs = attributes(b, Xfrm.NLMSG_HDRLEN + fixed, len, h.type());
        b.position(Xfrm.NLMSG_HDRLEN);
        int familyHint = attrs.stream().filter(Templates.class::isInstance).map(Templates.class::cast)
                .flatMap(t -> t.templates().stream()).map(Template::family).findFirst().orElse(0);
        return new XfrmMessage(h, body(b, h.type(), familyHint), attrs);
    }

    private static int fixedLength(int type) {
        return switch (type) {
            case Xfrm.MSG_NEWSA, Xfrm.MSG_UPDSA -> Xfrm.SIZEOF_USERSA_INFO;
            case Xfrm.MSG_DELSA, Xfrm.MSG_GETSA -> Xfrm.SIZEOF_USERSA_ID;
            case Xfrm.MSG_NEWPOLICY, Xfrm.MSG_UPDPOLICY -> Xfrm.SIZEOF_USERPOLICY_INFO;
            case Xfrm.MSG_DELPOLICY, Xfrm.MSG_GETPOLICY -> Xfrm.SIZEOF_USERPOLICY_ID;
            case Xfrm.MSG_ALLOCSPI -> Xfrm.SIZEOF_USERSPI_INFO;
            case Xfrm.MSG_ACQUIRE -> Xfrm.SIZEOF_USER_ACQUIRE;
            case Xfrm.MSG_EXPIRE -> Xfrm.SIZEOF_USER_EXPIRE;
            case Xfrm.MSG_NEWAE, Xfrm.MSG_GETAE -> Xfrm.SIZEOF_AEVENT_ID;
            default -> -1;
        };
    }

    private XfrmBody body(ByteBuffer b, int type, int familyHint) throws XfrmFormatException {
        switch (type) {
            case Xfrm.MSG_NEWSA, Xfrm.MSG_UPDSA:
                return saInfo(b);
            case Xfrm.MSG_DELSA, Xfrm.MSG_GETSA: {
                byte[] daddr = bytes(b, 16);
                int spi = b.order(ByteOrder.BIG_ENDIAN).getInt();
                b.order(order);
                int family = b.getShort() & 0xffff;
                return new SaId(address(daddr, family), spi, family, b.get() & 0xff);
            }
            case Xfrm.MSG_ALLOCSPI:
                return new SpiInfo(saInfo(b), b.getInt(), b.getInt());
            case Xfrm.MSG_NEWPOLICY, Xfrm.MSG_UPDPOLICY:
                return policyInfo(b);
            case Xfrm.MSG_DELPOLICY, Xfrm.MSG_GETPOLICY:
                return new PolicyId(selector(b), b.getInt(), b.get() & 0xff);
            case Xfrm.MSG_ACQUIRE: {
                byte[] daddr = bytes(b, 16);
                int spi = b.order(ByteOrder.BIG_ENDIAN).getInt();
                b.order(order);
                int proto = b.get() & 0xff;
                b.position(b.position() + 3);
                byte[] saddr = bytes(b, 16);
                Selector sel = selector(b);
                PolicyInfo policy = policyInfo(b);
                // xfrm_user_acquire has no family of its own: the template's, else the policy's
                int family = familyHint != 0 ? familyHint : policy.sel().family();
                return new Acquire(address(daddr, family), spi, proto, address(saddr, family), sel, policy,
                        b.getInt(), b.getInt(), b.getInt(), b.getInt());
            }
            case Xfrm.MSG_EXPIRE:
                return new Expire(saInfo(b), b.get() & 0xff);
            case Xfrm.MSG_NEWAE, Xfrm.MSG_GETAE: {
                int at = b.position();
                byte[] daddr = bytes(b, 16);
                int spi = b.order(ByteOrder.BIG_ENDIAN).getInt();
                b.order(order);
                int family = b.getShort() & 0xffff;
                int proto = b.get() & 0xff;
                b.position(at + Xfrm.SIZEOF_USERSA_ID);
                byte[] saddr = bytes(b, 16);
                return new AeventId(address(daddr, family), spi, family, proto, address(saddr, family), b.getInt(),
                        b.getInt());
            }
            default:
                throw new IllegalStateException("no struct for type " + type);
        }
    }

    private SaInfo saInfo(ByteBuffer b) throws XfrmFormatException {
        int at = b.position();
        // the SA that XFRM_MSG_ALLOCSPI makes (__find_acq_core) has a selector of family 0 with
        // the SA's host prefixes, /128 for IPv6: such a selector is read in the SA's family
        Selector sel = selector(b, b.getShort(at + SA_FAMILY_OFFSET) & 0xffff);
        byte[] daddr = bytes(b, 16);
        int spi = b.order(ByteOrder.BIG_ENDIAN).getInt();
        b.order(order);
        int proto = b.get() & 0xff;
        b.position(at + 80);
        byte[] saddr = bytes(b, 16);
        LifetimeCfg lft = lifetimeCfg(b);
        LifetimeCur cur = new LifetimeCur(b.getLong(), b.getLong(), b.getLong(), b.getLong());
        int statsReplayWindow = b.getInt();
        int statsReplay = b.getInt();
        int statsIntegrity = b.getInt();
        int seq = b.getInt();
        int reqid = b.getInt();
        assert b.position() == at + SA_FAMILY_OFFSET;
        int family = b.getShort() & 0xffff;
        int mode = b.get() & 0xff;
        int replayWindow = b.get() & 0xff;
        int flags = b.get() & 0xff;
        b.position(at + Xfrm.SIZEOF_USERSA_INFO);
        return new SaInfo(sel, address(daddr, family), spi, proto, address(saddr, family), lft, cur,
                statsReplayWindow, statsReplay, statsIntegrity, seq, reqid, family, mode, replayWindow, flags);
    }

    private PolicyInfo policyInfo(ByteBuffer b) throws XfrmFormatException {
        int at = b.position();
        Selector sel = selector(b);
        LifetimeCfg lft = lifetimeCfg(b);
        LifetimeCur cur = new LifetimeCur(b.getLong(), b.getLong(), b.getLong(), b.getLong());
        PolicyInfo p = new PolicyInfo(sel, lft, cur, b.getInt(), b.getInt(), b.get() & 0xff, b.get() & 0xff,
                b.get() & 0xff, b.get() & 0xff);
        b.position(at + Xfrm.SIZEOF_USERPOLICY_INFO);
        return p;
    }

    private Selector selector(ByteBuffer b) throws XfrmFormatException {
        return selector(b, 0);
    }

    /** @param unspecFamily the family of a selector whose own is 0 (AF_UNSPEC), 0 for none */
    private Selector selector(ByteBuffer b, int unspecFamily) throws XfrmFormatException {
        int at = b.position();
        byte[] daddr = bytes(b, 16);
        byte[] saddr = bytes(b, 16);
        b.order(ByteOrder.BIG_ENDIAN);
        int dport = b.getShort() & 0xffff;
        int dportMask = b.getShort() & 0xffff;
        int sport = b.getShort() & 0xffff;
        int sportMask = b.getShort() & 0xffff;
        b.order(order);
        int family = b.getShort() & 0xffff;
        int plD = b.get() & 0xff;
        int plS = b.get() & 0xff;
        int proto = b.get() & 0xff;
        b.position(at + 48);
        int ifindex = b.getInt();
        int user = b.getInt();
        int addressFamily = family == 0 && unspecFamily != 0 ? unspecFamily : family;
        int max = addressFamily == Xfrm.AF_INET6 ? 128 : 32;
        if (plD > max || plS > max) {
            throw new XfrmFormatException("selector prefix length " + Math.max(plD, plS) + " over " + max);
        }
        return new Selector(address(daddr, addressFamily), address(saddr, addressFamily), dport, dportMask, sport,
                sportMask,
                family, plD, plS, proto, ifindex, user);
    }

    private static LifetimeCfg lifetimeCfg(ByteBuffer b) {
        return new LifetimeCfg(b.getLong(), b.getLong(), b.getLong(), b.getLong(), b.getLong(), b.getLong(),
                b.getLong(), b.getLong());
    }

    private Error error(ByteBuffer b, NetlinkHeader h, int len) throws XfrmFormatException {
        if (len - Xfrm.NLMSG_HDRLEN < Xfrm.SIZEOF_NLMSGERR) {
            throw new XfrmFormatException("NLMSG_ERROR of " + len + " bytes, struct nlmsgerr needs "
                    + (Xfrm.NLMSG_HDRLEN + Xfrm.SIZEOF_NLMSGERR));
        }
        int error = b.getInt();
        int requestLength = b.getInt();
        NetlinkHeader request = new NetlinkHeader(b.getShort() & 0xffff, b.getShort() & 0xffff, b.getInt(),
                b.getInt());
        String message = "";
        if ((h.flags() & Xfrm.NLM_F_ACK_TLVS) != 0) {
            // after the request: only its header when capped (NETLINK_CAP_ACK), else all of it
            int tlvs = Xfrm.NLMSG_HDRLEN + 4 + ((h.flags() & Xfrm.NLM_F_CAPPED) != 0 ? Xfrm.NLMSG_HDRLEN
                    : align(requestLength));
            if (tlvs > len) {
                throw new XfrmFormatException("NLMSG_ERROR: extended ACK at " + tlvs + " beyond " + len + " bytes");
            }
            for (XfrmAttribute a : attributes(b, tlvs, len, Xfrm.NLMSG_ERROR)) {
                if (a.type() == Xfrm.NLMSGERR_ATTR_MSG) {
                    byte[] v = ((Raw) a).value();
                    int end = 0;
                    while (end < v.length && v[end] != 0) {
                        end++;
                    }
                    message = new String(v, 0, end, StandardCharsets.UTF_8);
                }
            }
        }
        return new Error(error, request, message);
    }

    private List<XfrmAttribute> attributes(ByteBuffer b, int from, int to, int messageType)
            throws XfrmFormatException {
        List<XfrmAttribute> out = new ArrayList<>();
        int at = from;
        while (at < to) {
            if (to - at < Xfrm.NLA_HDRLEN) {
                throw new XfrmFormatException(Xfrm.messageName(messageType) + ": " + (to - at)
                        + " trailing bytes at offset " + at + ", less than an attribute header");
            }
            int len = b.getShort(at) & 0xffff;
            int type = b.getShort(at + 2) & 0x3fff; // without NLA_F_NESTED / NLA_F_NET_BYTEORDER
            if (len < Xfrm.NLA_HDRLEN || len > to - at) {
                throw new XfrmFormatException(Xfrm.messageName(messageType) + ": attribute " + type + " at offset "
                        + at + " has length " + len + ", outside " + Xfrm.NLA_HDRLEN + ".." + (to - at));
            }
            b.position(at + Xfrm.NLA_HDRLEN);
            out.add(attribute(b, type, len - Xfrm.NLA_HDRLEN, messageType));
            at += align(len);
        }
        return out;
    }

    private XfrmAttribute attribute(ByteBuffer b, int type, int n, int messageType) throws XfrmFormatException {
        if (messageType == Xfrm.NLMSG_ERROR) {
            return new Raw(type, bytes(b, n));
        }
        switch (type) {
            case Xfrm.XFRMA_ALG_AUTH, Xfrm.XFRMA_ALG_CRYPT, Xfrm.XFRMA_ALG_COMP, Xfrm.XFRMA_ALG_AUTH_TRUNC,
                    Xfrm.XFRMA_ALG_AEAD: {
                boolean extra = type == Xfrm.XFRMA_ALG_AUTH_TRUNC || type == Xfrm.XFRMA_ALG_AEAD;
                int fixed = extra ? Xfrm.SIZEOF_ALGO_AUTH : Xfrm.SIZEOF_ALGO;
                if (n < fixed) {
                    throw new XfrmFormatException("attribute " + type + ": " + n + " bytes, its struct needs " + fixed);
                }
                byte[] name = bytes(b, Xfrm.ALG_NAME_LEN);
                int end = 0;
                while (end < name.length && name[end] != 0) {
                    end++;
                }
                if (end == name.length) {
                    throw new XfrmFormatException("attribute " + type + ": alg_name not NUL-terminated");
                }
                int keyBits = b.getInt();
                int extraBits = extra ? b.getInt() : 0;
                long keyBytes = (Integer.toUnsignedLong(keyBits) + 7) / 8;
                if (keyBytes > n - fixed) {
                    throw new XfrmFormatException("attribute " + type + ": alg_key_len " + Integer.toUnsignedString(
                            keyBits) + " bits but " + (n - fixed) + " key bytes");
                }
                byte[] key = bytes(b, (int) keyBytes);
                try {
                    return new Algorithm(type, new String(name, 0, end, StandardCharsets.US_ASCII), keyBits, extraBits,
                            key);
                } finally {
                    Arrays.fill(key, (byte) 0);
                }
            }
            case Xfrm.XFRMA_TMPL: {
                if (n % Xfrm.SIZEOF_USER_TMPL != 0) {
                    throw new XfrmFormatException("XFRMA_TMPL of " + n + " bytes, not a multiple of "
                            + Xfrm.SIZEOF_USER_TMPL);
                }
                List<Template> ts = new ArrayList<>();
                for (int i = 0; i < n / Xfrm.SIZEOF_USER_TMPL; i++) {
                    byte[] daddr = bytes(b, 16);
                    int spi = b.order(ByteOrder.BIG_ENDIAN).getInt();
                    b.order(order);
                    int proto = b.get() & 0xff;
                    b.position(b.position() + 3);
                    int family = b.getShort() & 0xffff;
                    b.position(b.position() + 2);
                    byte[] saddr = bytes(b, 16);
                    int reqid = b.getInt();
                    int mode = b.get() & 0xff;
                    int share = b.get() & 0xff;
                    int optional = b.get() & 0xff;
                    b.get();
                    ts.add(new Template(address(daddr, family), spi, proto, family, address(saddr, family), reqid,
                            mode, share, optional, b.getInt(), b.getInt(), b.getInt()));
                }
                return new Templates(ts);
            }
            case Xfrm.XFRMA_REPLAY_VAL:
                return n == Xfrm.SIZEOF_REPLAY_STATE ? new Replay(b.getInt(), b.getInt(), b.getInt())
                        : new Raw(type, bytes(b, n));
            case Xfrm.XFRMA_REPLAY_THRESH, Xfrm.XFRMA_ETIMER_THRESH:
                return n == 4 ? new U32(type, b.getInt()) : new Raw(type, bytes(b, n));
            case Xfrm.XFRMA_LTIME_VAL:
                return n == Xfrm.SIZEOF_LIFETIME_CUR
                        ? new CurrentLifetime(new LifetimeCur(b.getLong(), b.getLong(), b.getLong(), b.getLong()))
                        : new Raw(type, bytes(b, n));
            default:
                return new Raw(type, bytes(b, n));
        }
    }

    private static byte[] bytes(ByteBuffer b, int n) {
        byte[] out = new byte[n];
        b.get(out);
        return out;
    }

    /** xfrm_address_t by family: IPv6 uses all 16 bytes, IPv4 (and an unspecified family) the first 4. */
    static InetAddress address(byte[] sixteen, int family) throws XfrmFormatException {
        try {
            return InetAddress.getByAddress(family == Xfrm.AF_INET6 ? sixteen : Arrays.copyOf(sixteen, 4));
        } catch (UnknownHostException e) {
            throw new XfrmFormatException("bad address: " + e.getMessage());
        }
    }
}
