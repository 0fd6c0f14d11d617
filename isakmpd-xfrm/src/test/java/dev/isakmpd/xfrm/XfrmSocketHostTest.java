package dev.isakmpd.xfrm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.sun.jna.NativeLong;
import dev.isakmpd.xfrm.XfrmBody.SaInfo;
import dev.isakmpd.xfrm.XfrmStruct.LifetimeCfg;
import dev.isakmpd.xfrm.XfrmStruct.LifetimeCur;
import dev.isakmpd.xfrm.XfrmStruct.Selector;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The netlink socket against the kernel this JVM runs on, where it lets us (Linux, root, xfrm_user). */
class XfrmSocketHostTest {
    private static final InetAddress US = XfrmCodecTest.ip("198.51.100.1");
    private static final InetAddress PEER = XfrmCodecTest.ip("198.51.100.2");
    /** XFRMNLGRP_SA: the kernel reports each SA added, changed or deleted. */
    private static final int GROUP_SA = 3;
    /** Not one of our reqids: another test's crash clean-up (removeLeftovers) leaves these SAs alone. */
    private static final int REQID = 0x7e57;

    /** A burst of counter reports from 1,000 busy pairs overflowed the default 208 KiB (docs/ha.md "Scale"). */
    @Test
    void theEventSocketHasARoomyReceiveBuffer() throws Exception {
        try (XfrmSocket events = open(true)) {
            // the kernel reports twice what it grants (socket(7))
            assertTrue(events.receiveBuffer() >= 2 * XfrmSocket.EVENT_BUFFER, "events: " + events.receiveBuffer());
        }
    }

    /**
     * The reader takes every message of a burst, each with one system call: a recv that blocks
     * (SO_RCVTIMEO), no poll before it (in the lab's guest a poll and a recv per counter report
     * were two thirds of the reports' cost, docs/ha.md "NEWAE reports from 1,000 busy pairs").
     * The burst: the kernel's DELSA reports of 64 larval SAs deleted in one datagram.
     */
    @Test
    void theReaderTakesEachMessageOfABurstWithOneSystemCall() throws Exception {
        List<Integer> deleted = new CopyOnWriteArrayList<>();
        AtomicInteger messages = new AtomicInteger();
        CountingLibC counting;
        List<Integer> spis = new ArrayList<>();
        try (XfrmSocket requests = open(false)) {
            counting = new CountingLibC(LibC.Holder.get());
            try (XfrmSocket events = XfrmSocket.open(counting.proxy(), true)) {
                events.join(GROUP_SA);
                events.onEvent(m -> {
                    messages.incrementAndGet();
                    if (m.type() == Xfrm.MSG_DELSA && m.body() instanceof XfrmBody.SaId id && id.daddr().equals(US)
                            && id.spi() >= 0x7e000 && id.spi() <= 0x7efff) {
                        deleted.add(id.spi());
                    }
                });
                List<XfrmMessage> deletes = new ArrayList<>();
                for (int i = 0; i < XfrmSocket.BATCH; i++) {
                    int spi = allocateSpi(requests);
                    spis.add(spi);
                    deletes.add(XfrmMessage.of(Xfrm.MSG_DELSA, 0, new XfrmBody.SaId(US, spi, Xfrm.AF_INET,
                            Xfrm.IPPROTO_ESP)));
                }
                List<Optional<XfrmException>> done = requests.requestAll(deletes);
                assertTrue(done.stream().noneMatch(Optional::isPresent), done.toString());
                for (int i = 0; i < 100 && deleted.size() < spis.size(); i++) {
                    Thread.sleep(50);
                }
            } // close: the reader thread has ended, the counts stand still
        }
        assertEquals(spis, deleted, "each deleted SA reported once, in order");
        assertEquals(0, counting.polls.get(), "no poll");
        // every message one recv (the others were recvs that timed out); none cut or undecodable
        assertEquals(messages.get(), counting.received.get());
    }

    /** XFRM_MSG_ALLOCSPI with a reqid outside ours: a larval SA from PEER to US. */
    private static int allocateSpi(XfrmSocket requests) throws XfrmException {
        SaInfo larval = new SaInfo(Selector.none(), US, 0, Xfrm.IPPROTO_ESP, PEER, LifetimeCfg.infinite(),
                LifetimeCur.ZERO, 0, 0, 0, 0, REQID, Xfrm.AF_INET, Xfrm.MODE_TUNNEL, 0, 0);
        XfrmMessage r = requests.query(XfrmMessage.of(Xfrm.MSG_ALLOCSPI, 0, new XfrmBody.SpiInfo(larval, 0x7e000,
                0x7efff)));
        return ((SaInfo) r.body()).spi();
    }

    /** The real libc, counting the reader's polls and the recvs that brought a datagram. */
    private static final class CountingLibC {
        private final LibC real;
        final AtomicInteger polls = new AtomicInteger();
        final AtomicInteger received = new AtomicInteger();

        CountingLibC(LibC real) {
            this.real = real;
        }

        LibC proxy() {
            return (LibC) Proxy.newProxyInstance(LibC.class.getClassLoader(), new Class<?>[] {LibC.class},
                    (p, method, args) -> {
                        Object result;
                        try {
                            result = method.invoke(real, args);
                        } catch (InvocationTargetException e) {
                            throw e.getCause();
                        }
                        if (method.getName().equals("poll")) {
                            polls.incrementAndGet();
                        } else if (method.getName().equals("recv") && ((NativeLong) result).longValue() > 0) {
                            received.incrementAndGet();
                        }
                        return result;
                    });
        }
    }

    private static XfrmSocket open(boolean events) {
        try {
            return XfrmSocket.open(events);
        } catch (XfrmUnavailableException e) {
            assumeTrue(false, "no XFRM netlink here: " + e.getMessage());
            throw new IllegalStateException(e);
        }
    }
}
