package dev.isakmpd.core.policy;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;

/** An address prefix used as a traffic selector (IDci/IDcr of Quick Mode, RFC 2409 s5.5). */
public record Subnet(InetAddress network, int prefixLength) {

    public Subnet {
        int max = network.getAddress().length * 8;
        if (prefixLength < 0 || prefixLength > max) {
            throw new IllegalArgumentException("prefix length " + prefixLength + " out of range 0.." + max);
        }
        byte[] masked = mask(network.getAddress(), prefixLength);
        if (!Arrays.equals(masked, network.getAddress())) {
            throw new IllegalArgumentException(Addresses.format(network) + "/" + prefixLength + " has host bits set");
        }
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

    /** Whether some address lies in both prefixes: for prefixes, one then contains the other. */
    public boolean overlaps(Subnet other) {
        return contains(other.network) || other.contains(network);
    }

    /** Whether every address of {@code other} lies in this prefix. */
    public boolean encloses(Subnet other) {
        return prefixLength <= other.prefixLength && contains(other.network);
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
        return Addresses.format(network) + "/" + prefixLength;
    }
}
