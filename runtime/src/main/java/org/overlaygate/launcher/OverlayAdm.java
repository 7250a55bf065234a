package org.overlaygate.launcher;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.PrintStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code bin/overlayadm}: runs one shell command in the running appliance over its admin socket.
 * The framing is the admin bundle's {@code org.overlaygate.admin.AdminProtocol} (request: length +
 * UTF-8 line; reply: frames of type 1 stdout, 2 stderr, 3 exit status). The distribution test runs
 * this client against the real server, which keeps the two sides in step.
 */
public final class OverlayAdm {
    static final int STDOUT = 1;
    static final int STDERR = 2;
    static final int EXIT = 3;
    static final int FAILED = 1;
    static final int NO_APPLIANCE = 2;
    /** The admin bundle's AdminProtocol.MAX_REQUEST. */
    static final int MAX_REQUEST = 64 * 1024;
    /**
     * What {@code overlayadm --help} prints; the package's overlayadm(1) manual page is made from
     * this text ({@link ManPage}).
     */
    static final String USAGE = "usage: overlayadm [--socket PATH] COMMAND [ARG ...]\n"
            + "Runs a command in the running Overlay Gate appliance. It reaches the appliance over its admin\n"
            + "socket and prints the command's output (overlay:, vnic:, katar:, felix:lb ...), as the appliance's\n"
            + "own prompt would. Every command answers -h; \"overlayadm help\" lists them. Arguments are\n"
            + "taken literally: no Gogo expressions, variables, pipes or redirections.\n"
            + "\n"
            + "Options:\n"
            + "  --socket PATH  the appliance's admin socket (default run/overlayadm.sock of the\n"
            + "                 distribution: /run/overlaygate/overlayadm.sock for the Debian package)\n"
            + "  -h, --help     print this help\n"
            + "\n"
            + "Examples:\n"
            + "  overlayadm overlay:plugins\n"
            + "  overlayadm overlay:create -e vxlan -s direct -v 4242 -p vxlan/listen_ip=10.0.0.1 -p direct/dest_ip=10.0.0.2 -p direct/dest_port=4789 ovl0\n"
            + "  overlayadm vnic:create -l ovl0 vnic0\n"
            + "  overlayadm overlay:stats ovl0\n"
            + "\n"
            + "Environment:\n"
            + "  OVERLAYADM_SOCKET  the admin socket, unless --socket names one\n"
            + "\n"
            + "Exit status:\n"
            + "  0  the command succeeded\n"
            + "  1  the command failed or was refused (one line on standard error)\n"
            + "  2  no appliance answers, or the socket is not this user's (permission denied)\n";

    private OverlayAdm() {
    }

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    static int run(String[] args, PrintStream out, PrintStream err) {
        List<String> words = new ArrayList<>();
        String socket = System.getenv("OVERLAYADM_SOCKET");
        for (int i = 0; i < args.length; i++) {
            if (words.isEmpty() && args[i].equals("--socket") && i + 1 < args.length) {
                socket = args[++i];
            } else if (words.isEmpty() && (args[i].equals("-h") || args[i].equals("--help"))) {
                out.print(USAGE);
                return 0;
            } else {
                words.add(args[i]);
            }
        }
        if (words.isEmpty()) {
            err.print(USAGE);
            return NO_APPLIANCE;
        }
        Path path = socket != null ? Paths.get(socket)
                : Paths.get(System.getProperty("overlaygate.home", "."), "run", "overlayadm.sock");
        byte[] line = commandLine(words).getBytes(StandardCharsets.UTF_8);
        if (line.length > MAX_REQUEST) {
            err.println("overlayadm: the command line is " + line.length + " bytes; the appliance takes at most " + MAX_REQUEST);
            return FAILED;
        }
        SocketChannel channel;
        try {
            channel = SocketChannel.open(StandardProtocolFamily.UNIX);
            channel.connect(UnixDomainSocketAddress.of(path));
        } catch (IOException e) {
            String reason = String.valueOf(e.getMessage());
            if (e instanceof AccessDeniedException || reason.contains("Permission denied")) {
                err.println("overlayadm: permission denied on " + path.toAbsolutePath()
                        + ": the admin socket is for the user who runs the appliance");
            } else {
                err.println("overlayadm: no appliance is running (nothing answers on " + path.toAbsolutePath() + ": " + reason + ")");
            }
            return NO_APPLIANCE;
        }
        try (channel) {
            DataInputStream replies = new DataInputStream(Channels.newInputStream(channel));
            try {
                DataOutputStream request = new DataOutputStream(Channels.newOutputStream(channel));
                request.writeInt(line.length);
                request.write(line);
                request.flush();
            } catch (IOException refused) {
                // The appliance answered (busy, say) and closed before taking the request: its answer is waiting.
                try {
                    return relay(replies, out, err);
                } catch (IOException none) {
                    throw refused;
                }
            }
            return relay(replies, out, err);
        } catch (EOFException e) {
            err.println("overlayadm: the appliance closed the connection before the command finished");
            return NO_APPLIANCE;
        } catch (IOException e) {
            err.println("overlayadm: " + e.getMessage());
            return NO_APPLIANCE;
        }
    }

    private static int relay(DataInputStream in, PrintStream out, PrintStream err) throws IOException {
        while (true) {
            int type = in.readUnsignedByte();
            int length = in.readInt();
            if (length < 0 || length > 16 * 1024 * 1024) {
                throw new IOException("bad reply frame length " + length);
            }
            byte[] bytes = new byte[length];
            in.readFully(bytes);
            switch (type) {
                case STDOUT:
                    out.write(bytes, 0, bytes.length);
                    out.flush();
                    break;
                case STDERR:
                    err.write(bytes, 0, bytes.length);
                    err.flush();
                    break;
                case EXIT:
                    return ((bytes[0] & 0xFF) << 24) | ((bytes[1] & 0xFF) << 16) | ((bytes[2] & 0xFF) << 8) | (bytes[3] & 0xFF);
                default:
                    throw new IOException("unknown reply frame type " + type);
            }
        }
    }

    /**
     * Joins the words into one command line for the admin socket (the admin bundle's
     * {@code CommandLine} syntax, not Gogo's: the appliance runs the command with these words as
     * literal arguments). A single word is taken as a whole command line
     * ({@code overlayadm "overlay:show -f ovl0"}); otherwise words other than plain ones are
     * double-quoted, with backslash and double quote escaped.
     */
    static String commandLine(List<String> words) {
        if (words.size() == 1) {
            return words.get(0);
        }
        StringBuilder line = new StringBuilder();
        for (String w : words) {
            if (line.length() > 0) {
                line.append(' ');
            }
            if (!w.isEmpty() && w.matches("[A-Za-z0-9_./:=,@%+\\-]+")) {
                line.append(w);
            } else {
                line.append('"').append(w.replace("\\", "\\\\").replace("\"", "\\\"")).append('"');
            }
        }
        return line.toString();
    }
}
