package org.overlaygate.launcher;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.Test;

/** The prompt comes back after Ctrl-D, never stops the appliance, and gives up on a terminal that is gone. */
public class PromptKeeperTest {
    /** A shell whose prompts end by themselves: each "session" is a finished thread; time moves as told. */
    private static final class FakeShell implements PromptKeeper.Shell {
        final List<String> calls = new ArrayList<>();
        final AtomicLong clock;
        final long[] sessionNanos;
        int session;
        boolean frameworkActive = true;
        boolean bundleActive = true;

        FakeShell(AtomicLong clock, long... sessionNanos) {
            this.clock = clock;
            this.sessionNanos = sessionNanos;
        }

        @Override
        public Optional<Thread> awaitThread(long timeoutMs) {
            if (session >= sessionNanos.length) {
                frameworkActive = false; // the last prompt: exit 0
            }
            clock.addAndGet(session < sessionNanos.length ? sessionNanos[session++] : 0);
            Thread done = new Thread(() -> { });
            done.start();
            return Optional.of(done);
        }

        @Override
        public boolean frameworkActive() {
            return frameworkActive;
        }

        @Override
        public boolean bundleActive() {
            return bundleActive;
        }

        @Override
        public void restart() {
            calls.add("restart");
        }

        @Override
        public void stop() {
            calls.add("stop");
        }
    }

    private static String run(FakeShell shell, AtomicLong clock) {
        ByteArrayOutputStream screen = new ByteArrayOutputStream();
        new PromptKeeper(shell, new PrintStream(screen, true, StandardCharsets.UTF_8), clock::get).run();
        return screen.toString(StandardCharsets.UTF_8);
    }

    @Test
    public void ctrlDGivesANewPromptWithTheHintAndStopsNothing() {
        AtomicLong clock = new AtomicLong();
        long minute = 60_000_000_000L;
        FakeShell shell = new FakeShell(clock, minute, minute);
        String screen = run(shell, clock);
        assertEquals("two Ctrl-D, two new prompts, then exit 0 ends the watch", List.of("restart", "restart"), shell.calls);
        assertEquals(2, screen.split(java.util.regex.Pattern.quote(PromptKeeper.HINT), -1).length - 1);
    }

    @Test
    public void aTerminalThatGivesNoInputEndsThePromptNotTheAppliance() {
        AtomicLong clock = new AtomicLong();
        FakeShell shell = new FakeShell(clock, 1000, 1000, 1000, 1000, 1000);
        String screen = run(shell, clock);
        assertEquals(List.of("restart", "restart", "stop"), shell.calls);
        assertTrue(screen, screen.contains("the terminal gives no input; the appliance goes on without a prompt"));
    }

    @Test
    public void aShellStoppedOnPurposeIsNotRestarted() {
        AtomicLong clock = new AtomicLong();
        FakeShell shell = new FakeShell(clock, 60_000_000_000L);
        shell.bundleActive = false;
        assertEquals("", run(shell, clock));
        assertEquals(List.of(), shell.calls);
    }
}
