package edgesim.bridge;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Optional;
import javax.net.ServerSocketFactory;
import py4j.GatewayServer;

/**
 * The simulator server: a py4j gateway whose entry point is {@link Sessions}. Binds 127.0.0.1 and an
 * ephemeral port by default, requires a random auth token, sets TCP_NODELAY on every accepted socket, and
 * prints exactly one handshake line on stdout:
 * <pre>PYGYM-SIM-READY {"host":...,"port":...,"token":...,"contract":1,"pid":...}</pre>
 * It exits when it cannot start, when its stdin closes (with --exit-on-stdin-close) and when the process
 * given by --parent-pid ends. Usage: {@code Server [--host H] [--port P] [--token T] [--parent-pid PID]
 * [--exit-on-stdin-close]}; the token may also come from the environment variable PYGYM_TOKEN.
 */
public final class Server {
    public static final String HANDSHAKE = "PYGYM-SIM-READY";

    private Server() {
    }

    public static void main(String[] args) {
        String host = "127.0.0.1";
        int port = 0;
        String token = System.getenv("PYGYM_TOKEN");
        long parentPid = -1;
        boolean exitOnStdinClose = false;
        try {
            for (int i = 0; i < args.length; i++) {
                switch (args[i]) {
                    case "--host" -> host = args[++i];
                    case "--port" -> port = Integer.parseInt(args[++i]);
                    case "--token" -> token = args[++i];
                    case "--parent-pid" -> parentPid = Long.parseLong(args[++i]);
                    case "--exit-on-stdin-close" -> exitOnStdinClose = true;
                    default -> throw new IllegalArgumentException("unknown argument '" + args[i] + "'");
                }
            }
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException("--port must be in [0, 65535], got " + port);
            }
        } catch (RuntimeException e) {
            fail("bad arguments: " + e.getMessage()
                    + "\nusage: Server [--host H] [--port P] [--token T] [--parent-pid PID] [--exit-on-stdin-close]");
        }
        if (token == null || token.isEmpty()) {
            byte[] bytes = new byte[24];
            new SecureRandom().nextBytes(bytes);
            token = HexFormat.of().formatHex(bytes);
        }
        if (parentPid > 0) {
            watchParent(parentPid);
        }

        GatewayServer gateway;
        try {
            GatewayServer.turnLoggingOff();
            gateway = new GatewayServer.GatewayServerBuilder()
                    .entryPoint(new Sessions())
                    .javaAddress(InetAddress.getByName(host))
                    .javaPort(port)
                    .authToken(token)
                    .serverSocketFactory(new NoDelayServerSocketFactory())
                    .build();
            gateway.start();
        } catch (Exception | Error e) {
            // A gateway that failed to start can leave a non-daemon thread behind: exit explicitly.
            fail("cannot start the simulator server on " + host + ":" + port + ": " + e);
            return;
        }
        Json handshake = new Json().beginObject()
                .key("host").value(host)
                .key("port").value(gateway.getListeningPort())
                .key("token").value(token)
                .key("contract").value(Frames.CONTRACT_VERSION)
                .key("pid").value(ProcessHandle.current().pid())
                .endObject();
        System.out.println(HANDSHAKE + " " + handshake);
        System.out.flush();
        if (exitOnStdinClose) {
            watchStdin();
        }
    }

    private static void watchParent(long parentPid) {
        Optional<ProcessHandle> parent = ProcessHandle.of(parentPid);
        if (parent.isEmpty() || !parent.get().isAlive()) {
            fail("parent process " + parentPid + " is not running");
        }
        parent.get().onExit().thenRun(() -> {
            System.err.println("simulator server: parent process " + parentPid + " ended; exiting");
            Runtime.getRuntime().halt(0);
        });
    }

    private static void watchStdin() {
        Thread t = new Thread(() -> {
            InputStream in = System.in;
            byte[] buffer = new byte[256];
            try {
                while (in.read(buffer) >= 0) {
                    // Input is ignored; only the end of the stream matters.
                }
            } catch (IOException e) {
                // A broken stdin counts as closed.
            }
            System.err.println("simulator server: stdin closed; exiting");
            Runtime.getRuntime().halt(0);
        }, "stdin-watch");
        t.setDaemon(true);
        t.start();
    }

    private static void fail(String message) {
        System.err.println("simulator server: " + message);
        System.err.flush();
        Runtime.getRuntime().halt(2);
    }

    /** Accepted sockets get TCP_NODELAY: py4j does not set it, and small replies would wait for ACKs. */
    static final class NoDelayServerSocketFactory extends ServerSocketFactory {
        @Override
        public ServerSocket createServerSocket() throws IOException {
            return new NoDelayServerSocket();
        }

        @Override
        public ServerSocket createServerSocket(int port) throws IOException {
            ServerSocket s = new NoDelayServerSocket();
            s.bind(new java.net.InetSocketAddress(port));
            return s;
        }

        @Override
        public ServerSocket createServerSocket(int port, int backlog) throws IOException {
            ServerSocket s = new NoDelayServerSocket();
            s.bind(new java.net.InetSocketAddress(port), backlog);
            return s;
        }

        @Override
        public ServerSocket createServerSocket(int port, int backlog, InetAddress address) throws IOException {
            ServerSocket s = new NoDelayServerSocket();
            s.bind(new java.net.InetSocketAddress(address, port), backlog);
            return s;
        }
    }

    private static final class NoDelayServerSocket extends ServerSocket {
        NoDelayServerSocket() throws IOException {
            super();
        }

        @Override
        public Socket accept() throws IOException {
            Socket socket = super.accept();
            socket.setTcpNoDelay(true);
            return socket;
        }
    }
}
