package dev.isakmpd.core.policy;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;

/** Address literals from configuration: never resolved through DNS. */
public final class Addresses {
    private Addresses() {
    }

    /** Parses an IPv4 or IPv6 literal; names are refused so that start-up never blocks on DNS. */
    public static InetAddress parseLiteral(String text) {
        String t = text.trim();
        boolean v4 = t.matches("\\d{1,3}(\\.\\d{1,3}){3}");
        boolean v6 = t.contains(":") && t.matches("[0-9A-Fa-f:.]+");
        if (!v4 && !v6) {
            throw new IllegalArgumentException("'" + text + "' is not an IP address literal");
        }
        try {
            return InetAddress.getByName(t);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("'" + text + "' is not an IP address literal");
        }
    }

    /** Parses "192.0.2.1", "192.0.2.1:500", "[2001:db8::1]:500" or "2001:db8::1" with a default port. */
    public static InetSocketAddress parseEndpoint(String text, int defaultPort) {
        String t = text.trim();
        String host = t;
        int port = defaultPort;
        if (t.startsWith("[")) {
            int close = t.indexOf(']');
            if (close < 0) {
                throw new IllegalArgumentException("missing ']' in '" + text + "'");
            }
            host = t.substring(1, close);
            if (close + 1 < t.length()) {
                if (t.charAt(close + 1) != ':') {
                    throw new IllegalArgumentException("bad endpoint '" + text + "'");
                }
                port = parsePort(t.substring(close + 2), text);
            }
        } else if (t.indexOf(':') >= 0 && t.indexOf(':') == t.lastIndexOf(':')) {
            host = t.substring(0, t.indexOf(':'));
            port = parsePort(t.substring(t.indexOf(':') + 1), text);
        }
        return new InetSocketAddress(parseLiteral(host), port);
    }

    private static int parsePort(String p, String whole) {
        try {
            int port = Integer.parseInt(p);
            if (port < 1 || port > 65535) {
                throw new NumberFormatException();
            }
            return port;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("bad port in '" + whole + "'");
        }
    }
}
