package edgesim.protocol.init;

import edgesim.config.ConfigReader;
import edgesim.engine.ComponentTypes;
import edgesim.engine.Initializer;
import edgesim.engine.Node;
import edgesim.engine.Simulation;
import edgesim.io.WorkloadFile;
import edgesim.model.DropReason;
import edgesim.model.Task;
import edgesim.protocol.Cpu;
import edgesim.protocol.Tasks;
import edgesim.protocol.TraceArrivals;
import edgesim.protocol.WorkloadStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Replays a workload file in the neighbour-offloading scenario: each line becomes a task arriving at its source
 * node at its arrival time. The file is streamed, one line ahead of the simulation, so memory does not grow
 * with its length; it is checked whole once per scenario (sources must be nodes of the scenario, ids unique,
 * dependencies on earlier lines). A task with dependencies waits at its source until every task it depends on
 * has completed, wherever it ran; if one of them is dropped, the task is dropped too (reason {@code
 * dependency}). A released task is admitted to its source's CPU queue. At the end of the file the replay
 * either stops ({@code end truncate}: the scenario ends its episode once every replayed task has finished) or
 * starts over ({@code end loop}) shifted by the workload's period: its last arrival plus its mean gap between
 * arrivals. The streaming and the dependencies are {@link WorkloadStream}'s; this class says what a task is.
 */
public final class WorkloadReplay implements Initializer, Task.Listener, WorkloadStream.Admission<Task> {
    /** @config a workload file (format pygym-workload 1), or {@code none}. */
    public static final String PAR_WORKLOAD = "workload";
    /** @config at the end of the file: {@code truncate} or {@code loop}. */
    public static final String PAR_END = "end";
    /** @config number of agent nodes (their tasks wait for the agent's decision). */
    public static final String PAR_AGENTS = "agents";
    /** @config the protocols involved. */
    public static final String PAR_TRACE = "trace";
    public static final String PAR_TASKS = "tasks";
    public static final String PAR_CPU = "cpu";

    /** The initializer type; {@code scans} keeps each file's check across the resets of one scenario. */
    public static ComponentTypes.InitializerType type(Map<String, WorkloadFile.Summary> scans) {
        return (config, sim) -> new WorkloadReplay(config, sim, scans);
    }

    private final Simulation sim;
    private final String workloadKey;
    private final String path;
    private final boolean loop;
    private final int agents;
    private final int tracePid;
    private final int tasksPid;
    private final int cpuPid;
    private final Map<String, WorkloadFile.Summary> scans;

    private WorkloadStream<Task> stream;

    WorkloadReplay(ConfigReader config, Simulation sim, Map<String, WorkloadFile.Summary> scans) {
        this.sim = sim;
        this.workloadKey = config.fullKey(PAR_WORKLOAD);
        this.path = config.getString(PAR_WORKLOAD);
        this.loop = config.getChoice(PAR_END, "truncate", "loop").equals("loop");
        this.agents = config.getInt(PAR_AGENTS, 0, sim.size());
        this.tracePid = sim.pidFromKey(config, PAR_TRACE, TraceArrivals.class);
        this.tasksPid = sim.pidFromKey(config, PAR_TASKS, Tasks.class);
        this.cpuPid = sim.pidFromKey(config, PAR_CPU, Cpu.class);
        this.scans = scans;
    }

    @Override
    public void initialize() {
        if (path.equals("none")) {
            return;
        }
        List<Node> nodes = new ArrayList<>();
        for (int i = 0; i < sim.size(); i++) {
            nodes.add(sim.node(i));
        }
        stream = new WorkloadStream<>(sim, workloadKey, path, loop, tracePid, nodes, "node", scans, this);
        sim.share(WorkloadReplay.class, this);
        stream.start();
    }

    /** Whether the file is exhausted (without looping) and every task it produced has finished. */
    public boolean finished() {
        return stream.finished();
    }

    /** Closes the file now (a reset abandons the episode, possibly with lines left). */
    public void close() {
        stream.close();
    }

    @Override
    public Task arrive(Node node, WorkloadFile.Row row, double deadline_s) {
        Tasks origin = (Tasks) node.protocol(tasksPid);
        Task task = origin.createWithDeadline(row.cycles(), row.inputBytes(), row.outputBytes(), deadline_s);
        task.decided = node.index() >= agents;
        task.workloadLine = row.line();
        task.listener = this;
        // Not in any queue until released (a task without dependencies is released at once).
        task.stage = Task.Stage.WAITING;
        return task;
    }

    @Override
    public void release(Task task) {
        task.wait_s += sim.now() - task.stageStart_s;
        ((Cpu) sim.node(task.origin).protocol(cpuPid)).admit(task);
    }

    @Override
    public void dropForDependency(Task task) {
        ((Tasks) sim.node(task.origin).protocol(tasksPid)).drop(task, DropReason.DEPENDENCY);
    }

    @Override
    public boolean isOver(Task task) {
        return task.isOver();
    }

    @Override
    public void finished(Task task) {
        stream.finished(task, task.stage == Task.Stage.DONE);
    }
}
