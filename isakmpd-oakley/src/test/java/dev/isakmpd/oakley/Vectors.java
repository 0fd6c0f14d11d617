package dev.isakmpd.oakley;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.HexFormat;

/**
 * Reads vectors/oakley-kat.txt, the verbatim output of scripts/oakley-vectors.py (an independent
 * Python stdlib computation). Sections are "[name]"; entries "key = value".
 */
final class Vectors {
    private static final Map<String, Map<String, String>> SECTIONS = load("/vectors/oakley-kat.txt", "/vectors/rfc-dh-vectors.txt");

    private final String section;
    private final Map<String, String> values;

    private Vectors(String section) {
        this.section = section;
        this.values = SECTIONS.get(section);
        if (values == null) {
            throw new IllegalArgumentException("no section [" + section + "] in vector file");
        }
    }

    static Vectors section(String name) {
        return new Vectors(name);
    }

    String get(String key) {
        String v = values.get(key);
        if (v == null) {
            throw new IllegalArgumentException("no key " + key + " in [" + section + "]");
        }
        return v;
    }

    byte[] bytes(String key) {
        return HexFormat.of().parseHex(get(key));
    }

    int integer(String key) {
        return Integer.parseInt(get(key));
    }

    BigInteger bigHex(String key) {
        return new BigInteger(get(key), 16);
    }

    static byte[] hex(String s) {
        return HexFormat.of().parseHex(s.replaceAll("\\s+", ""));
    }

    static String hex(byte[] b) {
        return HexFormat.of().formatHex(b);
    }

    private static Map<String, Map<String, String>> load(String... resources) {
        Map<String, Map<String, String>> all = new HashMap<>();
        for (String r : resources) {
            all.putAll(load1(r));
        }
        return all;
    }

    private static Map<String, Map<String, String>> load1(String resource) {
        Map<String, Map<String, String>> out = new HashMap<>();
        try (InputStream in = Vectors.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("missing test resource " + resource);
            }
            BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
            Map<String, String> current = null;
            for (String line = r.readLine(); line != null; line = r.readLine()) {
                line = line.strip();
                if (line.isEmpty() || line.startsWith("#")) {
                    continue;
                }
                if (line.startsWith("[") && line.endsWith("]")) {
                    current = new LinkedHashMap<>();
                    out.put(line.substring(1, line.length() - 1), current);
                    continue;
                }
                int eq = line.indexOf(" = ");
                if (current == null || eq < 0) {
                    throw new IllegalStateException("malformed vector line: " + line);
                }
                current.put(line.substring(0, eq), line.substring(eq + 3));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }
}
