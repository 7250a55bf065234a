package org.overlaygate.metrics;

import org.overlaygate.api.UnderlayAddress;

/**
 * An underlay socket's name as {@code overlay:stats} shows it ({@code vxlan udp 10.0.0.1:4789},
 * {@code nvgre ip/47 10.0.0.1}, {@code geneve udp [fd00::1]:6081}) as the labels a query selects
 * on: {@code encapsulation}, {@code transport} ({@code udp}, {@code ip/47}), {@code address} and
 * {@code port} (empty for raw IP). A name in another form keeps its text as the address.
 */
final class SocketLabels {
    private SocketLabels() {
    }

    static String[] of(String name) {
        String[] words = name.split(" ", 3);
        if (words.length == 3) {
            try {
                UnderlayAddress a = UnderlayAddress.parse(words[2]); // checks the form
                String host = a.port() == 0 ? words[2] : words[2].substring(0, words[2].lastIndexOf(':'));
                if (host.startsWith("[") && host.endsWith("]")) {
                    host = host.substring(1, host.length() - 1);
                }
                return labels(words[0], words[1], host, a.port() == 0 ? "" : Integer.toString(a.port()));
            } catch (IllegalArgumentException e) {
                // not an address: fall through
            }
        }
        return labels("", "", name, "");
    }

    private static String[] labels(String encapsulation, String transport, String address, String port) {
        return new String[] {"encapsulation", encapsulation, "transport", transport, "address", address, "port", port};
    }
}
