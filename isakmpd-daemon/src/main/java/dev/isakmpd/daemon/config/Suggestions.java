package dev.isakmpd.daemon.config;

import java.util.Collection;
import java.util.Comparator;

/** "did you mean" hints for misspelt keys. */
final class Suggestions {
    private Suggestions() {
    }

    /** " 'x' (did you mean 'y'?)" when a known word is at most two edits away, else " 'x'". */
    static String didYouMean(String word, Collection<String> known) {
        String quoted = " '" + word + "'";
        return known.stream()
                .filter(k -> distance(word, k) <= 2)
                .min(Comparator.comparingInt(k -> distance(word, k)))
                .map(k -> quoted + " (did you mean '" + k + "'?)")
                .orElse(quoted);
    }

    /** Levenshtein distance. */
    static int distance(String a, String b) {
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }
}
