package edgesim.bridge;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.cert.X509Certificate;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;

/**
 * The container health check: connects to a simulator server and performs the authentication command
 * (py4j's, see {@link Wire}) with the token, so "healthy" means the server accepts clients, not merely that a port
 * is open; over TLS when the server speaks TLS only.
 * Exits 0 when the server accepts the token, 1 otherwise (with the reason on stderr), 2 on bad arguments.
 * Usage: {@code HealthCheck [--host H] [--port P] [--timeout-ms T]}; the token comes from the environment
 * variable PYGYM_TOKEN, as for {@link Server}.
 */
public final class HealthCheck {
    public static final String DEFAULT_HOST = "127.0.0.1";
    public static final int DEFAULT_PORT = 25333;
    public static final int DEFAULT_TIMEOUT_MS = 3000;

    private HealthCheck() {
    }

    public static void main(String[] args) {
        String host = DEFAULT_HOST;
        int port = DEFAULT_PORT;
        int timeoutMs = DEFAULT_TIMEOUT_MS;
        try {
            for (int i = 0; i < args.length; i++) {
                switch (args[i]) {
                    case "--host" -> host = args[++i];
                    case "--port" -> port = Integer.parseInt(args[++i]);
                    case "--timeout-ms" -> timeoutMs = Integer.parseInt(args[++i]);
                    default -> throw new IllegalArgumentException("unknown argument '" + args[i] + "'");
                }
            }
            if (port < 1 || port > 65535) {
                throw new IllegalArgumentException("--port must be in [1, 65535], got " + port);
            }
            if (timeoutMs < 1) {
                throw new IllegalArgumentException("--timeout-ms must be positive, got " + timeoutMs);
            }
        } catch (RuntimeException e) {
            System.err.println("health check: bad arguments: " + e.getMessage()
                    + "\nusage: HealthCheck [--host H] [--port P] [--timeout-ms T] (token from " + Server.TOKEN_ENV + ")");
            System.exit(2);
        }
        String token = System.getenv(Server.TOKEN_ENV);
        if (token == null || token.isEmpty()) {
            System.err.println("health check: " + Server.TOKEN_ENV
                    + " is not set; the server's token is needed to check it");
            System.exit(1);
        }
        String problem = check(host, port, token, timeoutMs);
        if (problem != null) {
            System.err.println("health check: " + problem);
            System.exit(1);
        }
        System.exit(0);
    }

    /**
     * Returns null when the server at host:port accepts the token, else what went wrong. A server that speaks
     * TLS only is asked again over TLS.
     */
    static String check(String host, int port, String token, int timeoutMs) {
        String where = host + ":" + port;
        try {
            String reply = authenticate(host, port, token, timeoutMs, false);
            if (reply != null && reply.startsWith("!xs" + Gateway.TLS_REQUIRED)) {
                reply = authenticate(host, port, token, timeoutMs, true);
            }
            if (reply == null) {
                return "the server at " + where + " closed the connection without answering";
            }
            if (!(reply + "\n").equals(new String(Wire.VOID_REPLY, StandardCharsets.US_ASCII))) {
                return "the server at " + where + " refused the token (reply '" + reply + "')";
            }
            return null;
        } catch (IOException | GeneralSecurityException e) {
            return "cannot reach the server at " + where + ": " + e;
        }
    }

    /** The server's reply to the authentication command (null if it closed the connection). */
    private static String authenticate(String host, int port, String token, int timeoutMs, boolean tls)
            throws IOException, GeneralSecurityException {
        try (Socket plain = new Socket()) {
            plain.connect(new InetSocketAddress(host, port), timeoutMs);
            plain.setSoTimeout(timeoutMs);
            Socket socket = tls ? trustingTls().createSocket(plain, host, port, true) : plain;
            OutputStream out = socket.getOutputStream();
            out.write((Wire.AUTH_COMMAND + "\n" + token + "\n").getBytes(StandardCharsets.UTF_8));
            out.flush();
            BufferedReader in = new BufferedReader(
                    new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
            return in.readLine();
        }
    }

    /**
     * TLS that takes any certificate: the health check runs next to its server (in its container) and checks
     * that the server accepts the token, not who the server is.
     */
    private static SSLSocketFactory trustingTls() throws GeneralSecurityException {
        X509TrustManager any = new X509TrustManager() {
            @Override
            public void checkClientTrusted(X509Certificate[] chain, String authType) {
            }

            @Override
            public void checkServerTrusted(X509Certificate[] chain, String authType) {
            }

            @Override
            public X509Certificate[] getAcceptedIssuers() {
                return new X509Certificate[0];
            }
        };
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, new TrustManager[] {any}, null);
        return context.getSocketFactory();
    }
}
