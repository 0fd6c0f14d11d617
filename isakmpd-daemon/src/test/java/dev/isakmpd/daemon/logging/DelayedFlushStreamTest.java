package dev.isakmpd.daemon.logging;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayOutputStream;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Log lines wait in the buffer, go out in order, and none is lost when the JVM stops. */
class DelayedFlushStreamTest {
    private static byte[] ascii(String s) {
        return s.getBytes(US_ASCII);
    }

    @Test
    void linesWaitUntilUnbufferedAndThenGoOutAtOnce() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        DelayedFlushStream s = new DelayedFlushStream(out, 1024, Duration.ofHours(1), "test-log-flush");
        s.write(ascii("one\n"));
        s.write(ascii("two\n"));
        assertEquals("", out.toString(US_ASCII), "buffered: no write per line");
        s.unbuffer();
        assertEquals("one\ntwo\n", out.toString(US_ASCII), "the shutdown writes what waits");
        s.write(ascii("stopped\n"));
        assertEquals("one\ntwo\nstopped\n", out.toString(US_ASCII), "and every later line at once");
    }

    @Test
    void aFullBufferIsWrittenFirstAndALineLargerThanItGoesStraightOutInOrder() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        DelayedFlushStream s = new DelayedFlushStream(out, 8, Duration.ofHours(1), "test-log-flush");
        s.write(ascii("abcde"));
        s.write(ascii("fgh"));
        assertEquals("", out.toString(US_ASCII));
        s.write(ascii("i"));
        assertEquals("abcdefgh", out.toString(US_ASCII));
        s.write(ascii("0123456789"));
        assertEquals("abcdefghi0123456789", out.toString(US_ASCII));
        s.close();
        assertEquals("abcdefghi0123456789", out.toString(US_ASCII));
    }

    @Test
    void theFlusherWritesWaitingLinesWithoutAnyFurtherLine() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        DelayedFlushStream s = new DelayedFlushStream(out, 1024, Duration.ofMillis(5), "test-log-flush");
        s.write(ascii("alone\n"));
        for (int i = 0; i < 2000 && out.size() == 0; i++) {
            Thread.sleep(5);
        }
        assertEquals("alone\n", out.toString(US_ASCII));
        s.write(ascii("later\n"));
        for (int i = 0; i < 2000 && out.size() == 6; i++) {
            Thread.sleep(5);
        }
        assertEquals("alone\nlater\n", out.toString(US_ASCII), "the flusher waits again for the next line");
    }
}
