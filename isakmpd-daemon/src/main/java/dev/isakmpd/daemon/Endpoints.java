package dev.isakmpd.daemon;

import dev.isakmpd.core.policy.Addresses;
import java.net.Inet6Address;
import java.net.InetSocketAddress;

/** UDP endpoints written the way the configuration file takes them: "192.0.2.1:500", "[2001:db8::1]:500". */
public final class Endpoints {
    private Endpoints() {
    }

    public static String format(InetSocketAddress a) {
        String host = Addresses.format(a.getAddress());
        return (a.getAddress() instanceof Inet6Address ? "[" + host + "]" : host) + ":" + a.getPort();
    }
}
