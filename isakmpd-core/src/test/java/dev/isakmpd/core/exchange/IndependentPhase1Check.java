package dev.isakmpd.core.exchange;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.isakmpd.core.registry.ExchangeType;
import dev.isakmpd.core.wire.IsakmpHeader;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * HASH_I and HASH_R of a phase-1 exchange between two engines, as scripts/phase1-check.py (the
 * Python standard library and openssl, no code of ours) computes them from the unencrypted
 * messages on the wire, compared with the HASHes each engine accepted from the other.
 */
final class IndependentPhase1Check {
    private IndependentPhase1Check() {
    }

    /**
     * Runs the script on the phase-1 messages of {@code p} (a initiated) with {@code args}, and
     * asserts that its HASH_R is the one a received and its HASH_I the one b received.
     *
     * @return everything the script computed
     */
    static Map<String, String> assertSameHashes(EngineScenarioTest.Pair p, String... args) throws Exception {
        StringBuilder wire = new StringBuilder();
        for (Datagram d : joinFragments(p.net().delivered)) {
            byte[] b = d.data();
            int type = b[18] & 0xff;
            if ((type == ExchangeType.IDENTITY_PROTECTION.value() || type == ExchangeType.AGGRESSIVE.value())
                    && (b[19] & IsakmpHeader.FLAG_ENCRYPTION) == 0) {
                wire.append(d.remote().equals(p.a().address) ? "i " : "r ").append(HexFormat.of().formatHex(b))
                        .append('\n');
            }
        }
        List<String> cmd = new ArrayList<>(List.of("/usr/bin/python3", "../scripts/phase1-check.py"));
        cmd.addAll(List.of(args));
        Process proc = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        proc.getOutputStream().write(wire.toString().getBytes(StandardCharsets.US_ASCII));
        proc.getOutputStream().close();
        String out = new String(proc.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
        assertEquals(0, proc.waitFor(), out);
        Map<String, String> values = new HashMap<>();
        for (String line : out.split("\n")) {
            String[] kv = line.split(" = ");
            values.put(kv[0], kv[1]);
        }
        // each side's debug dump of the peer's decrypted proof message: HASH_R at a, HASH_I at b
        assertEquals(values.get("hash_r"), receivedHash(p.a()), values::toString);
        assertEquals(values.get("hash_i"), receivedHash(p.b()), values::toString);
        return values;
    }

    /**
     * The datagrams with IKE fragments (payload 132) replaced by the messages they carry, each
     * once, where its last missing fragment arrived: fragment data at offset 36 (28-octet header,
     * 8-octet fragment header: ID at 32, number at 34, LAST_FRAGMENT flag at 35), joined by
     * number.
     */
    private static List<Datagram> joinFragments(List<Datagram> delivered) {
        List<Datagram> whole = new ArrayList<>();
        Map<String, Map<Integer, byte[]>> pieces = new HashMap<>();
        Map<String, Integer> lastNumber = new HashMap<>();
        for (Datagram d : delivered) {
            byte[] b = d.data();
            if ((b[16] & 0xff) != 132) {
                whole.add(d);
                continue;
            }
            String key = d.remote() + " " + HexFormat.of().formatHex(b, 0, 16) + " " + (((b[32] & 0xff) << 8)
                    | (b[33] & 0xff));
            Map<Integer, byte[]> got = pieces.computeIfAbsent(key, k -> new HashMap<>());
            got.put(b[34] & 0xff, Arrays.copyOfRange(b, 36, b.length));
            if ((b[35] & 1) != 0) {
                lastNumber.put(key, b[34] & 0xff);
            }
            Integer last = lastNumber.get(key);
            if (last != null && got.size() == last) {
                ByteArrayOutputStream m = new ByteArrayOutputStream();
                for (int n = 1; n <= last; n++) {
                    m.writeBytes(got.get(n));
                }
                whole.add(new Datagram(d.local(), d.remote(), m.toByteArray()));
                pieces.remove(key);
                lastNumber.remove(key);
            }
        }
        return whole;
    }

    /** The HASH payload of the last phase-1 message a node received with one, from its debug dump. */
    private static String receivedHash(SimulatedNetwork.Node n) {
        String dump = n.log.stream().filter(l -> l.matches("(?s).*received (AGGRESSIVE|IDENTITY_PROTECTION) \\[ [^]]*HASH.*"))
                .reduce((x, y) -> y).orElseThrow(() -> new AssertionError(n.name + " received no HASH"));
        Matcher m = Pattern.compile("Hash \\(\\d+ bytes\\): ([0-9a-f]+)").matcher(dump);
        assertTrue(m.find(), dump);
        return m.group(1);
    }
}
