/**
 * PF_KEY v2 (RFC 2367) kernel back-end: the message codec, the JNA socket and the adapter that
 * implements {@link dev.isakmpd.core.kernel.Kernel}. Empty in the walking skeleton, which runs on
 * {@link dev.isakmpd.core.kernel.InMemoryKernel}; the daemon refuses {@code kernel = "pfkey"} until
 * this package exists. Platform differences (Linux, the BSDs, macOS) belong here and only here.
 */
package dev.isakmpd.pfkey;
