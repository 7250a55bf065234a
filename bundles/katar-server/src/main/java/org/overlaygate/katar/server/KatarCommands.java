package org.overlaygate.katar.server;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.apache.felix.service.command.CommandSession;
import org.apache.felix.service.command.Function;
import org.overlaygate.api.shell.Args;
import org.overlaygate.api.shell.Commands;
import org.overlaygate.api.shell.TextTable;
import org.overlaygate.katar.protocol.Addresses;
import org.overlaygate.katar.protocol.Svp;
import org.overlaygate.katar.server.store.ImportDocument;
import org.overlaygate.katar.server.store.Rows;

/**
 * The {@code katar:} commands, also reachable through {@code bin/overlayadm}. Gogo cannot map
 * hyphenated names ({@code host-add}) to methods, so each command is a {@link Function} service
 * with its own small option parser. Bad input is one {@link IllegalArgumentException} line and
 * changes nothing; every write is one database transaction.
 */
final class KatarCommands {
    private static final String HOST_ADD = "usage: katar:host-add [-p PORT] HOST UNDERLAY_IP\n"
            + "  a host (compute node) and the underlay address and port its VNICs are reached at (port 4789)";
    private static final String HOST_REMOVE = "usage: katar:host-remove [-f] HOST\n"
            + "  forget a host and its invalidation log; refused while mappings point at it, unless -f, which removes\n"
            + "  them too (every host on their vnets is told)";
    private static final String MAP_ADD = "usage: katar:map-add [-l VLAN] [-i IP[,IP...]] VNETID MAC HOST\n"
            + "  MAC of vnet VNETID lives on HOST, with these IPs (VL3) on VLAN (0)";
    private static final String MAP_REMOVE = "usage: katar:map-remove VNETID MAC\n"
            + "  forget MAC (and its IPs); every host on the vnet is told to forget it";
    private static final String MAP_MOVE = "usage: katar:map-move VNETID MAC HOST\n"
            + "  MAC now lives on HOST; every host on the vnet is told (VL2 and VL3 invalidations)";
    private static final String SHOW = "usage: katar:show [-p -o FIELD,...] [server|hosts|vnets|mappings [VNETID]|log|stats]\n"
            + "  the server, its hosts and mappings (no argument), or one table; -p -o prints parseable fields";
    private static final String IMPORT = "usage: katar:import FILE\n"
            + "  hosts and mappings from a JSON document (see docs/katar-protocol.md), all or nothing, idempotent;\n"
            + "  a relative FILE is read from the appliance's working directory";

    private static final String CONFIG = "usage: katar:config [NAME=VALUE ...]\n"
            + "  the settings and where each comes from; NAME=VALUE stores it in ConfigAdmin (PID "
            + KatarComponent.PID + "), NAME= removes it\n"
            + "  there; the server restarts with the new settings. jdbc.password=SECRET is kept in an owner-only file under the\n"
            + "  data directory (ConfigAdmin gets jdbc.password.file). jdbc.url takes jdbc:postgresql:// URLs only (empty: the\n"
            + "  embedded database), without credentials and without parameters that load code or write files (socketFactory,\n"
            + "  sslfactory, loggerFile, ...). NAME is one of " + String.join(", ", KatarSettings.NAMES);

    private final KatarComponent component;

    KatarCommands(KatarComponent component) {
        this.component = component;
    }

    Map<String, Function> functions() {
        Map<String, Function> f = new LinkedHashMap<>();
        f.put("host-add", command(HOST_ADD, Set.of("-p"), Set.of(), this::hostAdd));
        f.put("host-remove", command(HOST_REMOVE, Set.of(), Set.of("-f"), this::hostRemove));
        f.put("map-add", command(MAP_ADD, Set.of("-l", "-i"), Set.of(), this::mapAdd));
        f.put("map-remove", command(MAP_REMOVE, Set.of(), Set.of(), this::mapRemove));
        f.put("map-move", command(MAP_MOVE, Set.of(), Set.of(), this::mapMove));
        f.put("show", command(SHOW, Set.of("-o"), Set.of("-p"), this::show));
        f.put("import", command(IMPORT, Set.of(), Set.of(), this::importFile));
        f.put("config", command(CONFIG, Set.of(), Set.of(), this::config));
        return f;
    }

    private interface Body {
        String run(Args a) throws SQLException, IOException;
    }

    private static Function command(String usage, Set<String> valueOptions, Set<String> flags, Body body) {
        return (CommandSession session, List<Object> arguments) -> {
            List<String> words = new ArrayList<>();
            for (Object o : arguments) {
                words.add(String.valueOf(o));
            }
            return Commands.run(words.toArray(), usage, () -> {
                Args a = Args.parse(words.toArray(), valueOptions, flags, firstLine(usage));
                try {
                    return body.run(a);
                } catch (SQLException e) {
                    throw new IllegalStateException("database error: " + e.getMessage(), e);
                }
            });
        };
    }

    /** The usage's first line, for one-line errors. */
    static String firstLine(String usage) {
        String u = usage.startsWith("usage: ") ? usage.substring(7) : usage;
        int nl = u.indexOf('\n');
        return nl < 0 ? u : u.substring(0, nl);
    }

    private String hostAdd(Args a) throws SQLException {
        List<String> w = a.operands(2, 2);
        String port = a.value("-p") == null ? Integer.toString(ImportDocument.DEFAULT_PORT) : a.value("-p");
        int p;
        try {
            p = Integer.parseInt(port);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("bad port '" + port + "'");
        }
        InetAddress ip = Addresses.parseIp(w.get(1));
        return component.service().store().addHost(w.get(0), ip, p) + "\n";
    }

    private String hostRemove(Args a) throws SQLException {
        return component.service().store().removeHost(a.operand("HOST"), a.flag("-f")) + "\n";
    }

    private String mapAdd(Args a) throws SQLException {
        List<String> w = a.operands(3, 3);
        long vnet = Addresses.parseVnet(w.get(0));
        long mac = Addresses.parseMac(w.get(1));
        int vlan;
        try {
            vlan = Integer.parseInt(a.value("-l") == null ? "0" : a.value("-l"));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("bad vlan '" + a.value("-l") + "'");
        }
        List<InetAddress> ips = new ArrayList<>();
        String list = a.value("-i");
        if (list != null) {
            for (String ip : list.split(",")) {
                if (!ip.isBlank()) {
                    ips.add(Addresses.parseIp(ip));
                }
            }
        }
        return component.service().store().addMapping(vnet, mac, w.get(2), vlan, ips) + "\n";
    }

    private String mapRemove(Args a) throws SQLException {
        List<String> w = a.operands(2, 2);
        return component.service().store().removeMapping(Addresses.parseVnet(w.get(0)), Addresses.parseMac(w.get(1))) + "\n";
    }

    private String mapMove(Args a) throws SQLException {
        List<String> w = a.operands(3, 3);
        return component.service().store().moveMapping(Addresses.parseVnet(w.get(0)), Addresses.parseMac(w.get(1)), w.get(2)) + "\n";
    }

    private String importFile(Args a) throws SQLException, IOException {
        String name = a.operand("FILE");
        Path file = KatarComponent.workingDirectory().resolve(name);
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException("no file " + file + (Path.of(name).isAbsolute() ? ""
                    : " (a relative path is read from the appliance's directory " + KatarComponent.workingDirectory() + ")"));
        }
        if (Files.size(file) > 64L * 1024 * 1024) {
            throw new IllegalArgumentException(file + " is larger than 64 MiB");
        }
        ImportDocument doc;
        try {
            doc = ImportDocument.parse(Files.readString(file, StandardCharsets.UTF_8));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(file.getFileName() + ": " + e.getMessage(), e);
        } catch (java.nio.charset.MalformedInputException e) {
            throw new IllegalArgumentException(file.getFileName() + ": not UTF-8 text");
        }
        try {
            return component.service().store().importDocument(doc) + "\n";
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(file.getFileName() + ": " + e.getMessage() + " (nothing imported)", e);
        }
    }

    private String config(Args a) throws IOException {
        if (a.operands().isEmpty()) {
            TextTable t = new TextTable("SETTING", "VALUE", "SOURCE");
            KatarSettings s = component.settings();
            for (String name : KatarSettings.NAMES) {
                String value = s == null ? null : s.value(name);
                t.row(name, value == null || value.isEmpty() ? null : value,
                        KatarSettings.source(name, component.config(), component::frameworkProperty));
            }
            return t.render();
        }
        Map<String, String> changes = new LinkedHashMap<>();
        for (String w : a.operands()) {
            int eq = w.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("expected NAME=VALUE, not '" + w + "' (usage: " + firstLine(CONFIG) + ")");
            }
            String name = w.substring(0, eq);
            if (!KatarSettings.NAMES.contains(name)) {
                throw new IllegalArgumentException("no katar setting '" + name + "' (settings: " + String.join(", ", KatarSettings.NAMES) + ")");
            }
            changes.put(name, w.substring(eq + 1));
        }
        org.osgi.service.cm.Configuration c = component.configAdmin().getConfiguration(KatarComponent.PID, "?");
        java.util.Dictionary<String, Object> old = c.getProperties();
        java.util.Hashtable<String, Object> props = new java.util.Hashtable<>();
        if (old != null) {
            for (java.util.Enumeration<String> keys = old.keys(); keys.hasMoreElements();) {
                String k = keys.nextElement();
                props.put(k, old.get(k));
            }
        }
        changes.forEach((k, v) -> {
            if (v.isEmpty()) {
                props.remove(k);
            } else {
                props.put(k, v);
            }
        });
        // A new password replaces the file of the old one, and the other way round; clearing the
        // password clears the file katar:config made for it.
        Path kept = keptPasswordFile();
        String password = changes.get("jdbc.password");
        if (password != null && (!password.isEmpty() || (kept != null && kept.toString().equals(props.get("jdbc.password.file"))))) {
            props.remove("jdbc.password.file");
        } else if (!changes.getOrDefault("jdbc.password.file", "").isEmpty()) {
            props.remove("jdbc.password");
        }
        // Check the whole result before storing anything: a bad value is refused, nothing changes.
        Map<String, Object> check = new HashMap<>();
        props.keySet().forEach(k -> check.put(k, props.get(k)));
        KatarSettings.from(check, component::frameworkProperty, java.nio.file.Paths.get("."));
        // The password itself never goes into ConfigAdmin's files: into an owner-only file of its own.
        Object secret = props.remove("jdbc.password");
        if (secret != null) {
            if (kept == null) {
                throw new IllegalStateException("no data directory (framework property overlaygate.data) to keep the password in;"
                        + " write it to a file of your own and set jdbc.password.file");
            }
            writeOwnerOnly(kept, secret.toString());
            props.put("jdbc.password.file", kept.toString());
        } else if (kept != null && !kept.toString().equals(props.get("jdbc.password.file"))) {
            Files.deleteIfExists(kept); // no longer named: forget it
        }
        c.update(props);
        return "katar settings stored (" + String.join(", ", changes.keySet()) + "); the server restarts with them\n";
    }

    /** Where katar:config keeps a database password (owner-only, beside the embedded database), or null without a data directory. */
    private Path keptPasswordFile() {
        String data = component.frameworkProperty("overlaygate.data");
        return data == null || data.isBlank() ? null : Path.of(data, "katar", "jdbc.password");
    }

    /** Replaces {@code file} atomically by one created 0600 (whatever the umask) holding {@code text}. */
    static void writeOwnerOnly(Path file, String text) throws IOException {
        Files.createDirectories(file.getParent(), PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        Path tmp = Files.createTempFile(file.getParent(), ".jdbc.password", ".tmp",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        try {
            Files.writeString(tmp, text + "\n", StandardCharsets.UTF_8);
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    private String show(Args a) throws SQLException {
        List<String> w = a.operands(0, 2);
        String what = w.isEmpty() ? null : w.get(0);
        boolean parseable = a.flag("-p");
        if (parseable != (a.value("-o") != null)) {
            throw new IllegalArgumentException("-p and -o go together: katar:show -p -o host,underlay hosts");
        }
        if (parseable && what == null) {
            throw new IllegalArgumentException("-p -o needs one table: server, hosts, vnets, mappings, log or stats");
        }
        if (what == null) {
            StringBuilder out = new StringBuilder(serverTable().render());
            KatarService s = serviceOrNull();
            if (s != null) {
                out.append('\n').append(hostsTable(s).render()).append('\n').append(mappingsTable(s, null).render());
            }
            return out.toString();
        }
        if (w.size() == 2 && !what.equals("mappings")) {
            throw new IllegalArgumentException("only 'mappings' takes a vnet id (usage: " + firstLine(SHOW) + ")");
        }
        TextTable t;
        switch (what) {
            case "server":
                t = serverTable();
                break;
            case "hosts":
                t = hostsTable(component.service());
                break;
            case "vnets":
                t = vnetsTable(component.service());
                break;
            case "mappings":
                t = mappingsTable(component.service(), w.size() == 2 ? Addresses.parseVnet(w.get(1)) : null);
                break;
            case "log":
                t = logTable(component.service());
                break;
            case "stats":
                t = new TextTable("COUNTER", "VALUE");
                for (Map.Entry<String, Long> e : component.service().stats().entrySet()) {
                    t.row(e.getKey(), e.getValue());
                }
                break;
            default:
                throw new IllegalArgumentException("no table '" + what + "' (usage: " + firstLine(SHOW) + ")");
        }
        return parseable ? t.renderParseable(Arrays.asList(a.value("-o").split(","))) : t.render();
    }

    private KatarService serviceOrNull() {
        try {
            return component.service();
        } catch (IllegalStateException e) {
            return null;
        }
    }

    private TextTable serverTable() throws SQLException {
        TextTable t = new TextTable("LISTEN", "STATE", "DATABASE", "SCHEMA", "CACHE", "CONNECTIONS");
        KatarService s = serviceOrNull();
        KatarSettings settings = component.settings();
        String listen = settings == null ? null : hostPort(settings.listen().getAddress(), settings.listen().getPort());
        if (s == null) {
            t.row(listen, component.state(), null, null, null, null);
        } else {
            t.row(hostPort(s.address().getAddress(), s.address().getPort()), component.state(), s.database(), s.schemaVersion(),
                    s.store().cache().size() + "/" + s.store().cache().maxEntries() + " ttl " + s.store().cache().ttlMillis() + "ms",
                    s.server().connections() + "/" + s.server().limits().maxConnections());
        }
        return t;
    }

    private static String hostPort(InetAddress a, int port) {
        String h = a.getHostAddress();
        return (h.indexOf(':') >= 0 ? "[" + h + "]" : h) + ":" + port;
    }

    private static String underlay(byte[] ip, int port) {
        String h = Addresses.formatIp(ip);
        return (h.indexOf(':') >= 0 ? "[" + h + "]" : h) + ":" + port;
    }

    private static TextTable hostsTable(KatarService s) throws SQLException {
        TextTable t = new TextTable("HOST", "UNDERLAY", "MAPPINGS", "LOG", "DROPPED");
        for (Rows.Host h : s.store().hosts()) {
            t.row(h.id(), underlay(h.ip(), h.port()), h.mappings(), h.logEntries(), h.logDropped());
        }
        return t;
    }

    private static TextTable vnetsTable(KatarService s) throws SQLException {
        TextTable t = new TextTable("VNET", "NAME", "MAPPINGS", "HOSTS");
        for (Rows.Vnet v : s.store().vnets()) {
            t.row(v.vnetId(), v.name(), v.mappings(), v.hosts());
        }
        return t;
    }

    private static TextTable mappingsTable(KatarService s, Long vnet) throws SQLException {
        TextTable t = new TextTable("VNET", "MAC", "HOST", "UNDERLAY", "VLAN", "IPS");
        for (Rows.Mapping m : s.store().mappings(vnet)) {
            List<String> ips = new ArrayList<>();
            m.ips().forEach(ip -> ips.add(Addresses.formatIp(ip)));
            t.row(m.vnetId(), Addresses.formatMac(m.mac()), m.host(), underlay(m.underlayIp(), m.underlayPort()), m.vlan(),
                    ips.isEmpty() ? null : String.join(",", ips));
        }
        return t;
    }

    private static TextTable logTable(KatarService s) throws SQLException {
        TextTable t = new TextTable("HOST", "ID", "TYPE", "VNET", "MAC", "IP", "VLAN");
        for (Rows.LogLine l : s.store().logLines(1000)) {
            if (l.overflow()) { // older entries of this vnet were dropped: the host re-reads the vnet
                t.row(l.host(), l.id(), "overflow", l.vnetId(), null, null, null);
                continue;
            }
            t.row(l.host(), l.id(), l.type() == Svp.LOG_VL2 ? "vl2" : "vl3", l.vnetId(), l.mac() == null ? null : Addresses.formatMac(l.mac()),
                    l.ip() == null ? null : Addresses.formatIp(l.ip()), l.vlan());
        }
        return t;
    }
}
