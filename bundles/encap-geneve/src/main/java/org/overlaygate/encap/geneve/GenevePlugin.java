package org.overlaygate.encap.geneve;

import java.util.List;

import org.osgi.service.component.annotations.Component;
import org.overlaygate.api.PluginConstants;
import org.overlaygate.api.encap.Decapsulator;
import org.overlaygate.api.encap.EncapsulationPlugin;
import org.overlaygate.api.encap.Encapsulator;
import org.overlaygate.api.encap.UnderlayTransport;
import org.overlaygate.api.property.PropertyException;
import org.overlaygate.api.property.PropertySpec;
import org.overlaygate.api.property.PropertyType;
import org.overlaygate.api.property.PropertyValues;

/** Registers Geneve as the {@code geneve} encapsulation. */
@Component(service = EncapsulationPlugin.class, property = PluginConstants.PLUGIN_NAME + "=" + GenevePlugin.NAME)
public final class GenevePlugin implements EncapsulationPlugin {
    static final String NAME = "geneve";
    static final String LISTEN_IP = "geneve/listen_ip";
    static final String LISTEN_PORT = "geneve/listen_port";
    static final String OPTIONS = "geneve/options";
    /** IANA-assigned Geneve port (RFC 8926 section 3.3). */
    static final int GENEVE_PORT = 6081;

    private static final UnderlayTransport TRANSPORT = UnderlayTransport.udp(GENEVE_PORT, LISTEN_IP, LISTEN_PORT);
    private static final List<PropertySpec> PROPERTIES = List.of(
            PropertySpec.builder(LISTEN_IP, PropertyType.IP).required()
                    .description("underlay address to receive on and send from").build(),
            PropertySpec.builder(LISTEN_PORT, PropertyType.UINT).range(1, 65535).defaultValue(Integer.toString(GENEVE_PORT))
                    .description("underlay UDP port to receive on").build(),
            PropertySpec.builder(OPTIONS, PropertyType.STRING)
                    .description("options sent in every header, as tc's geneve_opts: CLASS:TYPE:DATA in hex, comma-separated, "
                            + Geneve.MAX_SENT_OPTIONS + " bytes at most; lower the mtu by as many (none by default)").build());
    private static final GeneveDecapsulator DECAPSULATOR = new GeneveDecapsulator();

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public UnderlayTransport transport() {
        return TRANSPORT;
    }

    /** 8 bytes and the most options an overlay may be configured to send. */
    @Override
    public int headerLength() {
        return Geneve.MAX_HEADER;
    }

    /** Outer IPv4 20 + UDP 8 + Geneve 8 + inner Ethernet 14, without options (section 4.1.1). */
    @Override
    public int overheadIpv4() {
        return 50;
    }

    /** A 1500-byte underlay less the 50 bytes Geneve adds without options, as Linux's geneve device. */
    @Override
    public int defaultMtu() {
        return 1500 - overheadIpv4();
    }

    @Override
    public long minVnetId() {
        return 0;
    }

    @Override
    public long maxVnetId() {
        return Geneve.VNI_MASK;
    }

    /** RFC 8926 puts no limit on the inner Ethernet frame: 802.1Q tags cross, as with Linux's geneve device. */
    @Override
    public boolean carriesInnerVlanTags() {
        return true;
    }

    @Override
    public List<PropertySpec> properties() {
        return PROPERTIES;
    }

    @Override
    public Encapsulator newEncapsulator(PropertyValues values) throws PropertyException {
        if (!values.has(OPTIONS)) {
            return GeneveEncapsulator.PLAIN;
        }
        return new GeneveEncapsulator(GeneveOptions.parse(OPTIONS, values.getString(OPTIONS)));
    }

    @Override
    public Decapsulator decapsulator() {
        return DECAPSULATOR;
    }
}
