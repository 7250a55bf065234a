package org.overlaygate.varpd.plugins;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.util.List;

import org.junit.Test;
import org.overlaygate.api.property.PropertySpec;
import org.overlaygate.api.property.PropertyType;

public class PluginsCommandTest {

    @Test
    public void rendersPluginsPropertiesAndFailures() {
        PluginInfo vxlan = new PluginInfo(PluginInfo.ENCAP, "vxlan", "udp/4789", "org.overlaygate.encap.vxlan", "1.0.0", "ACTIVE", null,
                List.of(PropertySpec.builder("vxlan/listen_ip", PropertyType.IP).required().description("where").build(),
                        PropertySpec.builder("vxlan/listen_port", PropertyType.UINT).range(1, 65535).defaultValue("4789").build()));
        PluginInfo broken = new PluginInfo(PluginInfo.FILE, "junk.jar", "--", "--", "--", "FAILED",
                "not an OSGi bundle: no Bundle-SymbolicName in its manifest", List.of());
        String out = PluginsCommand.render(List.of(vxlan, broken), "[/x/plugins.d]");
        assertEquals(
                "KIND   NAME      DETAIL    BUNDLE                       VERSION  STATE\n"
                        + "encap  vxlan     udp/4789  org.overlaygate.encap.vxlan  1.0.0    ACTIVE\n"
                        + "file   junk.jar  --        --                           --       FAILED\n"
                        + "\n"
                        + "encap vxlan (org.overlaygate.encap.vxlan 1.0.0):\n"
                        + "  PROPERTY           TYPE  DEFAULT  REQUIRED  POSSIBLE  DESCRIPTION\n"
                        + "  vxlan/listen_ip    ip    --       yes       --        where\n"
                        + "  vxlan/listen_port  uint  4789     no        1-65535   --\n"
                        + "\n"
                        + "file junk.jar: FAILED: not an OSGi bundle: no Bundle-SymbolicName in its manifest\n",
                out);
    }

    @Test
    public void saysSoWhenThereAreNoPlugins() {
        assertTrue(PluginsCommand.render(List.of(), "[/x]").startsWith("no plugins (watched: [/x])"));
    }
}
