package edgesim.protocol;

import edgesim.config.ConfigReader;
import edgesim.engine.ComponentTypes;
import edgesim.engine.Linkable;
import edgesim.engine.Node;
import java.util.Arrays;

/**
 * A node's neighbours (at most {@code max_degree}, in the order they were added) with, per neighbour,
 * the load it last announced: queued tasks, free queue slots and when that was measured.
 * Also records the listeners: the nodes that hold this node as a neighbour and so receive its beacons.
 */
public final class NeighbourTable implements Linkable {
    /** @config maximum number of neighbours. */
    public static final String PAR_MAX_DEGREE = "max_degree";

    public static final ComponentTypes.ProtocolType TYPE = (config, sim, pid) -> {
        int maxDegree = readMaxDegree(config);
        return node -> new NeighbourTable(maxDegree);
    };

    private final Node[] neighbours;
    private final int[] heardQueueTasks;
    private final int[] heardFreeSlots;
    private final double[] heardAt_s;
    private int degree;
    private int[] listeners = new int[4];
    private int listenerCount;

    public NeighbourTable(int maxDegree) {
        neighbours = new Node[maxDegree];
        heardQueueTasks = new int[maxDegree];
        heardFreeSlots = new int[maxDegree];
        heardAt_s = new double[maxDegree];
    }

    static int readMaxDegree(ConfigReader config) {
        return config.getInt(PAR_MAX_DEGREE, 0, 4096);
    }

    public int maxDegree() {
        return neighbours.length;
    }

    @Override
    public int degree() {
        return degree;
    }

    @Override
    public Node neighbor(int i) {
        if (i >= degree) {
            throw new IndexOutOfBoundsException("neighbour " + i + " of " + degree);
        }
        return neighbours[i];
    }

    /** Adds a neighbour; false if it is already there or the table is full. */
    @Override
    public boolean addNeighbor(Node node) {
        if (contains(node) || degree == neighbours.length) {
            return false;
        }
        neighbours[degree++] = node;
        return true;
    }

    @Override
    public boolean contains(Node node) {
        return slotOf(node.index()) >= 0;
    }

    /** Slot of the neighbour with node index {@code index}, or -1. */
    public int slotOf(int index) {
        for (int i = 0; i < degree; i++) {
            if (neighbours[i].index() == index) {
                return i;
            }
        }
        return -1;
    }

    /** Records a load announcement from the neighbour with node index {@code sender}. */
    public void hear(int sender, int queueTasks, int freeSlots, double measuredAt_s) {
        int slot = slotOf(sender);
        if (slot >= 0 && measuredAt_s >= heardAt_s[slot]) {
            heardQueueTasks[slot] = queueTasks;
            heardFreeSlots[slot] = freeSlots;
            heardAt_s[slot] = measuredAt_s;
        }
    }

    public int heardQueueTasks(int slot) {
        return heardQueueTasks[slot];
    }

    public int heardFreeSlots(int slot) {
        return heardFreeSlots[slot];
    }

    public double heardAt_s(int slot) {
        return heardAt_s[slot];
    }

    /** Registers node {@code index} as hearing this node's announcements (done by the wiring initializers). */
    public void addListener(int index) {
        if (listenerCount == listeners.length) {
            listeners = Arrays.copyOf(listeners, listeners.length * 2);
        }
        listeners[listenerCount++] = index;
    }

    public int listenerCount() {
        return listenerCount;
    }

    public int listener(int i) {
        return listeners[i];
    }
}
