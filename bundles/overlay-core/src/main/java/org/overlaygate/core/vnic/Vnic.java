package org.overlaygate.core.vnic;

import org.overlaygate.api.datapath.VnicConfig;
import org.overlaygate.api.datapath.VnicInfo;
import org.overlaygate.core.base.Counters;
import org.overlaygate.core.device.Device;
import org.overlaygate.core.device.LocalPort;

/** A VNIC: a port of one device's switch, with a VM (or a test) behind it. */
public abstract class Vnic implements LocalPort {
    protected final String name;
    protected final long mac;
    protected final Device device;
    protected final Counters counters;
    private final int vlan;

    protected Vnic(String name, long mac, Device device) {
        this(name, mac, device, VnicConfig.NO_VLAN);
    }

    protected Vnic(String name, long mac, Device device, int vlan) {
        this.name = name;
        this.mac = mac;
        this.device = device;
        this.counters = new Counters(name);
        this.vlan = vlan;
    }

    @Override
    public int vlan() {
        return vlan;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public long mac() {
        return mac;
    }

    @Override
    public Counters counters() {
        return counters;
    }

    public Device device() {
        return device;
    }

    public abstract VnicConfig.Kind kind();

    /** The TAP or interface name; null for memory VNICs. */
    public abstract String osName();

    /** Begins carrying frames (after the VNIC joined its device). */
    public abstract void start();

    /** Stops carrying frames and releases the OS resources (removes a TAP device). */
    public abstract void close();

    public VnicInfo info() {
        return new VnicInfo(name, device.name(), kind(), osName(), mac, device.mtu(), vlan);
    }
}
