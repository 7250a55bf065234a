package org.overlaygate.itests;

import static org.junit.Assert.assertTrue;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What a ping stopped by SIGINT printed: echoes sent and answered, and which sequence numbers went
 * unanswered. SIGINT stops ping at once, so the echo sent just before it may still be on its way
 * back: that one is in flight, not lost. An echo is lost when a later one was answered and it was
 * not.
 */
final class PingLog {
    final int sent;
    final int received;
    /** The highest icmp_seq answered; 0 when none was. */
    final int highest;
    /** Sequence numbers below {@link #highest} never answered. */
    final List<Integer> lost;
    private final String summary;

    private PingLog(int sent, int received, int highest, List<Integer> lost, String summary) {
        this.sent = sent;
        this.received = received;
        this.highest = highest;
        this.lost = lost;
        this.summary = summary;
    }

    static PingLog parse(String out) {
        Matcher stats = Pattern.compile("(\\d+) packets transmitted, (\\d+) received").matcher(out);
        assertTrue("ping summary in: " + out, stats.find());
        BitSet answered = new BitSet();
        Matcher seq = Pattern.compile("icmp_seq=(\\d+)").matcher(out);
        while (seq.find()) {
            answered.set(Integer.parseInt(seq.group(1)));
        }
        int highest = Math.max(0, answered.length() - 1);
        List<Integer> lost = new ArrayList<>();
        for (int unanswered = answered.nextClearBit(1); unanswered < highest; unanswered = answered.nextClearBit(unanswered + 1)) {
            lost.add(unanswered);
        }
        String summary = out.lines().filter(l -> !l.contains("bytes from")).reduce("", (x, y) -> x + y + "\n");
        return new PingLog(Integer.parseInt(stats.group(1)), Integer.parseInt(stats.group(2)), highest, lost, summary);
    }

    /**
     * Fails unless every echo was answered but at most the one sent as ping was stopped (one echo
     * every 5 ms or more and sub-millisecond round trips leave at most one in flight).
     */
    void assertNoneLost(String what) {
        assertTrue(what + ": not one echo lost; unanswered: " + lost + "\n" + summary, lost.isEmpty());
        assertTrue(what + ": at most the echo sent as ping was stopped is unanswered: sent " + sent + ", highest answered " + highest + "\n"
                + summary, sent - highest <= 1);
    }

    @Override
    public String toString() {
        return sent + " sent, " + received + " received, highest answered " + highest;
    }
}
