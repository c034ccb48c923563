package io.dpdm.nn;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The CPU a benchmark ran on, as {@code lscpu} names it: the model and the vector extensions that
 * bound its arithmetic peak (AVX2/FMA, AVX-512, bfloat16 and AMX), from /proc/cpuinfo.
 */
public record CpuInfo(String model, List<String> vectorExtensions) {
    private static final List<String> VECTOR = List.of("sse4_2", "avx", "avx2", "fma", "f16c", "avx512f", "avx512bw",
            "avx512vl", "avx512dq", "avx512_vnni", "avx512_bf16", "avx_vnni", "avx_ne_convert", "amx_tile", "amx_bf16",
            "amx_int8");

    public static CpuInfo read() {
        try {
            List<String> lines = Files.readAllLines(Path.of("/proc/cpuinfo"));
            String model = field(lines, "model name");
            Set<String> flags = Arrays.stream(field(lines, "flags").split("\\s+")).collect(Collectors.toSet());
            return new CpuInfo(model, VECTOR.stream().filter(flags::contains).toList());
        } catch (IOException e) { // not Linux: the figures stand without it
            return new CpuInfo("unknown (" + e.getMessage() + ")", List.of());
        }
    }

    /** Adds "cpu" and "vector_extensions" to a benchmark's figures. */
    public static void addTo(Map<String, Object> figures) {
        CpuInfo cpu = read();
        figures.put("cpu", cpu.model());
        figures.put("vector_extensions", String.join(" ", cpu.vectorExtensions()));
    }

    /** True when the CPU multiplies bfloat16 natively (AVX512-BF16 or AMX-BF16). */
    public boolean bfloat16() {
        return vectorExtensions.contains("avx512_bf16") || vectorExtensions.contains("amx_bf16");
    }

    /**
     * True when PyTorch 2.7's oneDNN kernels take bfloat16 here (its mkldnn_bf16_device_check:
     * AVX512BW, VL and DQ, or AVX-NE-CONVERT); elsewhere, e.g. on an AMD Zen3 with AVX2 only,
     * mkldnn_convolution and mkldnn_max_pool2d refuse bfloat16 and PyTorch's own kernels must serve.
     */
    public boolean oneDnnBfloat16() {
        return vectorExtensions.containsAll(List.of("avx512bw", "avx512vl", "avx512dq"))
                || vectorExtensions.contains("avx_ne_convert");
    }

    private static String field(List<String> lines, String name) {
        return lines.stream().filter(l -> l.startsWith(name)).findFirst()
                .map(l -> l.substring(l.indexOf(':') + 1).strip()).orElse("unknown");
    }
}
