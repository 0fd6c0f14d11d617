package dev.isakmpd.daemon.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.isakmpd.core.kernel.KernelEvent;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class EarlyKernelEventsTest {
    private static KernelEvent expire(int spi) {
        return new KernelEvent.Expire(InetAddress.getLoopbackAddress(), spi, true);
    }

    @Test
    void eventsBeforeTheLoopExistsReachItFirstAndInOrder() {
        EarlyKernelEvents early = new EarlyKernelEvents();
        early.accept(expire(1));
        early.accept(expire(2));
        List<KernelEvent> loop = new ArrayList<>();
        early.deliverTo(loop::add);
        early.accept(expire(3));
        assertEquals(List.of(expire(1), expire(2), expire(3)), loop);
    }
}
