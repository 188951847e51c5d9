package edgesim.model;

/**
 * A point-to-point wireless link: free-space path loss, thermal noise over the channel bandwidth, and the
 * Shannon rate. rate = B log2(1 + P G / (k T B)) with G = (c / (4 pi f d))^2; propagation d / c.
 * Distances under 1 m are taken as 1 m (the far-field formula diverges at 0).
 */
public final class ShannonChannel {
    public static final double SPEED_OF_LIGHT_M_PER_S = 299_792_458.0;
    public static final double BOLTZMANN_J_PER_K = 1.380649e-23;
    public static final double MIN_DISTANCE_M = 1.0;

    private final double bandwidth_hz;
    private final double txPower_w;
    private final double carrier_hz;
    private final double noisePower_w;

    public ShannonChannel(double bandwidth_hz, double txPower_w, double carrier_hz, double noiseTemperature_k) {
        this.bandwidth_hz = bandwidth_hz;
        this.txPower_w = txPower_w;
        this.carrier_hz = carrier_hz;
        this.noisePower_w = BOLTZMANN_J_PER_K * noiseTemperature_k * bandwidth_hz;
    }

    /** Free-space power gain at {@code distance_m}. */
    public double pathGain(double distance_m) {
        double d = Math.max(distance_m, MIN_DISTANCE_M);
        double g = SPEED_OF_LIGHT_M_PER_S / (4 * Math.PI * carrier_hz * d);
        return g * g;
    }

    /** Signal-to-noise ratio (linear) at {@code distance_m}. */
    public double snr(double distance_m) {
        return txPower_w * pathGain(distance_m) / noisePower_w;
    }

    /** Shannon capacity in bit/s at {@code distance_m}. */
    public double rateBps(double distance_m) {
        return bandwidth_hz * StrictMath.log1p(snr(distance_m)) / StrictMath.log(2.0);
    }

    /** Propagation delay in seconds over {@code distance_m}. */
    public static double propagation_s(double distance_m) {
        return distance_m / SPEED_OF_LIGHT_M_PER_S;
    }

    public double txPower_w() {
        return txPower_w;
    }
}
