package dev.isakmpd.daemon.logging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.PatternLayout;
import ch.qos.logback.classic.spi.LoggingEvent;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

class SyslogPrefixLayoutTest {
    @Test
    void levelsMapToSyslogPriorities() {
        assertEquals(List.of(3, 4, 6, 7, 7), List.of(Level.ERROR, Level.WARN, Level.INFO, Level.DEBUG, Level.TRACE)
                .stream().map(SyslogPrefixLayout::priority).toList());
    }

    @Test
    void everyLineOfAMessageIsPrefixed() {
        LoggerContext ctx = (LoggerContext) LoggerFactory.getILoggerFactory();
        PatternLayout inner = new PatternLayout();
        inner.setContext(ctx);
        inner.setPattern("%msg%n");
        inner.start();
        LoggingEvent e = new LoggingEvent("x", ctx.getLogger("isakmpd.ike"), Level.WARN, "one\n  two", null, null);
        assertEquals("<4>one\n<4>  two\n", new SyslogPrefixLayout(inner).doLayout(e));
    }

    @Test
    void systemdIsRecognisedByItsEnvironment() {
        assertTrue(LogSetup.underSystemd(Map.of("JOURNAL_STREAM", "8:1")));
        assertTrue(LogSetup.underSystemd(Map.of("INVOCATION_ID", "abc")));
        assertFalse(LogSetup.underSystemd(Map.of("TERM", "xterm")));
    }
}
