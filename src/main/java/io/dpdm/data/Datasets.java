package io.dpdm.data;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Opens a data set by name or path. Resolution order:
 * <ol>
 *   <li>an embedded name ({@code fashion-mnist}, {@code mnist}) — see {@link EmbeddedDatasets};</li>
 *   <li>a folder holding {@code train-images-idx3-ubyte[.gz]} etc. — IDX, see {@link IdxDatasets};</li>
 *   <li>any other folder — images in class sub-folders, see {@link FolderDatasets};</li>
 *   <li>a file — an IDX images file with its labels file next to it.</li>
 * </ol>
 */
public final class Datasets {
    private Datasets() {}

    /** Opens an embedded data set by name, else the file or folder at that path. */
    public static ImageDataset open(String nameOrPath, LoadOptions options) {
        boolean plainName = !nameOrPath.contains("/") && !nameOrPath.contains(java.io.File.separator);
        String hint = plainName ? " (dpdm.home is not set, so the embedded data sets are unavailable)" : "";
        if (plainName && System.getProperty("dpdm.home") != null) {
            EmbeddedDatasets embedded = EmbeddedDatasets.installed();
            if (embedded.contains(nameOrPath)) {
                return embedded.load(nameOrPath);
            }
            hint = " (embedded data sets: " + String.join(", ", embedded.names()) + ")";
        }
        Path path = Path.of(nameOrPath);
        if (!Files.exists(path)) {
            throw new DataException(path, "no such file, folder or embedded data set" + hint);
        }
        return open(path, options);
    }

    public static ImageDataset open(Path path, LoadOptions options) {
        if (Files.isDirectory(path)) {
            return IdxDatasets.isIdxFolder(path) ? IdxDatasets.fromFolder(path) : FolderDatasets.load(path, options);
        }
        if (Files.isRegularFile(path)) {
            return IdxDatasets.fromImagesFile(path);
        }
        throw new DataException(path, "no such file or folder");
    }
}
