package org.overlaygate.encap.nvgre;

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

/** Registers NVGRE as the {@code nvgre} encapsulation. */
@Component(service = EncapsulationPlugin.class, property = PluginConstants.PLUGIN_NAME + "=" + NvgrePlugin.NAME)
public final class NvgrePlugin implements EncapsulationPlugin {
    static final String NAME = "nvgre";
    static final String LISTEN_IP = "nvgre/listen_ip";
    static final String FLOW_ID = "nvgre/flowid";
    static final int IP_PROTOCOL_GRE = 47;
    static final long VSID_MIN = 0x001000L;
    static final long VSID_MAX = 0xFFFFFEL;

    private static final UnderlayTransport TRANSPORT = UnderlayTransport.ipProtocol(IP_PROTOCOL_GRE, LISTEN_IP);
    private static final List<PropertySpec> PROPERTIES = List.of(
            PropertySpec.builder(LISTEN_IP, PropertyType.IP).required().unicast()
                    .description("underlay IPv4 address to receive on and send from").build(),
            PropertySpec.builder(FLOW_ID, PropertyType.UINT).range(0, 255)
                    .description("a constant FlowID; without it, a hash of the inner flow (ECMP entropy)").build());
    private static final NvgreCodec HASHED = new NvgreCodec(-1);

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public UnderlayTransport transport() {
        return TRANSPORT;
    }

    @Override
    public int headerLength() {
        return NvgreCodec.HEADER_LENGTH;
    }

    /** Outer IPv4 20 + GRE with key 8 + inner Ethernet 14. */
    @Override
    public int overheadIpv4() {
        return 42;
    }

    /** A 1500-byte underlay less the 42 bytes NVGRE adds. */
    @Override
    public int defaultMtu() {
        return 1500 - overheadIpv4();
    }

    @Override
    public long minVnetId() {
        return VSID_MIN;
    }

    @Override
    public long maxVnetId() {
        return VSID_MAX;
    }

    @Override
    public String checkVnetId(long vnetId) {
        if (vnetId < VSID_MIN || vnetId > VSID_MAX) {
            return "vnet id " + vnetId + " is not a usable NVGRE VSID: RFC 7637 reserves 0-4095 (0x0-0xFFF) and 16777215 (0xFFFFFF);"
                    + " use " + VSID_MIN + "-" + VSID_MAX;
        }
        return null;
    }

    @Override
    public List<PropertySpec> properties() {
        return PROPERTIES;
    }

    @Override
    public Encapsulator newEncapsulator(PropertyValues values) {
        return values.has(FLOW_ID) ? new NvgreCodec(values.getInt(FLOW_ID)) : HASHED;
    }

    /** Decapsulation does not depend on the FlowID policy: any codec reads any header. */
    @Override
    public Decapsulator decapsulator() {
        return HASHED;
    }
}
