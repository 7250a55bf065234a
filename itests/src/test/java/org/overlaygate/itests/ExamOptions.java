package org.overlaygate.itests;

import static org.ops4j.pax.exam.CoreOptions.bundle;
import static org.ops4j.pax.exam.CoreOptions.cleanCaches;
import static org.ops4j.pax.exam.CoreOptions.frameworkProperty;
import static org.ops4j.pax.exam.CoreOptions.junitBundles;
import static org.ops4j.pax.exam.CoreOptions.mavenBundle;
import static org.ops4j.pax.exam.CoreOptions.composite;
import static org.ops4j.pax.exam.CoreOptions.systemProperty;
import static org.ops4j.pax.exam.CoreOptions.vmOption;

import java.io.File;
import java.nio.file.Path;

import org.ops4j.pax.exam.Option;

/**
 * The framework every Pax Exam test boots: Felix with SCR, ConfigAdmin, Gogo, slf4j 2 (through SPI
 * Fly, see ../shared/osgi-versions.md pitfalls 3-5), FileInstall on a temporary plugins directory,
 * and the reactor's API and varpd bundles. Versions come from the pom through failsafe.
 */
final class ExamOptions {
    private ExamOptions() {
    }

    static String prop(String name) {
        String value = System.getProperty(name);
        if (value == null) {
            throw new IllegalStateException("system property " + name + " is not set: run the tests with mvn verify");
        }
        return value;
    }

    static Option reactorBundle(String key) {
        return bundle(new File(prop("og.bundle." + key)).toURI().toString());
    }

    /** Passes a reactor bundle's path into the framework JVM, for tests that drop it into plugins.d. */
    static Option bundlePath(String key) {
        return systemProperty("og.bundle." + key).value(prop("og.bundle." + key));
    }

    static Option base(Path pluginsDir) {
        return composite(
                cleanCaches(),
                junitBundles(),
                vmOption("-Djna.encoding=UTF-8"),
                systemProperty("org.ops4j.pax.url.mvn.localRepository").value(prop("org.ops4j.pax.url.mvn.localRepository")),
                mavenBundle("org.apache.aries.spifly", "org.apache.aries.spifly.dynamic.framework.extension", "1.3.7").noStart(),
                mavenBundle("org.slf4j", "slf4j-api", prop("og.version.slf4j")),
                mavenBundle("org.slf4j", "slf4j-simple", prop("og.version.slf4j")).noStart(),
                mavenBundle("org.osgi", "org.osgi.service.component", "1.5.1"),
                mavenBundle("org.osgi", "org.osgi.util.promise", "1.3.0"),
                mavenBundle("org.osgi", "org.osgi.util.function", "1.2.0"),
                mavenBundle("org.apache.felix", "org.apache.felix.scr", prop("og.version.scr")),
                mavenBundle("org.apache.felix", "org.apache.felix.configadmin", prop("og.version.configadmin")),
                mavenBundle("org.apache.felix", "org.apache.felix.gogo.runtime", prop("og.version.gogo.runtime")),
                mavenBundle("org.apache.felix", "org.apache.felix.fileinstall", prop("og.version.fileinstall")),
                frameworkProperty("felix.fileinstall.dir").value(pluginsDir.toString()),
                frameworkProperty("felix.fileinstall.poll").value("500"), // as in the distribution
                frameworkProperty("felix.fileinstall.noInitialDelay").value("true"),
                frameworkProperty("felix.fileinstall.filter").value(".*\\.jar"),
                frameworkProperty("felix.fileinstall.log.level").value("3"),
                frameworkProperty("ds.loglevel").value("warn"),
                reactorBundle("api"),
                reactorBundle("varpd"));
    }

    /**
     * The katar server bundle and its libraries (H2, Gson), listening on {@code 127.0.0.1:port} with
     * its embedded database under {@code data}.
     */
    static Option katarServer(int port, Path data) {
        return composite(
                mavenBundle("com.h2database", "h2", prop("og.version.h2")),
                mavenBundle("com.google.code.gson", "gson", prop("og.version.gson")),
                reactorBundle("katar-server"),
                frameworkProperty("overlaygate.data").value(data.toString()),
                frameworkProperty("overlaygate.katar.port").value(Integer.toString(port)));
    }

    /** The data path and its libraries, for tests that carry traffic. */
    static Option dataPath() {
        return composite(
                mavenBundle("org.jctools", "jctools-core", prop("og.version.jctools")),
                mavenBundle("net.java.dev.jna", "jna", prop("og.version.jna")),
                reactorBundle("overlay-core"));
    }
}
