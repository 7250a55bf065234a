package org.overlaygate.katar.client;

import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.overlaygate.katar.protocol.Addresses;
import org.overlaygate.katar.protocol.Messages.BulkAck;
import org.overlaygate.katar.protocol.Messages.BulkEntry;
import org.overlaygate.katar.protocol.Messages.BulkRequest;
import org.overlaygate.katar.protocol.Messages.BulkVl2;
import org.overlaygate.katar.protocol.Messages.BulkVl3;
import org.overlaygate.katar.protocol.Messages.LogAck;
import org.overlaygate.katar.protocol.Messages.LogEntry;
import org.overlaygate.katar.protocol.Messages.Vl2Ack;
import org.overlaygate.katar.protocol.Messages.Vl2Invalidation;
import org.overlaygate.katar.protocol.Messages.Vl3Ack;
import org.overlaygate.katar.protocol.Messages.Vl3Change;
import org.overlaygate.katar.protocol.Svp;

/**
 * {@code bin/katar-client}: asks a katar server one question, as a host would, and prints the
 * answer in columns. Exit status 0 when the server answered OK, 1 when it answered another status
 * (NOTFOUND, ...), 2 when there was no usable answer (cannot connect, timeout, bad reply, usage).
 */
public final class KatarClientMain {
    /**
     * What {@code katar-client --help} prints; the Debian package's katar-client(1) manual page is
     * made from this text, so the two cannot disagree.
     */
    static final String USAGE = "usage: katar-client [-s HOST[:PORT]] [-t SECONDS] COMMAND [ARG ...]\n"
            + "Asks a katar mapping server one question, as an Overlay Gate host would, and prints the answer\n"
            + "in columns.\n"
            + "\n"
            + "Commands:\n"
            + "  ping                     is the server there?\n"
            + "  vl2 VNETID MAC           where is MAC: its underlay address and port\n"
            + "  vl3 VNETID IP            which MAC has IP, and where is it\n"
            + "  log UNDERLAY_IP [BYTES]  the invalidation log of the host with this underlay address\n"
            + "  log-rm ID ...            remove log entries (ids as 'log' prints them)\n"
            + "  bulk vl2|vl3 [VNETID]    every mapping (of one vnet), page after page\n"
            + "\n"
            + "Options:\n"
            + "  -s HOST[:PORT]  the server (default 127.0.0.1:" + Svp.DEFAULT_PORT + ")\n"
            + "  -t SECONDS      how long to wait for an answer (default 5)\n"
            + "  -h, --help      print this help\n"
            + "\n"
            + "Environment:\n"
            + "  KATAR_SERVER  the server, unless -s names one\n"
            + "\n"
            + "Exit status:\n"
            + "  0  the server answered OK\n"
            + "  1  the server answered another status (NOTFOUND, ...)\n"
            + "  2  no usable answer: cannot connect, timeout, bad reply, bad usage\n";

    private KatarClientMain() {
    }

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    static int run(String[] args, PrintStream out, PrintStream err) {
        String server = System.getenv("KATAR_SERVER");
        long timeoutMs = 5000;
        int i = 0;
        try {
            for (; i < args.length && args[i].startsWith("-"); i++) {
                switch (args[i]) {
                    case "-s":
                        server = need(args, ++i, "-s");
                        break;
                    case "-t":
                        timeoutMs = (long) (Double.parseDouble(need(args, ++i, "-t")) * 1000);
                        break;
                    case "-h":
                    case "--help":
                        out.print(USAGE);
                        return 0;
                    default:
                        throw new IllegalArgumentException("unknown option '" + args[i] + "'");
                }
            }
            if (i >= args.length) {
                throw new IllegalArgumentException("no command");
            }
            List<String> rest = List.of(args).subList(i + 1, args.length);
            InetSocketAddress address = serverAddress(server);
            String command = args[i];
            Runnable check = checker(command, rest);
            check.run();
            try (KatarClient client = KatarClient.connect(address, (int) Math.min(timeoutMs, Integer.MAX_VALUE),
                    KatarClient.DEFAULT_MAX_REPLY, 16)) {
                return execute(client, command, rest, timeoutMs, out, err);
            } catch (java.io.IOException e) {
                err.println("katar-client: cannot reach " + address.getHostString() + ":" + address.getPort() + ": " + e.getMessage());
                return 2;
            }
        } catch (IllegalArgumentException e) {
            err.println("katar-client: " + e.getMessage());
            err.print(USAGE);
            return 2;
        }
    }

    private static String need(String[] args, int i, String option) {
        if (i >= args.length) {
            throw new IllegalArgumentException(option + " needs a value");
        }
        return args[i];
    }

    static InetSocketAddress serverAddress(String text) {
        if (text == null || text.isBlank()) {
            return new InetSocketAddress(InetAddress.getLoopbackAddress(), Svp.DEFAULT_PORT);
        }
        String host = text.trim();
        int port = Svp.DEFAULT_PORT;
        int colon = host.lastIndexOf(':');
        if (host.startsWith("[")) {
            int close = host.indexOf(']');
            if (close < 0) {
                throw new IllegalArgumentException("bad server '" + text + "'");
            }
            if (close + 1 < host.length()) {
                port = port(text, host.substring(close + 2));
            }
            host = host.substring(1, close);
        } else if (colon >= 0 && colon == host.indexOf(':')) {
            port = port(text, host.substring(colon + 1));
            host = host.substring(0, colon);
        }
        return new InetSocketAddress(host, port);
    }

    private static int port(String text, String port) {
        try {
            int p = Integer.parseInt(port);
            if (p < 1 || p > 65535) {
                throw new NumberFormatException();
            }
            return p;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("bad port in '" + text + "'");
        }
    }

    /** Checks the arguments before connecting, so a typo never reaches the server. */
    private static Runnable checker(String command, List<String> a) {
        switch (command) {
            case "ping":
                return () -> count(a, 0, 0);
            case "vl2":
                return () -> {
                    count(a, 2, 2);
                    Addresses.parseVnet(a.get(0));
                    Addresses.parseMac(a.get(1));
                };
            case "vl3":
                return () -> {
                    count(a, 2, 2);
                    Addresses.parseVnet(a.get(0));
                    Addresses.parseIp(a.get(1));
                };
            case "log":
                return () -> {
                    count(a, 1, 2);
                    Addresses.parseIp(a.get(0));
                };
            case "log-rm":
                return () -> {
                    count(a, 1, Integer.MAX_VALUE);
                    a.forEach(KatarClientMain::logId);
                };
            case "bulk":
                return () -> {
                    count(a, 1, 2);
                    bulkType(a.get(0));
                    if (a.size() == 2) {
                        Addresses.parseVnet(a.get(1));
                    }
                };
            default:
                throw new IllegalArgumentException("unknown command '" + command + "'");
        }
    }

    private static void count(List<String> a, int min, int max) {
        if (a.size() < min || a.size() > max) {
            throw new IllegalArgumentException("wrong number of arguments");
        }
    }

    private static byte[] logId(String hex) {
        byte[] id = hex.length() == 32 ? Addresses.unhex(hex) : null;
        if (id == null) {
            throw new IllegalArgumentException("bad log entry id '" + hex + "': 32 hex digits expected");
        }
        return id;
    }

    private static int bulkType(String s) {
        if (s.equals("vl2")) {
            return Svp.BULK_VL2;
        } else if (s.equals("vl3")) {
            return Svp.BULK_VL3;
        }
        throw new IllegalArgumentException("bulk type is vl2 or vl3, not '" + s + "'");
    }

    private static int execute(KatarClient client, String command, List<String> a, long timeoutMs, PrintStream out,
            PrintStream err) {
        try {
            switch (command) {
                case "ping": {
                    long start = System.nanoTime();
                    client.ping().get(timeoutMs, TimeUnit.MILLISECONDS);
                    out.printf("PONG in %.3f ms%n", (System.nanoTime() - start) / 1e6);
                    return 0;
                }
                case "vl2": {
                    long vnet = Addresses.parseVnet(a.get(0));
                    long mac = Addresses.parseMac(a.get(1));
                    Vl2Ack ack = client.vl2(vnet, mac).get(timeoutMs, TimeUnit.MILLISECONDS);
                    if (ack.status() != Svp.STATUS_OK) {
                        err.println("katar-client: vnet " + vnet + " mac " + Addresses.formatMac(mac) + ": " + Svp.statusName(ack.status()));
                        return 1;
                    }
                    out.print(table(List.of("VNET", "MAC", "UNDERLAY"),
                            List.of(List.of(Long.toString(vnet), Addresses.formatMac(mac), underlay(ack.ip(), ack.port())))));
                    return 0;
                }
                case "vl3": {
                    long vnet = Addresses.parseVnet(a.get(0));
                    InetAddress ip = Addresses.parseIp(a.get(1));
                    Vl3Ack ack = client.vl3(vnet, Addresses.toWire(ip), Addresses.vl3Type(ip)).get(timeoutMs, TimeUnit.MILLISECONDS);
                    if (ack.status() != Svp.STATUS_OK) {
                        err.println("katar-client: vnet " + vnet + " ip " + Addresses.formatIp(Addresses.toWire(ip)) + ": " + Svp.statusName(ack.status()));
                        return 1;
                    }
                    out.print(table(List.of("VNET", "IP", "MAC", "UNDERLAY"), List.of(List.of(Long.toString(vnet),
                            Addresses.formatIp(Addresses.toWire(ip)), Addresses.formatMac(ack.mac()), underlay(ack.ip(), ack.port())))));
                    return 0;
                }
                case "log": {
                    InetAddress ip = Addresses.parseIp(a.get(0));
                    long count = a.size() > 1 ? Long.parseLong(a.get(1)) : 65536 - 16;
                    LogAck ack = client.log(count, Addresses.toWire(ip)).get(timeoutMs, TimeUnit.MILLISECONDS);
                    if (ack.status() != Svp.STATUS_OK) {
                        err.println("katar-client: log of " + Addresses.formatIp(Addresses.toWire(ip)) + ": " + Svp.statusName(ack.status()));
                        return 1;
                    }
                    List<List<String>> rows = new ArrayList<>();
                    for (LogEntry e : ack.entries()) {
                        if (e instanceof Vl2Invalidation v) {
                            rows.add(List.of(Addresses.hex(v.id()), "vl2", Long.toString(v.vnetId()), Addresses.formatMac(v.mac()), "--", "--"));
                        } else if (e instanceof Vl3Change v) {
                            rows.add(List.of(Addresses.hex(v.id()), "vl3", Long.toString(v.vnetId()), "--", Addresses.formatIp(v.ip()),
                                    Integer.toString(v.vlan())));
                        }
                    }
                    out.print(table(List.of("ID", "TYPE", "VNET", "MAC", "IP", "VLAN"), rows));
                    return 0;
                }
                case "log-rm": {
                    List<byte[]> ids = new ArrayList<>();
                    a.forEach(s -> ids.add(logId(s)));
                    long status = client.logRemove(ids).get(timeoutMs, TimeUnit.MILLISECONDS);
                    if (status != Svp.STATUS_OK) {
                        err.println("katar-client: log-rm: " + Svp.statusName(status));
                        return 1;
                    }
                    out.println("removed " + ids.size() + " log entr" + (ids.size() == 1 ? "y" : "ies"));
                    return 0;
                }
                case "bulk": {
                    int type = bulkType(a.get(0));
                    BulkRequest req = a.size() > 1 ? BulkRequest.vnet(type, Addresses.parseVnet(a.get(1))) : BulkRequest.all(type);
                    List<List<String>> rows = new ArrayList<>();
                    while (true) {
                        BulkAck ack = client.bulk(req).get(timeoutMs, TimeUnit.MILLISECONDS);
                        if (ack.status() != Svp.STATUS_OK) {
                            err.println("katar-client: bulk: " + Svp.statusName(ack.status()));
                            return 1;
                        }
                        BulkEntry last = null;
                        for (BulkEntry e : ack.entries()) {
                            last = e;
                            if (e instanceof BulkVl2 v) {
                                rows.add(List.of(Long.toString(v.vnetId()), Addresses.formatMac(v.mac()), underlay(v.ip(), v.port())));
                            } else if (e instanceof BulkVl3 v) {
                                rows.add(List.of(Long.toString(v.vnetId()), Addresses.formatIp(v.ip()), Addresses.formatMac(v.mac()),
                                        Integer.toString(v.vlan()), underlay(v.underlayIp(), v.port())));
                            }
                        }
                        if (!ack.more() || last == null) {
                            break;
                        }
                        req = req.after(last.vnetId(), last.key());
                    }
                    out.print(type == Svp.BULK_VL2 ? table(List.of("VNET", "MAC", "UNDERLAY"), rows)
                            : table(List.of("VNET", "IP", "MAC", "VLAN", "UNDERLAY"), rows));
                    return 0;
                }
                default:
                    throw new IllegalArgumentException("unknown command '" + command + "'");
            }
        } catch (TimeoutException e) {
            err.println("katar-client: no answer within " + timeoutMs + " ms");
            return 2;
        } catch (ExecutionException e) {
            err.println("katar-client: " + e.getCause().getMessage());
            return 2;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 2;
        }
    }

    static String underlay(byte[] ip, int port) {
        String host = Addresses.formatIp(ip);
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
    }

    /** dladm-style columns: upper-case headers, two spaces between columns, last column not padded. */
    static String table(List<String> headers, List<List<String>> rows) {
        int[] w = new int[headers.size()];
        for (int c = 0; c < w.length; c++) {
            w[c] = headers.get(c).length();
            for (List<String> r : rows) {
                w[c] = Math.max(w[c], r.get(c).length());
            }
        }
        StringBuilder out = new StringBuilder();
        List<List<String>> all = new ArrayList<>();
        all.add(headers);
        all.addAll(rows);
        for (List<String> r : all) {
            StringBuilder line = new StringBuilder();
            for (int c = 0; c < r.size(); c++) {
                line.append(r.get(c));
                if (c < r.size() - 1) {
                    line.append(" ".repeat(w[c] - r.get(c).length() + 2));
                }
            }
            out.append(line.toString().stripTrailing()).append('\n');
        }
        return out.toString();
    }
}
