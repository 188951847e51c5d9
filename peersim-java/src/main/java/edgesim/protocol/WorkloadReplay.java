package edgesim.protocol;

import edgesim.config.ConfigException;
import edgesim.config.ConfigReader;
import edgesim.engine.ComponentTypes;
import edgesim.engine.Initializer;
import edgesim.engine.Node;
import edgesim.engine.Simulation;
import edgesim.io.WorkloadFile;
import edgesim.model.DropReason;
import edgesim.model.Task;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Replays a workload file: each line becomes a task arriving at its source node at its arrival time. The file
 * is streamed, one line ahead of the simulation, so memory does not grow with its length; it is checked
 * whole once per scenario (sources must be nodes of the scenario, ids unique, dependencies on earlier lines).
 * A task with dependencies waits at its source until every task it depends on has completed, wherever it
 * ran; if one of them is dropped, the task is dropped too (reason {@code dependency}). Only the tasks that
 * some later line depends on are remembered. At the end of the file the replay either stops ({@code end
 * truncate}: the scenario ends its episode once every replayed task has finished) or starts over
 * ({@code end loop}) shifted by the workload's period: its last arrival plus its mean gap between arrivals.
 */
public final class WorkloadReplay implements Initializer, Task.Listener {
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

    private Map<String, Integer> nodeIndex;
    private WorkloadFile.Summary summary;
    private WorkloadFile file;
    private int pass;
    private double offset_s;
    private boolean exhausted;
    private long inFlight;
    /** Referenced tasks not finished yet, by pass-qualified id; and the tasks waiting on each. */
    private final Map<String, Task> pending = new HashMap<>();
    private final Map<String, List<Task>> waiters = new HashMap<>();
    private final Map<Task, String> pendingKeys = new IdentityHashMap<>();
    private final Map<Task, int[]> unresolved = new IdentityHashMap<>();
    private final Set<String> droppedReferenced = new HashSet<>();

    WorkloadReplay(ConfigReader config, Simulation sim, Map<String, WorkloadFile.Summary> scans) {
        this.sim = sim;
        this.workloadKey = config.fullKey(PAR_WORKLOAD);
        this.path = config.getString(PAR_WORKLOAD);
        this.loop = config.getChoice(PAR_END, "truncate", "loop").equals("loop");
        this.agents = config.getInt(PAR_AGENTS, 0, sim.size());
        this.tracePid = sim.pidFromKey(config, PAR_TRACE);
        this.tasksPid = sim.pidFromKey(config, PAR_TASKS);
        this.cpuPid = sim.pidFromKey(config, PAR_CPU);
        this.scans = scans;
    }

    @Override
    public void initialize() {
        if (path.equals("none")) {
            return;
        }
        nodeIndex = new HashMap<>();
        for (int i = 0; i < sim.size(); i++) {
            nodeIndex.put(sim.node(i).name(), i);
        }
        Set<String> names = nodeIndex.keySet();
        try {
            // Node names are part of the key: a file checked against one topology is not valid for another.
            summary = scans.computeIfAbsent(path + "\n" + String.join(",", new TreeSet<>(names)),
                    k -> WorkloadFile.scan(Path.of(path), names));
            file = new WorkloadFile(Path.of(path));
        } catch (IllegalArgumentException e) {
            throw new ConfigException(workloadKey + " = " + path + ": " + e.getMessage());
        }
        sim.share(WorkloadReplay.class, this);
        scheduleNext();
    }

    /** Whether the file is exhausted (without looping) and every task it produced has finished. */
    public boolean finished() {
        return exhausted && inFlight == 0;
    }

    private void scheduleNext() {
        WorkloadFile.Row row = file.next();
        if (row == null) {
            file.close();
            if (!loop) {
                exhausted = true;
                return;
            }
            pass++;
            offset_s += period_s();
            file = new WorkloadFile(Path.of(path));
            row = file.next();
        }
        sim.schedule(Math.max(0, row.arrival_s() + offset_s - sim.now()), nodeIndex.get(row.source()), tracePid,
                TraceArrivals.ARRIVAL, 0, row);
    }

    /** The shift between passes of a looped workload: its last arrival plus its mean gap. */
    private double period_s() {
        double span = summary.lastArrival_s() - summary.firstArrival_s();
        double gap = summary.rows() > 1 ? span / (summary.rows() - 1) : 1.0;
        return summary.lastArrival_s() + Math.max(gap, 1e-6);
    }

    void arrive(Node node, WorkloadFile.Row row) {
        Tasks origin = (Tasks) node.protocol(tasksPid);
        Task task = origin.createWithDeadline(row.cycles(), row.inputBytes(), row.outputBytes(),
                row.deadline_s() + offset_s);
        task.decided = node.index() >= agents;
        task.workloadLine = row.line();
        task.listener = this;
        inFlight++;
        String key = pass + "/" + row.taskId();
        if (summary.referenced().contains(row.taskId())) {
            pending.put(key, task);
            pendingKeys.put(task, key);
        }
        int waiting = 0;
        boolean depDropped = false;
        for (String dep : row.dependsOn()) {
            String depKey = pass + "/" + dep;
            Task before = pending.get(depKey);
            if (before != null) {
                waiting++;
                waiters.computeIfAbsent(depKey, k -> new ArrayList<>()).add(task);
            } else if (droppedReferenced.contains(depKey)) {
                depDropped = true;
            }
        }
        if (depDropped) {
            origin.drop(task, DropReason.DEPENDENCY);
        } else if (waiting == 0) {
            release(task);
        } else {
            task.stage = Task.Stage.WAITING;
            unresolved.put(task, new int[] {waiting});
        }
        scheduleNext();
    }

    private void release(Task task) {
        task.wait_s += sim.now() - task.stageStart_s;
        ((Cpu) sim.node(task.origin).protocol(cpuPid)).admit(task);
    }

    @Override
    public void finished(Task task) {
        inFlight--;
        unresolved.remove(task);
        String key = pendingKeys.remove(task);
        if (key == null) {
            return;
        }
        pending.remove(key);
        boolean completed = task.stage == Task.Stage.DONE;
        if (!completed) {
            droppedReferenced.add(key);
        }
        List<Task> blocked = waiters.remove(key);
        if (blocked == null) {
            return;
        }
        for (Task t : blocked) {
            if (t.isOver()) {
                continue;
            }
            if (!completed) {
                ((Tasks) sim.node(t.origin).protocol(tasksPid)).drop(t, DropReason.DEPENDENCY);
            } else if (--unresolved.get(t)[0] == 0) {
                unresolved.remove(t);
                release(t);
            }
        }
    }
}
