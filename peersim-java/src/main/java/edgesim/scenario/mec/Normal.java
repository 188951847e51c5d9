package edgesim.scenario.mec;

import edgesim.engine.Rng;

/** Normal variates from an {@link Rng} by Box-Muller, with StrictMath so a seed gives the same values on every JVM. */
final class Normal {
    private Normal() {
    }

    /** One draw from N(mean, std^2); two uniforms per draw (the second Box-Muller variate is discarded). */
    static double draw(Rng rng, double mean, double std) {
        double u1 = 1.0 - rng.nextDouble(); // (0, 1]: the logarithm stays finite
        double u2 = rng.nextDouble();
        double z = StrictMath.sqrt(-2.0 * StrictMath.log(u1)) * StrictMath.cos(2.0 * StrictMath.PI * u2);
        return mean + std * z;
    }
}
