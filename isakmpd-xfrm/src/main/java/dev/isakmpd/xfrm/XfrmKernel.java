package dev.isakmpd.xfrm;

import dev.isakmpd.core.kernel.Kernel;
import dev.isakmpd.core.kernel.KernelEvent;
import dev.isakmpd.core.kernel.KernelException;
import dev.isakmpd.core.kernel.ReplayState;
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
import dev.isakmpd.xfrm.XfrmAttribute.Algorithm;
import dev.isakmpd.xfrm.XfrmAttribute.Templates;
import dev.isakmpd.xfrm.XfrmBody.PolicyId;
import dev.isakmpd.xfrm.XfrmBody.PolicyInfo;
import dev.isakmpd.xfrm.XfrmBody.SaId;
import dev.isakmpd.xfrm.XfrmBody.SaInfo;
import dev.isakmpd.xfrm.XfrmStruct.LifetimeCfg;
import dev.isakmpd.xfrm.XfrmStruct.LifetimeCur;
import dev.isakmpd.xfrm.XfrmStruct.Selector;
import dev.isakmpd.xfrm.XfrmStruct.Template;
import dev.isakmpd.core.sa.UdpEncapsulation;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
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
 * core's {@link Kernel} port on a NETLINK_XFRM socket: ALLOCSPI reserves inbound SPIs, UPDSA
 * completes them, NEWSA installs outbound SAs, DELSA/GETSA and dumps; NEWPOLICY/DELPOLICY with an
 * ESP tunnel template per tunnel (out, in, fwd); ACQUIRE and EXPIRE from the multicast groups.
 * Integrity goes in as XFRMA_ALG_AUTH_TRUNC with the RFC 4868 truncation (plain XFRMA_ALG_AUTH
 * would give hmac(sha256) the kernel's pre-RFC 96 bits).
 *
 * <p>What is ours: every SA and policy template this back-end writes has a reqid in
 * {@link #REQID_MIN}..{@link #REQID_MAX} (the larval SAs of ALLOCSPI the first, each tunnel its
 * own after it; the kernel matches an outbound SA to a template by reqid). The IKE bypass
 * policies have no template to carry one: their policy index is one of our reqids times 8 plus
 * the direction ({@link #isOurBypass}; the kernel takes an index we choose when its low 3 bits are
 * the direction and no other policy has it). At start {@link #removeLeftovers} deletes what a
 * crashed instance left with those marks, and nothing else.
 */
public final class XfrmKernel implements Kernel, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger("isakmpd.kernel.xfrm");
    /** RFC 4303 s2.1: SPIs 1..255 are reserved by IANA. */
    public static final int SPI_MIN = 0x100;
    public static final int SPI_MAX = 0xffffffff;
    public static final int REPLAY_WINDOW = 32;
    /** isakmpd's reqids; strongSwan counts up from 1, libreswan from 16384, so neither meets them. */
    public static final int REQID_MIN = 0x15a00000;
    public static final int REQID_MAX = 0x15a0ffff;
    static final int ESRCH = 3;
    static final int ENOENT = 2;
    private static final long EXPIRED_MEMORY_NANOS = 120_000_000_000L;

    /** An SA as the kernel names it: (destination, SPI or CPI, protocol). */
    private record SaKey(InetAddress destination, int spi, int proto) {
    }

    /** What {@link #removeLeftovers} removed. */
    public record Leftovers(int sas, int policies) {
    }

    private final XfrmSocket socket;
    /** ACQUIRE and EXPIRE arrive here, on its reader thread; the same as {@link #socket} when built with one. */
    private final XfrmSocket events;
    // The methods below hold this object's lock while they wait for the kernel's answer, which a
    // reader thread may deliver; so the reader thread (toEvent) must never take that lock: the maps it
    // touches are concurrent or synchronized on themselves, briefly, with no I/O inside.
    private final Map<SaKey, InetAddress> reserved = new LinkedHashMap<>();
    private final Map<SaKey, IpsecSa> installed = Collections.synchronizedMap(new LinkedHashMap<>());
    /** SAs the kernel removed at their hard lifetime (when): deleting them again is not an error. */
    private final Map<SaKey, Long> expired = new ConcurrentHashMap<>();
    private final Map<String, Integer> reqids = new LinkedHashMap<>();
    private final Map<SpdTunnel, Integer> policies = new ConcurrentHashMap<>();
    /** The reqid slot (0..0xffff) of the next bypass policy's index, see {@link #bypassIndex}. */
    private int nextBypass;
    private final XfrmCounters counters;
    private volatile Consumer<KernelEvent> listener = e -> { };
    private volatile Consumer<XfrmMessage> rawListener = m -> { };

    /** One socket for requests and events (tests; a socket opened without events receives none). */
    public XfrmKernel(XfrmSocket socket) {
        this(socket, socket);
    }

    /**
     * @param requests a socket without multicast groups: its requests are answered on the calling
     *     thread (the event loop's), with no hand-over from a reader thread and back
     * @param events a socket joined to ACQUIRE and EXPIRE
     */
    public XfrmKernel(XfrmSocket requests, XfrmSocket events) {
        this.socket = requests;
        this.events = events;
        this.counters = new XfrmCounters(requests, events);
        events.onEvent(this::event);
    }

    /**
     * Opens a request socket and an event socket (joined to ACQUIRE and EXPIRE) and removes what a
     * crashed instance left.
     */
    public static XfrmKernel open() throws KernelException {
        XfrmSocket requests = XfrmSocket.open(false);
        XfrmSocket events;
        try {
            events = XfrmSocket.open(true);
        } catch (KernelException | RuntimeException e) {
            requests.close();
            throw e;
        }
        XfrmKernel k = new XfrmKernel(requests, events);
        try {
            k.removeLeftovers();
        } catch (KernelException | RuntimeException e) {
            k.close();
            throw e;
        }
        return k;
    }

    /** Sequence numbers of our SAs: read, set, and streamed as {@link KernelEvent.Counters} (HA). */
    public XfrmCounters counters() {
        return counters;
    }

    /** The socket requests go through. */
    public XfrmSocket socket() {
        return socket;
    }

    /** The socket ACQUIRE and EXPIRE arrive on. */
    public XfrmSocket eventSocket() {
        return events;
    }

    public static boolean isOurs(int reqid) {
        return Integer.compareUnsigned(reqid, REQID_MIN) >= 0 && Integer.compareUnsigned(reqid, REQID_MAX) <= 0;
    }

    /** A policy index of our bypass policies: one of our reqids times 8, plus the direction. */
    public static boolean isOurBypass(int policyIndex) {
        return isOurs(policyIndex >>> 3) && (policyIndex & 7) <= Xfrm.POLICY_FWD;
    }

    /** The index for a bypass policy in {@code dir}: the next reqid slot, times 8, plus the direction. */
    private int bypassIndex(int dir) {
        int slot = nextBypass;
        nextBypass = (nextBypass + 1) & 0xffff;
        return (REQID_MIN + slot) << 3 | dir;
    }

    /** The reqid of a tunnel's SAs and policy templates, the same for as long as this back-end lives. */
    synchronized int reqid(String peer, String tunnel) throws KernelException {
        Integer r = reqids.get(peer + "/" + tunnel);
        if (r == null) {
            r = REQID_MIN + 1 + reqids.size();
            if (!isOurs(r)) {
                throw new KernelException("more than " + (REQID_MAX - REQID_MIN) + " tunnels: no reqid left");
            }
            reqids.put(peer + "/" + tunnel, r);
        }
        return r;
    }

    // ---------------------------------------------------------------- crash clean-up

    /**
     * Deletes the SAs and policies with one of our reqids: what an earlier instance left when it
     * died without shutting down. Other daemons' entries (other reqids) are not touched.
     */
    public synchronized Leftovers removeLeftovers() throws KernelException {
        List<XfrmMessage> deletes = new ArrayList<>();
        for (XfrmMessage m : dumpSas()) {
            m.wipeKeys();
            if (m.body() instanceof SaInfo i && isOurs(i.reqid())) {
                deletes.add(XfrmMessage.of(Xfrm.MSG_DELSA, 0, new SaId(i.daddr(), i.spi(), i.family(), i.proto())));
            }
        }
        // batched: a crashed HA node may have left tens of thousands
        int sas = 0;
        for (Optional<XfrmException> failure : socket.requestAll(deletes)) {
            if (failure.isEmpty()) {
                sas++;
            } else if (failure.get().errno() != ESRCH) {
                throw failure.get();
            }
        }
        int pols = 0;
        for (XfrmMessage m : dumpPolicies()) {
            boolean ours = m.templates().map(t -> t.templates().stream().anyMatch(x -> isOurs(x.reqid())))
                    .orElse(false);
            if (m.body() instanceof PolicyInfo p && (ours || isOurBypass(p.index()))) {
                try {
                    socket.request(XfrmMessage.of(Xfrm.MSG_DELPOLICY, 0, new PolicyId(p.sel(), 0, p.dir())));
                    pols++;
                } catch (XfrmException e) {
                    if (e.errno() != ENOENT) {
                        throw e;
                    }
                }
            }
        }
        if (sas + pols > 0) {
            LOG.warn("removed {} SA(s) and {} policy entr{} an earlier isakmpd left behind (reqid 0x{}-0x{},"
                    + " bypass policies by their index)", sas,
                    pols, pols == 1 ? "y" : "ies", Integer.toHexString(REQID_MIN), Integer.toHexString(REQID_MAX));
        }
        return new Leftovers(sas, pols);
    }

    // ---------------------------------------------------------------- algorithms

    /**
     * XFRM names every cipher and HMAC core knows, and says the truncation itself, so SHA-2 works
     * with the RFC 4868 ICV lengths. Whether the kernel has the implementation (a module) shows
     * only at install, as ENOENT with the algorithm named.
     */
    @Override
    public boolean supports(EspCipher cipher, int keyBits, EspIntegrity integrity) {
        return cipher.isValidKeyBits(keyBits);
    }

    // ---------------------------------------------------------------- SAs

    @Override
    public int allocateSpi(InetAddress source, InetAddress destination) throws KernelException {
        return allocateSpi(source, destination, SPI_MIN, SPI_MAX);
    }

    /** ALLOCSPI in the protocol's own space: AH's SPIs, or IPComp's CPIs in 0x100..0xefff (RFC 3173 s4.1). */
    @Override
    public int allocateSpi(ProtocolId protocol, InetAddress source, InetAddress destination) throws KernelException {
        boolean comp = protocol.equals(ProtocolId.IPCOMP);
        return allocateSpi(proto(protocol), source, destination, comp ? CPI_MIN : SPI_MIN, comp ? CPI_MAX : SPI_MAX);
    }

    /** XFRM_MSG_ALLOCSPI: the kernel picks a free SPI in [min, max] and holds a larval SA for it. */
    public int allocateSpi(InetAddress source, InetAddress destination, int min, int max) throws KernelException {
        return allocateSpi(Xfrm.IPPROTO_ESP, source, destination, min, max);
    }

    private synchronized int allocateSpi(int proto, InetAddress source, InetAddress destination, int min, int max)
            throws KernelException {
        SaInfo larval = new SaInfo(Selector.none(), destination, 0, proto, source, LifetimeCfg.infinite(),
                LifetimeCur.ZERO, 0, 0, 0, 0, REQID_MIN, XfrmCodec.family(destination), Xfrm.MODE_TUNNEL, 0, 0);
        XfrmMessage r = socket.query(XfrmMessage.of(Xfrm.MSG_ALLOCSPI, 0, new XfrmBody.SpiInfo(larval, min, max)));
        if (!(r.body() instanceof SaInfo i)) {
            throw new XfrmException("XFRM_MSG_ALLOCSPI answered with " + r.describe(), 0);
        }
        reserved.put(new SaKey(destination, i.spi(), proto), source);
        return i.spi();
    }

    /**
     * UPDSA for an inbound SA whose SPI came from ALLOCSPI (it replaces the larval SA), NEWSA
     * otherwise. Lifetimes as {@link #lifetime}; the selector is
     * the SA's traffic selectors, which `ip xfrm state` shows as "sel src ... dst ...". A bundle
     * goes in innermost first (IPComp, ESP, AH), the innermost in the SA's mode, the others in
     * transport mode, as the policy's templates say; if one fails, those already in are removed.
     */
    @Override
    public synchronized void install(IpsecSa sa) throws KernelException {
        install(sa, null);
    }

    /**
     * As {@link #install(IpsecSa)}, with the SA's own sequence numbers set in the NEWSA itself
     * (XFRMA_REPLAY_VAL): an HA takeover's outbound SA must never send a number the dead node
     * used, not even between a NEWSA at 0 and a NEWAE that moves it up (docs/ha.md).
     */
    public synchronized void install(IpsecSa sa, ReplayState start) throws KernelException {
        SaBundle.install(kernelSas(sa), (key, innermost) -> installOne(sa, key,
                innermost ? mode(sa.mode()) : Xfrm.MODE_TRANSPORT,
                key.spi() == sa.spi() && key.proto() == proto(sa.protocol()) ? start : null), this::deleteOne);
        // every member, so that a bundled SA's hard EXPIRE is remembered like the main one's
        kernelSas(sa).forEach(k -> installed.put(k, sa));
    }

    /** One SA write of {@link #writeAll}. */
    public sealed interface SaWrite permits Install, SetCounters {
        IpsecSa sa();
    }

    /** Installs {@code sa} as {@link #install(IpsecSa, ReplayState)} does ({@code start} may be null). */
    public record Install(IpsecSa sa, ReplayState start) implements SaWrite {
    }

    /** Sets the sequence numbers of an installed SA as {@link XfrmCounters#set} does. */
    public record SetCounters(IpsecSa sa, ReplayState state) implements SaWrite {
    }

    /**
     * Does the writes in order, many requests to one send ({@link XfrmSocket#requestAll}) rather
     * than a round trip each: an HA takeover installs thousands of outbound SAs and sets as many
     * inbound windows at once. Returns each write's outcome, in order: empty if done, else why
     * not; a failed write does not stop the others. A bundle (AH, IPComp) goes in alone as
     * {@link #install} puts it (its members removed again if one fails), and so does the first SA
     * after {@link XfrmCounters#report}, which measures the kernel's tick rate.
     */
    public synchronized List<Optional<KernelException>> writeAll(List<SaWrite> writes) {
        List<Optional<KernelException>> out = new ArrayList<>(Collections.nCopies(writes.size(), Optional.empty()));
        List<Integer> batched = new ArrayList<>();
        List<XfrmMessage> requests = new ArrayList<>();
        for (int i = 0; i < writes.size(); i++) {
            SaWrite w = writes.get(i);
            try {
                List<SaKey> keys = w instanceof Install in ? kernelSas(in.sa()) : List.of();
                if (w instanceof Install in && (keys.size() > 1 || counters.probing())) {
                    send(writes, batched, requests, out);
                    install(in.sa(), in.start());
                } else if (w instanceof Install in) {
                    requests.add(saRequest(in.sa(), keys.get(0), mode(in.sa().mode()), in.start()));
                    batched.add(i);
                } else if (w instanceof SetCounters c) {
                    requests.add(XfrmCounters.setRequest(c.sa().destination(), c.sa().spi(), c.sa().protocol(),
                            c.state()));
                    batched.add(i);
                }
            } catch (KernelException e) {
                out.set(i, Optional.of(e));
            }
        }
        send(writes, batched, requests, out);
        return out;
    }

    /** The batched requests of {@link #writeAll} so far: sent, their keys wiped, their outcomes in {@code out}. */
    private void send(List<SaWrite> writes, List<Integer> batched, List<XfrmMessage> requests,
            List<Optional<KernelException>> out) {
        if (requests.isEmpty()) {
            return;
        }
        List<Optional<XfrmException>> done;
        try {
            done = socket.requestAll(requests);
        } finally {
            requests.forEach(XfrmMessage::wipeKeys);
        }
        for (int k = 0; k < batched.size(); k++) {
            int i = batched.get(k);
            if (done.get(k).isPresent()) {
                out.set(i, Optional.of(done.get(k).get()));
            } else if (writes.get(i) instanceof Install in) {
                // not probing (see writeAll): counters.installed has nothing to ask
                SaKey key = mainSa(in.sa());
                reserved.remove(key);
                installed.put(key, in.sa());
            }
        }
        batched.clear();
        requests.clear();
    }

    /** The kernel SA of an IpsecSa that is no bundle (writeAll batches only those). */
    private static SaKey mainSa(IpsecSa sa) {
        return new SaKey(sa.destination(), sa.spi(), proto(sa.protocol()));
    }

    /** The kernel SAs of an IpsecSa, innermost first (SaBundle). */
    private static List<SaKey> kernelSas(IpsecSa sa) {
        List<SaBundle.Member> members = SaBundle.innermostFirst(sa);
        List<SaKey> keys = new ArrayList<>(members.size());
        for (SaBundle.Member m : members) { // a loop, not a stream: a takeover asks for thousands
            keys.add(new SaKey(sa.destination(), m.spi(), proto(m.protocol())));
        }
        return keys;
    }

    private void installOne(IpsecSa sa, SaKey key, int mode, ReplayState start) throws KernelException {
        XfrmMessage m = saRequest(sa, key, mode, start);
        try {
            socket.request(m);
        } finally {
            m.wipeKeys();
        }
        reserved.remove(key);
        if (key.proto() != Xfrm.IPPROTO_COMP) {
            counters.installed(key.destination(), key.spi(), key.proto());
        }
    }

    /** The NEWSA (UPDSA for an SPI from ALLOCSPI) of one kernel SA; its keys are to be wiped after sending. */
    private XfrmMessage saRequest(IpsecSa sa, SaKey key, int mode, ReplayState start) throws KernelException {
        boolean update = sa.direction() == IpsecSa.Direction.IN && reserved.containsKey(key);
        boolean comp = key.proto() == Xfrm.IPPROTO_COMP;
        // strongSwan gives IPComp SAs no lifetime: they go when their ESP (or AH) SA is deleted
        SaInfo info = new SaInfo(Selector.of(sa.sourceSelector(), sa.destinationSelector()), sa.destination(),
                key.spi(), key.proto(), sa.source(), comp ? LifetimeCfg.infinite() : lifetime(sa),
                LifetimeCur.ZERO, 0, 0, 0, 0, reqid(sa.peer(), sa.tunnel()), XfrmCodec.family(sa.destination()),
                mode, comp ? 0 : REPLAY_WINDOW, key.proto() == Xfrm.IPPROTO_AH ? Xfrm.STATE_ALIGN4 : 0);
        List<XfrmAttribute> attributes = new ArrayList<>();
        if (comp) {
            attributes.add(Algorithm.comp("deflate"));
        } else if (key.proto() == Xfrm.IPPROTO_AH) {
            BundledSa ah = sa.isAh() ? null : sa.ah().orElseThrow();
            byte[] auth = ah == null ? sa.authenticationKey().bytes() : ah.key().bytes();
            EspIntegrity integrity = ah == null ? sa.integrity() : ah.integrity();
            attributes.add(Algorithm.authTrunc(integrity.kernelName(), auth, integrity.icvBits()));
            Arrays.fill(auth, (byte) 0);
        } else {
            byte[] enc = sa.encryptionKey().bytes();
            byte[] auth = sa.authenticationKey().bytes();
            attributes.addAll(List.of(algorithms(sa, enc, auth)));
            Arrays.fill(enc, (byte) 0);
            Arrays.fill(auth, (byte) 0);
            sa.udpEncapsulation().ifPresent(u -> attributes.add(encapsulation(u)));
        }
        if (!comp) {
            attributes.addAll(counters.thresholds());
        }
        if (start != null) {
            attributes.add(new XfrmAttribute.Replay((int) start.outbound(), (int) start.inbound(), start.window()));
        }
        return XfrmMessage.of(update ? Xfrm.MSG_UPDSA : Xfrm.MSG_NEWSA, 0, info,
                attributes.toArray(XfrmAttribute[]::new));
    }

    static int proto(ProtocolId p) {
        return p.equals(ProtocolId.IPSEC_AH) ? Xfrm.IPPROTO_AH : p.equals(ProtocolId.IPCOMP) ? Xfrm.IPPROTO_COMP
                : Xfrm.IPPROTO_ESP;
    }

    /**
     * XFRMA_ENCAP: struct xfrm_encap_tmpl (24 bytes): encap_type in host order, the ports in network
     * order, 2 bytes of padding, encap_oa (xfrm_address_t, 16 bytes).
     */
    static XfrmAttribute encapsulation(UdpEncapsulation u) {
        ByteBuffer b = ByteBuffer.allocate(24).order(ByteOrder.nativeOrder());
        b.putShort(0, (short) Xfrm.UDP_ENCAP_ESPINUDP);
        b.order(ByteOrder.BIG_ENDIAN).putShort(2, (short) u.sourcePort()).putShort(4, (short) u.destinationPort());
        u.originalAddress().ifPresent(a -> b.put(8, a.getAddress()));
        return new XfrmAttribute.Raw(Xfrm.XFRMA_ENCAP, b.array());
    }

    /**
     * An AEAD cipher goes alone in XFRMA_ALG_AEAD (key + salt, alg_icv_len; the kernel refuses it
     * beside AUTH or CRYPT); the others as XFRMA_ALG_AUTH_TRUNC + XFRMA_ALG_CRYPT (CTR's key with
     * its nonce at the end, NULL with an empty key).
     */
    static XfrmAttribute[] algorithms(IpsecSa sa, byte[] enc, byte[] auth) {
        if (sa.cipher().isAead()) {
            return new XfrmAttribute[] {Algorithm.aead(sa.cipher().kernelName(), enc, sa.cipher().icvBits())};
        }
        return new XfrmAttribute[] {Algorithm.authTrunc(sa.integrity().kernelName(), auth, sa.integrity().icvBits()),
            Algorithm.crypt(sa.cipher().kernelName(), enc)};
    }

    /**
     * Hard lifetime = the negotiated one, soft = the SA's share of it ({@link SoftLifetime}), in
     * seconds and, when a kilobyte lifetime was agreed (RFC 2407 s4.5), in bytes: the kernel's byte
     * EXPIREs then start the rekey and end the SA.
     */
    static LifetimeCfg lifetime(IpsecSa sa) {
        long hard = Math.max(1, sa.lifetime().toSeconds());
        long hardBytes = sa.lifeKilobytes() * 1024;
        return LifetimeCfg.secondsOrBytes(SoftLifetime.seconds(hard, sa.softShare()), hard,
                hardBytes == 0 ? 0 : SoftLifetime.bytes(hardBytes, sa.softShare()), hardBytes);
    }

    static int mode(IpsecMode m) {
        return m == IpsecMode.TRANSPORT ? Xfrm.MODE_TRANSPORT : Xfrm.MODE_TUNNEL;
    }

    @Override
    public void delete(InetAddress destination, int spi) throws KernelException {
        delete(new SaKey(destination, spi, Xfrm.IPPROTO_ESP));
    }

    /** DELSA for each SA of the bundle; the first error is reported after trying them all. */
    @Override
    public synchronized void delete(IpsecSa sa) throws KernelException {
        SaBundle.delete(kernelSas(sa), this::delete);
    }

    private synchronized void delete(SaKey key) throws KernelException {
        if (expired.remove(key) != null) {
            LOG.debug("SA {}/0x{} proto {} already removed by the kernel at its hard lifetime",
                    Addresses.format(key.destination()), String.format("%08x", key.spi()), key.proto());
            return;
        }
        deleteOne(key);
        installed.remove(key); // its keys are the engine's to wipe (ChildSas)
    }

    private void deleteOne(SaKey key) throws KernelException {
        socket.request(XfrmMessage.of(Xfrm.MSG_DELSA, 0,
                new SaId(key.destination(), key.spi(), XfrmCodec.family(key.destination()), key.proto())));
        reserved.remove(key);
    }

    /** XFRM_MSG_GETSA: the kernel's view of one ESP SA (with its keys: wipe them with {@link XfrmMessage#wipeKeys}). */
    public Optional<XfrmMessage> get(InetAddress destination, int spi) throws KernelException {
        try {
            return Optional.of(socket.query(XfrmMessage.of(Xfrm.MSG_GETSA, 0,
                    new SaId(destination, spi, XfrmCodec.family(destination), Xfrm.IPPROTO_ESP))));
        } catch (XfrmException e) {
            if (e.errno() == ESRCH || e.errno() == ENOENT) {
                return Optional.empty();
            }
            throw e;
        }
    }

    /** Dump of every SA the kernel holds, ours or not (with keys: wipe them). */
    public List<XfrmMessage> dumpSas() throws KernelException {
        return socket.dump(Xfrm.MSG_GETSA);
    }

    /** Dump of every policy the kernel holds, ours or not. */
    public List<XfrmMessage> dumpPolicies() throws KernelException {
        return socket.dump(Xfrm.MSG_GETPOLICY);
    }

    /** The SAs this daemon installed that the kernel still holds (a GETSA dump, our reqids only). */
    @Override
    public synchronized List<IpsecSa> list() throws KernelException {
        Set<SaKey> inKernel = new HashSet<>();
        for (XfrmMessage m : dumpSas()) {
            m.wipeKeys();
            if (m.body() instanceof SaInfo i && isOurs(i.reqid())) {
                inKernel.add(new SaKey(i.daddr(), i.spi(), i.proto()));
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

    /** Bytes and packets from the GETSA dump's lifetime_cur, our reqids only. */
    @Override
    public List<SaTraffic> traffic() throws KernelException {
        List<SaTraffic> out = new ArrayList<>();
        for (XfrmMessage m : dumpSas()) {
            m.wipeKeys();
            if (m.body() instanceof SaInfo i && isOurs(i.reqid())) {
                out.add(new SaTraffic(i.daddr(), i.spi(), i.curlft().bytes(), i.curlft().packets()));
            }
        }
        return out;
    }

    // ---------------------------------------------------------------- policies

    /**
     * A tunnel gateway's three policies: out (local -> remote), in and fwd (remote -> local, fwd
     * for traffic routed on to the local network), each requiring an ESP tunnel SA between the
     * endpoints with the tunnel's reqid.
     */
    @Override
    public synchronized void addPolicy(SpdTunnel t) throws KernelException {
        if (policies.containsKey(t)) {
            return;
        }
        int reqid = reqid(t.peer(), t.tunnel());
        List<Integer> done = new ArrayList<>();
        List<PolicyId> bypasses = new ArrayList<>();
        try {
            for (PolicyInfo b : bypasses(t)) {
                // UPDPOLICY: one a crashed instance left is replaced (and keeps its index)
                socket.request(XfrmMessage.of(Xfrm.MSG_UPDPOLICY, 0, withIndex(b, bypassIndex(b.dir()))));
                bypasses.add(new PolicyId(b.sel(), 0, b.dir()));
            }
            for (int dir : new int[] {Xfrm.POLICY_OUT, Xfrm.POLICY_IN, Xfrm.POLICY_FWD}) {
                boolean out = dir == Xfrm.POLICY_OUT;
                // ranked by selector length; transport mode's come after the IKE bypasses (priority 0)
                PolicyInfo p = new PolicyInfo(selector(t, dir), LifetimeCfg.infinite(), LifetimeCur.ZERO,
                        t.priority(), 0, dir, Xfrm.POLICY_ALLOW, 0, Xfrm.SHARE_ANY);
                InetAddress src = out ? t.localEndpoint() : t.remoteEndpoint();
                InetAddress dst = out ? t.remoteEndpoint() : t.localEndpoint();
                socket.request(XfrmMessage.of(Xfrm.MSG_NEWPOLICY, 0, p, new Templates(templates(t, src, dst, reqid,
                        out))));
                done.add(dir);
            }
        } catch (KernelException e) {
            for (int dir : done) {
                try {
                    deletePolicy(t, dir);
                } catch (KernelException ignored) {
                    // the first error is the one to report
                }
            }
            deleteAll(bypasses);
            throw e;
        }
        policies.put(t, reqid);
        LOG.info("XFRM policies out/in/fwd (reqid 0x{}) for {}", Integer.toHexString(reqid), t.describe());
    }

    /**
     * The templates of one direction, innermost first (IPComp, ESP, AH): the first in the
     * tunnel's mode, the rest in transport mode; IPComp optional inbound (strongSwan's layout).
     */
    static List<Template> templates(SpdTunnel t, InetAddress src, InetAddress dst, int reqid, boolean out) {
        List<Template> list = new ArrayList<>();
        int mode = mode(t.mode());
        for (ProtocolId p : SaBundle.innermostFirst(t.protocols())) {
            boolean comp = p.equals(ProtocolId.IPCOMP);
            list.add(Template.of(proto(p), src, dst, reqid, mode, comp && !out));
            mode = Xfrm.MODE_TRANSPORT;
        }
        return list;
    }

    @Override
    public synchronized void deletePolicy(SpdTunnel t) throws KernelException {
        if (policies.remove(t) == null) {
            return;
        }
        KernelException first = null;
        for (int dir : new int[] {Xfrm.POLICY_OUT, Xfrm.POLICY_IN, Xfrm.POLICY_FWD}) {
            try {
                deletePolicy(t, dir);
            } catch (KernelException e) {
                first = first == null ? e : first;
            }
        }
        KernelException bypass = deleteAll(bypasses(t).stream().map(b -> new PolicyId(b.sel(), 0, b.dir())).toList());
        first = first == null ? bypass : first;
        if (first != null) {
            throw first;
        }
    }

    /**
     * Transport mode: the policy's selectors are the two hosts, so it would catch IKE itself.
     * Policies without a template (bypass) for UDP from and to our IKE ports, at a better priority,
     * let IKE pass in the clear. strongSwan sets per-socket policies instead; those need the
     * socket's descriptor, which Java's channels do not give out.
     */
    static List<PolicyInfo> bypasses(SpdTunnel t) {
        List<PolicyInfo> out = new ArrayList<>();
        for (int port : t.bypassPorts()) {
            out.add(new PolicyInfo(Selector.udpPort(t.localEndpoint(), t.remoteEndpoint(), port, 0),
                    LifetimeCfg.infinite(), LifetimeCur.ZERO, 0, 0, Xfrm.POLICY_OUT, Xfrm.POLICY_ALLOW, 0,
                    Xfrm.SHARE_ANY));
            out.add(new PolicyInfo(Selector.udpPort(t.remoteEndpoint(), t.localEndpoint(), 0, port),
                    LifetimeCfg.infinite(), LifetimeCur.ZERO, 0, 0, Xfrm.POLICY_IN, Xfrm.POLICY_ALLOW, 0,
                    Xfrm.SHARE_ANY));
        }
        return out;
    }

    static PolicyInfo withIndex(PolicyInfo p, int index) {
        return new PolicyInfo(p.sel(), p.lft(), p.curlft(), p.priority(), index, p.dir(), p.action(), p.flags(),
                p.share());
    }

    /** Deletes each policy; returns the first error (after trying them all), null if none. */
    private KernelException deleteAll(List<PolicyId> ids) {
        KernelException first = null;
        for (PolicyId id : ids) {
            try {
                socket.request(XfrmMessage.of(Xfrm.MSG_DELPOLICY, 0, id));
            } catch (KernelException e) {
                first = first == null ? e : first;
            }
        }
        return first;
    }

    private void deletePolicy(SpdTunnel t, int dir) throws KernelException {
        socket.request(XfrmMessage.of(Xfrm.MSG_DELPOLICY, 0, new PolicyId(selector(t, dir), 0, dir)));
    }

    private static Selector selector(SpdTunnel t, int dir) {
        return dir == Xfrm.POLICY_OUT ? Selector.of(t.local(), t.remote()) : Selector.of(t.remote(), t.local());
    }

    // ---------------------------------------------------------------- events

    @Override
    public void onEvent(Consumer<KernelEvent> l) {
        this.listener = l;
    }

    /** Every unsolicited message, raw (tests, diagnostics); called on the reader thread. */
    public void onMessage(Consumer<XfrmMessage> l) {
        this.rawListener = l;
    }

    private void event(XfrmMessage m) {
        rawListener.accept(m);
        Optional<KernelEvent> e = toEvent(m);
        if (e.isPresent()) {
            listener.accept(e.get());
        } else if (LOG.isDebugEnabled()) {
            LOG.debug("XFRM message not for us: {}", m.describe());
        }
    }

    /**
     * ACQUIRE for ESP becomes an event, with the tunnel's selectors when the policy is one of ours;
     * EXPIRE only for our SAs (our reqids).
     */
    Optional<KernelEvent> toEvent(XfrmMessage m) {
        if (m.body() instanceof XfrmBody.Acquire a && (a.proto() == Xfrm.IPPROTO_ESP || a.proto() == Xfrm.IPPROTO_AH
                || a.proto() == Xfrm.IPPROTO_COMP)) {
            Subnet src = a.policy().sel().source();
            Subnet dst = a.policy().sel().destination();
            Optional<SpdTunnel> t = policies.keySet().stream()
                    .filter(x -> x.local().equals(src) && x.remote().equals(dst)).findFirst();
            return Optional.of(new KernelEvent.Acquire(a.saddr(), a.daddr(), t.map(SpdTunnel::local),
                    t.map(SpdTunnel::remote)));
        }
        if (m.body() instanceof XfrmBody.Expire x && (x.state().proto() == Xfrm.IPPROTO_ESP
                || x.state().proto() == Xfrm.IPPROTO_AH) && isOurs(x.state().reqid())) {
            SaInfo s = x.state();
            boolean hard = x.hard() != 0;
            if (hard) {
                SaKey key = new SaKey(s.daddr(), s.spi(), s.proto());
                // The engine owns the SA's keys (and may still hold the pair): forget, do not wipe.
                if (installed.remove(key) != null) {
                    long now = System.nanoTime();
                    expired.values().removeIf(t -> now - t > EXPIRED_MEMORY_NANOS);
                    expired.put(key, now);
                }
            }
            return Optional.of(new KernelEvent.Expire(s.daddr(), s.spi(), hard));
        }
        if (m.type() == Xfrm.MSG_NEWAE && m.body() instanceof XfrmBody.AeventId a
                && installed.containsKey(new SaKey(a.daddr(), a.spi(), a.proto()))) {
            return XfrmCounters.event(m).map(KernelEvent.class::cast);
        }
        return Optional.empty();
    }

    @Override
    public void close() {
        socket.close();
        if (events != socket) {
            events.close();
        }
    }
}
