package org.overlaygate.varpd.shell;

import java.util.List;
import java.util.Locale;
import java.util.Set;

import org.apache.felix.service.command.Descriptor;
import org.apache.felix.service.command.annotations.GogoCommand;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.overlaygate.api.MacAddress;
import org.overlaygate.api.datapath.VnicConfig;
import org.overlaygate.api.datapath.VnicInfo;
import org.overlaygate.api.shell.Args;
import org.overlaygate.api.shell.Commands;
import org.overlaygate.api.shell.TextTable;
import org.overlaygate.varpd.overlay.OverlayManager;
import org.overlaygate.varpd.overlay.VnicView;

/** The {@code vnic:} commands, after illumos {@code dladm create-vnic -l OVERLAY}. */
@Component(service = VnicCommands.class)
@GogoCommand(scope = "vnic", function = {"create", "delete", "show"})
public final class VnicCommands {
    static final String CREATE_USAGE = "vnic:create -l OVERLAY [-m MAC] [-v VID] [-t TAPNAME | -a INTERFACE | -k memory] NAME";
    static final String DELETE_USAGE = "vnic:delete NAME";
    static final String SHOW_USAGE = "vnic:show [-p -o FIELD,...] [NAME]";
    /** What {@code -h} prints: the usage, then each option. */
    static final String CREATE_HELP = "usage: " + CREATE_USAGE + "\n"
            + "  creates VNIC NAME on an overlay and stores it (it comes back at every start)\n"
            + "  -l OVERLAY       the overlay it joins\n"
            + "  -m MAC           its MAC address (default: generated, locally administered 02:08:20:...)\n"
            + "  -v VID           on VLAN VID (1-4094): its VM sees untagged frames, which carry the VLAN's 802.1Q\n"
            + "                   tag on the overlay; it reaches only VNICs of that VLAN (default: none, frames as they are)\n"
            + "  -t TAPNAME       a TAP device of that name (the default kind; default name ogtapN)\n"
            + "  -a INTERFACE     attach an existing interface through pcap instead (inbound frames only)\n"
            + "  -k memory        an in-memory port instead, for tests and embedding";
    static final String DELETE_HELP = "usage: " + DELETE_USAGE + "\n"
            + "  deletes VNIC NAME and forgets it; a TAP device it created is removed";
    static final String SHOW_HELP = "usage: " + SHOW_USAGE + "\n"
            + "  every VNIC, or NAME (LINK OVER KIND DEVICE MACADDRESS MTU STATE VID; VID 0: no VLAN)\n"
            + "  -p -o FIELD,...  parseable output of the named columns, colon-separated, for scripts";

    @Reference
    private OverlayManager manager;

    public VnicCommands() {
    }

    VnicCommands(OverlayManager manager) {
        this.manager = manager;
    }

    @Descriptor("create a VNIC on an overlay: a TAP device (default; -t names it), an existing interface attached"
            + " through pcap (-a), or an in-memory port (-k memory): " + CREATE_USAGE)
    public String create(@Descriptor("options and NAME") String... args) throws Exception {
        return Commands.run(args, CREATE_HELP, () -> createCommand(args));
    }

    private String createCommand(String... args) {
        Args a = Args.parse(args, Set.of("-l", "-m", "-v", "-t", "-a", "-k"), Set.of(), CREATE_USAGE);
        String overlay = a.required("-l", "OVERLAY");
        String name = a.operand("NAME");
        long mac = -1;
        if (a.value("-m") != null) {
            mac = MacAddress.parse(a.value("-m"));
        }
        VnicConfig.Kind kind = VnicConfig.Kind.TAP;
        String osName = a.value("-t");
        if (a.value("-k") != null) {
            try {
                kind = VnicConfig.Kind.valueOf(a.value("-k").toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw a.error("unknown VNIC kind '" + a.value("-k") + "' (tap, pcap, memory)");
            }
        }
        if (a.value("-a") != null) {
            if (osName != null || (a.value("-k") != null && kind != VnicConfig.Kind.PCAP)) {
                throw a.error("-a attaches an existing interface: it excludes -t and -k " + a.value("-k"));
            }
            kind = VnicConfig.Kind.PCAP;
            osName = a.value("-a");
        }
        if (kind == VnicConfig.Kind.MEMORY && osName != null) {
            throw a.error("an in-memory VNIC has no OS device name");
        }
        if (kind == VnicConfig.Kind.PCAP && osName == null) {
            throw a.error("a pcap VNIC needs -a INTERFACE");
        }
        int vlan = VnicConfig.NO_VLAN;
        if (a.value("-v") != null) {
            try {
                vlan = Integer.parseInt(a.value("-v"));
            } catch (NumberFormatException e) {
                vlan = 0;
            }
            if (vlan < 1 || vlan > 4094) {
                throw a.error("bad VLAN id '" + a.value("-v") + "': 1-4094");
            }
        }
        VnicInfo info = manager.createVnic(name, overlay, kind, osName, mac, vlan);
        return "vnic " + info.name() + " created on " + info.device() + ": " + info.kind().name().toLowerCase(Locale.ROOT)
                + (info.osName() == null ? "" : " " + info.osName()) + ", " + MacAddress.format(info.mac()) + ", mtu " + info.mtu()
                + (vlan == VnicConfig.NO_VLAN ? "" : ", vlan " + vlan) + "\n";
    }

    @Descriptor("delete a VNIC (a TAP device it created is removed): vnic:delete NAME")
    public String delete(@Descriptor("NAME") String... args) throws Exception {
        return Commands.run(args, DELETE_HELP, () -> deleteCommand(args));
    }

    private String deleteCommand(String... args) {
        String name = Args.parse(args, Set.of(), Set.of(), DELETE_USAGE).operand("NAME");
        manager.deleteVnic(name);
        return "vnic " + name + " deleted\n";
    }

    @Descriptor("show VNICs: vnic:show [-p -o FIELD,...] [NAME]")
    public String show(@Descriptor("options and NAME") String... args) throws Exception {
        return Commands.run(args, SHOW_HELP, () -> showCommand(args));
    }

    private String showCommand(String... args) {
        Args a = Args.parse(args, Set.of("-o"), Set.of("-p"), SHOW_USAGE);
        String name = a.optionalOperand("NAME");
        TextTable t = new TextTable("LINK", "OVER", "KIND", "DEVICE", "MACADDRESS", "MTU", "STATE", "VID");
        List<VnicView> views = manager.vnicViews();
        boolean found = false;
        for (VnicView v : views) {
            if (name != null && !name.equals(v.name)) {
                continue;
            }
            found = true;
            t.row(v.name, v.overlay, v.kind.name().toLowerCase(Locale.ROOT), v.osName, MacAddress.format(v.mac),
                    v.live == null ? null : v.live.mtu(), v.live == null ? "absent" : "up", v.vlan == VnicConfig.NO_VLAN ? 0 : v.vlan);
        }
        if (name != null && !found) {
            throw new IllegalArgumentException("no VNIC " + name);
        }
        if (a.flag("-p")) {
            if (a.value("-o") == null) {
                throw a.error("-p needs -o FIELD,...");
            }
            return t.renderParseable(List.of(a.value("-o").split(",")));
        }
        return t.isEmpty() ? "no VNICs\n" : t.render();
    }
}
