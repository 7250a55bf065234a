package org.overlaygate.varpd.plugins;

import java.io.File;

import org.apache.felix.fileinstall.ArtifactInstaller;
import org.osgi.service.component.annotations.Component;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Claims, through FileInstall's artifact whiteboard, the jars of {@code plugins.d/} that cannot be
 * bundles, so that each is reported in the log once, with the reason, when it appears. FileInstall
 * itself skips such files without a word. Nothing is installed; the file stays listed as FAILED
 * by {@code overlay:plugins} until it is removed or replaced by a real bundle.
 */
@Component(service = ArtifactInstaller.class)
public final class RejectedJarReporter implements ArtifactInstaller {
    private static final Logger LOG = LoggerFactory.getLogger(RejectedJarReporter.class);

    @Override
    public boolean canHandle(File file) {
        return file.getName().endsWith(".jar") && JarCheck.whyNotABundle(file.toPath()) != null;
    }

    @Override
    public void install(File file) {
        LOG.error("plugin {} refused: {}", file, JarCheck.whyNotABundle(file.toPath()));
    }

    @Override
    public void update(File file) {
        install(file);
    }

    @Override
    public void uninstall(File file) {
        LOG.info("refused plugin {} removed", file);
    }
}
