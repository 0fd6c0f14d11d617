package dev.isakmpd.daemon.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.isakmpd.core.kernel.InMemoryKernel;
import dev.isakmpd.core.policy.Addresses;
import dev.isakmpd.core.registry.CertEncoding;
import dev.isakmpd.core.registry.ExchangeType;
import dev.isakmpd.core.registry.IdType;
import dev.isakmpd.core.registry.NotifyType;
import dev.isakmpd.core.wire.CertificatePayload;
import dev.isakmpd.core.wire.CertificateRequestPayload;
import dev.isakmpd.core.wire.IdentificationPayload;
import dev.isakmpd.core.wire.IsakmpHeader;
import dev.isakmpd.core.wire.KeyExchangePayload;
import dev.isakmpd.core.wire.NoncePayload;
import dev.isakmpd.core.wire.NotificationPayload;
import dev.isakmpd.core.wire.Payload;
import dev.isakmpd.core.wire.PayloadCodec;
import dev.isakmpd.core.wire.SaPayload;
import dev.isakmpd.core.wire.SignaturePayload;
import dev.isakmpd.core.wire.WireException;
import dev.isakmpd.daemon.config.ConfigLoader;
import dev.isakmpd.daemon.config.DaemonConfig;
import dev.isakmpd.daemon.runtime.Daemon;
import dev.isakmpd.daemon.runtime.DaemonStatus;
import dev.isakmpd.daemon.runtime.SaPairing;
import java.io.ByteArrayInputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.parallel.Isolated;

/**
 * A daemon authenticating with certificates is sent hostile phase-1 messages over loopback UDP
 * while a legitimate peer negotiates with it: certificates that do not parse, are expired, come
 * from a CA it does not trust or lack the digitalSignature key usage, a signature that does not
 * verify, an unsupported CERT encoding, the largest CERT payload a datagram carries, and floods
 * of CERTREQs. Each gets its own log line and, where RFC 2408 s5 says to answer, the notify on
 * the wire; no exception escapes, the daemon's state stays bounded, and the legitimate peer's
 * tunnel comes up.
 *
 * <p>The attacker answers the daemon's Aggressive Mode AM1 with forged AM2s (its CERT and SIG
 * travel in the clear there, so no keys are needed to reach the certificate checks), and sends
 * AM1s of its own carrying CERTREQs.
 */
@Isolated
class HostileCertificatesIT {
    private static final Path PKI = Path.of("../isakmpd-core/src/test/resources/pki");
    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final SecureRandom RANDOM = new SecureRandom();

    @TempDir
    Path dir;

    private final List<Daemon> started = new ArrayList<>();

    @AfterEach
    void stopAll() throws InterruptedException {
        for (Daemon d : started) {
            d.stop(Duration.ofSeconds(5));
        }
    }

    @Test
    void hostileCertificatesAreRefusedOneByOneAndTheLegitimatePeerComesUp() throws Exception {
        String target = "127.0.0.1:" + Ports.freeUdp("127.0.0.1");
        String good = "127.0.0.2:" + Ports.freeUdp("127.0.0.2");
        Path key = dir.resolve("target.key.pem");
        Files.copy(PKI.resolve("gw-a.key.pem"), key);
        Files.setPosixFilePermissions(key, PosixFilePermissions.fromString("rw-------"));
        try (LogCapture log = LogCapture.attach(); DatagramSocket attacker = new DatagramSocket(
                new InetSocketAddress("127.0.0.4", 0))) {
            attacker.setSoTimeout(200);
            String attackerAt = "127.0.0.4:" + attacker.getLocalPort();
            Daemon t = start("target", Configs.daemon(target, null)
                    + Configs.peer("good", target, good, "the right key", false, "10.1.0.0/16", "10.2.0.0/16")
                    + "\n[peers.attacker]\nlocal = \"" + target + "\"\nremote = \"" + attackerAt + "\"\n"
                    + "auth = \"pubkey\"\ncertificate = \"" + PKI.resolve("gw-a.chain.pem") + "\"\n"
                    + "private-key = \"" + key + "\"\nca = [\"" + PKI.resolve("root.crt.pem") + "\"]\n"
                    + "aggressive = true\nike = [\"aes128-sha256-modp2048\"]\nauto = \"start\"\n"
                    + "[peers.attacker.tunnels.net]\nlocal-subnet = \"10.1.0.0/16\"\nremote-subnet = \"10.4.0.0/16\"\n"
                    + "esp = [\"aes128-sha1\"]\npfs = \"modp2048\"\n");
            InetSocketAddress to = Addresses.parseEndpoint(target, 500);
            Daemon g = start("good", Configs.daemon(good, null)
                    + Configs.peer("target", good, target, "the right key", true, "10.2.0.0/16", "10.1.0.0/16"));

            byte[] am1 = receive(attacker, ExchangeType.AGGRESSIVE).orElseThrow(() -> new AssertionError(
                    "the target sent no AM1" + log.dump()));
            Am2 forge = new Am2(am1);
            X509Certificate gwB = certificate("gw-b.crt.pem");
            X509Certificate intermediate = certificate("intermediate.crt.pem");

            byte[] garbage = new byte[600];
            RANDOM.nextBytes(garbage);
            refused(log, attacker, to, forge.with(gwB, List.of(new CertificatePayload(CertEncoding.X509_SIGNATURE,
                    garbage))), NotifyType.INVALID_CERTIFICATE, "a 600-byte certificate does not parse as X.509",
                    "a certificate that does not parse");
            refused(log, attacker, to, forge.with(certificate("expired.crt.pem"), intermediate),
                    NotifyType.INVALID_CERTIFICATE, "certificate '[^']*expired.example.org[^']*' refused: .*expired",
                    "an expired certificate");
            refused(log, attacker, to, forge.with(certificate("rogue-gw-b.crt.pem")), NotifyType.INVALID_CERT_AUTHORITY,
                    "certificate '[^']*gw-b.example.org[^']*' refused: .*", "a certificate from a CA we do not trust");
            refused(log, attacker, to, forge.with(certificate("nosign.crt.pem"), intermediate),
                    NotifyType.INVALID_CERTIFICATE, "certificate '[^']*nosign.example.org[^']*' refused: .*key usage",
                    "a certificate without digitalSignature");
            refused(log, attacker, to, forge.with(gwB, intermediate), NotifyType.INVALID_SIGNATURE,
                    "the signature over HASH_R does not verify with the key of '[^']*gw-b.example.org[^']*'",
                    "a signature that does not verify");
            refused(log, attacker, to, forge.with(gwB, List.of(new CertificatePayload(CertEncoding.PKCS7_X509,
                    gwB.getEncoded()))), NotifyType.CERT_TYPE_UNSUPPORTED, "certificate encoding .*PKCS #7.* is "
                    + "not supported", "an unsupported CERT encoding");
            byte[] largest = forge.largestCertificate(gwB);
            assertTrue(largest.length > 65_000, "a CERT payload of about 64 KiB: " + largest.length);
            refused(log, attacker, to, largest, NotifyType.INVALID_CERTIFICATE, "a \\d{5}-byte certificate does not "
                    + "parse", "the largest CERT payload a datagram carries");
            List<Payload> tooManyRequests = new ArrayList<>(forge.payloads(gwB, List.of(
                    new CertificatePayload(CertEncoding.X509_SIGNATURE, gwB.getEncoded()))));
            for (int i = 0; i < 17; i++) {
                tooManyRequests.add(new CertificateRequestPayload(CertEncoding.X509_SIGNATURE, new byte[0]));
            }
            refused(log, attacker, to, forge.encode(tooManyRequests), NotifyType.PAYLOAD_MALFORMED,
                    "AM2 carries 17 or more CERTREQ payloads; at most 16 allowed", "a CERTREQ flood in one message");

            // a flood of AM1s, each with 16 CERTREQs: each is answered, but half-open state is capped
            int mark = log.mark();
            for (int i = 0; i < 300; i++) {
                send(attacker, to, aggressiveAm1(am1, 16));
            }
            expect(log, mark, "target", "half-open Main Mode limit reached \\(64 per address", "the AM1 flood");
            int flood = mark;
            assertTrue(Poll.until(() -> log.since(flood).stream().filter(l -> l.message().contains(
                    "Aggressive Mode: responding to '127.0.0.4'")).count() == 300), "every AM1 answered" + log.dump());
            // 64 half-open from the attacker's address, its own exchange, the good peer's ISAKMP SA
            assertTrue(t.status().isakmp().size() <= 64 + 2, "half-open state bounded: " + t.status().isakmp().size());

            assertTrue(Poll.until(() -> tunnelUp(g.status(), "target") && tunnelUp(t.status(), "good")),
                    "the legitimate peer got no tunnel" + log.dump());
            assertEquals(List.of(), SaPairing.mismatches("good", g.status().table(), "target", t.status().table()));
            // an exception escaping the engine is logged at ERROR ("engine failed ...") by the event loop
            assertEquals(List.of(), log.since(0).stream().filter(l -> l.level().equals("ERROR")).toList(),
                    "nothing escaped" + log.dump());
        }
    }

    /** Sends {@code datagram} and expects the target's log line and, on the wire, its notify. */
    private static void refused(LogCapture log, DatagramSocket attacker, InetSocketAddress to, byte[] datagram,
            NotifyType notify, String regex, String what) throws Exception {
        int mark = log.mark();
        send(attacker, to, datagram);
        expect(log, mark, "target", "dropped message: (authentication failed: )?" + regex + ".*\\(notify " + notify
                + "\\)", what);
        Instant deadline = Instant.now().plus(WAIT);
        while (Instant.now().isBefore(deadline)) {
            Optional<byte[]> info = receive(attacker, ExchangeType.INFORMATIONAL);
            if (info.isPresent() && notifyOf(info.get()).equals(Optional.of(notify))) {
                return;
            }
        }
        throw new AssertionError("no " + notify + " on the wire for " + what);
    }

    /**
     * The forged answers to the target's AM1: its SA echoed (one proposal, one transform), a KE
     * of the group's length, a nonce, the ID of the certificate shown, and a SIG that is only bytes.
     */
    private static final class Am2 {
        final IsakmpHeader am1Header;
        final SaPayload sa;
        final byte[] responderCookie = new byte[8];

        Am2(byte[] am1) throws WireException {
            am1Header = IsakmpHeader.decode(am1);
            sa = (SaPayload) PayloadCodec.decode(am1Header.nextPayload(), am1, IsakmpHeader.LENGTH,
                    am1Header.length() - IsakmpHeader.LENGTH).payloads().get(0);
            RANDOM.nextBytes(responderCookie);
        }

        List<Payload> payloads(X509Certificate idOf, List<CertificatePayload> certs) {
            byte[] ke = new byte[256];
            ke[255] = 2;
            byte[] nonce = new byte[32];
            RANDOM.nextBytes(nonce);
            byte[] sig = new byte[256];
            RANDOM.nextBytes(sig);
            List<Payload> p = new ArrayList<>(List.of(sa, new KeyExchangePayload(ke), new NoncePayload(nonce),
                    new IdentificationPayload(IdType.DER_ASN1_DN, 0, 0, idOf.getSubjectX500Principal().getEncoded())));
            p.addAll(certs);
            p.add(new SignaturePayload(sig));
            return p;
        }

        byte[] with(X509Certificate idOf, List<CertificatePayload> certs) {
            return encode(payloads(idOf, certs));
        }

        byte[] with(X509Certificate... chain) throws Exception {
            List<CertificatePayload> certs = new ArrayList<>();
            for (X509Certificate c : chain) {
                certs.add(new CertificatePayload(CertEncoding.X509_SIGNATURE, c.getEncoded()));
            }
            return with(chain[0], certs);
        }

        /** An AM2 whose CERT payload fills a UDP datagram over IPv4 (65,507 bytes) to the last byte. */
        byte[] largestCertificate(X509Certificate idOf) {
            int rest = with(idOf, List.of(new CertificatePayload(CertEncoding.X509_SIGNATURE, new byte[1]))).length - 1;
            byte[] body = new byte[65_507 - rest];
            RANDOM.nextBytes(body);
            body[0] = 0x30; // an ASN.1 SEQUENCE that ends too soon
            return with(idOf, List.of(new CertificatePayload(CertEncoding.X509_SIGNATURE, body)));
        }

        byte[] encode(List<Payload> payloads) {
            return datagram(am1Header.initiatorCookie(), responderCookie, ExchangeType.AGGRESSIVE, payloads);
        }
    }

    /** An AM1 with a fresh CKY-I, the target's own SA and group, an IP ID and {@code requests} CERTREQs. */
    private static byte[] aggressiveAm1(byte[] targetsAm1, int requests) throws WireException {
        IsakmpHeader h = IsakmpHeader.decode(targetsAm1);
        SaPayload sa = (SaPayload) PayloadCodec.decode(h.nextPayload(), targetsAm1, IsakmpHeader.LENGTH,
                h.length() - IsakmpHeader.LENGTH).payloads().get(0);
        byte[] ke = new byte[256];
        RANDOM.nextBytes(ke);
        ke[0] = 0x7f;
        byte[] nonce = new byte[32];
        RANDOM.nextBytes(nonce);
        List<Payload> p = new ArrayList<>(List.of(sa, new KeyExchangePayload(ke), new NoncePayload(nonce),
                new IdentificationPayload(IdType.IPV4_ADDR, 0, 0, new byte[] {127, 0, 0, 4})));
        for (int i = 0; i < requests; i++) {
            p.add(new CertificateRequestPayload(CertEncoding.X509_SIGNATURE, new byte[0]));
        }
        byte[] cookie = new byte[8];
        RANDOM.nextBytes(cookie);
        return datagram(cookie, new byte[8], ExchangeType.AGGRESSIVE, p);
    }

    private static byte[] datagram(byte[] ckyI, byte[] ckyR, ExchangeType type, List<Payload> payloads) {
        byte[] body = PayloadCodec.encode(payloads);
        byte[] header = IsakmpHeader.create(ckyI, ckyR, type, 0, 0)
                .withNextPayload(PayloadCodec.firstType(payloads)).withLength(IsakmpHeader.LENGTH + body.length)
                .encode();
        byte[] d = Arrays.copyOf(header, header.length + body.length);
        System.arraycopy(body, 0, d, header.length, body.length);
        return d;
    }

    /** The next datagram of exchange {@code type} the attacker receives, if one comes within 200 ms. */
    private static Optional<byte[]> receive(DatagramSocket s, ExchangeType type) throws Exception {
        Instant deadline = Instant.now().plus(WAIT);
        byte[] buf = new byte[65_536];
        while (Instant.now().isBefore(deadline)) {
            DatagramPacket p = new DatagramPacket(buf, buf.length);
            try {
                s.receive(p);
            } catch (SocketTimeoutException e) {
                if (type.equals(ExchangeType.INFORMATIONAL)) {
                    return Optional.empty();
                }
                continue;
            }
            byte[] d = Arrays.copyOf(p.getData(), p.getLength());
            if (d.length >= IsakmpHeader.LENGTH && (d[18] & 0xff) == type.value()) {
                return Optional.of(d);
            }
        }
        return Optional.empty();
    }

    private static Optional<NotifyType> notifyOf(byte[] d) throws WireException {
        IsakmpHeader h = IsakmpHeader.decode(d);
        return PayloadCodec.decode(h.nextPayload(), d, IsakmpHeader.LENGTH, h.length() - IsakmpHeader.LENGTH)
                .payloads().stream().filter(NotificationPayload.class::isInstance)
                .map(n -> ((NotificationPayload) n).notifyType()).findFirst();
    }

    private static X509Certificate certificate(String file) throws Exception {
        return (X509Certificate) CertificateFactory.getInstance("X.509")
                .generateCertificate(new ByteArrayInputStream(Files.readAllBytes(PKI.resolve(file))));
    }

    private Daemon start(String name, String config) throws Exception {
        DaemonConfig c = ConfigLoader.parse(config, name + ".toml", Path.of("."));
        Daemon d = Daemon.start(c, new InMemoryKernel(), name);
        started.add(d);
        return d;
    }

    private static void send(DatagramSocket s, InetSocketAddress to, byte[] data) throws Exception {
        s.send(new DatagramPacket(data, data.length, to));
    }

    private static void expect(LogCapture log, int mark, String thread, String regex, String what) throws Exception {
        Optional<LogCapture.Line> line = log.await(mark, thread, regex, WAIT);
        assertTrue(line.isPresent(), "no log line matching /" + regex + "/ for " + what + log.dump());
    }

    private static boolean tunnelUp(DaemonStatus s, String peer) {
        return s.esp().stream().filter(sa -> sa.peer().equals(peer)).count() >= 2;
    }


}
