package dev.isakmpd.core.kernel;

import dev.isakmpd.core.sa.IpsecSa;
import java.net.InetAddress;
import java.util.List;

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

    /** SADB_DUMP: the SAs this daemon installed and the kernel still holds. */
    List<IpsecSa> list() throws KernelException;
}
