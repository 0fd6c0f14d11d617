package dev.isakmpd.pfkey.lab;

import dev.isakmpd.core.kernel.KernelEvent;
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
import dev.isakmpd.pfkey.PfKeyException;
import dev.isakmpd.pfkey.PfKeyKernel;
import dev.isakmpd.pfkey.Sadb;
import dev.isakmpd.pfkey.SadbCodec;
import dev.isakmpd.pfkey.SadbExtension;
import dev.isakmpd.pfkey.SadbMessage;
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

/**
 * The PF_KEY suite that runs INSIDE the kernel lab (scripts/lab/pfkey-suite.sh; from the host
 * {@code PfKeyLabIT} in {@code mvn verify}). Each check prints "PASS name" or "FAIL name: why";
 * the exit status is the number of failures. Kernel messages are also written as hex to
 * {@code OUT/vectors/} (test keys only), the source of the byte vectors in SadbCodecTest.
 *
 * <p>Set-up done by the script before the JVM starts: 10.1.0.1/32 on lo and a route to
 * 10.2.0.0/16 over lo, so that a datagram 10.1.0.1 -> 10.2.0.1 hits the tunnel policy.
 */
public final class PfKeyLabSuite {
    static final InetAddress US = ip("198.51.100.1");
    static final InetAddress PEER = ip("198.51.100.2");
    static final byte[] ENC = HexFormat.of().parseHex("00112233445566778899aabbccddeeff");
    static final byte[] AUTH = HexFormat.of().parseHex("0102030405060708090a0b0c0d0e0f1011121314");

    private final Path out;
    private final List<String> failures = new ArrayList<>();
    private final LinkedBlockingQueue<SadbMessage> raw = new LinkedBlockingQueue<>();
    private final LinkedBlockingQueue<KernelEvent> events = new LinkedBlockingQueue<>();
    private final List<String> roundTripFailures = new ArrayList<>();
    private int roundTrips;
    private PfKeyKernel kernel;

    PfKeyLabSuite(Path out) {
        this.out = out;
    }

    public static void main(String[] args) throws Exception {
        Path out = Path.of(args[0]);
        Files.createDirectories(out.resolve("vectors"));
        PfKeyLabSuite s = new PfKeyLabSuite(out);
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
        SadbCodec codec = SadbCodec.host();
        check("open", () -> {
            kernel = PfKeyKernel.open();
            kernel.socket().tap((bytes, m) -> {
                roundTrips++;
                byte[] again = codec.encode(m);
                if (!Arrays.equals(bytes, again)) {
                    roundTripFailures.add(m.describe() + "\n  kernel " + HexFormat.of().formatHex(bytes)
                            + "\n  ours   " + HexFormat.of().formatHex(again));
                }
                vector(m, bytes);
            });
            kernel.onMessage(raw::add);
            kernel.onEvent(events::add);
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
        check("register: ESP algorithms, no AEAD", () -> {
            // a second socket registers with the tap on, so the kernel's answer is kept as a vector
            try (PfKeyKernel second = new PfKeyKernel(dev.isakmpd.pfkey.PfKeySocket.open())) {
                second.socket().tap((bytes, m) -> {
                    if (m.type() == Sadb.REGISTER && m.pid() == second.socket().pid()) {
                        writeVector("register-reply", m, bytes);
                    }
                });
                second.register();
            }
            SadbMessage r = kernel.register();
            SadbExtension.Supported auth = kernel.supportedAuth();
            SadbExtension.Supported enc = kernel.supportedEncrypt();
            System.out.println("  auth " + auth.algs());
            System.out.println("  encrypt " + enc.algs());
            require(auth.find(Sadb.AALG_SHA1HMAC).isPresent(), "hmac(sha1) missing");
            require(enc.find(Sadb.X_EALG_AESCBC).map(a -> a.minBits() == 128 && a.maxBits() == 256).orElse(false),
                    "aes-cbc 128..256 missing");
            require(enc.find(Sadb.X_EALG_AES_GCM_ICV16).isEmpty(), "AES-GCM offered through PF_KEY");
            require(kernel.supports(EspCipher.AES_CBC, 128, EspIntegrity.HMAC_SHA1), "supports(aes128-sha1)");
            require(!kernel.supports(EspCipher.AES_CBC, 512, EspIntegrity.HMAC_SHA1), "supports(aes512)");
        });
        check("flush", () -> {
            kernel.flush();
            require(kernel.dump().isEmpty(), "SAD not empty after flush");
        });

        int[] inSpi = new int[1];
        check("getspi in a range", () -> {
            inSpi[0] = kernel.allocateSpi(PEER, US, 0x1000, 0x1fff);
            require(Integer.compareUnsigned(inSpi[0], 0x1000) >= 0 && Integer.compareUnsigned(inSpi[0], 0x1fff) <= 0,
                    String.format("spi 0x%x outside 0x1000..0x1fff", inSpi[0]));
            String xfrm = sh("ip xfrm state");
            require(xfrm.contains(String.format("spi 0x%08x", inSpi[0])), "larval SA not in ip xfrm state:\n" + xfrm);
        });
        IpsecSa in = sa(IpsecSa.Direction.IN, inSpi[0], PEER, US, Duration.ofSeconds(3600));
        IpsecSa outSa = sa(IpsecSa.Direction.OUT, 0x2345, US, PEER, Duration.ofSeconds(3600));
        check("update the GETSPI SA, add the outbound one", () -> {
            kernel.install(in);
            kernel.install(outSa);
        });
        check("dump finds exactly what was written", () -> {
            List<SadbMessage> dump = kernel.dump();
            require(dump.size() == 2, "dump has " + dump.size() + " SAs");
            for (IpsecSa s : List.of(in, outSa)) {
                SadbMessage m = dump.stream().filter(d -> d.find(SadbExtension.Sa.class).get().spi() == s.spi())
                        .findFirst().orElseThrow(() -> new AssertionError("spi " + s.spiHex() + " not dumped"));
                save("dump-" + s.direction().name().toLowerCase(), m);
                SadbExtension.Sa e = m.find(SadbExtension.Sa.class).get();
                require(e.auth() == Sadb.AALG_SHA1HMAC && e.encrypt() == Sadb.X_EALG_AESCBC, "algs " + e);
                require(e.state() == Sadb.SASTATE_MATURE, "state " + e.state());
                require(m.address(Sadb.EXT_ADDRESS_SRC).get().address().equals(s.source()), "src");
                require(m.address(Sadb.EXT_ADDRESS_DST).get().address().equals(s.destination()), "dst");
                require(m.lifetime(Sadb.EXT_LIFETIME_HARD).get().addtime() == 3600, "hard lifetime");
                require(m.lifetime(Sadb.EXT_LIFETIME_SOFT).get().addtime() == 3240, "soft lifetime");
                require(m.find(SadbExtension.Sa2.class).get().mode() == Sadb.IPSEC_MODE_TUNNEL, "mode");
                SadbExtension.Key ek = (SadbExtension.Key) m.find(Sadb.EXT_KEY_ENCRYPT).get();
                SadbExtension.Key ak = (SadbExtension.Key) m.find(Sadb.EXT_KEY_AUTH).get();
                require(Arrays.equals(ek.key(), ENC) && ek.bits() == 128, "encryption key differs");
                require(Arrays.equals(ak.key(), AUTH) && ak.bits() == 160, "authentication key differs");
                require(!m.describe().contains(HexFormat.of().formatHex(ENC)), "describe() leaks the key");
            }
            require(kernel.list().size() == 2, "list() " + kernel.list().size());
            String xfrm = sh("ip xfrm state");
            for (IpsecSa s : List.of(in, outSa)) {
                String block = block(xfrm, String.format("spi 0x%08x", s.spi()));
                require(block.contains("src " + s.source().getHostAddress() + " dst "
                        + s.destination().getHostAddress()), "ip xfrm addresses:\n" + block);
                require(block.contains("mode tunnel") && block.contains("reqid 0")
                        && block.contains("replay-window 32"), "ip xfrm mode/reqid/replay:\n" + block);
                require(block.contains("auth-trunc hmac(sha1) 0x" + HexFormat.of().formatHex(AUTH) + " 96"),
                        "ip xfrm auth:\n" + block);
                require(block.contains("enc cbc(aes) 0x" + HexFormat.of().formatHex(ENC)), "ip xfrm enc:\n" + block);
            }
        });
        check("get one SA", () -> {
            SadbMessage m = kernel.get(US, in.spi()).orElseThrow(() -> new AssertionError("GET found nothing"));
            require(m.find(SadbExtension.Sa.class).get().spi() == in.spi(), "GET spi");
            m.wipeKeys();
            require(kernel.get(US, 0x7777).isEmpty(), "GET of a missing SA");
        });
        check("errors name the message and the reason", () -> {
            try {
                kernel.install(sa(IpsecSa.Direction.OUT, 0x2345, US, PEER, Duration.ofSeconds(60)));
                throw new AssertionError("duplicate ADD accepted");
            } catch (PfKeyException e) {
                System.out.println("  " + e.getMessage());
                require(e.errno() == 17 && e.getMessage().contains("SADB_ADD ESP spi 0x00002345")
                        && e.getMessage().contains("File exists"), e.getMessage());
            }
            try {
                kernel.delete(PEER, 0x7777);
                throw new AssertionError("DELETE of a missing SA accepted");
            } catch (PfKeyException e) {
                System.out.println("  " + e.getMessage());
                require(e.getMessage().startsWith("SADB_DELETE ESP spi 0x00007777"), e.getMessage());
            }
        });
        check("SHA-2 through PF_KEY: sha256 is truncated to 96 bits, sha384/512 are not", () -> {
            int spi = 0x3456;
            for (EspIntegrity i : List.of(EspIntegrity.HMAC_SHA2_256, EspIntegrity.HMAC_SHA2_384,
                    EspIntegrity.HMAC_SHA2_512)) {
                kernel.install(sa(IpsecSa.Direction.OUT, spi, US, PEER, Duration.ofSeconds(60), i));
                String block = block(sh("ip xfrm state"), String.format("spi 0x%08x", spi));
                String auth = block.lines().filter(l -> l.contains("auth")).findFirst().orElse("?").trim();
                System.out.println("  " + auth);
                int expected = i == EspIntegrity.HMAC_SHA2_256 ? 96 : i.icvBits();
                require(auth.startsWith("auth-trunc " + i.kernelName()) && auth.endsWith(" " + expected), auth);
                kernel.delete(PEER, spi++);
            }
            require(!kernel.supports(EspCipher.AES_CBC, 128, EspIntegrity.HMAC_SHA2_256), "sha256 offered");
            require(kernel.supports(EspCipher.AES_CBC, 256, EspIntegrity.HMAC_SHA2_512), "sha512 not offered");
        });

        SpdTunnel tunnel = new SpdTunnel("lab", "net", US, PEER, Subnet.parse("10.1.0.0/16"),
                Subnet.parse("10.2.0.0/16"));
        check("SPD entries for a tunnel", () -> {
            kernel.addPolicy(tunnel);
            String pol = sh("ip xfrm policy");
            for (String dir : List.of("dir out", "dir in", "dir fwd")) {
                require(pol.contains(dir), dir + " missing:\n" + pol);
            }
            require(pol.contains("src 10.1.0.0/16 dst 10.2.0.0/16") && pol.contains("src 10.2.0.0/16 dst 10.1.0.0/16"),
                    "selectors:\n" + pol);
            require(pol.contains("tmpl src 198.51.100.1 dst 198.51.100.2") && pol.contains("proto esp")
                    && pol.contains("mode tunnel"), "template:\n" + pol);
            require(pol.split("priority " + tunnel.priority() + " ", -1).length == 4, "priorities:\n" + pol);
            List<SadbMessage> spd = kernel.spdDump();
            require(spd.size() == 3, "spddump has " + spd.size());
            spd.forEach(m -> save("spddump-dir" + m.find(SadbExtension.Policy.class).get().direction(), m));
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
        check("ACQUIRE when traffic hits the policy", () -> {
            // no outbound SA for the template yet: remove the one added above (same endpoints)
            kernel.delete(PEER, outSa.spi());
            events.clear();
            raw.clear();
            try (DatagramSocket d = new DatagramSocket(new InetSocketAddress(ip("10.1.0.1"), 0))) {
                byte[] b = "acquire me".getBytes(StandardCharsets.US_ASCII);
                try {
                    d.send(new DatagramPacket(b, b.length, new InetSocketAddress(ip("10.2.0.1"), 9)));
                } catch (IOException expected) {
                    System.out.println("  send: " + expected.getMessage() + " (larval drop)");
                }
            }
            KernelEvent e = events.poll(10, TimeUnit.SECONDS);
            require(e instanceof KernelEvent.Acquire, "no ACQUIRE event, got " + e);
            KernelEvent.Acquire a = (KernelEvent.Acquire) e;
            System.out.println("  " + a);
            require(a.source().equals(US) && a.destination().equals(PEER), "endpoints " + a);
            require(a.localSelector().equals(Optional.of(tunnel.local()))
                    && a.remoteSelector().equals(Optional.of(tunnel.remote())), "selectors " + a);
        });
        check("soft and hard EXPIRE for a short lifetime", () -> {
            events.clear();
            IpsecSa s = sa(IpsecSa.Direction.OUT, 0x4567, US, PEER, Duration.ofSeconds(3));
            kernel.install(s);
            KernelEvent.Expire soft = expire(0x4567, 15);
            require(!soft.hard(), "first EXPIRE was hard");
            KernelEvent.Expire hard = expire(0x4567, 15);
            require(hard.hard(), "second EXPIRE not hard");
            require(kernel.get(PEER, 0x4567).isEmpty(), "SA still there after its hard EXPIRE");
            // the engine's own lifetime timer may ask to delete it a moment later: quiet, and quick
            long t0 = System.nanoTime();
            kernel.delete(PEER, 0x4567);
            require(System.nanoTime() - t0 < 2_000_000_000L, "delete after a hard EXPIRE took too long");
        });
        check("deleting while the kernel sends EXPIREs does not block", () -> {
            // regression: the reader thread used to wait for the adapter's lock (held by a caller
            // waiting for the reader) when a hard EXPIRE crossed a DELETE; now 10 rounds run quickly
            events.clear();
            long t0 = System.nanoTime();
            for (int i = 0; i < 10; i++) {
                kernel.install(sa(IpsecSa.Direction.OUT, 0x4600 + i, US, PEER, Duration.ofSeconds(1)));
            }
            Thread.sleep(900);
            for (int i = 0; i < 10; i++) {
                try {
                    kernel.delete(PEER, 0x4600 + i);
                } catch (PfKeyException e) {
                    require(e.errno() == 3, e.getMessage()); // expired and gone before we could tell
                }
            }
            require(System.nanoTime() - t0 < 8_000_000_000L, "took " + (System.nanoTime() - t0) / 1e9 + " s");
            require(kernel.dump().stream().noneMatch(m -> (m.find(SadbExtension.Sa.class).get().spi() & 0xff00) == 0x4600),
                    "SAs left");
        });
        check("promiscuous mode shows other sockets' requests", () -> {
            raw.clear();
            kernel.promiscuous(true);
            try (PfKeyKernel other = new PfKeyKernel(dev.isakmpd.pfkey.PfKeySocket.open())) {
                other.install(sa(IpsecSa.Direction.OUT, 0x6789, US, PEER, Duration.ofSeconds(60)));
                other.delete(PEER, 0x6789);
            } finally {
                kernel.promiscuous(false);
            }
            List<SadbMessage> seen = new ArrayList<>();
            raw.drainTo(seen);
            long adds = seen.stream().filter(m -> m.type() == Sadb.ADD
                    && m.find(SadbExtension.Sa.class).map(x -> x.spi() == 0x6789).orElse(false)).count();
            System.out.println("  " + seen.size() + " messages seen, " + adds + " SADB_ADD for spi 0x6789");
            require(adds >= 2, "expected the request copy and the kernel's broadcast, saw " + adds);
        });
        check("other programs' messages are seen but are no events", () -> {
            events.clear();
            raw.clear();
            sh("ip xfrm state add src 198.51.100.2 dst 198.51.100.1 proto esp spi 0x5678 reqid 0 mode tunnel"
                    + " enc 'cbc(aes)' 0x000102030405060708090a0b0c0d0e0f auth 'hmac(sha1)'"
                    + " 0x0001020304050607080910111213141516171819");
            // the reply to the previous check's promiscuous(false) may still be on its way: skip other types
            long end = System.nanoTime() + 10_000_000_000L;
            SadbMessage m;
            do {
                m = raw.poll(Math.max(0, end - System.nanoTime()), TimeUnit.NANOSECONDS);
            } while (m != null && m.type() != Sadb.ADD);
            require(m != null && m.find(SadbExtension.Sa.class).map(x -> x.spi() == 0x5678).orElse(false),
                    "no broadcast ADD of spi 0x5678, got " + m);
            require(events.poll(500, TimeUnit.MILLISECONDS) == null, "an ADD became an event");
            SadbMessage d = kernel.get(US, 0x5678).orElseThrow();
            save("get-ip-xfrm-added", d);
            kernel.delete(US, 0x5678);
        });
        check("delete everything we created", () -> {
            kernel.delete(US, in.spi());
            kernel.deletePolicy(tunnel);
            require(kernel.dump().isEmpty(), "SAs left: " + kernel.dump());
            require(kernel.spdDump().isEmpty(), "policies left");
            String state = sh("ip xfrm state").strip();
            String pol = sh("ip xfrm policy").strip();
            require(state.isEmpty() && pol.isEmpty(), "ip xfrm not empty:\n" + state + "\n" + pol);
        });
        check("AH+ESP+IPComp bundle: SAs innermost first, ipsecrequests, one delete for all", () -> {
            SpdTunnel bundled = new SpdTunnel("lab", "bundle", US, PEER, Subnet.parse("10.1.0.0/16"),
                    Subnet.parse("10.2.0.0/16"), IpsecMode.TUNNEL, 500,
                    List.of(ProtocolId.IPSEC_AH, ProtocolId.IPSEC_ESP, ProtocolId.IPCOMP));
            kernel.addPolicy(bundled);
            int ahSpi = kernel.allocateSpi(ProtocolId.IPSEC_AH, PEER, US);
            int cpi = kernel.allocateSpi(ProtocolId.IPCOMP, PEER, US);
            require(cpi >= 0x100 && cpi <= 0xefff, String.format("CPI 0x%x outside 0x100..0xefff", cpi));
            int espSpi = kernel.allocateSpi(PEER, US);
            IpsecSa esp = sa(IpsecSa.Direction.IN, espSpi, PEER, US, Duration.ofSeconds(600));
            IpsecSa bundleIn = new IpsecSa(esp.peer(), "bundle", esp.direction(), esp.spi(), esp.source(),
                    esp.destination(), esp.sourceSelector(), esp.destinationSelector(), esp.cipher(), esp.keyBits(),
                    esp.encryptionKey(), esp.integrity(), esp.authenticationKey(), esp.lifetime(), false,
                    Optional.empty(), IpsecMode.TUNNEL, 0, ProtocolId.IPSEC_ESP, List.of(new BundledSa(
                    ProtocolId.IPSEC_AH, ahSpi, EspIntegrity.HMAC_SHA1, SecretBytes.copyOf(AUTH)),
                    BundledSa.ipcomp(cpi)), SoftLifetime.SHARE);
            kernel.install(bundleIn);
            String state = sh("ip xfrm state");
            System.out.print(state.indent(2));
            String comp = block(state, String.format("proto comp spi 0x%08x", cpi));
            require(comp.contains("mode tunnel") && comp.contains("comp deflate"), "IPComp SA:\n" + comp);
            String espBlock = block(state, String.format("proto esp spi 0x%08x", espSpi));
            require(espBlock.contains("mode transport") && espBlock.contains("enc cbc(aes)"), "ESP SA:\n" + espBlock);
            String ah = block(state, String.format("proto ah spi 0x%08x", ahSpi));
            require(ah.contains("mode transport") && ah.contains("hmac(sha1) 0x" + HexFormat.of().formatHex(AUTH))
                    && !ah.contains("enc "), "AH SA:\n" + ah);
            String pol = block(sh("ip xfrm policy"), "dir in ");
            System.out.print(pol.indent(2));
            int c = pol.indexOf("proto comp");
            int e = pol.indexOf("proto esp");
            int a = pol.indexOf("proto ah");
            require(c > 0 && c < e && e < a && pol.contains("level use"), "ipsecrequests not IPComp (use), ESP, AH:\n"
                    + pol);
            require(kernel.list().stream().anyMatch(x -> x.spi() == espSpi), "list() misses the bundle");
            kernel.delete(bundleIn);
            kernel.deletePolicy(bundled);
            String end = sh("ip xfrm state; ip xfrm policy").strip();
            require(end.isEmpty(), "bundle left:\n" + end);
        });
        check("every kernel message re-encodes to the same bytes", () -> {
            System.out.println("  " + roundTrips + " messages received");
            require(roundTrips > 10, "too few messages seen");
            require(roundTripFailures.isEmpty(), String.join("\n", roundTripFailures));
        });
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

    static IpsecSa sa(IpsecSa.Direction dir, int spi, InetAddress src, InetAddress dst, Duration life) {
        return sa(dir, spi, src, dst, life, EspIntegrity.HMAC_SHA1);
    }

    static IpsecSa sa(IpsecSa.Direction dir, int spi, InetAddress src, InetAddress dst, Duration life,
            EspIntegrity integ) {
        byte[] auth = Arrays.copyOf(AUTH, integ.keyLength());
        return new IpsecSa("lab", "net", dir, spi, src, dst, Subnet.parse("10.1.0.0/16"), Subnet.parse("10.2.0.0/16"),
                EspCipher.AES_CBC, 128, SecretBytes.copyOf(ENC), integ, SecretBytes.copyOf(auth), life, false);
    }

    /** Kernel messages as hex; only test keys are in them. */
    private final java.util.Map<String, String> pendingVectors = new java.util.concurrent.ConcurrentHashMap<>();

    void vector(SadbMessage m, byte[] bytes) {
        String name = "recv-" + Sadb.messageName(m.type()).toLowerCase()
                + (m.find(Sadb.EXT_LIFETIME_SOFT).isPresent() && m.type() == Sadb.EXPIRE ? "-soft" : "")
                + (m.find(Sadb.EXT_LIFETIME_HARD).isPresent() && m.type() == Sadb.EXPIRE ? "-hard" : "");
        if (m.type() == Sadb.ACQUIRE || m.type() == Sadb.EXPIRE || m.type() == Sadb.REGISTER) {
            writeVector(name, m, bytes);
        }
        pendingVectors.put(m.describe(), HexFormat.of().formatHex(bytes));
    }

    void save(String name, SadbMessage m) {
        String hex = pendingVectors.get(m.describe());
        if (hex != null) {
            writeVector(name, m, HexFormat.of().parseHex(hex));
        }
    }

    void writeVector(String name, SadbMessage m, byte[] bytes) {
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
