package edgesim.bridge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import org.junit.jupiter.api.Test;

/** Groups belong to the client identity that created them; limits per client; a client gone is cleaned up. */
class SessionsOwnershipTest {
    private static final String SMALL = "snodes 4\\nagents 2\\nepisode_s 1\n";
    private static final String ALICE = "alice-0123456789abcdef";
    private static final String MALLORY = "mallory-0123456789abcdef";

    private static String create(GatewayFixture.Raw c, int count, String overrides) throws IOException {
        return c.call("create", "soffload-neighbour-v0\n", "i" + count + "\n", "i1\n", overrides);
    }

    @Test
    void anotherClientGetsTheErrorOfAGroupThatDoesNotExist() throws IOException {
        try (GatewayFixture server = new GatewayFixture(Limits.SERVED);
                GatewayFixture.Raw alice = server.connect(GatewayFixture.TOKEN);
                GatewayFixture.Raw mallory = server.connect(GatewayFixture.TOKEN);
                GatewayFixture.Raw anonymous = server.connect(GatewayFixture.TOKEN)) {
            assertEquals("!ys+", alice.call("hello", "s" + ALICE + "\n"));
            assertEquals("!ys+", mallory.call("hello", "s" + MALLORY + "\n"));
            String reply = create(alice, 1, SMALL);
            assertTrue(reply.startsWith("!ys+"), reply);
            int id = Integer.parseInt(reply.substring(4));
            String missing = "!ys-session:no open environment group " + id;
            for (GatewayFixture.Raw other : new GatewayFixture.Raw[] {mallory, anonymous}) {
                assertTrue(other.call("describe", "i" + id + "\n").startsWith(missing));
                String step = other.call("run", "i" + id + "\n", "jAAAA\n");
                assertTrue(step.startsWith("!yj"), step);
                String text = new String(java.util.Base64.getDecoder().decode(step.substring(3)));
                assertTrue(text.startsWith("-session:no open environment group " + id), text);
                assertEquals("!ys+", other.call("close", "i" + id + "\n"));
            }
            assertTrue(missing.startsWith("!ys-session"));
            assertTrue(alice.call("describe", "i" + id + "\n").startsWith("!ys+{"), "still alice's and open");
            assertTrue(alice.call("describe", "i" + (id + 1000) + "\n").startsWith(missing.replace("" + id, "" + (id + 1000))));
            // A second connection of the same client shares its groups.
            try (GatewayFixture.Raw again = server.connect(GatewayFixture.TOKEN)) {
                assertEquals("!ys+", again.call("hello", "s" + ALICE + "\n"));
                assertTrue(again.call("describe", "i" + id + "\n").startsWith("!ys+{"));
                assertEquals("!ys+", again.call("close", "i" + id + "\n"));
            }
            assertEquals("!yi0", alice.call("sessionCount"));
        }
    }

    @Test
    void helloComesOnceFirstWithAWellFormedId() throws IOException {
        try (GatewayFixture server = new GatewayFixture(Limits.SERVED);
                GatewayFixture.Raw c = server.connect(GatewayFixture.TOKEN);
                GatewayFixture.Raw d = server.connect(GatewayFixture.TOKEN)) {
            assertTrue(c.call("hello", "sshort\n").startsWith("!xshello: a client id is 16 to 128"));
            assertEquals("!ys+", c.call("hello", "s" + ALICE + "\n"));
            assertEquals("!xshello comes once per connection, as its first call", c.call("hello", "s" + ALICE + "\n"));
            assertEquals("!yi0", d.call("sessionCount"));
            assertEquals("!xshello comes once per connection, as its first call", d.call("hello", "s" + ALICE + "\n"));
        }
    }

    @Test
    void aClientWithoutConnectionsLosesItsSessionsAfterTheGracePeriod() throws Exception {
        Limits quick = new Limits(64, Limits.MIN_COMMAND_BYTES, 100, 1000, 10_000, 1 << 20, 1 << 20, 0.3, 1.0);
        try (GatewayFixture server = new GatewayFixture(quick);
                GatewayFixture.Raw observer = server.connect(GatewayFixture.TOKEN)) {
            GatewayFixture.Raw alice = server.connect(GatewayFixture.TOKEN);
            assertEquals("!ys+", alice.call("hello", "s" + ALICE + "\n"));
            assertTrue(create(alice, 3, SMALL).startsWith("!ys+"));
            assertEquals("!yi3", observer.call("sessionCount"));
            alice.close();
            String count = "";
            for (int i = 0; i < 100 && !count.equals("!yi0"); i++) {
                Thread.sleep(50);
                count = observer.call("sessionCount");
            }
            assertEquals("!yi0", count);
            // Reconnecting within the grace period keeps them.
            GatewayFixture.Raw bob = server.connect(GatewayFixture.TOKEN);
            assertEquals("!ys+", bob.call("hello", "s" + MALLORY + "\n"));
            String id = create(bob, 2, SMALL).substring(4);
            bob.close();
            try (GatewayFixture.Raw back = server.connect(GatewayFixture.TOKEN)) {
                assertEquals("!ys+", back.call("hello", "s" + MALLORY + "\n"));
                Thread.sleep(600);
                assertTrue(back.call("describe", "i" + id + "\n").startsWith("!ys+{"));
            }
        }
    }

    @Test
    void limitsPerSessionAndPerClientAreNamedAndOthersKeepWorking() throws IOException {
        Limits small = new Limits(64, Limits.MIN_COMMAND_BYTES, 3, 10, 24, 1 << 20, 1 << 20, 5.0, 1.0);
        try (GatewayFixture server = new GatewayFixture(small);
                GatewayFixture.Raw alice = server.connect(GatewayFixture.TOKEN);
                GatewayFixture.Raw bob = server.connect(GatewayFixture.TOKEN)) {
            assertEquals("!ys+", alice.call("hello", "s" + ALICE + "\n"));
            assertEquals("!ys+", bob.call("hello", "s" + MALLORY + "\n"));
            assertTrue(create(alice, 1, "snodes 11\\nagents 2\n")
                    .startsWith("!ys-limit:network.size = 11 nodes: this server allows at most 10 nodes per session"));
            assertTrue(create(alice, 4, SMALL).startsWith("!ys-limit:this client has 0 session(s) open on this "
                    + "server; 4 more would pass its limit of 3 sessions per client"));
            assertTrue(create(alice, 2, "snodes 10\\nagents 2\\nepisode_s 1\n").startsWith("!ys+"));
            assertTrue(create(alice, 1, "snodes 10\\nagents 2\\nepisode_s 1\n").startsWith("!ys-limit:this client's "
                    + "sessions have 20 nodes on this server; 1 x 10 more would pass its limit of 24 nodes per client"));
            // Nothing half-applied: one more small session still fits, another client is not affected.
            assertTrue(create(alice, 1, SMALL).startsWith("!ys+"));
            assertTrue(create(bob, 3, SMALL).startsWith("!ys+"));
            assertEquals("!yi6", bob.call("sessionCount"));
        }
    }

    @Test
    void aNearlyFullHeapRefusesNewSessionsWithAReason() throws IOException {
        Limits tight = new Limits(64, Limits.MIN_COMMAND_BYTES, 100, 1000, 10_000, 1 << 20, 1 << 20, 5.0, 1e-6);
        try (GatewayFixture server = new GatewayFixture(tight);
                GatewayFixture.Raw c = server.connect(GatewayFixture.TOKEN)) {
            String reply = create(c, 1, SMALL);
            assertTrue(reply.startsWith("!ys-limit:the simulator server's memory is nearly full ("), reply);
            assertTrue(reply.contains("close sessions, or give the server's JVM more heap (-Xmx)"), reply);
            assertEquals("!yi0", c.call("sessionCount"));
        }
    }
}
