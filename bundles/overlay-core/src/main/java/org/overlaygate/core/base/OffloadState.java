package org.overlaygate.core.base;

import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * Which offloads one socket or VNIC uses, and for each one it does not, why: settled by the probes
 * when it opens, and changed only when the kernel later refuses a feature (which then stays off,
 * with the refusal as its reason). Read by any thread; each feature's flag is a volatile read.
 */
public final class OffloadState {
    /** The reason of a feature the operator's setting turned off. */
    public static final String OFF_BY_SETTING = "off by setting overlaygate.core.offloads";

    private final EnumMap<Offload, String> reasons = new EnumMap<>(Offload.class);
    private final Set<Offload> applicable;
    private volatile boolean mmsg;
    private volatile boolean udpGro;
    private volatile boolean udpGso;
    private volatile boolean tapTso;
    private volatile boolean tapGro;

    /** For the features that apply to this socket or VNIC, all off until {@link #on}. */
    public OffloadState(Set<Offload> applicable) {
        this.applicable = applicable;
        for (Offload f : applicable) {
            reasons.put(f, "not probed");
        }
    }

    /** Records that the feature is used. */
    public synchronized void on(Offload f) {
        reasons.put(f, null);
        set(f, true);
    }

    /** Records that the feature is not used, and why. */
    public synchronized void off(Offload f, String reason) {
        reasons.put(f, reason);
        set(f, false);
    }

    /** Settles a feature from a probe's answer: null means it works. */
    public void settle(Offload f, String probeRefusal) {
        if (probeRefusal == null) {
            on(f);
        } else {
            off(f, probeRefusal);
        }
    }

    private void set(Offload f, boolean value) {
        switch (f) {
            case MMSG:
                mmsg = value;
                break;
            case UDP_GRO:
                udpGro = value;
                break;
            case UDP_GSO:
                udpGso = value;
                break;
            case TAP_TSO:
                tapTso = value;
                break;
            default:
                tapGro = value;
        }
    }

    public boolean uses(Offload f) {
        switch (f) {
            case MMSG:
                return mmsg;
            case UDP_GRO:
                return udpGro;
            case UDP_GSO:
                return udpGso;
            case TAP_TSO:
                return tapTso;
            default:
                return tapGro;
        }
    }

    /** Every applicable feature by name: "on", or why it is off. */
    public synchronized Map<String, String> describe() {
        Map<String, String> out = new LinkedHashMap<>();
        for (Offload f : applicable) {
            String reason = reasons.get(f);
            out.put(f.label(), reason == null ? "on" : "off: " + reason);
        }
        return out;
    }
}
