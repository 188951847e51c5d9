package edgesim.model;

/**
 * An uplink with log-distance path loss and thermal noise: rate = B log2(1 + P g(d) / (N0 B)) with
 * g(d) = 10^(-(PL0 + 10 n log10(d / 1 m)) / 10) and N0 the noise power spectral density. The default
 * parameters of offload-mec-v0 (PL0 = 15.3 dB, n = 3.76) are the 3GPP macro-cell law 128.1 + 37.6 log10(d / km)
 * written per metre. Distances under 1 m are taken as 1 m (the law is not meant for the near field).
 */
public final class PathLossChannel {
    public static final double MIN_DISTANCE_M = 1.0;

    private final double bandwidth_hz;
    private final double txPower_w;
    private final double pathLossAt1m_db;
    private final double exponent;
    private final double noisePower_w;

    public PathLossChannel(double bandwidth_hz, double txPower_w, double pathLossAt1m_db, double exponent,
            double noisePsd_dbm_per_hz) {
        this.bandwidth_hz = bandwidth_hz;
        this.txPower_w = txPower_w;
        this.pathLossAt1m_db = pathLossAt1m_db;
        this.exponent = exponent;
        this.noisePower_w = StrictMath.pow(10, (noisePsd_dbm_per_hz - 30) / 10) * bandwidth_hz;
    }

    /** Path loss in dB at {@code distance_m}. */
    public double pathLoss_db(double distance_m) {
        return pathLossAt1m_db + 10 * exponent * StrictMath.log10(Math.max(distance_m, MIN_DISTANCE_M));
    }

    /** Signal-to-noise ratio (linear) at {@code distance_m}. */
    public double snr(double distance_m) {
        return txPower_w * StrictMath.pow(10, -pathLoss_db(distance_m) / 10) / noisePower_w;
    }

    /** Shannon capacity in bit/s at {@code distance_m}. */
    public double rateBps(double distance_m) {
        return bandwidth_hz * StrictMath.log1p(snr(distance_m)) / StrictMath.log(2.0);
    }

    public double txPower_w() {
        return txPower_w;
    }
}
