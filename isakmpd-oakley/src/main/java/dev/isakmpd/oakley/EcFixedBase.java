package dev.isakmpd.oakley;

import java.math.BigInteger;
import org.bouncycastle.math.ec.ECCurve;
import org.bouncycastle.math.ec.ECLookupTable;
import org.bouncycastle.math.ec.ECPoint;

/**
 * d * G for a fixed point G by fixed-base windowing (the elliptic-curve form of
 * {@link FixedBaseComb}): row i of the table holds j * 2^(w*i) * G for j = 1 .. 2^w - 1 in affine
 * coordinates, so a scalar multiplication is one mixed point addition per non-zero w-bit digit
 * and no doublings (43 additions for a 256-bit scalar with w = 6, against the ~52 doublings and
 * ~52 additions of Bouncy Castle's own comb).
 *
 * <p>Rows are Bouncy Castle "cache-safe" lookup tables: every lookup reads the whole row, so the
 * memory access pattern does not depend on the digit. Zero digits skip the addition, which
 * reveals where the (rare, 1 in 2^w) zero digits are; for an ephemeral scalar used once that
 * is not an attack surface (docs/oakley.md).
 */
final class EcFixedBase {
    private final int w;
    private final int maxBits;
    private final ECLookupTable[] rows;
    private final ECCurve curve;

    EcFixedBase(ECPoint g, int maxBits, int w) {
        this.w = w;
        this.curve = g.getCurve();
        int windows = (maxBits + w - 1) / w;
        this.maxBits = windows * w;
        this.rows = new ECLookupTable[windows];
        int size = (1 << w) - 1;
        ECPoint base = g.normalize();
        for (int i = 0; i < windows; i++) {
            ECPoint[] row = new ECPoint[size];
            row[0] = base;
            for (int j = 1; j < size; j++) {
                row[j] = row[j - 1].add(base);
            }
            curve.normalizeAll(row);
            rows[i] = curve.createCacheSafeLookupTable(row, 0, size);
            base = base.timesPow2(w).normalize();
        }
    }

    boolean covers(BigInteger d) {
        return d.signum() > 0 && d.bitLength() <= maxBits;
    }

    /** d * G, normalized; 0 < d < 2^maxBits. */
    ECPoint multiply(BigInteger d) {
        if (!covers(d)) {
            throw new IllegalArgumentException("scalar out of the table's range");
        }
        ECPoint acc = curve.getInfinity();
        for (int i = 0; i < rows.length; i++) {
            int digit = 0;
            for (int j = w - 1; j >= 0; j--) {
                digit = (digit << 1) | (d.testBit(i * w + j) ? 1 : 0);
            }
            ECPoint p = rows[i].lookup(Math.max(digit, 1) - 1);
            if (digit != 0) {
                acc = acc.add(p);
            }
        }
        return acc.normalize();
    }
}
