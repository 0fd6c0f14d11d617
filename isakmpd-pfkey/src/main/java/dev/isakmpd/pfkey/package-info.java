/**
 * PF_KEY v2 (RFC 2367) kernel back-end: the message codec ({@link dev.isakmpd.pfkey.SadbCodec}),
 * the JNA socket ({@link dev.isakmpd.pfkey.PfKeySocket}) and the adapter that implements
 * {@link dev.isakmpd.core.kernel.Kernel} ({@link dev.isakmpd.pfkey.PfKeyKernel}). Platform
 * differences (Linux, the BSDs, macOS; see docs/pfkey.md) belong here and only here.
 */
package dev.isakmpd.pfkey;
