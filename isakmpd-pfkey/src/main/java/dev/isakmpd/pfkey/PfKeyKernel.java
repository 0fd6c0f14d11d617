package dev.isakmpd.pfkey;

import dev.isakmpd.core.kernel.Kernel;
import dev.isakmpd.core.kernel.KernelEvent;
import dev.isakmpd.core.kernel.KernelException;
import dev.isakmpd.core.kernel.SaBundle;
import dev.isakmpd.core.kernel.SaTraffic;
import dev.isakmpd.core.kernel.SoftLifetime;
import dev.isakmpd.core.kernel.SpdTunnel;
import dev.isakmpd.core.policy.Addresses;
import dev.isakmpd.core.policy.EspCipher;
import dev.isakmpd.core.policy.EspIntegrity;
import dev.isakmpd.core.policy.IpsecMode;
import dev.isakmpd.core.policy.Subnet;
import dev.isakmpd.core.registry.ProtocolId;
import dev.isakmpd.core.sa.BundledSa;
import dev.isakmpd.core.sa.IpsecSa;
import dev.isakmpd.core.sa.UdpEncapsulation;
import dev.isakmpd.pfkey.SadbExtension.Address;
import dev.isakmpd.pfkey.SadbExtension.IpsecRequest;
import dev.isakmpd.pfkey.SadbExtension.Key;
import dev.isakmpd.pfkey.SadbExtension.Lifetime;
import dev.isakmpd.pfkey.SadbExtension.NatTPort;
import dev.isakmpd.pfkey.SadbExtension.NatTType;
import dev.isakmpd.pfkey.SadbExtension.Policy;
import dev.isakmpd.pfkey.SadbExtension.Sa;
import dev.isakmpd.pfkey.SadbExtension.Sa2;
import dev.isakmpd.pfkey.SadbExtension.SpiRange;
import dev.isakmpd.pfkey.SadbExtension.Supported;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * core's {@link Kernel} port on a PF_KEY v2 socket: GETSPI (in a range) reserves inbound SPIs,
 * UPDATE completes them, ADD installs outbound SAs, DELETE/GET/DUMP/FLUSH, REGISTER (which also
 * subscribes to ACQUIRE/EXPIRE), and KAME SPD entries for tunnels. ESP tunnel mode only.
 *
 * <p>SAs and policies use reqid 0 and level "require": Linux matches an outbound SA to a policy
 * template by reqid, and a "require" template's reqid is 0.
 */
public final class PfKeyKernel implements Kernel, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger("isakmpd.kernel.pfkey");
    /** RFC 4303 s2.1: SPIs 1..255 are reserved by IANA. */
    public static final int SPI_MIN = 0x100;
    public static final int SPI_MAX = 0xffffffff;
    public static final int REPLAY_WINDOW = 32;

    /** An SA as PF_KEY names it: (destination, SPI or CPI, SA type). */
    private record SaKey(InetAddress destination, int spi, int satype) {
    }

    /** linux/pfkeyv2.h, KAME: SADB_X_CALG_DEFLATE, IPComp's algorithm in sadb_sa_encrypt. */
    static final int X_CALG_DEFLATE = 2;

    private final PfKeySocket socket;
    // The methods below hold this object's lock while they wait for the kernel's answer, which the
    // reader thread delivers; so the reader thread (toEvent) must never take that lock: the maps it
    // touches are synchronized on themselves, briefly, with no I/O inside.
    private final Map<SaKey, InetAddress> reserved = new LinkedHashMap<>();
    private final Map<SaKey, IpsecSa> installed = Collections.synchronizedMap(new LinkedHashMap<>());
    /** SAs the kernel removed at their hard lifetime (when): deleting them again is not an error. */
    private final Map<SaKey, Long> expired = new ConcurrentHashMap<>();
    private static final long EXPIRED_MEMORY_NANOS = 120_000_000_000L;
    private final Map<Integer, SpdTunnel> policyIds = new ConcurrentHashMap<>();
    private final Map<SpdTunnel, List<Integer>> policiesOf = new LinkedHashMap<>();
    private volatile Supported supportedAuth = new Supported(Sadb.EXT_SUPPORTED_AUTH, List.of());
    private volatile Supported supportedEncrypt = new Supported(Sadb.EXT_SUPPORTED_ENCRYPT, List.of());
    private SadbMessage registration;
    private volatile Consumer<KernelEvent> listener = e -> { };
    private volatile Consumer<SadbMessage> rawListener = m -> { };

    public PfKeyKernel(PfKeySocket socket) {
        this.socket = socket;
        socket.onEvent(this::event);
    }

    /** Opens the socket and registers for ESP (learns the algorithms; subscribes to ACQUIRE/EXPIRE). */
    public static PfKeyKernel open() throws KernelException {
        PfKeySocket s = PfKeySocket.open();
        PfKeyKernel k = new PfKeyKernel(s);
        try {
            k.register();
        } catch (KernelException | RuntimeException e) {
            s.close();
            throw e;
        }
        return k;
    }

    public PfKeySocket socket() {
        return socket;
    }

    // ---------------------------------------------------------------- REGISTER

    /**
     * SADB_REGISTER for ESP: the kernel answers with the algorithms it supports. Linux refuses a
     * second REGISTER for the same SA type on one socket (EEXIST), so the first answer is kept.
     */
    public synchronized SadbMessage register() throws PfKeyException {
        if (registration != null) {
            return registration;
        }
        SadbMessage r = socket.call(SadbMessage.request(Sadb.REGISTER, Sadb.SATYPE_ESP));
        registration = r;
        r.find(Sadb.EXT_SUPPORTED_AUTH).ifPresent(e -> supportedAuth = (Supported) e);
        r.find(Sadb.EXT_SUPPORTED_ENCRYPT).ifPresent(e -> supportedEncrypt = (Supported) e);
        LOG.info("PF_KEY registered for ESP: auth {} encrypt {}", ids(supportedAuth), ids(supportedEncrypt));
        return r;
    }

    public Supported supportedAuth() {
        return supportedAuth;
    }

    public Supported supportedEncrypt() {
        return supportedEncrypt;
    }

    /**
     * Linux's af_key maps SADB_X_AALG_SHA2_256HMAC to hmac(sha256) truncated to 96 bits (the
     * pre-RFC 4868 draft), seen in the lab as "auth-trunc hmac(sha256) ... 96"; RFC 4868 peers use
     * 128 bits, so such an SA would drop every packet. HMAC-SHA2-256 is therefore not offered over
     * PF_KEY on Linux although REGISTER lists it (see docs/pfkey.md).
     */
    public static final boolean SHA256_TRUNCATED_TO_96 = System.getProperty("os.name", "").startsWith("Linux");

    private static final boolean LINUX = System.getProperty("os.name", "").startsWith("Linux");

    @Override
    public boolean supports(EspCipher cipher, int keyBits, EspIntegrity integrity) {
        return supports(supportedAuth, supportedEncrypt, cipher, keyBits, integrity);
    }

    /**
     * AH's HMACs are ESP's (af_key lists one set); hmac(sha256) has the same 96-bit problem. And
     * af_key cannot set XFRM_STATE_ALIGN4, so Linux pads an IPv4 AH header to 64 bits, where RFC
     * 4302 s2.6 allows only the padding to 32: with a 192- or 256-bit ICV (12 + 24 or 32 bytes)
     * the two disagree, and every packet fails. The 96-bit ICVs (24 bytes in all) are aligned both ways.
     */
    @Override
    public boolean supportsAh(EspIntegrity integrity) {
        return ahProblem(integrity).isEmpty();
    }

    @Override
    public String whyAhUnsupported(EspIntegrity integrity) {
        return ahProblem(integrity).orElse("it is supported");
    }

    private Optional<String> ahProblem(EspIntegrity integrity) {
        if (integrity == EspIntegrity.HMAC_SHA2_256 && SHA256_TRUNCATED_TO_96) {
            return Optional.of(whyUnsupported(EspCipher.NULL, integrity));
        }
        if (LINUX && (12 + integrity.icvBits() / 8) % 8 != 0) {
            return Optional.of("Linux af_key pads AH with a " + integrity.icvBits() + "-bit ICV to 64 bits, not "
                    + "RFC 4302's 32 (it cannot set XFRM_STATE_ALIGN4); kernel = \"xfrm\" can");
        }
        return supportedAuth.find(authId(integrity)).isPresent() ? Optional.empty()
                : Optional.of("the kernel's SADB_REGISTER answer does not list it");
    }

    @Override
    public String whyUnsupported(EspCipher cipher, int keyBits, EspIntegrity integrity) {
        return whyUnsupported(cipher, integrity);
    }

    static String whyUnsupported(EspCipher cipher, EspIntegrity integrity) {
        if (cipher.isAead()) {
            return "PF_KEY cannot express AEAD ciphers (it has no ICV length); kernel = \"xfrm\" can";
        }
        if (integrity == EspIntegrity.HMAC_SHA2_256 && SHA256_TRUNCATED_TO_96) {
            return "Linux af_key installs hmac(sha256) with a 96-bit ICV, not RFC 4868's 128; kernel = \"xfrm\" can";
        }
        return "the kernel's SADB_REGISTER answer does not list it";
    }

    /** Whether a REGISTER answer with these SUPPORTED extensions allows the transform. */
    static boolean supports(Supported auth, Supported encrypt, EspCipher cipher, int keyBits,
            EspIntegrity integrity) {
        if (integrity == EspIntegrity.HMAC_SHA2_256 && SHA256_TRUNCATED_TO_96 || cipher.isAead()) {
            return false;
        }
        int bits = cipher.keymatLength(keyBits) * 8; // af_key counts AES-CTR's nonce in the key (160..288)
        boolean enc = encrypt.find(encryptId(cipher)).map(a -> bits >= a.minBits() && bits <= a.maxBits())
                .orElse(false);
        return enc && auth.find(authId(integrity)).isPresent();
    }

    /**
     * The SADB encryption algorithm; 0 for the AEAD ciphers, which PF_KEY cannot express: it has no
     * field for the ICV length, and Linux's af_key does not offer rfc4106(gcm(aes)) at all.
     */
    public static int encryptId(EspCipher c) {
        return switch (c) {
            case AES_CBC -> Sadb.X_EALG_AESCBC;
            case DES3_CBC -> Sadb.EALG_3DESCBC;
            case AES_CTR -> Sadb.X_EALG_AESCTR;
            case NULL -> Sadb.EALG_NULL;
            case AES_GCM_8, AES_GCM_12, AES_GCM_16 -> Sadb.EALG_NONE;
        };
    }

    public static int authId(EspIntegrity i) {
        return switch (i) {
            case HMAC_MD5 -> Sadb.AALG_MD5HMAC;
            case HMAC_SHA1 -> Sadb.AALG_SHA1HMAC;
            case HMAC_SHA2_256 -> Sadb.X_AALG_SHA2_256HMAC;
            case HMAC_SHA2_384 -> Sadb.X_AALG_SHA2_384HMAC;
            case HMAC_SHA2_512 -> Sadb.X_AALG_SHA2_512HMAC;
            case AES_XCBC_MAC -> Sadb.X_AALG_AES_XCBC_MAC;
            case NONE -> Sadb.AALG_NONE;
        };
    }

    // ---------------------------------------------------------------- SAs

    @Override
    public int allocateSpi(InetAddress source, InetAddress destination) throws KernelException {
        return allocateSpi(source, destination, SPI_MIN, SPI_MAX);
    }

    /** SADB_GETSPI: the kernel picks a free SPI in [min, max] and holds a larval SA for it. */
    public synchronized int allocateSpi(InetAddress source, InetAddress destination, int min, int max)
            throws KernelException {
        SadbMessage r = socket.call(SadbMessage.request(Sadb.GETSPI, Sadb.SATYPE_ESP,
                new Sa2(Sadb.IPSEC_MODE_TUNNEL, 0, 0), Address.host(Sadb.EXT_ADDRESS_SRC, source),
                Address.host(Sadb.EXT_ADDRESS_DST, destination), new SpiRange(min, max)));
        int spi = r.find(Sa.class).orElseThrow(() -> new PfKeyException(
                "SADB_GETSPI reply without an SA extension: " + r.describe(), 0)).spi();
        reserved.put(new SaKey(destination, spi, Sadb.SATYPE_ESP), source);
        return spi;
    }

    /** GETSPI in the protocol's own space: SADB_SATYPE_AH, or SADB_X_SATYPE_IPCOMP's CPIs in 0x100..0xefff. */
    @Override
    public synchronized int allocateSpi(ProtocolId protocol, InetAddress source, InetAddress destination)
            throws KernelException {
        if (protocol.equals(ProtocolId.IPSEC_ESP)) {
            return allocateSpi(source, destination);
        }
        int satype = satype(protocol);
        boolean comp = satype == Sadb.X_SATYPE_IPCOMP;
        SadbMessage r = socket.call(SadbMessage.request(Sadb.GETSPI, satype,
                new Sa2(Sadb.IPSEC_MODE_TUNNEL, 0, 0), Address.host(Sadb.EXT_ADDRESS_SRC, source),
                Address.host(Sadb.EXT_ADDRESS_DST, destination),
                new SpiRange(comp ? CPI_MIN : SPI_MIN, comp ? CPI_MAX : SPI_MAX)));
        int spi = r.find(Sa.class).orElseThrow(() -> new PfKeyException(
                "SADB_GETSPI reply without an SA extension: " + r.describe(), 0)).spi();
        reserved.put(new SaKey(destination, spi, satype), source);
        return spi;
    }

    static int satype(ProtocolId p) {
        return p.equals(ProtocolId.IPSEC_AH) ? Sadb.SATYPE_AH : p.equals(ProtocolId.IPCOMP) ? Sadb.X_SATYPE_IPCOMP
                : Sadb.SATYPE_ESP;
    }

    static int proto(ProtocolId p) {
        return p.equals(ProtocolId.IPSEC_AH) ? Sadb.IPPROTO_AH : p.equals(ProtocolId.IPCOMP) ? Sadb.IPPROTO_COMP
                : Sadb.IPPROTO_ESP;
    }

    /**
     * SADB_UPDATE for an inbound SA whose SPI came from GETSPI, SADB_ADD otherwise. A bundle goes
     * in innermost first (IPComp, ESP, AH), the innermost in the SA's mode and the rest in
     * transport mode, as the SPD entry's ipsecrequests say; if one fails, those already in are removed.
     */
    @Override
    public synchronized void install(IpsecSa sa) throws KernelException {
        if (sa.cipher().isAead()) {
            throw new PfKeyException("ESP SA 0x" + sa.spiHex() + " uses " + sa.algorithms()
                    + ": PF_KEY cannot express AEAD ciphers (no ICV length); use kernel = \"xfrm\"", 0);
        }
        SaBundle.install(kernelSas(sa), (key, innermost) -> installOne(sa, key,
                innermost ? mode(sa.mode()) : Sadb.IPSEC_MODE_TRANSPORT), key -> deleteOne(key, sa.source()));
        // every member, so that a bundled SA's hard EXPIRE is remembered like the main one's
        kernelSas(sa).forEach(k -> installed.put(k, sa));
    }

    /** The kernel SAs of an IpsecSa, innermost first (SaBundle). */
    private static List<SaKey> kernelSas(IpsecSa sa) {
        return SaBundle.innermostFirst(sa).stream()
                .map(m -> new SaKey(sa.destination(), m.spi(), satype(m.protocol()))).toList();
    }

    private void installOne(IpsecSa sa, SaKey key, int mode) throws KernelException {
        boolean update = sa.direction() == IpsecSa.Direction.IN && reserved.containsKey(key);
        long hard = Math.max(1, sa.lifetime().toSeconds());
        long soft = SoftLifetime.seconds(hard, sa.softShare());
        long hardBytes = sa.lifeKilobytes() * 1024;
        List<SadbExtension> exts = new ArrayList<>();
        byte[] enc = new byte[0];
        byte[] auth = new byte[0];
        if (key.satype() == Sadb.X_SATYPE_IPCOMP) {
            // no keys and, as strongSwan installs it, no lifetime: it goes with its ESP SA
            exts.add(new Sa(key.spi(), 0, Sadb.SASTATE_MATURE, Sadb.AALG_NONE, X_CALG_DEFLATE, 0));
            exts.add(new Sa2(mode, 0, 0));
        } else {
            BundledSa ah = key.satype() == Sadb.SATYPE_AH && !sa.isAh() ? sa.ah().orElseThrow() : null;
            EspIntegrity integrity = ah == null ? sa.integrity() : ah.integrity();
            boolean isAh = key.satype() == Sadb.SATYPE_AH;
            auth = ah == null ? sa.authenticationKey().bytes() : ah.key().bytes();
            enc = isAh ? enc : sa.encryptionKey().bytes();
            exts.add(new Sa(key.spi(), REPLAY_WINDOW, Sadb.SASTATE_MATURE, authId(integrity),
                    isAh ? Sadb.EALG_NONE : encryptId(sa.cipher()), 0));
            exts.add(new Sa2(mode, 0, 0));
            // RFC 2407 s4.5 kilobytes: sadb_lifetime_bytes, 0 = no limit (RFC 2367 s2.3.3)
            exts.add(new Lifetime(Sadb.EXT_LIFETIME_HARD, 0, hardBytes, hard, 0));
            exts.add(new Lifetime(Sadb.EXT_LIFETIME_SOFT, 0,
                    hardBytes == 0 ? 0 : SoftLifetime.bytes(hardBytes, sa.softShare()), soft, 0));
        }
        exts.add(Address.host(Sadb.EXT_ADDRESS_SRC, sa.source()));
        exts.add(Address.host(Sadb.EXT_ADDRESS_DST, sa.destination()));
        if (auth.length > 0) {
            exts.add(new Key(Sadb.EXT_KEY_AUTH, auth.length * 8, auth));
        }
        if (key.satype() == Sadb.SATYPE_ESP) {
            exts.add(new Key(Sadb.EXT_KEY_ENCRYPT, enc.length * 8, enc));
            exts.addAll(natTraversal(sa));
        }
        SadbMessage m = SadbMessage.request(update ? Sadb.UPDATE : Sadb.ADD, key.satype(),
                exts.toArray(SadbExtension[]::new));
        java.util.Arrays.fill(enc, (byte) 0);
        java.util.Arrays.fill(auth, (byte) 0);
        try {
            socket.call(m);
        } finally {
            m.wipeKeys();
        }
        reserved.remove(key);
    }

    /**
     * ESP in UDP (RFC 3948): SADB_X_EXT_NAT_T_TYPE (UDP_ENCAP_ESPINUDP), the two ports, and the
     * peer's original address as SADB_X_EXT_NAT_T_OA when NAT-OA named one (the KAME extensions).
     */
    static List<SadbExtension> natTraversal(IpsecSa sa) {
        if (sa.udpEncapsulation().isEmpty()) {
            return List.of();
        }
        UdpEncapsulation u = sa.udpEncapsulation().get();
        List<SadbExtension> exts = new ArrayList<>(List.of(new NatTType(UDP_ENCAP_ESPINUDP),
                new NatTPort(Sadb.X_EXT_NAT_T_SPORT, u.sourcePort()),
                new NatTPort(Sadb.X_EXT_NAT_T_DPORT, u.destinationPort())));
        u.originalAddress().ifPresent(a -> exts.add(Address.host(Sadb.X_EXT_NAT_T_OA, a)));
        return exts;
    }

    /** linux/udp.h, also the value of sadb_x_nat_t_type_type. */
    static final int UDP_ENCAP_ESPINUDP = 2;

    @Override
    public synchronized void delete(InetAddress destination, int spi) throws KernelException {
        delete(new SaKey(destination, spi, Sadb.SATYPE_ESP));
    }

    /** SADB_DELETE for each SA of the bundle; the first error is reported after trying them all. */
    @Override
    public synchronized void delete(IpsecSa sa) throws KernelException {
        SaBundle.delete(kernelSas(sa), this::delete);
    }

    private void delete(SaKey key) throws KernelException {
        if (expired.remove(key) != null) {
            LOG.debug("SA {}/0x{} (SA type {}) already removed by the kernel at its hard lifetime",
                    Addresses.format(key.destination()), String.format("%08x", key.spi()), key.satype());
            return;
        }
        IpsecSa sa = installed.get(key);
        deleteOne(key, sa != null ? sa.source() : reserved.getOrDefault(key, any(key.destination())));
        installed.remove(key); // its keys are the engine's to wipe
    }

    private void deleteOne(SaKey key, InetAddress source) throws KernelException {
        socket.call(SadbMessage.request(Sadb.DELETE, key.satype(),
                new Sa(key.spi(), 0, 0, 0, 0, 0), Address.host(Sadb.EXT_ADDRESS_SRC, source),
                Address.host(Sadb.EXT_ADDRESS_DST, key.destination())));
        reserved.remove(key);
    }

    /** SADB_GET: the kernel's view of one SA (with its keys: wipe them with {@link SadbMessage#wipeKeys}). */
    public Optional<SadbMessage> get(InetAddress destination, int spi) throws KernelException {
        try {
            return Optional.of(socket.call(SadbMessage.request(Sadb.GET, Sadb.SATYPE_ESP, new Sa(spi, 0, 0, 0, 0, 0),
                    Address.host(Sadb.EXT_ADDRESS_SRC, any(destination)),
                    Address.host(Sadb.EXT_ADDRESS_DST, destination))));
        } catch (PfKeyException e) {
            if (e.errno() == 3 /* ESRCH */ || e.errno() == 2 /* ENOENT */) {
                return Optional.empty();
            }
            throw e;
        }
    }

    /** SADB_DUMP of every SA type (SADB_SATYPE_UNSPEC): ESP, AH and IPComp SAs, ours or not. */
    private List<SadbMessage> dumpAll() throws KernelException {
        return socket.dump(Sadb.DUMP, Sadb.SATYPE_UNSPEC, PfKeySocket.DEFAULT_TIMEOUT);
    }

    /** SADB_DUMP of the ESP SAs: every SA the kernel holds, ours or not. */
    public List<SadbMessage> dump() throws KernelException {
        return socket.dump(Sadb.DUMP, Sadb.SATYPE_ESP, PfKeySocket.DEFAULT_TIMEOUT);
    }

    /** SADB_X_SPDDUMP: every SPD entry. */
    public List<SadbMessage> spdDump() throws KernelException {
        return socket.dump(Sadb.X_SPDDUMP, Sadb.SATYPE_UNSPEC, PfKeySocket.DEFAULT_TIMEOUT);
    }

    /** SADB_FLUSH of all ESP SAs (also other daemons'!): for tests and an operator's "flush". */
    public synchronized void flush() throws KernelException {
        socket.call(SadbMessage.request(Sadb.FLUSH, Sadb.SATYPE_ESP));
        installed.clear();
        reserved.clear();
    }

    @Override
    public synchronized List<IpsecSa> list() throws KernelException {
        Set<SaKey> inKernel = new HashSet<>();
        for (SadbMessage m : dumpAll()) {
            Optional<Sa> sa = m.find(Sa.class);
            Optional<Address> dst = m.address(Sadb.EXT_ADDRESS_DST);
            m.wipeKeys();
            if (sa.isPresent() && dst.isPresent()) {
                inKernel.add(new SaKey(dst.get().address(), sa.get().spi(), m.satype()));
            }
        }
        List<IpsecSa> out = new ArrayList<>();
        // a bundle is listed once, though each of its kernel SAs is a key
        Set<IpsecSa> listed = Collections.newSetFromMap(new java.util.IdentityHashMap<>());
        synchronized (installed) {
            for (Map.Entry<SaKey, IpsecSa> e : installed.entrySet()) {
                if (inKernel.contains(e.getKey()) && listed.add(e.getValue())) {
                    out.add(e.getValue());
                }
            }
        }
        return out;
    }

    /**
     * Bytes and packets of our SAs from SADB_EXT_LIFETIME_CURRENT in a dump. Linux puts the packet
     * count in sadb_lifetime_allocations (RFC 2367 s2.3.1 defines it as the number of allocations).
     */
    @Override
    public List<SaTraffic> traffic() throws KernelException {
        List<SaTraffic> out = new ArrayList<>();
        for (SadbMessage m : dumpAll()) {
            Optional<Sa> sa = m.find(Sa.class);
            Optional<Address> dst = m.address(Sadb.EXT_ADDRESS_DST);
            Optional<Lifetime> current = m.lifetime(Sadb.EXT_LIFETIME_CURRENT);
            m.wipeKeys();
            if (sa.isPresent() && dst.isPresent() && current.isPresent()) {
                boolean ours;
                synchronized (installed) {
                    ours = installed.containsKey(new SaKey(dst.get().address(), sa.get().spi(), m.satype()));
                }
                if (ours) {
                    out.add(new SaTraffic(dst.get().address(), sa.get().spi(), current.get().bytes(),
                            Integer.toUnsignedLong(current.get().allocations())));
                }
            }
        }
        return out;
    }

    /**
     * SADB_X_PROMISC: with it on, the kernel also copies every other PF_KEY socket's requests to
     * this one (they arrive as events, see {@link #onMessage}); for diagnostics, not needed to run.
     */
    public void promiscuous(boolean on) throws KernelException {
        socket.call(SadbMessage.request(Sadb.X_PROMISC, on ? 1 : 0));
    }

    // ---------------------------------------------------------------- SPD

    @Override
    public synchronized void addPolicy(SpdTunnel t) throws KernelException {
        if (policiesOf.containsKey(t)) {
            return;
        }
        List<Integer> ids = new ArrayList<>();
        try {
            for (SadbMessage b : bypasses(t, Sadb.X_SPDUPDATE)) {
                socket.call(b);
            }
            ids.add(spdAdd(t.local(), t.remote(), Sadb.IPSEC_DIR_OUTBOUND, t.localEndpoint(), t.remoteEndpoint(),
                    t.mode(), t.priority(), t.protocols()));
            ids.add(spdAdd(t.remote(), t.local(), Sadb.IPSEC_DIR_INBOUND, t.remoteEndpoint(), t.localEndpoint(),
                    t.mode(), t.priority(), t.protocols()));
            ids.add(spdAdd(t.remote(), t.local(), Sadb.IPSEC_DIR_FWD, t.remoteEndpoint(), t.localEndpoint(),
                    t.mode(), t.priority(), t.protocols()));
        } catch (KernelException e) {
            undo(t);
            throw e;
        }
        policiesOf.put(t, ids);
        ids.forEach(id -> policyIds.put(id, t));
        LOG.info("SPD entries {} for {}", ids, t.describe());
    }

    private void undo(SpdTunnel t) {
        for (int dir : new int[] {Sadb.IPSEC_DIR_OUTBOUND, Sadb.IPSEC_DIR_INBOUND, Sadb.IPSEC_DIR_FWD}) {
            try {
                spdDelete(dir == Sadb.IPSEC_DIR_OUTBOUND ? t.local() : t.remote(),
                        dir == Sadb.IPSEC_DIR_OUTBOUND ? t.remote() : t.local(), dir);
            } catch (KernelException ignored) {
                // not there
            }
        }
        deleteBypasses(t);
    }

    /** Deletes the IKE bypasses of a transport-mode tunnel; returns the first error, null if none. */
    private KernelException deleteBypasses(SpdTunnel t) {
        KernelException first = null;
        for (SadbMessage b : bypasses(t, Sadb.X_SPDDELETE)) {
            try {
                socket.call(b);
            } catch (KernelException e) {
                first = first == null ? e : first;
            }
        }
        return first;
    }

    /**
     * Transport mode: the policy's selectors are the two hosts, so it would catch IKE itself. SPD
     * entries of type NONE (no ipsecrequest: bypass) for UDP from and to our IKE ports, at a better
     * priority than the ESP entries, let IKE pass in the clear.
     *
     * @param type SADB_X_SPDUPDATE (add, or replace one a crashed instance left) or SADB_X_SPDDELETE
     */
    static List<SadbMessage> bypasses(SpdTunnel t, int type) {
        List<SadbMessage> out = new ArrayList<>();
        for (int port : t.bypassPorts()) {
            out.add(SadbMessage.request(type, Sadb.SATYPE_UNSPEC,
                    new Address(Sadb.EXT_ADDRESS_SRC, Sadb.IPPROTO_UDP, hostBits(t.localEndpoint()), t.localEndpoint(),
                            port),
                    new Address(Sadb.EXT_ADDRESS_DST, Sadb.IPPROTO_UDP, hostBits(t.remoteEndpoint()),
                            t.remoteEndpoint(), 0),
                    new Policy(Sadb.IPSEC_POLICY_NONE, Sadb.IPSEC_DIR_OUTBOUND, 0, 0, List.of())));
            out.add(SadbMessage.request(type, Sadb.SATYPE_UNSPEC,
                    new Address(Sadb.EXT_ADDRESS_SRC, Sadb.IPPROTO_UDP, hostBits(t.remoteEndpoint()),
                            t.remoteEndpoint(), 0),
                    new Address(Sadb.EXT_ADDRESS_DST, Sadb.IPPROTO_UDP, hostBits(t.localEndpoint()), t.localEndpoint(),
                            port),
                    new Policy(Sadb.IPSEC_POLICY_NONE, Sadb.IPSEC_DIR_INBOUND, 0, 0, List.of())));
        }
        return out;
    }

    private static int hostBits(InetAddress a) {
        return a.getAddress().length * 8;
    }

    static int mode(IpsecMode m) {
        return m == IpsecMode.TRANSPORT ? Sadb.IPSEC_MODE_TRANSPORT : Sadb.IPSEC_MODE_TUNNEL;
    }

    @Override
    public synchronized void deletePolicy(SpdTunnel t) throws KernelException {
        List<Integer> ids = policiesOf.remove(t);
        if (ids == null) {
            return;
        }
        ids.forEach(policyIds::remove);
        KernelException first = null;
        for (int dir : new int[] {Sadb.IPSEC_DIR_OUTBOUND, Sadb.IPSEC_DIR_INBOUND, Sadb.IPSEC_DIR_FWD}) {
            try {
                spdDelete(dir == Sadb.IPSEC_DIR_OUTBOUND ? t.local() : t.remote(),
                        dir == Sadb.IPSEC_DIR_OUTBOUND ? t.remote() : t.local(), dir);
            } catch (KernelException e) {
                first = first == null ? e : first;
            }
        }
        KernelException bypass = deleteBypasses(t);
        first = first == null ? bypass : first;
        if (first != null) {
            throw first;
        }
    }

    /**
     * SADB_X_SPDADD: traffic {@code src -> dst} (of their protocol and ports, else any) requires ESP
     * in this mode (tunnel: between {@code tsrc} and {@code tdst}; transport names no endpoints). Linux looks up the
     * smallest {@code priority} first (SpdTunnel#priority); the IKE bypasses have 0.
     */
    public int spdAdd(Subnet src, Subnet dst, int dir, InetAddress tunnelSource, InetAddress tunnelDestination,
            IpsecMode mode, int priority) throws KernelException {
        return spdAdd(src, dst, dir, tunnelSource, tunnelDestination, mode, priority, List.of(ProtocolId.IPSEC_ESP));
    }

    /**
     * The same with one ipsecrequest per protocol of the bundle ({@code protocols} outermost first,
     * as SpdTunnel lists them), written innermost first: the first in {@code mode}, the rest in
     * transport mode; an inbound IPComp request is level USE, since a peer sends packets too small
     * to compress without it (strongSwan's layout).
     */
    public int spdAdd(Subnet src, Subnet dst, int dir, InetAddress tunnelSource, InetAddress tunnelDestination,
            IpsecMode mode, int priority, List<ProtocolId> protocols) throws KernelException {
        List<IpsecRequest> requests = new ArrayList<>();
        boolean tunnel = mode == IpsecMode.TUNNEL;
        for (ProtocolId p : SaBundle.innermostFirst(protocols)) {
            boolean optional = p.equals(ProtocolId.IPCOMP) && dir != Sadb.IPSEC_DIR_OUTBOUND;
            requests.add(new IpsecRequest(proto(p), tunnel ? Sadb.IPSEC_MODE_TUNNEL : Sadb.IPSEC_MODE_TRANSPORT,
                    optional ? Sadb.IPSEC_LEVEL_USE : Sadb.IPSEC_LEVEL_REQUIRE, 0,
                    tunnel ? Optional.of(tunnelSource) : Optional.empty(),
                    tunnel ? Optional.of(tunnelDestination) : Optional.empty()));
            tunnel = false;
        }
        SadbMessage r = socket.call(SadbMessage.request(Sadb.X_SPDADD, Sadb.SATYPE_UNSPEC,
                selector(Sadb.EXT_ADDRESS_SRC, src), selector(Sadb.EXT_ADDRESS_DST, dst),
                new Policy(Sadb.IPSEC_POLICY_IPSEC, dir, 0, priority, requests)));
        return r.find(Policy.class).map(Policy::id).orElse(0);
    }

    /** SADB_X_SPDDELETE by selector and direction. */
    public void spdDelete(Subnet src, Subnet dst, int dir) throws KernelException {
        socket.call(SadbMessage.request(Sadb.X_SPDDELETE, Sadb.SATYPE_UNSPEC,
                selector(Sadb.EXT_ADDRESS_SRC, src), selector(Sadb.EXT_ADDRESS_DST, dst),
                new Policy(Sadb.IPSEC_POLICY_IPSEC, dir, 0, 0, List.of())));
    }

    /** sadb_address with the selector's upper-layer protocol (or any) and its port in the sockaddr (RFC 2367 s2.3.3). */
    static Address selector(int type, Subnet s) {
        return new Address(type, s.protocol() == 0 ? Sadb.IPSEC_ULPROTO_ANY : s.protocol(), s.prefixLength(),
                s.network(), s.port());
    }

    // ---------------------------------------------------------------- events

    @Override
    public void onEvent(Consumer<KernelEvent> l) {
        this.listener = l;
    }

    /** Every unsolicited message, raw (tests, diagnostics); called on the reader thread. */
    public void onMessage(Consumer<SadbMessage> l) {
        this.rawListener = l;
    }

    private void event(SadbMessage m) {
        rawListener.accept(m);
        Optional<KernelEvent> e = toEvent(m);
        if (e.isPresent()) {
            listener.accept(e.get());
        } else if (LOG.isDebugEnabled()) {
            LOG.debug("PF_KEY message not for us: {}", m.describe());
        }
    }

    /** ACQUIRE and EXPIRE for ESP become events; anything else (other daemons' traffic) does not. */
    Optional<KernelEvent> toEvent(SadbMessage m) {
        if (m.errno() != 0 || !List.of(Sadb.SATYPE_ESP, Sadb.SATYPE_AH, Sadb.X_SATYPE_IPCOMP, Sadb.SATYPE_UNSPEC)
                .contains(m.satype())) {
            return Optional.empty();
        }
        if (m.type() == Sadb.ACQUIRE && m.pid() == 0) {
            Optional<Address> src = m.address(Sadb.EXT_ADDRESS_SRC);
            Optional<Address> dst = m.address(Sadb.EXT_ADDRESS_DST);
            if (src.isEmpty() || dst.isEmpty()) {
                return Optional.empty();
            }
            Optional<SpdTunnel> t = m.find(Policy.class).map(p -> policyIds.get(p.id()));
            return Optional.of(new KernelEvent.Acquire(src.get().address(), dst.get().address(),
                    t.map(SpdTunnel::local), t.map(SpdTunnel::remote)));
        }
        if (m.type() == Sadb.EXPIRE && m.pid() == 0) {
            Optional<Sa> sa = m.find(Sa.class);
            Optional<Address> dst = m.address(Sadb.EXT_ADDRESS_DST);
            if (sa.isEmpty() || dst.isEmpty()) {
                return Optional.empty();
            }
            boolean hard = m.find(Sadb.EXT_LIFETIME_HARD).isPresent();
            if (hard) {
                SaKey key = new SaKey(dst.get().address(), sa.get().spi(), m.satype());
                // The engine owns the SA's keys (and may still hold the pair): forget, do not wipe.
                if (installed.remove(key) != null) {
                    long now = System.nanoTime();
                    expired.values().removeIf(t -> now - t > EXPIRED_MEMORY_NANOS);
                    expired.put(key, now);
                }
            }
            return Optional.of(new KernelEvent.Expire(dst.get().address(), sa.get().spi(), hard));
        }
        return Optional.empty();
    }

    private static String ids(Supported s) {
        return s.algs().stream().map(a -> a.id() + "(" + a.minBits() + "-" + a.maxBits() + ")").toList().toString();
    }

    private static InetAddress any(InetAddress like) {
        try {
            return InetAddress.getByAddress(new byte[like instanceof Inet6Address ? 16 : 4]);
        } catch (UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    static boolean isV4(InetAddress a) {
        return a instanceof Inet4Address;
    }

    @Override
    public void close() {
        socket.close();
    }
}
