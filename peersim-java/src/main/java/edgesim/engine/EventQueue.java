package edgesim.engine;

import java.util.Arrays;

/**
 * A 4-ary min-heap of events ordered by (time, insertion sequence), in primitive arrays so that scheduling
 * allocates nothing once the arrays have grown to the peak number of pending events.
 *
 * <p>A heap entry is two longs side by side: the time's IEEE bits (times are non-negative, so the bits order
 * like the times) and the insertion sequence shifted left past a slot number. Sequences are unique, so
 * comparing (time bits, sequence-and-slot) orders exactly by (time, sequence), and a sift moves one array.
 * The event's payload (node, pid, kind, argument, reference) lives in its slot and is read once, when the
 * event is delivered.
 */
final class EventQueue {
    private static final int ARITY = 4;
    static final int SLOT_BITS = 24;
    private static final long SLOT_MASK = (1L << SLOT_BITS) - 1;
    /** Most events pending at once, and most events one queue can ever order. */
    static final int MAX_PENDING = 1 << SLOT_BITS;
    static final long MAX_SEQUENCE = (1L << (63 - SLOT_BITS)) - 1;
    private static final long HAS_REF = 1L << 31;
    /** Largest pid and kind the payload encoding holds. */
    static final int MAX_PID = 0x7FFF;
    static final int MAX_KIND = 0xFFFF;

    /** keys[2i] = time bits of heap entry i, keys[2i + 1] = its sequence << SLOT_BITS | its slot. */
    private long[] keys = new long[2 * 64];
    private int size;

    /**
     * payload[2s] = node index << 32 | has-reference << 31 | pid << 16 | kind, payload[2s + 1] = argument.
     * The has-reference bit spares a read of the reference array for events that carry none.
     */
    private long[] payload = new long[2 * 64];
    private Object[] refs = new Object[64];
    private int[] freeSlots = new int[64];
    private int freeCount;
    private int slotsUsed;

    private long nextSeq;

    int size() {
        return size;
    }

    double topTime() {
        return Double.longBitsToDouble(keys[0]);
    }

    int topSlot() {
        return (int) (keys[1] & SLOT_MASK);
    }

    int node(int slot) {
        return (int) (payload[2 * slot] >> 32);
    }

    int pid(int slot) {
        return (int) (payload[2 * slot] >>> 16) & 0x7FFF;
    }

    int kind(int slot) {
        return (int) payload[2 * slot] & 0xFFFF;
    }

    long arg(int slot) {
        return payload[2 * slot + 1];
    }

    Object ref(int slot) {
        return (payload[2 * slot] & HAS_REF) != 0 ? refs[slot] : null;
    }

    void push(double time, int node, int pid, int kind, long arg, Object ref) {
        if (2 * size == keys.length) {
            keys = Arrays.copyOf(keys, 2 * keys.length);
        }
        int slot = allocateSlot();
        fill(slot, node, pid, kind, arg, ref);
        siftUp(size++, Double.doubleToRawLongBits(time), nextKey(slot));
    }

    /** Removes the top event. */
    void pop() {
        int slot = topSlot();
        if ((payload[2 * slot] & HAS_REF) != 0) {
            refs[slot] = null;
            payload[2 * slot] &= ~HAS_REF;
        }
        freeSlots[freeCount++] = slot;
        size--;
        if (size > 0) {
            siftDown(0, keys[2 * size], keys[2 * size + 1]);
        }
    }

    /** Replaces the top event by a new one, reusing its slot: one sift instead of a pop and a push. */
    void replaceTop(double time, int node, int pid, int kind, long arg, Object ref) {
        int slot = topSlot();
        fill(slot, node, pid, kind, arg, ref);
        siftDown(0, Double.doubleToRawLongBits(time), nextKey(slot));
    }

    private long nextKey(int slot) {
        if (nextSeq > MAX_SEQUENCE) {
            throw new IllegalStateException("more than " + MAX_SEQUENCE + " events scheduled in one simulation");
        }
        return (nextSeq++ << SLOT_BITS) | slot;
    }

    private void fill(int slot, int node, int pid, int kind, long arg, Object ref) {
        if (ref != null || (payload[2 * slot] & HAS_REF) != 0) {
            refs[slot] = ref; // set, or clear a reused slot's old reference so it can be collected
        }
        payload[2 * slot] = ((long) node << 32) | (ref != null ? HAS_REF : 0) | ((long) pid << 16) | kind;
        payload[2 * slot + 1] = arg;
    }

    private void siftUp(int pos, long time, long seq) {
        long[] k = keys;
        while (pos > 0) {
            int parent = (pos - 1) / ARITY;
            long pt = k[2 * parent];
            long ps = k[2 * parent + 1];
            if (pt < time || (pt == time && ps < seq)) {
                break;
            }
            k[2 * pos] = pt;
            k[2 * pos + 1] = ps;
            pos = parent;
        }
        k[2 * pos] = time;
        k[2 * pos + 1] = seq;
    }

    private void siftDown(int pos, long time, long seq) {
        long[] k = keys;
        int n = size;
        while (true) {
            int first = ARITY * pos + 1;
            if (first >= n) {
                break;
            }
            int best = first;
            long bt = k[2 * first];
            long bs = k[2 * first + 1];
            int last = Math.min(first + ARITY, n);
            // Branch-free choice of the smallest child: the comparisons are unpredictable.
            for (int c = first + 1; c < last; c++) {
                long ct = k[2 * c];
                long cs = k[2 * c + 1];
                boolean less = ct < bt | (ct == bt & cs < bs);
                best = less ? c : best;
                bt = less ? ct : bt;
                bs = less ? cs : bs;
            }
            if (time < bt || (time == bt && seq < bs)) {
                break;
            }
            k[2 * pos] = bt;
            k[2 * pos + 1] = bs;
            pos = best;
        }
        k[2 * pos] = time;
        k[2 * pos + 1] = seq;
    }

    private int allocateSlot() {
        if (freeCount > 0) {
            return freeSlots[--freeCount];
        }
        if (slotsUsed == MAX_PENDING) {
            throw new IllegalStateException("more than " + MAX_PENDING + " events pending at once");
        }
        if (slotsUsed == refs.length) {
            int n = refs.length * 2;
            payload = Arrays.copyOf(payload, 2 * n);
            refs = Arrays.copyOf(refs, n);
            freeSlots = Arrays.copyOf(freeSlots, n);
        }
        return slotsUsed++;
    }
}
