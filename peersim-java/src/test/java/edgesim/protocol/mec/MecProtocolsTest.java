package edgesim.protocol.mec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import edgesim.config.Config;
import edgesim.engine.ComponentTypes;
import edgesim.engine.Simulation;
import edgesim.io.FileCache;
import edgesim.model.MecJob;
import edgesim.model.PathLossChannel;
import edgesim.protocol.Coordinates;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The MEC building blocks against hand-computed times: FIFO and processor-sharing CPUs, the uplink, the channel. */
class MecProtocolsTest {
    private static final double EPS = 1e-9;

    /** Node 0 a device, node 1 a 1 GHz server 100 m away, with the given discipline. */
    private static Simulation twoNodes(String discipline) {
        String text = String.join("\n",
                "network.size 2",
                "protocol.position Coordinates",
                "protocol.cpu MecCpu",
                "protocol.cpu.hz_min 1e9",
                "protocol.cpu.hz_max 1e9",
                "protocol.cpu.discipline " + discipline,
                "protocol.cpu.kappa 1e-27",
                "protocol.uplink Uplink",
                "protocol.uplink.bandwidth_hz 10e6",
                "protocol.uplink.tx_power_w 0.1",
                "protocol.uplink.path_loss_db_at_1m 15.3",
                "protocol.uplink.path_loss_exponent 3.76",
                "protocol.uplink.noise_psd_dbm_per_hz -174",
                "protocol.uplink.coordinates position",
                "protocol.uplink.cpu cpu");
        Simulation sim = new Simulation(Config.parse(text, "mec-test"), MecComponents.register(new ComponentTypes(), new FileCache()), 1);
        sim.checkAllKeysUsed();
        ((Coordinates) sim.node(1).protocol(sim.pid("position"))).x_m = 100;
        return sim;
    }

    private static MecCpu cpu(Simulation sim, int node) {
        return (MecCpu) sim.node(node).protocol(sim.pid("cpu"));
    }

    @Test
    void fifoServesOneJobAtATimeInArrivalOrder() {
        Simulation sim = twoNodes("fifo");
        JobLog log = new JobLog();
        MecJob a = new MecJob("a", log, 0, 2e9, 1);
        MecJob b = new MecJob("b", log, 0, 1e9, 1);
        cpu(sim, 1).submit(a);
        sim.runUntil(0.5);
        assertEquals(1.5e9, cpu(sim, 1).backlogCycles(), 1);
        cpu(sim, 1).submit(b);
        assertEquals(2, cpu(sim, 1).jobs());
        assertEquals(2.5e9, cpu(sim, 1).backlogCycles(), 1);
        sim.runUntil(10);
        assertEquals(List.of(a, b), log.computed);
        assertEquals(2.0, a.computed_s, EPS);
        assertEquals(3.0, b.computed_s, EPS); // waits for a, then 1 s
        assertEquals(1e-27 * 1e18 * 2e9, a.computeEnergy_j, 1e-12); // kappa hz^2 cycles = 2 J
        assertEquals(0, cpu(sim, 1).jobs());
    }

    @Test
    void processorSharingSplitsTheClockBetweenJobsPresent() {
        Simulation sim = twoNodes("ps");
        JobLog log = new JobLog();
        MecJob a = new MecJob("a", log, 0, 2e9, 1);
        MecJob b = new MecJob("b", log, 0, 1e9, 1);
        cpu(sim, 1).submit(a);
        sim.runUntil(0.5); // a alone: 0.5e9 done, 1.5e9 left
        cpu(sim, 1).submit(b);
        assertEquals(2.5e9, cpu(sim, 1).backlogCycles(), 1);
        sim.runUntil(10);
        // Shared at 0.5 GHz each: b's 1e9 take 2 s (done at 2.5), leaving a 0.5e9 alone at 1 GHz (done at 3.0).
        assertEquals(List.of(b, a), log.computed);
        assertEquals(2.5, b.computed_s, EPS);
        assertEquals(3.0, a.computed_s, EPS);
        // Two equal jobs together finish together.
        MecJob c = new MecJob("c", log, 0, 1e9, 1);
        MecJob d = new MecJob("d", log, 0, 1e9, 1);
        cpu(sim, 1).submit(c);
        cpu(sim, 1).submit(d);
        sim.runUntil(20);
        assertEquals(12.0, c.computed_s, EPS);
        assertEquals(12.0, d.computed_s, EPS);
        assertEquals(4, log.computed.size());
    }

    @Test
    void uplinkSendsAtTheShannonRateOneAtATimeThenQueuesAtTheServer() {
        Simulation sim = twoNodes("fifo");
        JobLog log = new JobLog();
        Uplink uplink = (Uplink) sim.node(0).protocol(sim.pid("uplink"));
        PathLossChannel channel = new PathLossChannel(10e6, 0.1, 15.3, 3.76, -174);
        double rate = channel.rateBps(100);
        assertEquals(rate, uplink.rateBps(1), 1e-6);
        MecJob a = new MecJob("a", log, 1e6, 1e8, 1);
        MecJob b = new MecJob("b", log, 2e6, 1e8, 1);
        uplink.send(a);
        uplink.send(b);
        double ta = 8e6 / rate;
        double tb = 16e6 / rate;
        assertEquals(ta + tb, uplink.backlog_s(), 1e-9);
        sim.runUntil(100);
        assertEquals(List.of(a, b), log.uploaded);
        assertEquals(ta, a.uploadDone_s, EPS);
        assertEquals(ta, b.uploadStart_s, EPS);
        assertEquals(ta + tb, b.uploadDone_s, EPS);
        assertEquals(0.1 * ta, a.txEnergy_j, 1e-12);
        assertEquals(ta + 0.1, a.computed_s, EPS); // 1e8 cycles at 1 GHz after arriving
        assertEquals(ta + tb + 0.1, b.computed_s, EPS);
    }

    @Test
    void pathLossChannelFollowsTheLogDistanceLaw() {
        PathLossChannel channel = new PathLossChannel(10e6, 0.1, 15.3, 3.76, -174);
        // 3GPP macro: 128.1 + 37.6 log10(0.1 km) = 90.5 dB at 100 m.
        assertEquals(90.5, channel.pathLoss_db(100), 1e-9);
        // SNR = 20 dBm - 90.5 dB - (-174 dBm/Hz + 70 dB) = 33.5 dB.
        assertEquals(33.5, 10 * Math.log10(channel.snr(100)), 1e-9);
        assertEquals(10e6 * Math.log(1 + Math.pow(10, 3.35)) / Math.log(2), channel.rateBps(100), 1e-3);
        assertEquals(channel.rateBps(1), channel.rateBps(0.2), 0, "the near field is clamped to 1 m");
        assertTrue(channel.rateBps(50) > channel.rateBps(100));
    }
}
