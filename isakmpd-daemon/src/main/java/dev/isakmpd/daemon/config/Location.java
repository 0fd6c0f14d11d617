package dev.isakmpd.daemon.config;

import java.util.ArrayList;
import java.util.List;
import org.tomlj.Toml;

/** A place in a configuration file: the dotted key (and array index) and its line. */
record Location(List<String> path, int index, int line) {

    static final int NO_INDEX = -1;

    Location {
        path = List.copyOf(path);
    }

    Location child(String key, int keyLine) {
        List<String> p = new ArrayList<>(path);
        p.add(key);
        return new Location(p, NO_INDEX, keyLine);
    }

    Location element(int i, int elementLine) {
        return new Location(path, i, elementLine);
    }

    /** "peers.gw-b.ike[1]"; keys that are not bare TOML keys come out quoted. */
    String key() {
        String k = path.isEmpty() ? "(top level)" : Toml.joinKeyPath(path);
        return index == NO_INDEX ? k : k + "[" + index + "]";
    }
}
