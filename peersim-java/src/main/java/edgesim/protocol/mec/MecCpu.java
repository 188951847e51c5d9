package edgesim.protocol.mec;

import edgesim.config.ConfigReader;
import edgesim.engine.ComponentTypes;
import edgesim.engine.EventHandler;
import edgesim.engine.Node;
import edgesim.engine.Simulation;
import edgesim.model.Hardware;
import edgesim.model.MecJob;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * A processor of {@code cores} cores at a fixed clock rate serving {@link MecJob}s, first-in first-out (each
 * core serves one job at a time, the rest wait in arrival order) or by processor sharing (the jobs present
 * share the cores equally; a job uses at most one core, so each runs at {@code hz * min(1, cores / jobs)}).
 * Computing energy is kappa * hz^2 per cycle (the dynamic-power CMOS model), recorded on the job. Under
 * processor sharing a job's finish time depends on later arrivals, so completions are events that an arrival
 * or a departure re-plans (older plans are recognised by a version number and ignored).
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
    /** @config cores, each at the clock rate (optional, default 1). */
    public static final String PAR_CORES = "cores";

    static final int DONE = 1;

    record Params(double hzMin, double hzMax, boolean sharing, double kappa, int cores) {
        Params(ConfigReader c) {
            this(c.getDouble(PAR_HZ_MIN, Hardware.MIN_HZ, Hardware.MAX_HZ),
                    c.getDouble(PAR_HZ_MAX, Hardware.MIN_HZ, Hardware.MAX_HZ),
                    c.getChoice(PAR_DISCIPLINE, "fifo", "ps").equals("ps"), c.getDouble(PAR_KAPPA, 0, 1e-6),
                    c.getInt(PAR_CORES, 1, Hardware.MAX_CORES, 1));
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
    private double hz;
    /** Whether a topology file set the clock rate (else it was drawn from [hz_min, hz_max]). */
    private boolean fixedHz;
    private int cores;
    /** FIFO: jobs waiting for a core. */
    private final ArrayDeque<MecJob> waiting = new ArrayDeque<>();
    /** FIFO: jobs on a core (at most {@link #cores}); processor sharing: every job present. */
    private final List<MecJob> active = new ArrayList<>();
    private double lastUpdate_s;
    private long version;

    MecCpu(Params params, Simulation sim, int node, int pid) {
        this.params = params;
        this.sim = sim;
        this.node = node;
        this.pid = pid;
        this.cores = params.cores();
        this.hz = params.hzMin() == params.hzMax() ? params.hzMin()
                : sim.random("hardware").uniform(params.hzMin(), params.hzMax());
    }

    /**
     * Sets the hardware from a topology file (cores, clock rate). Only before the first job: a change under
     * load would have to re-plan the jobs present.
     */
    public void configure(int cores, double hz) {
        if (cores < 1 || cores > Hardware.MAX_CORES || !(hz >= Hardware.MIN_HZ && hz <= Hardware.MAX_HZ)) {
            throw new IllegalArgumentException("cores " + cores + " and hz " + hz + ": expected 1 <= cores <= "
                    + Hardware.MAX_CORES + " and hz in [" + Hardware.MIN_HZ + ", " + Hardware.MAX_HZ + "]");
        }
        if (jobs() > 0) {
            throw new IllegalStateException("configure() with " + jobs() + " jobs present");
        }
        this.cores = cores;
        this.hz = hz;
        this.fixedHz = true;
    }

    /** Clock rate of one core, cycles per second. */
    public double hz() {
        return hz;
    }

    /**
     * Highest clock rate this node can have in any episode, cycles per second: its topology file's rate when
     * a file set it, else the top of the configured range it is drawn from.
     */
    public double hzBound() {
        return fixedHz ? hz : params.hzMax();
    }

    /** Number of cores. */
    public int cores() {
        return cores;
    }

    /** Whether jobs share the processor (else first-in first-out). */
    public boolean sharing() {
        return params.sharing();
    }

    /** Jobs present (queued or in service). */
    public int jobs() {
        return active.size() + waiting.size();
    }

    /** Cycles of work present now (queued plus what is left of the jobs in service). */
    public double backlogCycles() {
        double now = sim.now();
        double sum = 0;
        if (params.sharing()) {
            double share = active.isEmpty() ? 0 : share(now - lastUpdate_s);
            for (MecJob j : active) {
                sum += Math.max(0, j.remainingCycles - share);
            }
            return sum;
        }
        for (MecJob j : active) {
            sum += Math.max(0, j.started_s + j.cycles / hz - now) * hz;
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
            job.started_s = sim.now();
            active.add(job);
            plan();
        } else if (active.size() < cores) {
            start(job);
        } else {
            waiting.add(job);
        }
    }

    private void start(MecJob job) {
        active.add(job);
        job.started_s = sim.now();
        sim.schedule(job.cycles / hz, node, pid, DONE, 0, job);
    }

    /** Cycles each job present receives in {@code dt_s} seconds under processor sharing. */
    private double share(double dt_s) {
        int n = active.size();
        // Written so that one core gives exactly hz * dt / n, the single-core formula.
        return n <= cores ? hz * dt_s : hz * dt_s * cores / n;
    }

    /** Processor sharing: charges the work done since the last change to every job present. */
    private void advance() {
        double now = sim.now();
        if (!active.isEmpty() && now > lastUpdate_s) {
            double share = share(now - lastUpdate_s);
            for (MecJob j : active) {
                j.remainingCycles -= share;
            }
        }
        lastUpdate_s = now;
    }

    /** Processor sharing: schedules the next departure (the job with the least work left). */
    private void plan() {
        version++;
        MecJob planned = null;
        for (MecJob j : active) {
            if (planned == null || j.remainingCycles < planned.remainingCycles) {
                planned = j;
            }
        }
        if (planned != null) {
            int n = active.size();
            double left = Math.max(0, planned.remainingCycles);
            double delay = n <= cores ? left / hz : left * n / (hz * cores);
            sim.schedule(delay, node, pid, DONE, version, planned);
        }
    }

    @Override
    public void processEvent(Node n, int kind, long arg, Object ref) {
        MecJob job = (MecJob) ref;
        if (!params.sharing()) {
            active.remove(job);
            MecJob next = waiting.poll();
            if (next != null) {
                start(next);
            }
            finish(job);
            return;
        }
        if (arg != version) {
            return; // a departure planned before a later arrival or departure changed the shares
        }
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
    }

    private void finish(MecJob job) {
        job.remainingCycles = 0;
        job.computed_s = sim.now();
        job.listener.computed(job);
    }
}
