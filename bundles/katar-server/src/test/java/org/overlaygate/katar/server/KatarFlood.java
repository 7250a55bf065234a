package org.overlaygate.katar.server;

import java.io.ByteArrayOutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;

import org.overlaygate.katar.protocol.Frame;
import org.overlaygate.katar.protocol.Messages.BulkRequest;
import org.overlaygate.katar.protocol.Svp;

/**
 * The memory attack of issue 23 (not a test; benchmarks/katar/flood.sh runs it against an
 * appliance): from each of several loopback source addresses, as many connections as a server
 * allows one address, each pipelining BULK_REQ and never reading a reply. It holds them until its
 * standard input closes, then closes them all and exits.
 *
 * <p>Arguments: HOST PORT [ADDRESSES=4] [PER_ADDRESS=64] [BULKS=256]; the sources are 127.0.0.10,
 * .11, ...
 */
public final class KatarFlood {
    private KatarFlood() {
    }

    public static void main(String[] args) throws Exception {
        InetSocketAddress server = new InetSocketAddress(args[0], Integer.parseInt(args[1]));
        int addresses = args.length > 2 ? Integer.parseInt(args[2]) : 4;
        int perAddress = args.length > 3 ? Integer.parseInt(args[3]) : 64;
        int bulks = args.length > 4 ? Integer.parseInt(args[4]) : 256;
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        for (int i = 0; i < bulks; i++) {
            b.write(Frame.encode(Svp.OP_BULK_REQ, i, BulkRequest.all(Svp.BULK_VL2).encode()));
        }
        byte[] requests = b.toByteArray();
        List<Socket> open = new ArrayList<>();
        int refused = 0;
        for (int a = 0; a < addresses; a++) {
            for (int i = 0; i < perAddress; i++) {
                Socket s = new Socket();
                s.setReceiveBufferSize(4096);
                s.bind(new InetSocketAddress("127.0.0." + (10 + a), 0));
                try {
                    s.connect(server, 5000);
                    s.getOutputStream().write(requests);
                    open.add(s);
                } catch (java.io.IOException e) {
                    refused++;
                    s.close();
                }
            }
        }
        System.out.println("flood: " + open.size() + " connections pipelining " + bulks + " BULK_REQ each, never reading (" + refused
                + " refused)");
        System.out.flush();
        while (System.in.read() >= 0) {
            // held until the caller closes our input
        }
        for (Socket s : open) {
            s.close();
        }
        System.out.println("flood: closed");
    }
}
