package edgesim.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class RngTest {
    @Test
    void streamIsFixedBySeed() {
        // Values from an independent Python implementation of SplitMix64 seeding and xoshiro256++:
        // a change here would change every simulation's random numbers on every machine.
        Rng rng = new Rng(42);
        assertEquals(-3425465463722317665L, rng.nextLong());
        assertEquals(5881210131331364753L, rng.nextLong());
        assertEquals(-5023260957588372088L, Rng.streamSeed(1, "arrivals"));
        // A name beyond ASCII is hashed over its UTF-8 bytes, as ASCII names are.
        assertEquals(-8867249302262870566L, Rng.streamSeed(1, "t\u00e2che"));
    }

    @Test
    void variatesHaveTheirDistributions() {
        Rng rng = new Rng(3);
        int n = 200_000;
        double sum = 0;
        int[] counts = new int[7];
        for (int i = 0; i < n; i++) {
            sum += rng.exponential(4.0);
            counts[rng.nextInt(7)]++;
        }
        assertEquals(0.25, sum / n, 0.005);
        for (int c : counts) {
            assertEquals(n / 7.0, c, 0.03 * n / 7.0);
        }
        double u = rng.nextDouble();
        assertTrue(u >= 0 && u < 1);
        assertNotEquals(Rng.streamSeed(1, "a"), Rng.streamSeed(1, "b"));
        assertNotEquals(Rng.streamSeed(1, "a"), Rng.streamSeed(2, "a"));
    }
}
