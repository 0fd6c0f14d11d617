package dev.isakmpd.core.exchange;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.isakmpd.core.registry.ExchangeType;
import dev.isakmpd.core.wire.IsakmpHeader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
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
        for (Datagram d : p.net().delivered) {
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

    /** The HASH payload of the last phase-1 message a node received with one, from its debug dump. */
    private static String receivedHash(SimulatedNetwork.Node n) {
        String dump = n.log.stream().filter(l -> l.matches("(?s).*received (AGGRESSIVE|IDENTITY_PROTECTION) \\[ [^]]*HASH.*"))
                .reduce((x, y) -> y).orElseThrow(() -> new AssertionError(n.name + " received no HASH"));
        Matcher m = Pattern.compile("Hash \\(\\d+ bytes\\): ([0-9a-f]+)").matcher(dump);
        assertTrue(m.find(), dump);
        return m.group(1);
    }
}
