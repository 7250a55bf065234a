package org.overlaygate.itests;

import static org.junit.Assert.assertTrue;

import java.util.Random;

import org.junit.Test;

/**
 * System test (root, ip, ping, arping, iperf3, jcmd): the soak of {@code benchmarks/soak.sh}, the
 * same code, for 2 minutes: three appliances and the katar server in namespaces, every search mode
 * loaded, plugins and varpd replaced, the katar server restarted, a VM moved; every check of
 * {@link SoakReport} must pass. The figures are in the test's output.
 */
public class SoakIT {
    @Test
    public void theCoreKeepsItsPromisesForTwoMinutesOfDisturbances() throws Exception {
        SystemTests.assumeSystem("SoakIT", "ping", "arping", "iperf3", "jcmd");
        long seed = new Random().nextLong();
        SoakReport report = Soak.run(2, seed, System.out);
        report.print(System.out);
        assertTrue("soak (seed " + seed + "): " + String.join("; ", report.failures()) + "\n" + report, report.failures().isEmpty());
    }
}
