package dev.isakmpd.xfrm.lab;

import dev.isakmpd.core.kernel.KernelEvent;
import dev.isakmpd.core.kernel.ReplayState;
import dev.isakmpd.core.kernel.SaTraffic;
import dev.isakmpd.core.kernel.SoftLifetime;
import dev.isakmpd.core.kernel.SpdTunnel;
import dev.isakmpd.core.policy.EspCipher;
import dev.isakmpd.core.policy.EspIntegrity;
import dev.isakmpd.core.policy.IpsecMode;
import dev.isakmpd.core.policy.Subnet;
import dev.isakmpd.core.registry.ProtocolId;
import dev.isakmpd.core.sa.BundledSa;
import dev.isakmpd.core.sa.IpsecSa;
import dev.isakmpd.oakley.SecretBytes;
import dev.isakmpd.xfrm.Xfrm;
import dev.isakmpd.xfrm.XfrmAttribute;
import dev.isakmpd.xfrm.XfrmBody;
import dev.isakmpd.xfrm.XfrmCodec;
import dev.isakmpd.xfrm.XfrmException;
import dev.isakmpd.xfrm.XfrmKernel;
import dev.isakmpd.xfrm.XfrmMessage;
import dev.isakmpd.xfrm.XfrmSocket;
import dev.isakmpd.xfrm.XfrmStruct;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;

/**
 * The XFRM suite that runs INSIDE the kernel lab (scripts/lab/xfrm-suite.sh; from the host
 * {@code XfrmLabIT} in {@code mvn verify}). Each check prints "PASS name" or "FAIL name: why";
 * the exit status is the number of failures. Kernel messages are also written as hex to
 * {@code OUT/vectors/} (test keys only).
 *
 * <p>Set-up done by the script before the JVM starts: a veth with 10.1.0.1 and a route to
 * 10.2.0.0/16 over it, so that a datagram 10.1.0.1 -> 10.2.0.1 hits the tunnel policy.
 */
public final class XfrmLabSuite {
    static final InetAddress US = ip("198.51.100.1");
    static final InetAddress PEER = ip("198.51.100.2");
    static final byte[] ENC = HexFormat.of().parseHex("00112233445566778899aabbccddeeff");
    static final byte[] AUTH = HexFormat.of().parseHex(
            "0102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f202122232425262728292a2b2c2d2e2f30"
                    + "3132333435363738393a3b3c3d3e3f40");
    static final Subnet LOCAL = Subnet.parse("10.1.0.0/16");
    static final Subnet REMOTE = Subnet.parse("10.2.0.0/16");

    private final Path out;
    private final List<String> failures = new ArrayList<>();
    private final LinkedBlockingQueue<KernelEvent> events = new LinkedBlockingQueue<>();
    private final List<String> roundTripFailures = new ArrayList<>();
    private int roundTrips;
    private XfrmKernel kernel;

    XfrmLabSuite(Path out) {
        this.out = out;
    }

    public static void main(String[] args) throws Exception {
        Path out = Path.of(args[0]);
        Files.createDirectories(out.resolve("vectors"));
        XfrmLabSuite s = new XfrmLabSuite(out);
        long t0 = System.nanoTime();
        s.run();
        System.out.printf("suite done in %.1f s, %d failure(s)%n", (System.nanoTime() - t0) / 1e9, s.failures.size());
        System.exit(s.failures.size());
    }

    interface Check {
        void run() throws Exception;
    }

    void check(String name, Check c) {
        long t0 = System.nanoTime();
        try {
            c.run();
            System.out.printf("PASS %s (%.2f s)%n", name, (System.nanoTime() - t0) / 1e9);
        } catch (Throwable t) {
            failures.add(name);
            System.out.println("FAIL " + name + ": " + t);
            t.printStackTrace(System.out);
        }
    }

    static void require(boolean ok, String what) {
        if (!ok) {
            throw new AssertionError(what);
        }
    }

    void run() throws Exception {
        XfrmCodec codec = XfrmCodec.host();
        check("open, nothing of ours to clean", () -> {
            kernel = XfrmKernel.open();
            BiConsumer<byte[], XfrmMessage> roundTrip = (bytes, m) -> {
                if (m.body() instanceof XfrmBody.Error) {
                    return; // written by the kernel only; the codec reads them
                }
                roundTrips++;
                seen.put(m, bytes);
                byte[] again = codec.encode(m);
                if (!Arrays.equals(bytes, again)) {
                    roundTripFailures.add(m.describe() + "\n  kernel " + HexFormat.of().formatHex(bytes)
                            + "\n  ours   " + HexFormat.of().formatHex(again));
                }
                if (m.type() == Xfrm.MSG_ACQUIRE || m.type() == Xfrm.MSG_EXPIRE) {
                    writeVector("recv-" + Xfrm.messageName(m.type()).toLowerCase()
                            + (m.body() instanceof XfrmBody.Expire e ? (e.hard() != 0 ? "-hard" : "-soft") : ""), m,
                            bytes);
                }
            };
            // answers arrive on this thread, events on the event socket's reader: one at a time
            BiConsumer<byte[], XfrmMessage> serial = (bytes, m) -> {
                synchronized (this) {
                    roundTrip.accept(bytes, m);
                }
            };
            kernel.socket().tap(serial);
            kernel.eventSocket().tap(serial);
            kernel.onEvent(events::add);
            XfrmKernel.Leftovers l = kernel.removeLeftovers();
            require(l.sas() == 0 && l.policies() == 0, "leftovers in a clean lab: " + l);
        });
        if (kernel == null) {
            return;
        }
        try {
            checks();
        } finally {
            kernel.close();
        }
    }

    void checks() throws Exception {
        int[] inSpi = new int[1];
        check("allocspi in a range", () -> {
            inSpi[0] = kernel.allocateSpi(PEER, US, 0x1000, 0x1fff);
            require(Integer.compareUnsigned(inSpi[0], 0x1000) >= 0 && Integer.compareUnsigned(inSpi[0], 0x1fff) <= 0,
                    String.format("spi 0x%x outside 0x1000..0x1fff", inSpi[0]));
            String xfrm = sh("ip xfrm state");
            require(xfrm.contains(String.format("spi 0x%08x", inSpi[0])), "larval SA not in ip xfrm state:\n" + xfrm);
        });
        IpsecSa in = sa(IpsecSa.Direction.IN, inSpi[0], PEER, US, Duration.ofSeconds(3600), EspIntegrity.HMAC_SHA1);
        IpsecSa outSa = sa(IpsecSa.Direction.OUT, 0x2345, US, PEER, Duration.ofSeconds(3600), EspIntegrity.HMAC_SHA1);
        check("update the ALLOCSPI SA, add the outbound one", () -> {
            kernel.install(in);
            kernel.install(outSa);
        });
        int reqid = 0x15a00001;
        check("dump finds exactly what was written, ip xfrm state agrees", () -> {
            List<XfrmMessage> dump = kernel.dumpSas();
            require(dump.size() == 2, "dump has " + dump.size() + " SAs");
            for (IpsecSa s : List.of(in, outSa)) {
                XfrmMessage m = dump.stream().filter(d -> ((XfrmBody.SaInfo) d.body()).spi() == s.spi()).findFirst()
                        .orElseThrow(() -> new AssertionError("spi " + s.spiHex() + " not dumped"));
                XfrmBody.SaInfo i = (XfrmBody.SaInfo) m.body();
                require(i.saddr().equals(s.source()) && i.daddr().equals(s.destination()), "addresses " + i);
                require(i.reqid() == reqid && i.mode() == Xfrm.MODE_TUNNEL && i.replayWindow() == 32, "ids " + i);
                require(i.lft().hardAddExpiresSeconds() == 3600 && i.lft().softAddExpiresSeconds() == 3240
                        && i.lft().hardByteLimit() == Xfrm.INF, "lifetimes " + i.lft());
                require(i.sel().source().equals(s.sourceSelector())
                        && i.sel().destination().equals(s.destinationSelector()), "selector " + i.sel());
                XfrmAttribute.Algorithm a = m.algorithm(Xfrm.XFRMA_ALG_AUTH_TRUNC).orElseThrow();
                XfrmAttribute.Algorithm e = m.algorithm(Xfrm.XFRMA_ALG_CRYPT).orElseThrow();
                require(a.name().equals("hmac(sha1)") && a.extraBits() == 96 && a.keyBits() == 160
                        && Arrays.equals(a.key(), Arrays.copyOf(AUTH, 20)), "auth " + a);
                require(e.name().equals("cbc(aes)") && e.keyBits() == 128 && Arrays.equals(e.key(), ENC), "enc " + e);
                require(!m.describe().contains(HexFormat.of().formatHex(ENC)), "describe() leaks the key");
                writeVector("dump-" + s.direction().name().toLowerCase(), m, kernelBytes(m));
                m.wipeKeys();
            }
            require(kernel.list().size() == 2, "list() " + kernel.list().size());
            String xfrm = sh("ip -s xfrm state");
            for (IpsecSa s : List.of(in, outSa)) {
                String block = block(xfrm, String.format("spi 0x%08x", s.spi()));
                require(block.contains("src " + s.source().getHostAddress() + " dst "
                        + s.destination().getHostAddress()), "ip xfrm addresses:\n" + block);
                // iproute2 6.1 with -s: "reqid 362807297(0x15a00001)", "0xKEY (160 bits) 96"
                require(block.contains(String.format("reqid %d(0x%08x) mode tunnel", reqid, reqid))
                        && block.contains("replay-window 32"), "ip xfrm mode/reqid/replay:\n" + block);
                require(block.contains("auth-trunc hmac(sha1) 0x" + HexFormat.of().formatHex(AUTH, 0, 20)
                        + " (160 bits) 96"), "ip xfrm auth:\n" + block);
                require(block.contains("enc cbc(aes) 0x" + HexFormat.of().formatHex(ENC) + " (128 bits)"),
                        "ip xfrm enc:\n" + block);
                require(block.contains("sel src " + s.sourceSelector() + " dst " + s.destinationSelector()),
                        "ip xfrm selector:\n" + block);
                require(block.contains("expire add: soft 3240(sec), hard 3600(sec)"), "ip xfrm lifetimes:\n" + block);
            }
        });
        check("get one SA", () -> {
            XfrmMessage m = kernel.get(US, in.spi()).orElseThrow(() -> new AssertionError("GETSA found nothing"));
            require(((XfrmBody.SaInfo) m.body()).spi() == in.spi(), "GETSA spi");
            m.wipeKeys();
            require(kernel.get(US, 0x7777).isEmpty(), "GETSA of a missing SA");
        });
        check("errors name the message and the reason", () -> {
            try {
                kernel.install(sa(IpsecSa.Direction.OUT, 0x2345, US, PEER, Duration.ofSeconds(60),
                        EspIntegrity.HMAC_SHA1));
                throw new AssertionError("duplicate NEWSA accepted");
            } catch (XfrmException e) {
                System.out.println("  " + e.getMessage());
                require(e.errno() == 17 && e.getMessage().startsWith("XFRM_MSG_NEWSA proto 50 spi 0x00002345")
                        && e.getMessage().contains("File exists") && !e.getMessage().contains("00112233"),
                        e.getMessage());
            }
            try {
                kernel.delete(PEER, 0x7777);
                throw new AssertionError("DELSA of a missing SA accepted");
            } catch (XfrmException e) {
                System.out.println("  " + e.getMessage());
                require(e.errno() == 3 && e.getMessage().startsWith("XFRM_MSG_DELSA proto 50 spi 0x00007777"),
                        e.getMessage());
            }
        });
        check("RFC 4868 truncation: sha256 128, sha384 192, sha512 256 bits; md5 96", () -> {
            int spi = 0x3456;
            for (EspIntegrity i : List.of(EspIntegrity.HMAC_SHA2_256, EspIntegrity.HMAC_SHA2_384,
                    EspIntegrity.HMAC_SHA2_512, EspIntegrity.HMAC_MD5)) {
                kernel.install(sa(IpsecSa.Direction.OUT, spi, US, PEER, Duration.ofSeconds(60), i));
                String block = block(sh("ip xfrm state"), String.format("spi 0x%08x", spi));
                String auth = block.lines().filter(l -> l.contains("auth")).findFirst().orElse("?").trim();
                System.out.println("  " + auth);
                require(auth.equals("auth-trunc " + i.kernelName() + " 0x"
                        + HexFormat.of().formatHex(AUTH, 0, i.keyLength()) + " " + i.icvBits()), auth);
                kernel.delete(PEER, spi++);
            }
            require(kernel.supports(EspCipher.AES_CBC, 128, EspIntegrity.HMAC_SHA2_256), "sha256 refused");
            require(!kernel.supports(EspCipher.AES_CBC, 512, EspIntegrity.HMAC_SHA1), "aes512 accepted");
        });
        check("AEAD: rfc4106(gcm(aes)) with its ICV length", () -> {
            byte[] key = HexFormat.of().parseHex("00112233445566778899aabbccddeeff01020304");
            XfrmBody.SaInfo info = new XfrmBody.SaInfo(XfrmStruct.Selector.of(LOCAL, REMOTE), PEER, 0x3500,
                    Xfrm.IPPROTO_ESP, US, XfrmStruct.LifetimeCfg.seconds(50, 60), XfrmStruct.LifetimeCur.ZERO, 0, 0, 0,
                    0, 0x15a0fff0, Xfrm.AF_INET, Xfrm.MODE_TUNNEL, 32, 0);
            kernel.socket().request(XfrmMessage.of(Xfrm.MSG_NEWSA, 0, info,
                    new XfrmAttribute.Algorithm(Xfrm.XFRMA_ALG_AEAD, "rfc4106(gcm(aes))", 160, 96, key)));
            String block = block(sh("ip xfrm state"), "spi 0x00003500");
            require(block.contains("aead rfc4106(gcm(aes)) 0x" + HexFormat.of().formatHex(key) + " 96"), block);
            XfrmMessage m = kernel.get(PEER, 0x3500).orElseThrow();
            require(m.algorithm(Xfrm.XFRMA_ALG_AEAD).orElseThrow().extraBits() == 96, m.describe());
            m.wipeKeys();
            kernel.delete(PEER, 0x3500);
        });

        SpdTunnel tunnel = new SpdTunnel("lab", "net", US, PEER, LOCAL, REMOTE);
        check("policies out/in/fwd with an ESP tunnel template", () -> {
            kernel.addPolicy(tunnel);
            String pol = sh("ip xfrm policy");
            System.out.print(pol.indent(2));
            for (String dir : List.of("dir out", "dir in", "dir fwd")) {
                require(pol.contains(dir), dir + " missing:\n" + pol);
            }
            for (String dir : List.of("out", "in", "fwd")) {
                boolean out = dir.equals("out");
                String b = block(pol, "dir " + dir + " ");
                require(b.startsWith(out ? "src 10.1.0.0/16 dst 10.2.0.0/16" : "src 10.2.0.0/16 dst 10.1.0.0/16"),
                        "selector:\n" + b);
                require(b.contains(out ? "tmpl src 198.51.100.1 dst 198.51.100.2" : "tmpl src 198.51.100.2 dst 198.51.100.1")
                        && b.contains("proto esp reqid " + reqid + " mode tunnel"), "template:\n" + b);
                // /16 === /16: ranked below a nested host tunnel, above a 0/0 one
                require(b.contains("priority " + (SpdTunnel.PRIORITY_BASE - 32) + " "), "priority:\n" + b);
            }
            List<XfrmMessage> dump = kernel.dumpPolicies();
            require(dump.size() == 3, "policy dump has " + dump.size());
            for (XfrmMessage m : dump) {
                XfrmStruct.Template t = m.templates().orElseThrow().templates().get(0);
                require(t.reqid() == reqid && t.proto() == Xfrm.IPPROTO_ESP && t.mode() == Xfrm.MODE_TUNNEL,
                        "template " + t);
                writeVector("policy-" + Xfrm.directionName(((XfrmBody.PolicyInfo) m.body()).dir()), m, kernelBytes(m));
            }
        });
        check("the kernel counts what an SA carried (list-sas BYTES/PACKETS)", () -> {
            try (DatagramSocket d = new DatagramSocket(new InetSocketAddress(ip("10.1.0.1"), 0))) {
                byte[] b = "count me".getBytes(StandardCharsets.US_ASCII);
                for (int i = 0; i < 3; i++) {
                    d.send(new DatagramPacket(b, b.length, new InetSocketAddress(ip("10.2.0.1"), 9)));
                }
            }
            SaTraffic t = kernel.traffic().stream().filter(x -> x.spi() == outSa.spi()).findFirst()
                    .orElseThrow(() -> new AssertionError("no counters for spi " + outSa.spiHex()));
            // 3 x (IPv4 20 + UDP 8 + 8): the kernel counts the packets it encapsulated, before ESP
            require(t.packets() == 3 && t.bytes() == 3 * 36, "counters " + t);
        });
        check("sequence numbers: set (NEWAE), read (GETAE), streamed to AEVENTS every 2 packets", () -> {
            kernel.counters().report(2, Duration.ofMillis(500));
            kernel.delete(outSa); // again, now with thresholds: the first such SA also measures HZ
            kernel.install(outSa);
            // a new active gateway starts the SA above what the old one may have sent
            kernel.counters().set(PEER, outSa.spi(), ProtocolId.IPSEC_ESP, new ReplayState(1000, 0, 0));
            require(kernel.counters().read(PEER, outSa.spi(), ProtocolId.IPSEC_ESP).orElseThrow().replay()
                    .outbound() == 1000, "oseq not set");
            events.clear();
            try (DatagramSocket d = new DatagramSocket(new InetSocketAddress(ip("10.1.0.1"), 0))) {
                byte[] b = "number me".getBytes(StandardCharsets.US_ASCII);
                for (int i = 0; i < 3; i++) {
                    d.send(new DatagramPacket(b, b.length, new InetSocketAddress(ip("10.2.0.1"), 9)));
                }
            }
            KernelEvent.Counters c = null;
            for (long end = System.nanoTime() + 5_000_000_000L; c == null && System.nanoTime() < end; ) {
                KernelEvent e = events.poll(500, TimeUnit.MILLISECONDS);
                if (e instanceof KernelEvent.Counters x && x.spi() == outSa.spi() && x.replay().outbound() >= 1002) {
                    c = x;
                }
            }
            require(c != null, "no NEWAE event with oseq >= 1002 for spi " + outSa.spiHex());
            System.out.println("  " + c);
            KernelEvent.Counters now = kernel.counters().read(PEER, outSa.spi(), ProtocolId.IPSEC_ESP).orElseThrow();
            require(now.replay().outbound() == 1003 && now.packets() == 3, "after 3 packets: " + now);
            String state = block(sh("ip -s xfrm state"), String.format("spi 0x%08x", outSa.spi()));
            require(state.contains("oseq 0x3eb"), "ip -s xfrm state does not show oseq 1003:\n" + state);
            // and an inbound SA's window moves up to what the old active had received
            events.clear();
            kernel.counters().set(US, in.spi(), ProtocolId.IPSEC_ESP, new ReplayState(0, 500, 0xffffffff));
            ReplayState r = kernel.counters().read(US, in.spi(), ProtocolId.IPSEC_ESP).orElseThrow().replay();
            require(r.inbound() == 500 && r.window() == 0xffffffff, "inbound window " + r);
            // the kernel's echo of that NEWAE (XFRM_AE_CU) is dropped by the event socket's filter
            for (long end = System.nanoTime() + 1_000_000_000L; System.nanoTime() < end; ) {
                KernelEvent e = events.poll(200, TimeUnit.MILLISECONDS);
                require(!(e instanceof KernelEvent.Counters x && x.spi() == in.spi()), "echo of our NEWAE: " + e);
            }
            require(kernel.counters().read(PEER, 0x7777, ProtocolId.IPSEC_ESP).isEmpty(), "counters of no SA");
        });
        check("ACQUIRE when traffic hits the policy", () -> {
            // no outbound SA for the template yet: remove the one added above (same endpoints, reqid)
            kernel.delete(PEER, outSa.spi());
            events.clear();
            try (DatagramSocket d = new DatagramSocket(new InetSocketAddress(ip("10.1.0.1"), 0))) {
                byte[] b = "acquire me".getBytes(StandardCharsets.US_ASCII);
                try {
                    d.send(new DatagramPacket(b, b.length, new InetSocketAddress(ip("10.2.0.1"), 9)));
                } catch (IOException expected) {
                    System.out.println("  send: " + expected.getMessage() + " (larval drop)");
                }
            }
            KernelEvent e = events.poll(10, TimeUnit.SECONDS);
            while (e instanceof KernelEvent.Counters) { // the check before asked for counter reports
                e = events.poll(10, TimeUnit.SECONDS);
            }
            require(e instanceof KernelEvent.Acquire, "no ACQUIRE event, got " + e);
            KernelEvent.Acquire a = (KernelEvent.Acquire) e;
            System.out.println("  " + a);
            require(a.source().equals(US) && a.destination().equals(PEER), "endpoints " + a);
            require(a.localSelector().equals(Optional.of(LOCAL)) && a.remoteSelector().equals(Optional.of(REMOTE)),
                    "selectors " + a);
        });
        check("soft and hard EXPIRE for a short lifetime", () -> {
            events.clear();
            kernel.install(sa(IpsecSa.Direction.OUT, 0x4567, US, PEER, Duration.ofSeconds(3), EspIntegrity.HMAC_SHA1));
            KernelEvent.Expire soft = expire(0x4567, 15);
            require(!soft.hard(), "first EXPIRE was hard");
            KernelEvent.Expire hard = expire(0x4567, 15);
            require(hard.hard(), "second EXPIRE not hard");
            require(kernel.get(PEER, 0x4567).isEmpty(), "SA still there after its hard EXPIRE");
            long t0 = System.nanoTime();
            kernel.delete(PEER, 0x4567); // the engine's own timer may ask a moment later: quiet and quick
            require(System.nanoTime() - t0 < 2_000_000_000L, "delete after a hard EXPIRE took too long");
        });
        check("deleting while the kernel sends EXPIREs does not block", () -> {
            events.clear();
            long t0 = System.nanoTime();
            for (int i = 0; i < 10; i++) {
                kernel.install(sa(IpsecSa.Direction.OUT, 0x4600 + i, US, PEER, Duration.ofSeconds(1),
                        EspIntegrity.HMAC_SHA1));
            }
            Thread.sleep(900);
            for (int i = 0; i < 10; i++) {
                try {
                    kernel.delete(PEER, 0x4600 + i);
                } catch (XfrmException e) {
                    require(e.errno() == 3, e.getMessage()); // expired and gone before we could tell
                }
            }
            require(System.nanoTime() - t0 < 8_000_000_000L, "took " + (System.nanoTime() - t0) / 1e9 + " s");
            require(kernel.dumpSas().stream().noneMatch(m -> (((XfrmBody.SaInfo) m.body()).spi() & 0xff00) == 0x4600),
                    "SAs left");
        });
        check("delete everything we created", () -> {
            kernel.delete(US, in.spi());
            kernel.deletePolicy(tunnel);
            require(kernel.dumpSas().isEmpty(), "SAs left: " + kernel.dumpSas().size());
            require(kernel.dumpPolicies().isEmpty(), "policies left");
            String state = sh("ip xfrm state").strip();
            String pol = sh("ip xfrm policy").strip();
            require(state.isEmpty() && pol.isEmpty(), "ip xfrm not empty:\n" + state + "\n" + pol);
        });
        check("HA counter reports: thresholds on every SA; NEWAE rate of 32 busy SAs", () -> {
            int n = 32;
            int packets = 168; // 10 threshold reports; the last 8 packets only the timer reports
            int threshold = 16;
            kernel.counters().report(threshold, Duration.ofSeconds(1)); // what [ha] replay-* give the daemon
            List<SpdTunnel> policies = new ArrayList<>();
            List<IpsecSa> busy = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                SpdTunnel t = new SpdTunnel("lab", "busy" + i, US, PEER, LOCAL, Subnet.parse("10.2." + (100 + i) + ".0/24"));
                kernel.addPolicy(t);
                policies.add(t);
                IpsecSa sa = sa(IpsecSa.Direction.OUT, 0x4800 + i, US, PEER, Duration.ofHours(1), EspIntegrity.HMAC_SHA1,
                        "busy" + i);
                kernel.install(sa);
                busy.add(sa);
                XfrmMessage ae = kernel.socket().query(XfrmMessage.of(Xfrm.MSG_GETAE, 0, new XfrmBody.AeventId(PEER,
                        sa.spi(), Xfrm.AF_INET, Xfrm.IPPROTO_ESP, ip("0.0.0.0"), 1 | 8, 0)));
                int thresh = ae.find(Xfrm.XFRMA_REPLAY_THRESH).map(a -> ((XfrmAttribute.U32) a).value()).orElse(-1);
                int tenths = ae.find(Xfrm.XFRMA_ETIMER_THRESH).map(a -> ((XfrmAttribute.U32) a).value()).orElse(-1);
                require(thresh == threshold && tenths == 10, "SA " + sa.spiHex() + ": REPLAY_THRESH " + thresh
                        + ", ETIMER_THRESH " + tenths + " tenths of a second");
            }
            events.clear();
            long t0 = System.nanoTime();
            try (DatagramSocket d = new DatagramSocket(new InetSocketAddress(ip("10.1.0.1"), 0))) {
                byte[] b = "busy".getBytes(StandardCharsets.US_ASCII);
                for (int k = 0; k < packets; k++) {
                    for (int i = 0; i < n; i++) {
                        d.send(new DatagramPacket(b, b.length, new InetSocketAddress(ip("10.2." + (100 + i) + ".1"), 9)));
                    }
                }
            }
            double sending = (System.nanoTime() - t0) / 1e9;
            Thread.sleep(2500); // the timer reports of what moved after the last threshold report
            double window = (System.nanoTime() - t0) / 1e9;
            int[] perSa = new int[n];
            for (KernelEvent e; (e = events.poll()) != null;) {
                if (e instanceof KernelEvent.Counters c && c.spi() >= 0x4800 && c.spi() < 0x4800 + n) {
                    perSa[c.spi() - 0x4800]++;
                }
            }
            int total = Arrays.stream(perSa).sum();
            System.out.printf("  %d SAs x %d packets in %.2f s (%.0f packets/s per SA): %d NEWAE in %.1f s, per SA"
                    + " min %d max %d (threshold %d: %d from packets, then the timer's)%n", n, packets,
                    sending, packets / sending, total, window, Arrays.stream(perSa).min().orElse(0),
                    Arrays.stream(perSa).max().orElse(0), threshold, packets / threshold);
            require(Arrays.stream(perSa).allMatch(x -> x >= packets / threshold + 1 && x <= packets / threshold + 4),
                    "reports per SA " + Arrays.toString(perSa));
            for (int i = 0; i < n; i++) {
                kernel.delete(busy.get(i));
                kernel.deletePolicy(policies.get(i));
            }
            require(kernel.dumpSas().isEmpty() && kernel.dumpPolicies().isEmpty(), "left behind");
        });
        check("AH+ESP+IPComp bundle: SAs innermost first, templates, one delete for all", () -> {
            SpdTunnel bundled = new SpdTunnel("lab", "bundle", US, PEER, LOCAL, REMOTE, IpsecMode.TUNNEL, 500,
                    List.of(ProtocolId.IPSEC_AH, ProtocolId.IPSEC_ESP, ProtocolId.IPCOMP));
            kernel.addPolicy(bundled);
            int ahSpi = kernel.allocateSpi(ProtocolId.IPSEC_AH, PEER, US);
            int cpi = kernel.allocateSpi(ProtocolId.IPCOMP, PEER, US);
            require(cpi >= 0x100 && cpi <= 0xefff, String.format("CPI 0x%x outside 0x100..0xefff", cpi));
            int espSpi = kernel.allocateSpi(PEER, US);
            byte[] ahKey = Arrays.copyOf(AUTH, 32);
            IpsecSa bundleIn = sa(IpsecSa.Direction.IN, espSpi, PEER, US, Duration.ofSeconds(600),
                    EspIntegrity.HMAC_SHA1, "bundle");
            bundleIn = new IpsecSa(bundleIn.peer(), bundleIn.tunnel(), bundleIn.direction(), bundleIn.spi(),
                    bundleIn.source(), bundleIn.destination(), bundleIn.sourceSelector(),
                    bundleIn.destinationSelector(), bundleIn.cipher(), bundleIn.keyBits(), bundleIn.encryptionKey(),
                    bundleIn.integrity(), bundleIn.authenticationKey(), bundleIn.lifetime(), false, Optional.empty(),
                    IpsecMode.TUNNEL, 0, ProtocolId.IPSEC_ESP, List.of(new BundledSa(ProtocolId.IPSEC_AH, ahSpi,
                    EspIntegrity.HMAC_SHA2_256, SecretBytes.copyOf(ahKey)), BundledSa.ipcomp(cpi)), SoftLifetime.SHARE);
            kernel.install(bundleIn);
            String state = sh("ip xfrm state");
            System.out.print(state.indent(2));
            String comp = block(state, String.format("proto comp spi 0x%08x", cpi));
            require(comp.contains("mode tunnel") && comp.contains("comp deflate"), "IPComp SA:\n" + comp);
            String esp = block(state, String.format("proto esp spi 0x%08x", espSpi));
            require(esp.contains("mode transport") && esp.contains("enc cbc(aes)"), "ESP SA:\n" + esp);
            String ah = block(state, String.format("proto ah spi 0x%08x", ahSpi));
            require(ah.contains("mode transport") && ah.contains("auth-trunc hmac(sha256) 0x"
                    + HexFormat.of().formatHex(ahKey) + " 128") && !ah.contains("enc ") && ah.contains("align4"),
                    "AH SA (RFC 4302 s2.6 padding: align4):\n" + ah);
            // the kernel's IPIP helper for packets too small to compress (ipcomp_tunnel_attach)
            require(state.contains("proto 4 spi 0xc6336402"), "no IPIP helper SA:\n" + state);
            String pol = block(sh("ip xfrm policy"), "dir in ");
            System.out.print(pol.indent(2));
            int c = pol.indexOf("proto comp");
            int e = pol.indexOf("proto esp");
            int a = pol.indexOf("proto ah");
            require(c > 0 && c < e && e < a, "templates not IPComp, ESP, AH:\n" + pol);
            require(pol.contains("level use"), "inbound IPComp template not optional:\n" + pol);
            require(kernel.list().stream().anyMatch(x -> x.spi() == espSpi), "list() misses the bundle");
            kernel.delete(bundleIn);
            kernel.deletePolicy(bundled);
            String end = sh("ip xfrm state; ip xfrm policy").strip();
            require(end.isEmpty(), "bundle left:\n" + end);
        });
        check("other programs' SAs and policies: no events, not listed", () -> {
            events.clear();
            sh("ip xfrm state add src 198.51.100.2 dst 198.51.100.1 proto esp spi 0x5678 reqid 7 mode tunnel"
                    + " enc 'cbc(aes)' 0x000102030405060708090a0b0c0d0e0f auth-trunc 'hmac(sha1)'"
                    + " 0x0001020304050607080910111213141516171819 96 lifetime-soft 1 lifetime-hard 2");
            sh("ip xfrm state add src 198.51.100.1 dst 198.51.100.2 proto esp spi 0x5679 reqid 7 mode tunnel"
                    + " enc 'cbc(aes)' 0x000102030405060708090a0b0c0d0e0f auth-trunc 'hmac(sha1)'"
                    + " 0x0001020304050607080910111213141516171819 96");
            sh("ip xfrm policy add src 10.3.0.0/16 dst 10.4.0.0/16 dir out tmpl src 198.51.100.1 dst 198.51.100.2"
                    + " proto esp reqid 7 mode tunnel");
            KernelEvent e = events.poll(4, TimeUnit.SECONDS);
            require(e == null, "another program's SA expiring became an event: " + e);
            require(kernel.list().isEmpty(), "list() shows a foreign SA");
        });
        check("after a crash, a new instance removes ours and only ours", () -> {
            try (XfrmKernel crashed = new XfrmKernel(XfrmSocket.open(false))) {
                crashed.addPolicy(new SpdTunnel("lab", "net2", US, PEER, Subnet.parse("10.5.0.0/16"),
                        Subnet.parse("10.6.0.0/16")));
                // a transport-mode tunnel: 3 policies with templates and 4 template-less IKE bypasses
                crashed.addPolicy(new SpdTunnel("lab", "hosts", US, PEER, Subnet.host(US), Subnet.host(PEER),
                        IpsecMode.TRANSPORT, 500));
                int spi = crashed.allocateSpi(PEER, US);
                crashed.install(sa(IpsecSa.Direction.IN, spi, PEER, US, Duration.ofSeconds(600),
                        EspIntegrity.HMAC_SHA2_256, "net2"));
                crashed.install(sa(IpsecSa.Direction.OUT, 0x6001, US, PEER, Duration.ofSeconds(600),
                        EspIntegrity.HMAC_SHA2_256, "net2"));
                crashed.allocateSpi(PEER, US); // and a larval SA
            } // the "crash": its socket is gone, nothing was deleted
            // another program's template-less policy: no reqid, an index of the kernel's
            sh("ip xfrm policy add src 198.51.100.1/32 dst 198.51.100.2/32 proto udp sport 1701 dir out priority 0");
            String before = sh("ip xfrm state; ip xfrm policy");
            require(before.contains("spi 0x00006001") && before.contains("src 10.5.0.0/16"), "crash left nothing");
            require(before.contains("proto udp sport 4500"), "no bypass policies:\n" + before);
            try (XfrmKernel restarted = new XfrmKernel(XfrmSocket.open(false))) {
                long marked = restarted.dumpPolicies().stream().filter(m -> m.body() instanceof XfrmBody.PolicyInfo p
                        && XfrmKernel.isOurBypass(p.index())).count();
                require(marked == 4, "bypass policies with our index: " + marked);
                XfrmKernel.Leftovers l = restarted.removeLeftovers(); // what XfrmKernel.open() does first
                System.out.println("  " + l);
                require(l.sas() == 3 && l.policies() == 10, "expected 3 SAs and 10 policies, removed " + l);
                require(restarted.dumpSas().stream().noneMatch(m -> XfrmKernel.isOurs(((XfrmBody.SaInfo) m.body())
                        .reqid())), "SAs of ours left");
            }
            String after = sh("ip xfrm state; ip xfrm policy");
            System.out.print(after.indent(2));
            require(!after.contains("10.5.0.0/16") && !after.contains("spi 0x00006001")
                    && !after.contains("sport 500") && !after.contains("sport 4500") && !after.contains("mode transport"),
                    "leftovers stay:\n" + after);
            require(after.contains("proto udp sport 1701"), "another program's bypass policy was removed:\n" + after);
            require(after.contains("spi 0x00005679") && after.contains("src 10.3.0.0/16 dst 10.4.0.0/16"),
                    "a foreign SA or policy was removed:\n" + after);
            sh("ip xfrm state delete src 198.51.100.1 dst 198.51.100.2 proto esp spi 0x5679;"
                    + " ip xfrm policy delete src 10.3.0.0/16 dst 10.4.0.0/16 dir out;"
                    + " ip xfrm policy delete src 198.51.100.1/32 dst 198.51.100.2/32 proto udp sport 1701 dir out");
            String end = sh("ip xfrm state; ip xfrm policy").strip();
            require(end.isEmpty(), "ip xfrm not empty at the end:\n" + end);
        });
        check("every kernel message re-encodes to the same bytes", () -> {
            System.out.println("  " + roundTrips + " messages received");
            require(roundTrips > 10, "too few messages seen");
            require(roundTripFailures.isEmpty(), String.join("\n", roundTripFailures));
        });
    }

    /** The bytes each received message came from (to write them as vectors). */
    private final java.util.Map<XfrmMessage, byte[]> seen = java.util.Collections.synchronizedMap(
            new java.util.IdentityHashMap<>());

    byte[] kernelBytes(XfrmMessage m) {
        return seen.getOrDefault(m, new byte[0]);
    }

    KernelEvent.Expire expire(int spi, int seconds) throws InterruptedException {
        long end = System.nanoTime() + seconds * 1_000_000_000L;
        while (System.nanoTime() < end) {
            KernelEvent e = events.poll(500, TimeUnit.MILLISECONDS);
            if (e instanceof KernelEvent.Expire x && x.spi() == spi) {
                System.out.println("  " + (x.hard() ? "hard" : "soft") + " EXPIRE spi 0x" + x.spiHex());
                return x;
            }
        }
        throw new AssertionError("no EXPIRE for spi " + Integer.toHexString(spi) + " within " + seconds + " s");
    }

    static IpsecSa sa(IpsecSa.Direction dir, int spi, InetAddress src, InetAddress dst, Duration life,
            EspIntegrity integ) {
        return sa(dir, spi, src, dst, life, integ, "net");
    }

    static IpsecSa sa(IpsecSa.Direction dir, int spi, InetAddress src, InetAddress dst, Duration life,
            EspIntegrity integ, String tunnel) {
        boolean out = dir == IpsecSa.Direction.OUT;
        return new IpsecSa("lab", tunnel, dir, spi, src, dst, out ? LOCAL : REMOTE, out ? REMOTE : LOCAL,
                EspCipher.AES_CBC, 128, SecretBytes.copyOf(ENC), integ,
                SecretBytes.copyOf(Arrays.copyOf(AUTH, integ.keyLength())), life, false);
    }

    void writeVector(String name, XfrmMessage m, byte[] bytes) {
        try {
            Files.writeString(out.resolve("vectors").resolve(name + ".txt"),
                    "# " + m.describe() + "\n" + HexFormat.of().formatHex(bytes) + "\n");
        } catch (IOException e) {
            System.out.println("  cannot write vector " + name + ": " + e);
        }
    }

    static String sh(String cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("bash", "-c", cmd).redirectErrorStream(true).start();
        String s = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor();
        return s;
    }

    /** The `ip xfrm state` entry (header line plus indented lines) that contains {@code marker}. */
    static String block(String xfrm, String marker) {
        List<String> blocks = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        for (String l : xfrm.split("\n")) {
            if (l.startsWith("src ") && cur.length() > 0) {
                blocks.add(cur.toString());
                cur.setLength(0);
            }
            cur.append(l).append('\n');
        }
        blocks.add(cur.toString());
        return blocks.stream().filter(b -> b.contains(marker)).findFirst()
                .orElseThrow(() -> new AssertionError(marker + " not in ip xfrm state:\n" + xfrm));
    }

    static InetAddress ip(String s) {
        try {
            return InetAddress.getByName(s);
        } catch (IOException e) {
            throw new IllegalArgumentException(e);
        }
    }
}
