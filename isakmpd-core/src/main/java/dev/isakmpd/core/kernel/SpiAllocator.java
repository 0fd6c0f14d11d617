package dev.isakmpd.core.kernel;

import java.net.InetAddress;

/** SADB_GETSPI: reserves an inbound SPI for an SA from {@code source} to {@code destination}. */
@FunctionalInterface
public interface SpiAllocator {
    int allocateSpi(InetAddress source, InetAddress destination) throws KernelException;
}
