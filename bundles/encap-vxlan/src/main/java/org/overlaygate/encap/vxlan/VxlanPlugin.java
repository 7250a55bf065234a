package org.overlaygate.encap.vxlan;

import java.util.List;

import org.osgi.service.component.annotations.Component;
import org.overlaygate.api.PluginConstants;
import org.overlaygate.api.encap.Decapsulator;
import org.overlaygate.api.encap.EncapsulationPlugin;
import org.overlaygate.api.encap.Encapsulator;
import org.overlaygate.api.encap.UnderlayTransport;
import org.overlaygate.api.property.PropertySpec;
import org.overlaygate.api.property.PropertyType;
import org.overlaygate.api.property.PropertyValues;

/** Registers VXLAN as the {@code vxlan} encapsulation. */
@Component(service = EncapsulationPlugin.class, property = PluginConstants.PLUGIN_NAME + "=" + VxlanPlugin.NAME)
public final class VxlanPlugin implements EncapsulationPlugin {
    static final String NAME = "vxlan";
    static final String LISTEN_IP = "vxlan/listen_ip";
    static final String LISTEN_PORT = "vxlan/listen_port";
    /** IANA-assigned VXLAN port (RFC 7348 section 5). */
    static final int VXLAN_PORT = 4789;

    private static final UnderlayTransport TRANSPORT = UnderlayTransport.udp(VXLAN_PORT, LISTEN_IP, LISTEN_PORT);
    private static final List<PropertySpec> PROPERTIES = List.of(
            PropertySpec.builder(LISTEN_IP, PropertyType.IP).required().unicast()
                    .description("underlay address to receive on and send from").build(),
            PropertySpec.builder(LISTEN_PORT, PropertyType.UINT).range(1, 65535).defaultValue(Integer.toString(VXLAN_PORT))
                    .description("underlay UDP port to receive on").build());
    private static final VxlanCodec CODEC = new VxlanCodec();

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public UnderlayTransport transport() {
        return TRANSPORT;
    }

    /** RFC 7348 6.1: no inner tags "unless configured otherwise", as an overlay with VLAN VNICs is. */
    @Override
    public boolean innerVlanTagsConfigurable() {
        return true;
    }

    @Override
    public int headerLength() {
        return VxlanCodec.HEADER_LENGTH;
    }

    /** Outer IPv4 20 + UDP 8 + VXLAN 8 + inner Ethernet 14 (RFC 7348 section 4.3). */
    @Override
    public int overheadIpv4() {
        return 50;
    }

    /** 1400, as illumos: leaves room for an IPv6 underlay and tunnelled underlays too. */
    @Override
    public int defaultMtu() {
        return 1400;
    }

    @Override
    public long minVnetId() {
        return 0;
    }

    @Override
    public long maxVnetId() {
        return 0xFF_FFFFL;
    }

    @Override
    public List<PropertySpec> properties() {
        return PROPERTIES;
    }

    @Override
    public Encapsulator newEncapsulator(PropertyValues values) {
        return CODEC;
    }

    @Override
    public Decapsulator decapsulator() {
        return CODEC;
    }
}
