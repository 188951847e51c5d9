package edgesim.bridge;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import javax.net.ssl.SSLSocketFactory;

/**
 * The simulator server: the session API ({@link Sessions}) behind a gateway that speaks py4j's wire protocol and
 * answers nothing else ({@link Gateway}, {@link Api}). Binds 127.0.0.1 and an ephemeral port by default, requires
 * an auth token, and prints exactly one handshake line on stdout:
 * <pre>PYGYM-SIM-READY {"host":...,"port":...,"contract":1,"pid":...,"tls":false[,"token":...]}</pre>
 * The token comes from the environment variable PYGYM_TOKEN or from {@code --token-file}, never from the
 * command line (every user of the machine can read it there); a given token has at least
 * {@link #MIN_TOKEN_CHARS} characters. Without one the server makes a random token and prints it in the
 * handshake, and then binds only a loopback address. It exits when it cannot start, when its stdin closes (with
 * --exit-on-stdin-close) and when the process given by --parent-pid ends.
 */
public final class Server {
    public static final String HANDSHAKE = "PYGYM-SIM-READY";
    public static final String TOKEN_ENV = "PYGYM_TOKEN";
    public static final int MIN_TOKEN_CHARS = 16;
    static final String USAGE = "usage: Server [--host H] [--port P] [--token-file FILE] [--parent-pid PID] "
            + "[--exit-on-stdin-close] [--trusted] [--tls-cert PEM --tls-key PEM] [--data-dir DIR] "
            + "[--max-connections N] [--max-command-bytes N] [--max-sessions-per-client N] "
            + "[--max-nodes-per-session N] [--max-nodes-per-client N] [--max-upload-bytes N] [--max-cache-bytes N] "
            + "[--orphan-grace-s S]   (token from " + TOKEN_ENV + " or --token-file)";

    private Server() {
    }

    /** The parsed command line. */
    static final class Options {
        String host = "127.0.0.1";
        int port;
        Path tokenFile;
        long parentPid = -1;
        boolean exitOnStdinClose;
        boolean trusted;
        Path tlsCert;
        Path tlsKey;
        Path dataDir;
        Integer maxConnections;
        Integer maxCommandBytes;
        Integer maxSessionsPerClient;
        Integer maxNodesPerSession;
        Long maxNodesPerClient;
        Long maxUploadBytes;
        Long maxCacheBytes;
        Double orphanGrace_s;

        static Options parse(String[] args) {
            Options o = new Options();
            for (int i = 0; i < args.length; i++) {
                String flag = args[i];
                switch (flag) {
                    case "--exit-on-stdin-close" -> o.exitOnStdinClose = true;
                    case "--trusted" -> o.trusted = true;
                    case "--token" -> throw new IllegalArgumentException("--token is not accepted: a token on the "
                            + "command line is visible to every user of this machine; set " + TOKEN_ENV
                            + " or pass --token-file");
                    default -> {
                        if (i + 1 >= args.length) {
                            throw new IllegalArgumentException(flag.startsWith("--") && isValued(flag)
                                    ? flag + " needs a value" : "unknown argument '" + flag + "'");
                        }
                        String v = args[++i];
                        switch (flag) {
                            case "--host" -> o.host = v;
                            case "--port" -> o.port = range(flag, Integer.parseInt(v), 0, 65535);
                            case "--token-file" -> o.tokenFile = Path.of(v);
                            case "--parent-pid" -> o.parentPid = Long.parseLong(v);
                            case "--tls-cert" -> o.tlsCert = Path.of(v);
                            case "--tls-key" -> o.tlsKey = Path.of(v);
                            case "--data-dir" -> o.dataDir = Path.of(v);
                            case "--max-connections" -> o.maxConnections = Integer.parseInt(v);
                            case "--max-command-bytes" -> o.maxCommandBytes = Integer.parseInt(v);
                            case "--max-sessions-per-client" -> o.maxSessionsPerClient = Integer.parseInt(v);
                            case "--max-nodes-per-session" -> o.maxNodesPerSession = Integer.parseInt(v);
                            case "--max-nodes-per-client" -> o.maxNodesPerClient = Long.parseLong(v);
                            case "--max-upload-bytes" -> o.maxUploadBytes = Long.parseLong(v);
                            case "--max-cache-bytes" -> o.maxCacheBytes = Long.parseLong(v);
                            case "--orphan-grace-s" -> o.orphanGrace_s = Double.parseDouble(v);
                            default -> throw new IllegalArgumentException("unknown argument '" + flag + "'");
                        }
                    }
                }
            }
            if ((o.tlsCert == null) != (o.tlsKey == null)) {
                throw new IllegalArgumentException("--tls-cert and --tls-key go together");
            }
            return o;
        }

        private static boolean isValued(String flag) {
            return USAGE.contains("[" + flag + " ");
        }

        private static int range(String flag, int value, int min, int max) {
            if (value < min || value > max) {
                throw new IllegalArgumentException(flag + " must be in [" + min + ", " + max + "], got " + value);
            }
            return value;
        }

        Limits limits() {
            Limits d = trusted ? Limits.OWN_PROCESS : Limits.SERVED;
            return new Limits(
                    maxConnections != null ? maxConnections : d.maxConnections(),
                    maxCommandBytes != null ? maxCommandBytes : d.maxCommandBytes(),
                    maxSessionsPerClient != null ? maxSessionsPerClient : d.maxSessionsPerClient(),
                    maxNodesPerSession != null ? maxNodesPerSession : d.maxNodesPerSession(),
                    maxNodesPerClient != null ? maxNodesPerClient : d.maxNodesPerClient(),
                    maxUploadBytes != null ? maxUploadBytes : d.maxUploadBytes(),
                    maxCacheBytes != null ? maxCacheBytes : d.maxCacheBytes(),
                    orphanGrace_s != null ? orphanGrace_s : d.orphanGrace_s(),
                    d.maxHeapFraction());
        }
    }

    public static void main(String[] args) {
        Options o = null;
        Limits limits = null;
        try {
            o = Options.parse(args);
            limits = o.limits();
        } catch (RuntimeException e) {
            fail("bad arguments: " + e.getMessage() + "\n" + USAGE);
        }
        String token = null;
        boolean generated = false;
        InetAddress address = null;
        SSLSocketFactory tls = null;
        Path dataDir = null;
        try {
            token = givenToken(o.tokenFile);
            address = InetAddress.getByName(o.host);
            boolean loopback = address.isLoopbackAddress();
            if (o.trusted && !loopback) {
                throw new IllegalArgumentException("--trusted is for the JVM a pygym process starts for itself and "
                        + "binds a loopback address only, not " + o.host);
            }
            if (token == null) {
                if (!loopback) {
                    throw new IllegalArgumentException("binding " + o.host + " accepts connections from other "
                            + "machines, so it needs a token you chose: set " + TOKEN_ENV + " (at least "
                            + MIN_TOKEN_CHARS + " characters, e.g. export " + TOKEN_ENV + "=$(openssl rand -hex 24)) "
                            + "or pass --token-file FILE");
                }
                byte[] bytes = new byte[24];
                new SecureRandom().nextBytes(bytes);
                token = HexFormat.of().formatHex(bytes);
                generated = true;
            }
            if (o.tlsCert != null) {
                tls = Tls.serverFactory(o.tlsCert, o.tlsKey);
            }
            if (o.dataDir != null) {
                dataDir = o.dataDir.toRealPath();
                if (!Files.isDirectory(dataDir)) {
                    throw new IllegalArgumentException("--data-dir " + o.dataDir + " is not a folder");
                }
            }
            if (!loopback) {
                System.err.println("simulator server: listening on " + o.host + ", beyond loopback: any machine that "
                        + "reaches this port can connect, and the token guards the server"
                        + (tls == null ? "; traffic, token included, is plaintext (--tls-cert/--tls-key encrypt it)"
                                : "; traffic is encrypted with TLS"));
            }
        } catch (IOException | RuntimeException e) {
            fail(e.getMessage() == null ? e.toString() : e.getMessage());
        }
        ContentStore store = null;
        try {
            store = ContentStore.inTemporaryFolder(limits.maxUploadBytes(), limits.maxCacheBytes());
        } catch (RuntimeException e) {
            fail(e.getMessage() + ": " + e.getCause());
        }
        Runtime.getRuntime().addShutdownHook(new Thread(store::deleteAll, "pygym-cleanup"));
        if (o.parentPid > 0) {
            watchParent(o.parentPid, store);
        }

        int port = -1;
        try {
            ScheduledExecutorService expiry = daemonTimer("pygym-client-expiry");
            Sessions sessions = new Sessions(limits, store, new FilePolicy(store, dataDir, o.trusted), expiry);
            ServerSocket listener = new ServerSocket();
            listener.bind(new InetSocketAddress(address, o.port), 128);
            port = listener.getLocalPort();
            new Gateway(listener, sessions, token, limits, tls, daemonTimer("pygym-auth-deadline")).start();
        } catch (Exception | Error e) {
            store.deleteAll();
            fail("cannot start the simulator server on " + o.host + ":" + o.port + ": " + e);
        }
        Json handshake = new Json().beginObject()
                .key("host").value(o.host)
                .key("port").value(port)
                .key("contract").value(Frames.CONTRACT_VERSION)
                .key("pid").value(ProcessHandle.current().pid())
                .key("tls").value(tls != null);
        if (generated) {
            // Only a token the server made is printed: a given one stays out of logs.
            handshake.key("token").value(token);
        }
        System.out.println(HANDSHAKE + " " + handshake.endObject());
        System.out.flush();
        if (o.exitOnStdinClose) {
            watchStdin(store);
        }
    }

    /** The token from --token-file or PYGYM_TOKEN (null if neither), checked. */
    static String givenToken(Path tokenFile) throws IOException {
        String token;
        String where;
        if (tokenFile != null) {
            token = Files.readString(tokenFile, StandardCharsets.UTF_8).strip();
            where = "--token-file " + tokenFile;
        } else {
            token = System.getenv(TOKEN_ENV);
            where = TOKEN_ENV;
            if (token == null || token.isEmpty()) {
                return null;
            }
        }
        if (token.length() < MIN_TOKEN_CHARS) {
            throw new IllegalArgumentException("the token from " + where + " has " + token.length() + " characters; "
                    + "at least " + MIN_TOKEN_CHARS + " are required (e.g. openssl rand -hex 24)");
        }
        for (int i = 0; i < token.length(); i++) {
            char c = token.charAt(i);
            if (c <= ' ' || c == 0x7f) {
                throw new IllegalArgumentException("the token from " + where + " holds white space or a control "
                        + "character at position " + (i + 1) + "; use printable characters only");
            }
        }
        return token;
    }

    private static ScheduledExecutorService daemonTimer(String name) {
        return Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        });
    }

    private static void watchParent(long parentPid, ContentStore store) {
        Optional<ProcessHandle> parent = ProcessHandle.of(parentPid);
        if (parent.isEmpty() || !parent.get().isAlive()) {
            store.deleteAll();
            fail("parent process " + parentPid + " is not running");
        }
        parent.get().onExit().thenRun(() -> {
            System.err.println("simulator server: parent process " + parentPid + " ended; exiting");
            exit(store, 0);
        });
    }

    private static void watchStdin(ContentStore store) {
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
            exit(store, 0);
        }, "stdin-watch");
        t.setDaemon(true);
        t.start();
    }

    /** Exits at once (halt: no thread can hold the exit up), after deleting the files sent by content. */
    private static void exit(ContentStore store, int code) {
        store.deleteAll();
        Runtime.getRuntime().halt(code);
    }

    private static void fail(String message) {
        System.err.println("simulator server: " + message);
        System.err.flush();
        Runtime.getRuntime().halt(2);
    }
}
