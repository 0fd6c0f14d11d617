package dev.isakmpd.core.exchange;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.isakmpd.core.registry.IdType;
import dev.isakmpd.core.registry.NotifyType;
import dev.isakmpd.core.registry.PayloadType;
import dev.isakmpd.core.wire.HashPayload;
import dev.isakmpd.core.wire.IdentificationPayload;
import dev.isakmpd.core.wire.KeyExchangePayload;
import dev.isakmpd.core.wire.NoncePayload;
import dev.isakmpd.core.wire.OpaquePayload;
import dev.isakmpd.core.wire.Payload;
import dev.isakmpd.core.wire.SignaturePayload;
import dev.isakmpd.core.wire.VendorIdPayload;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The one validator of which payloads each exchange message carries. */
class MessageShapeTest {
    private static final Payload KE = new KeyExchangePayload(new byte[32]);
    private static final Payload NONCE = new NoncePayload(new byte[16]);
    private static final Payload VID = new VendorIdPayload(new byte[16]);
    private static final Payload ID = new IdentificationPayload(IdType.IPV4_ADDR, 0, 0, new byte[4]);
    private static final Payload HASH = new HashPayload(new byte[20]);

    @Test
    void acceptsTheScriptedPayloadsInAnyOrderWhenNoneMustComeFirst() throws ExchangeFailure {
        MainMode.MM3.check(List.of(VID, NONCE, KE, VID));
        MainMode.MM5.requiring(PayloadType.HASH).check(List.of(HASH, ID));
    }

    @Test
    void missingRequiredPayloadIsMalformed() {
        ExchangeFailure f = assertThrows(ExchangeFailure.class, () -> MainMode.MM3.check(List.of(KE, VID)));
        assertEquals(NotifyType.PAYLOAD_MALFORMED, f.notifyType());
        assertTrue(f.getMessage().contains("MM3 lacks the No payload"), f.getMessage());
    }

    @Test
    void repeatedSinglePayloadIsMalformed() {
        ExchangeFailure f = assertThrows(ExchangeFailure.class, () -> MainMode.MM3.check(List.of(KE, NONCE, KE)));
        assertEquals(NotifyType.PAYLOAD_MALFORMED, f.notifyType());
    }

    @Test
    void unexpectedAndPrivatePayloadTypesAreInvalidPayloadType() {
        ExchangeFailure f = assertThrows(ExchangeFailure.class, () -> MainMode.MM3.check(List.of(KE, NONCE, HASH)));
        assertEquals(NotifyType.INVALID_PAYLOAD_TYPE, f.notifyType());
        Payload private200 = new OpaquePayload(PayloadType.of(200), new byte[4]);
        f = assertThrows(ExchangeFailure.class, () -> MainMode.MM3.check(List.of(KE, NONCE, private200)));
        assertEquals(NotifyType.INVALID_PAYLOAD_TYPE, f.notifyType());
    }

    @Test
    void theAuthMethodDecidesWhichProofMainModeFiveCarries() throws ExchangeFailure {
        MessageShape signed = MainMode.MM5.requiring(PayloadType.SIG);
        signed.check(List.of(ID, new SignaturePayload(new byte[64])));
        ExchangeFailure f = assertThrows(ExchangeFailure.class, () -> signed.check(List.of(ID, HASH)));
        assertEquals(NotifyType.INVALID_PAYLOAD_TYPE, f.notifyType());
    }

    @Test
    void firstPayloadRuleIsEnforced() {
        ExchangeFailure f = assertThrows(ExchangeFailure.class, () -> QuickMode.QM3.check(List.of()));
        assertTrue(f.getMessage().contains("must come first"), f.getMessage());
        f = assertThrows(ExchangeFailure.class, () -> Informational.PROTECTED.check(List.of(VID, HASH)));
        assertEquals(NotifyType.PAYLOAD_MALFORMED, f.notifyType());
    }
}
