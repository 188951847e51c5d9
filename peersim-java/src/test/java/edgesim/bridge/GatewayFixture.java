package edgesim.bridge;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;

/** A real gateway on a loopback port, and a raw client for it. */
final class GatewayFixture implements AutoCloseable {
    static final String TOKEN = "gateway-test-token-0123456789";

    final ServerSocket listener;
    final Sessions sessions;
    final ContentStore store;
    private final Gateway gateway;
    private final ScheduledExecutorService timers = Executors.newScheduledThreadPool(2);

    GatewayFixture(Limits limits) throws IOException {
        this(limits, null);
    }

    /** With server-side paths allowed under {@code dataDir} (null: none). */
    GatewayFixture(Limits limits, java.nio.file.Path dataDir) throws IOException {
        listener = new ServerSocket();
        listener.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        store = ContentStore.inTemporaryFolder(limits.maxUploadBytes(), limits.maxCacheBytes());
        sessions = new Sessions(limits, store, new FilePolicy(store, dataDir, false), timers);
        gateway = new Gateway(listener, sessions, TOKEN, limits, null, timers);
        gateway.start();
    }

    int port() {
        return listener.getLocalPort();
    }

    /** A raw connection, authenticated when {@code token} is not null. */
    Raw connect(String token) throws IOException {
        Raw raw = new Raw(new Socket(InetAddress.getLoopbackAddress(), port()));
        if (token != null) {
            raw.send("A\n" + token + "\n");
        }
        return raw;
    }

    @Override
    public void close() {
        gateway.close();
        timers.shutdownNow();
        store.deleteAll();
    }

    /** A connection speaking the wire protocol by hand. */
    static final class Raw implements AutoCloseable {
        final Socket socket;
        final BufferedReader in;
        final OutputStream out;

        Raw(Socket socket) throws IOException {
            this.socket = socket;
            socket.setSoTimeout(10_000);
            this.in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
            this.out = socket.getOutputStream();
        }

        /** Sends {@code command} and returns the reply line (null if the server closed the connection). */
        String send(String command) throws IOException {
            out.write(command.getBytes(StandardCharsets.UTF_8));
            out.flush();
            return in.readLine();
        }

        /** Calls {@code method} on the entry point with already encoded argument lines. */
        String call(String method, String... arguments) throws IOException {
            return send("c\nt\n" + method + "\n" + String.join("", arguments) + "e\n");
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }
}
