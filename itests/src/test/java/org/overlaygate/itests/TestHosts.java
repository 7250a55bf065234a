package org.overlaygate.itests;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

import org.overlaygate.testsupport.Netns;

/**
 * The hosts of a test network, as one resource: namespaces whose {@link TestNetwork#UNDERLAY} links
 * share one underlay segment (a veth pair for two hosts, a bridge in a namespace of its own for
 * more), each addressed, each able to run an appliance of its own, with the VM's TAP device left in
 * the host. {@link #close()} stops the appliances and removes every namespace and link, also when a
 * test fails. {@link TestNetwork} has the finer tools (VMs in namespaces of their own, captures).
 */
final class TestHosts implements AutoCloseable {
    private final List<Netns> hosts = new ArrayList<>();
    private final List<Distribution> appliances = new ArrayList<>();
    private Netns underlay;

    private TestHosts() {
    }

    /**
     * Hosts named {@code prefix0, prefix1, ...}, one per address ({@code 10.1.2.1/24},
     * {@code fd00::1/64}: IPv6 addresses are added without duplicate address detection).
     */
    static TestHosts create(String prefix, String... addresses) throws IOException {
        TestHosts net = new TestHosts();
        try {
            for (int i = 0; i < addresses.length; i++) {
                net.hosts.add(Netns.create(prefix + i));
            }
            if (addresses.length == 2) {
                Netns.run("ip", "link", "add", TestNetwork.UNDERLAY, "netns", net.hosts.get(0).name(), "type", "veth", "peer", "name", TestNetwork.UNDERLAY, "netns",
                        net.hosts.get(1).name()).check();
            } else {
                net.underlay = Netns.create(prefix + "ul");
                net.underlay.exec("ip", "link", "add", "br0", "type", "bridge", "mcast_snooping", "0").check();
                net.underlay.exec("ip", "link", "set", "br0", "up").check();
                for (int i = 0; i < addresses.length; i++) {
                    Netns.run("ip", "link", "add", TestNetwork.UNDERLAY, "netns", net.hosts.get(i).name(), "type", "veth", "peer", "name", "p" + i, "netns",
                            net.underlay.name()).check();
                    net.underlay.exec("ip", "link", "set", "p" + i, "master", "br0", "up").check();
                }
            }
            for (int i = 0; i < addresses.length; i++) {
                Netns h = net.hosts.get(i);
                if (addresses[i].contains(":")) {
                    h.exec("ip", "addr", "add", addresses[i], "dev", TestNetwork.UNDERLAY, "nodad").check();
                } else {
                    h.exec("ip", "addr", "add", addresses[i], "dev", TestNetwork.UNDERLAY).check();
                }
                h.exec("ip", "link", "set", TestNetwork.UNDERLAY, "up").check();
            }
            return net;
        } catch (IOException | RuntimeException e) {
            net.close();
            throw e;
        }
    }

    Netns host(int i) {
        return hosts.get(i);
    }

    /** Starts a private copy of the distribution inside host {@code i} and waits until it answers. */
    Distribution startAppliance(int i) throws Exception {
        Distribution d = Distribution.copy();
        appliances.add(d);
        d.startIn(hosts.get(i));
        d.awaitReady(60_000);
        return d;
    }

    /** Starts an appliance in each of hosts 0 to {@code n - 1} at once, then waits until every one answers. */
    List<Distribution> startAppliances(int n) throws Exception {
        List<Distribution> started = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            Distribution d = Distribution.copy();
            appliances.add(d);
            started.add(d);
            d.startIn(hosts.get(i));
        }
        for (Distribution d : started) {
            d.awaitReady(60_000);
        }
        return started;
    }

    /** Gives the TAP device an appliance created in host {@code i} an address and brings it up: the VM's side. */
    void plugVm(int i, String tap, String cidr) throws IOException {
        hosts.get(i).exec("ip", "addr", "add", cidr, "dev", tap).check();
        hosts.get(i).exec("ip", "link", "set", tap, "up").check();
    }

    @Override
    public void close() throws IOException {
        for (Distribution d : appliances) {
            d.close();
        }
        for (Netns h : hosts) {
            h.close();
        }
        if (underlay != null) {
            underlay.close();
        }
    }
}
