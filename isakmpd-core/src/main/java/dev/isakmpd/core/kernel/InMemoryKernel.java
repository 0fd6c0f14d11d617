package dev.isakmpd.core.kernel;

import dev.isakmpd.core.policy.Addresses;
import dev.isakmpd.core.sa.IpsecSa;
import java.net.InetAddress;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * A kernel back-end that only keeps a table: for demos and tests on machines without PF_KEY.
 * SPIs come from the range 0x100..0xffffffff (RFC 4303 s2.1 reserves 1..255).
 */
public final class InMemoryKernel implements Kernel {
    private record Key(InetAddress destination, int spi) {
    }

    private final Map<Key, IpsecSa> sas = new LinkedHashMap<>();
    private final Map<Key, Boolean> reserved = new LinkedHashMap<>();
    private final Random random;

    public InMemoryKernel() {
        this(new SecureRandom());
    }

    public InMemoryKernel(Random random) {
        this.random = random;
    }

    @Override
    public synchronized int allocateSpi(InetAddress source, InetAddress destination) {
        while (true) {
            int spi = random.nextInt();
            Key k = new Key(destination, spi);
            if (Integer.compareUnsigned(spi, 0x100) >= 0 && !sas.containsKey(k) && !reserved.containsKey(k)) {
                reserved.put(k, Boolean.TRUE);
                return spi;
            }
        }
    }

    @Override
    public synchronized void install(IpsecSa sa) throws KernelException {
        Key k = new Key(sa.destination(), sa.spi());
        if (sas.containsKey(k)) {
            throw new KernelException("SA " + Addresses.format(sa.destination()) + "/0x" + sa.spiHex() + " exists");
        }
        reserved.remove(k);
        sas.put(k, sa);
    }

    @Override
    public synchronized void delete(InetAddress destination, int spi) throws KernelException {
        if (sas.remove(new Key(destination, spi)) == null) {
            throw new KernelException(String.format("no SA %s/0x%08x", Addresses.format(destination), spi));
        }
    }

    @Override
    public synchronized List<IpsecSa> list() {
        return new ArrayList<>(sas.values());
    }
}
