package dev.isakmpd.oakley;

import java.math.BigInteger;

/**
 * g^x mod p for a fixed base g by the fixed-base windowing method (Brickell, Gordon, McCurley
 * and Wilson; HAC algorithm 14.109 with h = 2^w): the table holds g^(d * 2^(w*i)) for every
 * window i and digit d, so an exponentiation is one modular multiplication per non-zero w-bit
 * digit of x and no squarings. For a 320-bit exponent and w = 7 that is at most 46
 * multiplications against the ~400 of a sliding-window {@link BigInteger#modPow}.
 *
 * <p>Multiplications reduce with Barrett's method (HAC 14.42) on top of {@link BigInteger}'s
 * intrinsified multiply; {@code modPow}'s Montgomery code is not reachable from outside the JDK.
 *
 * <p>Not constant-time: table rows are indexed by exponent digits and zero digits are skipped,
 * like {@code BigInteger.modPow} itself. Exponents here are ephemeral (used for one key pair and
 * one agreement), so there are no repeated measurements of one secret for a remote timing
 * attack to average over; see docs/oakley.md for the trade-off.
 */
final class FixedBaseComb {
    private final BigInteger p;
    private final int k;
    private final BigInteger mu;
    private final int w;
    private final int maxBits;
    private final BigInteger[][] table;

    /**
     * @param maxBits exponents up to this many bits use the table
     * @param w window width in bits (1..8)
     */
    FixedBaseComb(BigInteger p, BigInteger g, int maxBits, int w) {
        if (w < 1 || w > 8) {
            throw new IllegalArgumentException("window " + w);
        }
        this.p = p;
        this.k = p.bitLength();
        this.mu = BigInteger.ONE.shiftLeft(2 * k).divide(p);
        this.w = w;
        int windows = (maxBits + w - 1) / w;
        this.maxBits = windows * w;
        this.table = new BigInteger[windows][1 << w];
        BigInteger base = g.mod(p);
        for (int i = 0; i < windows; i++) {
            BigInteger[] row = table[i];
            row[1] = base;
            for (int d = 2; d < row.length; d++) {
                row[d] = mulMod(row[d - 1], base);
            }
            BigInteger next = base;
            for (int s = 0; s < w; s++) {
                next = mulMod(next, next);
            }
            base = next;
        }
    }

    /** Largest window width whose table fits {@code budgetBytes}; 0 if none of width >= 4 does. */
    static int windowFor(int modulusBytes, int maxBits, long budgetBytes) {
        for (int w = 8; w >= 4; w--) {
            long windows = (maxBits + w - 1) / w;
            if (windows * ((1L << w) - 1) * modulusBytes <= budgetBytes) {
                return w;
            }
        }
        return 0;
    }

    boolean covers(BigInteger x) {
        return x.signum() >= 0 && x.bitLength() <= maxBits;
    }

    /** g^x mod p for 0 <= x < 2^maxBits. */
    BigInteger pow(BigInteger x) {
        if (!covers(x)) {
            throw new IllegalArgumentException("exponent too large for the table");
        }
        BigInteger acc = null;
        int mask = (1 << w) - 1;
        int bits = x.bitLength();
        for (int i = 0, bit = 0; bit < bits; i++, bit += w) {
            int d = digit(x, bit) & mask;
            if (d != 0) {
                acc = acc == null ? table[i][d] : mulMod(acc, table[i][d]);
            }
        }
        return acc == null ? BigInteger.ONE : acc;
    }

    private int digit(BigInteger x, int bit) {
        int d = 0;
        for (int j = w - 1; j >= 0; j--) {
            d = (d << 1) | (x.testBit(bit + j) ? 1 : 0);
        }
        return d;
    }

    /** a * b mod p for 0 <= a, b < p (Barrett, HAC 14.42 with b = 2). */
    BigInteger mulMod(BigInteger a, BigInteger b) {
        BigInteger t = a.multiply(b);
        BigInteger q = t.shiftRight(k - 1).multiply(mu).shiftRight(k + 1);
        BigInteger r = t.subtract(q.multiply(p));
        while (r.compareTo(p) >= 0) {
            r = r.subtract(p);
        }
        return r;
    }
}
