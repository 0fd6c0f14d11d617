package dev.isakmpd.core.wire;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Independent check (issue 3): every message kind the encoder produces ({@link MessageCatalog}) and our re-encoding
 * of every captured strongSwan message is written to a pcap with {@link PcapWriter} and dissected by tshark
 * (Debian package, installed by scripts/install-deps.sh). tshark must dissect every frame as ISAKMP with no
 * malformed-packet mark and no expert info of severity warning or error, must see the same payload types
 * (including nested P and T) in the same order and the same length, good UDP checksums, and the same values in
 * the fields listed in {@link #FIELDS} (ID types, notify types, protocols, transform IDs, certificate encodings,
 * mode-config types and attribute classes, # of SPIs). Fails if tshark is missing.
 * The pcap is kept as target/wire-tshark/messages.pcap for inspection in Wireshark.
 */
class TsharkCheckTest {
    /** Wireshark's expert severities (epan/proto.h PI_WARN / PI_ERROR). */
    private static final long PI_WARN = 0x00600000L;

    private record Frame(String name, byte[] datagram, List<Integer> payloadTypes) {
    }

    @Test
    void tsharkDissectsEveryMessageCleanly() throws Exception {
        List<Frame> frames = new ArrayList<>();
        for (Map.Entry<String, IsakmpMessage> e : new MessageCatalog().messages().entrySet()) {
            byte[] bytes = e.getValue().encode();
            frames.add(new Frame(e.getKey(), bytes, flatten(IsakmpMessage.decode(bytes).payloads())));
        }
        for (Vectors.Entry v : Vectors.all()) {
            IsakmpHeader h = v.header();
            List<Payload> payloads;
            if (!h.encrypted()) {
                payloads = IsakmpMessage.decode(v.datagram()).payloads();
                if (payloads.get(0) instanceof FragmentPayload) {
                    continue; // strongSwan's fragments: tshark would reassemble them with ours; covered by the catalog
                }
            } else if (v.decrypted() != null) {
                payloads = PayloadCodec.decode(h.nextPayload(), v.decrypted(), 0, v.decrypted().length).payloads();
            } else {
                continue;
            }
            // our encoding of what strongSwan sent, in plaintext form (as a daemon logs it decrypted)
            IsakmpMessage plain = new IsakmpMessage(h.withFlags(h.flags() & ~IsakmpHeader.FLAG_ENCRYPTION), payloads);
            frames.add(new Frame("re-encoded " + v, plain.encode(), flatten(payloads)));
        }

        Path dir = Path.of("target", "wire-tshark");
        Files.createDirectories(dir);
        Path pcap = dir.resolve("messages.pcap");
        InetSocketAddress[][] endpoints = {
            {sock("192.0.2.1", 500), sock("198.51.100.2", 500)},
            {sock("2001:db8::1", 500), sock("2001:db8::2", 500)},
            {sock("192.0.2.1", 4500), sock("203.0.113.5", 4500)},   // NAT-T framing with the non-ESP marker
            {sock("2001:db8::1", 4500), sock("2001:db8::2", 4500)},
        };
        Instant t = Instant.parse("2026-11-27T08:00:00Z");
        try (OutputStream out = Files.newOutputStream(pcap); PcapWriter w = new PcapWriter(out)) {
            for (int i = 0; i < frames.size(); i++) {
                // fragments of one message share the endpoints, so tshark reassembles them
                int k = frames.get(i).name().startsWith("FRAGMENT") ? 2 : i;
                InetSocketAddress[] ep = endpoints[k % endpoints.length];
                w.write(t.plusMillis(i), ep[k / endpoints.length % 2], ep[1 - k / endpoints.length % 2],
                        frames.get(i).datagram());
            }
        }

        List<String> lines = tshark(pcap, "-o", "udp.check_checksum:TRUE", "-o", "ip.check_checksum:TRUE",
                "-T", "fields", "-E", "separator=|", "-E", "occurrence=a",
                "-E", "aggregator=,", "-e", "frame.number", "-e", "isakmp.typepayload", "-e", "isakmp.length",
                "-e", "_ws.malformed", "-e", "_ws.expert.severity", "-e", "_ws.expert.message",
                "-e", "udp.checksum.status", "-e", "isakmp.id.type", "-e", "isakmp.notify.msgtype",
                "-e", "isakmp.prop.protoid", "-e", "isakmp.trans.id", "-e", "isakmp.cert.encoding",
                "-e", "isakmp.certreq.type", "-e", "isakmp.cfg.type", "-e", "isakmp.cfg.attr.type",
                "-e", "isakmp.spinum");
        assertEquals(frames.size(), lines.size(), "tshark frames:\n" + String.join("\n", lines));
        List<String> problems = new ArrayList<>();
        for (int i = 0; i < frames.size(); i++) {
            Frame f = frames.get(i);
            String[] col = (lines.get(i) + "|||||||||||||||||").split("\\|", -1);
            String where = "frame " + (i + 1) + " " + f.name() + ": ";
            List<Integer> types = new ArrayList<>();
            for (String s : col[1].split(",")) {
                if (!s.isEmpty()) {
                    types.add(Integer.parseInt(s));
                }
            }
            if (types.isEmpty()) {
                problems.add(where + "tshark did not dissect it as ISAKMP");
                continue;
            }
            // tshark may add the payloads of a reassembled message after the fragment's own
            List<Integer> own = types.subList(0, Math.min(types.size(), f.payloadTypes().size()));
            if (!own.equals(f.payloadTypes())) {
                problems.add(where + "payload types " + types + ", ours " + f.payloadTypes());
            }
            String firstLength = col[2].split(",")[0];
            if (!firstLength.equals(Integer.toString(f.datagram().length))) {
                problems.add(where + "length " + col[2] + ", ours " + f.datagram().length);
            }
            if (!col[6].equals("1")) { // PcapWriter's UDP checksum, verified by tshark (1 = good)
                problems.add(where + "UDP checksum status " + col[6]);
            }
            List<String> ours = fields(IsakmpMessage.decode(f.datagram()).payloads());
            for (int k = 0; k < FIELDS.size(); k++) {
                if (!col[7 + k].equals(ours.get(k))) {
                    problems.add(where + FIELDS.get(k) + " tshark [" + col[7 + k] + "], ours [" + ours.get(k) + "]");
                }
            }
            if (!col[3].isEmpty()) {
                problems.add(where + "malformed: " + col[5]);
            }
            String[] severities = col[4].isEmpty() ? new String[0] : col[4].split(",");
            String[] messages = col[5].split(",");
            for (int k = 0; k < severities.length; k++) {
                long sev = Long.decode(severities[k].trim());
                if (sev >= PI_WARN) {
                    problems.add(where + "expert " + severities[k] + ": " + (k < messages.length ? messages[k] : ""));
                }
            }
        }
        if (!problems.isEmpty()) {
            fail(problems.size() + " problem(s) in " + pcap + ":\n" + String.join("\n", problems));
        }
        assertTrue(frames.size() > 60, "frames " + frames.size());
    }

    /** Fields compared with tshark's dissection, in the order of the -e options after udp.checksum.status. */
    private static final List<String> FIELDS = List.of("ID type", "notify type", "proposal protocol",
            "transform ID", "CERT encoding", "CR type", "ATTR type", "ATTR attribute types", "# of SPIs");

    /** Our values of {@link #FIELDS} for one message, comma-joined per field in wire order. */
    static List<String> fields(List<Payload> payloads) {
        List<List<Integer>> v = new ArrayList<>();
        for (int k = 0; k < FIELDS.size(); k++) {
            v.add(new ArrayList<>());
        }
        for (Payload p : payloads) {
            if (p instanceof IdentificationPayload id) {
                v.get(0).add(id.idType().value());
            } else if (p instanceof NatOriginalAddressPayload oa) {
                v.get(0).add(oa.idType().value()); // tshark shows NAT-OA's ID type as isakmp.id.type too
            } else if (p instanceof NotificationPayload n) {
                v.get(1).add(n.notifyType().value());
            } else if (p instanceof SaPayload sa) {
                for (ProposalPayload prop : sa.proposals()) {
                    v.get(2).add(prop.protocolId().value());
                    prop.transforms().forEach(t -> v.get(3).add(t.transformId()));
                }
            } else if (p instanceof CertificatePayload c) {
                v.get(4).add(c.encoding().value());
            } else if (p instanceof CertificateRequestPayload cr) {
                v.get(5).add(cr.encoding().value());
            } else if (p instanceof AttributePayload a) {
                v.get(6).add(a.messageType().value());
                a.attributes().forEach(x -> v.get(7).add(x.type()));
            } else if (p instanceof DeletePayload d) {
                v.get(8).add(d.count());
            }
        }
        List<String> out = new ArrayList<>();
        for (List<Integer> l : v) {
            out.add(String.join(",", l.stream().map(String::valueOf).toList()));
        }
        return out;
    }

    /** Top-level and nested payload types in wire order, as tshark lists isakmp.typepayload. */
    static List<Integer> flatten(List<Payload> payloads) {
        List<Integer> out = new ArrayList<>();
        for (Payload p : payloads) {
            out.add(p.type().value());
            if (p instanceof SaPayload sa) {
                for (ProposalPayload prop : sa.proposals()) {
                    out.add(prop.type().value());
                    for (TransformPayload t : prop.transforms()) {
                        out.add(t.type().value());
                    }
                }
            }
        }
        return out;
    }

    private static InetSocketAddress sock(String host, int port) throws IOException {
        return new InetSocketAddress(InetAddress.getByName(host), port);
    }

    static List<String> tshark(Path pcap, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("tshark", "-n", "-r", pcap.toString()));
        cmd.addAll(Arrays.asList(args));
        Process p;
        try {
            p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        } catch (IOException notInstalled) {
            throw new AssertionError("tshark is needed for this test (Debian package tshark; "
                    + "scripts/install-deps.sh installs it): " + notInstalled.getMessage(), notInstalled);
        }
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new AssertionError("tshark failed: " + cmd);
        }
        List<String> lines = new ArrayList<>();
        for (String l : new String(out, StandardCharsets.UTF_8).split("\n")) {
            if (!l.isBlank()) {
                lines.add(l);
            }
        }
        return lines;
    }

    /** The checker itself can fail: a payload length running past the message is reported by tshark. */
    @Test
    void tsharkFlagsAMalformedMessage() throws Exception {
        byte[] good = new MessageCatalog().messages().get("MM3").encode();
        byte[] bad = good.clone();
        bad[IsakmpHeader.LENGTH + 3] = (byte) 0xF0; // KE payload length 0x01F0 > what is left
        Path pcap = Files.createDirectories(Path.of("target", "wire-tshark")).resolve("malformed.pcap");
        try (OutputStream out = Files.newOutputStream(pcap); PcapWriter w = new PcapWriter(out)) {
            w.write(Instant.EPOCH, sock("192.0.2.1", 500), sock("192.0.2.2", 500), good);
            w.write(Instant.EPOCH, sock("192.0.2.1", 500), sock("192.0.2.2", 500), bad);
        }
        List<String> lines = tshark(pcap, "-T", "fields", "-E", "separator=|", "-e", "frame.number",
                "-e", "_ws.malformed", "-e", "_ws.expert.severity");
        assertEquals(2, lines.size(), String.join("\n", lines));
        assertEquals("1||", lines.get(0));
        assertTrue(lines.get(1).matches("2\\|.+"), "tshark did not flag the bad message: " + lines.get(1));
    }
}
