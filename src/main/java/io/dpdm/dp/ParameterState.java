package io.dpdm.dp;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import io.dpdm.nn.Torch;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Per-parameter float32 buffers (optimizer moments, EMA weights) living next to the parameters,
 * with checkpoint export under "prefix/name" and restore by copy. Shared by the optimizers and
 * the EMA so that validation and naming live in one place.
 */
final class ParameterState {
    private final String prefix;
    private final Map<String, NDArray> buffers = new LinkedHashMap<>();

    /** Zero buffers shaped like {@code params}, or copies of them when {@code copy}. */
    ParameterState(String prefix, Map<String, NDArray> params, boolean copy) {
        this.prefix = prefix;
        params.forEach((name, p) -> {
            if (p.getDataType() != DataType.FLOAT32) {
                throw new IllegalArgumentException("parameter " + name + " is " + p.getDataType() + ", expected float32");
            }
            NDArray buffer = copy ? Torch.copy(p) : p.zerosLike();
            // Long-lived: must survive any NDScope the caller has open.
            NDScope.unregister(buffer);
            buffers.put(name, buffer);
        });
    }

    NDArray get(String name) {
        return buffers.get(name);
    }

    Map<String, NDArray> buffers() {
        return Collections.unmodifiableMap(buffers);
    }

    Map<String, NDArray> export() {
        Map<String, NDArray> out = new LinkedHashMap<>();
        buffers.forEach((name, b) -> out.put(prefix + "/" + name, b));
        return out;
    }

    void restore(Map<String, NDArray> saved) {
        buffers.forEach((name, b) -> {
            NDArray s = saved.get(prefix + "/" + name);
            if (s == null) {
                throw new IllegalArgumentException("checkpoint lacks array " + prefix + "/" + name);
            }
            if (!s.getShape().equals(b.getShape())) {
                throw new IllegalArgumentException("checkpoint array " + prefix + "/" + name + " has shape "
                        + s.getShape() + ", expected " + b.getShape());
            }
            Torch.assign(b, s.toType(DataType.FLOAT32, false));
        });
    }

    static void requireSameNames(Map<String, NDArray> params, Map<String, NDArray> grads) {
        if (!params.keySet().equals(grads.keySet())) {
            throw new IllegalArgumentException("gradient names " + grads.keySet() + " differ from parameter names "
                    + params.keySet());
        }
    }
}
