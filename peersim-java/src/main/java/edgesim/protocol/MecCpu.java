package edgesim.protocol;

import edgesim.config.ConfigReader;
import edgesim.engine.ComponentTypes;
import edgesim.engine.EventHandler;
import edgesim.engine.Node;
import edgesim.engine.Simulation;
import edgesim.model.MecJob;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * A processor at a fixed clock rate serving {@link MecJob}s, first-in first-out (one job at a time, the rest
 * wait in arrival order) or by processor sharing (all jobs present share the clock rate equally). Computing
 * energy is kappa * hz^2 per cycle (the dynamic-power CMOS model), recorded on the job. Under processor
 * sharing a job's finish time depends on later arrivals, so completions are events that an arrival or a
 * departure re-plans (older plans are recognised by a version number and ignored).
 */
public final class MecCpu implements EventHandler {
    /** @config lowest clock rate, cycles per second; each node draws uniformly in [hz_min, hz_max]. */
    public static final String PAR_HZ_MIN = "hz_min";
    /** @config highest clock rate, cycles per second. */
    public static final String PAR_HZ_MAX = "hz_max";
    /** @config {@code fifo} or {@code ps} (processor sharing). */
    public static final String PAR_DISCIPLINE = "discipline";
    /** @config effective switched capacitance: energy per cycle is kappa * hz^2 joules. */
    public static final String PAR_KAPPA = "kappa";

    static final int DONE = 1;

    record Params(double hzMin, double hzMax, boolean sharing, double kappa) {
        Params(ConfigReader c) {
            this(c.getPositive(PAR_HZ_MIN), c.getPositive(PAR_HZ_MAX), c.getChoice(PAR_DISCIPLINE, "fifo", "ps")
                    .equals("ps"), c.getDouble(PAR_KAPPA, 0, 1e-6));
            c.require(hzMax >= hzMin, PAR_HZ_MAX, "hz_max >= hz_min (" + hzMin + ")");
        }
    }

    public static final ComponentTypes.ProtocolType TYPE = (config, sim, pid) -> {
        Params p = new Params(config);
        return node -> new MecCpu(p, sim, node.index(), pid);
    };

    private final Params params;
    private final Simulation sim;
    private final int node;
    private final int pid;
    private final double hz;
    /** FIFO: jobs waiting behind {@link #inService}. */
    private final ArrayDeque<MecJob> waiting = new ArrayDeque<>();
    /** Processor sharing: every job present. */
    private final List<MecJob> active = new ArrayList<>();
    private MecJob inService;
    private double serviceEnd_s;
    private double lastUpdate_s;
    private MecJob planned;
    private long version;

    MecCpu(Params params, Simulation sim, int node, int pid) {
        this.params = params;
        this.sim = sim;
        this.node = node;
        this.pid = pid;
        this.hz = params.hzMin() == params.hzMax() ? params.hzMin()
                : sim.random("hardware").uniform(params.hzMin(), params.hzMax());
    }

    /** Clock rate, cycles per second. */
    public double hz() {
        return hz;
    }

    /** Whether jobs share the processor (else first-in first-out). */
    public boolean sharing() {
        return params.sharing();
    }

    /** Jobs present (queued or in service). */
    public int jobs() {
        return params.sharing() ? active.size() : waiting.size() + (inService == null ? 0 : 1);
    }

    /** Cycles of work present now (queued plus what is left of the jobs in service). */
    public double backlogCycles() {
        double now = sim.now();
        double sum = 0;
        if (params.sharing()) {
            double share = active.isEmpty() ? 0 : hz * (now - lastUpdate_s) / active.size();
            for (MecJob j : active) {
                sum += Math.max(0, j.remainingCycles - share);
            }
            return sum;
        }
        if (inService != null) {
            sum += Math.max(0, serviceEnd_s - now) * hz;
        }
        for (MecJob j : waiting) {
            sum += j.cycles;
        }
        return sum;
    }

    /** Queues {@code job} now; its listener hears {@code computed} when its cycles are done. */
    public void submit(MecJob job) {
        job.queued_s = sim.now();
        job.computeEnergy_j = params.kappa() * hz * hz * job.cycles;
        if (params.sharing()) {
            advance();
            active.add(job);
            plan();
        } else if (inService == null) {
            start(job);
        } else {
            waiting.add(job);
        }
    }

    private void start(MecJob job) {
        inService = job;
        double service_s = job.cycles / hz;
        serviceEnd_s = sim.now() + service_s;
        sim.schedule(service_s, node, pid, DONE, ++version, job);
    }

    /** Processor sharing: charges the work done since the last change to every job present. */
    private void advance() {
        double now = sim.now();
        if (!active.isEmpty() && now > lastUpdate_s) {
            double share = hz * (now - lastUpdate_s) / active.size();
            for (MecJob j : active) {
                j.remainingCycles -= share;
            }
        }
        lastUpdate_s = now;
    }

    /** Processor sharing: schedules the next departure (the job with the least work left). */
    private void plan() {
        version++;
        planned = null;
        for (MecJob j : active) {
            if (planned == null || j.remainingCycles < planned.remainingCycles) {
                planned = j;
            }
        }
        if (planned != null) {
            double delay = Math.max(0, planned.remainingCycles) * active.size() / hz;
            sim.schedule(delay, node, pid, DONE, version, planned);
        }
    }

    @Override
    public void processEvent(Node n, int kind, long arg, Object ref) {
        if (arg != version) {
            return; // a departure planned before a later arrival or departure changed the shares
        }
        MecJob job = (MecJob) ref;
        if (params.sharing()) {
            advance();
            // The planned job is done; rounding may leave it a few cycles, and jobs that tie with it finish too.
            double tolerance = 1e-9 * Math.max(1, job.cycles);
            List<MecJob> done = new ArrayList<>();
            for (MecJob j : active) {
                if (j == job || j.remainingCycles <= tolerance) {
                    done.add(j);
                }
            }
            active.removeAll(done);
            plan();
            for (MecJob j : done) {
                finish(j);
            }
        } else {
            inService = null;
            MecJob next = waiting.poll();
            if (next != null) {
                start(next);
            }
            finish(job);
        }
    }

    private void finish(MecJob job) {
        job.remainingCycles = 0;
        job.computed_s = sim.now();
        job.listener.computed(job);
    }
}
