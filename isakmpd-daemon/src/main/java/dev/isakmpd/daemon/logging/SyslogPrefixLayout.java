package dev.isakmpd.daemon.logging;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.Layout;
import ch.qos.logback.core.LayoutBase;

/**
 * Prefixes each line with its syslog priority, "&lt;3&gt;" (err) to "&lt;7&gt;" (debug), which
 * journald reads from a service's stderr as the entry's level (sd-daemon(3)), so that
 * {@code journalctl -p warning} works. journald takes each line as an entry of its own, so every
 * line of a multi-line message (a packet dump, a stack trace) gets the prefix.
 */
final class SyslogPrefixLayout extends LayoutBase<ILoggingEvent> {
    private final Layout<ILoggingEvent> inner;

    SyslogPrefixLayout(Layout<ILoggingEvent> inner) {
        this.inner = inner;
    }

    static int priority(Level level) {
        return switch (level.toInt()) {
            case Level.ERROR_INT -> 3;
            case Level.WARN_INT -> 4;
            case Level.INFO_INT -> 6;
            default -> 7;
        };
    }

    @Override
    public String doLayout(ILoggingEvent event) {
        String prefix = "<" + priority(event.getLevel()) + ">";
        String text = inner.doLayout(event);
        boolean newline = text.endsWith("\n");
        String body = newline ? text.substring(0, text.length() - 1) : text;
        return prefix + body.replace("\n", "\n" + prefix) + (newline ? "\n" : "");
    }
}
