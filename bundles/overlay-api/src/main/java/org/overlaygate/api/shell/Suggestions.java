package org.overlaygate.api.shell;

import java.util.Collection;
import java.util.Locale;

/**
 * "Did you mean": the known name nearest to a mistyped one, for errors that name what was not
 * found ({@code overlay:creat}, {@code vxlan/listen_pi}). Near means few edits (an insertion, a
 * deletion, a substitution or two neighbours swapped), case ignored; a name with a scope
 * ({@code overlay:create}) also matches when only its part after the colon was typed.
 *
 * @since 1.2
 */
public final class Suggestions {
    private Suggestions() {
    }

    /**
     * The candidate nearest to {@code typed}, or {@code null} when none is near enough: at most one
     * edit for names up to four characters, two up to eight, three beyond.
     */
    public static String nearest(String typed, Collection<String> candidates) {
        String t = typed.toLowerCase(Locale.ROOT);
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String c : candidates) {
            String lower = c.toLowerCase(Locale.ROOT);
            int d = distance(t, lower);
            int colon = lower.indexOf(':');
            if (t.indexOf(':') < 0 && colon >= 0) {
                d = Math.min(d, distance(t, lower.substring(colon + 1)));
            }
            if (d < bestDistance || (d == bestDistance && best != null && c.compareTo(best) < 0)) {
                best = c;
                bestDistance = d;
            }
        }
        return best != null && bestDistance > 0 && bestDistance <= allowed(t.length()) ? best : null;
    }

    /** {@code " (did you mean X?)"} for the nearest candidate, or the empty string. */
    public static String didYouMean(String typed, Collection<String> candidates) {
        String n = nearest(typed, candidates);
        return n == null ? "" : " (did you mean " + n + "?)";
    }

    private static int allowed(int length) {
        return length <= 4 ? 1 : length <= 8 ? 2 : 3;
    }

    /** Edits from a to b: insertions, deletions, substitutions and swaps of neighbours (optimal string alignment). */
    static int distance(String a, String b) {
        int[][] d = new int[a.length() + 1][b.length() + 1];
        for (int i = 0; i <= a.length(); i++) {
            d[i][0] = i;
        }
        for (int j = 0; j <= b.length(); j++) {
            d[0][j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                d[i][j] = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
                if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b.charAt(j - 1)) {
                    d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
                }
            }
        }
        return d[a.length()][b.length()];
    }
}
