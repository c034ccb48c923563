package io.dpdm.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.engine.PtNDManager;
import ai.djl.pytorch.engine.PtSymbolBlock;
import ai.djl.pytorch.jni.IValue;
import ai.djl.pytorch.jni.IValueUtils;
import ai.djl.pytorch.jni.JniUtils;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * A PyTorch operator that DJL 0.34's JNI does not expose (fused group norm, SiLU, bfloat16), reached as a
 * one-method TorchScript module. The module's archive is written here, in memory, from its
 * source: TorchScript compiles the source when it loads the archive, so nothing is shipped as a
 * binary and an embedding application gets the same kernels as the launcher.
 *
 * <p>The archive holds what {@code torch.jit.load} reads: the source of class {@code __torch__.X}
 * (an {@code nn.Module} with no parameters), a pickle of one instance whose only attribute is
 * {@code training}, an empty constants table and the format version.
 */
final class TorchScript {
    private final PtSymbolBlock module;

    private TorchScript(PtSymbolBlock module) {
        this.module = module;
    }

    /**
     * Compiles {@code body}, the statements of {@code forward(self, <parameters>) -> <returns>}
     * (e.g. parameters "x: Tensor, g: int", returns "Tensor"), into a module of class
     * {@code name} owned by {@code manager}.
     */
    static TorchScript compile(NDManager manager, String name, String parameters, String returns, String body) {
        String source = "class " + name + "(Module):\n"
                + "  __parameters__ = []\n"
                + "  __buffers__ = []\n"
                + "  training : bool\n"
                + "  def forward(self: __torch__." + name + ", " + parameters + ") -> " + returns + ":\n"
                + body.indent(4);
        byte[] archive = archive(name, source);
        try {
            return new TorchScript(JniUtils.loadModule((PtNDManager) manager, new ByteArrayInputStream(archive), false, false));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * forward(arguments) into {@code into}; arguments are NDArrays, longs (TorchScript's int) or
     * doubles (its float). This route runs the module for inference: the result has no autograd
     * history, so callers use it only where no gradient is taken (the thread's grad mode off: {@link #apply}). The
     * calling thread's graph executor stops optimising (a thread-local PyTorch switch): these
     * modules are single fused ops called with ever-changing shapes, where profiling runs and
     * re-specialising would only cost.
     */
    NDArray forward(NDManager into, Object... arguments) {
        List<IValue> values = new ArrayList<>(arguments.length);
        try {
            for (Object a : arguments) {
                values.add(a instanceof NDArray array ? IValue.from((PtNDArray) array)
                        : a instanceof Long l ? IValue.from(l) : IValue.from((Double) a));
            }
            JniUtils.setGraphExecutorOptimize(false);
            try (IValue out = module.forward(values.toArray(IValue[]::new))) {
                return out.toTensor((PtNDManager) into);
            }
        } finally {
            values.forEach(IValue::close);
        }
    }

    /**
     * forward(tensors) with autograd as the calling thread has it: when the thread records
     * gradients, they flow back through the module to every input that requires them. The result
     * belongs to the first tensor's manager.
     */
    NDArray call(NDList tensors) {
        JniUtils.setGraphExecutorOptimize(false);
        return IValueUtils.forward(module, tensors, true).singletonOrThrow();
    }

    /**
     * forward(tensors) with autograd where the calling thread records gradients ({@link #call}),
     * otherwise through the inference route into the first tensor's manager ({@link #forward}):
     * DPDM's network sampled 0.78-0.85x as fast with its bfloat16 casts through the autograd route
     * (Intel Xeon with AMX).
     */
    NDArray apply(NDArray... tensors) {
        return JniUtils.isGradMode() ? call(new NDList(tensors)) : forward(tensors[0].getManager(), (Object[]) tensors);
    }

    private static byte[] archive(String name, String source) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
            entry(zip, "m/version", "3\n".getBytes(StandardCharsets.US_ASCII));
            entry(zip, "m/code/__torch__.py", source.getBytes(StandardCharsets.UTF_8));
            entry(zip, "m/data.pkl", instance(name));
            // pickle protocol 2 of an empty tuple: PROTO 2, EMPTY_TUPLE, STOP
            entry(zip, "m/constants.pkl", new byte[] {(byte) 0x80, 2, ')', '.'});
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    /**
     * The pickle TorchScript writes for an object without __getstate__: GLOBAL module and class,
     * EMPTY_TUPLE, NEWOBJ, then its attributes as a dict (here training = True) and BUILD.
     */
    private static byte[] instance(String name) {
        ByteArrayOutputStream p = new ByteArrayOutputStream();
        p.write(0x80);
        p.write(2);
        p.writeBytes(("c__torch__\n" + name + "\n").getBytes(StandardCharsets.US_ASCII));
        p.writeBytes(new byte[] {')', (byte) 0x81, '}', '('});
        byte[] key = "training".getBytes(StandardCharsets.US_ASCII);
        p.write('X'); // BINUNICODE: 4-byte little-endian length, then UTF-8
        p.writeBytes(new byte[] {(byte) key.length, 0, 0, 0});
        p.writeBytes(key);
        p.writeBytes(new byte[] {(byte) 0x88, 'u', 'b', '.'}); // NEWTRUE, SETITEMS, BUILD, STOP
        return p.toByteArray();
    }

    private static void entry(ZipOutputStream zip, String path, byte[] content) throws IOException {
        zip.putNextEntry(new ZipEntry(path));
        zip.write(content);
        zip.closeEntry();
    }
}
