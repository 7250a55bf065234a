package org.overlaygate.launcher;

import java.io.PrintStream;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

import org.osgi.framework.Bundle;
import org.osgi.framework.BundleException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Gives the prompt back when it is left. Gogo's shell ends at end of input (Ctrl-D at an empty
 * prompt) and, as a login shell, would then stop the framework ("gosh: stopping framework"): the
 * whole appliance, by one key. The launcher starts it with {@code --noshutdown} (etc/config.properties,
 * {@code gosh.args}), so leaving the prompt stops nothing, and this keeper restarts the shell bundle
 * for a new prompt, saying that {@code exit 0} is what stops the appliance. A shell that keeps
 * ending at once (the terminal is gone) is not restarted for ever: after {@value #QUICK_ENDS}
 * quick ends the appliance goes on without a prompt, as a headless one does.
 */
final class PromptKeeper implements Runnable {
    private static final Logger LOG = LoggerFactory.getLogger(PromptKeeper.class);
    /** The name gogo.jline's Activator gives the thread that runs the prompt. */
    static final String SHELL_THREAD = "Gogo shell";
    static final String HINT = "Ctrl-D does not stop the appliance: 'exit 0' does (bin/overlaygate stop too). The prompt again:";
    /** Ends within this long of a start count as quick. */
    static final long QUICK_NANOS = TimeUnit.SECONDS.toNanos(2);
    static final int QUICK_ENDS = 3;

    /** What the keeper acts on: the shell's thread, the framework and the shell bundle. */
    interface Shell {
        /** The running prompt's thread, waiting up to {@code timeoutMs} for it to appear. */
        Optional<Thread> awaitThread(long timeoutMs) throws InterruptedException;

        /** Whether the framework is running (not starting, not stopping). */
        boolean frameworkActive();

        /** Whether the shell bundle is still started (nobody stopped it on purpose). */
        boolean bundleActive();

        /** Stops and starts the shell bundle: a new terminal, a new prompt. */
        void restart() throws Exception;

        /** Stops the shell bundle (its terminal is given back as it was). */
        void stop() throws Exception;
    }

    private final Shell shell;
    private final PrintStream terminal;
    private final LongSupplier nanoTime;

    PromptKeeper(Shell shell, PrintStream terminal, LongSupplier nanoTime) {
        this.shell = shell;
        this.terminal = terminal;
        this.nanoTime = nanoTime;
    }

    /** Watches the shell of bundle {@code gogoJline}, restarting it with {@code loader} as the thread's context class loader. */
    static void start(Bundle gogoJline, Bundle framework, ClassLoader loader) {
        Shell shell = new Shell() {
            @Override
            public Optional<Thread> awaitThread(long timeoutMs) throws InterruptedException {
                long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
                while (true) {
                    for (Thread t : Thread.getAllStackTraces().keySet()) {
                        if (t.getName().equals(SHELL_THREAD) && t.isAlive()) {
                            return Optional.of(t);
                        }
                    }
                    if (System.nanoTime() > deadline || !frameworkActive()) {
                        return Optional.empty();
                    }
                    Thread.sleep(20); // the bundle's activator starts the thread once Gogo's processor is there
                }
            }

            @Override
            public boolean frameworkActive() {
                return framework.getState() == Bundle.ACTIVE;
            }

            @Override
            public boolean bundleActive() {
                return gogoJline.getState() == Bundle.ACTIVE;
            }

            @Override
            public void restart() throws BundleException {
                gogoJline.stop(Bundle.STOP_TRANSIENT);
                Thread t = Thread.currentThread();
                ClassLoader previous = t.getContextClassLoader();
                t.setContextClassLoader(loader); // JLine finds its terminal providers there (see Main.startShell)
                try {
                    gogoJline.start(Bundle.START_TRANSIENT);
                } finally {
                    t.setContextClassLoader(previous);
                }
            }

            @Override
            public void stop() throws BundleException {
                gogoJline.stop(Bundle.STOP_TRANSIENT);
            }
        };
        Thread keeper = new Thread(new PromptKeeper(shell, System.out, System::nanoTime), "overlaygate-prompt");
        keeper.setDaemon(true);
        keeper.start();
    }

    @Override
    public void run() {
        int quickEnds = 0;
        try {
            while (true) {
                long started = nanoTime.getAsLong();
                Optional<Thread> thread = shell.awaitThread(10_000);
                if (thread.isEmpty()) {
                    return; // no prompt (the shell failed to start: the log says why), or the appliance is stopping
                }
                thread.get().join();
                if (!shell.frameworkActive() || !shell.bundleActive()) {
                    return; // stopped on purpose: exit 0, SIGTERM, felix:stop of the shell
                }
                quickEnds = nanoTime.getAsLong() - started < QUICK_NANOS ? quickEnds + 1 : 0;
                if (quickEnds >= QUICK_ENDS) {
                    LOG.warn("the prompt ended {} times at once: the terminal gives no input; the appliance goes on without a prompt", quickEnds);
                    terminal.println("overlaygate: the terminal gives no input; the appliance goes on without a prompt"
                            + " (bin/overlaygate stop ends it)");
                    terminal.flush();
                    shell.stop();
                    return;
                }
                terminal.println();
                terminal.println(HINT);
                terminal.flush();
                shell.restart();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            LOG.error("the prompt could not be given back: {}", e.toString(), e);
        }
    }
}
