package io.dpdm.nn;

import ai.djl.pytorch.jni.JniUtils;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.dpdm.DpdmException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Where a piece of work spends its time, by PyTorch operator: PyTorch's own profiler (reached
 * through DJL's {@link JniUtils#startProfile}) records every operator call as a Chrome trace, and
 * {@link #summarise} turns it into self time per operator (an event's duration minus that of the
 * events nested in it on the same thread), so a convolution is not counted again in the forward
 * that calls it.
 *
 * <p>PyTorch's profiler records the thread that started it: profile with one PyTorch thread, so
 * that {@link Lanes} runs every pass on the caller.
 */
public final class OpProfile {
    /** One operator: calls and self time in milliseconds. */
    public record Op(String name, long calls, double selfMillis) {}

    /** The operators of a trace, most self time first; {@code calls} counts every operator call. */
    public record Summary(double selfMillis, long calls, List<Op> operators) {
        /** Total self time, operator calls and the first {@code n} operators as "name ms (calls)", for a benchmark. */
        public Map<String, Object> figures(int n) {
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("self_ms", Math.round(selfMillis));
            out.put("operator_calls", calls);
            out.put("top", operators.stream().limit(n)
                    .map(o -> String.format(Locale.ROOT, "%s %.1f ms (%d)", o.name(), o.selfMillis(), o.calls()))
                    .toList());
            return out;
        }
    }

    private OpProfile() {}

    /**
     * Runs {@code work} under PyTorch's profiler, writes the Chrome trace to {@code trace} (its
     * folder created if missing) and summarises it.
     */
    public static Summary record(Runnable work, Path trace) {
        requireOneThread();
        try {
            Files.createDirectories(trace.toAbsolutePath().getParent());
        } catch (IOException e) {
            throw new DpdmException("cannot create the profile folder for " + trace + ": " + e.getMessage());
        }
        JniUtils.startProfile(false, true, false);
        try {
            work.run();
        } finally {
            JniUtils.stopProfile(trace.toAbsolutePath().toString());
        }
        return summarise(trace);
    }

    /** Refuses, before any work, a process whose passes would run on threads the profiler does not see. */
    public static void requireOneThread() {
        if (Lanes.count() != 1) {
            throw new DpdmException("profiling needs one PyTorch thread (PyTorch's profiler records only the thread"
                    + " that starts it): run with DPDM_JAVA_OPTS=-Dai.djl.pytorch.num_threads=1");
        }
    }

    /** Self time and calls per operator of a Chrome trace of complete ("ph": "X") events. */
    public static Summary summarise(Path trace) {
        JsonNode events;
        try {
            events = new ObjectMapper().readTree(trace.toFile());
        } catch (IOException e) {
            throw new DpdmException("cannot read the profile " + trace + ": " + e.getMessage());
        }
        Map<String, List<Event>> byThread = new HashMap<>();
        for (JsonNode e : events) {
            if ("X".equals(e.path("ph").asText())) {
                byThread.computeIfAbsent(e.path("tid").asText(), t -> new ArrayList<>()).add(
                        new Event(e.path("name").asText(), e.path("ts").asDouble(), e.path("dur").asDouble()));
            }
        }
        Map<String, double[]> perOp = new HashMap<>(); // name -> {calls, self microseconds}
        for (List<Event> thread : byThread.values()) {
            // parents before their children: by start, then the longer (enclosing) event first
            thread.sort(Comparator.comparingDouble(Event::start).thenComparing(Event::duration, Comparator.reverseOrder()));
            Deque<Event> open = new ArrayDeque<>();
            for (Event e : thread) {
                while (!open.isEmpty() && open.peek().end() <= e.start()) {
                    open.pop();
                }
                if (!open.isEmpty()) {
                    perOp.get(open.peek().name())[1] -= e.duration();
                }
                double[] op = perOp.computeIfAbsent(e.name(), n -> new double[2]);
                op[0]++;
                op[1] += e.duration();
                open.push(e);
            }
        }
        List<Op> ops = new ArrayList<>();
        perOp.forEach((name, v) -> ops.add(new Op(name, (long) v[0], v[1] / 1000)));
        ops.sort(Comparator.comparingDouble(Op::selfMillis).reversed());
        return new Summary(ops.stream().mapToDouble(Op::selfMillis).sum(), ops.stream().mapToLong(Op::calls).sum(), ops);
    }

    private record Event(String name, double start, double duration) {
        double end() {
            return start + duration;
        }
    }
}
