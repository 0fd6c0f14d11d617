package dev.isakmpd.xfrm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.isakmpd.core.kernel.KernelException;
import dev.isakmpd.core.kernel.ReplayState;
import dev.isakmpd.core.kernel.SoftLifetime;
import dev.isakmpd.core.policy.EspCipher;
import dev.isakmpd.core.policy.EspIntegrity;
import dev.isakmpd.core.policy.IpsecMode;
import dev.isakmpd.core.policy.Subnet;
import dev.isakmpd.core.registry.ProtocolId;
import dev.isakmpd.core.sa.BundledSa;
import dev.isakmpd.core.sa.IpsecSa;
import dev.isakmpd.oakley.SecretBytes;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * Batched XFRM requests (XfrmSocket.requestAll, XfrmKernel.writeAll) against a fake kernel that
 * answers as Linux's netlink does: many requests per send, each outcome by sequence number, a
 * failure does not stop the rest, and what cannot be known is reported as failed.
 */
class XfrmBatchTest {
    private static final InetAddress US = XfrmCodecTest.US;
    private static final InetAddress PEER = XfrmCodecTest.PEER;

    private static XfrmMessage delete(int spi) {
        return XfrmMessage.of(Xfrm.MSG_DELSA, 0, new XfrmBody.SaId(PEER, spi, Xfrm.AF_INET, Xfrm.IPPROTO_ESP));
    }

    private static int spi(XfrmMessage m) {
        return m.body() instanceof XfrmBody.SaId i ? i.spi() : m.body() instanceof XfrmBody.AeventId a ? a.spi()
                : ((XfrmBody.SaInfo) m.body()).spi();
    }

    @Test
    void eachRequestGetsItsOwnOutcomeAndAFailureDoesNotStopTheOthers() {
        FakeNetlink kernel = new FakeNetlink(m -> spi(m) == 0x102 ? 3 : 0);
        List<Optional<XfrmException>> done = kernel.socket().requestAll(List.of(delete(0x101), delete(0x102),
                delete(0x103)));
        assertEquals(1, kernel.sent.size(), "one datagram");
        List<XfrmMessage> sent = kernel.sent.get(0);
        assertEquals(List.of(0x101, 0x102, 0x103), sent.stream().map(XfrmBatchTest::spi).toList());
        // only the last asks for an ACK; sequence numbers follow each other; all carry our port
        assertEquals(List.of(false, false, true), sent.stream()
                .map(m -> (m.header().flags() & Xfrm.NLM_F_ACK) != 0).toList());
        assertTrue(sent.stream().allMatch(m -> (m.header().flags() & Xfrm.NLM_F_REQUEST) != 0
                && m.header().pid() == FakeNetlink.PORT));
        assertEquals(sent.get(0).header().seq() + 2, sent.get(2).header().seq());
        assertFalse(done.get(0).isPresent());
        assertEquals(3, done.get(1).orElseThrow().errno());
        assertTrue(done.get(1).orElseThrow().getMessage().startsWith("XFRM_MSG_DELSA proto 50 spi 0x00000102 dst "
                + "198.51.100.2 failed: errno 3"), done.get(1).orElseThrow().getMessage());
        assertFalse(done.get(2).isPresent());
    }

    @Test
    void aFailedLastRequestEndsItsDatagramToo() {
        FakeNetlink kernel = new FakeNetlink(m -> spi(m) == 0x102 ? 17 : 0);
        List<Optional<XfrmException>> done = kernel.socket().requestAll(List.of(delete(0x101), delete(0x102)));
        assertFalse(done.get(0).isPresent());
        assertEquals(17, done.get(1).orElseThrow().errno());
    }

    @Test
    void largeBatchesGoInDatagramsOfAtMostBatchRequests() {
        FakeNetlink kernel = new FakeNetlink(m -> spi(m) % 50 == 0 ? 2 : 0);
        int total = 2 * XfrmSocket.BATCH + 22;
        List<XfrmMessage> requests = IntStream.range(0, total).mapToObj(XfrmBatchTest::delete).toList();
        List<Optional<XfrmException>> done = kernel.socket().requestAll(requests);
        assertEquals(List.of(XfrmSocket.BATCH, XfrmSocket.BATCH, 22), kernel.sent.stream().map(List::size).toList());
        for (int i = 0; i < total; i++) {
            assertEquals(i % 50 == 0, done.get(i).isPresent(), "request " + i);
        }
    }

    @Test
    void anAnswerOfAnEarlierRequestIsNotTakenForOneOfTheBatch() {
        FakeNetlink kernel = new FakeNetlink(m -> 0);
        XfrmSocket socket = kernel.socket();
        // a stray answer (a request that timed out long ago) with our port and a failure
        kernel.receive.add(FakeNetlink.error(new NetlinkHeader(Xfrm.MSG_DELSA, 0, 7, FakeNetlink.PORT), 3));
        List<Optional<XfrmException>> done = socket.requestAll(List.of(delete(0x101), delete(0x102)));
        assertEquals(List.of(Optional.empty(), Optional.empty()), done);
    }

    @Test
    void whenTheKernelDroppedAnswersTheUnansweredAreReportedAsFailedNotDone() {
        FakeNetlink kernel = new FakeNetlink(m -> spi(m) == 0x102 ? 3 : 0);
        XfrmSocket socket = kernel.socket();
        kernel.receive.add(105); // ENOBUFS before the answers: some error answer may be lost
        List<Optional<XfrmException>> done = socket.requestAll(List.of(delete(0x101), delete(0x102),
                delete(0x103)));
        assertTrue(done.get(0).orElseThrow().getMessage().contains("outcome unknown"), done.toString());
        assertEquals(3, done.get(1).orElseThrow().errno());
        // the last one's own ACK came: it was done
        assertFalse(done.get(2).isPresent());
    }

    @Test
    void aFailedSendFailsEveryRequestOfItsDatagram() {
        FakeNetlink kernel = new FakeNetlink(m -> 0);
        kernel.sendErrno = 90; // EMSGSIZE
        List<Optional<XfrmException>> done = kernel.socket().requestAll(List.of(delete(0x101), delete(0x102)));
        assertTrue(done.stream().allMatch(d -> d.isPresent() && d.get().getMessage().contains("refused by send()")),
                done.toString());
    }

    private static IpsecSa sa(IpsecSa.Direction dir, int spi) {
        boolean out = dir == IpsecSa.Direction.OUT;
        return new IpsecSa("p", "t", dir, spi, out ? US : PEER, out ? PEER : US, Subnet.parse("10.1.0.0/16"),
                Subnet.parse("10.2.0.0/16"), EspCipher.AES_CBC, 128, SecretBytes.copyOf(new byte[16]),
                EspIntegrity.HMAC_SHA1, SecretBytes.copyOf(new byte[20]), Duration.ofHours(1), false);
    }

    @Test
    void aTakeoversWritesGoInOneDatagramEachOutboundSaWithItsCounterInTheNewsa() {
        FakeNetlink fake = new FakeNetlink(m -> m.type() == Xfrm.MSG_NEWAE && spi(m) == 0x201 ? 3 : 0);
        XfrmKernel kernel = new XfrmKernel(fake.socket());
        List<XfrmKernel.SaWrite> writes = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            writes.add(new XfrmKernel.SetCounters(sa(IpsecSa.Direction.IN, 0x200 + i), new ReplayState(0, 500, -1)));
            writes.add(new XfrmKernel.Install(sa(IpsecSa.Direction.OUT, 0x100 + i), new ReplayState(7000, 0, 0)));
        }
        List<Optional<KernelException>> done = kernel.writeAll(writes);
        assertEquals(1, fake.sent.size());
        List<XfrmMessage> sent = fake.sent.get(0);
        assertEquals(List.of(Xfrm.MSG_NEWAE, Xfrm.MSG_NEWSA, Xfrm.MSG_NEWAE, Xfrm.MSG_NEWSA, Xfrm.MSG_NEWAE,
                Xfrm.MSG_NEWSA), sent.stream().map(XfrmMessage::type).toList());
        XfrmAttribute.Replay start = (XfrmAttribute.Replay) sent.get(1).find(Xfrm.XFRMA_REPLAY_VAL).orElseThrow();
        assertEquals(7000, start.oseq());
        assertEquals(Xfrm.NLM_F_REPLACE, sent.get(0).header().flags() & Xfrm.NLM_F_REPLACE);
        assertEquals(List.of(false, false, true, false, false, false), done.stream().map(Optional::isPresent).toList());
        assertTrue(done.get(2).orElseThrow().getMessage().contains("XFRM_MSG_NEWAE proto 50 spi 0x00000201"));
        // the keys went out in the NEWSA and are wiped in the SA's own copy only by its owner (the engine)
        assertTrue(sent.get(1).algorithm(Xfrm.XFRMA_ALG_CRYPT).isPresent());
    }

    @Test
    void aBundleGoesInAloneAndTheRestStaysBatched() {
        FakeNetlink fake = new FakeNetlink(m -> 0);
        XfrmKernel kernel = new XfrmKernel(fake.socket());
        IpsecSa esp = sa(IpsecSa.Direction.OUT, 0x111);
        IpsecSa bundle = new IpsecSa(esp.peer(), esp.tunnel(), esp.direction(), esp.spi(), esp.source(),
                esp.destination(), esp.sourceSelector(), esp.destinationSelector(), esp.cipher(), esp.keyBits(),
                esp.encryptionKey(), esp.integrity(), esp.authenticationKey(), esp.lifetime(), false, Optional.empty(),
                IpsecMode.TUNNEL, 0, ProtocolId.IPSEC_ESP, List.of(BundledSa.ipcomp(0x4111)), SoftLifetime.SHARE);
        List<Optional<KernelException>> done = kernel.writeAll(List.of(
                new XfrmKernel.Install(sa(IpsecSa.Direction.OUT, 0x110), null),
                new XfrmKernel.Install(bundle, null),
                new XfrmKernel.Install(sa(IpsecSa.Direction.OUT, 0x112), null)));
        assertTrue(done.stream().noneMatch(Optional::isPresent), done.toString());
        // the one before, then the bundle's two kernel SAs one by one, then the one after
        assertEquals(List.of(1, 1, 1, 1), fake.sent.stream().map(List::size).toList());
        assertEquals(List.of(0x110, 0x4111, 0x111, 0x112), fake.sent.stream().map(d -> spi(d.get(0))).toList());
    }
}
