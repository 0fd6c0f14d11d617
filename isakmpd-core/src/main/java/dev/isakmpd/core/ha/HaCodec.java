package dev.isakmpd.core.ha;

import dev.isakmpd.core.kernel.ReplayState;
import dev.isakmpd.core.policy.EspCipher;
import dev.isakmpd.core.policy.EspIntegrity;
import dev.isakmpd.core.policy.IpsecMode;
import dev.isakmpd.core.policy.Subnet;
import dev.isakmpd.core.registry.IdType;
import dev.isakmpd.core.registry.ProtocolId;
import dev.isakmpd.core.sa.BundledSa;
import dev.isakmpd.core.sa.IpsecSa;
import dev.isakmpd.core.sa.UdpEncapsulation;
import dev.isakmpd.core.wire.IdentificationPayload;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The replication wire format: {@code version(1) type(1) body}, every number big-endian, every
 * variable field behind an explicit length, enums as their IANA numbers. Architecture-independent
 * and without Java serialization. Decoding checks every length, count and enum, and refuses
 * trailing octets; a record from a newer daemon (higher version) or of an unknown type is refused
 * with a {@link HaCodecException}, never an unchecked exception.
 */
public final class HaCodec {
    /**
     * The format this daemon writes and reads. A change to any record's layout takes a new one.
     * 2: Counters carry the kernel's 32-bit replay state (oseq, seq, one window word).
     * 3: PairLive (type 7); a version-2 standby would drop it and hold the pair pending forever.
     */
    public static final int VERSION = 3;
    /** Bundled SAs of one IPsec SA: AH and IPComp at most. */
    static final int MAX_BUNDLE = 2;

    private HaCodec() {
    }

    public static byte[] encode(HaRecord r) {
        Writer w = new Writer();
        w.u8(VERSION);
        w.u8(r.type());
        if (r instanceof HaRecord.IsakmpSa s) {
            cookies(w, s.cookies());
            w.bool(s.initiator());
            w.string(s.policy());
            w.string(s.peerKey());
            socket(w, s.local());
            socket(w, s.remote());
            HaRecord.Phase1Algorithms a = s.algorithms();
            w.u16(a.encryption());
            w.u16(a.keyBits());
            w.u16(a.hash());
            w.u16(a.group());
            w.u16(a.authMethod());
            w.u64(a.lifetimeSeconds());
            id(w, s.localId());
            w.bool(s.peerId().isPresent());
            s.peerId().ifPresent(i -> id(w, i));
            w.secret(s.skeyidD().bytes());
            w.secret(s.skeyidA().bytes());
            w.secret(s.skeyidE().bytes());
            w.bytes(s.lastPhase1Block());
            HaRecord.Capabilities c = s.capabilities();
            w.bool(c.dpd());
            w.u8(c.natTraversalVersion());
            w.bool(c.localBehindNat());
            w.bool(c.peerBehindNat());
            w.bool(c.fragmentation());
            w.bool(c.remoteAccessDone());
            w.u64(s.expiresAt());
        } else if (r instanceof HaRecord.IpsecPair p) {
            cookies(w, p.owner());
            w.string(p.peerKey());
            w.bool(p.identity() != null);
            if (p.identity() != null) {
                w.string(p.identity());
            }
            ipsecSa(w, p.inbound());
            ipsecSa(w, p.outbound());
            w.bool(p.initiator());
            w.bool(p.pending());
            w.bool(p.esn());
            w.u64(p.expiresAt());
            w.u64(p.rekeyAt());
        } else if (r instanceof HaRecord.IsakmpDelete d) {
            cookies(w, d.cookies());
        } else if (r instanceof HaRecord.PairDelete d) {
            spiKey(w, d.inbound());
        } else if (r instanceof HaRecord.PairLive l) {
            spiKey(w, l.inbound());
        } else if (r instanceof HaRecord.Counters c) {
            spiKey(w, c.sa());
            w.u32((int) c.replay().outbound());
            w.u32((int) c.replay().inbound());
            w.u32(c.replay().window());
            w.u64(c.bytes());
        } else {
            HaRecord.DpdSequence d = (HaRecord.DpdSequence) r;
            cookies(w, d.cookies());
            w.u32(d.sequence());
        }
        return w.toByteArray();
    }

    /**
     * @throws HaCodecException naming the offset and field of the first thing wrong; for a newer
     *     version or an unknown type, saying so
     */
    public static HaRecord decode(byte[] data) throws HaCodecException {
        Reader r = new Reader(data);
        int version = r.u8("version");
        if (version != VERSION) {
            throw new HaCodecException("HA record version " + version + (version > VERSION
                    ? " is newer than this daemon's " + VERSION + ": upgrade this node before its peer"
                    : version > 0 ? " is older than this daemon's " + VERSION + ": upgrade the other node"
                    : " is unknown (this daemon reads version " + VERSION + ")"));
        }
        int type = r.u8("type");
        HaRecord rec;
        try {
            rec = switch (type) {
                case 1 -> isakmpSa(r);
                case 2 -> new HaRecord.IpsecPair(cookies(r), r.string("peer key"),
                        r.bool("identity present") ? r.string("identity") : null, ipsecSa(r, "inbound"),
                        ipsecSa(r, "outbound"), r.bool("initiator"), r.bool("pending"), r.bool("esn"),
                        r.u64("expires"), r.u64("rekey at"));
                case 3 -> new HaRecord.IsakmpDelete(cookies(r));
                case 4 -> new HaRecord.PairDelete(spiKey(r));
                case 5 -> counters(r);
                case 6 -> new HaRecord.DpdSequence(cookies(r), r.u32("DPD sequence"));
                case 7 -> new HaRecord.PairLive(spiKey(r));
                default -> throw new HaCodecException("unknown HA record type " + type + " (version " + VERSION
                        + " knows 1-7): written by a newer daemon?");
            };
        } catch (IllegalArgumentException | IllegalStateException e) {
            throw new HaCodecException("HA record type " + type + " before offset " + r.pos + ": invalid value: "
                    + e.getMessage());
        }
        if (r.pos != data.length) {
            throw new HaCodecException("HA record type " + type + ": " + (data.length - r.pos)
                    + " trailing octets at offset " + r.pos);
        }
        return rec;
    }

    private static HaRecord.IsakmpSa isakmpSa(Reader r) throws HaCodecException {
        HaRecord.CookiePair cookies = cookies(r);
        boolean initiator = r.bool("initiator");
        String policy = r.string("policy");
        String peerKey = r.string("peer key");
        InetSocketAddress local = socket(r, "local");
        InetSocketAddress remote = socket(r, "remote");
        HaRecord.Phase1Algorithms a = new HaRecord.Phase1Algorithms(r.u16("encryption"), r.u16("key bits"),
                r.u16("hash"), r.u16("group"), r.u16("auth method"), r.u64("lifetime"));
        IdentificationPayload localId = id(r, "local ID");
        Optional<IdentificationPayload> peerId = r.bool("peer ID present") ? Optional.of(id(r, "peer ID"))
                : Optional.empty();
        return new HaRecord.IsakmpSa(cookies, initiator, policy, peerKey, local, remote, a, localId, peerId,
                r.secret("SKEYID_d"), r.secret("SKEYID_a"), r.secret("SKEYID_e"), r.bytes("last phase-1 block"),
                new HaRecord.Capabilities(r.bool("DPD"), r.u8("NAT-T version"), r.bool("local behind NAT"),
                        r.bool("peer behind NAT"), r.bool("fragmentation"), r.bool("remote access done")),
                r.u64("expires"));
    }

    private static HaRecord.Counters counters(Reader r) throws HaCodecException {
        HaRecord.SpiKey sa = spiKey(r);
        ReplayState replay = new ReplayState(Integer.toUnsignedLong(r.u32("oseq")), Integer.toUnsignedLong(r.u32("seq")),
                r.u32("replay window"));
        return new HaRecord.Counters(sa, replay, r.u64("bytes"));
    }

    // ---------------------------------------------------------------- shared parts

    private static void cookies(Writer w, HaRecord.CookiePair c) {
        w.raw(c.initiator());
        w.raw(c.responder());
    }

    private static HaRecord.CookiePair cookies(Reader r) throws HaCodecException {
        return new HaRecord.CookiePair(r.raw(8, "CKY-I"), r.raw(8, "CKY-R"));
    }

    private static void spiKey(Writer w, HaRecord.SpiKey k) {
        w.address(k.destination());
        w.u32(k.spi());
    }

    private static HaRecord.SpiKey spiKey(Reader r) throws HaCodecException {
        return new HaRecord.SpiKey(r.address("SA destination"), r.u32("SPI"));
    }

    private static void socket(Writer w, InetSocketAddress a) {
        w.address(a.getAddress());
        w.u16(a.getPort());
    }

    private static InetSocketAddress socket(Reader r, String field) throws HaCodecException {
        r.scope = field;
        try {
            return new InetSocketAddress(r.address("address"), r.u16("port"));
        } finally {
            r.scope = null;
        }
    }

    private static void id(Writer w, IdentificationPayload id) {
        w.u8(id.idType().value());
        w.u8(id.protocolId());
        w.u16(id.port());
        w.bytes(id.data());
    }

    private static IdentificationPayload id(Reader r, String field) throws HaCodecException {
        r.scope = field;
        try {
            return new IdentificationPayload(IdType.of(r.u8("type")), r.u8("protocol"), r.u16("port"),
                    r.bytes("data"));
        } finally {
            r.scope = null;
        }
    }

    private static void subnet(Writer w, Subnet s) {
        w.address(s.network());
        w.u8(s.prefixLength());
    }

    private static Subnet subnet(Reader r, String field, String prefixField) throws HaCodecException {
        return new Subnet(r.address(field), r.u8(prefixField));
    }

    private static void ipsecSa(Writer w, IpsecSa sa) {
        w.string(sa.peer());
        w.string(sa.tunnel());
        w.u8(sa.direction() == IpsecSa.Direction.IN ? 0 : 1);
        w.u32(sa.spi());
        w.address(sa.source());
        w.address(sa.destination());
        subnet(w, sa.sourceSelector());
        subnet(w, sa.destinationSelector());
        w.u16(sa.cipher().transformId());
        w.u16(sa.keyBits());
        w.secret(sa.encryptionKey().bytes());
        w.u16(sa.integrity().attributeValue());
        w.secret(sa.authenticationKey().bytes());
        w.u64(sa.lifetime().toMillis());
        w.bool(sa.pfs());
        w.bool(sa.udpEncapsulation().isPresent());
        sa.udpEncapsulation().ifPresent(u -> {
            w.u16(u.sourcePort());
            w.u16(u.destinationPort());
            w.bool(u.originalAddress().isPresent());
            u.originalAddress().ifPresent(w::address);
        });
        w.u8(sa.mode().attributeValue());
        w.u64(sa.lifeKilobytes());
        w.u8(sa.protocol().value());
        w.u8(sa.bundle().size());
        for (BundledSa b : sa.bundle()) {
            w.u8(b.protocol().value());
            w.u32(b.spi());
            w.u16(b.integrity().attributeValue());
            w.secret(b.key().bytes());
        }
        w.u64(Double.doubleToLongBits(sa.softShare()));
    }

    /** An IPsec SA's fields, named "{@code which} ..." in errors (no name is built per field read). */
    private static IpsecSa ipsecSa(Reader r, String which) throws HaCodecException {
        r.scope = which;
        try {
            return ipsecSa(r);
        } finally {
            r.scope = null;
        }
    }

    private static IpsecSa ipsecSa(Reader r) throws HaCodecException {
        String peer = r.string("peer");
        String tunnel = r.string("tunnel");
        int dir = r.u8("direction");
        if (dir > 1) {
            throw r.bad(1, "direction", dir + " (0 in, 1 out)");
        }
        int spi = r.u32("SPI");
        InetAddress src = r.address("source");
        InetAddress dst = r.address("destination");
        Subnet srcSel = subnet(r, "source selector", "source selector prefix");
        Subnet dstSel = subnet(r, "destination selector", "destination selector prefix");
        int cipherId = r.u16("cipher");
        EspCipher cipher = EspCipher.fromTransformId(cipherId);
        if (cipher == null) {
            throw r.bad(2, "cipher", "unknown ESP transform " + cipherId);
        }
        int keyBits = r.u16("key bits");
        if (!cipher.isValidKeyBits(keyBits)) {
            throw r.bad(2, "key bits", keyBits + " for " + cipher);
        }
        var encKey = r.secret("encryption key");
        EspIntegrity integrity = integrity(r, "integrity");
        var authKey = r.secret("authentication key");
        Duration lifetime = Duration.ofMillis(r.u64("lifetime"));
        boolean pfs = r.bool("PFS");
        Optional<UdpEncapsulation> udp = Optional.empty();
        if (r.bool("UDP encapsulation")) {
            int sport = r.u16("UDP source port");
            int dport = r.u16("UDP destination port");
            Optional<InetAddress> oa = r.bool("NAT-OA present") ? Optional.of(r.address("NAT-OA"))
                    : Optional.empty();
            udp = Optional.of(new UdpEncapsulation(sport, dport, oa));
        }
        int modeValue = r.u8("mode");
        IpsecMode mode = null;
        for (IpsecMode m : IpsecMode.values()) {
            mode = m.attributeValue() == modeValue ? m : mode;
        }
        if (mode == null) {
            throw r.bad(1, "mode", "unknown encapsulation mode " + modeValue);
        }
        long kilobytes = r.u64("life kilobytes");
        ProtocolId protocol = ProtocolId.of(r.u8("protocol"));
        if (!protocol.equals(ProtocolId.IPSEC_ESP) && !protocol.equals(ProtocolId.IPSEC_AH)) {
            throw r.bad(1, "protocol", protocol + " (ESP or AH)");
        }
        int n = r.u8("bundle count");
        if (n > MAX_BUNDLE) {
            throw r.bad(1, "bundle count", n + " (at most " + MAX_BUNDLE + ")");
        }
        List<BundledSa> bundle = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            ProtocolId bp = ProtocolId.of(r.u8("bundled protocol"));
            bundle.add(new BundledSa(bp, r.u32("bundled SPI"), integrity(r, "bundled integrity"),
                    r.secret("bundled key")));
        }
        double share = Double.longBitsToDouble(r.u64("soft share"));
        if (!(share > 0 && share <= 1)) {
            throw r.bad(8, "soft share", share + " (a share of the lifetime, 0 < s <= 1)");
        }
        return new IpsecSa(peer, tunnel, dir == 0 ? IpsecSa.Direction.IN : IpsecSa.Direction.OUT, spi, src, dst,
                srcSel, dstSel, cipher, keyBits, encKey, integrity, authKey, lifetime, pfs, udp, mode, kilobytes,
                protocol, bundle, share);
    }

    private static EspIntegrity integrity(Reader r, String field) throws HaCodecException {
        int v = r.u16(field);
        EspIntegrity i = v == 0 ? EspIntegrity.NONE : EspIntegrity.fromAttribute(v);
        if (i == null) {
            throw r.bad(2, field, "unknown authentication algorithm " + v);
        }
        return i;
    }

    // ---------------------------------------------------------------- primitives

    /**
     * Big-endian numbers into a growing array. Not a ByteArrayOutputStream: its synchronized
     * write per octet, inlined some hundred times into an IPsec pair's encoder, made the JIT's
     * compilation of that one method cost more than replicating a thousand records.
     */
    private static final class Writer {
        private byte[] buf = new byte[512];
        private int pos;

        private void room(int n) {
            if (buf.length - pos < n) {
                byte[] old = buf;
                buf = java.util.Arrays.copyOf(old, Math.max(old.length * 2, pos + n));
                java.util.Arrays.fill(old, (byte) 0);
            }
        }

        void u8(int v) {
            if (v < 0 || v > 0xFF) {
                throw new IllegalArgumentException("value " + v + " does not fit one octet");
            }
            room(1);
            buf[pos++] = (byte) v;
        }

        void u16(int v) {
            if (v < 0 || v > 0xFFFF) {
                throw new IllegalArgumentException("value " + v + " does not fit two octets");
            }
            room(2);
            buf[pos++] = (byte) (v >>> 8);
            buf[pos++] = (byte) v;
        }

        void u32(int v) {
            room(4);
            buf[pos++] = (byte) (v >>> 24);
            buf[pos++] = (byte) (v >>> 16);
            buf[pos++] = (byte) (v >>> 8);
            buf[pos++] = (byte) v;
        }

        void u64(long v) {
            u32((int) (v >>> 32));
            u32((int) v);
        }

        void bool(boolean b) {
            room(1);
            buf[pos++] = (byte) (b ? 1 : 0);
        }

        void raw(byte[] b) {
            room(b.length);
            System.arraycopy(b, 0, buf, pos, b.length);
            pos += b.length;
        }

        void bytes(byte[] b) {
            u16(b.length);
            raw(b);
        }

        /** Writes a copy of a secret and wipes the copy. */
        void secret(byte[] b) {
            bytes(b);
            java.util.Arrays.fill(b, (byte) 0);
        }

        void string(String s) {
            bytes(s.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        }

        void address(InetAddress a) {
            byte[] b = a.getAddress();
            u8(b.length);
            raw(b);
        }

        /** The record; the working array, which held keys, is wiped. */
        byte[] toByteArray() {
            byte[] record = java.util.Arrays.copyOf(buf, pos);
            java.util.Arrays.fill(buf, 0, pos, (byte) 0);
            return record;
        }
    }

    private static final class Reader {
        private final byte[] data;
        private int pos;
        /**
         * What the fields being read belong to ("inbound" of "inbound SPI"), or null: errors name the
         * field with it, and no name is built for a field read without error.
         */
        private String scope;

        Reader(byte[] data) {
            this.data = data;
        }

        private String name(String field) {
            return scope == null ? field : scope + " " + field;
        }

        HaCodecException bad(int width, String field, String what) {
            return new HaCodecException("HA record: " + name(field) + " at offset " + (pos - width) + ": " + what);
        }

        private void need(int n, String field) throws HaCodecException {
            if (data.length - pos < n) {
                throw truncated(n, name(field));
            }
        }

        private HaCodecException truncated(int n, String name) {
            return new HaCodecException("HA record truncated: " + name + " at offset " + pos + " needs " + n
                    + " octets, " + (data.length - pos) + " left");
        }

        int u8(String field) throws HaCodecException {
            need(1, field);
            return data[pos++] & 0xFF;
        }

        int u16(String field) throws HaCodecException {
            need(2, field);
            int v = ((data[pos] & 0xFF) << 8) | (data[pos + 1] & 0xFF);
            pos += 2;
            return v;
        }

        int u32(String field) throws HaCodecException {
            need(4, field);
            int v = 0;
            for (int i = 0; i < 4; i++) {
                v = (v << 8) | (data[pos++] & 0xFF);
            }
            return v;
        }

        long u64(String field) throws HaCodecException {
            need(8, field);
            long v = 0;
            for (int i = 0; i < 8; i++) {
                v = (v << 8) | (data[pos++] & 0xFF);
            }
            return v;
        }

        boolean bool(String field) throws HaCodecException {
            int v = u8(field);
            if (v > 1) {
                throw bad(1, field, "flag " + v + " (0 or 1)");
            }
            return v == 1;
        }

        byte[] raw(int n, String field) throws HaCodecException {
            need(n, field);
            byte[] b = java.util.Arrays.copyOfRange(data, pos, pos + n);
            pos += n;
            return b;
        }

        byte[] bytes(String field) throws HaCodecException {
            if (data.length - pos < 2) {
                throw truncated(2, name(field) + " length");
            }
            int n = ((data[pos] & 0xFF) << 8) | (data[pos + 1] & 0xFF);
            pos += 2;
            return raw(n, field);
        }

        dev.isakmpd.oakley.SecretBytes secret(String field) throws HaCodecException {
            byte[] b = bytes(field);
            dev.isakmpd.oakley.SecretBytes s = dev.isakmpd.oakley.SecretBytes.copyOf(b);
            java.util.Arrays.fill(b, (byte) 0);
            return s;
        }

        String string(String field) throws HaCodecException {
            byte[] b = bytes(field);
            if (ascii(b)) { // names and keys of peers and tunnels: no decoder made per string
                return new String(b, java.nio.charset.StandardCharsets.US_ASCII);
            }
            try {
                return java.nio.charset.StandardCharsets.UTF_8.newDecoder()
                        .onMalformedInput(java.nio.charset.CodingErrorAction.REPORT)
                        .onUnmappableCharacter(java.nio.charset.CodingErrorAction.REPORT)
                        .decode(java.nio.ByteBuffer.wrap(b)).toString();
            } catch (java.nio.charset.CharacterCodingException e) {
                throw bad(b.length, field, "not UTF-8");
            }
        }

        private static boolean ascii(byte[] b) {
            for (byte x : b) {
                if (x < 0) {
                    return false;
                }
            }
            return true;
        }

        InetAddress address(String field) throws HaCodecException {
            if (data.length - pos < 1) {
                throw truncated(1, name(field) + " length");
            }
            int n = data[pos++] & 0xFF;
            if (n != 4 && n != 16) {
                throw bad(1, field, "address of " + n + " octets (4 or 16)");
            }
            try {
                return InetAddress.getByAddress(raw(n, field));
            } catch (UnknownHostException e) {
                throw bad(n, field, "not an address");
            }
        }
    }
}
