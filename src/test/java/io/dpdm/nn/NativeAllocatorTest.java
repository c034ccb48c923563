package io.dpdm.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.sun.jna.Library;
import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.Platform;
import com.sun.jna.Structure;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The malloc settings take effect in the process that starts the engine, as glibc itself reports
 * them: blocks of 16 MB and 48 MB (above glibc's default mmap threshold of 128 KB, so fresh mmaps
 * without the settings) come out of an arena, and freeing them keeps the memory mapped.
 */
class NativeAllocatorTest {
    /** glibc's struct mallinfo2 (glibc 2.33+): sizes summed over all arenas. */
    @Structure.FieldOrder({"arena", "ordblks", "smblks", "hblks", "hblkhd", "usmblks", "fsmblks", "uordblks",
            "fordblks", "keepcost"})
    public static class MallInfo2 extends Structure implements Structure.ByValue {
        public long arena;
        public long ordblks;
        public long smblks;
        public long hblks;
        public long hblkhd;
        public long usmblks;
        public long fsmblks;
        public long uordblks;
        public long fordblks;
        public long keepcost;
    }

    interface GlibcInfo extends Library {
        MallInfo2 mallinfo2();
    }

    @Test
    void largeBlocksComeFromArenasOnceTheEngineHasStarted() {
        assumeTrue(Platform.isLinux() && !"default".equals(System.getProperty("dpdm.malloc")));
        Torch.engine();
        assertTrue(NativeAllocator.configure(), "glibc refused a mallopt setting");
        GlibcInfo glibc = Native.load("c", GlibcInfo.class);
        long mappedBefore = glibc.mallinfo2().hblks;
        Memory block = new Memory(16 << 20);
        block.setByte((16 << 20) - 1, (byte) 1);
        assertEquals(mappedBefore, glibc.mallinfo2().hblks, "a 16 MB block was given its own mmap");
        try (Memory large = new Memory(48L << 20)) { // beyond the highest mmap threshold glibc accepts (32 MB)
            large.setByte((48L << 20) - 1, (byte) 1);
            assertEquals(mappedBefore, glibc.mallinfo2().hblks, "a 48 MB block was given its own mmap");
        }
        long inArenas = glibc.mallinfo2().arena;
        block.close();
        assertTrue(glibc.mallinfo2().arena >= inArenas, "freeing the block returned arena memory to the kernel");
    }
}
