package dev.isakmpd.daemon.runtime;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.List;

/**
 * The datagrams the kernel dropped on our UDP sockets because their receive buffer was full:
 * the last column ("drops") of Linux's /proc/net/udp and /proc/net/udp6, whose local address is
 * written as the kernel holds it (each 32-bit word in host byte order, little-endian here).
 * Where the files do not exist (the BSDs) it counts nothing.
 */
final class UdpDrops {
    private final List<InetSocketAddress> endpoints;
    private final Path procNet;

    UdpDrops(List<InetSocketAddress> endpoints) {
        this(endpoints, Path.of("/proc/net"));
    }

    UdpDrops(List<InetSocketAddress> endpoints, Path procNet) {
        this.endpoints = List.copyOf(endpoints);
        this.procNet = procNet;
    }

    /** Drops so far on our sockets, summed. */
    long total() {
        long sum = 0;
        for (String file : List.of("udp", "udp6")) {
            List<String> lines;
            try {
                lines = Files.readAllLines(procNet.resolve(file));
            } catch (IOException e) {
                continue;
            }
            for (String line : lines) {
                String[] f = line.trim().split("\\s+");
                if (f.length < 13 || !f[0].endsWith(":")) {
                    continue; // the header
                }
                for (InetSocketAddress e : endpoints) {
                    if (f[1].equalsIgnoreCase(kernelForm(e))) {
                        try {
                            sum += Long.parseLong(f[f.length - 1]);
                        } catch (NumberFormatException ex) {
                            // a layout we do not know: count nothing
                        }
                    }
                }
            }
        }
        return sum;
    }

    /** "0100007F:01F4" for 127.0.0.1:500. */
    static String kernelForm(InetSocketAddress e) {
        byte[] a = e.getAddress().getAddress();
        byte[] swapped = new byte[a.length];
        for (int word = 0; word < a.length; word += 4) {
            for (int i = 0; i < 4; i++) {
                swapped[word + i] = a[word + 3 - i];
            }
        }
        String port = String.format("%04X", e.getPort());
        return HexFormat.of().withUpperCase().formatHex(swapped) + ":" + port;
    }
}
