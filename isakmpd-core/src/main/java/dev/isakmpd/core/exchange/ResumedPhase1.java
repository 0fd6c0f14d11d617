package dev.isakmpd.core.exchange;

import dev.isakmpd.core.ha.HaRecord;
import dev.isakmpd.core.registry.ExchangeType;
import dev.isakmpd.core.wire.IdentificationPayload;
import dev.isakmpd.core.wire.IsakmpHeader;
import dev.isakmpd.oakley.Phase1Keys;
import dev.isakmpd.oakley.Prf;
import java.time.Instant;

/**
 * The phase 1 of an ISAKMP SA taken over from a dead active (HA, issue 15 s5): what the record
 * says phase 1 agreed (choice, keys, CBC state, the peer's identity and capabilities), and no
 * exchange. It answers no phase-1 message: the messages the dead active sent are not replicated,
 * so a peer that lost MM6 cannot get it again and renegotiates when its retransmissions run out.
 */
final class ResumedPhase1 extends Phase1Exchange {
    private final IdentificationPayload ownId;

    ResumedPhase1(IsakmpSession session, Phase1Auth auth, HaRecord.IsakmpSa r, Phase1Sa.Choice choice, Prf prf,
            Phase1Keys keys, CbcState cbc, NatDiscovery.Result nat) {
        super(session, auth);
        this.ownId = r.localId();
        this.choice = choice;
        this.prf = prf;
        this.keys = keys;
        this.cbc = cbc;
        this.nat = nat;
        this.peerDpd = r.capabilities().dpd();
        this.peerFragmentation = r.capabilities().fragmentation();
        this.peerId = r.peerId().orElse(null);
        this.done = true;
    }

    @Override
    ExchangeType exchangeType() {
        return ExchangeType.IDENTITY_PROTECTION;
    }

    @Override
    String stateName() {
        return "TAKEN_OVER";
    }

    @Override
    boolean halfOpen() {
        return false;
    }

    @Override
    boolean acceptsEncryption(boolean encrypted) {
        return false;
    }

    @Override
    MessageShape expectedShape() {
        throw new IllegalStateException("a resumed ISAKMP SA expects no phase-1 message");
    }

    @Override
    void step(IsakmpHeader h, Packet p, byte[] ciphertext, Instant now, Out out) {
        throw new IllegalStateException("a resumed ISAKMP SA takes no phase-1 message");
    }

    @Override
    IdentificationPayload ownId() {
        return ownId;
    }
}
