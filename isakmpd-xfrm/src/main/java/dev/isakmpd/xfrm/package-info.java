/**
 * Linux XFRM netlink kernel back-end: the message codec ({@link dev.isakmpd.xfrm.XfrmCodec}), the
 * JNA socket ({@link dev.isakmpd.xfrm.XfrmSocket}) and the adapter that implements
 * {@link dev.isakmpd.core.kernel.Kernel} ({@link dev.isakmpd.xfrm.XfrmKernel}); see docs/kernel.md.
 */
package dev.isakmpd.xfrm;
