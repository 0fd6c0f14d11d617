package dev.isakmpd.pfkey;

import dev.isakmpd.core.policy.Addresses;
import dev.isakmpd.pfkey.SadbExtension.Address;
import dev.isakmpd.pfkey.SadbExtension.Alg;
import dev.isakmpd.pfkey.SadbExtension.Comb;
import dev.isakmpd.pfkey.SadbExtension.Identity;
import dev.isakmpd.pfkey.SadbExtension.IpsecRequest;
import dev.isakmpd.pfkey.SadbExtension.Key;
import dev.isakmpd.pfkey.SadbExtension.Lifetime;
import dev.isakmpd.pfkey.SadbExtension.NatTPort;
import dev.isakmpd.pfkey.SadbExtension.NatTType;
import dev.isakmpd.pfkey.SadbExtension.Opaque;
import dev.isakmpd.pfkey.SadbExtension.Policy;
import dev.isakmpd.pfkey.SadbExtension.Proposal;
import dev.isakmpd.pfkey.SadbExtension.Sa;
import dev.isakmpd.pfkey.SadbExtension.Sa2;
import dev.isakmpd.pfkey.SadbExtension.Sensitivity;
import dev.isakmpd.pfkey.SadbExtension.SpiRange;
import dev.isakmpd.pfkey.SadbExtension.Supported;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * Encodes and decodes PF_KEY v2 messages (RFC 2367 s2) in Linux's layout: host byte order except
 * the SPI and NAT-T ports, every length in 64-bit words including its header, every extension a
 * multiple of 8 bytes. Decoding checks every length against the buffer and the structure it
 * describes, rejects duplicate extensions (RFC 2367 s2.3: each at most once) and unknown address
 * families, and keeps unknown extension types as {@link Opaque}.
 */
public final class SadbCodec {
    public static final int HEADER = 16;
    /** Linux's sockaddr family numbers (the BSDs use 2 and 28, with a leading length byte). */
    public static final int AF_INET = 2, AF_INET6 = 10;

    private final ByteOrder order;

    public SadbCodec(ByteOrder order) {
        this.order = order;
    }

    /** The codec for this machine's kernel: host byte order. */
    public static SadbCodec host() {
        return new SadbCodec(ByteOrder.nativeOrder());
    }

    // ---------------------------------------------------------------- encode

    public byte[] encode(SadbMessage m) {
        ByteBuffer b = ByteBuffer.allocate(HEADER + 64 * 1024).order(order);
        b.put((byte) Sadb.PF_KEY_V2).put((byte) m.type()).put((byte) m.errno()).put((byte) m.satype());
        b.putShort((short) 0).putShort((short) m.reserved()).putInt(m.seq()).putInt(m.pid());
        boolean[] seen = new boolean[256];
        for (SadbExtension e : m.extensions()) {
            if (seen[e.type() & 0xff]) {
                throw new IllegalArgumentException("extension " + Sadb.extensionName(e.type()) + " twice");
            }
            seen[e.type() & 0xff] = true;
            int start = b.position();
            b.putShort((short) 0).putShort((short) e.type());
            encodeBody(b, e);
            pad8(b);
            int words = (b.position() - start) / 8;
            b.putShort(start, (short) words);
        }
        int total = b.position();
        if (total / 8 > 0xffff) {
            throw new IllegalArgumentException("message too long: " + total + " bytes");
        }
        b.putShort(4, (short) (total / 8));
        return Arrays.copyOf(b.array(), total);
    }

    private void encodeBody(ByteBuffer b, SadbExtension e) {
        if (e instanceof Sa s) {
            b.order(ByteOrder.BIG_ENDIAN).putInt(s.spi()).order(order);
            b.put((byte) s.replay()).put((byte) s.state()).put((byte) s.auth()).put((byte) s.encrypt())
                    .putInt(s.flags());
        } else if (e instanceof Lifetime l) {
            b.putInt(l.allocations()).putLong(l.bytes()).putLong(l.addtime()).putLong(l.usetime());
        } else if (e instanceof Address a) {
            b.put((byte) a.proto()).put((byte) a.prefixLength()).putShort((short) 0);
            sockaddr(b, a.address(), a.port());
        } else if (e instanceof Key k) {
            b.putShort((short) k.bits()).putShort((short) 0);
            byte[] key = k.key();
            b.put(key);
            Arrays.fill(key, (byte) 0);
        } else if (e instanceof Identity i) {
            b.putShort((short) i.identType()).putShort((short) 0).putLong(i.id());
            b.put(i.value().getBytes(StandardCharsets.UTF_8)).put((byte) 0);
        } else if (e instanceof Sensitivity s) {
            b.putInt(s.dpd()).put((byte) s.sensLevel()).put((byte) s.sensBitmap().length)
                    .put((byte) s.integLevel()).put((byte) s.integBitmap().length).putInt(0);
            for (long w : s.sensBitmap()) {
                b.putLong(w);
            }
            for (long w : s.integBitmap()) {
                b.putLong(w);
            }
        } else if (e instanceof Proposal p) {
            b.put((byte) p.replay()).put(new byte[3]);
            for (Comb c : p.combs()) {
                b.put((byte) c.auth()).put((byte) c.encrypt()).putShort((short) c.flags())
                        .putShort((short) c.authMinBits()).putShort((short) c.authMaxBits())
                        .putShort((short) c.encryptMinBits()).putShort((short) c.encryptMaxBits()).putInt(0)
                        .putInt(c.softAllocations()).putInt(c.hardAllocations()).putLong(c.softBytes())
                        .putLong(c.hardBytes()).putLong(c.softAddtime()).putLong(c.hardAddtime())
                        .putLong(c.softUsetime()).putLong(c.hardUsetime());
            }
        } else if (e instanceof Supported s) {
            b.putInt(0);
            for (Alg a : s.algs()) {
                b.put((byte) a.id()).put((byte) a.ivLength()).putShort((short) a.minBits())
                        .putShort((short) a.maxBits()).putShort((short) 0);
            }
        } else if (e instanceof SpiRange r) {
            b.putInt(r.min()).putInt(r.max()).putInt(0);
        } else if (e instanceof Sa2 s) {
            b.put((byte) s.mode()).put((byte) 0).putShort((short) 0).putInt(s.sequence()).putInt(s.reqid());
        } else if (e instanceof Policy p) {
            b.putShort((short) p.policyType()).put((byte) p.direction()).put((byte) 0).putInt(p.id())
                    .putInt(p.priority());
            for (IpsecRequest r : p.requests()) {
                int start = b.position();
                b.putShort((short) 0).putShort((short) r.proto()).put((byte) r.mode()).put((byte) r.level())
                        .putShort((short) 0).putInt(r.reqid()).putInt(0);
                if (r.tunnelSource().isPresent()) {
                    sockaddr(b, r.tunnelSource().get(), 0);
                    sockaddr(b, r.tunnelDestination().get(), 0);
                }
                pad8(b);
                b.putShort(start, (short) (b.position() - start)); // bytes, not words (KAME/Linux)
            }
        } else if (e instanceof NatTType t) {
            b.put((byte) t.encapType()).put(new byte[3]);
        } else if (e instanceof NatTPort p) {
            b.order(ByteOrder.BIG_ENDIAN).putShort((short) p.port()).order(order);
            b.putShort((short) 0);
        } else if (e instanceof Opaque o) {
            b.put(o.body());
        } else {
            throw new IllegalArgumentException("no encoder for " + e);
        }
    }

    private void sockaddr(ByteBuffer b, InetAddress a, int port) {
        if (a instanceof Inet4Address) {
            b.putShort((short) AF_INET);
            b.order(ByteOrder.BIG_ENDIAN).putShort((short) port).order(order);
            b.put(a.getAddress()).put(new byte[8]);
        } else {
            b.putShort((short) AF_INET6);
            b.order(ByteOrder.BIG_ENDIAN).putShort((short) port).putInt(0).order(order);
            b.put(a.getAddress()).putInt(0);
        }
    }

    private static void pad8(ByteBuffer b) {
        while (b.position() % 8 != 0) {
            b.put((byte) 0);
        }
    }

    // ---------------------------------------------------------------- decode

    public SadbMessage decode(byte[] data) throws PfKeyFormatException {
        return decode(data, data.length);
    }

    /** Decodes the first {@code length} bytes of {@code data}, which must be exactly one message. */
    public SadbMessage decode(byte[] data, int length) throws PfKeyFormatException {
        if (length < HEADER) {
            throw new PfKeyFormatException(0, length + " bytes, shorter than sadb_msg (16)");
        }
        if (length % 8 != 0) {
            throw new PfKeyFormatException(0, length + " bytes is not a multiple of 8");
        }
        ByteBuffer b = ByteBuffer.wrap(data, 0, length).order(order);
        int version = b.get(0) & 0xff;
        if (version != Sadb.PF_KEY_V2) {
            throw new PfKeyFormatException(0, "sadb_msg_version " + version + ", expected 2");
        }
        int type = b.get(1) & 0xff;
        int errno = b.get(2) & 0xff;
        int satype = b.get(3) & 0xff;
        int words = b.getShort(4) & 0xffff;
        if (words * 8 != length) {
            throw new PfKeyFormatException(4, "sadb_msg_len " + words + " words (" + words * 8 + " bytes) but "
                    + length + " bytes received");
        }
        int seq = b.getInt(8);
        int pid = b.getInt(12);
        List<SadbExtension> exts = new ArrayList<>();
        boolean[] seen = new boolean[65536];
        int p = HEADER;
        while (p < length) {
            if (p + 4 > length) {
                throw new PfKeyFormatException(p, "truncated extension header");
            }
            int extWords = b.getShort(p) & 0xffff;
            int extType = b.getShort(p + 2) & 0xffff;
            if (extWords == 0) {
                throw new PfKeyFormatException(p, "extension " + Sadb.extensionName(extType) + " with length 0");
            }
            int extLen = extWords * 8;
            if (p + extLen > length) {
                throw new PfKeyFormatException(p, "extension " + Sadb.extensionName(extType) + " of " + extLen
                        + " bytes runs past the message end (" + (length - p) + " left)");
            }
            if (extType == 0) {
                throw new PfKeyFormatException(p + 2, "extension type 0 (reserved)");
            }
            if (seen[extType]) {
                throw new PfKeyFormatException(p + 2, "extension " + Sadb.extensionName(extType) + " twice");
            }
            seen[extType] = true;
            exts.add(decodeExtension(b, p, extLen, extType));
            p += extLen;
        }
        return new SadbMessage(type, errno, satype, seq, pid, exts, b.getShort(6) & 0xffff);
    }

    private SadbExtension decodeExtension(ByteBuffer b, int p, int len, int type) throws PfKeyFormatException {
        String name = Sadb.extensionName(type);
        switch (type) {
            case Sadb.EXT_SA -> {
                need(p, len, 16, name);
                int spi = b.order(ByteOrder.BIG_ENDIAN).getInt(p + 4);
                b.order(order);
                return new Sa(spi, u8(b, p + 8), u8(b, p + 9), u8(b, p + 10), u8(b, p + 11), b.getInt(p + 12));
            }
            case Sadb.EXT_LIFETIME_CURRENT, Sadb.EXT_LIFETIME_HARD, Sadb.EXT_LIFETIME_SOFT -> {
                need(p, len, 32, name);
                return new Lifetime(type, b.getInt(p + 4), b.getLong(p + 8), b.getLong(p + 16), b.getLong(p + 24));
            }
            case Sadb.EXT_ADDRESS_SRC, Sadb.EXT_ADDRESS_DST, Sadb.EXT_ADDRESS_PROXY, Sadb.X_EXT_NAT_T_OA -> {
                need(p, len, 8 + 16, name);
                int proto = u8(b, p + 4);
                int prefix = u8(b, p + 5);
                Sock s = sockaddr(b, p + 8, p + len, name);
                if (prefix > s.address.getAddress().length * 8) {
                    throw new PfKeyFormatException(p + 5, name + " prefix length " + prefix + " for "
                            + Addresses.format(s.address));
                }
                return new Address(type, proto, prefix, s.address, s.port);
            }
            case Sadb.EXT_KEY_AUTH, Sadb.EXT_KEY_ENCRYPT -> {
                need(p, len, 8, name);
                int bits = u16(b, p + 4);
                int bytes = (bits + 7) / 8;
                if (8 + bytes > len) {
                    throw new PfKeyFormatException(p + 4, name + " says " + bits + " bits but holds only "
                            + (len - 8) + " bytes");
                }
                byte[] key = new byte[bytes];
                b.get(p + 8, key);
                try {
                    return new Key(type, bits, key);
                } finally {
                    Arrays.fill(key, (byte) 0);
                }
            }
            case Sadb.EXT_IDENTITY_SRC, Sadb.EXT_IDENTITY_DST -> {
                need(p, len, 16, name);
                int end = p + 16;
                while (end < p + len && b.get(end) != 0) {
                    end++;
                }
                byte[] s = new byte[end - p - 16];
                b.get(p + 16, s);
                return new Identity(type, u16(b, p + 4), b.getLong(p + 8), new String(s, StandardCharsets.UTF_8));
            }
            case Sadb.EXT_SENSITIVITY -> {
                need(p, len, 16, name);
                int sensLen = u8(b, p + 9);
                int integLen = u8(b, p + 11);
                if (16 + 8 * (sensLen + integLen) != len) {
                    throw new PfKeyFormatException(p, name + " bitmaps of " + sensLen + "+" + integLen
                            + " words do not fill its " + len + " bytes");
                }
                long[] sens = new long[sensLen];
                long[] integ = new long[integLen];
                for (int i = 0; i < sensLen; i++) {
                    sens[i] = b.getLong(p + 16 + 8 * i);
                }
                for (int i = 0; i < integLen; i++) {
                    integ[i] = b.getLong(p + 16 + 8 * (sensLen + i));
                }
                return new Sensitivity(b.getInt(p + 4), u8(b, p + 8), u8(b, p + 10), sens, integ);
            }
            case Sadb.EXT_PROPOSAL -> {
                need(p, len, 8, name);
                if ((len - 8) % 72 != 0) {
                    throw new PfKeyFormatException(p, name + " body of " + (len - 8)
                            + " bytes is not a whole number of sadb_comb (72)");
                }
                List<Comb> combs = new ArrayList<>();
                for (int q = p + 8; q < p + len; q += 72) {
                    combs.add(new Comb(u8(b, q), u8(b, q + 1), u16(b, q + 2), u16(b, q + 4), u16(b, q + 6),
                            u16(b, q + 8), u16(b, q + 10), b.getInt(q + 16), b.getInt(q + 20), b.getLong(q + 24),
                            b.getLong(q + 32), b.getLong(q + 40), b.getLong(q + 48), b.getLong(q + 56),
                            b.getLong(q + 64)));
                }
                return new Proposal(u8(b, p + 4), combs);
            }
            case Sadb.EXT_SUPPORTED_AUTH, Sadb.EXT_SUPPORTED_ENCRYPT -> {
                need(p, len, 8, name);
                List<Alg> algs = new ArrayList<>();
                for (int q = p + 8; q < p + len; q += 8) {
                    algs.add(new Alg(u8(b, q), u8(b, q + 1), u16(b, q + 2), u16(b, q + 4)));
                }
                return new Supported(type, algs);
            }
            case Sadb.EXT_SPIRANGE -> {
                need(p, len, 16, name);
                return new SpiRange(b.getInt(p + 4), b.getInt(p + 8));
            }
            case Sadb.X_EXT_SA2 -> {
                need(p, len, 16, name);
                return new Sa2(u8(b, p + 4), b.getInt(p + 8), b.getInt(p + 12));
            }
            case Sadb.X_EXT_POLICY -> {
                need(p, len, 16, name);
                List<IpsecRequest> reqs = new ArrayList<>();
                int q = p + 16;
                while (q < p + len) {
                    if (q + 16 > p + len) {
                        throw new PfKeyFormatException(q, "truncated sadb_x_ipsecrequest");
                    }
                    int rlen = u16(b, q);
                    if (rlen < 16 || rlen % 8 != 0 || q + rlen > p + len) {
                        throw new PfKeyFormatException(q, "sadb_x_ipsecrequest_len " + rlen
                                + " (bytes; must be >= 16, a multiple of 8 and inside the policy)");
                    }
                    Optional<InetAddress> src = Optional.empty();
                    Optional<InetAddress> dst = Optional.empty();
                    if (rlen > 16) {
                        Sock s = sockaddr(b, q + 16, q + rlen, "ipsecrequest source");
                        Sock d = sockaddr(b, q + 16 + s.size, q + rlen, "ipsecrequest destination");
                        src = Optional.of(s.address);
                        dst = Optional.of(d.address);
                    }
                    reqs.add(new IpsecRequest(u16(b, q + 2), u8(b, q + 4), u8(b, q + 5), b.getInt(q + 8), src, dst));
                    q += rlen;
                }
                return new Policy(u16(b, p + 4), u8(b, p + 6), b.getInt(p + 8), b.getInt(p + 12), reqs);
            }
            case Sadb.X_EXT_NAT_T_TYPE -> {
                need(p, len, 8, name);
                return new NatTType(u8(b, p + 4));
            }
            case Sadb.X_EXT_NAT_T_SPORT, Sadb.X_EXT_NAT_T_DPORT -> {
                need(p, len, 8, name);
                int port = b.order(ByteOrder.BIG_ENDIAN).getShort(p + 4) & 0xffff;
                b.order(order);
                return new NatTPort(type, port);
            }
            default -> {
                byte[] body = new byte[len - 4];
                b.get(p + 4, body);
                return new Opaque(type, body);
            }
        }
    }

    private record Sock(InetAddress address, int port, int size) {
    }

    private Sock sockaddr(ByteBuffer b, int p, int end, String what) throws PfKeyFormatException {
        if (p + 2 > end) {
            throw new PfKeyFormatException(p, what + ": no room for a sockaddr");
        }
        int family = u16(b, p);
        int size = family == AF_INET ? 16 : family == AF_INET6 ? 28 : -1;
        if (size < 0) {
            throw new PfKeyFormatException(p, what + ": unknown address family " + family);
        }
        if (p + size > end) {
            throw new PfKeyFormatException(p, what + ": sockaddr of family " + family + " needs " + size
                    + " bytes, " + (end - p) + " left");
        }
        int port = b.order(ByteOrder.BIG_ENDIAN).getShort(p + 2) & 0xffff;
        b.order(order);
        byte[] addr = new byte[family == AF_INET ? 4 : 16];
        b.get(p + (family == AF_INET ? 4 : 8), addr);
        try {
            return new Sock(InetAddress.getByAddress(addr), port, size);
        } catch (UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    private static void need(int p, int len, int min, String name) throws PfKeyFormatException {
        if (len < min) {
            throw new PfKeyFormatException(p, name + " of " + len + " bytes, needs at least " + min);
        }
    }

    private static int u8(ByteBuffer b, int p) {
        return b.get(p) & 0xff;
    }

    private static int u16(ByteBuffer b, int p) {
        return b.getShort(p) & 0xffff;
    }
}
