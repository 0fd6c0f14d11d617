package dev.isakmpd.core.exchange;

import dev.isakmpd.core.sa.IpsecSa;
import java.util.ArrayList;
import java.util.List;

/** Collects the actions produced while one input is processed. */
final class Out {
    private final List<Action> actions = new ArrayList<>();

    void send(Datagram d) {
        actions.add(new Action.Send(d));
    }

    void install(IpsecSa sa) {
        actions.add(new Action.InstallSa(sa));
    }

    void delete(IpsecSa sa) {
        actions.add(new Action.DeleteSa(sa));
    }

    void log(Action.Level level, String message) {
        actions.add(new Action.Log(level, message));
    }

    void info(String message) {
        log(Action.Level.INFO, message);
    }

    void warn(String message) {
        log(Action.Level.WARN, message);
    }

    void debug(String message) {
        log(Action.Level.DEBUG, message);
    }

    List<Action> actions() {
        return List.copyOf(actions);
    }
}
