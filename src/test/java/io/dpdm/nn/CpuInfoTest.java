package io.dpdm.nn;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Which bfloat16 kernels a CPU gets, from the flags PyTorch 2.7 checks (its mkldnn_bf16_device_check). */
class CpuInfoTest {
    @Test
    void oneDnnTakesBfloat16WithAvx512BwVlDqOrAvxNeConvertOnly() {
        CpuInfo zen3 = new CpuInfo("AMD EPYC (Zen3)", List.of("sse4_2", "avx", "avx2", "fma", "f16c"));
        CpuInfo skylake = new CpuInfo("Xeon (Skylake-SP)", List.of("avx2", "fma", "avx512f", "avx512bw", "avx512vl",
                "avx512dq"));
        CpuInfo noVl = new CpuInfo("AVX-512 without VL", List.of("avx2", "avx512f", "avx512bw", "avx512dq"));
        CpuInfo neConvert = new CpuInfo("AVX-NE-CONVERT, no AVX-512", List.of("avx2", "avx_vnni", "avx_ne_convert"));
        assertFalse(zen3.oneDnnBfloat16());
        assertTrue(skylake.oneDnnBfloat16());
        assertFalse(noVl.oneDnnBfloat16());
        assertTrue(neConvert.oneDnnBfloat16());
        assertFalse(skylake.bfloat16(), "oneDNN takes bfloat16 there, but the CPU has no bfloat16 arithmetic");
    }
}
