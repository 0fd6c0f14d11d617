package dev.isakmpd.core.policy;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;

/**
 * An address prefix used as a traffic selector (IDci/IDcr of Quick Mode, RFC 2409 s5.5), with the
 * IP protocol and port an IPsec ID may carry beside it (RFC 2407 s4.6.2: 0 is any). A port needs a
 * protocol: "udp/1701" for L2TP (RFC 3193 s5), "udp/%any" for any port.
 */
public record Subnet(InetAddress network, int prefixLength, int protocol, int port) {

    /** The protocol number of UDP, which L2TP/IPsec selects. */
    public static final int UDP = 17;
    /** The protocol number of TCP. */
    public static final int TCP = 6;

    public Subnet {
        if (protocol < 0 || protocol > 255) {
            throw new IllegalArgumentException("protocol " + protocol + " out of range 0..255");
        }
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port " + port + " out of range 0..65535");
        }
        if (port != 0 && protocol == 0) {
            throw new IllegalArgumentException("port " + port + " without a protocol");
        }
        int max = network.getAddress().length * 8;
        if (prefixLength < 0 || prefixLength > max) {
            throw new IllegalArgumentException("prefix length " + prefixLength + " out of range 0.." + max);
        }
        byte[] masked = mask(network.getAddress(), prefixLength);
        if (!Arrays.equals(masked, network.getAddress())) {
            throw new IllegalArgumentException(Addresses.format(network) + "/" + prefixLength + " has host bits set");
        }
    }

    /** Any protocol and port. */
    public Subnet(InetAddress network, int prefixLength) {
        this(network, prefixLength, 0, 0);
    }

    /** The same prefix for this protocol and port only (0: any). */
    public Subnet withProtocolPort(int proto, int p) {
        return new Subnet(network, prefixLength, proto, p);
    }

    /** The same prefix for any protocol and port. */
    public Subnet addressesOnly() {
        return new Subnet(network, prefixLength);
    }

    /** Whether it selects one protocol (and maybe one port) rather than all traffic. */
    public boolean hasProtocolPort() {
        return protocol != 0;
    }

    /**
     * Parses a protocol and port as strongSwan's leftprotoport writes them: "udp/1701", "17/1701",
     * "udp/%any" or "udp" (any port), "tcp/443". Returns {protocol, port}.
     */
    public static int[] parseProtocolPort(String text) {
        int slash = text.indexOf('/');
        String proto = slash < 0 ? text : text.substring(0, slash);
        String port = slash < 0 ? "%any" : text.substring(slash + 1);
        int pr = switch (proto) {
            case "udp" -> UDP;
            case "tcp" -> TCP;
            default -> number(proto, "protocol", 1, 255, text);
        };
        int po = port.equals("%any") ? 0 : number(port, "port", 1, 65535, text);
        return new int[] {pr, po};
    }

    private static int number(String s, String what, int min, int max, String text) {
        try {
            int n = Integer.parseInt(s);
            if (n >= min && n <= max) {
                return n;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException("bad " + what + " '" + s + "' in '" + text + "' (expected udp, tcp or "
                + min + ".." + max + (what.equals("port") ? ", or %any" : "") + ")");
    }

    /** Parses "10.1.0.0/16", "2001:db8::/32" or a bare address (a host selector). */
    public static Subnet parse(String text) {
        int slash = text.indexOf('/');
        String addr = slash < 0 ? text : text.substring(0, slash);
        InetAddress a = Addresses.parseLiteral(addr);
        int max = a.getAddress().length * 8;
        int prefix;
        if (slash < 0) {
            prefix = max;
        } else {
            try {
                prefix = Integer.parseInt(text.substring(slash + 1));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("bad prefix length in '" + text + "'");
            }
        }
        return new Subnet(a, prefix);
    }

    public static Subnet host(InetAddress a) {
        return new Subnet(a, a.getAddress().length * 8);
    }

    public boolean isIpv4() {
        return network instanceof Inet4Address;
    }

    /** Whether {@code a} (of the same family) lies in this prefix. */
    public boolean contains(InetAddress a) {
        byte[] b = a.getAddress();
        return b.length == network.getAddress().length && Arrays.equals(mask(b, prefixLength), network.getAddress());
    }

    /**
     * Whether some packet matches both: for prefixes, one then contains the other; protocols and
     * ports must agree where both name one.
     */
    public boolean overlaps(Subnet other) {
        return (contains(other.network) || other.contains(network)) && agrees(protocol, other.protocol)
                && agrees(port, other.port);
    }

    /** Whether every packet {@code other} matches lies in this prefix, and its protocol and port. */
    public boolean encloses(Subnet other) {
        return prefixLength <= other.prefixLength && contains(other.network) && (protocol == 0
                || protocol == other.protocol) && (port == 0 || port == other.port);
    }

    private static boolean agrees(int a, int b) {
        return a == 0 || b == 0 || a == b;
    }

    public boolean isHost() {
        return prefixLength == network.getAddress().length * 8;
    }

    /** The netmask as address bytes (ID_IPV4_ADDR_SUBNET carries address and mask, RFC 2407 s4.6.2.1). */
    public byte[] maskBytes() {
        byte[] ones = new byte[network.getAddress().length];
        Arrays.fill(ones, (byte) 0xff);
        return mask(ones, prefixLength);
    }

    /** Builds a subnet from an address and a netmask; rejects non-contiguous masks. */
    public static Subnet fromMask(byte[] address, byte[] netmask) throws UnknownHostException {
        int prefix = 0;
        boolean zeroSeen = false;
        for (byte b : netmask) {
            for (int bit = 7; bit >= 0; bit--) {
                boolean one = ((b >> bit) & 1) == 1;
                if (one && zeroSeen) {
                    throw new IllegalArgumentException("non-contiguous netmask");
                }
                if (one) {
                    prefix++;
                } else {
                    zeroSeen = true;
                }
            }
        }
        return new Subnet(InetAddress.getByAddress(mask(address, prefix)), prefix);
    }

    private static byte[] mask(byte[] address, int prefix) {
        byte[] out = address.clone();
        for (int i = 0; i < out.length; i++) {
            int bits = Math.max(0, Math.min(8, prefix - i * 8));
            out[i] &= (byte) (0xff << (8 - bits));
        }
        return out;
    }

    @Override
    public String toString() {
        return Addresses.format(network) + "/" + prefixLength + (protocol == 0 ? "" : "[" + protocolPort() + "]");
    }

    /** "udp/1701", "udp/%any", "tcp/443" or "50/%any", as strongSwan's leftprotoport; "" for any protocol. */
    public String protocolPort() {
        if (protocol == 0) {
            return "";
        }
        String name = protocol == UDP ? "udp" : protocol == TCP ? "tcp" : Integer.toString(protocol);
        return name + "/" + (port == 0 ? "%any" : Integer.toString(port));
    }
}
