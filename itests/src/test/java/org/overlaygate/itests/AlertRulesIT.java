package org.overlaygate.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;

import org.junit.Test;

/**
 * The Prometheus alerting rules the distribution ships (share/prometheus): promtool accepts them,
 * and their unit test, which feeds each alert series that make it fire and series that must
 * leave it silent, passes. The metric names they use are the ones MetricsIT sees in /metrics.
 */
public class AlertRulesIT {
    @Test
    public void theShippedAlertingRulesAreValidAndTheirUnitTestsPass() throws Exception {
        SystemTests.assumeSystem("AlertRulesIT", "promtool");
        Path dir = Paths.get(ExamOptions.prop("og.dist.dir")).resolve("share/prometheus");
        assertTrue(Files.exists(dir.resolve("overlaygate-alerts.yml")));
        Process check = new ProcessBuilder("promtool", "check", "rules", "overlaygate-alerts.yml").directory(dir.toFile())
                .redirectErrorStream(true).start();
        String checked = new String(check.getInputStream().readAllBytes());
        assertEquals(checked, 0, check.waitFor());
        assertTrue(checked, checked.contains("SUCCESS: 6 rules found"));
        Process test = new ProcessBuilder("promtool", "test", "rules", "overlaygate-alerts.test.yml").directory(dir.toFile())
                .redirectErrorStream(true).start();
        String tested = new String(test.getInputStream().readAllBytes());
        assertEquals(tested, 0, test.waitFor());
        assertTrue(tested, tested.contains("SUCCESS"));
    }
}
