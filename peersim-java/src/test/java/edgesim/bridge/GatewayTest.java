package edgesim.bridge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The gateway over a real loopback socket: only the session API, bounded reads, connection limit. */
class GatewayTest {
    private static final String ONLY_SESSIONS = "this simulator server answers only the pygym session API";

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
    void theAllowListedCallsAnswer() throws IOException {
        try (GatewayFixture.Raw c = server.connect(GatewayFixture.TOKEN)) {
            assertEquals("!yi" + Frames.CONTRACT_VERSION, c.call("contractVersion"));
            assertTrue(c.call("envIds").startsWith("!ysoffload-mec-explaboff-v0,"));
            assertTrue(c.call("template", "soffload-neighbour-v0\n").startsWith("!ys+# offload-neighbour-v0"));
            assertEquals("!yi0", c.call("sessionCount"));
        }
    }

    @Test
    void everythingElseIsRefusedAndTheConnectionKeepsServing() throws IOException {
        String[][] attempts = {
            {"r\nu\njava\nrj\ne\n", "reflection (classes, packages and members of the JVM) (py4j command 'r')"},
            {"r\nm\njava.lang.Runtime\ngetRuntime\ne\n", "reflection"},
            {"c\nz:java.lang.System\ngetProperty\nsuser.home\ne\n", "a call on object 'z:java.lang.System'"},
            {"c\nt\ngetClass\ne\n", "'getClass' is refused"},
            {"c\nt\nwait\ne\n", "'wait' is refused"},
            {"i\njava.lang.ProcessBuilder\nlo0\ne\n", "constructors"},
            {"f\ng\nt\ngroups\ne\n", "field access"},
            {"j\ni\nrj\njava.io.*\ne\n", "JVM views"},
            {"a\nc\nsjava.lang.String\ni3\ne\n", "arrays"},
            {"s\ne\n", "shutting the server down"},
            {"m\nd\nt\ne\n", "object references"},
        };
        try (GatewayFixture.Raw c = server.connect(GatewayFixture.TOKEN)) {
            for (String[] attempt : attempts) {
                String reply = c.send(attempt[0]);
                assertTrue(reply.startsWith("!xs" + ONLY_SESSIONS), reply);
                assertTrue(reply.contains(attempt[1]), reply);
            }
            assertEquals("!yi" + Frames.CONTRACT_VERSION, c.call("contractVersion"));
        }
    }

    @Test
    void argumentsMustHaveTheExactTypes() throws IOException {
        try (GatewayFixture.Raw c = server.connect(GatewayFixture.TOKEN)) {
            assertEquals("!xsargument 1 of describe: expected an int, got a string (an int)", c.call("describe", "s1\n"));
            assertEquals("!xsdescribe takes 1 argument(s) (an int), got 0", c.call("describe"));
            assertEquals("!xsargument 1 of template: expected a string, got null (a string)", c.call("template", "n\n"));
            assertTrue(c.call("describe", "ixyz\n").startsWith("!xsargument 1 of describe: not an int"));
            assertTrue(c.call("create", "soffload-neighbour-v0\n", "i1\n", "i0\n", "ro12\n")
                    .startsWith("!xsargument 4 of create: expected a string, got an object reference"));
        }
    }

    @Test
    void aWrongTokenOrACommandBeforeAuthenticationIsRefusedAndClosed() throws IOException {
        try (GatewayFixture.Raw c = server.connect(null)) {
            assertEquals("!xsthe auth token was refused", c.send("A\nnot-the-token-0123456789\n"));
            assertNull(c.in.readLine());
        }
        try (GatewayFixture.Raw c = server.connect(null)) {
            String reply = c.send("c\nt\nenvIds\ne\n");
            assertTrue(reply.startsWith("!xsauthenticate first"), reply);
            assertNull(c.in.readLine());
        }
    }

    @Test
    void anUnauthenticatedClientMaySendOneKilobyteAndNoMore() throws IOException {
        try (GatewayFixture.Raw c = server.connect(null)) {
            byte[] junk = new byte[64 << 10];
            Arrays.fill(junk, (byte) 'x');
            String reply;
            try {
                reply = c.send("A\n" + new String(junk, StandardCharsets.US_ASCII));
            } catch (SocketException e) {
                reply = null; // the server may close before it has read everything
            }
            assertTrue(reply == null || reply.startsWith("!xsauthenticate first: the auth command is longer than 1024"),
                    reply);
        }
    }

    @Test
    void anUnauthenticatedClientIsClosedAtTheDeadline() throws IOException {
        try (GatewayFixture.Raw c = server.connect(null)) {
            long start = System.nanoTime();
            c.out.write("A\n".getBytes(StandardCharsets.US_ASCII)); // and then nothing
            c.out.flush();
            assertNull(c.in.readLine());
            double waited_s = (System.nanoTime() - start) / 1e9;
            assertTrue(waited_s > Limits.AUTH_TIMEOUT_MS / 1000.0 - 1 && waited_s < Limits.AUTH_TIMEOUT_MS / 1000.0 + 4,
                    "closed after " + waited_s + " s");
        }
    }

    @Test
    void aCommandOverTheLimitIsAnsweredThenTheConnectionCloses() throws IOException {
        try (GatewayFixture.Raw c = server.connect(GatewayFixture.TOKEN)) {
            OutputStream out = c.out;
            out.write("c\nt\ntemplate\ns".getBytes(StandardCharsets.US_ASCII));
            byte[] block = new byte[1 << 20];
            Arrays.fill(block, (byte) 'y');
            String reply = null;
            try {
                for (int i = 0; i < 2 * (Limits.SERVED.maxCommandBytes() >> 20); i++) {
                    out.write(block);
                }
            } catch (SocketException e) {
                // closed while still sending: the reply was written first
            }
            reply = c.in.readLine();
            assertTrue(reply.startsWith("!xsthe command is longer than this server's limit of "
                    + Limits.SERVED.maxCommandBytes() + " bytes"), reply);
            assertNull(c.in.readLine());
        }
    }

    @Test
    void connectionsBeyondTheLimitAreRefusedWithAReason() throws IOException {
        server.close();
        Limits two = new Limits(2, Limits.MIN_COMMAND_BYTES, 10, 100, 1000, 1 << 20, 1 << 20, 5.0, 1.0);
        server = new GatewayFixture(two);
        GatewayFixture.Raw b = server.connect(GatewayFixture.TOKEN);
        try (GatewayFixture.Raw a = server.connect(GatewayFixture.TOKEN);
                GatewayFixture.Raw c = server.connect(null)) {
            assertTrue(c.in.readLine().startsWith("!xsthe simulator server has 2 connections open, its limit"));
            assertEquals("!yi0", a.call("sessionCount"));
            b.close();
            // The slot is free again once the server has seen the close.
            String reply = null;
            for (int attempt = 0; attempt < 100 && reply == null; attempt++) {
                try (GatewayFixture.Raw d = server.connect(GatewayFixture.TOKEN)) {
                    String answer = d.call("sessionCount");
                    if ("!yi0".equals(answer)) {
                        reply = answer;
                    }
                } catch (IOException e) {
                    // refused while the server catches up
                }
            }
            assertEquals("!yi0", reply);
        }
    }
}
