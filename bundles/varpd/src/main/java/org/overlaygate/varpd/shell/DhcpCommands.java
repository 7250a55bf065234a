package org.overlaygate.varpd.shell;

import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.apache.felix.service.command.Descriptor;
import org.apache.felix.service.command.annotations.GogoCommand;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.overlaygate.api.MacAddress;
import org.overlaygate.api.shell.Args;
import org.overlaygate.api.shell.Commands;
import org.overlaygate.api.shell.TextTable;
import org.overlaygate.varpd.dhcp.DhcpConfig;
import org.overlaygate.varpd.dhcp.DhcpService;
import org.overlaygate.varpd.overlay.OverlayManager;

/** The {@code dhcp:} commands: an overlay's DHCP server changed at run time, what it serves and its leases. */
@Component(service = DhcpCommands.class)
@GogoCommand(scope = "dhcp", function = {"set", "show", "leases"})
public final class DhcpCommands {
    static final String SET_USAGE = "dhcp:set [-u KEY]... OVERLAY [KEY=VALUE]...";
    static final String SHOW_USAGE = "dhcp:show OVERLAY";
    static final String LEASES_USAGE = "dhcp:leases [-p -o FIELD,...] OVERLAY";
    static final String SET_HELP = "usage: " + SET_USAGE + "\n"
            + "  changes OVERLAY's DHCP properties (given at overlay:create -p dhcp/KEY=VALUE), stored and applied at once;\n"
            + "  KEY is dhcp/KEY for the untagged network or dhcp/VID/KEY for VLAN VID's (the dhcp/ may be left out):\n"
            + keys()
            + "  -u KEY           removes KEY (a network without subnet is no longer served)";
    static final String SHOW_HELP = "usage: " + SHOW_USAGE + "\n"
            + "  the networks OVERLAY's DHCP server serves now (VID NETWORK; VID 0: untagged), or proxies for";
    static final String LEASES_HELP = "usage: " + LEASES_USAGE + "\n"
            + "  OVERLAY's DHCP leases (VID ADDRESS MACADDRESS STATE EXPIRES; VID 0: untagged; EXPIRES in seconds from now)\n"
            + "  -p -o FIELD,...  parseable output of the named columns, colon-separated, for scripts";

    private static String keys() {
        StringBuilder b = new StringBuilder();
        DhcpConfig.KEYS.forEach((k, what) -> b.append(String.format("    %-8s %s%n", k, what)));
        return b.toString();
    }

    @Reference
    private OverlayManager manager;

    public DhcpCommands() {
    }

    DhcpCommands(OverlayManager manager) {
        this.manager = manager;
    }

    @Descriptor("change an overlay's DHCP server: " + SET_USAGE)
    public String set(@Descriptor("options, OVERLAY and KEY=VALUE") String... args) throws Exception {
        return Commands.run(args, SET_HELP, () -> setCommand(args));
    }

    private String setCommand(String... args) {
        Args a = Args.parse(args, Set.of("-u"), Set.of(), SET_USAGE);
        List<String> operands = a.operands();
        if (operands.isEmpty()) {
            throw a.error("missing OVERLAY");
        }
        String overlay = operands.get(0);
        Map<String, String> set = new LinkedHashMap<>();
        for (String kv : operands.subList(1, operands.size())) {
            int eq = kv.indexOf('=');
            if (eq <= 0) {
                throw a.error("'" + kv + "' is not KEY=VALUE");
            }
            set.put(key(kv.substring(0, eq)), kv.substring(eq + 1));
        }
        Set<String> unset = new LinkedHashSet<>();
        for (String k : a.all("-u")) {
            unset.add(key(k));
        }
        if (set.isEmpty() && unset.isEmpty()) {
            throw a.error("nothing to change: give KEY=VALUE or -u KEY");
        }
        manager.setDhcp(overlay, set, unset);
        StringBuilder out = new StringBuilder("overlay " + overlay + " DHCP changed");
        Map<Integer, String> networks = manager.dhcpNetworks(overlay);
        out.append(networks.isEmpty() ? ": serves nothing now" : "");
        out.append('\n');
        networks.forEach((vlan, what) -> out.append("  ").append(what).append('\n'));
        return out.toString();
    }

    private static String key(String k) {
        return k.startsWith(DhcpConfig.NAMESPACE + "/") ? k : DhcpConfig.NAMESPACE + "/" + k;
    }

    @Descriptor("show what an overlay's DHCP server serves: " + SHOW_USAGE)
    public String show(@Descriptor("OVERLAY") String... args) throws Exception {
        return Commands.run(args, SHOW_HELP, () -> showCommand(args));
    }

    private String showCommand(String... args) {
        String overlay = Args.parse(args, Set.of(), Set.of(), SHOW_USAGE).operand("OVERLAY");
        TextTable t = new TextTable("VID", "NETWORK");
        manager.dhcpNetworks(overlay).forEach((vlan, what) -> t.row(vlan == DhcpConfig.NO_VLAN ? 0 : vlan, what));
        return t.isEmpty() ? "overlay " + overlay + " serves no DHCP (no dhcp/subnet, no dhcp-proxy)\n" : t.render();
    }

    @Descriptor("list an overlay's DHCP leases: " + LEASES_USAGE)
    public String leases(@Descriptor("options and OVERLAY") String... args) throws Exception {
        return Commands.run(args, LEASES_HELP, () -> leasesCommand(args));
    }

    private String leasesCommand(String... args) {
        Args a = Args.parse(args, Set.of("-o"), Set.of("-p"), LEASES_USAGE);
        String overlay = a.operand("OVERLAY");
        TextTable t = new TextTable("VID", "ADDRESS", "MACADDRESS", "STATE", "EXPIRES");
        long now = System.currentTimeMillis();
        for (DhcpService.LeaseView l : manager.dhcpLeases(overlay)) {
            boolean expired = l.state.equals("released") || l.expires <= now;
            t.row(l.vlan == DhcpConfig.NO_VLAN ? 0 : l.vlan, l.address, MacAddress.format(l.mac), expired && l.state.equals("bound") ? "expired"
                    : l.state, expired ? "-" : Long.toString((l.expires - now + 999) / 1000));
        }
        if (a.flag("-p")) {
            if (a.value("-o") == null) {
                throw a.error("-p needs -o FIELD,...");
            }
            return t.renderParseable(List.of(a.value("-o").split(",")));
        }
        return t.isEmpty() ? "no leases\n" : t.render();
    }
}
