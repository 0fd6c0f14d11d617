package dev.isakmpd.xfrm;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.junit.jupiter.api.Test;

/**
 * The socket filter of XfrmSocket.dropCounterEchoes, run on messages as the codec lays them out,
 * in both byte orders, by a small interpreter of the classic BPF instructions it uses.
 */
class CounterEchoFilterTest {
    private static boolean accepts(ByteOrder order, byte[] message) {
        ByteBuffer p = ByteBuffer.wrap(XfrmSocket.counterEchoFilter(order)).order(order);
        ByteBuffer m = ByteBuffer.wrap(message).order(ByteOrder.BIG_ENDIAN); // BPF loads are big-endian
        int a = 0;
        for (int pc = 0; ; pc++) {
            int code = p.getShort(pc * 8) & 0xffff;
            int jt = p.get(pc * 8 + 2);
            int jf = p.get(pc * 8 + 3);
            int k = p.getInt(pc * 8 + 4);
            switch (code) {
                case 0x28 -> a = m.getShort(k) & 0xffff; // ld h abs
                case 0x20 -> a = m.getInt(k); // ld w abs
                case 0x15 -> pc += a == k ? jt : jf; // jeq k
                case 0x06 -> {
                    return k != 0; // ret k
                }
                default -> throw new AssertionError("instruction 0x" + Integer.toHexString(code));
            }
        }
    }

    private static byte[] newAe(XfrmCodec codec, int flags) {
        InetAddress any = XfrmCodecTest.ip("0.0.0.0");
        return codec.encode(XfrmMessage.of(Xfrm.MSG_NEWAE, 0, new XfrmBody.AeventId(XfrmCodecTest.US, 0x1234,
                Xfrm.AF_INET, Xfrm.IPPROTO_ESP, any, flags, 0), new XfrmAttribute.Replay(1000, 0, 0)));
    }

    @Test
    void dropsOnlyTheEchoOfOurOwnNewae() {
        for (ByteOrder order : new ByteOrder[] {ByteOrder.LITTLE_ENDIAN, ByteOrder.BIG_ENDIAN}) {
            XfrmCodec codec = new XfrmCodec(order);
            assertFalse(accepts(order, newAe(codec, Xfrm.XFRM_AE_CU)), order + ": echo of a NEWAE request");
            assertTrue(accepts(order, newAe(codec, 16)), order + ": XFRM_AE_CR, REPLAY_THRESH packets");
            assertTrue(accepts(order, newAe(codec, 32)), order + ": XFRM_AE_CE, the timer");
            assertTrue(accepts(order, newAe(codec, Xfrm.XFRM_AE_RVAL | Xfrm.XFRM_AE_LVAL)), order + ": GETAE answer");
            // another type with XFRM_AE_CU's bytes at that offset
            byte[] sa = codec.encode(XfrmCodecTest.newSa());
            ByteBuffer.wrap(sa).order(order).putInt(Xfrm.NLMSG_HDRLEN + 40, Xfrm.XFRM_AE_CU);
            assertTrue(accepts(order, sa), order + ": NEWSA");
        }
    }
}
