package edgesim.engine;

import java.util.Arrays;

/**
 * The pending events of a simulation, delivered in (time, insertion sequence) order, in primitive arrays so
 * that scheduling allocates nothing once the arrays have grown to their peak sizes.
 *
 * <p>A calendar of time buckets keeps the working set small (the layout of a ladder or calendar queue): only
 * the events of the current bucket are in a heap; later events wait unsorted in the bucket their time falls
 * in, or, past the calendar's end, in an overflow list from which the next calendar is built once the
 * current one is used up. The bucket of a time is {@code floor((time - base) / width)}, which never decreases
 * as time grows, so every event of an earlier bucket comes before every event of a later one and the order
 * is exact. An event scheduled into the current bucket or an earlier one goes straight into the heap.
 *
 * <p>An entry is two longs side by side: the time's IEEE bits (times are non-negative, so the bits order like
 * the times) and the insertion sequence shifted left past a slot number. Sequences are unique, so comparing
 * (time bits, sequence-and-slot) orders exactly by (time, sequence). The event's payload (node, pid, kind,
 * argument, reference) lives in its slot and is read once, when the event is delivered.
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
    /** Events per bucket a calendar aims at: heaps this small stay in the first-level cache. */
    private static final int EVENTS_PER_BUCKET = 16;
    private static final int MAX_BUCKETS = 1 << 16;

    /**
     * Room for this many events before the arrays grow (doubling): small, because every reset of a scenario
     * builds a new queue and most episodes of small scenarios hold a few events at a time.
     */
    private static final int INITIAL_EVENTS = 16;

    /** The current bucket's events as a 4-ary heap: heap[2i] time bits, heap[2i + 1] sequence-and-slot. */
    private long[] heap = new long[2 * INITIAL_EVENTS];
    private int heapSize;

    private double base;
    private double width = 1;
    private int bucketCount;
    /** Index of the bucket whose events are in the heap; events of later buckets wait in theirs. */
    private int current = -1;
    private long[][] buckets = new long[0][];
    private int[] bucketSizes = new int[0];
    private long[] overflow = new long[2 * INITIAL_EVENTS];
    private int overflowSize;
    private int size;

    /**
     * payload[2s] = node index << 32 | has-reference << 31 | pid << 16 | kind, payload[2s + 1] = argument.
     * The has-reference bit spares a read of the reference array for events that carry none.
     */
    private long[] payload = new long[2 * INITIAL_EVENTS];
    private Object[] refs = new Object[INITIAL_EVENTS];
    private int[] freeSlots = new int[INITIAL_EVENTS];
    private int freeCount;
    private int slotsUsed;

    private long nextSeq;

    int size() {
        return size;
    }

    /** Time of the next event; the queue must not be empty. */
    double topTime() {
        fillHeap();
        return Double.longBitsToDouble(heap[0]);
    }

    /** Slot of the next event (after {@link #topTime()}). */
    int topSlot() {
        return (int) (heap[1] & SLOT_MASK);
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
        int slot = allocateSlot();
        fill(slot, node, pid, kind, arg, ref);
        place(time, nextKey(slot));
        size++;
    }

    /** Removes the next event (after {@link #topTime()}). */
    void pop() {
        int slot = topSlot();
        if ((payload[2 * slot] & HAS_REF) != 0) {
            refs[slot] = null;
            payload[2 * slot] &= ~HAS_REF;
        }
        freeSlots[freeCount++] = slot;
        removeHeapTop();
        size--;
    }

    /** Replaces the next event by a new one, reusing its slot: one sift instead of a pop and a push. */
    void replaceTop(double time, int node, int pid, int kind, long arg, Object ref) {
        int slot = topSlot();
        fill(slot, node, pid, kind, arg, ref);
        long key = nextKey(slot);
        if (bucketOf(time) <= current) {
            siftDown(0, Double.doubleToRawLongBits(time), key);
        } else {
            removeHeapTop();
            place(time, key);
        }
    }

    private long bucketOf(double time) {
        return (long) Math.floor((time - base) / width);
    }

    private void place(double time, long key) {
        long bits = Double.doubleToRawLongBits(time);
        long bucket = bucketOf(time);
        if (bucket <= current) {
            heapInsert(bits, key);
        } else if (bucket < bucketCount) {
            int b = (int) bucket;
            if (2 * bucketSizes[b] == buckets[b].length) {
                buckets[b] = Arrays.copyOf(buckets[b], 2 * buckets[b].length);
            }
            buckets[b][2 * bucketSizes[b]] = bits;
            buckets[b][2 * bucketSizes[b] + 1] = key;
            bucketSizes[b]++;
        } else {
            if (2 * overflowSize == overflow.length) {
                overflow = Arrays.copyOf(overflow, 2 * overflow.length);
            }
            overflow[2 * overflowSize] = bits;
            overflow[2 * overflowSize + 1] = key;
            overflowSize++;
        }
    }

    /** Loads the next non-empty bucket into the heap, building a new calendar when this one is used up. */
    private void fillHeap() {
        while (heapSize == 0) {
            current++;
            while (current < bucketCount && bucketSizes[current] == 0) {
                current++;
            }
            if (current < bucketCount) {
                long[] bucket = buckets[current];
                int n = bucketSizes[current];
                bucketSizes[current] = 0;
                ensureHeap(n);
                System.arraycopy(bucket, 0, heap, 0, 2 * n);
                heapSize = n;
                for (int i = (n - 2) / ARITY; i >= 0; i--) {
                    siftDown(i, heap[2 * i], heap[2 * i + 1]);
                }
            } else {
                newCalendar();
            }
        }
    }

    /** Spreads the overflow over a calendar sized to it: about EVENTS_PER_BUCKET events per bucket. */
    private void newCalendar() {
        double min = Double.POSITIVE_INFINITY;
        double max = 0;
        for (int i = 0; i < overflowSize; i++) {
            double t = Double.longBitsToDouble(overflow[2 * i]);
            min = Math.min(min, t);
            max = Math.max(max, t);
        }
        bucketCount = Math.max(1, Math.min(MAX_BUCKETS, overflowSize / EVENTS_PER_BUCKET));
        base = min;
        width = max > min ? (max - min) / bucketCount : 1.0;
        if (!(width > 0) || Double.isInfinite(width)) {
            width = Math.max(Math.ulp(max), Double.MIN_NORMAL) * bucketCount; // a span too small to divide
        }
        if (buckets.length < bucketCount) {
            int old = buckets.length;
            buckets = Arrays.copyOf(buckets, bucketCount);
            bucketSizes = Arrays.copyOf(bucketSizes, bucketCount);
            for (int b = old; b < bucketCount; b++) {
                buckets[b] = new long[2 * EVENTS_PER_BUCKET];
            }
        }
        current = -1;
        int kept = 0;
        int n = overflowSize;
        overflowSize = 0;
        for (int i = 0; i < n; i++) {
            long bits = overflow[2 * i];
            long key = overflow[2 * i + 1];
            if (bucketOf(Double.longBitsToDouble(bits)) >= bucketCount) {
                overflow[2 * kept] = bits; // the latest time (or rounding at the end): stays for later
                overflow[2 * kept + 1] = key;
                kept++;
            } else {
                place(Double.longBitsToDouble(bits), key);
            }
        }
        overflowSize += kept;
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

    private void ensureHeap(int entries) {
        if (2 * entries > heap.length) {
            heap = Arrays.copyOf(heap, Math.max(2 * entries, 2 * heap.length));
        }
    }

    private void heapInsert(long time, long key) {
        ensureHeap(heapSize + 1);
        siftUp(heapSize++, time, key);
    }

    private void removeHeapTop() {
        heapSize--;
        if (heapSize > 0) {
            siftDown(0, heap[2 * heapSize], heap[2 * heapSize + 1]);
        }
    }

    private void siftUp(int pos, long time, long seq) {
        long[] k = heap;
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
        long[] k = heap;
        int n = heapSize;
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
