package dev.isakmpd.core.exchange;

import java.net.InetSocketAddress;

/** A UDP datagram as the transport hands it to the engine or takes it from it. */
public record Datagram(InetSocketAddress local, InetSocketAddress remote, byte[] data) {
    public Datagram {
        data = data.clone();
    }

    @Override
    public byte[] data() {
        return data.clone();
    }

    int length() {
        return data.length;
    }

    byte[] rawData() {
        return data;
    }

    @Override
    public String toString() {
        return "Datagram[" + local + " <-> " + remote + ", " + data.length + " bytes]";
    }
}
