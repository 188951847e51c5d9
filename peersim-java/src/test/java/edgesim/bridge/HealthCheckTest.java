package edgesim.bridge;

import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The health check against the server's real gateway with a token, as the simulator image runs it. */
class HealthCheckTest {
    private GatewayFixture server;

    @BeforeEach
    void start() throws IOException {
        server = new GatewayFixture(Limits.SERVED);
    }

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void theRightTokenIsHealthy() {
        assertNull(HealthCheck.check("127.0.0.1", server.port(), GatewayFixture.TOKEN, 2000));
    }

    @Test
    void aWrongTokenIsUnhealthy() {
        int port = server.port();
        String problem = HealthCheck.check("127.0.0.1", port, "not-the-token-at-all", 2000);
        assertTrue(problem.startsWith("the server at 127.0.0.1:" + port + " refused the token (reply '!xs"), problem);
    }

    @Test
    void aPortWithNothingListeningIsUnhealthy() throws IOException {
        int port;
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = probe.getLocalPort();
        }
        String problem = HealthCheck.check("127.0.0.1", port, GatewayFixture.TOKEN, 2000);
        assertTrue(problem.startsWith("cannot reach the server at 127.0.0.1:" + port + ": "), problem);
    }
}
