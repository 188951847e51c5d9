package edgesim.bridge;

import java.io.BufferedOutputStream;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;

/**
 * The server's network side: accepts connections (at most {@link Limits#maxConnections} at once, each served by
 * its own thread) and speaks py4j's wire protocol ({@link Wire}) to them. A connection must authenticate within
 * {@link Limits#AUTH_TIMEOUT_MS} and {@link Limits#AUTH_MAX_BYTES} bytes, or it is closed; after that one command
 * holds at most {@link Limits#maxCommandBytes} bytes. Only the calls of {@link Api} are answered. With TLS, the
 * first byte tells a TLS client (handshake record) from a plain one, which gets a plain error saying so; a plain
 * server closes a TLS client's connection at once.
 */
final class Gateway {
    /** How a TLS server's refusal of a plain client begins. */
    static final String TLS_REQUIRED = "TLS required";
    private static final long ACCEPT_RETRY_NS = 100_000_000L;

    private final ServerSocket listener;
    private final Sessions sessions;
    private final byte[] token;
    private final Limits limits;
    private final SSLSocketFactory tls;
    private final ScheduledExecutorService timer;
    private final Semaphore connections;
    private final AtomicLong accepted = new AtomicLong();

    Gateway(ServerSocket listener, Sessions sessions, String token, Limits limits, SSLSocketFactory tls,
            ScheduledExecutorService timer) {
        this.listener = listener;
        this.sessions = sessions;
        this.token = token.getBytes(StandardCharsets.UTF_8);
        this.limits = limits;
        this.tls = tls;
        this.timer = timer;
        this.connections = new Semaphore(limits.maxConnections());
    }

    /** Starts accepting on a thread of its own (not a daemon: it keeps the server alive). */
    void start() {
        Thread t = new Thread(this::acceptLoop, "pygym-accept");
        t.start();
    }

    private void acceptLoop() {
        while (!listener.isClosed()) {
            Socket socket;
            try {
                socket = listener.accept();
            } catch (IOException e) {
                if (listener.isClosed()) {
                    return;
                }
                // Out of file descriptors, say: pause rather than spin on a failing accept.
                LockSupport.parkNanos(ACCEPT_RETRY_NS);
                continue;
            }
            if (!connections.tryAcquire()) {
                refuseBusy(socket);
                continue;
            }
            try {
                Thread t = new Thread(() -> serve(socket), "pygym-connection-" + accepted.incrementAndGet());
                t.setDaemon(true);
                t.start();
            } catch (Throwable e) {
                // No thread for it (native threads exhausted): the client sees the connection close.
                connections.release();
                closeQuietly(socket);
            }
        }
    }

    private void refuseBusy(Socket socket) {
        try (socket) {
            if (tls == null) {
                // A fresh socket's send buffer takes this short line without blocking the accept loop.
                OutputStream out = socket.getOutputStream();
                Wire.writeError(out, "the simulator server has " + limits.maxConnections() + " connections open, "
                        + "its limit (pygym sim serve --max-connections): close clients or raise the limit");
                out.flush();
            }
        } catch (IOException e) {
            // The client is gone already.
        }
    }

    private void serve(Socket socket) {
        Sessions.Owner[] owner = new Sessions.Owner[1];
        try {
            serve(socket, owner);
        } catch (IOException e) {
            // The connection broke or was closed (by the client, or at the authentication deadline).
        } finally {
            closeQuietly(socket);
            if (owner[0] != null) {
                sessions.disconnect(owner[0]);
            }
            connections.release();
        }
    }

    private void serve(Socket plain, Sessions.Owner[] owner) throws IOException {
        plain.setTcpNoDelay(true);
        plain.setKeepAlive(true);
        // Authentication, TLS handshake included, within the deadline and the byte budget, or the socket closes.
        ScheduledFuture<?> deadline = timer.schedule(() -> closeQuietly(plain), Limits.AUTH_TIMEOUT_MS,
                TimeUnit.MILLISECONDS);
        Socket socket = plain;
        Wire.LineReader reader = new Wire.LineReader(plain.getInputStream());
        reader.budget(Limits.AUTH_MAX_BYTES);
        int first = reader.peek();
        if (first < 0) {
            return;
        }
        if (tls == null && first == Wire.TLS_HANDSHAKE_RECORD) {
            return; // A TLS client: it sees the connection close during its handshake.
        }
        if (tls != null) {
            if (first != Wire.TLS_HANDSHAKE_RECORD) {
                OutputStream out = plain.getOutputStream();
                Wire.writeError(out, TLS_REQUIRED + ": this simulator server speaks TLS only (pygym: tls=True, with "
                        + "tls_ca= the CA file of its certificate)");
                out.flush();
                return;
            }
            SSLSocket secure = (SSLSocket) tls.createSocket(plain, new ByteArrayInputStream(reader.buffered()), true);
            secure.startHandshake();
            socket = secure;
            reader = new Wire.LineReader(secure.getInputStream());
            reader.budget(Limits.AUTH_MAX_BYTES);
        }
        OutputStream out = new BufferedOutputStream(socket.getOutputStream(), 1 << 16);
        if (!authenticate(reader, out)) {
            return;
        }
        deadline.cancel(false);
        if (plain.isClosed()) {
            return; // the deadline closed it while the client was being accepted
        }
        commands(reader, out, owner);
    }

    private boolean authenticate(Wire.LineReader reader, OutputStream out) throws IOException {
        byte[] command;
        byte[] given;
        try {
            command = reader.line();
            given = command == null ? null : reader.line();
        } catch (Wire.TooLarge e) {
            Wire.writeError(out, "authenticate first: the auth command is longer than " + Limits.AUTH_MAX_BYTES
                    + " bytes");
            out.flush();
            return false;
        }
        if (command == null || given == null) {
            return false;
        }
        if (!Wire.text(command).equals(Wire.AUTH_COMMAND)) {
            Wire.writeError(out, "authenticate first: this simulator server requires py4j's auth command with its "
                    + "token");
            out.flush();
            return false;
        }
        if (!MessageDigest.isEqual(given, token)) {
            Wire.writeError(out, "the auth token was refused");
            out.flush();
            return false;
        }
        out.write(Wire.VOID_REPLY);
        out.flush();
        return true;
    }

    private void commands(Wire.LineReader reader, OutputStream out, Sessions.Owner[] owner) throws IOException {
        boolean first = true;
        while (true) {
            reader.budget(limits.maxCommandBytes());
            byte[] name;
            List<byte[]> parts = new ArrayList<>();
            try {
                name = reader.line();
                if (name == null) {
                    return;
                }
                while (true) {
                    byte[] part = reader.line();
                    if (part == null) {
                        return;
                    }
                    if (part.length == 1 && part[0] == 'e') {
                        break;
                    }
                    parts.add(part);
                }
            } catch (Wire.TooLarge e) {
                // The rest of the command cannot be skipped safely: answer, then close.
                Wire.writeError(out, "the command is longer than this server's limit of " + limits.maxCommandBytes()
                        + " bytes (pygym sim serve --max-command-bytes); the connection is closed");
                out.flush();
                return;
            }
            String command = Wire.text(name);
            if (!command.equals(Wire.CALL_COMMAND)) {
                Wire.writeError(out, Api.commandRefusal(command));
            } else if (parts.size() < 2) {
                Wire.writeError(out, "a call names its object and its method");
            } else {
                String target = Wire.text(parts.get(0));
                String method = Wire.text(parts.get(1));
                String refused = Api.callRefusal(target, method);
                if (refused != null) {
                    Wire.writeError(out, refused);
                } else {
                    call(method, parts.subList(2, parts.size()), out, owner, first);
                    first &= method.equals("hello") && owner[0] == null;
                }
            }
            out.flush();
        }
    }

    private void call(String method, List<byte[]> argumentLines, OutputStream out, Sessions.Owner[] owner,
            boolean first) throws IOException {
        Object[] a;
        try {
            a = Api.arguments(method, argumentLines);
        } catch (IllegalArgumentException e) {
            Wire.writeError(out, e.getMessage());
            return;
        }
        if (method.equals("hello")) {
            if (!first || owner[0] != null) {
                Wire.writeError(out, "hello comes once per connection, as its first call");
                return;
            }
            try {
                owner[0] = sessions.connect(Sessions.checkClientId((String) a[0]));
            } catch (IllegalArgumentException e) {
                Wire.writeError(out, e.getMessage());
                return;
            }
            Wire.writeString(out, "+");
            return;
        }
        Object result;
        try {
            result = dispatch(method, a, owner);
        } catch (RuntimeException | StackOverflowError | OutOfMemoryError e) {
            Wire.writeError(out, "the simulator server failed: " + e);
            return;
        }
        if (result instanceof String s) {
            Wire.writeString(out, s);
        } else if (result instanceof Integer i) {
            Wire.writeInt(out, i);
        } else {
            Wire.writeBytes(out, (byte[]) result);
        }
    }

    private Object dispatch(String method, Object[] a, Sessions.Owner[] owner) {
        return switch (method) {
            case "contractVersion" -> sessions.contractVersion();
            case "envIds" -> sessions.envIds();
            case "template" -> sessions.template((String) a[0]);
            case "sessionCount" -> sessions.sessionCount();
            case "create" -> sessions.create(owner(owner), (String) a[0], (Integer) a[1], (Integer) a[2],
                    (String) a[3]);
            case "describe" -> sessions.describe(owner(owner), (Integer) a[0]);
            case "run" -> sessions.run(owner(owner), (Integer) a[0], (byte[]) a[1]);
            case "attach" -> sessions.attach(owner(owner), (Integer) a[0], (String) a[1], (Integer) a[2],
                    (Integer) a[3]);
            case "runShared" -> sessions.runShared(owner(owner), (Integer) a[0], (Integer) a[1]);
            case "close" -> sessions.close(owner(owner), (Integer) a[0]);
            case "fileOffer" -> sessions.fileOffer(owner(owner), (String) a[0], (Long) a[1]);
            case "fileChunk" -> sessions.fileChunk(owner(owner), (String) a[0], (Long) a[1], (byte[]) a[2]);
            case "fileEnd" -> sessions.fileEnd(owner(owner), (String) a[0]);
            default -> throw new IllegalStateException("method " + method + " is allow-listed but not dispatched");
        };
    }

    /** The connection's owner: from its hello, or one of its own for a connection that said none. */
    private Sessions.Owner owner(Sessions.Owner[] owner) {
        if (owner[0] == null) {
            owner[0] = sessions.connectAnonymous();
        }
        return owner[0];
    }

    /** Stops accepting; open connections end with the process. */
    void close() {
        closeQuietly(listener);
    }

    private static void closeQuietly(AutoCloseable closeable) {
        try {
            closeable.close();
        } catch (Exception e) {
            // Closing is best effort.
        }
    }
}
