package dev.isakmpd.core.kernel;

import dev.isakmpd.core.policy.EspCipher;
import dev.isakmpd.core.policy.EspIntegrity;
import dev.isakmpd.core.sa.IpsecSa;
import java.net.InetAddress;
import java.util.List;
import java.util.function.Consumer;

/**
 * The kernel key engine as the daemon sees it (PF_KEY v2, RFC 2367, or an in-memory table).
 * The exchanges never call it: they return actions that the runtime executes here. The one
 * exception is SPI allocation, which the responder needs while it builds its reply.
 */
public interface Kernel extends SpiAllocator {

    /** SADB_UPDATE for an SA whose SPI came from {@link #allocateSpi}, SADB_ADD otherwise. */
    void install(IpsecSa sa) throws KernelException;

    /** SADB_DELETE by (destination, SPI). */
    void delete(InetAddress destination, int spi) throws KernelException;

    /**
     * Deletes the SA and its bundle (AH, IPComp); a back-end that installs no bundle deletes the
     * one SA by (destination, SPI).
     */
    default void delete(IpsecSa sa) throws KernelException {
        delete(sa.destination(), sa.spi());
    }

    /** SADB_DUMP: the SAs this daemon installed and the kernel still holds. */
    List<IpsecSa> list() throws KernelException;

    /**
     * The counters of this daemon's SAs, in one dump of the kernel's table; empty where the
     * back-end counts nothing (the in-memory table). For listings: never on a per-datagram path.
     */
    default List<SaTraffic> traffic() throws KernelException {
        return List.of();
    }

    /** Whether the kernel can run ESP with these algorithms (PF_KEY: learnt with SADB_REGISTER). */
    default boolean supports(EspCipher cipher, int keyBits, EspIntegrity integrity) {
        return true;
    }

    /** Whether the kernel can run AH (RFC 4302) with this algorithm. */
    default boolean supportsAh(EspIntegrity integrity) {
        return true;
    }

    /** Why {@link #supportsAh} refuses this algorithm, in words for the operator. */
    default String whyAhUnsupported(EspIntegrity integrity) {
        return "the kernel does not offer it";
    }

    /** Why {@link #supports} refuses these algorithms, in words for the operator. */
    default String whyUnsupported(EspCipher cipher, int keyBits, EspIntegrity integrity) {
        return "the kernel does not offer it";
    }

    /** Installs the tunnel's security policies (SADB_X_SPDADD), so that its traffic triggers ACQUIREs. */
    default void addPolicy(SpdTunnel tunnel) throws KernelException {
    }

    /** Removes the policies {@link #addPolicy} installed for the tunnel (SADB_X_SPDDELETE). */
    default void deletePolicy(SpdTunnel tunnel) throws KernelException {
    }

    /**
     * Where unsolicited kernel messages go (ACQUIRE, EXPIRE). The listener may be called on any
     * thread; the caller hands the events to its own thread.
     */
    default void onEvent(Consumer<KernelEvent> listener) {
    }

    /** Releases the back-end (closes the PF_KEY socket). */
    default void close() {
    }
}
