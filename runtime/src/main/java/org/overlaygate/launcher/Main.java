package org.overlaygate.launcher;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Dictionary;
import java.util.HashMap;
import java.util.Hashtable;
import java.util.List;
import java.util.Map;

import org.apache.felix.framework.FrameworkFactory;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleException;
import org.osgi.framework.Constants;
import org.osgi.framework.FrameworkEvent;
import org.osgi.framework.launch.Framework;
import org.osgi.framework.wiring.BundleWiring;
import org.osgi.service.condition.Condition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.bridge.SLF4JBridgeHandler;

/**
 * Starts the appliance: Felix with the bundles of {@code system/} (and {@code shell/} on a terminal),
 * then waits until the framework stops, by SIGTERM or from the shell.
 */
public final class Main {
    private static final long STOP_TIMEOUT_MS = 30_000;
    /** The bundle of the interactive prompt; {@link PromptKeeper} gives its prompt back after Ctrl-D. */
    private static final String GOGO_JLINE = "org.apache.felix.gogo.jline";
    /**
     * Framework property: bundles of {@code system/} not to install, by artifact name; a profile
     * uses it to run, say, only the katar server.
     */
    static final String EXCLUDE_PROPERTY = "overlaygate.system.exclude";
    /** Framework property: the admin socket's path (the admin bundle creates it when ready). */
    static final String ADMIN_SOCKET_PROPERTY = "overlaygate.admin.socket";
    /** Framework property: how long the appliance may take to become ready (bundle appliance), in ms. */
    static final String READY_TIMEOUT_PROPERTY = "overlaygate.ready.timeout.ms";
    private static final long READY_TIMEOUT_MS = 120_000;
    /** The condition registered once every bundle of system/ was started; readiness waits for it. */
    static final String LAUNCHED_CONDITION = "overlaygate.launched";

    private Main() {
    }

    /**
     * The launcher's logger, made when first used: logback's configuration opens the log file,
     * which "overlaygate --help" and a mistyped option must not create (as root, in the package's
     * /var/log/overlaygate, it would belong to root).
     */
    private static Logger log() {
        return LoggerFactory.getLogger(Main.class);
    }

    public static void main(String[] args) {
        System.exit(run(args));
    }

    static int run(String[] args) {
        LaunchOptions options;
        try {
            options = LaunchOptions.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("overlaygate: " + e.getMessage());
            System.err.print(LaunchOptions.USAGE);
            return 2;
        }
        if (options.help) {
            System.out.print(LaunchOptions.USAGE);
            return 0;
        }
        FatalErrors.install(); // a thread lost to OutOfMemoryError ends the process, its reason logged
        SLF4JBridgeHandler.removeHandlersForRootLogger();
        SLF4JBridgeHandler.install(); // FileInstall logs through java.util.logging
        Path home = Paths.get(System.getProperty("overlaygate.home", ".")).toAbsolutePath().normalize();
        Path data = options.data != null ? options.data : home.resolve("data");
        boolean interactive = !options.daemon && System.console() != null;
        try {
            return launch(home, data, options.profile, interactive);
        } catch (IllegalArgumentException | IllegalStateException e) {
            System.err.println("overlaygate: " + e.getMessage());
            return 1;
        } catch (Exception e) {
            log().error("appliance failed to start", e);
            System.err.println("overlaygate: failed to start: " + e + " (details in " + home.resolve("log/overlaygate.log") + ")");
            return 1;
        }
    }

    private static int launch(Path home, Path data, String profile, boolean interactive) throws Exception {
        Map<String, String> config = FrameworkConfig.load(home, data, profile);
        OwnerOnly.directory(data);
        OwnerOnly.directory(home.resolve("run"));
        Path pidPath = home.resolve("run/overlaygate.pid");
        PidFile.checkNotRunning(pidPath);
        String adminSocket = config.get(ADMIN_SOCKET_PROPERTY);
        if (adminSocket != null && !adminSocket.isBlank()) {
            AdminSocketFile.removeStale(Paths.get(adminSocket)); // left by an appliance killed with SIGKILL
        }
        PidFile[] pidFile = new PidFile[1];
        Map<String, Object> frameworkConfig = new HashMap<>(config);
        frameworkConfig.put("felix.log.logger", new Slf4jFrameworkLogger());
        @SuppressWarnings({"unchecked", "rawtypes"})
        Framework framework = new FrameworkFactory().newFramework((Map) frameworkConfig);
        framework.init();

        Runtime.getRuntime().addShutdownHook(new Thread(() -> stop(framework, pidFile[0]), "overlaygate-shutdown"));

        List<String> exclude = excluded(config.get(EXCLUDE_PROPERTY));
        List<Bundle> installed = new ArrayList<>(install(framework.getBundleContext(), home.resolve("system"), exclude));
        List<Bundle> shell = interactive ? install(framework.getBundleContext(), home.resolve("shell"), List.of()) : List.of();
        framework.start();
        int failed = start(installed);
        launched(framework.getBundleContext());
        log().info("appliance started from {} (data {}, {}{}), {} bundles, {} failed to start", home, data,
                interactive ? "interactive" : "headless", profile == null ? "" : ", profile " + profile, installed.size() + shell.size(), failed);
        if (failed > 0) {
            System.err.println("overlaygate: " + failed + " bundle(s) failed to start; see " + home.resolve("log/overlaygate.log"));
        }
        // The admin socket is bound once the appliance is ready (bundle appliance): every command
        // registered, every stored overlay restored.
        awaitAdminSocket(adminSocket, readyTimeout(config) + 10_000);
        // Written once the appliance answers: bin/overlaygate --daemon returns when it appears.
        pidFile[0] = PidFile.acquire(pidPath);
        // The prompt comes once every command is there.
        if (startShell(shell, framework) > 0) {
            System.err.println("overlaygate: the interactive shell failed to start; see " + home.resolve("log/overlaygate.log"));
        }
        FrameworkEvent event = framework.waitForStop(0);
        pidFile[0].release();
        if (event.getType() == FrameworkEvent.ERROR) {
            log().error("framework stopped with an error", event.getThrowable());
            return 1;
        }
        return 0;
    }

    /**
     * Tells the bundles that every bundle of system/ has been started: the appliance bundle's
     * readiness watch waits for this condition before it judges anything else.
     */
    private static void launched(BundleContext context) {
        Dictionary<String, Object> props = new Hashtable<>();
        props.put(Condition.CONDITION_ID, LAUNCHED_CONDITION);
        context.registerService(Condition.class, Condition.INSTANCE, props);
    }

    static long readyTimeout(Map<String, String> config) {
        String v = config.get(READY_TIMEOUT_PROPERTY);
        try {
            return v == null || v.isBlank() ? READY_TIMEOUT_MS : Long.parseLong(v.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(READY_TIMEOUT_PROPERTY + "=" + v + " is not a number of milliseconds");
        }
    }

    /**
     * Waits until the admin socket answers: it is bound once the appliance is ready, so the
     * appliance answers overlayadm by the time the pid file says it runs. Gives up after a while
     * (the admin bundle may be excluded or broken; the log says why).
     */
    private static void awaitAdminSocket(String socket, long timeoutMs) throws InterruptedException {
        if (socket == null || socket.isBlank()) {
            return;
        }
        if (!AdminSocketFile.await(Paths.get(socket), timeoutMs)) {
            log().warn("the admin socket {} did not answer within {} ms", socket, timeoutMs);
        }
    }

    /** Comma-separated artifact names (jar file names without version) a profile leaves out. */
    static List<String> excluded(String value) {
        List<String> out = new ArrayList<>();
        if (value != null) {
            for (String name : value.split(",")) {
                if (!name.isBlank()) {
                    out.add(name.trim());
                }
            }
        }
        return out;
    }

    /** True when {@code fileName} (artifact-version.jar) is the artifact {@code name}. */
    static boolean isArtifact(String fileName, String name) {
        return fileName.equals(name + ".jar") || (fileName.startsWith(name + "-") && fileName.length() > name.length() + 1
                && Character.isDigit(fileName.charAt(name.length() + 1)));
    }

    private static List<Bundle> install(BundleContext context, Path dir, List<String> exclude) throws IOException, BundleException {
        List<Path> jars = new ArrayList<>();
        if (Files.isDirectory(dir)) {
            try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "*.jar")) {
                files.forEach(jars::add);
            }
        }
        jars.sort(null);
        jars.removeIf(jar -> exclude.stream().anyMatch(name -> isArtifact(jar.getFileName().toString(), name)));
        List<Bundle> bundles = new ArrayList<>();
        for (Path jar : jars) {
            try (InputStream in = Files.newInputStream(jar)) {
                bundles.add(context.installBundle(jar.toUri().toString(), in));
            }
        }
        return bundles;
    }

    /** Starts every non-fragment; a bundle that fails is logged and the others still start. */
    private static int start(List<Bundle> bundles) {
        int failed = 0;
        for (Bundle bundle : bundles) {
            if (bundle.getHeaders().get(Constants.FRAGMENT_HOST) != null) {
                continue;
            }
            try {
                bundle.start();
            } catch (BundleException | RuntimeException e) {
                failed++;
                log().error("bundle {} failed to start: {}", bundle.getSymbolicName(), e.getMessage(), e);
            }
        }
        return failed;
    }

    /**
     * Starts the interactive shell. JLine finds its terminal providers (exec, jni, ...) as resources
     * of the thread's context class loader, which outside OSGi is the application class loader; in
     * the framework that loader cannot see the jline bundle, so JLine would fall back to a dumb
     * terminal without line editing. The shell is therefore started with the jline bundle's own
     * class loader as context class loader.
     */
    private static int startShell(List<Bundle> shell, Framework framework) {
        ClassLoader jline = null;
        for (Bundle b : shell) {
            if ("org.jline".equals(b.getSymbolicName())) {
                try {
                    b.start();
                    BundleWiring wiring = b.adapt(BundleWiring.class);
                    jline = wiring == null ? null : wiring.getClassLoader();
                } catch (BundleException e) {
                    log().error("the jline bundle failed to start: {}", e.getMessage(), e);
                }
            }
        }
        Thread thread = Thread.currentThread();
        ClassLoader previous = thread.getContextClassLoader();
        if (jline != null) {
            thread.setContextClassLoader(jline);
        }
        int failed;
        try {
            failed = start(shell);
        } finally {
            thread.setContextClassLoader(previous);
        }
        for (Bundle b : shell) {
            if (GOGO_JLINE.equals(b.getSymbolicName()) && b.getState() == Bundle.ACTIVE) {
                PromptKeeper.start(b, framework, jline);
            }
        }
        return failed;
    }

    private static void stop(Framework framework, PidFile pidFile) { // pidFile is null before the appliance was ready
        try {
            if ((framework.getState() & (Bundle.ACTIVE | Bundle.STARTING)) != 0) {
                log().info("stopping the appliance");
                framework.stop();
                FrameworkEvent event = framework.waitForStop(STOP_TIMEOUT_MS);
                if (event.getType() == FrameworkEvent.WAIT_TIMEDOUT) {
                    log().error("framework did not stop within {} ms", STOP_TIMEOUT_MS);
                } else {
                    log().info("appliance stopped");
                }
            }
        } catch (BundleException | InterruptedException e) {
            log().error("stopping the framework failed", e);
        } finally {
            if (pidFile != null) {
                pidFile.release();
            }
        }
    }
}
