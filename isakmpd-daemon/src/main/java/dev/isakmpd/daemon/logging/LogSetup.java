package dev.isakmpd.daemon.logging;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.PatternLayout;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.FileAppender;
import ch.qos.logback.core.Layout;
import ch.qos.logback.core.OutputStreamAppender;
import ch.qos.logback.core.encoder.LayoutWrappingEncoder;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.slf4j.LoggerFactory;

/**
 * Where the daemon's log goes and how it looks: with date, time and zone on a terminal or in a
 * file; for journald (under systemd) with a syslog level prefix such as "&lt;4&gt;" and without the
 * date, which the journal records itself.
 */
public final class LogSetup {
    /** ISO-8601 with the zone offset: logs from hosts in different zones line up. */
    public static final String PATTERN = "%d{yyyy-MM-dd'T'HH:mm:ss.SSSXXX} %-5level [%thread] %logger: %msg%n";
    static final String JOURNAL_PATTERN = "%-5level [%thread] %logger: %msg%n";

    private LogSetup() {
    }

    /** systemd sets JOURNAL_STREAM when stderr goes to the journal, INVOCATION_ID for every service. */
    public static boolean underSystemd(Map<String, String> env) {
        return env.containsKey("JOURNAL_STREAM") || env.containsKey("INVOCATION_ID");
    }

    /**
     * Replaces logback.xml's stderr appender: with {@code file}, the log goes there (appended)
     * instead; otherwise to stderr, journald-style when {@code journal}.
     */
    public static void configure(boolean journal, Optional<Path> file) {
        LoggerContext ctx = (LoggerContext) LoggerFactory.getILoggerFactory();
        Logger root = ctx.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        OutputStreamAppender<ILoggingEvent> appender;
        Layout<ILoggingEvent> layout;
        if (file.isPresent()) {
            FileAppender<ILoggingEvent> f = new FileAppender<>();
            f.setFile(file.get().toString());
            f.setAppend(true);
            f.setName("FILE");
            appender = f;
            layout = pattern(ctx, PATTERN);
        } else {
            ConsoleAppender<ILoggingEvent> c = new ConsoleAppender<>();
            c.setTarget("System.err");
            c.setName("CONSOLE");
            appender = c;
            layout = journal ? new SyslogPrefixLayout(pattern(ctx, JOURNAL_PATTERN)) : pattern(ctx, PATTERN);
        }
        layout.setContext(ctx);
        layout.start();
        LayoutWrappingEncoder<ILoggingEvent> encoder = new LayoutWrappingEncoder<>();
        encoder.setContext(ctx);
        encoder.setLayout(layout);
        encoder.start();
        appender.setContext(ctx);
        appender.setEncoder(encoder);
        appender.start();
        root.detachAndStopAllAppenders();
        root.addAppender(appender);
    }

    private static PatternLayout pattern(LoggerContext ctx, String pattern) {
        PatternLayout p = new PatternLayout();
        p.setContext(ctx);
        p.setPattern(pattern);
        p.start();
        return p;
    }
}
