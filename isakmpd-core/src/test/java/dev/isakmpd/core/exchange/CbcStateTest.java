package dev.isakmpd.core.exchange;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.isakmpd.core.registry.NotifyType;
import dev.isakmpd.core.wire.WireException;
import dev.isakmpd.oakley.CbcCipher;
import dev.isakmpd.oakley.EncryptionAlgorithm;
import dev.isakmpd.oakley.HashAlgorithm;
import dev.isakmpd.oakley.SecretBytes;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/**
 * RFC 2409 Appendix B IV rules as CbcState applies them, checked with a plain AES-CBC: phase 1
 * chains one IV through its messages; each later message ID starts at hash(last phase-1 block |
 * M-ID) and chains on its own; nothing advances until the message is accepted.
 */
class CbcStateTest {
    static final byte[] KEY = HexFormat.of().parseHex("000102030405060708090a0b0c0d0e0f");
    static final byte[] IV0 = HexFormat.of().parseHex("f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff");
    final CbcCipher aes = new CbcCipher(EncryptionAlgorithm.AES_CBC, 128);

    CbcState state() {
        return new CbcState(aes, SecretBytes.copyOf(KEY), HashAlgorithm.SHA2_256, IV0);
    }

    @Test
    void phase1ChainsItsIvThroughAcceptedMessagesOnly() throws Exception {
        CbcState s = state();
        byte[] first = s.encrypt(0, new byte[20]);
        assertEquals(32, first.length, "zero padding to whole blocks");
        assertArrayEquals(aes.encrypt(KEY, IV0, new byte[32]), first);
        byte[] lastOfFirst = Arrays.copyOfRange(first, 16, 32);
        byte[] reply = aes.encrypt(KEY, lastOfFirst, new byte[16]);
        // a decrypt alone (a message not yet accepted) does not move the chain
        assertArrayEquals(new byte[16], s.decrypt(0, reply));
        assertArrayEquals(new byte[16], s.decrypt(0, reply));
        s.advance(0, reply);
        assertArrayEquals(aes.encrypt(KEY, reply, new byte[16]), s.encrypt(0, new byte[16]));
    }

    @Test
    void eachLaterMessageIdStartsFromTheLastPhase1BlockAndChainsAlone() throws Exception {
        CbcState s = state();
        byte[] last = s.encrypt(0, new byte[16]);
        s.endPhase1();
        int mId = 0x12345678;
        byte[] iv = Arrays.copyOf(MessageDigest.getInstance("SHA-256").digest(concat(last,
                HexFormat.of().parseHex("12345678"))), 16);
        byte[] qm1 = s.encrypt(mId, new byte[16]);
        assertArrayEquals(aes.encrypt(KEY, iv, new byte[16]), qm1);
        byte[] other = s.encrypt(7, new byte[16]);
        assertArrayEquals(aes.encrypt(KEY, Arrays.copyOf(MessageDigest.getInstance("SHA-256").digest(concat(last,
                new byte[] {0, 0, 0, 7})), 16), new byte[16]), other, "message ID 7 has its own chain");
        assertArrayEquals(aes.encrypt(KEY, qm1, new byte[16]), s.encrypt(mId, new byte[16]), "then chains on");
        s.forget(mId);
        assertArrayEquals(qm1, s.encrypt(mId, new byte[16]), "forgotten: it starts afresh");
    }

    @Test
    void aBodyThatIsNotWholeBlocksIsPayloadMalformed() {
        CbcState s = state();
        WireException e = assertThrows(WireException.class, () -> s.decrypt(0, new byte[17]));
        assertEquals(NotifyType.PAYLOAD_MALFORMED, e.notifyType());
        assertThrows(WireException.class, () -> s.decrypt(0, new byte[0]));
        assertThrows(IllegalStateException.class, () -> s.encrypt(5, new byte[16]), "no phase-2 IV before phase 1");
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
