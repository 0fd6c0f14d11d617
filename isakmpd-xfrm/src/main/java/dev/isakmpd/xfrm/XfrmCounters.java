package dev.isakmpd.xfrm;

import dev.isakmpd.core.kernel.KernelEvent;
import dev.isakmpd.core.kernel.KernelException;
import dev.isakmpd.core.kernel.ReplayState;
import dev.isakmpd.core.registry.ProtocolId;
import dev.isakmpd.xfrm.XfrmAttribute.CurrentLifetime;
import dev.isakmpd.xfrm.XfrmAttribute.Replay;
import dev.isakmpd.xfrm.XfrmAttribute.U32;
import dev.isakmpd.xfrm.XfrmBody.AeventId;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The sequence numbers of SAs, read, set and streamed ("async events", XFRM_MSG_NEWAE / GETAE):
 * what a standby gateway needs to take over an SA without sending a sequence number twice under
 * the same key (RFC 4303 s3.3.3; for AES-GCM that would also repeat a nonce, RFC 4106 s3.1) and
 * without accepting a replayed one. ESN SAs (XFRMA_REPLAY_ESN_VAL) are not handled: we install
 * none.
 *
 * <p>Once {@link #report} was called, every SA this back-end installs carries per-SA thresholds
 * and the event socket is in XFRMNLGRP_AEVENTS, where the kernel sends a NEWAE for an SA whenever
 * its counters moved by {@code packets} or have been still for {@code interval} after moving.
 */
public final class XfrmCounters {
    private static final Logger LOG = LoggerFactory.getLogger("isakmpd.kernel.xfrm");
    /**
     * XFRMA_ETIMER_THRESH is taken in jiffies and reported in tenths of a second
     * ({@code replay_maxage * 10 / HZ}), and user space cannot ask for HZ: the first SA gets this
     * many jiffies, and the value reported back gives HZ (100, 250, 300 and 1000 all come out
     * at least 10, so the division loses little).
     */
    static final int PROBE_JIFFIES = 1000;
    /** XFRM_AE_RTHR, XFRM_AE_ETHR: a GETAE that also reports the thresholds. */
    private static final int AE_THRESHOLDS = 1 | 8;

    private final XfrmSocket requests;
    private final XfrmSocket events;
    private volatile int packets;
    private volatile Duration interval;
    /** The kernel's tick rate, measured on the first SA installed after {@link #report}; 0 until then. */
    private volatile int hz;

    XfrmCounters(XfrmSocket requests, XfrmSocket events) {
        this.requests = requests;
        this.events = events;
    }

    /**
     * From now on, SAs are installed with these thresholds and their NEWAE events become
     * {@link KernelEvent.Counters}.
     *
     * @param packets a report after this many packets (XFRMA_REPLAY_THRESH)
     * @param interval and after this long without one, if the counters moved (at least 100 ms)
     */
    public void report(int packets, Duration interval) throws KernelException {
        if (packets < 1 || interval.toMillis() < 100) {
            throw new IllegalArgumentException("counter reports every " + packets + " packets or " + interval
                    + ": want at least 1 packet and 100 ms");
        }
        events.join(Xfrm.XFRMNLGRP_AEVENTS);
        events.dropCounterEchoes(); // the numbers set gives are ours already
        this.interval = interval;
        this.packets = packets;
    }

    boolean reporting() {
        return packets > 0;
    }

    /** Whether the next SA installed measures the kernel's tick rate ({@link #installed} asks the kernel). */
    boolean probing() {
        return reporting() && hz == 0;
    }

    /** The thresholds a NEWSA carries (none unless {@link #report} was called). */
    List<XfrmAttribute> thresholds() {
        if (!reporting()) {
            return List.of();
        }
        return List.of(new U32(Xfrm.XFRMA_REPLAY_THRESH, packets),
                new U32(Xfrm.XFRMA_ETIMER_THRESH, hz == 0 ? PROBE_JIFFIES : jiffies(interval, hz)));
    }

    static int jiffies(Duration d, int hz) {
        return (int) Math.max(1, Math.min(Integer.MAX_VALUE, d.toMillis() * hz / 1000));
    }

    /** After a NEWSA with {@link #thresholds}: the first one measures HZ and corrects its own timer. */
    void installed(InetAddress destination, int spi, int proto) throws KernelException {
        if (!probing()) {
            return;
        }
        XfrmMessage r = requests.query(XfrmMessage.of(Xfrm.MSG_GETAE, 0,
                aeventId(destination, spi, proto, AE_THRESHOLDS)));
        int tenths = r.find(Xfrm.XFRMA_ETIMER_THRESH).filter(U32.class::isInstance).map(a -> ((U32) a).value())
                .orElse(0);
        if (tenths <= 0) {
            throw new KernelException("XFRM_MSG_GETAE reported no XFRMA_ETIMER_THRESH for spi "
                    + String.format("0x%08x", spi) + ": cannot tell the kernel's tick rate");
        }
        hz = Math.round(PROBE_JIFFIES * 10f / tenths);
        LOG.info("XFRM counter reports every {} packets or {} ms (the kernel ticks at {} Hz)", packets,
                interval.toMillis(), hz);
        requests.request(XfrmMessage.of(Xfrm.MSG_NEWAE, Xfrm.NLM_F_REPLACE, aeventId(destination, spi, proto, 0),
                new U32(Xfrm.XFRMA_ETIMER_THRESH, jiffies(interval, hz))));
    }

    /** XFRM_MSG_GETAE: one SA's sequence numbers and what it carried, or empty if the kernel has no such SA. */
    public Optional<KernelEvent.Counters> read(InetAddress destination, int spi, ProtocolId protocol)
            throws KernelException {
        try {
            XfrmMessage r = requests.query(XfrmMessage.of(Xfrm.MSG_GETAE, 0,
                    aeventId(destination, spi, XfrmKernel.proto(protocol), Xfrm.XFRM_AE_RVAL | Xfrm.XFRM_AE_LVAL)));
            return event(r);
        } catch (XfrmException e) {
            if (e.errno() == XfrmKernel.ESRCH || e.errno() == XfrmKernel.ENOENT) {
                return Optional.empty();
            }
            throw e;
        }
    }

    /**
     * XFRM_MSG_NEWAE with NLM_F_REPLACE: sets one SA's sequence numbers. A new active gateway
     * starts an outbound SA above what the old one may have sent, and moves an inbound SA's
     * window up to what the old one had received.
     */
    public void set(InetAddress destination, int spi, ProtocolId protocol, ReplayState state) throws KernelException {
        requests.request(setRequest(destination, spi, protocol, state));
    }

    /** The NEWAE of {@link #set}, for a batch ({@link XfrmKernel#writeAll}). */
    static XfrmMessage setRequest(InetAddress destination, int spi, ProtocolId protocol, ReplayState state) {
        return XfrmMessage.of(Xfrm.MSG_NEWAE, Xfrm.NLM_F_REPLACE, aeventId(destination, spi, XfrmKernel.proto(protocol),
                0), new Replay((int) state.outbound(), (int) state.inbound(), state.window()));
    }

    /** A NEWAE (event or GETAE answer) as counters; empty if it lacks the replay state. */
    static Optional<KernelEvent.Counters> event(XfrmMessage m) {
        if (!(m.body() instanceof AeventId a)) {
            return Optional.empty();
        }
        Optional<Replay> replay = m.find(Xfrm.XFRMA_REPLAY_VAL).filter(Replay.class::isInstance).map(Replay.class::cast);
        if (replay.isEmpty()) {
            return Optional.empty();
        }
        Optional<XfrmStruct.LifetimeCur> cur = m.find(Xfrm.XFRMA_LTIME_VAL).filter(CurrentLifetime.class::isInstance)
                .map(x -> ((CurrentLifetime) x).value());
        Replay r = replay.get();
        return Optional.of(new KernelEvent.Counters(a.daddr(), a.spi(), protocol(a.proto()),
                new ReplayState(Integer.toUnsignedLong(r.oseq()), Integer.toUnsignedLong(r.seq()), r.bitmap()),
                cur.map(XfrmStruct.LifetimeCur::bytes).orElse(0L), cur.map(XfrmStruct.LifetimeCur::packets).orElse(0L)));
    }

    private static ProtocolId protocol(int proto) {
        return proto == Xfrm.IPPROTO_AH ? ProtocolId.IPSEC_AH : proto == Xfrm.IPPROTO_COMP ? ProtocolId.IPCOMP
                : ProtocolId.IPSEC_ESP;
    }

    /** xfrm_new_ae and xfrm_get_ae find the SA by (daddr, spi, proto, family) alone: no saddr, no reqid. */
    private static AeventId aeventId(InetAddress destination, int spi, int proto, int flags) {
        int family = XfrmCodec.family(destination);
        try {
            InetAddress any = InetAddress.getByAddress(new byte[family == Xfrm.AF_INET6 ? 16 : 4]);
            return new AeventId(destination, spi, family, proto, any, flags, 0);
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e); // 4 or 16 bytes are always an address
        }
    }
}
