package dev.isakmpd.xfrm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.isakmpd.core.policy.EspCipher;
import dev.isakmpd.core.policy.EspIntegrity;
import dev.isakmpd.core.policy.Subnet;
import dev.isakmpd.core.sa.IpsecSa;
import dev.isakmpd.oakley.SecretBytes;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Against the kernel this JVM runs on, where that kernel lets us (Linux, root, xfrm_user): SPI
 * allocation, errors, and SAs where ESP is there. Only SAs between documentation addresses with our
 * reqids, no policies, so the host's traffic is never affected; the complete suite runs in the
 * kernel lab (XfrmLabIT).
 */
class XfrmKernelHostTest {
    static final InetAddress US = XfrmCodecTest.ip("198.51.100.1");
    static final InetAddress PEER = XfrmCodecTest.ip("198.51.100.2");
    private XfrmKernel kernel;

    @BeforeEach
    void open() {
        try {
            kernel = new XfrmKernel(XfrmSocket.open(false));
        } catch (XfrmUnavailableException e) {
            assumeTrue(false, "no XFRM netlink here: " + e.getMessage());
        }
    }

    @AfterEach
    void close() throws Exception {
        if (kernel != null) {
            kernel.removeLeftovers();
            kernel.close();
        }
    }

    @Test
    void allocatesAnSpiInTheRangeAndDeletesIt() throws Exception {
        int spi = kernel.allocateSpi(PEER, US, 0x7a000, 0x7afff);
        assertTrue(spi >= 0x7a000 && spi <= 0x7afff, Integer.toHexString(spi));
        XfrmMessage m = kernel.get(US, spi).orElseThrow();
        XfrmBody.SaInfo i = (XfrmBody.SaInfo) m.body();
        assertEquals(PEER, i.saddr());
        assertEquals(XfrmKernel.REQID_MIN, i.reqid());
        assertEquals(Xfrm.MODE_TUNNEL, i.mode());
        kernel.delete(US, spi);
        assertTrue(kernel.get(US, spi).isEmpty());
    }

    @Test
    void errorsNameTheRequestAndTheReason() {
        XfrmException e = assertThrows(XfrmException.class, () -> kernel.delete(PEER, 0x7777));
        assertEquals(3, e.errno());
        assertTrue(e.getMessage().startsWith("XFRM_MSG_DELSA proto 50 spi 0x00007777 dst 198.51.100.2 failed: errno 3"
                + " (No such process)"), e.getMessage());
    }

    @Test
    void aBatchReportsEachRequestsOutcomeAndGoesOnAfterAFailure() throws Exception {
        // larval SAs (ALLOCSPI needs no ESP), deleted in one batch of more than one datagram
        List<Integer> spis = new ArrayList<>();
        for (int i = 0; i < XfrmSocket.BATCH + 6; i++) {
            spis.add(kernel.allocateSpi(PEER, US, 0x7c000, 0x7cfff));
        }
        List<XfrmMessage> deletes = new ArrayList<>();
        spis.forEach(spi -> deletes.add(XfrmMessage.of(Xfrm.MSG_DELSA, 0, new XfrmBody.SaId(US, spi, Xfrm.AF_INET,
                Xfrm.IPPROTO_ESP))));
        deletes.add(3, XfrmMessage.of(Xfrm.MSG_DELSA, 0, new XfrmBody.SaId(US, 0x7bfff, Xfrm.AF_INET,
                Xfrm.IPPROTO_ESP))); // no such SA
        List<Optional<XfrmException>> done = kernel.socket().requestAll(deletes);
        assertEquals(deletes.size(), done.size());
        for (int i = 0; i < done.size(); i++) {
            assertEquals(i == 3, done.get(i).isPresent(), "request " + i + ": " + done.get(i));
        }
        assertEquals(3, done.get(3).orElseThrow().errno());
        for (int spi : spis) {
            assertTrue(kernel.get(US, spi).isEmpty(), Integer.toHexString(spi));
        }
    }

    @Test
    void leftoversAreRemovedInBatches() throws Exception {
        List<Integer> spis = new ArrayList<>();
        for (int i = 0; i < XfrmSocket.BATCH + 6; i++) {
            spis.add(kernel.allocateSpi(PEER, US, 0x7d000, 0x7dfff));
        }
        assertTrue(kernel.removeLeftovers().sas() >= spis.size());
        for (int spi : spis) {
            assertTrue(kernel.get(US, spi).isEmpty(), Integer.toHexString(spi));
        }
    }

    @Test
    void theKernelTakesTheFilterForCounterEchoes() throws Exception {
        // checked by the kernel's BPF verifier on attach (EINVAL if malformed); what it drops: CounterEchoFilterTest
        kernel.counters().report(1024, Duration.ofSeconds(1));
        assertTrue(kernel.counters().reporting());
    }

    @Test
    void installsWithRfc4868TruncationWhereTheKernelHasEsp() throws Exception {
        byte[] auth = new byte[32];
        Arrays.fill(auth, (byte) 0x5a);
        IpsecSa sa = new IpsecSa("host", "t", IpsecSa.Direction.OUT, 0x7b001, US, PEER, Subnet.parse("10.1.0.0/16"),
                Subnet.parse("10.2.0.0/16"), EspCipher.AES_CBC, 128, SecretBytes.copyOf(new byte[16]),
                EspIntegrity.HMAC_SHA2_256, SecretBytes.copyOf(auth), Duration.ofSeconds(600), false);
        try {
            kernel.install(sa);
        } catch (XfrmException e) {
            assumeTrue(e.errno() != 93 && e.errno() != 2, "this kernel cannot install ESP SAs (no esp4?): "
                    + e.getMessage());
            throw e;
        }
        XfrmMessage m = kernel.get(PEER, 0x7b001).orElseThrow();
        XfrmAttribute.Algorithm a = m.algorithm(Xfrm.XFRMA_ALG_AUTH_TRUNC).orElseThrow();
        m.wipeKeys();
        assertEquals("hmac(sha256)", a.name());
        assertEquals(128, a.extraBits());
        assertEquals(540, ((XfrmBody.SaInfo) m.body()).lft().softAddExpiresSeconds());
        assertEquals(1, kernel.list().size());
        kernel.delete(PEER, 0x7b001);
        assertFalse(kernel.get(PEER, 0x7b001).isPresent());
    }
}
