package edgesim.protocol.mec;

import edgesim.config.ConfigReader;
import edgesim.engine.ComponentTypes;
import edgesim.engine.EventHandler;
import edgesim.engine.Node;
import edgesim.engine.Simulation;
import edgesim.model.MecJob;
import edgesim.model.PathLossChannel;
import edgesim.protocol.Coordinates;
import edgesim.protocol.link.LinkModel;
import java.util.ArrayDeque;

/**
 * A device's link to the edge servers. Uploads go one at a time, first-in first-out, each at the rate of the
 * simulation's {@link LinkModel}: by default the Shannon rate of a log-distance path-loss channel at the
 * distance to the server (devices use orthogonal channels, so there is no interference; propagation, under a
 * microsecond in a cell, is neglected); with a topology file the route's bottleneck bandwidth, and its one-way
 * latency after the last bit is sent (see {@link MecNetwork}). Transmit energy is power x time on air. A
 * finished upload is handed to the server's {@link MecCpu} and reported to the job's listener. Results come
 * back over the reverse direction of the same link model, without waiting for other transfers (downlink
 * contention is not modelled).
 */
public final class Uplink implements EventHandler {
    /** @config channel bandwidth, Hz. */
    public static final String PAR_BANDWIDTH = "bandwidth_hz";
    /** @config transmit power, watts. */
    public static final String PAR_TX_POWER = "tx_power_w";
    /** @config path loss at 1 m, dB. */
    public static final String PAR_PATH_LOSS_1M = "path_loss_db_at_1m";
    /** @config path-loss exponent. */
    public static final String PAR_EXPONENT = "path_loss_exponent";
    /** @config noise power spectral density, dBm/Hz (-174 is thermal noise at 290 K). */
    public static final String PAR_NOISE = "noise_psd_dbm_per_hz";
    /** @config the Coordinates protocol (distances). */
    public static final String PAR_COORDINATES = "coordinates";
    /** @config the MecCpu protocol that computes uploaded jobs at the server. */
    public static final String PAR_CPU = "cpu";

    static final int DONE = 1;
    static final int ARRIVED = 2;
    static final int RESULT = 3;

    public static final ComponentTypes.ProtocolType TYPE = (config, sim, pid) -> {
        PathLossChannel channel = channel(config);
        int coordinates = sim.pidFromKey(config, PAR_COORDINATES, Coordinates.class);
        int cpu = sim.pidFromKey(config, PAR_CPU, MecCpu.class);
        return node -> new Uplink(sim, node.index(), pid, channel, coordinates, cpu);
    };

    private static PathLossChannel channel(ConfigReader c) {
        return new PathLossChannel(c.getPositive(PAR_BANDWIDTH), c.getPositive(PAR_TX_POWER),
                c.getDouble(PAR_PATH_LOSS_1M, -100, 300), c.getDouble(PAR_EXPONENT, 1, 8),
                c.getDouble(PAR_NOISE, -250, 0));
    }

    /** The default link model of a cell: the path-loss channel at the distance between the nodes, no delay. */
    private record CellLinks(PathLossChannel channel, Simulation sim, int coordinatesPid) implements LinkModel {
        @Override
        public double rateBps(int from, int to) {
            Coordinates a = (Coordinates) sim.node(from).protocol(coordinatesPid);
            Coordinates b = (Coordinates) sim.node(to).protocol(coordinatesPid);
            return channel.rateBps(a.distanceTo(b));
        }

        @Override
        public double latency_s(int from, int to) {
            return 0;
        }
    }

    private final Simulation sim;
    private final int node;
    private final int pid;
    private final PathLossChannel channel;
    private final int coordinatesPid;
    private final int cpuPid;
    private final ArrayDeque<MecJob> waiting = new ArrayDeque<>();
    private MecJob sending;
    private double sendEnd_s;
    private LinkModel links;

    Uplink(Simulation sim, int node, int pid, PathLossChannel channel, int coordinatesPid, int cpuPid) {
        this.sim = sim;
        this.node = node;
        this.pid = pid;
        this.channel = channel;
        this.coordinatesPid = coordinatesPid;
        this.cpuPid = cpuPid;
    }

    /** The radio channel (a topology's wireless-only nodes keep it as a cap on their routes' rates). */
    public PathLossChannel channel() {
        return channel;
    }

    private LinkModel links() {
        if (links == null) {
            // Looked up on first use: a topology's initializer shares its link model after the protocols exist.
            links = sim.shared(LinkModel.class, () -> new CellLinks(channel, sim, coordinatesPid));
        }
        return links;
    }

    /** Rate to node {@code target}, bit/s. */
    public double rateBps(int target) {
        return links().rateBps(node, target);
    }

    /** One-way latency to node {@code target} after the last bit is sent, seconds. */
    public double latency_s(int target) {
        return links().latency_s(node, target);
    }

    /** Seconds until every queued upload has been sent. */
    public double backlog_s() {
        double sum = sending == null ? 0 : Math.max(0, sendEnd_s - sim.now());
        for (MecJob j : waiting) {
            sum += j.bytes * 8 / rateBps(j.target);
        }
        return sum;
    }

    /** Queues the upload of {@code job}'s bytes to its target server. */
    public void send(MecJob job) {
        if (sending == null) {
            start(job);
        } else {
            waiting.add(job);
        }
    }

    /**
     * Brings the result of {@code job} ({@code bytes} of it) back here from its server: after the reverse
     * route's latency plus the bytes at the reverse rate. Tells the job's listener {@code returned}, at once
     * when that takes no time.
     */
    public void returnResult(MecJob job, double bytes) {
        double delay = links().latency_s(job.target, node);
        if (bytes > 0) {
            delay += bytes * 8 / links().rateBps(job.target, node);
        }
        if (delay > 0) {
            sim.schedule(delay, node, pid, RESULT, 0, job);
        } else {
            job.returned_s = sim.now();
            job.listener.returned(job);
        }
    }

    private void start(MecJob job) {
        sending = job;
        double rate = rateBps(job.target);
        double airtime_s = job.bytes * 8 / rate;
        job.uploadStart_s = sim.now();
        job.upload_bps = rate;
        job.txEnergy_j = channel.txPower_w() * airtime_s;
        sendEnd_s = sim.now() + airtime_s;
        sim.schedule(airtime_s, node, pid, DONE, 0, job);
    }

    @Override
    public void processEvent(Node n, int kind, long arg, Object ref) {
        MecJob job = (MecJob) ref;
        if (kind == RESULT) {
            job.returned_s = sim.now();
            job.listener.returned(job);
            return;
        }
        if (kind == DONE) {
            sending = null;
            MecJob next = waiting.poll();
            if (next != null) {
                start(next);
            }
            double latency = latency_s(job.target);
            if (latency > 0) {
                // The link is free once the last bit is sent; the data reaches the server a latency later.
                sim.schedule(latency, node, pid, ARRIVED, 0, job);
                return;
            }
        }
        job.uploadDone_s = sim.now();
        ((MecCpu) sim.node(job.target).protocol(cpuPid)).submit(job);
        job.listener.uploaded(job);
    }
}
