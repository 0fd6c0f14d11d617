package dev.isakmpd.daemon.it;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;

/** Free unprivileged UDP ports on loopback addresses, for daemons started by the tests. */
final class Ports {
    private Ports() {
    }

    static int freeUdp(String address) {
        try (DatagramSocket s = new DatagramSocket(new InetSocketAddress(address, 0))) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
