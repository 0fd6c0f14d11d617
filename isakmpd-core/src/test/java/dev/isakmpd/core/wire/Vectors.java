package dev.isakmpd.core.wire;

import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * The captured test vectors in src/test/resources/vectors (see the README there for their origin): one entry per
 * ISAKMP datagram, with the decrypted body when the capture's keys were known.
 */
public final class Vectors {
    /** Vector files, each a capture of real peers. */
    public static final List<String> FILES = List.of(
            "strongswan-5.9.8-loopback.txt",
            "strongswan-5.9.8-lab-selftest-pfs.txt",
            "libreswan-4.10-vs-strongswan-5.9.8.txt");

    /**
     * One datagram.
     *
     * @param decrypted the body after the 28-byte header as decrypted by tshark (with CBC padding), or null
     * @param message   the whole message {@code decrypted} belongs to: the datagram itself, or for the last fragment
     *                  of a fragmented message the reassembled message (ike-fragmentation-notes.md)
     */
    public record Entry(String file, int frame, String info, byte[] datagram, byte[] decrypted, byte[] message) {
        @Override
        public String toString() {
            return file + " frame " + frame + " (" + info + ")";
        }

        /** The header of {@link #message()}. */
        public IsakmpHeader header() throws WireException {
            return IsakmpHeader.decode(message);
        }
    }

    private Vectors() {
    }

    public static List<Entry> all() {
        List<Entry> out = new ArrayList<>();
        for (String f : FILES) {
            out.addAll(load(f));
        }
        return out;
    }

    public static List<Entry> load(String file) {
        InputStream in = Vectors.class.getResourceAsStream("/vectors/" + file);
        if (in == null) {
            throw new IllegalStateException("missing test resource /vectors/" + file);
        }
        List<String[]> raw = new ArrayList<>(); // frame line, datagram hex, decrypted hex or null
        try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.US_ASCII))) {
            for (String line = r.readLine(); line != null; line = r.readLine()) {
                if (line.startsWith("frame ")) {
                    raw.add(new String[] {line, null, null});
                } else if (line.startsWith("datagram ")) {
                    raw.get(raw.size() - 1)[1] = line.substring(9).trim();
                } else if (line.startsWith("decrypted ")) {
                    raw.get(raw.size() - 1)[2] = line.substring(10).trim();
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        HexFormat hex = HexFormat.of();
        Map<String, ByteArrayOutputStream> fragments = new HashMap<>();
        List<Entry> out = new ArrayList<>();
        for (String[] e : raw) {
            String[] parts = e[0].split(" ", 3);
            String info = parts[2];
            byte[] datagram = hex.parseHex(e[1]);
            byte[] message = datagram;
            // a fragment datagram: header next payload 132, then one FRAGMENT payload (id, number, flags, data)
            if (datagram.length > 36 && (datagram[16] & 0xFF) == 132) {
                String direction = info.substring(0, info.indexOf(' ', info.indexOf("->") + 3));
                String key = direction + "#" + (((datagram[32] & 0xFF) << 8) | (datagram[33] & 0xFF));
                ByteArrayOutputStream buf = fragments.computeIfAbsent(key, k -> new ByteArrayOutputStream());
                buf.write(datagram, 36, datagram.length - 36);
                if ((datagram[35] & 1) != 0) {
                    message = fragments.remove(key).toByteArray();
                }
            }
            out.add(new Entry(file, Integer.parseInt(parts[1]), info, datagram,
                    e[2] != null ? hex.parseHex(e[2]) : null, message));
        }
        return out;
    }

    /** The entry of a file's frame. */
    public static Entry frame(String file, int frame) {
        return load(file).stream().filter(e -> e.frame() == frame).findFirst()
                .orElseThrow(() -> new IllegalArgumentException(file + " has no frame " + frame));
    }
}
