package edgesim.engine;

/**
 * xoshiro256++ seeded through SplitMix64. Written out rather than taken from java.util.random so that the
 * stream for a seed is fixed by this file alone, on every JVM and machine; variates use StrictMath for the
 * same reason.
 */
public final class Rng {
    private long s0;
    private long s1;
    private long s2;
    private long s3;

    /** A generator whose whole stream is determined by {@code seed}. */
    public Rng(long seed) {
        long x = seed;
        x += 0x9E3779B97F4A7C15L;
        s0 = mix(x);
        x += 0x9E3779B97F4A7C15L;
        s1 = mix(x);
        x += 0x9E3779B97F4A7C15L;
        s2 = mix(x);
        x += 0x9E3779B97F4A7C15L;
        s3 = mix(x);
    }

    private static final long FNV_OFFSET = 0xCBF29CE484222325L;
    private static final long FNV_PRIME = 0x100000001B3L;

    /** SplitMix64's output function. */
    static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** The seed of stream {@code name} derived from {@code seed}: FNV-1a of the UTF-8 name, mixed. */
    public static long streamSeed(long seed, String name) {
        return mix(seed ^ mix(fnv1a(name)));
    }

    /** FNV-1a over the UTF-8 bytes of {@code name}. */
    private static long fnv1a(String name) {
        long h = FNV_OFFSET;
        // Stream names are ASCII, whose chars are their UTF-8 bytes: hashed without encoding (every reset
        // derives its streams again); any other name is encoded.
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c >= 0x80) {
                return fnv1a(name.getBytes(java.nio.charset.StandardCharsets.UTF_8));
            }
            h = (h ^ c) * FNV_PRIME;
        }
        return h;
    }

    private static long fnv1a(byte[] bytes) {
        long h = FNV_OFFSET;
        for (byte b : bytes) {
            h = (h ^ (b & 0xFF)) * FNV_PRIME;
        }
        return h;
    }

    /** 64 uniformly random bits. */
    public long nextLong() {
        long result = Long.rotateLeft(s0 + s3, 23) + s0;
        long t = s1 << 17;
        s2 ^= s0;
        s3 ^= s1;
        s1 ^= s2;
        s0 ^= s3;
        s2 ^= t;
        s3 = Long.rotateLeft(s3, 45);
        return result;
    }

    /** Uniform in [0, 1) with 53 random bits. */
    public double nextDouble() {
        return (nextLong() >>> 11) * 0x1.0p-53;
    }

    /** Uniform in [lo, hi). */
    public double uniform(double lo, double hi) {
        return lo + (hi - lo) * nextDouble();
    }

    /** Uniform integer in [0, bound), unbiased (Lemire's method). */
    public int nextInt(int bound) {
        if (bound <= 0) {
            throw new IllegalArgumentException("bound must be > 0, got " + bound);
        }
        long m = (nextLong() >>> 32) * bound;
        long low = m & 0xFFFFFFFFL;
        if (low < bound) {
            long threshold = (0x100000000L - bound) % bound;
            while (low < threshold) {
                m = (nextLong() >>> 32) * bound;
                low = m & 0xFFFFFFFFL;
            }
        }
        return (int) (m >>> 32);
    }

    /** Exponential with the given rate (mean 1 / rate). */
    public double exponential(double rate) {
        return -StrictMath.log1p(-nextDouble()) / rate;
    }
}
