package org.overlaygate.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotNull;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import org.junit.Test;
import org.junit.runner.RunWith;
import org.junit.runners.Parameterized;
import org.junit.runners.Parameterized.Parameters;
import org.overlaygate.testsupport.DistributionCopy;
import org.overlaygate.testsupport.Netns;

/**
 * Every walkthrough of the documentation ({@link Walkthrough}: README.md's and docs/'s), run as a
 * reader pastes it: its shell blocks, in order, as one bash script that stops at the first failing
 * command, from a directory laid out as a clone of the repository (run.sh and a private copy of
 * the built distribution at runtime/target/overlaygate), as root in a network namespace of its own
 * (so its addresses and ports are its own), then its clean-up as written. A walkthrough that fails,
 * or whose clean-up leaves the appliance running, a VM's namespace or the data directory behind,
 * fails the test. Every walkthrough ends with the README's clean-up, word for word.
 */
@RunWith(Parameterized.class)
public class WalkthroughIT {
    private static final long RUN_MS = 600_000;
    private final Walkthrough walkthrough;

    public WalkthroughIT(Walkthrough walkthrough) {
        this.walkthrough = walkthrough;
    }

    static Path repo() {
        return Paths.get(ExamOptions.prop("og.repo.dir")).toAbsolutePath().normalize();
    }

    @Parameters(name = "{0}")
    public static List<Object[]> walkthroughs() throws Exception {
        List<Object[]> all = new ArrayList<>();
        for (Walkthrough w : Walkthrough.all(repo())) {
            all.add(new Object[] {w});
        }
        return all;
    }

    @Test
    public void everyWalkthroughFileHasOneAndTheReadmeToo() throws Exception {
        List<Path> files = new ArrayList<>(List.of(repo().resolve("README.md")));
        try (Stream<Path> dir = Files.list(repo().resolve("docs/walkthroughs"))) {
            dir.filter(p -> p.toString().endsWith(".md")).forEach(files::add);
        }
        for (Path f : files) {
            assertNotNull(f + " has no walkthrough marked with " + Walkthrough.STEP, Walkthrough.parse(f));
        }
    }

    @Test
    public void endsWithTheReadmesCleanUp() throws Exception {
        Walkthrough readme = Walkthrough.parse(repo().resolve("README.md"));
        assertEquals(walkthrough + ": the clean-up is the README's", readme.cleanUp, walkthrough.cleanUp);
    }

    @Test
    public void runsAsWritten() throws Exception {
        SystemTests.assumeSystem("WalkthroughIT", "bash", "ping");
        Path clone = Files.createTempDirectory("og-walkthrough");
        Path dist = clone.resolve("runtime/target/overlaygate");
        List<String> vms = List.of("vm1", "vm2", "vm3");
        for (String vm : vms) {
            if (Files.exists(Paths.get("/run/netns", vm))) {
                Netns.skipOrFail("WalkthroughIT", "a namespace " + vm + " exists already; the walkthroughs make their VMs under that name");
            }
        }
        try (Netns host = Netns.create("ogwt")) {
            Files.copy(repo().resolve("run.sh"), clone.resolve("run.sh"));
            Files.createDirectories(dist.getParent());
            Files.move(DistributionCopy.copy(Paths.get(ExamOptions.prop("og.dist.dir"))), dist);
            String script = "set -e -x -o pipefail\ncd " + clone + "\n" + walkthrough.script();
            Netns.Result run = host.exec(RUN_MS, "bash", "-c", script);
            Netns.Result cleanUp = host.exec(120_000, "bash", "-c", "cd " + clone + "\n" + walkthrough.cleanUp);
            assertEquals(walkthrough + " as written:\n" + run.output + "\n" + log(dist), 0, run.exitCode);
            assertFalse("the clean-up stops the appliance: " + cleanUp.output, Files.exists(dist.resolve("run/overlaygate.pid")));
            assertFalse("the clean-up deletes the data directory: " + cleanUp.output, Files.exists(dist.resolve("data")));
            for (String vm : vms) {
                assertFalse("the clean-up deletes the VM " + vm + ": " + cleanUp.output, Files.exists(Paths.get("/run/netns", vm)));
            }
        } finally {
            for (String vm : vms) {
                if (Files.exists(Paths.get("/run/netns", vm))) {
                    Netns.run("ip", "netns", "del", vm);
                }
            }
            DistributionCopy.delete(clone);
        }
    }

    private static String log(Path dist) throws Exception {
        Path log = dist.resolve("log/overlaygate.log");
        if (!Files.exists(log)) {
            return "(no log)";
        }
        List<String> lines = Files.readAllLines(log);
        return "log/overlaygate.log, last lines:\n" + String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
    }
}
