package edgesim.bridge;

import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import py4j.GatewayServer;

/** The health check against a real py4j gateway with a token, as the simulator image runs it. */
class HealthCheckTest {
    private static final String TOKEN = "health-check-test-token-0123456789";
    private GatewayServer gateway;

    @BeforeEach
    void startGateway() throws IOException {
        GatewayServer.turnLoggingOff();
        gateway = new GatewayServer.GatewayServerBuilder()
                .entryPoint(new Object())
                .javaAddress(InetAddress.getLoopbackAddress())
                .javaPort(0)
                .authToken(TOKEN)
                .build();
        gateway.start();
    }

    @AfterEach
    void stopGateway() {
        gateway.shutdown();
    }

    @Test
    void theRightTokenIsHealthy() {
        assertNull(HealthCheck.check("127.0.0.1", gateway.getListeningPort(), TOKEN, 2000));
    }

    @Test
    void aWrongTokenIsUnhealthy() {
        int port = gateway.getListeningPort();
        String problem = HealthCheck.check("127.0.0.1", port, "not-the-token", 2000);
        assertTrue(problem.startsWith("the server at 127.0.0.1:" + port + " refused the token (reply '!x"), problem);
    }

    @Test
    void aPortWithNothingListeningIsUnhealthy() throws IOException {
        int port;
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = probe.getLocalPort();
        }
        String problem = HealthCheck.check("127.0.0.1", port, TOKEN, 2000);
        assertTrue(problem.startsWith("cannot reach the server at 127.0.0.1:" + port + ": "), problem);
    }
}
