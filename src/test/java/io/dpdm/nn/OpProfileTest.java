package io.dpdm.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.jni.JniUtils;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Self times against a hand-computed trace, and the summary of a trace PyTorch itself wrote. */
class OpProfileTest {
    private static String event(String name, int thread, double start, double duration) {
        return "{\"name\": \"" + name + "\", \"ph\": \"X\", \"ts\": " + start + ", \"dur\": " + duration
                + ", \"tid\": " + thread + "}";
    }

    @Test
    void selfTimeIsDurationLessNestedEventsOnTheSameThread(@TempDir Path dir) throws Exception {
        Path trace = dir.resolve("trace.json");
        // thread 1: forward [0, 1000) holds conv [100, 400) (which holds mkldnn [150, 350)) and add [500, 600);
        // a second forward [2000, 2500) holds conv [2000, 2300) (same start: the longer event encloses);
        // thread 2 overlaps in time but nests nothing into thread 1's events; a metadata event is ignored
        Files.writeString(trace, "[" + String.join(",",
                event("forward", 1, 0, 1000), event("conv", 1, 100, 300), event("mkldnn", 1, 150, 200),
                event("add", 1, 500, 100), event("conv", 1, 2000, 300), event("forward", 1, 2000, 500),
                event("add", 2, 120, 50), "{\"name\": \"thread_name\", \"ph\": \"M\", \"tid\": 1}") + "]");
        OpProfile.Summary s = OpProfile.summarise(trace);
        Map<String, OpProfile.Op> ops = s.operators().stream().collect(Collectors.toMap(OpProfile.Op::name, o -> o));
        assertEquals(0.6 + 0.2, ops.get("forward").selfMillis(), 1e-9); // 1000 - 300 - 100, plus 500 - 300 (us)
        assertEquals(0.1 + 0.3, ops.get("conv").selfMillis(), 1e-9);
        assertEquals(0.2, ops.get("mkldnn").selfMillis(), 1e-9);
        assertEquals(0.15, ops.get("add").selfMillis(), 1e-9);
        assertEquals(2, ops.get("forward").calls());
        assertEquals(7, s.calls());
        assertEquals(1.5 + 0.05, s.selfMillis(), 1e-9); // thread 1 busy 1.5 ms, thread 2 0.05 ms
        assertEquals("forward", s.operators().get(0).name()); // most self time first
    }

    @Test
    void pyTorchsOwnTraceIsSummarised(@TempDir Path dir) {
        Path trace = dir.resolve("torch.json");
        try (NDManager m = Torch.engine().newBaseManager()) {
            NDArray a = m.randomNormal(new Shape(64, 64));
            JniUtils.startProfile(false, true, false);
            try {
                for (int i = 0; i < 3; i++) {
                    a.matMul(a).close();
                }
            } finally {
                JniUtils.stopProfile(trace.toString());
            }
        }
        OpProfile.Summary s = OpProfile.summarise(trace);
        OpProfile.Op mm = s.operators().stream().filter(o -> o.name().equals("aten::mm")).findFirst().orElseThrow();
        assertEquals(3, mm.calls());
        assertTrue(mm.selfMillis() > 0 && mm.selfMillis() <= s.selfMillis());
        assertTrue(s.figures(2).get("top").toString().contains(s.operators().get(0).name()));
    }
}
